#!/usr/bin/env bash
# `make run`: migrations, static files, the demo region (loaded once per database), then the Celery
# worker and beat in the background and the web server in the foreground; Ctrl-C (or TERM) stops all three.
set -euo pipefail
PY=${PY:-.venv/bin/python}
CELERY="$(dirname "$PY")/celery"
PORT=${PORT:-8000}
HOST=${HOST:-127.0.0.1}
export DEBUG=${DEBUG:-1}

# Before anything slow: a taken port should be said at once, with the way out.
if ! "$PY" - "$HOST" "$PORT" <<'EOF'
import socket, sys
host, port = sys.argv[1], sys.argv[2]
if not port.isdigit() or not 0 < int(port) < 65536:
    sys.exit(f"PORT={port}: номер порта — целое число от 1 до 65535, например make run PORT=8001")
with socket.socket() as s:
    try:
        s.bind((host, int(port)))
    except OSError:
        sys.exit(f"Порт {port} на {host} уже занят другой программой. Запустите на другом порту: make run PORT={int(port) + 1}")
EOF
then
  exit 1
fi

"$PY" manage.py prepare_run

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

echo "ЦУР: http://$HOST:$PORT/ (Ctrl-C — остановить)"
"$PY" manage.py runserver "$HOST:$PORT" --noreload
