"""The deadline sweep (Celery beat, every few minutes): reminders, overdue marks, escalation.

Each step is a set-based statement whose WHERE clause is also its idempotency gate, so a sweep
run twice, or by two workers at once, sends every reminder and escalation exactly once:

- overdue: ``UPDATE … SET overdue_at = now WHERE overdue_at IS NULL AND due_at < now … RETURNING id``
  (over the candidates a small partial index names, in batches: see mark_overdue);
- reminders and escalations: ``INSERT INTO deadline notices SELECT … ON CONFLICT DO NOTHING
  RETURNING appeal_id``; the unique key (appeal, kind, level, due_at) lets one of two racing
  sweeps insert a notice and the other skip it (it waits for the first to commit), and an
  extension (a new due_at) gets new ones;
- escalation_level is then advanced by a conditional UPDATE (``WHERE escalation_level < level``).

Only the rows those statements returned get an AppealEvent and a notification, so the Python
work is proportional to what changed, never to the number of open appeals. The statements run
on PostgreSQL and on SQLite ≥ 3.35 (RETURNING and upsert). Indexes: appeal_open_due_idx for
reminders, appeal_sweep_overdue_idx and appeal_sweep_escalation_idx (migration 0005) for the
rest; bench/README.md has the figures (4 ms per sweep at 1M appeals, 0.5 s with 1M open).

The escalation chain follows Положение о ЦУР 3.5.2: the executor (reminders, the overdue
notice) → руководитель отраслевого блока (level 1) → ответственный за отраслевой блок (level 2).
Appeals without a sector block are escalated (event, notice) but nobody is notified.
"""

import datetime
from collections import defaultdict, namedtuple
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection, transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from cur.models import User
from cur.roles import Role
from cur.services import notify

from .. import events
from ..events import days, moscow_date, plural
from ..models import Appeal, AppealEvent, DeadlineNotice
from ..signals import appeals_changed
from . import deadlines

# Defaults until the lead moves them into cur/settings.py: remind when this many days (Moscow
# calendar days, as the appeal page counts them) are left; escalate to level 1, 2 when overdue
# by this many days.
DEFAULT_REMINDER_DAYS = (3, 1)
DEFAULT_ESCALATION_DAYS = (0, 3)
# Who is told at each escalation level: the block roles of the appeal's sector block.
ESCALATION_ROLES = {1: Role.BLOCK_HEAD, 2: Role.BLOCK_RESPONSIBLE}

CHUNK = 5000  # ids per IN (...) list: well under SQLite's 32,766 host parameters
FIRST_BATCH = 100  # see mark_overdue
LISTED = 20  # appeal numbers listed in one notification before "и ещё N"

K = AppealEvent.Kind
N = DeadlineNotice.Kind


def reminder_days() -> list[int]:
    return sorted({int(d) for d in getattr(settings, "APPEAL_REMINDER_DAYS", DEFAULT_REMINDER_DAYS)})


def escalation_days() -> list[int]:
    days = [int(d) for d in getattr(settings, "APPEAL_ESCALATION_DAYS", DEFAULT_ESCALATION_DAYS)]
    if len(days) > len(ESCALATION_ROLES) or days != sorted(days):
        raise ValueError("APPEAL_ESCALATION_DAYS: at most two non-decreasing numbers of days overdue.")
    return days


# --- SQL ----------------------------------------------------------------------------------------
# Only identifiers from model metadata and the code constants below are formatted into the SQL;
# every value is a query parameter.

A = Appeal._meta.db_table
NT = DeadlineNotice._meta.db_table
# Literal statuses (not parameters) so the planner can prove the partial index's predicate.
CLOCK = f"status IN ({', '.join(repr(str(s)) for s in Appeal.CLOCK_STATUSES)}) AND clock_paused_at IS NULL"

# Served by appeal_sweep_overdue_idx (running appeals not yet marked, by due date): ordered by
# due_at with a LIMIT, the planner walks that small index from its start and stops at `now`.
OVERDUE_CANDIDATES = f"""
    SELECT id FROM {A} WHERE {CLOCK} AND overdue_at IS NULL AND due_at < %s ORDER BY due_at LIMIT %s
"""  # noqa: S608
# The gate: a row marked meanwhile (by a racing sweep) no longer matches and is not returned.
MARK_OVERDUE = f"""
    UPDATE {A} SET overdue_at = %s, updated_at = %s
    WHERE id IN ({{ids}}) AND {CLOCK} AND overdue_at IS NULL AND due_at < %s
    RETURNING id
"""  # noqa: S608

