# ruff: noqa: S608 — the SQL text is built only from this module's constants and model metadata; every value is a
# parameter.
"""Maintenance of the heat map rollup: the levels (`HeatCellMonth` — month × territory × block × topic × channel
× executor — and the coarser day and month tables, `LEVELS`) and the per-appeal `HeatFootprint`, whose days
are the finest rows (`HeatFootprintDay`).

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

The footprint of an appeal is its contribution at its last roll-up (key, two days, counters), and every level
is the sum of the footprints. An incremental update therefore needs no other appeal: it replaces the
footprints of the changed appeals and applies the difference, old subtracted and new added, to every level
(one upsert per level; a row that comes to zero is deleted). One advisory lock serialises all writers. On the
embedded SQLite default the same difference is applied by `heatmap.rollup_python` (there SQLite's one write
lock, taken at BEGIN, serialises the writers), so a change costs a few milliseconds there too.

The nightly `rebuild_all` builds every table anew beside the live one — no index to maintain while
loading, readers undisturbed — and swaps the names in one short transaction; see its docstring.
"""

import datetime
import logging
import re
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, connections, transaction

from appeals.models import Appeal

from .models import (
    ANSWER_FLAGS,
    COUNTERS,
    REGISTRATION_FLAGS,
    HeatAreaDay,
    HeatAreaMonth,
    HeatCellMonth,
    HeatDay,
    HeatFootprint,
    HeatFootprintDay,
    HeatMonth,
    HeatTopicDay,
    HeatTopicMonth,
)

log = logging.getLogger(__name__)

LOCK_KEY = 0x6865_6174  # «heat»: the advisory lock of every rollup writer
DISSATISFIED_MAX_SCORE = 2  # as appeals.services: a score of 1–2 is dissatisfaction
DIMENSIONS = ("territory_id", "sector_block_id", "topic_id", "channel", "organisation_id")
FLAGS = (*REGISTRATION_FLAGS, *ANSWER_FLAGS)
NEW = "__new"  # suffix of the tables a rebuild fills before the swap
SQLITE_CHUNK = 200  # appeals per transaction of an update on SQLite (measured ~170 ms for 200 at 3,000 appeals)
WORK_MEM = "256MB"  # the rebuild's GROUP BYs hash in memory (a hash may take twice that: hash_mem_multiplier)


@dataclass(frozen=True)
class Level:
    """One table of the rollup: counters by `time` (day or month) × `keys`."""

    model: type
    time: str
    keys: tuple[str, ...]

    @property
    def table(self) -> str:
        return self.model._meta.db_table

    @property
    def constraint(self) -> str:
        return self.model._meta.constraints[0].name

    def key_of(self, day: datetime.date, dims: dict) -> tuple:
        return (day.replace(day=1) if self.time == "month" else day, *(dims[k] for k in self.keys))


AREA = ("territory_id", "sector_block_id")
DAY = Level(HeatDay, "day", ("territory_id", "sector_block_id", "channel", "organisation_id"))
AREA_DAY = Level(HeatAreaDay, "day", AREA)
TOPIC_DAY = Level(HeatTopicDay, "day", (*AREA, "topic_id", "organisation_id"))
MONTH = Level(HeatMonth, "month", DAY.keys)
AREA_MONTH = Level(HeatAreaMonth, "month", AREA)
TOPIC_MONTH = Level(HeatTopicMonth, "month", TOPIC_DAY.keys)
CELL_MONTH = Level(HeatCellMonth, "month", DIMENSIONS)
LEVELS = (DAY, AREA_DAY, TOPIC_DAY, MONTH, AREA_MONTH, TOPIC_MONTH, CELL_MONTH)
DAY_LEVELS = (DAY, AREA_DAY, TOPIC_DAY)
MONTH_OF = {MONTH: DAY, AREA_MONTH: AREA_DAY, TOPIC_MONTH: TOPIC_DAY, CELL_MONTH: None}  # None: the footprints
FOOTPRINT_TABLE = HeatFootprint._meta.db_table
FOOTPRINT_VIEW = HeatFootprintDay._meta.db_table
TABLES = (FOOTPRINT_TABLE, *(level.table for level in LEVELS))

