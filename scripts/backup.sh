#!/usr/bin/env bash
# A backup of the ЦУР database: pg_dump in the custom format (compressed, restorable table by
# table and in parallel) into BACKUP_DIR, keeping BACKUP_KEEP_DAYS days. docs/deployment.md.
#
#   DATABASE_URL=postgres://cur:…@db:5432/cur scripts/backup.sh [BACKUP_DIR]
#
# Environment: DATABASE_URL (required), BACKUP_DIR (default var/backups), BACKUP_KEEP_DAYS (14).
# Prints the path of the new file. Exit status ≠ 0 on any failure (cron mails it, monitoring sees it).
set -euo pipefail

: "${DATABASE_URL:?Задайте DATABASE_URL}"
dir=${1:-${BACKUP_DIR:-var/backups}}
keep_days=${BACKUP_KEEP_DAYS:-14}
mkdir -p "$dir"

name="cur-$(date -u +%Y%m%d-%H%M%S).dump"
partial="$dir/.$name.partial"
trap 'rm -f "$partial"' EXIT

# One consistent snapshot of the whole database; the web and workers keep writing meanwhile.
pg_dump --format=custom --compress=6 --no-owner --no-privileges --file="$partial" "$DATABASE_URL"
# A file pg_restore cannot read is no backup: check its table of contents before keeping it.
pg_restore --list "$partial" >/dev/null
mv "$partial" "$dir/$name"

# Older dumps go; the newest one always stays, whatever its age.
find "$dir" -maxdepth 1 -name 'cur-*.dump' -type f -mtime +"$keep_days" ! -name "$name" -delete

echo "$dir/$name"