# One row per appeal due within the widest offset: the smallest offset it falls into, so an
# appeal assigned a day before its deadline gets the 1-day reminder, not the 3-day one as well.
REMINDERS = """
    INSERT INTO {nt} (appeal_id, kind, level, due_at, created_at)
    SELECT id, %s, CASE {cases} END, due_at, %s FROM {a}
    WHERE {clock} AND due_at >= %s AND due_at < %s
    ORDER BY id
    ON CONFLICT (appeal_id, kind, level, due_at) DO NOTHING
    RETURNING appeal_id, level
"""

# Served by appeal_sweep_escalation_idx (overdue running appeals below the last level, by level
# and due date); the level is a literal so that the planner can match the index's predicate.
# Ordered by id so two racing sweeps take the unique-key locks in the same order (no deadlock).
ESCALATE = """
    INSERT INTO {nt} (appeal_id, kind, level, due_at, created_at)
    SELECT id, %s, {level}, due_at, %s FROM {a}
    WHERE {clock} AND overdue_at IS NOT NULL AND escalation_level < {level} AND due_at < %s
    ORDER BY id
    ON CONFLICT (appeal_id, kind, level, due_at) DO NOTHING
    RETURNING appeal_id
"""

# The level follows the notices this sweep inserted; never lowered.
ADVANCE_LEVEL = """
    UPDATE {a} SET escalation_level = {level}, updated_at = %s WHERE id IN ({ids}) AND escalation_level < {level}
"""


def _dt(value: datetime.datetime):
    """A datetime as the backend stores it (SQLite compares naive UTC text, not aware datetimes)."""
    return connection.ops.adapt_datetimefield_value(value)


def _day_start(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=deadlines.MOSCOW)


def _fetch(sql: str, params: Sequence) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def mark_overdue(now: datetime.datetime, batch: int = CHUNK) -> list[int]:
    """Set overdue_at on running appeals past their due date; the ids this call marked.

    One conditional UPDATE per batch of candidates rather than one over the whole range: given
    `status IN (…) AND overdue_at IS NULL AND due_at < now`, PostgreSQL estimates that most
    running appeals match (most due dates in the table are past — those of closed appeals) and
    reads every running appeal (0.1–0.2 s at 1M appeals, every 5 minutes) instead of the few
    entries of appeal_sweep_overdue_idx that are past due. The first batch is small so that the
    planner walks that index (a LIMIT of 100 makes the walk look cheap); when there are many
    candidates, the larger batches that follow may use any plan.
    """
    t = _dt(now)
    marked: list[int] = []
    size = min(FIRST_BATCH, batch)
    while True:
        ids = [row[0] for row in _fetch(OVERDUE_CANDIDATES, [t, size])]
        if ids:
            sql = MARK_OVERDUE.format(ids=", ".join(["%s"] * len(ids)))
            marked += [row[0] for row in _fetch(sql, [t, t, *ids, t])]
        if len(ids) < size:
            return marked
        size = min(size * 10, batch)


def insert_reminders(now: datetime.datetime, days: Sequence[int]) -> list[tuple[int, int]]:
    """Record the reminders now due; (appeal id, days left) for those not recorded before."""
    if not days:
        return []
    today = now.astimezone(deadlines.MOSCOW).date()
    # Due before the start of (today + d + 1) ⇔ at most d calendar days left.
    limits = [(d, _day_start(today + datetime.timedelta(days=d + 1))) for d in sorted(days)]
    cases = " ".join(f"WHEN due_at < %s THEN {int(d)}" for d, _ in limits)
    sql = REMINDERS.format(nt=NT, a=A, clock=CLOCK, cases=cases)
    params = [N.REMINDER, *(_dt(limit) for _, limit in limits), _dt(now), _dt(now), _dt(limits[-1][1])]
    return [(appeal_id, level) for appeal_id, level in _fetch(sql, params)]


def escalate(now: datetime.datetime, level: int, days_overdue: int) -> list[int]:
    """Record escalations to `level` of appeals overdue by `days_overdue` days; the ids recorded now."""
    since = _dt(now - datetime.timedelta(days=days_overdue))
    sql = ESCALATE.format(a=A, nt=NT, clock=CLOCK, level=int(level))
    return [row[0] for row in _fetch(sql, [N.ESCALATION, _dt(now), since])]