SUMS = ", ".join(f'SUM("{c}")' for c in COUNTERS)
NAMES = ", ".join(f'"{c}"' for c in COUNTERS)
FOOTPRINT_FIELDS = (*DIMENSIONS, "registered_day", "answered_day", *FLAGS)  # a footprint row, in this order
FOOTPRINT_NAMES = ", ".join(f'"{f}"' for f in FOOTPRINT_FIELDS)

# An appeal's footprint, from the appeals table (the same definitions as the docstring above).
_ANS, _DUE = "(a.answered_at AT TIME ZONE %(tz)s)::date", "(a.due_at AT TIME ZONE %(tz)s)::date"
_OPEN = "a.status = ANY(%(open)s)"
FOOTPRINT_SELECT = f"""SELECT a.id, {", ".join("a." + d for d in DIMENSIONS)},
    (a.registered_at AT TIME ZONE %(tz)s)::date, {_ANS},
    (a.overdue_at IS NOT NULL OR (a.answered_at IS NOT NULL AND a.due_at IS NOT NULL AND {_ANS} > {_DUE})),
    a.satisfaction IS NOT NULL, COALESCE(a.satisfaction <= {DISSATISFIED_MAX_SCORE}, false),
    a.repeat_of_id IS NOT NULL, {_OPEN}, {_OPEN} AND a.overdue_at IS NOT NULL, {_OPEN} AND a.escalation_level > 0,
    a.answered_at IS NOT NULL AND (a.due_at IS NULL OR {_ANS} <= {_DUE}),
    a.answered_at IS NOT NULL AND a.answer_quality <> '', a.answered_at IS NOT NULL AND a.answer_quality = 'on_merits'
    FROM appeals_appeal a WHERE a.status <> 'rejected'"""
FOOTPRINT_INSERT = f"INSERT INTO {{table}} (appeal_id, {FOOTPRINT_NAMES}) {FOOTPRINT_SELECT}"


def _counter_values(which: str) -> str:
    """The counters of a footprint's registration-day («reg») or answer-day («ans») row, as SQL."""
    own = {"reg": ("received", REGISTRATION_FLAGS), "ans": ("answered", ANSWER_FLAGS)}[which]
    return ", ".join(("1" if c == own[0] else f'f."{c}"::int' if c in own[1] else "0") + f' AS "{c}"' for c in COUNTERS)


# Every footprint gives two rows — its registration day and its answer day, if answered — of the days of one
# rebuild chunk. (Two scans of the footprints: measured 3× faster than one scan with a LATERAL VALUES pair.)
_DIMS = ", ".join("f." + d for d in DIMENSIONS)
FOOTPRINT_ROWS = f"""SELECT f.registered_day AS day, {_DIMS}, {_counter_values("reg")} FROM {{footprints}} f
    WHERE f.registered_day >= %(lo)s AND f.registered_day <= %(hi)s
    UNION ALL SELECT f.answered_day, {_DIMS}, {_counter_values("ans")} FROM {{footprints}} f
    WHERE f.answered_day >= %(lo)s AND f.answered_day <= %(hi)s"""


def _insert_grouped(level: Level, source: str, *, returning: bool = False) -> str:
    """INSERT … SELECT of `level`'s rows summed from `source` (rows with a `day`), written in time order: the
    rows of a period lie together on disk, so a month is read from a few hundred pages instead of one page per
    row (measured: a 30-day scan 6× faster at 1.2M appeals)."""
    keys = ", ".join(level.keys)
    time = "day" if level.time == "day" else "date_trunc('month', day)::date"
    sql = (
        f"INSERT INTO {{{level.table}}} ({level.time}, {keys}, {NAMES}) SELECT {time}, {keys}, {SUMS} FROM {source} "
        f"GROUP BY {time}, {keys} ORDER BY {time}"
    )
    return sql + (f" RETURNING {level.time} AS day, {keys}, {NAMES}" if returning else "")


# The footprint rows of the days of one range summed by day and every dimension: not stored (a day of every
# dimension holds about one row per appeal), only the source of the levels of one rebuild statement.
_NAMED_SUMS = ", ".join(f'SUM("{c}")::int AS "{c}"' for c in COUNTERS)  # int: a sum of bigint sums as numeric
_ALL = ", ".join(DIMENSIONS)
CELLS = f"SELECT day, {_ALL}, {_NAMED_SUMS} FROM ({FOOTPRINT_ROWS}) x GROUP BY day, {_ALL}"


