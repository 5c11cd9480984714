# ruff: noqa: S608 — the SQL text is built only from this module's constants; every value is a parameter.
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

Incremental updates recompute whole keys, set-based: the cell keys (day, territory, block, topic, channel,
executor) an appeal's counts land on now, and those they landed on at its last roll-up (kept in
`HeatFootprint`), are deleted and written again by one INSERT … SELECT … GROUP BY over the appeals of
those keys — found through the footprints' indexes, so a change in the busiest territory reads a handful
of appeals, not the day's thousand. The months follow by signed deltas of the cells removed and written.
One transaction-level advisory lock serialises all writers, so two updates of one key never interleave
their DELETE and INSERT. The nightly `rebuild_all` recomputes everything from the appeals table.
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
INSERT_CELLS = f"INSERT INTO heatmap_heatcell ({KEY}, {NAMES}) SELECT {KEY}, {SUMS} FROM ({{}}) x GROUP BY {KEY}"

# Sources of the two branches. «Kept» is every status but rejected: written as a list, the condition
# lets the range rebuild read appeal_status_idx (status, registered_at) instead of the whole table.
ALL_REG = "FROM appeals_appeal a WHERE a.status <> 'rejected'"
ALL_ANS = "FROM appeals_appeal a WHERE a.status <> 'rejected' AND a.answered_at IS NOT NULL"
RANGE_REG = (
    "FROM appeals_appeal a WHERE a.status = ANY(%(kept)s) AND a.registered_at >= %(lo)s AND a.registered_at < %(hi)s"
)
RANGE_ANS = "FROM appeals_appeal a WHERE a.status <> 'rejected' AND a.answered_at >= %(lo)s AND a.answered_at < %(hi)s"

# The keys an incremental update recomputes: (day, territory, block, topic, channel, executor), 0 for «none».
KEYS = """unnest(%(k_day)s::date[], %(k_t)s::bigint[], %(k_s)s::bigint[], %(k_tp)s::bigint[], %(k_ch)s::text[],
    %(k_org)s::bigint[]) AS k(day, t, s, tp, ch, org)"""
FOOT_MATCH = """f.territory_id = k.t AND f.topic_id = k.tp AND f.sector_id = k.s AND f.channel = k.ch
    AND f.organisation_id = k.org"""
# The appeals of a key are found through the footprints (heatfootprint_registered / _answered) and checked
# against the appeal itself, so a stale footprint can only miss a count (the nightly rebuild restores it),
# never misplace one.
APPEAL_MATCH = """a.status <> 'rejected' AND COALESCE(a.territory_id, 0) = k.t AND COALESCE(a.sector_block_id, 0) = k.s
    AND COALESCE(a.topic_id, 0) = k.tp AND a.channel = k.ch AND COALESCE(a.organisation_id, 0) = k.org"""
KEYS_REG = f"""FROM {KEYS} JOIN heatmap_heatfootprint f ON {FOOT_MATCH} AND f.registered_day = k.day
    JOIN appeals_appeal a ON a.id = f.appeal_id
    WHERE {APPEAL_MATCH} AND (a.registered_at AT TIME ZONE %(tz)s)::date = k.day"""
KEYS_ANS = f"""FROM {KEYS} JOIN heatmap_heatfootprint f ON {FOOT_MATCH} AND f.answered_day = k.day
    JOIN appeals_appeal a ON a.id = f.appeal_id
    WHERE {APPEAL_MATCH} AND a.answered_at IS NOT NULL AND (a.answered_at AT TIME ZONE %(tz)s)::date = k.day"""
CELL_MATCH = """c.day = k.day AND COALESCE(c.territory_id, 0) = k.t AND COALESCE(c.sector_block_id, 0) = k.s
    AND COALESCE(c.topic_id, 0) = k.tp AND c.channel = k.ch AND COALESCE(c.organisation_id, 0) = k.org"""

FOOTPRINT_COLUMNS = """a.id, COALESCE(a.territory_id, 0), COALESCE(a.sector_block_id, 0), COALESCE(a.topic_id, 0),
    a.channel, COALESCE(a.organisation_id, 0), (a.registered_at AT TIME ZONE %(tz)s)::date,
    CASE WHEN a.answered_at IS NOT NULL THEN (a.answered_at AT TIME ZONE %(tz)s)::date END"""
