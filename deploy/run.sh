#!/usr/bin/env bash
# Start, stop or show Roost's own processes: the web server (daphne, ASGI), the Celery worker and beat.
#   deploy/run.sh start|stop|restart|status
# Settings come from /etc/roost/roost.env (made by deploy/setup.sh) and the environment.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

RUN_DIR=/run/roost
LOG_DIR=/var/log/roost
PORT="${ROOST_PORT:-8000}"
[ -f "$ROOST_ENV_FILE" ] && { set -a; . "$ROOST_ENV_FILE"; set +a; }
set -a
ROOST_DB_NAME="${ROOST_DB_NAME:-roost}"; ROOST_DB_USER="${ROOST_DB_USER:-roost}"
ROOST_BASE_URL="${ROOST_BASE_URL:-http://127.0.0.1:$PORT}"
DJANGO_SETTINGS_MODULE=config.settings.base
[ -f /etc/roost/stack/stack.env ] && . /etc/roost/stack/stack.env
set +a

declare -A COMMANDS=(
  [web]="$VENV/bin/daphne -b 127.0.0.1 -p $PORT config.asgi:application"
  [worker]="$VENV/bin/celery -A config worker --loglevel INFO --concurrency 2"
  [beat]="$VENV/bin/celery -A config beat --loglevel INFO --schedule $RUN_DIR/celerybeat-schedule"
)

alive() { [ -f "$RUN_DIR/$1.pid" ] && kill -0 "$(cat "$RUN_DIR/$1.pid")" 2>/dev/null; }

start_one() {
  if alive "$1"; then echo "$1: already running (pid $(cat "$RUN_DIR/$1.pid"))"; return; fi
  cd "$ROOST_ROOT"
  setsid ${COMMANDS[$1]} >>"$LOG_DIR/$1.log" 2>&1 < /dev/null &
  echo $! > "$RUN_DIR/$1.pid"
  echo "$1: started (pid $!), log $LOG_DIR/$1.log"
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

mkdir -p "$RUN_DIR" "$LOG_DIR"
case "${1:-start}" in
  start)
    manage roost_check || die "fix what roost_check names above, then run deploy/run.sh start again"
    manage collectstatic --noinput >/dev/null
    for p in web worker beat; do start_one "$p"; done; wait_for_web ;;
  stop) for p in beat worker web; do stop_one "$p"; done ;;
  restart)
    for p in beat worker web; do stop_one "$p"; done
    manage migrate --noinput >/dev/null
    manage collectstatic --noinput >/dev/null
    for p in web worker beat; do start_one "$p"; done; wait_for_web ;;
  status) for p in web worker beat; do if alive "$p"; then echo "$p: running"; else echo "$p: stopped"; fi; done ;;
  *) die "usage: deploy/run.sh start|stop|restart|status" ;;
esac
