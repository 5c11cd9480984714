#!/usr/bin/env bash
# Restores a dump of scripts/backup.sh into an EMPTY database and checks the result: every
# migration of the code is applied (`manage.py migrate --check`) and the key tables hold as many
# rows as the dump does. The restore drill of docs/deployment.md.
#
#   scripts/restore.sh DUMP_FILE TARGET_DATABASE_URL
#
# Environment: PY (Python with the project installed; default .venv/bin/python, else python),
# RESTORE_JOBS (parallel pg_restore jobs, default 2), CHECK_TABLES (tables whose rows are counted).
set -euo pipefail

dump=${1:?Использование: scripts/restore.sh ФАЙЛ_ДАМПА URL_ЦЕЛЕВОЙ_БАЗЫ}
target=${2:?Использование: scripts/restore.sh ФАЙЛ_ДАМПА URL_ЦЕЛЕВОЙ_БАЗЫ}
[[ -f "$dump" ]] || { echo "Нет файла $dump" >&2; exit 2; }
dump=$(realpath "$dump")
cd "$(dirname "$0")/.."  # manage.py
if [[ -z "${PY:-}" ]]; then
  if [[ -x .venv/bin/python ]]; then PY=.venv/bin/python; else PY=python; fi
fi
tables=${CHECK_TABLES:-"appeals_appeal appeals_appealevent cur_user cur_auditevent sectors_sectorblock sectors_territory sectors_organisation django_migrations"}

# Never over a live database: the target must have no tables yet.
existing=$(psql "$target" -X -A -t -v ON_ERROR_STOP=1 -c "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")
if [[ "$existing" != "0" ]]; then
  echo "В целевой базе уже есть таблицы ($existing): восстановление только в пустую базу." >&2
  exit 3
fi

started=$(date +%s)
pg_restore --no-owner --no-privileges --exit-on-error --jobs="${RESTORE_JOBS:-2}" --dbname="$target" "$dump"

# The code and the restored schema agree: no migration is missing (exit status 1 otherwise).
DATABASE_URL="$target" "$PY" manage.py migrate --check

# Row counts: what the dump holds (its COPY lines: one per row) against the restored tables.
failed=0
for table in $tables; do
  expected=$(pg_restore --data-only --table="$table" --file=- "$dump" \
    | awk '/^COPY /{copying=1; next} /^\\\.$/{copying=0} copying{n++} END{print n+0}')
  actual=$(psql "$target" -X -A -t -v ON_ERROR_STOP=1 -c "SELECT count(*) FROM \"$table\"")
  status=ok
  if [[ "$expected" != "$actual" ]]; then status="РАСХОЖДЕНИЕ"; failed=1; fi
  printf '%-28s в дампе %10s  восстановлено %10s  %s\n' "$table" "$expected" "$actual" "$status"
done
echo "Восстановлено за $(( $(date +%s) - started )) с."
exit "$failed"
