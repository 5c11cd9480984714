#!/usr/bin/env bash
# Starts the Celery worker and beat in the background and the web server in the
# foreground; Ctrl-C (or TERM) stops all three.
set -euo pipefail
PY=${PY:-.venv/bin/python}
CELERY="$(dirname "$PY")/celery"
mkdir -p var

"$CELERY" -A cur worker --loglevel=INFO --concurrency=2 &
worker=$!
"$CELERY" -A cur beat --loglevel=INFO --pidfile= &
beat=$!

stop() {
  trap - INT TERM EXIT
  kill -TERM "$worker" "$beat" 2>/dev/null || true
  wait "$worker" "$beat" 2>/dev/null || true
}
trap stop INT TERM EXIT

echo "ЦУР: http://127.0.0.1:8000/ (Ctrl-C — остановить)"
"$PY" manage.py runserver 127.0.0.1:8000 --noreload
