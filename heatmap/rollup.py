"""Maintenance of the heat map rollup: `HeatCell` (day × territory × block × topic × channel × executor),
`HeatMonth` (month × territory × block × channel) and the per-appeal `HeatFootprint`.

On which day each counter lands (days are calendar days in Moscow time, `settings.TIME_ZONE`):

- registration day (`registered_at`): received — every appeal that is not rejected; overdue — it missed
  its deadline: marked overdue by the deadline sweep (`overdue_at`, not lifted by an extension) or
  answered on a later day than its due day; rated — the applicant gave a score; dissatisfied — the
  score is 1–2; repeated — it is a repeat of an earlier appeal; open, open_overdue, escalated — it is
  open now (new … reopened), open and marked overdue, open with an escalation;
- answer day (`answered_at`): answered — the appeal has an answer that stands (a returned or reopened
  appeal's answer is withdrawn: it leaves the count); answered_on_time — answered no later than the due
  day (or without a due date); quality_checked — the operator rated the answer; on_merits — rated «по
  существу».

Rejected appeals (spam, duplicates, not in competence, no essence) count nowhere. Every counter is a
state of the appeal now, not a history of events, so a rebuild from the appeals table gives the same
numbers as the incremental updates (the tests assert it).

Incremental updates recompute whole keys, set-based: the (day, territory) pairs an appeal's counts
land on now and landed on at its last roll-up (kept in `HeatFootprint`) are deleted and inserted again
by one INSERT … SELECT … GROUP BY over the appeals of those pairs, then the months of those pairs are
summed again from the cells. One transaction-level advisory lock serialises all writers, so two
updates of one pair never interleave their DELETE and INSERT.
"""

import datetime
import logging
from collections.abc import Iterable
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction

from appeals.models import Appeal

from .models import COUNTERS, HeatCell, HeatFootprint, HeatMonth

log = logging.getLogger(__name__)

LOCK_KEY = 0x6865_6174  # «heat»: pg_advisory_xact_lock key of every rollup writer
DISSATISFIED_MAX_SCORE = 2  # as appeals.services: a score of 1–2 is dissatisfaction
KEY = "day, territory_id, sector_block_id, topic_id, channel, organisation_id"
SUMS = ", ".join(f'SUM("{c}")' for c in COUNTERS)
NAMES = ", ".join(f'"{c}"' for c in COUNTERS)

REG_COLUMNS = f"""(a.registered_at AT TIME ZONE %(tz)s)::date AS day, a.territory_id, a.sector_block_id,
    a.topic_id, a.channel, a.organisation_id,
    1 AS received, 0 AS answered, 0 AS answered_on_time, 0 AS quality_checked, 0 AS on_merits,
    (a.overdue_at IS NOT NULL OR (a.answered_at IS NOT NULL AND a.due_at IS NOT NULL
        AND (a.answered_at AT TIME ZONE %(tz)s)::date > (a.due_at AT TIME ZONE %(tz)s)::date))::int AS overdue,
    (a.satisfaction IS NOT NULL)::int AS rated,
    COALESCE(a.satisfaction <= {DISSATISFIED_MAX_SCORE}, false)::int AS dissatisfied,
    (a.repeat_of_id IS NOT NULL)::int AS repeated,
    (a.status = ANY(%(open)s))::int AS "open",
    (a.status = ANY(%(open)s) AND a.overdue_at IS NOT NULL)::int AS open_overdue,
    (a.status = ANY(%(open)s) AND a.escalation_level > 0)::int AS escalated"""
ANS_COLUMNS = """(a.answered_at AT TIME ZONE %(tz)s)::date AS day, a.territory_id, a.sector_block_id,
    a.topic_id, a.channel, a.organisation_id,
    0 AS received, 1 AS answered,
    (a.due_at IS NULL OR (a.answered_at AT TIME ZONE %(tz)s)::date
        <= (a.due_at AT TIME ZONE %(tz)s)::date)::int AS answered_on_time,
    (a.answer_quality <> '')::int AS quality_checked,
    (a.answer_quality = 'on_merits')::int AS on_merits,
    0, 0, 0, 0, 0, 0, 0"""
INSERT_CELLS = f"INSERT INTO heatmap_heatcell ({KEY}, {NAMES}) SELECT {KEY}, {SUMS} FROM ({{}}) x GROUP BY {KEY}"  # noqa: S608