def _levels_sql(*, months: bool) -> str:
    """Every level of a range of days in one statement, each from the rows just summed or written for a finer
    one (and the months, when the range is whole months)."""
    steps = [("days", DAY, "cells"), ("areas", AREA_DAY, "days"), ("topics", TOPIC_DAY, "cells")]
    if months:
        steps += [("months", MONTH, "days"), ("area_months", AREA_MONTH, "areas"),
                  ("topic_months", TOPIC_MONTH, "topics"), ("cell_months", CELL_MONTH, "cells")]  # fmt: skip
    read = {source for _, _, source in steps}
    ctes = [f"cells AS MATERIALIZED ({CELLS})"]
    ctes += [f"{name} AS ({_insert_grouped(level, source, returning=name in read)})"
             for name, level, source in steps[:-1]]  # fmt: skip
    return f"WITH {', '.join(ctes)} {_insert_grouped(steps[-1][1], steps[-1][2])}"


def _month_sql(level: Level) -> str:
    """The months of a range of whole months, from the day level below (or the footprints)."""
    keys = ", ".join(level.keys)
    days = f"{{{MONTH_OF[level].table}}}" if MONTH_OF[level] else f"({FOOTPRINT_ROWS}) x"
    return (
        f"INSERT INTO {{{level.table}}} (month, {keys}, {NAMES}) SELECT date_trunc('month', day)::date, {keys}, "
        f"{SUMS} FROM {days} WHERE day >= %(lo)s AND day <= %(hi)s GROUP BY 1, {keys}"
    )


def _names(suffix: str = "") -> dict[str, str]:
    """Table names for the SQL templates: the live tables, or the new ones of a rebuild."""
    return {"footprints": FOOTPRINT_TABLE + suffix, **{t: t + suffix for t in TABLES}}


def _params(**extra) -> dict:
    return {"tz": settings.TIME_ZONE, "open": list(Appeal.OPEN_STATUSES), **extra}


def _lock(cursor, *, wait: bool) -> bool:
    if wait:
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])
        return True
    cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [LOCK_KEY])
    return bool(cursor.fetchone()[0])


def is_postgresql() -> bool:
    return connection.vendor == "postgresql"


# --- incremental updates -----------------------------------------------------------------------------


def contributions(footprints: Iterable[tuple], sign: int = 1, into: dict | None = None) -> dict[tuple, list[int]]:
    """Cell key (day, *DIMENSIONS) → counters (in COUNTERS order) of these footprints (rows in FOOTPRINT_FIELDS
    order), times `sign`, added into `into`. The one definition of a footprint's rows in Python."""
    into = defaultdict(lambda: [0] * len(COUNTERS)) if into is None else into
    reg_index = {c: COUNTERS.index(c) for c in ("received", *REGISTRATION_FLAGS)}
    ans_index = {c: COUNTERS.index(c) for c in ("answered", *ANSWER_FLAGS)}
    for row in footprints:
        dims, (registered, answered), flags = row[:5], row[5:7], dict(zip(FLAGS, row[7:], strict=True))
        counters = into[(registered, *dims)]
        counters[reg_index["received"]] += sign
        for name in REGISTRATION_FLAGS:
            counters[reg_index[name]] += sign * bool(flags[name])
        if answered is not None:
            counters = into[(answered, *dims)]
            counters[ans_index["answered"]] += sign
            for name in ANSWER_FLAGS:
                counters[ans_index[name]] += sign * bool(flags[name])
    return into


def project(level: Level, cells: dict[tuple, list[int]]) -> dict[tuple, list[int]]:
    """Cell-keyed counters summed to the key of `level`; keys that sum to nothing are left out."""
    result: dict[tuple, list[int]] = defaultdict(lambda: [0] * len(COUNTERS))
    for (day, *dims), counters in cells.items():
        target = result[level.key_of(day, dict(zip(DIMENSIONS, dims, strict=True)))]
        for i, value in enumerate(counters):
            target[i] += value
    return {key: counters for key, counters in result.items() if any(counters)}


