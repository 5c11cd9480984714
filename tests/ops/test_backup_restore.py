"""The restore drill of docs/deployment.md on a small database: migrate and seed a temporary
database on the test PostgreSQL server, back it up with scripts/backup.sh, restore it into another
temporary database with scripts/restore.sh, compare. Both databases are dropped at the end."""

import os
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest

ROOT = Path(__file__).resolve().parents[2]
SEED = r"""
from django.utils import timezone
from appeals.models import Appeal, AppealEvent, Topic
from cur.models import User
from sectors.models import Organisation, SectorBlock, Territory

region = Territory.objects.create(name="Рязанская область", kind="region", oktmo="61000000")
district = Territory.objects.create(
    name="Касимовский район", kind="municipal_district", oktmo="61608000", parent=region
)
org = Organisation.objects.create(name="Минздрав Рязанской области", kind="ministry", territory=region)
org.sector_blocks.add(SectorBlock.objects.get(code="health"))
SectorBlock.objects.create(code="drill", name="Учебный блок", is_mandatory=False)
operator = User.objects.create_user("drill-operator", role="operator")
topic = Topic.objects.filter(sector_block__code="health").first()
now = timezone.now()
for i in range(25):
    appeal = Appeal.objects.create(
        channel="pos", external_id=f"drill-{i}", received_at=now, registered_at=now,
        text=f"Обращение № {i}: «кавычки», ёлка, табуляция\tи перевод\nстроки",
        applicant_name="Смирнов Пётр", applicant_phone="+7 910 000-00-%02d" % i, territory=district,
        sector_block=topic.sector_block, topic=topic, organisation=org, status="assigned" if i % 2 else "new",
    )
    AppealEvent.objects.create(appeal=appeal, kind="registered", actor=operator, changes={"channel": "pos"})
"""


def server_url(database: str) -> str:
    parts = urlsplit(os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/cur"))
    return urlunsplit(parts._replace(path=f"/{database}"))


def admin_connection() -> psycopg.Connection:
    return psycopg.connect(server_url("postgres"), autocommit=True)


def counts(url: str) -> dict[str, int]:
    with psycopg.connect(url) as conn:
        tables = [r[0] for r in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")]
        return {t: conn.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in sorted(tables)}  # noqa: S608


def sample_appeal(url: str) -> tuple:
    with psycopg.connect(url) as conn:
        return conn.execute("SELECT * FROM appeals_appeal WHERE external_id = 'drill-7'").fetchone()


def aged_dump(folder: Path, name: str, days: int) -> Path:
    path = folder / name
    path.write_bytes(b"")
    then = time.time() - days * 86_400
    os.utime(path, (then, then))
    return path


def run(*args: str, env: dict) -> subprocess.CompletedProcess:
    result = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, f"{args}\n{result.stdout}\n{result.stderr}"
    return result


@pytest.mark.skipif(not shutil.which("pg_dump") or not shutil.which("pg_restore"), reason="нет pg_dump/pg_restore")
def test_a_backup_restores_into_an_empty_database_with_every_row(tmp_path):
    source_db, target_db = f"cur_drill_{uuid.uuid4().hex[:8]}", None
    target_db = f"{source_db}_restored"
    source, target = server_url(source_db), server_url(target_db)
    # REDIS_URL as inherited: cur.settings_test picks this xdist worker's Redis database from it again.
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "cur.settings_test", "DATABASE_URL": source,
           "PY": sys.executable, "BACKUP_DIR": str(tmp_path), "BACKUP_KEEP_DAYS": "7"}  # fmt: skip
    old = aged_dump(tmp_path, "cur-20200101-000000.dump", 20)
    recent = aged_dump(tmp_path, "cur-20991231-000000.dump", 2)
    with admin_connection() as conn:
        conn.execute(f'CREATE DATABASE "{source_db}"')
        conn.execute(f'CREATE DATABASE "{target_db}"')
    try:
        run(sys.executable, "manage.py", "migrate", "--noinput", "-v0", env=env)
        run(sys.executable, "manage.py", "shell", "-c", SEED, env=env)
        started = time.monotonic()

        dump = Path(run("bash", "scripts/backup.sh", env=env).stdout.strip())
        backed_up = time.monotonic()
        report = run("bash", "scripts/restore.sh", str(dump), target, env=env).stdout
        restored = time.monotonic()

        print(f"\nучения: резервная копия {backed_up - started:.1f} с ({dump.stat().st_size} байт), "
              f"восстановление с проверками {restored - backed_up:.1f} с")  # fmt: skip
        assert dump.parent == tmp_path and dump.name.startswith("cur-") and dump.suffix == ".dump"
        assert sorted(p.name for p in tmp_path.iterdir()) == sorted([dump.name, recent.name])  # kept 7 days
        assert not old.exists()
        assert "РАСХОЖДЕНИЕ" not in report
        assert "appeals_appeal" in report
        source_counts = counts(source)
        assert source_counts["appeals_appeal"] == 25 and source_counts["appeals_appealevent"] == 25
        assert counts(target) == source_counts
        assert sample_appeal(target) == sample_appeal(source)

        # A second restore into the now full database is refused: never over live data.
        again = subprocess.run(["bash", "scripts/restore.sh", str(dump), target], cwd=ROOT, env=env,
                               capture_output=True, text=True, timeout=120)  # fmt: skip
        assert again.returncode == 3
        assert "только в пустую базу" in again.stderr
    finally:
        with admin_connection() as conn:
            for name in (source_db, target_db):
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_a_failed_backup_fails_loudly_and_removes_nothing(tmp_path):
    old = aged_dump(tmp_path, "cur-20200101-000000.dump", 20)
    env = {**os.environ, "DATABASE_URL": server_url("cur_no_such_db_" + uuid.uuid4().hex[:6]), "BACKUP_KEEP_DAYS": "7"}

    failed = subprocess.run(["bash", "scripts/backup.sh", str(tmp_path)], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=60)  # fmt: skip

    assert failed.returncode != 0
    assert [p.name for p in tmp_path.iterdir()] == [old.name]  # no partial file, the old dump still there
