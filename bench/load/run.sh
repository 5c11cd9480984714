#!/usr/bin/env bash
# Load test of the web: gunicorn (2 × cores + 1 sync workers, DEBUG=0, static via whitenoise) and a
# Celery worker against DATABASE_URL, locust headless with 200 operators + 20 API sources, then the
# figures. Everything it starts is stopped on exit.
#
#   DATABASE_URL=postgres://postgres@127.0.0.1:5432/cur_bench REDIS_URL=redis://127.0.0.1:6379/4 \
#       bench/load/run.sh [RUN_TIME, default 4m]
set -euo pipefail
cd "$(dirname "$0")/../.."
: "${DATABASE_URL:?задайте DATABASE_URL — базу бенчмарков (python -m bench.generate)}"
: "${REDIS_URL:?задайте REDIS_URL — брокер Celery}"
RUN_TIME=${1:-4m}
PORT=${BENCH_LOAD_PORT:-8077}
CORES=$(nproc)
WORKERS=${BENCH_LOAD_WORKERS:-$((2 * CORES + 1))}
OUT=${BENCH_LOAD_OUT:-var/bench-load}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
rm -f "$OUT/login.json" "$OUT"/locust_*.csv
export DJANGO_SETTINGS_MODULE=bench.load.settings DEBUG=0 SECRET_KEY=${SECRET_KEY:-bench-load-$RANDOM$RANDOM$RANDOM}
export BENCH_STATIC_ROOT=${BENCH_STATIC_ROOT:-$OUT/static} BENCH_LOAD_SETUP=$OUT/setup.json BENCH_LOAD_RUN=run$(date +%s)
PY=.venv/bin/python

# Compressing plotly.js and the rest takes minutes on a busy machine: once per output directory.
[ -f "$BENCH_STATIC_ROOT/staticfiles.json" ] || $PY manage.py collectstatic --noinput -v0
$PY -m bench.load.prepare "$BENCH_LOAD_SETUP"

.venv/bin/gunicorn cur.wsgi:application --bind "127.0.0.1:$PORT" --workers "$WORKERS" \
    --access-logfile "$OUT/access.log" --error-logfile "$OUT/gunicorn.log" &
web=$!
.venv/bin/celery -A cur worker --concurrency="$CORES" --loglevel=WARNING --logfile="$OUT/worker.log" &
worker=$!
sampler=
stop() {
  trap - EXIT INT TERM
  kill -TERM "$web" "$worker" $sampler 2>/dev/null || true
  wait "$web" "$worker" $sampler 2>/dev/null || true
}
trap stop EXIT INT TERM

for _ in $(seq 60); do
  curl -fsS -o /dev/null "http://127.0.0.1:$PORT/health/" && break
  sleep 1
done
(while sleep 10; do echo "$(date +%T) $(cut -d' ' -f1-3 /proc/loadavg)"; done) > "$OUT/loadavg.log" &
sampler=$!

echo "Нагрузка: gunicorn $WORKERS workers на 127.0.0.1:$PORT, Celery worker ×$CORES, locust 220 пользователей, $RUN_TIME"
started=$(date +%s.%N)
status=0
.venv/bin/locust -f bench/load/locustfile.py --headless -u 220 -r 20 --run-time "$RUN_TIME" --stop-timeout 10 \
    --host "http://127.0.0.1:$PORT" --csv "$OUT/locust" --only-summary > "$OUT/locust.log" 2>&1 || status=$?
finished=$(date +%s.%N)
sleep 20  # let the worker finish the last classification tasks before counting
$PY -m bench.load.summary "$OUT" "$BENCH_LOAD_RUN" "$(echo "$finished - $started" | bc)"
exit $status
