#!/usr/bin/env bash
# Set up and start Roost with a demo domain on a fresh Debian or Ubuntu machine, as root.
# Safe to run again: it changes only what is missing or stopped.
#   ROOST_DEMO_PASSWORD=...   password for the demo users (made up and kept in /etc/roost/roost.env if unset)
#   ROOST_PORT=8000           where the web UI listens (127.0.0.1)
set -euo pipefail
. "$(dirname "$0")/lib.sh"
require_root

install_system_packages
ensure_postgres
ensure_env_file
ensure_redis
ensure_roost_user
ensure_db_roles
ensure_database roost
ensure_venv base
ensure_npm

export ROOST_DB_NAME=roost ROOST_DB_USER=roost
say "migrating the database"
manage migrate --noinput >/dev/null
manage collectstatic --noinput >/dev/null

say "configuring and starting Dovecot and Postfix"
python3 "$ROOST_ROOT/deploy/stack.py" start --instance demo

say "checking the services"
manage roost_check

say "seeding the demo domain example.test"
manage demo_seed --password "$ROOST_DEMO_PASSWORD"

"$ROOST_ROOT/deploy/run.sh" start

cat <<DONE

Roost is running at ${ROOST_BASE_URL:-http://127.0.0.1:${ROOST_PORT:-8000}}

  Sign in as alice@example.test, bob@example.test or carol@example.test
  Password: $ROOST_DEMO_PASSWORD
  Admin:    ${ROOST_BASE_URL:-http://127.0.0.1:${ROOST_PORT:-8000}}/admin/ as postmaster@example.test (same password)
  IMAP 127.0.0.1:143, SMTP submission 127.0.0.1:587 with the same address and password.
  Logs:     /var/log/roost/ (web.log, worker.log, beat.log, dovecot.log, postfix.log), readable by root
  The web server, worker and beat run as the system user ${ROOST_USER:-roost}.
DONE