def advance_levels(escalated: dict[int, list[int]], now: datetime.datetime) -> None:
    """Raise escalation_level to the highest level each appeal was escalated to: one UPDATE per
    appeal even when a late sweep escalates it to two levels at once (every index of the table
    gets a new entry per updated row, so that halves the sweep's writes when it catches up)."""
    seen: set[int] = set()
    for level in sorted(escalated, reverse=True):
        ids = [i for i in escalated[level] if i not in seen]
        seen.update(ids)
        for start in range(0, len(ids), CHUNK):
            chunk = ids[start : start + CHUNK]
            sql = ADVANCE_LEVEL.format(a=A, level=int(level), ids=", ".join(["%s"] * len(chunk)))
            with connection.cursor() as cursor:
                cursor.execute(sql, [_dt(now), *chunk])


# --- what happened, for events and notifications -------------------------------------------------


_number = Appeal.number.fget
_Numbered = namedtuple("_Numbered", "pk registered_at")


@dataclass
class _Item:
    appeal_id: int
    number: str
    organisation_id: int | None
    sector_block_id: int | None
    due_at: datetime.datetime | None


@dataclass
class _Digest:
    """What one user is told by one sweep."""

    reminders: list[tuple[_Item, int]] = field(default_factory=list)
    overdue: list[_Item] = field(default_factory=list)
    escalated: dict[int, list[_Item]] = field(default_factory=lambda: defaultdict(list))

    def count(self) -> int:
        return len(self.reminders) + len(self.overdue) + sum(len(v) for v in self.escalated.values())


def _items(ids: Iterable[int]) -> dict[int, _Item]:
    ids = sorted(set(ids))
    items = {}
    for start in range(0, len(ids), CHUNK):
        rows = Appeal.objects.filter(pk__in=ids[start : start + CHUNK]).values_list(
            "pk", "registered_at", "organisation_id", "sector_block_id", "due_at"
        )
        for pk, registered_at, organisation_id, sector_block_id, due_at in rows:
            number = _number(_Numbered(pk, registered_at))  # Appeal.number without a model instance
            items[pk] = _Item(pk, number, organisation_id, sector_block_id, due_at)
    return items


def _executors(organisation_ids: set[int]) -> dict[int, list[User]]:
    by_org = defaultdict(list)
    users = User.objects.filter(role=Role.EXECUTOR, is_active=True, organisation_id__in=organisation_ids)
    for user in users:
        by_org[user.organisation_id].append(user)
    return by_org


def _block_people(role: str, block_ids: set[int]) -> dict[int, list[User]]:
    by_block = defaultdict(list)
    links = User.sector_blocks.through.objects.filter(
        sectorblock_id__in=block_ids, user__role=role, user__is_active=True
    ).select_related("user")
    for link in links:
        by_block[link.sectorblock_id].append(link.user)
    return by_block


def _detail_url(appeal_id: int) -> str:
    try:
        return reverse("appeals:appeal-detail", args=[appeal_id])
    except NoReverseMatch:  # a notification without a link beats a sweep that fails
        return ""


def _section(heading: str, lines: list[str]) -> list[str]:
    shown = [f"№ {line}" for line in lines[:LISTED]]
    if len(lines) > LISTED:
        shown.append(f"… и ещё {len(lines) - LISTED}")
    return [heading, *shown]


ESCALATION_HEADINGS = {
    1: "Эскалация руководителю отраслевого блока (просрочен срок ответа исполнителя):",
    2: "Эскалация ответственному за отраслевой блок (просрочка не устранена):",
}


