"""Reads of the moderation center: the queue, messages, surges, reports and the figures of a period.
Every list starts from a `*_visible_to(user)` selector."""

import datetime
import zoneinfo

from django.contrib.postgres.search import SearchQuery, SearchVector
from django.db import connection
from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone

from cur.roles import can
from informing import selectors as informing_selectors
from informing.selectors import durations, share

from .models import IncomingMessage, MessageEvent, ModerationReport, Surge

MOSCOW = zoneinfo.ZoneInfo("Europe/Moscow")


def messages_visible_to(user) -> QuerySet[IncomingMessage]:
    qs = IncomingMessage.objects.all()
    return qs if can(user, "moderation.work") else qs.none()


def _with_relations(qs: QuerySet[IncomingMessage]) -> QuerySet[IncomingMessage]:
    return qs.select_related("territory", "sector_block", "assigned_to").defer("territory__boundary")


def _filter(qs, *, network: str = "", territory=None, sector_block=None, q: str = "", assigned_to=None):
    if network:
        qs = qs.filter(network=network)
    if territory is not None:
        qs = qs.filter(territory=territory)
    if sector_block is not None:
        qs = qs.filter(sector_block=sector_block)
    if assigned_to is not None:
        qs = qs.filter(assigned_to=assigned_to)
    return _search(qs, q.strip())


def _search(qs, q: str):
    """An author («@handle») or words of the text: Russian full-text search on PostgreSQL (served by
    message_text_fts_idx), icontains on SQLite."""
    if not q:
        return qs
    if q.startswith("@"):
        return qs.filter(author__iexact=q)
    if connection.vendor == "postgresql":
        return qs.alias(fts=SearchVector("text", config="russian")).filter(
            fts=SearchQuery(q, config="russian", search_type="websearch")
        )
    return qs.filter(Q(text__icontains=q) | Q(author__icontains=q))


def queue(user, *, mine: bool = False, unassigned: bool = False, overdue: bool = False, **filters):
    """Open messages, the nearest deadline first (served by message_queue_idx)."""
    qs = _with_relations(messages_visible_to(user).filter(status__in=IncomingMessage.OPEN_STATUSES))
    qs = _filter(qs, **filters)
    if mine:
        qs = qs.filter(assigned_to=user)
    if unassigned:
        qs = qs.filter(assigned_to__isnull=True)
    if overdue:
        qs = qs.filter(due_at__lt=timezone.now())
    return qs.order_by("due_at", "id")


def message_list(user, *, status: str = "", **filters):
    """All messages, newest first (served by message_received_idx)."""
    qs = _with_relations(messages_visible_to(user)).select_related("event", "disinformation")
    if status:
        qs = qs.filter(status=status)
    return _filter(qs, **filters).order_by("-received_at", "-id")


def message_for(user, pk: int) -> IncomingMessage:
    return _with_relations(messages_visible_to(user)).select_related("event", "disinformation", "decided_by").get(pk=pk)


def message_timeline(message: IncomingMessage) -> QuerySet[MessageEvent]:
    return message.history.select_related("actor").order_by("created_at", "id")


def surges_visible_to(user) -> QuerySet[Surge]:
    qs = Surge.objects.all()
    return qs if can(user, "moderation.work") else qs.none()


def surge_list(user, *, status: str = ""):
    qs = surges_visible_to(user).select_related("sector_block", "territory", "event").defer("territory__boundary")
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-detected_at", "-id")


def may_see_reports(user) -> bool:
    """The center's reports: the center itself and those who read ИНФОЦУР (the curator, the executive…)."""
    return can(user, "moderation.work") or can(user, "informing.view")


def reports_visible_to(user) -> QuerySet[ModerationReport]:
    qs = ModerationReport.objects.all()
    return qs if may_see_reports(user) else qs.none()


# --- figures -------------------------------------------------------------------------------------


