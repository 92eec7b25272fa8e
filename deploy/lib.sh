# Shared steps of deploy/setup.sh and deploy/test.sh. Each step checks first and changes only what is
# missing, so running a script again changes nothing that works. Source this file; it defines functions.

ROOST_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ROOST_ENV_FILE="${ROOST_ENV_FILE:-/etc/roost/roost.env}"
VENV="${ROOST_VENV:-$ROOST_ROOT/.venv}"

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }
die() { printf 'roost: %s\n' "$*" >&2; exit 1; }

require_root() {
  [ "$(id -u)" = 0 ] || die "run this as root (it installs packages and configures Dovecot and Postfix)"
}

APT_UPDATED=0
apt_install() {
  local missing=()
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  say "installing Debian packages: ${missing[*]}"
  if [ "$APT_UPDATED" = 0 ]; then apt-get update -qq || die "apt-get update failed"; APT_UPDATED=1; fi
  echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
  # Roost starts its own Dovecot and Postfix instances; keep the packages from starting the stock ones.
  printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" \
    || { rm -f /usr/sbin/policy-rc.d; die "installing ${missing[*]} failed"; }
  rm -f /usr/sbin/policy-rc.d
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

install_system_packages() {
  apt_install ca-certificates python3 python3-venv python3-dev gcc postgresql-client \
    dovecot-imapd dovecot-lmtpd dovecot-pgsql dovecot-sieve dovecot-managesieved postfix postfix-pgsql "$@"
}

ensure_postgres() {
  if port_open 5432; then return 0; fi
  if ! ls /etc/postgresql/*/main >/dev/null 2>&1; then apt_install postgresql; fi
  say "starting Postgres"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | sort -V | tail -n 1)" main start \
    || die "Postgres did not start; see /var/log/postgresql/"
  for _ in $(seq 50); do port_open 5432 && return 0; sleep 0.2; done
  die "Postgres is not answering on 127.0.0.1:5432"
}

# A Redis that runs already is used as it is (roost_check warns when it has no password; put credentials in
# ROOST_REDIS_URL). One started here gets a password, kept in $ROOST_ENV_FILE with the URL that carries it.
ensure_redis() {
  if port_open 6379; then return 0; fi
  command -v redis-server >/dev/null || apt_install redis-server
  say "starting Redis with a password"
  grep -q '^ROOST_REDIS_PASSWORD=' "$ROOST_ENV_FILE" \
    || echo "ROOST_REDIS_PASSWORD=$(python3 -c 'import secrets; print(secrets.token_hex(24))')" >> "$ROOST_ENV_FILE"
  set -a; . "$ROOST_ENV_FILE"; set +a
  grep -q '^ROOST_REDIS_URL=' "$ROOST_ENV_FILE" \
    || echo "ROOST_REDIS_URL=redis://:$ROOST_REDIS_PASSWORD@127.0.0.1:6379/0" >> "$ROOST_ENV_FILE"
  set -a; . "$ROOST_ENV_FILE"; set +a
  mkdir -p /var/lib/redis /var/log/redis
  # The password reaches Redis as configuration on stdin: on the command line ps would show it to anyone.
  printf 'requirepass %s\n' "$ROOST_REDIS_PASSWORD" | redis-server - --daemonize yes --bind 127.0.0.1 --port 6379 \
    --save "" --appendonly no --dir /var/lib/redis --logfile /var/log/redis/roost.log || die "Redis did not start"
  for _ in $(seq 50); do port_open 6379 && return 0; sleep 0.2; done
  die "Redis is not answering on 127.0.0.1:6379"
}

# Roost's web server, worker and beat run as this unprivileged system user (deploy/run.sh). It owns nothing
# but its scratch directory: the code and static files are world-readable, the settings reach it through
# the environment that run.sh (root) reads from $ROOST_ENV_FILE, and its logs are opened for it by run.sh.
ROOST_USER="${ROOST_USER:-roost}"
ensure_roost_user() {
  id "$ROOST_USER" >/dev/null 2>&1 && return 0
  say "creating the system user $ROOST_USER"
  useradd --system --user-group --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin "$ROOST_USER" \
    || die "cannot create the system user $ROOST_USER"
}

# Secrets are made once and kept in $ROOST_ENV_FILE (mode 600), never in the repository.
ensure_env_file() {
  mkdir -p "$(dirname "$ROOST_ENV_FILE")"
  touch "$ROOST_ENV_FILE" && chmod 600 "$ROOST_ENV_FILE"
  local key value
  for key in ROOST_SECRET_KEY ROOST_DB_PASSWORD ROOST_MAIL_DB_PASSWORD ROOST_DOVECOT_MASTER_PASSWORD ROOST_DEMO_PASSWORD; do
    grep -q "^$key=" "$ROOST_ENV_FILE" && continue
    if [ "$key" = ROOST_DEMO_PASSWORD ] && [ -n "${ROOST_DEMO_PASSWORD:-}" ]; then
      value="$ROOST_DEMO_PASSWORD"
    else
      value="$(python3 -c 'import secrets; print(secrets.token_urlsafe(18 if __import__("sys").argv[1] == "ROOST_DEMO_PASSWORD" else 36))' "$key")"
    fi
    echo "$key=$value" >> "$ROOST_ENV_FILE"
  done
  set -a; . "$ROOST_ENV_FILE"; set +a
}

psql_admin() {
  if id postgres >/dev/null 2>&1; then runuser -u postgres -- psql -v ON_ERROR_STOP=1 -tAq "$@"
  else psql -h 127.0.0.1 -U postgres -v ON_ERROR_STOP=1 -tAq "$@"; fi
}

# roost owns the databases (and may create the test database); roost_mail only reads the directory views.
ensure_db_roles() {
  psql_admin -c "DO \$\$ BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'roost') THEN CREATE ROLE roost LOGIN CREATEDB; END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'roost_mail') THEN CREATE ROLE roost_mail LOGIN; END IF;
  END \$\$;" || die "cannot create the database roles (is Postgres running?)"
  psql_admin -c "ALTER ROLE roost PASSWORD '$ROOST_DB_PASSWORD'; ALTER ROLE roost_mail PASSWORD '$ROOST_MAIL_DB_PASSWORD';" >/dev/null
}

ensure_database() {
  local name="$1"
  if [ "$(psql_admin -c "SELECT 1 FROM pg_database WHERE datname = '$name'")" != 1 ]; then
    say "creating database $name"
    psql_admin -c "CREATE DATABASE \"$name\" OWNER roost" >/dev/null
  fi
}

# Python packages come from the lock files (requirements/base.txt, and requirements/dev.txt for the test
# tools), every one pinned and checked against its hash; `python3 deploy/lock.py` makes them from
# pyproject.toml. The virtual environment is refreshed only when the lock file changes.
# The environment is made from Debian's /usr/bin/python3 (installed above), not whatever python3 comes
# first on root's PATH: the web server, worker and beat run as the unprivileged roost user, who cannot read
# an interpreter kept under /root (pyenv, say). One made from another interpreter is made again.
VENV_PYTHON=/usr/bin/python3
ensure_venv() {
  local kind="${1:-base}" lock stamp_base stamp_dev
  python3 "$ROOST_ROOT/deploy/lock.py" --check || exit 1
  if [ -x "$VENV_PYTHON" ] && [ -f "$VENV/pyvenv.cfg" ] \
     && ! grep -qx "home = $(dirname "$VENV_PYTHON")" "$VENV/pyvenv.cfg"; then
    say "making .venv again from $VENV_PYTHON (it was made from another interpreter)"
    rm -rf "$VENV"
  fi
  stamp_base="$VENV/.roost-lock-base-$(sha256sum "$ROOST_ROOT/requirements/base.txt" | cut -c1-16)"
  stamp_dev="$VENV/.roost-lock-dev-$(sha256sum "$ROOST_ROOT/requirements/dev.txt" | cut -c1-16)"
  # dev.txt holds every pin of base.txt, so an environment made from it serves both.
  [ -f "$stamp_dev" ] && return 0
  [ "$kind" = base ] && [ -f "$stamp_base" ] && return 0
  lock="$ROOST_ROOT/requirements/$kind.txt"
  say "installing Python packages into .venv from requirements/$kind.txt"
  if [ ! -x "$VENV/bin/python" ]; then
    if [ -x "$VENV_PYTHON" ]; then "$VENV_PYTHON" -m venv "$VENV"; else python3 -m venv "$VENV"; fi \
      || die "cannot create $VENV (is python3-venv installed?)"
  fi
  "$VENV/bin/pip" install -q --require-hashes -r "$lock" || die "pip install -r requirements/$kind.txt failed"
  rm -f "$VENV"/.roost-lock-*
  if [ "$kind" = dev ]; then touch "$stamp_dev"; else touch "$stamp_base"; fi
}

# Front-end libraries come from the npm registry at setup time and are copied into static/vendor/
# (gitignored); package-lock.json pins them. Done again only when the lock file changes.
ensure_npm() {
  [ -f "$ROOST_ROOT/package.json" ] || return 0
  command -v npm >/dev/null || apt_install npm
  local stamp="$ROOST_ROOT/static/vendor/.lock-$(sha256sum "$ROOST_ROOT/package-lock.json" | cut -c1-16)"
  [ -f "$stamp" ] && return 0
  say "installing front-end packages from npm"
  (cd "$ROOST_ROOT" && npm ci --no-audit --no-fund --silent) || die "npm ci failed"
  rm -rf "$ROOST_ROOT/static/vendor" && mkdir -p "$ROOST_ROOT/static/vendor/trix"
  cp "$ROOST_ROOT/node_modules/trix/dist/trix.umd.min.js" "$ROOST_ROOT/node_modules/trix/dist/trix.css" \
    "$ROOST_ROOT/static/vendor/trix/" || die "copying the editor into static/vendor failed"
  mkdir -p "$ROOST_ROOT/static/vendor/fullcalendar"
  cp "$ROOST_ROOT/node_modules/fullcalendar/index.global.min.js" "$ROOST_ROOT/static/vendor/fullcalendar/" \
    || die "copying the calendar component into static/vendor failed"
  touch "$stamp"
}

manage() { (cd "$ROOST_ROOT" && "$VENV/bin/python" manage.py "$@"); }