def _message(digest: _Digest) -> tuple[str, str, str]:
    """(title, body, url) of one user's notification."""
    body: list[str] = []
    if digest.reminders:
        reminders = sorted(digest.reminders, key=lambda r: (r[0].due_at, r[0].appeal_id))
        lines = [
            f"{item.number} — срок {moscow_date(item.due_at)} (осталось не более {days(d)})" for item, d in reminders
        ]
        body += _section("Приближается срок ответа:", lines)
    if digest.overdue:
        body += _section(
            "Просрочен срок ответа:", [f"{i.number} — срок был {moscow_date(i.due_at)}" for i in digest.overdue]
        )
    for level in sorted(digest.escalated):
        lines = [f"{i.number} — срок был {moscow_date(i.due_at)}" for i in digest.escalated[level]]
        body += _section(ESCALATION_HEADINGS[level], lines)
    total = digest.count()
    if total == 1:
        only = [i for i, _ in digest.reminders] + digest.overdue + [i for v in digest.escalated.values() for i in v]
        item = only[0]
        title = f"Контроль сроков: обращение № {item.number}"
        return title, "\n".join(body), _detail_url(item.appeal_id)
    return (
        f"Контроль сроков: {total} {plural(total, 'обращение', 'обращения', 'обращений')}",
        "\n".join(body),
        "",
    )


def _digests(reminded, overdue, escalated, items: dict[int, _Item]) -> dict[int, tuple[User, _Digest]]:
    """Who is told what: reminders and overdue marks go to the executor organisation's staff,
    escalations to the block roles of the appeal's sector block."""
    digests: dict[int, tuple[User, _Digest]] = {}

    def digest_of(user: User) -> _Digest:
        return digests.setdefault(user.pk, (user, _Digest()))[1]

    executors = _executors(
        {items[a].organisation_id for a, _ in reminded} | {items[a].organisation_id for a in overdue}
    )
    for appeal_id, d in reminded:
        for user in executors.get(items[appeal_id].organisation_id, ()):
            digest_of(user).reminders.append((items[appeal_id], d))
    for appeal_id in overdue:
        for user in executors.get(items[appeal_id].organisation_id, ()):
            digest_of(user).overdue.append(items[appeal_id])
    for level, ids in escalated.items():
        people = _block_people(ESCALATION_ROLES[level], {items[a].sector_block_id for a in ids})
        for appeal_id in ids:
            for user in people.get(items[appeal_id].sector_block_id, ()):
                digest_of(user).escalated[level].append(items[appeal_id])
    return digests


def _notify_digests(digests: dict[int, tuple[User, _Digest]]) -> int:
    """One notification per user; users told the same thing (an organisation's executors, a
    block's people) share one `notify` call, so the calls scale with organisations, not users."""
    groups: dict[tuple[str, str, str], list[User]] = defaultdict(list)
    for user, digest in digests.values():
        groups[_message(digest)].append(user)
    sent = 0
    for (title, body, url), users in groups.items():
        sent += len(notify(users, title=title, body=body, url=url))
    return sent


def _events(reminded, overdue, escalated, items: dict[int, _Item], now: datetime.datetime) -> list[AppealEvent]:
    return [
        *(events.reminder(pk, days_left=d, due_at=items[pk].due_at) for pk, d in reminded),
        *(events.overdue(pk, due_at=items[pk].due_at, now=now) for pk in overdue),
        *(
            events.escalated(pk, level=level, role=ESCALATION_ROLES[level])
            for level, ids in escalated.items()
            for pk in ids
        ),
    ]


def sweep_deadlines(now: datetime.datetime | None = None) -> dict[str, int]:
    """Send due reminders, mark overdue appeals, escalate; each exactly once. Returns counts."""
    now = now or timezone.now()
    with transaction.atomic():
        overdue = mark_overdue(now)
        reminded = insert_reminders(now, reminder_days())
        escalated = {}
        for level, after in enumerate(escalation_days(), start=1):
            escalated[level] = escalate(now, level, after)
        escalated = {level: ids for level, ids in escalated.items() if ids}
        advance_levels(escalated, now)
        counts = {
            "reminders": len(reminded),
            "overdue": len(overdue),
            "escalations": sum(len(ids) for ids in escalated.values()),
            "notifications": 0,
        }
        if not (reminded or overdue or escalated):
            return counts

        items = _items([a for a, _ in reminded] + overdue + [a for ids in escalated.values() for a in ids])
        events.write(_events(reminded, overdue, escalated, items, now))

        counts["notifications"] = _notify_digests(_digests(reminded, overdue, escalated, items))

        changed = {
            K.REMINDER: [a for a, _ in reminded],
            K.OVERDUE: overdue,
            K.ESCALATED: sorted({a for ids in escalated.values() for a in ids}),
        }
        for kind, ids in changed.items():
            if ids:
                transaction.on_commit(lambda k=kind, i=ids: appeals_changed.send(Appeal, appeal_ids=i, kind=k))
    return counts