def message_figures(start: datetime.datetime, end: datetime.datetime) -> dict:
    """Messages of [start, end): received (by network), decided (by decision), time to first reaction
    and to decision, the share decided on time, the deadlines of the period that were missed."""
    messages = IncomingMessage.objects
    received = messages.filter(received_at__gte=start, received_at__lt=end)
    reacted = list(received.filter(reacted_at__isnull=False).values_list("received_at", "reacted_at"))
    decided = messages.filter(decided_at__gte=start, decided_at__lt=end)
    decided_rows = list(decided.values_list("received_at", "decided_at", "due_at"))
    due = messages.filter(due_at__gte=start, due_at__lt=end)
    by_moderator = (
        decided.values("decided_by__last_name", "decided_by__first_name", "decided_by__username")
        .annotate(n=Count("pk"), on_time=Count("pk", filter=Q(decided_at__lte=F("due_at"))))
        .order_by("-n", "decided_by__last_name")
    )
    return {
        "received": received.count(),
        "received_by_network": dict(received.values_list("network").annotate(n=Count("pk")).order_by()),
        "decided": len(decided_rows),
        "decisions": dict(decided.values_list("status").annotate(n=Count("pk")).order_by()),
        "reaction": durations(reacted),
        "decision": {
            **durations((r, d) for r, d, _ in decided_rows),
            "on_time_pct": share(sum(1 for _, d, due_at in decided_rows if d <= due_at), len(decided_rows)),
        },
        "due": due.count(),
        "due_missed": due.filter(Q(decided_at__isnull=True) | Q(decided_at__gt=F("due_at"))).count(),
        "moderators": [
            {
                "name": " ".join(p for p in (row["decided_by__last_name"], row["decided_by__first_name"]) if p)
                or row["decided_by__username"]
                or "—",
                "decided": row["n"],
                "on_time": row["on_time"],
            }
            for row in by_moderator
        ],
    }


def period_figures(start: datetime.datetime, end: datetime.datetime) -> dict:
    """Every figure of the center for [start, end): what a report freezes and the dashboard shows."""
    return {"messages": message_figures(start, end), "events": informing_selectors.event_figures(start, end)}


def day_bounds(first: datetime.date, last: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    """[00:00 of the first day, 00:00 after the last day) in Moscow time."""
    start = datetime.datetime.combine(first, datetime.time.min, tzinfo=MOSCOW)
    end = datetime.datetime.combine(last + datetime.timedelta(days=1), datetime.time.min, tzinfo=MOSCOW)
    return start, end


def queue_state(now: datetime.datetime | None = None) -> dict:
    """The queue right now: open, unassigned, overdue; open per moderator."""
    now = now or timezone.now()
    open_qs = IncomingMessage.objects.filter(status__in=IncomingMessage.OPEN_STATUSES)
    totals = open_qs.aggregate(
        open=Count("pk"),
        unassigned=Count("pk", filter=Q(assigned_to__isnull=True)),
        overdue=Count("pk", filter=Q(due_at__lt=now)),
    )
    per = (
        open_qs.filter(assigned_to__isnull=False)
        .values("assigned_to__last_name", "assigned_to__first_name", "assigned_to__username")
        .annotate(n=Count("pk"), overdue=Count("pk", filter=Q(due_at__lt=now)))
        .order_by("-n")
    )
    totals["moderators"] = [
        {
            "name": " ".join(p for p in (r["assigned_to__last_name"], r["assigned_to__first_name"]) if p)
            or r["assigned_to__username"],
            "open": r["n"],
            "overdue": r["overdue"],
        }
        for r in per
    ]
    totals["surges"] = Surge.objects.filter(status=Surge.Status.PROPOSED).count()
    return totals


def daily_counts(first: datetime.date, last: datetime.date) -> list[dict]:
    """Messages received and decided per Moscow day, every day of [first, last] present."""
    start, end = day_bounds(first, last)
    received = dict(
        IncomingMessage.objects.filter(received_at__gte=start, received_at__lt=end)
        .annotate(day=TruncDate("received_at", tzinfo=MOSCOW))
        .values_list("day")
        .annotate(n=Count("pk"))
        .order_by()
    )
    decided = dict(
        IncomingMessage.objects.filter(decided_at__gte=start, decided_at__lt=end)
        .annotate(day=TruncDate("decided_at", tzinfo=MOSCOW))
        .values_list("day")
        .annotate(n=Count("pk"))
        .order_by()
    )
    days = [first + datetime.timedelta(days=i) for i in range((last - first).days + 1)]
    return [{"day": d, "received": received.get(d, 0), "decided": decided.get(d, 0)} for d in days]
