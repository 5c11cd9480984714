"""Time the deadline sweep (appeals.workflow.sweep.sweep_deadlines) over the generated region.

Every measurement runs in a transaction that is rolled back, so the database is left as it was
and the figures repeat: nothing is committed, no notification e-mail is queued.

Scenarios:
- generated data, first sweep: the catch-up right after the load (reminders for every appeal
  due within the reminder window, overdue marks the generator left to the sweep);
- generated data, next sweep: the steady state, five minutes later — nothing new to do, so this
  is the cost of finding that out (the index range scans);
- --open-all: every appeal of the table open with its clock running, due dates spread from 20
  days ago to 30 days ahead, overdue marks, escalations and reminders set as a sweep a day
  earlier left them. Then: a sweep five minutes after that one (the steady state of a region with
  1M open appeals: the cost of the index scans), a sweep now (catching up a day without sweeps:
  a day's reminders, overdue marks and escalations), and one more five minutes later.
"""

import argparse
import datetime
import statistics
import time

from bench import n, print_table, require_postgresql, row, setup


class _Rollback(Exception):
    pass


def _in_rollback(fn):
    from django.db import transaction

    result = {}
    try:
        with transaction.atomic():
            result = fn()
            raise _Rollback
    except _Rollback:
        pass
    return result


def _sweep(now: datetime.datetime) -> tuple[float, dict]:
    from appeals.workflow.sweep import sweep_deadlines

    start = time.perf_counter()
    counts = sweep_deadlines(now)
    return time.perf_counter() - start, counts


def _counts() -> tuple[int, int]:
    from appeals.models import Appeal

    running = Appeal.objects.filter(status__in=Appeal.CLOCK_STATUSES, clock_paused_at=None).count()
    return Appeal.objects.count(), running


def generated(runs: int) -> list[tuple]:
    """The first and the next sweep over the data as generated, `runs` times each."""
    from django.utils import timezone

    firsts, nexts, counts = [], [], {}

    def once():
        now = timezone.now()
        first, c = _sweep(now)
        second, _ = _sweep(now + datetime.timedelta(minutes=5))
        firsts.append(first)
        nexts.append(second)
        counts.update(c)

    for _ in range(runs):
        _in_rollback(once)
    total, running = _counts()
    what = f"{n(total)} обращений, {n(running)} с идущим сроком"
    changes = ", ".join(f"{k} {v}" for k, v in counts.items())
    return [
        ("sweep: первый после загрузки", what, statistics.median(firsts), changes, total),
        ("sweep: следующий (ничего нового)", what, statistics.median(nexts), "—", total),
    ]


OPEN_ALL = """
UPDATE appeals_appeal SET
    status = 'in_progress', clock_paused_at = NULL, answered_at = NULL, closed_at = NULL,
    organisation_id = COALESCE(organisation_id, %(org)s), assigned_at = COALESCE(assigned_at, registered_at),
    due_at = d.due,
    overdue_at = CASE WHEN d.due < %(seen)s THEN d.due + interval '3 minutes' END,
    escalation_level = CASE WHEN d.due < %(seen)s::timestamptz - interval '3 days' THEN 2
                            WHEN d.due < %(seen)s THEN 1 ELSE 0 END
FROM (SELECT id, ((%(today)s::date + ((id * 7919) %% 51 - 20)::int) + time '23:59:59')
                 AT TIME ZONE 'Europe/Moscow' AS due FROM appeals_appeal) AS d
WHERE d.id = appeals_appeal.id
"""


def open_all() -> list[tuple]:
    """Every appeal open and running, as a sweep a day ago left them; three sweeps."""
    from django.db import connection
    from django.utils import timezone

    from appeals.workflow.deadlines import MOSCOW
    from appeals.workflow.sweep import insert_reminders, reminder_days
    from sectors.models import Organisation

    out = {}
    minutes = datetime.timedelta(minutes=5)

    def scenario():
        now = timezone.now()
        seen = now - datetime.timedelta(days=1)
        start = time.perf_counter()
        with connection.cursor() as cursor:
            org = Organisation.objects.values_list("pk", flat=True).first()
            cursor.execute(OPEN_ALL, {"org": org, "seen": seen, "today": now.astimezone(MOSCOW).date()})
            insert_reminders(seen, reminder_days())
            cursor.execute("ANALYZE appeals_appeal")
        out["setup"] = time.perf_counter() - start
        out["total"], out["running"] = _counts()
        out["steady"], _ = _sweep(seen + minutes)
        out["catch_up"], out["counts"] = _sweep(now)
        out["again"], _ = _sweep(now + minutes)

    _in_rollback(scenario)
    with connection.cursor() as cursor:  # the rolled-back UPDATE left a dead version of every row
        cursor.execute("VACUUM (ANALYZE) appeals_appeal")
    what = f"{n(out['total'])} обращений, {n(out['running'])} с идущим сроком"
    changes = ", ".join(f"{k} {v}" for k, v in out["counts"].items())
    total = out["total"]
    return [
        ("sweep: все открыты, через 5 мин", what, out["steady"], f"(подготовка {out['setup']:.0f} с)", total),
        ("sweep: все открыты, сутки без sweep", what, out["catch_up"], changes, total),
        ("sweep: все открыты, ещё через 5 мин", what, out["again"], "—", total),
    ]


HEADER = ("замер", "данные", "время", "изменения")


def measure(*, runs: int = 3, open_all_appeals: bool = False) -> list[tuple]:
    """(case, data, seconds, changes, appeals) per scenario."""
    rows = generated(runs)
    if open_all_appeals:
        rows += open_all()
    return rows


def run(*, runs: int = 3, open_all_appeals: bool = False) -> list[tuple]:
    """This module's own table: (case, data, time, changes)."""
    return [(case, data, f"{seconds:.3f} с", changes) for case, data, seconds, changes, _ in
            measure(runs=runs, open_all_appeals=open_all_appeals)]  # fmt: skip


def table_rows(*, runs: int = 3, open_all_appeals: bool = False) -> list[tuple]:
    """Rows of the common table (python -m bench)."""
    measured = measure(runs=runs, open_all_appeals=open_all_appeals)
    return [row("sweep", case.removeprefix("sweep: "), seconds=seconds, rows=total, note=f"{data}; {changes}")
            for case, data, seconds, changes, total in measured]  # fmt: skip


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.bench_sweep", description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--open-all", action="store_true", help="ещё и сценарий «все обращения открыты»")
    args = parser.parse_args(argv)
    setup()
    require_postgresql()
    print_table(run(runs=args.runs, open_all_appeals=args.open_all), HEADER)


if __name__ == "__main__":
    main()
