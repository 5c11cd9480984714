"""The heat map on the embedded default of `make run` (SQLite, no PostgreSQL): the rollup, the view of the
footprint days and the priorities' ranking SQL must run there too (DESIGN §5)."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_heat_map_pages_run_on_sqlite(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE")}
    env.update(VAR_DIR=str(tmp_path), DEBUG="1", PYTHONPATH=str(ROOT))
    done = subprocess.run([sys.executable, "-m", "tests.heatmap.sqlite_pages"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=600)  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    assert (tmp_path / "cur.sqlite3").exists()  # it did run on SQLite
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert set(result["status"].values()) == {200}, result["status"]
    ranked = result["priorities"]
    assert ranked and ranked == sorted(ranked, key=lambda r: (-r[0], -r[1]))
