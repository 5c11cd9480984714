"""Reads of ИНФОЦУР. Every list, page, export and API starts from a `*_visible_to(user)` selector:
a foreign object is simply not in the queryset (a 404 for the caller)."""

import datetime
import statistics
from collections.abc import Iterable

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Sum
from django.utils import timezone

from cur.models import User
from cur.roles import BLOCK_ROLES, Role, can
from sectors.models import Organisation

from . import metrics
from .models import (
    DisinformationCase,
    EventHistory,
    InformationActivity,
    InformationEvent,
    Material,
    OfficialPage,
    Recommendation,
)

# Roles that see ИНФОЦУР of the whole region; block roles see their sector blocks.
REGION_WIDE_ROLES = frozenset({Role.ADMIN, Role.CURATOR, Role.EXECUTIVE, Role.MODERATOR})
# Bodies that must keep an official page (270-ФЗ, Положение 2.1.9): state and municipal bodies
# and the organisations subordinate to them.
PAGE_REQUIRED_KINDS = (
    Organisation.Kind.REGIONAL_BODY,
    Organisation.Kind.LOCAL_GOVERNMENT,
    Organisation.Kind.SUBORDINATE,
)
# A page without a publication for this long is shown as silent.
SILENT_AFTER = datetime.timedelta(days=30)


def _blocks(user):
    return user.sector_blocks.all()


# --- events --------------------------------------------------------------------------------------


def events_visible_to(user) -> QuerySet[InformationEvent]:
    """The events a user may see: the whole region, or the user's sector blocks."""
    qs = InformationEvent.objects.all()
    if not can(user, "informing.view"):
        return qs.none()
    if user.role in REGION_WIDE_ROLES:
        return qs
    if user.role in BLOCK_ROLES:
        return qs.filter(sector_block__in=_blocks(user))
    return qs.none()


def with_event_relations(qs: QuerySet[InformationEvent]) -> QuerySet[InformationEvent]:
    return qs.select_related("sector_block", "responsible").prefetch_related("territories")


def event_list(
    user,
    *,
    status: str = "",
    priority: str = "",
    sector_block=None,
    territory=None,
    q: str = "",
    open_only: bool = False,
    overdue: bool = False,
    mine: bool = False,
) -> QuerySet[InformationEvent]:
    """The event list of a user with its filters, newest first."""
    qs = with_event_relations(events_visible_to(user))
    if status:
        qs = qs.filter(status=status)
    if open_only:
        qs = qs.filter(status__in=InformationEvent.OPEN_STATUSES)
    if priority:
        qs = qs.filter(priority=priority)
    if sector_block is not None:
        qs = qs.filter(sector_block=sector_block)
    if territory is not None:
        qs = qs.filter(territories=territory)
    if overdue:
        qs = qs.filter(status__in=InformationEvent.OPEN_STATUSES, work_off_by__lt=timezone.now())
    if mine:
        qs = qs.filter(responsible=user)
    if q.strip():
        qs = qs.filter(Q(title__icontains=q.strip()) | Q(essence__icontains=q.strip()))
    return qs.order_by("-first_seen_at", "-id")


def event_for(user, pk: int) -> InformationEvent:
    """One event the user may see (DoesNotExist otherwise)."""
    return (
        events_visible_to(user)
        .select_related("sector_block", "responsible", "created_by")
        .prefetch_related("territories", "topics")
        .get(pk=pk)
    )


def event_timeline(event: InformationEvent) -> QuerySet[EventHistory]:
    return event.history.select_related("actor", "recommendation__organisation").order_by("created_at", "id")


def event_growth(event: InformationEvent) -> tuple[list, metrics.Growth]:
    series = list(event.audience.order_by("measured_at").values_list("measured_at", "reach"))
    return series, metrics.audience_growth(series)


def managers() -> QuerySet[User]:
    """Staff who may be responsible for an event: moderators and administrators."""
    return User.objects.filter(is_active=True, role__in=[Role.MODERATOR, Role.ADMIN]).order_by("last_name", "pk")


def open_events_for_choice(user) -> QuerySet[InformationEvent]:
    return events_visible_to(user).exclude(status=InformationEvent.Status.CLOSED).order_by("-first_seen_at", "-pk")