# Sources of the two branches. «Kept» is every status but rejected: written as a list, the condition
# lets the range rebuild read appeal_status_idx (status, registered_at) instead of the whole table.
ALL_REG = "FROM appeals_appeal a WHERE a.status <> 'rejected'"
ALL_ANS = "FROM appeals_appeal a WHERE a.status <> 'rejected' AND a.answered_at IS NOT NULL"
RANGE_REG = (
    "FROM appeals_appeal a WHERE a.status = ANY(%(kept)s) AND a.registered_at >= %(lo)s AND a.registered_at < %(hi)s"
)
RANGE_ANS = "FROM appeals_appeal a WHERE a.status <> 'rejected' AND a.answered_at >= %(lo)s AND a.answered_at < %(hi)s"
DAY_BOUNDS = """a.registered_at >= (p.day::timestamp AT TIME ZONE %(tz)s)
    AND a.registered_at < ((p.day + 1)::timestamp AT TIME ZONE %(tz)s)"""
# The pairs' registrations: appeal_territory_idx (territory_id, registered_at) per pair.
PAIRS_REG = f"""FROM unnest(%(days)s::date[], %(terrs)s::bigint[]) AS p(day, territory_id)
    JOIN appeals_appeal a ON a.territory_id = p.territory_id AND {DAY_BOUNDS} WHERE a.status <> 'rejected'"""
NULL_REG = f"""FROM unnest(%(null_days)s::date[]) AS p(day)
    JOIN appeals_appeal a ON a.territory_id IS NULL AND {DAY_BOUNDS} WHERE a.status <> 'rejected'"""
# The pairs' answers: found through the footprints (heatfootprint_answered), checked against the appeal
# itself, so a stale footprint can only miss a count (the nightly rebuild restores it), never misplace one.
ANS_CHECK = "a.status <> 'rejected' AND a.answered_at IS NOT NULL AND (a.answered_at AT TIME ZONE %(tz)s)::date = p.day"
PAIRS_ANS = f"""FROM unnest(%(days)s::date[], %(terrs)s::bigint[]) AS p(day, territory_id)
    JOIN heatmap_heatfootprint f ON f.territory_id = p.territory_id AND f.answered_day = p.day
    JOIN appeals_appeal a ON a.id = f.appeal_id WHERE a.territory_id = p.territory_id AND {ANS_CHECK}"""
NULL_ANS = f"""FROM unnest(%(null_days)s::date[]) AS p(day)
    JOIN heatmap_heatfootprint f ON f.territory_id IS NULL AND f.answered_day = p.day
    JOIN appeals_appeal a ON a.id = f.appeal_id WHERE a.territory_id IS NULL AND {ANS_CHECK}"""

FOOTPRINT_COLUMNS = """a.id, a.territory_id, (a.registered_at AT TIME ZONE %(tz)s)::date,
    CASE WHEN a.answered_at IS NOT NULL THEN (a.answered_at AT TIME ZONE %(tz)s)::date END"""
FOOTPRINT_INSERT = "INSERT INTO heatmap_heatfootprint (appeal_id, territory_id, registered_day, answered_day)"
MONTH_KEY = "territory_id, sector_block_id, channel"
MONTH_INSERT = f"INSERT INTO heatmap_heatmonth (month, {MONTH_KEY}, {NAMES})"


def _union(*sources: tuple[str, str]) -> str:
    # Constant fragments of this module only: no user input reaches the SQL text.
    return " UNION ALL ".join("SELECT " + columns + " " + source for columns, source in sources)


def _params(**extra) -> dict:
    kept = [s for s in Appeal.Status.values if s != Appeal.Status.REJECTED]
    return {"tz": settings.TIME_ZONE, "open": list(Appeal.OPEN_STATUSES), "kept": kept, **extra}


def _lock(cursor, *, wait: bool) -> bool:
    if wait:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])
        return True
    cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [LOCK_KEY])
    return bool(cursor.fetchone()[0])


def _split(pairs: Iterable[tuple[datetime.date, int | None]]) -> dict:
    pairs = sorted({p for p in pairs if p[0] is not None}, key=lambda p: (p[0], p[1] or 0))
    keyed = [(day, territory) for day, territory in pairs if territory is not None]
    return {
        "days": [d for d, _ in keyed],
        "terrs": [t for _, t in keyed],
        "null_days": sorted({d for d, t in pairs if t is None}),
    }


