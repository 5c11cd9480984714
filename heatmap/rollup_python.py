# ruff: noqa: S608 — the SQL text is built only from model metadata; every value is a parameter.
"""The rollup in Python, for the embedded SQLite default only (DESIGN §5: every page must run on it): the
footprints (same definitions as the SQL of `heatmap.rollup`; on PostgreSQL that SQL is what runs), the
incremental update of the appeals that changed and the rebuild of a range of days. The levels are summed
from the footprints by `heatmap.rollup.contributions` and `project`, as on PostgreSQL; only the writing of
the rows differs (a read, then plain updates, inserts and deletes, instead of one upsert per level). The
caller holds the transaction: on SQLite its IMMEDIATE BEGIN takes the one write lock, so no other writer runs
between the read and the write."""

import datetime
from collections.abc import Iterable

from django.conf import settings
from django.db import connection
from django.db.models import Q
from django.utils import timezone

from appeals.models import Appeal

from .models import COUNTERS, HeatFootprint
from .rollup import (
    DISSATISFIED_MAX_SCORE,
    FOOTPRINT_FIELDS,
    LEVELS,
    Level,
    _bounds,
    _month_end,
    contributions,
    level_rows,
    project,
)

FIELDS = ("id", "registered_at", "answered_at", "due_at", "overdue_at", "satisfaction", "repeat_of_id", "status",
          "escalation_level", "answer_quality", "territory_id", "sector_block_id", "topic_id", "channel",
          "organisation_id")  # fmt: skip


def _day(moment, zone):
    return timezone.localtime(moment, zone).date()


ID_CHUNK = 500  # ids per query: far below SQLite's limit of bound parameters


def _rows(appeal_ids: list[int] | None):
    kept = Appeal.objects.exclude(status=Appeal.Status.REJECTED).values_list(*FIELDS)
    if appeal_ids is None:
        yield from kept.iterator(chunk_size=2000)
        return
    for start in range(0, len(appeal_ids), ID_CHUNK):
        yield from kept.filter(id__in=appeal_ids[start : start + ID_CHUNK])


def footprints(appeal_ids: Iterable[int] | None = None) -> list[HeatFootprint]:
    """The footprints of these appeals now (of every appeal if None); a rejected appeal has none."""
    zone = timezone.get_default_timezone() if settings.USE_TZ else None
    result = []
    for row in _rows(None if appeal_ids is None else list(appeal_ids)):
        a = dict(zip(FIELDS, row, strict=True))
        answered = _day(a["answered_at"], zone) if a["answered_at"] else None
        due = _day(a["due_at"], zone) if a["due_at"] else None
        is_open = a["status"] in Appeal.OPEN_STATUSES
        result.append(HeatFootprint(
            appeal_id=a["id"], territory_id=a["territory_id"], sector_block_id=a["sector_block_id"],
            topic_id=a["topic_id"], channel=a["channel"], organisation_id=a["organisation_id"],
            registered_day=_day(a["registered_at"], zone), answered_day=answered,
            overdue=bool(a["overdue_at"] or (answered and due and answered > due)),
            rated=a["satisfaction"] is not None,
            dissatisfied=a["satisfaction"] is not None and a["satisfaction"] <= DISSATISFIED_MAX_SCORE,
            repeated=a["repeat_of_id"] is not None, open=is_open, open_overdue=is_open and a["overdue_at"] is not None,
            escalated=is_open and a["escalation_level"] > 0,
            answered_on_time=bool(answered and (due is None or answered <= due)),
            quality_checked=bool(answered and a["answer_quality"]),
            on_merits=bool(answered and a["answer_quality"] == Appeal.AnswerQuality.ON_MERITS),
        ))  # fmt: skip
    return result


def as_row(footprint: HeatFootprint) -> tuple:
    """The footprint in the order of `heatmap.rollup.FOOTPRINT_FIELDS`."""
    return tuple(getattr(footprint, name) for name in FOOTPRINT_FIELDS)


# --- incremental updates -------------------------------------------------------------------------------


def _chunks(ids: list[int]):
    for start in range(0, len(ids), ID_CHUNK):
        yield ids[start : start + ID_CHUNK]


