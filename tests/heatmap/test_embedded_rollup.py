"""The incremental rollup on the embedded default of `make run` (SQLite, no PostgreSQL): after random service
calls, rolled up as they happen (inline, and a big batch through the queue), every level equals a full rebuild
in Python, row by row; a small change is rolled up in milliseconds. The PostgreSQL side of the same check is
`test_rollup.test_incremental_rollup_equals_group_by_after_random_service_calls`.

The test suite runs on PostgreSQL, so the check runs in a process of its own: this module run as a script
(`python -m tests.heatmap.test_embedded_rollup`) with no DATABASE_URL and a temporary VAR_DIR. It prints one
JSON object."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_incremental_rollup_on_sqlite_equals_a_full_rebuild(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE")}
    # Eager tasks: a batch too big to roll up inline goes through the queue's task in this process.
    env.update(VAR_DIR=str(tmp_path), DEBUG="1", PYTHONPATH=str(ROOT), CELERY_TASK_ALWAYS_EAGER="1")
    done = subprocess.run([sys.executable, "-m", "tests.heatmap.test_embedded_rollup"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=600)  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    assert (tmp_path / "cur.sqlite3").exists()  # it did run on SQLite
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["vendor"] == "sqlite"
    assert result["queued_before_batch"] == []  # a change of one appeal is rolled up inline
    assert result["queued_batch"] > 200  # the sweep's batch went through the queue's task
    assert result["levels_differing_from_rebuild"] == {}
    assert result["cells_equal_group_by"] and result["months_equal_cells"]
    assert result["range_rebuild_restored_drift"]
    assert all(result["rows"].values()), result["rows"]  # every level has rows: the comparison compared something
    assert result["refresh_ms_median"] < 50, result["refresh_ms_median"]


# --- the process of its own --------------------------------------------------------------------------------


def _snapshot() -> dict[str, set]:
    """Every row of the footprints and of every level, without ids, as sets."""
    from heatmap.models import HeatFootprint
    from heatmap.rollup import LEVELS

    tables = {level.table: level.model for level in LEVELS} | {"footprints": HeatFootprint}
    snapshot = {}
    for name, model in tables.items():
        fields = [f.attname for f in model._meta.concrete_fields if f.attname != "id"]
        rows = list(model.objects.values_list(*fields))
        assert len(rows) == len(set(rows)), f"{name}: the same key twice"  # no NULL key split into two rows
        snapshot[name] = set(rows)
    return snapshot


def _differences(before: dict[str, set], after: dict[str, set]) -> dict[str, dict]:
    return {name: {"incremental_only": [str(r) for r in list(before[name] - after[name])[:3]],
                   "rebuild_only": [str(r) for r in list(after[name] - before[name])[:3]]}
            for name in before if before[name] != after[name]}  # fmt: skip


def _refresh_ms(world, rng) -> float:
    """Median milliseconds of rolling up one appeal whose key changed (every level: one key down, one up);
    each change rolled back after it."""
    import statistics
    import time

    from django.db import transaction

    from appeals.models import Appeal
    from heatmap import rollup

    class Undo(Exception):
        pass

    ids = list(Appeal.objects.exclude(status=Appeal.Status.REJECTED).values_list("id", flat=True))
    times = []
    for _ in range(15):
        pk = rng.choice(ids)
        try:
            with transaction.atomic():
                Appeal.objects.filter(pk=pk).update(territory=rng.choice(world.districts), channel="email")
                started = time.perf_counter()
                rollup.refresh_appeals([pk], wait=False)
                times.append((time.perf_counter() - started) * 1000)
                raise Undo
        except Undo:
            pass
    return statistics.median(times[3:])


def main() -> None:
    import datetime
    import random

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cur.settings")
    django.setup()

    from celery.signals import task_prerun
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.db.models import F
    from django.utils import timezone

    from appeals.models import Appeal
    from appeals.services import assign_appeal
    from appeals.workflow.sweep import sweep_deadlines
    from heatmap import rollup
    from heatmap.models import HeatAreaDay, HeatCellMonth, HeatFootprint

    from .reference import actual_cells, actual_months, expected_cells, months_from_cells
    from .test_rollup import _step
    from .world import Clock, build_world, register

    queued_ids = []  # the ids each run of the rollup's queued task took (eager: run in this process)

    def on_task(sender=None, args=(), **kwargs):
        if sender is not None and sender.name == "heatmap.tasks.refresh_appeals":
            queued_ids.append(len(args[0]))

    task_prerun.connect(on_task, weak=False)
    call_command("migrate", verbosity=0)
    clock = Clock()
    timezone.now = clock  # the services, auto_now fields and the rollup's «today» read it (as the fixture)
    world = build_world()
    rng = random.Random(7)
    territories = [*world.districts, world.settlement, None]

    def new_appeal() -> Appeal:  # on every territory, a settlement and none included
        return register(world, territory=rng.choice(territories), block=rng.choice(["health", "waste"]),
                        topic=rng.randint(0, 2), channel=rng.choice(Appeal.Channel.values))  # fmt: skip

    # Given appeals registered over two weeks
    appeals = []
    for _ in range(40):
        clock.advance(hours=rng.randint(1, 14))
        appeals.append(new_appeal())
    # When the services move them around for weeks (new appeals coming too), the sweep marking the late ones;
    # every call commits on its own and rolls up on commit, as in a request
    for step in range(400):
        clock.advance(hours=rng.randint(0, 30))
        if step % 10 == 0:
            appeals.append(new_appeal())
        appeal = Appeal.objects.select_related("sector_block").get(pk=rng.choice(appeals).pk)
        _step(rng, world, appeal)
        if step % 25 == 24:
            sweep_deadlines(clock.now)
    # And a batch too big to roll up inline: 220 appeals assigned, then marked overdue by one sweep
    batch = []
    for _ in range(220):
        clock.advance(minutes=rng.randint(1, 20))
        appeal = new_appeal()
        assign_appeal(appeal, organisation=world.organisations[appeal.sector_block.code], by=world.operator)
        batch.append(appeal.pk)
    assigned = Appeal.objects.filter(pk__in=batch, status=Appeal.Status.ASSIGNED).count()
    clock.advance(days=40)
    inline = len(queued_ids)
    sweep_deadlines(clock.now)
    overdue = HeatFootprint.objects.filter(appeal_id__in=batch, overdue=True).count()
    assert assigned > 200 and overdue == assigned, (assigned, overdue)

    incremental = _snapshot()
    cells_equal = actual_cells() == expected_cells()
    months_equal = actual_months() == months_from_cells()
    # A range rebuild of the last two months restores drifted rows of its days and months, and changes nothing else
    since = clock.today() - datetime.timedelta(days=60)
    drifted = [HeatAreaDay.objects.filter(day__gte=since).update(received=F("received") + 5),
               HeatCellMonth.objects.filter(month__gte=since.replace(day=1)).update(open=F("open") + 1)]  # fmt: skip
    with transaction.atomic():
        rollup.rebuild_range(since, clock.today())
    range_same = all(drifted) and _snapshot() == incremental
    # Then a full rebuild from the appeals table gives the same rows in every table
    rollup.rebuild_python()
    rebuilt = _snapshot()
    result = {
        "vendor": connection.vendor,
        "queued_before_batch": queued_ids[:inline],
        "queued_batch": sum(queued_ids[inline:]),
        "levels_differing_from_rebuild": _differences(incremental, rebuilt),
        "cells_equal_group_by": cells_equal,
        "months_equal_cells": months_equal,
        "range_rebuild_restored_drift": range_same,
        "drifted_rows": drifted,
        "rows": {name: len(rows) for name, rows in incremental.items()},
        "refresh_ms_median": _refresh_ms(world, rng),
    }
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