# --- recommendations -------------------------------------------------------------------------------


def may_see_recommendations(user) -> bool:
    """Staff of ИНФОЦУР, and the staff of a body (executors) for the recommendations to their body."""
    if can(user, "informing.view"):
        return True
    return bool(
        getattr(user, "is_authenticated", False)
        and user.is_active
        and user.role == Role.EXECUTOR
        and user.organisation_id
    )


def recommendations_visible_to(user) -> QuerySet[Recommendation]:
    """Recommendations of the events a user sees; an executor's: those addressed to their organisation."""
    qs = Recommendation.objects.all()
    if can(user, "informing.view"):
        return qs if user.role in REGION_WIDE_ROLES else qs.filter(event__in=events_visible_to(user))
    if may_see_recommendations(user):
        return qs.filter(organisation_id=user.organisation_id)
    return qs.none()


def recommendation_list(user, *, status: str = "", open_only: bool = False, overdue: bool = False):
    qs = recommendations_visible_to(user).select_related("event", "organisation")
    if status:
        qs = qs.filter(status=status)
    if open_only:
        qs = qs.filter(status__in=Recommendation.OPEN_STATUSES)
    if overdue:
        qs = qs.filter(status__in=Recommendation.OPEN_STATUSES, due_at__lt=timezone.now())
    return qs.order_by("due_at", "id")


# --- activities, materials, disinformation, pages ----------------------------------------------


def activities_visible_to(user) -> QuerySet[InformationActivity]:
    qs = InformationActivity.objects.all()
    if not can(user, "informing.view"):
        return qs.none()
    if user.role in REGION_WIDE_ROLES:
        return qs
    return qs.filter(Q(event__isnull=True) | Q(event__sector_block__in=_blocks(user)))


def activity_list(user, *, channel: str = "", event=None, published: bool | None = None):
    qs = activities_visible_to(user).select_related("event", "organisation", "material", "official_page")
    qs = qs.prefetch_related("territories")
    if channel:
        qs = qs.filter(channel=channel)
    if event is not None:
        qs = qs.filter(event=event)
    if published is not None:
        qs = qs.filter(published_at__isnull=not published)
    return qs.order_by("-created_at", "-id")


def materials_visible_to(user) -> QuerySet[Material]:
    qs = Material.objects.all()
    return qs if can(user, "informing.view") else qs.none()


def material_list(user, *, q: str = "", archived: bool = False):
    qs = materials_visible_to(user).filter(is_archived=archived).select_related("sector_block", "event")
    qs = qs.annotate(version_count=Count("versions"))
    if q.strip():
        qs = qs.filter(Q(title__icontains=q.strip()) | Q(body__icontains=q.strip()))
    return qs.order_by("-created_at", "-id")


def cases_visible_to(user) -> QuerySet[DisinformationCase]:
    qs = DisinformationCase.objects.all()
    if not can(user, "informing.view"):
        return qs.none()
    if user.role in REGION_WIDE_ROLES:
        return qs
    return qs.filter(Q(sector_block__isnull=True) | Q(sector_block__in=_blocks(user)))


def case_list(user, *, status: str = ""):
    qs = cases_visible_to(user).select_related("event", "sector_block", "refutation_material")
    if status:
        qs = qs.filter(status=status)
    return qs.annotate(spread_count=Count("spread", distinct=True), warning_count=Count("warnings", distinct=True))


def official_pages_visible_to(user) -> QuerySet[OfficialPage]:
    qs = OfficialPage.objects.all()
    return qs if can(user, "informing.view") else qs.none()


def official_page_list(user, *, network: str = "", status: str = "", verified: bool | None = None, q: str = ""):
    qs = official_pages_visible_to(user).select_related("organisation")
    if network:
        qs = qs.filter(network=network)
    if status:
        qs = qs.filter(status=status)
    if verified is not None:
        qs = qs.filter(verified=verified)
    if q.strip():
        qs = qs.filter(
            Q(organisation__name__icontains=q.strip())
            | Q(organisation__short_name__icontains=q.strip())
            | Q(name__icontains=q.strip())
        )
    return qs.order_by("organisation__name", "network", "pk")


