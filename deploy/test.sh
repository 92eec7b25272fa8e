#!/usr/bin/env bash
# Run Roost's whole test suite: lint, types, import contracts, migrations check, then unit,
# integration (real Dovecot and Postfix of the test instance) and browser tests (headless Chromium).
# Needs root on the first run (it installs what is missing). Extra arguments go to pytest.
#   deploy/test.sh --unit [pytest arguments]   only the unit tests: no Redis, Postgres, mail stack or root
set -euo pipefail
. "$(dirname "$0")/lib.sh"

if [ "${1:-}" = --unit ]; then
  shift
  ensure_venv dev
  say "unit tests (no Redis, Postgres or mail stack)"
  cd "$ROOST_ROOT"
  DJANGO_SETTINGS_MODULE=config.settings.test exec "$VENV/bin/pytest" -m unit "$@"
fi

require_root

install_system_packages chromium
ensure_postgres
ensure_env_file
ensure_redis
ensure_db_roles
ensure_venv dev
ensure_npm

set -a
ROOST_DB_USER=roost
DJANGO_SETTINGS_MODULE=config.settings.test
set +a
cd "$ROOST_ROOT"

say "ruff"
"$VENV/bin/ruff" check .
"$VENV/bin/ruff" format --check .
say "mypy"
"$VENV/bin/mypy"
say "import contracts"
"$VENV/bin/lint-imports"
say "migrations are complete"
manage makemigrations --check --dry-run >/dev/null || die "a model change has no migration: run manage.py makemigrations"

# A clean test database every run, migrated before the test mail stack connects to it (the stack is
# stopped first: its servers hold connections to the old one).
python3 deploy/stack.py stop --instance test
psql_admin -c "DROP DATABASE IF EXISTS roost_test WITH (FORCE)" >/dev/null
ensure_database roost_test
ROOST_DB_NAME=roost_test manage migrate --noinput >/dev/null
python3 deploy/stack.py start --instance test

say "pytest"
mkdir -p test-output
"$VENV/bin/pytest" "$@"