def _month(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def is_postgresql() -> bool:
    return connection.vendor == "postgresql"


def refresh_appeals(appeal_ids: Iterable[int], *, wait: bool = True) -> bool:
    """Bring the rollup in line with these appeals (their old and new keys); False if `wait` is off and
    another writer holds the lock (the caller queues the work instead of blocking a request)."""
    ids = sorted({int(i) for i in appeal_ids})
    if not ids:
        return True
    if not is_postgresql():
        rebuild_all()  # the embedded SQLite default: small data, one full pass (see rebuild_python)
        return True
    with transaction.atomic(), connection.cursor() as cursor:
        if not _lock(cursor, wait=wait):
            return False
        cursor.execute(
            "DELETE FROM heatmap_heatfootprint WHERE appeal_id = ANY(%(ids)s) "
            "RETURNING territory_id, registered_day, answered_day",
            {"ids": ids},
        )
        old = cursor.fetchall()
        cursor.execute(
            f"{FOOTPRINT_INSERT} SELECT {FOOTPRINT_COLUMNS} FROM appeals_appeal a "  # noqa: S608
            "WHERE a.id = ANY(%(ids)s) AND a.status <> 'rejected' RETURNING territory_id, registered_day, answered_day",
            _params(ids=ids),
        )
        new = cursor.fetchall()
        # A rejected appeal has no footprint any more: its registration day still loses its counts.
        cursor.execute(
            "SELECT territory_id, (registered_at AT TIME ZONE %(tz)s)::date, NULL FROM appeals_appeal "
            "WHERE id = ANY(%(ids)s) AND status = 'rejected'",
            _params(ids=ids),
        )
        rejected = cursor.fetchall()
        pairs = set()
        for territory, registered, answered in [*old, *new, *rejected]:
            pairs.add((registered, territory))
            if answered is not None:
                pairs.add((answered, territory))
        _recompute_pairs(cursor, pairs)
    return True


def _recompute_pairs(cursor, pairs: set) -> None:
    split = _split(pairs)
    params = _params(**split)
    cursor.execute(
        "DELETE FROM heatmap_heatcell c USING unnest(%(days)s::date[], %(terrs)s::bigint[]) AS p(day, territory_id) "
        "WHERE c.day = p.day AND c.territory_id = p.territory_id",
        params,
    )
    cursor.execute(
        "DELETE FROM heatmap_heatcell WHERE territory_id IS NULL AND day = ANY(%(null_days)s::date[])", params
    )
    sql = _union((REG_COLUMNS, PAIRS_REG), (REG_COLUMNS, NULL_REG), (ANS_COLUMNS, PAIRS_ANS), (ANS_COLUMNS, NULL_ANS))
    cursor.execute(INSERT_CELLS.format(sql), params)
    months = {(_month(day), territory) for day, territory in pairs}
    _recompute_months(cursor, months)


MONTH_SUMS_PAIRS = f"""SELECT p.month, c.territory_id, c.sector_block_id, c.channel, {SUMS}
    FROM unnest(%(days)s::date[], %(terrs)s::bigint[]) AS p(month, territory_id)
    JOIN heatmap_heatcell c ON c.territory_id = p.territory_id
        AND c.day >= p.month AND c.day < (p.month + interval '1 month')::date
    GROUP BY p.month, c.territory_id, c.sector_block_id, c.channel"""  # noqa: S608
MONTH_SUMS_NULL = f"""SELECT p.month, c.territory_id, c.sector_block_id, c.channel, {SUMS}
    FROM unnest(%(null_days)s::date[]) AS p(month)
    JOIN heatmap_heatcell c ON c.territory_id IS NULL
        AND c.day >= p.month AND c.day < (p.month + interval '1 month')::date
    GROUP BY p.month, c.territory_id, c.sector_block_id, c.channel"""  # noqa: S608


def _recompute_months(cursor, months: set) -> None:
    params = _split(months)
    cursor.execute(
        "DELETE FROM heatmap_heatmonth m USING unnest(%(days)s::date[], %(terrs)s::bigint[]) AS p(month, territory_id) "
        "WHERE m.month = p.month AND m.territory_id = p.territory_id",
        params,
    )
    cursor.execute(
        "DELETE FROM heatmap_heatmonth WHERE territory_id IS NULL AND month = ANY(%(null_days)s::date[])", params
    )
    cursor.execute(f"{MONTH_INSERT} {MONTH_SUMS_PAIRS} UNION ALL {MONTH_SUMS_NULL}", params)


def _bounds(since: datetime.date, until: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    zone = ZoneInfo(settings.TIME_ZONE)
    lo = datetime.datetime.combine(since, datetime.time.min, tzinfo=zone)
    hi = datetime.datetime.combine(until + datetime.timedelta(days=1), datetime.time.min, tzinfo=zone)
    return lo, hi


def rebuild_range(since: datetime.date, until: datetime.date) -> None:
    """Recompute the cells of the days since…until (inclusive) from the appeals table, and their months."""
    if not is_postgresql():
        rebuild_all()
        return
    lo, hi = _bounds(since, until)
    params = _params(lo=lo, hi=hi, since=since, until=until)
    with transaction.atomic(), connection.cursor() as cursor:
        _lock(cursor, wait=True)
        cursor.execute("DELETE FROM heatmap_heatcell WHERE day >= %(since)s AND day <= %(until)s", params)
        cursor.execute(INSERT_CELLS.format(_union((REG_COLUMNS, RANGE_REG), (ANS_COLUMNS, RANGE_ANS))), params)
        # Footprints of the appeals that land in the range now; those of appeals rejected since go.
        cursor.execute(
            f"{FOOTPRINT_INSERT} SELECT {FOOTPRINT_COLUMNS} FROM appeals_appeal a "  # noqa: S608
            "WHERE a.status <> 'rejected' AND ((a.registered_at >= %(lo)s AND a.registered_at < %(hi)s) "
            "OR (a.answered_at >= %(lo)s AND a.answered_at < %(hi)s)) "
            "ON CONFLICT (appeal_id) DO UPDATE SET territory_id = EXCLUDED.territory_id, "
            "registered_day = EXCLUDED.registered_day, answered_day = EXCLUDED.answered_day",
            params,
        )
        cursor.execute(
            "DELETE FROM heatmap_heatfootprint f WHERE f.registered_day >= %(since)s AND f.registered_day <= %(until)s "
            "AND NOT EXISTS (SELECT 1 FROM appeals_appeal a WHERE a.id = f.appeal_id AND a.status <> 'rejected')",
            params,
        )
        months = []
        month = _month(since)
        while month <= until:
            months.append(month)
            month = (month + datetime.timedelta(days=32)).replace(day=1)
        cursor.execute("DELETE FROM heatmap_heatmonth WHERE month = ANY(%(months)s::date[])", {"months": months})
        cursor.execute(
            f"{MONTH_INSERT} SELECT date_trunc('month', day)::date, {MONTH_KEY}, {SUMS} FROM heatmap_heatcell "  # noqa: S608
            f"WHERE day >= %(lo)s AND day < %(hi)s GROUP BY 1, {MONTH_KEY}",
            {"lo": months[0], "hi": (months[-1] + datetime.timedelta(days=32)).replace(day=1)},
        )


def rebuild_all() -> dict[str, int]:
    """Rebuild the whole rollup from the appeals table (the nightly drift correction). Readers keep
    seeing the old rows until the commit (DELETE, not TRUNCATE: no lock that would stall the pages)."""
    if not is_postgresql():
        return rebuild_python()
    params = _params()
    with transaction.atomic(), connection.cursor() as cursor:
        _lock(cursor, wait=True)
        cursor.execute("DELETE FROM heatmap_heatcell")
        cursor.execute(INSERT_CELLS.format(_union((REG_COLUMNS, ALL_REG), (ANS_COLUMNS, ALL_ANS))), params)
        cells = cursor.rowcount
        cursor.execute("DELETE FROM heatmap_heatfootprint")
        cursor.execute(f"{FOOTPRINT_INSERT} SELECT {FOOTPRINT_COLUMNS} {ALL_REG}", params)
        footprints = cursor.rowcount
        cursor.execute("DELETE FROM heatmap_heatmonth")
        cursor.execute(
            f"{MONTH_INSERT} SELECT date_trunc('month', day)::date, {MONTH_KEY}, {SUMS} "  # noqa: S608
            f"FROM heatmap_heatcell GROUP BY 1, {MONTH_KEY}"
        )
        months = cursor.rowcount
    for table in ("heatmap_heatcell", "heatmap_heatmonth", "heatmap_heatfootprint"):
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {table}")
    return {"cells": cells, "months": months, "footprints": footprints}


def rebuild_python() -> dict[str, int]:
    """The same rollup computed in Python: for the embedded SQLite default (a few thousand demo appeals)."""
    from . import rollup_python

    cells, months, footprints = rollup_python.compute()
    with transaction.atomic():
        HeatCell.objects.all().delete()
        HeatMonth.objects.all().delete()
        HeatFootprint.objects.all().delete()
        HeatCell.objects.bulk_create(cells, batch_size=2000)
        HeatMonth.objects.bulk_create(months, batch_size=2000)
        HeatFootprint.objects.bulk_create(footprints, batch_size=2000)
    return {"cells": len(cells), "months": len(months), "footprints": len(footprints)}