def organisations_without_page(user, *, kinds: Iterable[str] = PAGE_REQUIRED_KINDS, territory=None):
    """Active bodies of the given kinds with no active official page (Положение 2.1.9); each says
    how many pages it has that are not kept (blocked, closed, abandoned)."""
    if not can(user, "informing.view"):
        return Organisation.objects.none()
    active = OfficialPage.objects.filter(organisation=OuterRef("pk"), status=OfficialPage.Status.ACTIVE)
    qs = (
        Organisation.objects.filter(is_active=True, kind__in=list(kinds))
        .filter(~Exists(active))
        .select_related("territory")
        .defer("territory__boundary")
        .annotate(other_pages=Count("official_pages"))
    )
    if territory is not None:
        qs = qs.filter(territory=territory)
    return qs.order_by("name", "pk")


def silent_since() -> datetime.datetime:
    return timezone.now() - SILENT_AFTER


# --- figures for the center's reports ---------------------------------------------------------


def durations(pairs: Iterable[tuple[datetime.datetime, datetime.datetime]]) -> dict:
    """Count, median and mean of (start, end) spans in minutes (rounded to 0.1)."""
    minutes = [(end - start).total_seconds() / 60 for start, end in pairs if start and end and end >= start]
    if not minutes:
        return {"count": 0, "median_min": None, "mean_min": None}
    return {
        "count": len(minutes),
        "median_min": round(statistics.median(minutes), 1),
        "mean_min": round(statistics.fmean(minutes), 1),
    }


def share(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def event_figures(start: datetime.datetime, end: datetime.datetime) -> dict:
    """ИНФОЦУР's figures for [start, end): events detected, reacted to and worked off (and on time),
    outcomes, recommendations, activities and disinformation."""
    events = InformationEvent.objects
    detected = events.filter(created_at__gte=start, created_at__lt=end)
    reaction = list(detected.filter(reacted_at__isnull=False).values_list("created_at", "reacted_at", "react_by"))
    worked = list(
        events.filter(worked_off_at__gte=start, worked_off_at__lt=end).values_list(
            "created_at", "worked_off_at", "work_off_by"
        )
    )
    due = events.filter(work_off_by__gte=start, work_off_by__lt=end)
    closed = events.filter(closed_at__gte=start, closed_at__lt=end)
    outcomes = dict(closed.values_list("outcome").annotate(n=Count("pk")).order_by())
    recs = Recommendation.objects
    issued = recs.filter(created_at__gte=start, created_at__lt=end)
    done = list(recs.filter(done_at__gte=start, done_at__lt=end).values_list("due_at", "done_at"))
    published = InformationActivity.objects.filter(published_at__gte=start, published_at__lt=end)
    cases = DisinformationCase.objects
    return {
        "events_detected": detected.count(),
        "events_by_origin": dict(detected.values_list("origin").annotate(n=Count("pk")).order_by()),
        "reaction": {
            **durations((c, r) for c, r, _ in reaction),
            "on_time_pct": share(sum(1 for _, r, by in reaction if r <= by), len(reaction)),
        },
        "worked_off": {
            **durations((c, w) for c, w, _ in worked),
            "on_time_pct": share(sum(1 for _, w, by in worked if w <= by), len(worked)),
        },
        "events_due": due.count(),
        "events_due_missed": due.filter(Q(worked_off_at__isnull=True) | Q(worked_off_at__gt=F("work_off_by"))).count(),
        "events_closed": closed.count(),
        "outcomes": {k: v for k, v in outcomes.items() if k},
        "recommendations_issued": issued.count(),
        "recommendations_done": len(done),
        "recommendations_done_on_time_pct": share(sum(1 for d, t in done if t <= d), len(done)),
        "recommendations_escalated": recs.filter(escalated_at__gte=start, escalated_at__lt=end).count(),
        "activities_published": published.count(),
        "activities_reach": published.aggregate(total=Sum("reach"))["total"] or 0,
        "disinformation_detected": cases.filter(detected_at__gte=start, detected_at__lt=end).count(),
        "disinformation_refuted": cases.filter(refuted_at__gte=start, refuted_at__lt=end).count(),
    }