def refresh(appeal_ids: Iterable[int]) -> None:
    """Bring the rollup in line with these appeals, as `heatmap.rollup._refresh` on PostgreSQL: their old
    footprints subtracted, their footprints now added, the difference applied to every level. An appeal
    whose footprint is unchanged (a reminder, work started) costs two reads and no write."""
    ids = sorted({int(i) for i in appeal_ids})
    old = {}
    for chunk in _chunks(ids):
        rows = HeatFootprint.objects.filter(appeal_id__in=chunk).values_list("appeal_id", *FOOTPRINT_FIELDS)
        old.update((row[0], row[1:]) for row in rows)
    new = {f.appeal_id: f for f in footprints(ids)}
    changed = [i for i in ids if old.get(i) != (as_row(new[i]) if i in new else None)]
    if not changed:
        return
    cells = contributions([old[i] for i in changed if i in old], -1)
    contributions([as_row(new[i]) for i in changed if i in new], 1, cells)
    for chunk in _chunks([i for i in changed if i in old]):
        HeatFootprint.objects.filter(appeal_id__in=chunk).delete()
    HeatFootprint.objects.bulk_create([new[i] for i in changed if i in new])
    for level in LEVELS:
        _apply(level, project(level, cells))


def _matching(name: str, values: set) -> tuple[str, list]:
    """SQL: `name` is one of `values`, None included (IN never matches a NULL), and its parameters."""
    known = sorted(values - {None})
    sql = [f"{name} IN ({', '.join(['%s'] * len(known))})"] if known else []
    return "(" + " OR ".join([*sql, *([f"{name} IS NULL"] if None in values else [])]) + ")", known


def _apply(level: Level, deltas: dict[tuple, list[int]]) -> None:
    """Add signed counters to the rows of `level`: the rows of these keys read in one query, updated, created
    or deleted when they come to zero. The query reads every row whose each column is one of the keys'
    values — exactly the keys for one appeal, a few more for a batch; the keys are matched here, where
    None equals None (SQLite's unique constraints would let a key with a NULL have two rows).

    Plain SQL (the columns named by the model, every value a parameter): the ORM's building of these
    statements cost ~10 ms of CPU per appeal, the statements themselves well under 1 ms."""
    if not deltas:
        return
    names = (level.time, *level.keys)
    where, params = zip(*(_matching(name, {key[i] for key in deltas}) for i, name in enumerate(names)), strict=True)
    counters_sql = ", ".join(f'"{name}"' for name in COUNTERS)
    width = len(names)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id, {', '.join(names)}, {counters_sql} FROM {level.table} WHERE {' AND '.join(where)}",
                       [value for values in params for value in values])  # fmt: skip
        rows = {row[1 : width + 1]: row for row in cursor.fetchall()}
        updated, emptied, created = [], [], []
        for key, delta in deltas.items():
            row = rows.get(key)
            if row is None:
                created.append([*key, *delta])
                continue
            counters = [old + change for old, change in zip(row[width + 1 :], delta, strict=True)]
            if any(counters):
                updated.append([*counters, row[0]])
            else:
                emptied.append(row[0])
        if emptied:
            cursor.execute(f"DELETE FROM {level.table} WHERE id IN ({', '.join(['%s'] * len(emptied))})", emptied)
        if updated:
            assignments = ", ".join(f'"{name}" = %s' for name in COUNTERS)
            cursor.executemany(f"UPDATE {level.table} SET {assignments} WHERE id = %s", updated)
        if created:
            values = ", ".join(["%s"] * (width + len(COUNTERS)))
            cursor.executemany(
                f"INSERT INTO {level.table} ({', '.join(names)}, {counters_sql}) VALUES ({values})", created
            )


# --- a range of days ---------------------------------------------------------------------------------


def rebuild_range(since: datetime.date, until: datetime.date) -> None:
    """Recompute the days since…until and their months, as `heatmap.rollup.rebuild_range` on PostgreSQL: the
    appeals of the range are rolled up again, then the range's rows are rewritten from the footprints."""
    lo, hi = _bounds(since, until)
    days = (since, until)
    touched = Q(registered_at__gte=lo, registered_at__lt=hi) | Q(answered_at__gte=lo, answered_at__lt=hi)
    ids = set(Appeal.objects.filter(touched).values_list("id", flat=True))
    rolled_up = Q(registered_day__range=days) | Q(answered_day__range=days)
    ids |= set(HeatFootprint.objects.filter(rolled_up).values_list("appeal_id", flat=True))
    refresh(ids)
    months = (since.replace(day=1), _month_end(until))
    rows = HeatFootprint.objects.filter(Q(registered_day__range=months) | Q(answered_day__range=months))
    cells = contributions(rows.values_list(*FOOTPRINT_FIELDS).iterator(chunk_size=2000))
    for level in LEVELS:
        first, last = days if level.time == "day" else months
        level.model.objects.filter(**{f"{level.time}__range": (first, last)}).delete()
        in_range = {key: counters for key, counters in cells.items() if first <= key[0] <= last}
        level.model.objects.bulk_create(level_rows(level, in_range), batch_size=2000)