def level_rows(level: Level, cells: dict[tuple, list[int]]) -> list:
    """Unsaved rows of `level` summed from cell-keyed counters."""
    return [
        level.model(**{level.time: key[0]}, **dict(zip(level.keys, key[1:], strict=True)),
                    **dict(zip(COUNTERS, counters, strict=True)))
        for key, counters in project(level, cells).items()
    ]  # fmt: skip


def _types(level: Level) -> list[str]:
    return ["date", *("text" if k == "channel" else "bigint" for k in level.keys), *(["int"] * len(COUNTERS))]


def _apply(cursor, level: Level, deltas: dict[tuple, list[int]]) -> None:
    """Add signed counters to the rows of `level` (one upsert); delete the rows that come to zero."""
    if not deltas:
        return
    columns = [list(column) for column in zip(*((*key, *counters) for key, counters in deltas.items()), strict=True)]
    unnest = ", ".join(f"%s::{t}[]" for t in _types(level))
    zero = " AND ".join(f'"{c}" = 0' for c in COUNTERS)
    cursor.execute(
        f"INSERT INTO {level.table} ({level.time}, {', '.join(level.keys)}, {NAMES}) SELECT * FROM unnest({unnest}) "
        f"ON CONFLICT ON CONSTRAINT {level.constraint} DO UPDATE SET "
        + ", ".join(f'"{c}" = {level.table}."{c}" + EXCLUDED."{c}"' for c in COUNTERS)
        + f" RETURNING id, {zero}",
        columns,
    )
    empty = [row_id for row_id, is_zero in cursor.fetchall() if is_zero]
    if empty:
        cursor.execute(f"DELETE FROM {level.table} WHERE id = ANY(%s)", [empty])


def _refresh(cursor, ids: list[int]) -> None:
    cursor.execute(f"DELETE FROM {FOOTPRINT_TABLE} WHERE appeal_id = ANY(%(ids)s) RETURNING {FOOTPRINT_NAMES}",
                   {"ids": ids})  # fmt: skip
    cells = contributions(cursor.fetchall(), -1)
    cursor.execute(
        FOOTPRINT_INSERT.format(table=FOOTPRINT_TABLE) + f" AND a.id = ANY(%(ids)s) RETURNING {FOOTPRINT_NAMES}",
        _params(ids=ids),
    )
    contributions(cursor.fetchall(), 1, cells)
    for level in LEVELS:
        _apply(cursor, level, project(level, cells))


def refresh_appeals(appeal_ids: Iterable[int], *, wait: bool = True) -> bool:
    """Bring the rollup in line with these appeals; False if `wait` is off and another writer holds the lock
    (the caller queues the work instead of blocking a request)."""
    ids = sorted({int(i) for i in appeal_ids})
    if not ids:
        return True
    if not is_postgresql():
        # The embedded SQLite default: the same difference, applied by rollup_python. No advisory lock there:
        # the IMMEDIATE transaction takes SQLite's one write lock at BEGIN, which serialises every writer. A
        # transaction per SQLITE_CHUNK appeals (each appeal's difference stands alone): a queued batch holds
        # that lock ~0.2 s at a time, not ~1 s per 2,000 appeals, so requests write in between.
        from . import rollup_python

        for start in range(0, len(ids), SQLITE_CHUNK):
            with transaction.atomic():
                rollup_python.refresh(ids[start : start + SQLITE_CHUNK])
        return True
    with transaction.atomic(), connection.cursor() as cursor:
        if not _lock(cursor, wait=wait):
            return False
        _refresh(cursor, ids)
    return True


# --- rebuilds ------------------------------------------------------------------------------------------


