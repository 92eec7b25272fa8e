#!/usr/bin/env bash
# Start, stop or show Roost's own processes: the web server (uvicorn, ASGI), the Celery worker and beat.
#   deploy/run.sh start|stop|restart|status
# Settings come from /etc/roost/roost.env (made by deploy/setup.sh) and the environment. Run it as root: it
# reads that file (mode 600) and starts the three processes as the unprivileged user $ROOST_USER (roost),
# handing them the settings through their environment and their logs as open files.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

RUN_DIR=/run/roost
APP_DIR=$RUN_DIR/app  # the only place the processes may write (beat's schedule)
LOG_DIR=/var/log/roost
PORT="${ROOST_PORT:-8000}"
[ -f "$ROOST_ENV_FILE" ] && { set -a; . "$ROOST_ENV_FILE"; set +a; }
set -a
ROOST_DB_NAME="${ROOST_DB_NAME:-roost}"; ROOST_DB_USER="${ROOST_DB_USER:-roost}"
ROOST_BASE_URL="${ROOST_BASE_URL:-http://127.0.0.1:$PORT}"
DJANGO_SETTINGS_MODULE=config.settings.base
[ -f /etc/roost/stack/stack.env ] && . /etc/roost/stack/stack.env
set +a

# uvicorn hands Django each request body as it arrives, so the size limit (core/bodylimit.py) refuses an
# oversized one unread; daphne read and parsed whole bodies in memory first (docs/deploy.md, "Request sizes").
# --no-proxy-headers: Roost alone decides whom to believe about the client (ROOST_TRUSTED_PROXIES). No lifespan
# protocol in Django; websockets through the websockets package.
UVICORN_OPTIONS="--no-proxy-headers --lifespan off --ws websockets-sansio"

declare -A COMMANDS=(
  [web]="$VENV/bin/uvicorn --host 127.0.0.1 --port $PORT $UVICORN_OPTIONS config.asgi:application"
  [worker]="$VENV/bin/celery -A config worker --loglevel INFO --concurrency 2"
  [beat]="$VENV/bin/celery -A config beat --loglevel INFO --schedule $APP_DIR/celerybeat-schedule"
)

alive() { [ -f "$RUN_DIR/$1.pid" ] && kill -0 "$(cat "$RUN_DIR/$1.pid")" 2>/dev/null; }

# What code a process was started from: after an update (git pull, then deploy/setup.sh again) a process
# still running the old code is restarted; an unchanged one is left alone.
code_revision() {
  (cd "$ROOST_ROOT" && { git rev-parse HEAD 2>/dev/null; git diff HEAD 2>/dev/null; } | sha256sum | cut -c1-16)
}

start_one() {
  if alive "$1"; then
    if [ "$(cat "$RUN_DIR/$1.revision" 2>/dev/null)" = "$(code_revision)" ]; then
      echo "$1: already running (pid $(cat "$RUN_DIR/$1.pid"))"; return
    fi
    echo "$1: the code changed since it started; restarting"
    stop_one "$1"
  fi
  cd "$ROOST_ROOT"
  code_revision > "$RUN_DIR/$1.revision"
  touch "$LOG_DIR/$1.log" && chmod 0640 "$LOG_DIR/$1.log"
  HOME="$APP_DIR" setsid setpriv --reuid="$ROOST_USER" --regid="$ROOST_USER" --init-groups -- \
    ${COMMANDS[$1]} >>"$LOG_DIR/$1.log" 2>&1 < /dev/null &
  echo $! > "$RUN_DIR/$1.pid"
  echo "$1: started as $ROOST_USER (pid $!), log $LOG_DIR/$1.log"
}

as_roost() { HOME="$APP_DIR" setpriv --reuid="$ROOST_USER" --regid="$ROOST_USER" --init-groups -- "$@"; }

# The unprivileged user must find the same Python and every module root finds: a virtual environment made
# from an interpreter under /root (pyenv, say) is unreadable to it, and Python then quietly falls back to
# another interpreter. Say so before starting anything.
check_runtime() {
  local probe='import sys; print(sys.version.split()[0], sys.base_prefix)' want got
  want="$("$VENV/bin/python" -c "$probe")"
  got="$(cd "$ROOST_ROOT" && as_roost "$VENV/bin/python" -c "$probe" 2>&1)" || true
  [ "$want" = "$got" ] || die "user $ROOST_USER cannot use $VENV's Python ($want; it gets: $got). Make the
  virtual environment from an interpreter every user can read (for example /usr/bin/python3 -m venv), or
  point ROOST_VENV at one."
  (cd "$ROOST_ROOT" && as_roost "$VENV/bin/python" manage.py check >/dev/null) \
    || die "Roost does not load as user $ROOST_USER (see the error above)"
}

# A process that still runs as root means setpriv did not take: stop rather than serve as root.
check_users() {
  local p user
  for p in web worker beat; do
    alive "$p" || continue
    user="$(ps -o user= -p "$(cat "$RUN_DIR/$p.pid")" | tr -d ' ')"
    [ "$user" != root ] || { stop_all; die "$p runs as root; see $LOG_DIR/$p.log"; }
  done
}

stop_one() {
  alive "$1" || { rm -f "$RUN_DIR/$1.pid"; return; }
  local pid; pid="$(cat "$RUN_DIR/$1.pid")"
  kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid"
  for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
  kill -KILL -- "-$pid" 2>/dev/null || true
  rm -f "$RUN_DIR/$1.pid"; echo "$1: stopped"
}

wait_for_web() {
  for _ in $(seq 100); do port_open "$PORT" && return 0; alive web || break; sleep 0.2; done
  die "the web server did not start; see $LOG_DIR/web.log"
}

stop_all() { for p in beat worker web; do stop_one "$p"; done; }

[ "$(id -u)" = 0 ] || [ "${1:-start}" = status ] || die "run this as root; it starts Roost as the user $ROOST_USER"
id "$ROOST_USER" >/dev/null 2>&1 || [ "${1:-start}" = status ] || ensure_roost_user
mkdir -p "$RUN_DIR" "$LOG_DIR" "$APP_DIR"
chmod 0750 "$LOG_DIR"
[ "${1:-start}" = status ] || { chown "$ROOST_USER:$ROOST_USER" "$APP_DIR"; chmod 0700 "$APP_DIR"; }
case "${1:-start}" in
  start)
    manage roost_check || die "fix what roost_check names above, then run deploy/run.sh start again"
    manage collectstatic --noinput >/dev/null
    check_runtime
    for p in web worker beat; do start_one "$p"; done; wait_for_web; check_users ;;
  stop) stop_all ;;
  restart)
    stop_all
    manage migrate --noinput >/dev/null
    manage collectstatic --noinput >/dev/null
    check_runtime
    for p in web worker beat; do start_one "$p"; done; wait_for_web; check_users ;;
  status)
    for p in web worker beat; do
      if alive "$p"; then echo "$p: running as $(ps -o user= -p "$(cat "$RUN_DIR/$p.pid")" | tr -d ' ')"
      else echo "$p: stopped"; fi
    done ;;
  *) die "usage: deploy/run.sh start|stop|restart|status" ;;
esac