FOOTPRINT_NAMES = "territory_id, sector_id, topic_id, channel, organisation_id, registered_day, answered_day"
FOOTPRINT_INSERT = f"INSERT INTO heatmap_heatfootprint (appeal_id, {FOOTPRINT_NAMES})"
MONTH_KEY = "territory_id, sector_block_id, channel"
MONTH_INSERT = f"INSERT INTO heatmap_heatmonth (month, {MONTH_KEY}, {NAMES})"
# Months follow their cells by signed deltas: the cells a statement removed are subtracted, those it wrote
# added (one statement each, so a month never sees half of a change).
MONTH_DELTA = f"""{MONTH_INSERT} SELECT date_trunc('month', day)::date, {MONTH_KEY}, {{sums}} FROM {{source}}
    GROUP BY 1, {MONTH_KEY} ON CONFLICT ON CONSTRAINT heatmonth_key DO UPDATE SET
    {", ".join(f'"{c}" = heatmap_heatmonth."{c}" + EXCLUDED."{c}"' for c in COUNTERS)}"""
NEGATIVE_SUMS = ", ".join(f'-SUM("{c}")' for c in COUNTERS)
ZERO_MONTHS = "DELETE FROM heatmap_heatmonth WHERE month = ANY(%(months)s::date[]) AND " + " AND ".join(
    f'"{c}" = 0' for c in COUNTERS
)
REMOVE_CELLS = f"""WITH gone AS (DELETE FROM heatmap_heatcell c USING {KEYS} WHERE {CELL_MATCH} RETURNING c.*)
    {MONTH_DELTA.format(sums=NEGATIVE_SUMS, source="gone")}"""
WRITE_CELLS = f"""WITH made AS ({INSERT_CELLS} RETURNING *) {MONTH_DELTA.format(sums=SUMS, source="made")}"""


def _union(*sources: tuple[str, str]) -> str:
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
        returning = f"RETURNING {FOOTPRINT_NAMES}"
        cursor.execute(f"DELETE FROM heatmap_heatfootprint WHERE appeal_id = ANY(%(ids)s) {returning}", {"ids": ids})
        old = cursor.fetchall()
        cursor.execute(
            f"{FOOTPRINT_INSERT} SELECT {FOOTPRINT_COLUMNS} FROM appeals_appeal a "
            f"WHERE a.id = ANY(%(ids)s) AND a.status <> 'rejected' {returning}",
            _params(ids=ids),
        )
        keys = set()
        for territory, sector, topic, channel, organisation, registered, answered in [*old, *cursor.fetchall()]:
            keys.add((registered, territory, sector, topic, channel, organisation))
            if answered is not None:
                keys.add((answered, territory, sector, topic, channel, organisation))
        _recompute_keys(cursor, keys)
    return True


def _recompute_keys(cursor, keys: set) -> None:
    """Delete the cells of these keys and write them again from their appeals; the months follow."""
    keys = sorted(keys, key=lambda k: (k[0], k[1], k[2], k[3], k[4], k[5]))
    columns = list(zip(*keys, strict=True)) if keys else [[]] * 6
    params = _params(**dict(zip(("k_day", "k_t", "k_s", "k_tp", "k_ch", "k_org"), map(list, columns), strict=True)))
    params["months"] = sorted({_month(day) for day in params["k_day"]})
    cursor.execute(REMOVE_CELLS, params)
    cursor.execute(WRITE_CELLS.format(_union((REG_COLUMNS, KEYS_REG), (ANS_COLUMNS, KEYS_ANS))), params)
    cursor.execute(ZERO_MONTHS, params)


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
            f"{FOOTPRINT_INSERT} SELECT {FOOTPRINT_COLUMNS} FROM appeals_appeal a "
            "WHERE a.status <> 'rejected' AND ((a.registered_at >= %(lo)s AND a.registered_at < %(hi)s) "
            "OR (a.answered_at >= %(lo)s AND a.answered_at < %(hi)s)) ON CONFLICT (appeal_id) DO UPDATE SET "
            + ", ".join(f"{c} = EXCLUDED.{c}" for c in FOOTPRINT_NAMES.split(", ")),
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
            f"{MONTH_INSERT} SELECT date_trunc('month', day)::date, {MONTH_KEY}, {SUMS} FROM heatmap_heatcell "
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
        cursor.execute("SET LOCAL work_mem = '256MB'")  # the GROUP BY of every appeal sorts in memory
        cursor.execute("DELETE FROM heatmap_heatcell")
        # In day order: the rows of a period lie together on disk, so a month is read from a few hundred
        # pages instead of one page per row (measured: a 30-day scan 6× faster at 1.2M appeals).
        cursor.execute(
            INSERT_CELLS.format(_union((REG_COLUMNS, ALL_REG), (ANS_COLUMNS, ALL_ANS))) + " ORDER BY day", params
        )
        cells = cursor.rowcount
        cursor.execute("DELETE FROM heatmap_heatfootprint")
        cursor.execute(f"{FOOTPRINT_INSERT} SELECT {FOOTPRINT_COLUMNS} {ALL_REG}", params)
        footprints = cursor.rowcount
        cursor.execute("DELETE FROM heatmap_heatmonth")
        cursor.execute(
            f"{MONTH_INSERT} SELECT date_trunc('month', day)::date, {MONTH_KEY}, {SUMS} "
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