def _bounds(since: datetime.date, until: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    zone = ZoneInfo(settings.TIME_ZONE)
    lo = datetime.datetime.combine(since, datetime.time.min, tzinfo=zone)
    hi = datetime.datetime.combine(until + datetime.timedelta(days=1), datetime.time.min, tzinfo=zone)
    return lo, hi


def _month_end(day: datetime.date) -> datetime.date:
    return (day.replace(day=1) + datetime.timedelta(days=32)).replace(day=1) - datetime.timedelta(days=1)


def rebuild_range(since: datetime.date, until: datetime.date) -> None:
    """Recompute the days since…until (inclusive) from the appeals table, and their months: the appeals of
    the range are rolled up again (which also corrects their other day), then the range's rows are rewritten
    from the footprints."""
    if not is_postgresql():
        from . import rollup_python

        with transaction.atomic():
            rollup_python.rebuild_range(since, until)
        return
    lo, hi = _bounds(since, until)
    with transaction.atomic(), connection.cursor() as cursor:
        _lock(cursor, wait=True)
        cursor.execute(
            "SELECT id FROM appeals_appeal WHERE (registered_at >= %(lo)s AND registered_at < %(hi)s) "
            "OR (answered_at >= %(lo)s AND answered_at < %(hi)s) UNION SELECT appeal_id FROM "
            f"{FOOTPRINT_TABLE} WHERE registered_day BETWEEN %(since)s AND %(until)s "
            "OR answered_day BETWEEN %(since)s AND %(until)s",
            {"lo": lo, "hi": hi, "since": since, "until": until},
        )
        _refresh(cursor, [row[0] for row in cursor.fetchall()])
        for level in DAY_LEVELS:
            cursor.execute(f"DELETE FROM {level.table} WHERE day BETWEEN %s AND %s", [since, until])
        cursor.execute(_levels_sql(months=False).format(**_names()), {"lo": since, "hi": until})
        months = {"lo": since.replace(day=1), "hi": _month_end(until)}
        for level in MONTH_OF:
            cursor.execute(f"DELETE FROM {level.table} WHERE month BETWEEN %(lo)s AND %(hi)s", months)
            cursor.execute(_month_sql(level).format(**_names()), months)


def _chunks(lo: int, hi: int, parts: int) -> list[tuple[int, int]]:
    step = max(1, -(-(hi - lo + 1) // parts))
    return [(start, min(start + step - 1, hi)) for start in range(lo, hi + 1, step)]


class _Runner:
    """Runs the rebuild's statements: in parallel on their own connections (autocommit), or one after another
    on the current connection when the caller's transaction must see them (tests, a rolled-back benchmark)."""

    def __init__(self, jobs: int):
        self.jobs = jobs if not connection.in_atomic_block else 1

    def run(self, tasks: list[Callable]) -> list:
        if self.jobs == 1:
            with connection.cursor() as cursor:
                return [task(cursor) for task in tasks]
        with ThreadPoolExecutor(self.jobs) as pool:
            return list(pool.map(self._apart, tasks))

    @staticmethod
    def _apart(task: Callable):
        try:
            with connections["default"].cursor() as cursor:
                cursor.execute(f"SET work_mem = '{WORK_MEM}'")
                cursor.execute(f"SET maintenance_work_mem = '{WORK_MEM}'")  # the index builds sort in memory
                cursor.execute("SET jit = off")  # compiling the level statement cost 1–2 s and saved nothing
                return task(cursor)
        finally:
            connections["default"].close()


def _statement(sql: str, params: dict | None = None, *, snapshot: str | None = None) -> Callable:
    def run(cursor):
        if snapshot is None:
            cursor.execute(sql, params)
            return cursor.rowcount
        with transaction.atomic():  # one snapshot for every loader: each appeal is read exactly once
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            cursor.execute("SET TRANSACTION SNAPSHOT %s", [snapshot])
            cursor.execute(sql, params)
            return cursor.rowcount

    return run


def _load_footprints(runner: _Runner, cursor) -> int:
    """The footprints of every appeal, read by `jobs` loaders over ranges of the table's pages."""
    sql = FOOTPRINT_INSERT.format(table=FOOTPRINT_TABLE + NEW)
    if runner.jobs == 1:
        return runner.run([_statement(sql, _params())])[0]
    cursor.execute("SELECT pg_relation_size('appeals_appeal') / current_setting('block_size')::int")
    pages = cursor.fetchone()[0]
    ranges = _chunks(0, pages, runner.jobs * 2)
    with transaction.atomic(using="default"):
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        tasks = [
            _statement(
                sql + " AND a.ctid >= %(first)s::tid" + (" AND a.ctid < %(end)s::tid" if i < len(ranges) - 1 else ""),
                _params(first=f"({lo},0)", end=f"({hi + 1},0)"),
                snapshot=snapshot,
            )
            for i, (lo, hi) in enumerate(ranges)
        ]
        return sum(runner.run(tasks))


def _copy_schema_sql(cursor, table: str) -> tuple[list[str], list[str], list[str]]:
    """(CREATE INDEX statements that give table__new the live table's indexes under temporary names — each
    may run beside the others, two builds on one table included —, statements that turn the key indexes into
    the live constraints, statements that rename all of them to the live names after the swap)."""
    build, attach, rename = [], [], []
    cursor.execute(
        "SELECT c.relname, pg_get_indexdef(i.indexrelid), k.conname, k.contype FROM pg_index i "
        "JOIN pg_class c ON c.oid = i.indexrelid LEFT JOIN pg_constraint k ON k.conindid = i.indexrelid "
        "AND k.contype IN ('p', 'u') WHERE i.indrelid = %s::regclass ORDER BY k.contype NULLS LAST, c.relname",
        [table],
    )
    for index, definition, constraint, kind in cursor.fetchall():
        name = constraint or index
        match = re.match(r"^(CREATE (?:UNIQUE )?INDEX )(\S+)( ON (?:\S+\.)?)(\S+)( .*)$", definition)
        build.append(f'{match[1]}"{name}{NEW}"{match[3]}{table}{NEW}{match[5]}')
        if constraint:
            what = "PRIMARY KEY" if kind == "p" else "UNIQUE"
            attach.append(f'ALTER TABLE {table}{NEW} ADD CONSTRAINT "{name}{NEW}" {what} USING INDEX "{name}{NEW}"')
            rename.append(f'ALTER TABLE {table} RENAME CONSTRAINT "{name}{NEW}" TO "{name}"')
        else:
            rename.append(f'ALTER INDEX "{name}{NEW}" RENAME TO "{name}"')
    return build, attach, rename


def rebuild_all(*, jobs: int = 2) -> dict[str, int]:
    """Rebuild the whole rollup from the appeals table (the nightly drift correction).

    Every table is built anew beside the live one (`<table>__new`, no index while loading), its indexes
    after, and the names are swapped in one short transaction: readers see the old rows until then and
    never wait for the build. Footprints are loaded by `jobs` connections from one exported snapshot, the
    day levels by `jobs` connections over ranges of days, the indexes in parallel too.

    Incremental updates during the rebuild: the rebuild holds the writers' advisory lock from before it reads
    the appeals until the swap, so an update meanwhile is queued (`heatmap.receivers`) or waits (the task)
    and runs after the swap against the new tables — its difference is taken against the new footprints,
    which the new levels sum exactly, so nothing is counted twice or lost."""
    if not is_postgresql():
        return rebuild_python()
    runner = _Runner(jobs)
    started = time.perf_counter()
    with connection.cursor() as cursor:
        if runner.jobs == 1:
            with transaction.atomic():
                _lock(cursor, wait=True)
                counts = _rebuild(runner, cursor)
        else:
            cursor.execute("SELECT pg_advisory_lock(%s)", [LOCK_KEY])
            try:
                counts = _rebuild(runner, cursor)
            finally:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [LOCK_KEY])
    log.info("Тепловая карта пересобрана за %.1f с: %s", time.perf_counter() - started, counts)
    return counts


def _rebuild(runner: _Runner, cursor) -> dict[str, int]:
    try:
        for table in TABLES:
            cursor.execute(f"DROP TABLE IF EXISTS {table}{NEW}")  # left by an interrupted rebuild
            cursor.execute(f"CREATE TABLE {table}{NEW} (LIKE {table} INCLUDING DEFAULTS INCLUDING IDENTITY)")
        stage = _Stages()
        footprints = _load_footprints(runner, cursor)
        stage("следы")
        cursor.execute(
            f"SELECT min(registered_day), max(greatest(registered_day, answered_day)) FROM {FOOTPRINT_TABLE}{NEW}"
        )
        first, last = cursor.fetchone()
        if first is not None:  # chunks of whole months, so that each writes its months too
            months = []
            while first <= last:
                months.append(first.replace(day=1))
                first = _month_end(first) + datetime.timedelta(days=1)
            cursor.execute(f"ANALYZE {FOOTPRINT_TABLE}{NEW}")  # for a hash aggregation, not a sort of every row
            sql = _levels_sql(months=True).format(**_names(NEW))
            chunks = [{"lo": months[lo], "hi": _month_end(months[hi])}
                      for lo, hi in _chunks(0, len(months) - 1, runner.jobs)]  # fmt: skip
            runner.run([_statement(sql, chunk) for chunk in chunks])
            stage("дни и месяцы")
        schema = {table: _copy_schema_sql(cursor, table) for table in TABLES}
        biggest = (FOOTPRINT_TABLE, TOPIC_DAY.table, DAY.table, CELL_MONTH.table)
        builds = [sql for table in biggest for sql in schema[table][0]]
        builds += [sql for table in TABLES if table not in biggest for sql in schema[table][0]]
        runner.run([_statement(sql) for sql in builds])
        runner.run([_statements([sql for table in TABLES for sql in schema[table][1]])])
        stage("индексы")
        runner.run([_statement(f"ANALYZE {table}{NEW}") for table in TABLES])
        stage("ANALYZE")
        counts = {"footprints": footprints}
        for key, table in (("cell_months", CELL_MONTH.table), ("months", MONTH.table)):
            cursor.execute(f"SELECT count(*) FROM {table}{NEW}")
            counts[key] = cursor.fetchone()[0]
        _swap(cursor, schema)
        stage("подмена")
        log.info("Тепловая карта, этапы пересборки: %s", stage.report())
    except BaseException:
        if not connection.in_atomic_block:
            for table in TABLES:
                cursor.execute(f"DROP TABLE IF EXISTS {table}{NEW}")
        raise
    return counts


class _Stages:
    """Seconds of each stage of a rebuild, for the log."""

    def __init__(self):
        self.last, self.done = time.perf_counter(), []

    def __call__(self, name: str) -> None:
        now = time.perf_counter()
        self.done.append(f"{name} {now - self.last:.1f} с")
        self.last = now

    def report(self) -> str:
        return ", ".join(self.done)


def _statements(sqls: list[str]) -> Callable:
    def run(cursor):
        for sql in sqls:
            cursor.execute(sql)

    return run


def _swap(cursor, schema: dict[str, tuple[list[str], list[str], list[str]]]) -> None:
    """The new tables take the live names in one transaction: a reader waits at most for this, never for
    the build (DROP and RENAME take their table's exclusive lock until the commit). The view of the footprint
    days is dropped with the old footprints and made again over the new ones."""
    cursor.execute("SELECT pg_get_viewdef(%s::regclass)", [FOOTPRINT_VIEW])
    view = cursor.fetchone()[0]
    with transaction.atomic():
        cursor.execute(f"DROP VIEW {FOOTPRINT_VIEW}")
        for table in TABLES:
            sequence = None
            if table != FOOTPRINT_TABLE:  # the levels' id is an identity column with its own sequence
                cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table + NEW])
                sequence = cursor.fetchone()[0]
            cursor.execute(f"DROP TABLE {table}")
            cursor.execute(f"ALTER TABLE {table}{NEW} RENAME TO {table}")
            for sql in schema[table][2]:
                cursor.execute(sql)
            if sequence:
                cursor.execute(f"SELECT setval(%s, COALESCE((SELECT max(id) FROM {table}), 0) + 1, false)", [sequence])
                cursor.execute(f"ALTER SEQUENCE {sequence} RENAME TO {table}_id_seq")
        cursor.execute(f"CREATE VIEW {FOOTPRINT_VIEW} AS {view}")


def rebuild_python() -> dict[str, int]:
    """The same rollup computed in Python: for the embedded SQLite default (a few thousand demo appeals)."""
    from . import rollup_python

    footprints = rollup_python.footprints()
    cells = contributions([rollup_python.as_row(f) for f in footprints])
    rows = {level: level_rows(level, cells) for level in LEVELS}
    with transaction.atomic():
        HeatFootprint.objects.all().delete()
        HeatFootprint.objects.bulk_create(footprints, batch_size=2000)
        for level in LEVELS:
            level.model.objects.all().delete()
            level.model.objects.bulk_create(rows[level], batch_size=2000)
    return {"cell_months": len(rows[CELL_MONTH]), "months": len(rows[MONTH]), "footprints": len(footprints)}
