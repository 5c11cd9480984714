"""Reads of appeals. Every list, page, export and API starts from `appeals_visible_to(user)`."""

import datetime

from django.db.models import Q, QuerySet
from django.utils import timezone

from cur.roles import Role, can
from sectors.models import Territory

from .models import Appeal, AppealEvent, Incident, Topic

# Roles that see every appeal of the region.
REGION_WIDE_ROLES = frozenset({Role.ADMIN, Role.CURATOR, Role.EXECUTIVE, Role.OPERATOR, Role.MODERATOR})


def territory_and_descendants(territory: Territory) -> list[int]:
    """Ids of a territory and everything below it (three levels at most: region → district → settlement)."""
    ids, frontier = [territory.pk], [territory.pk]
    while frontier:
        frontier = list(Territory.objects.filter(parent_id__in=frontier).values_list("pk", flat=True))
        ids.extend(frontier)
    return ids


def appeals_visible_to(user) -> QuerySet[Appeal]:
    """The appeals a user may see: the whole region, their blocks, their organisation or territory."""
    qs = Appeal.objects.all()
    if not can(user, "appeals.view"):
        return qs.none()
    if user.role in REGION_WIDE_ROLES:
        return qs
    if user.role in (Role.BLOCK_HEAD, Role.BLOCK_RESPONSIBLE):
        return qs.filter(sector_block__in=user.sector_blocks.all())
    if user.role == Role.EXECUTOR:
        return qs.filter(organisation_id=user.organisation_id) if user.organisation_id else qs.none()
    if user.role == Role.MUNICIPAL_OPERATOR:
        return qs.filter(territory_id__in=territory_and_descendants(user.territory)) if user.territory_id else qs.none()
    return qs.none()


def with_list_relations(qs: QuerySet[Appeal]) -> QuerySet[Appeal]:
    # Territories carry their boundary GeoJSON (up to 100 KB each): never load it for a list.
    return qs.select_related(
        "territory", "sector_block", "topic", "organisation", "suggested_topic", "suggested_sector_block"
    ).defer("territory__boundary")


def triage_queue(user) -> QuerySet[Appeal]:
    """New and reopened appeals waiting for an operator, the oldest deadline pressure first."""
    return with_list_relations(appeals_visible_to(user).filter(status__in=[Appeal.Status.NEW, Appeal.Status.REOPENED]))


def appeal_for(user, pk: int) -> Appeal:
    """One appeal the user may see (Appeal.DoesNotExist otherwise: the caller turns it into a 404)."""
    return (
        with_list_relations(appeals_visible_to(user))
        .select_related("incident", "repeat_of", "registered_by", "suggested_territory")
        .get(pk=pk)
    )


def appeal_timeline(appeal: Appeal) -> QuerySet[AppealEvent]:
    return appeal.events.select_related("actor").order_by("created_at", "id")


def related_appeals(user, appeal: Appeal, *, limit: int = 10) -> dict[str, list[Appeal]]:
    """Same applicant (phone or e-mail), same address, same incident — within the user's scope.

    One query per condition, each the newest `limit` rows of its own index (appeal_same_*_idx):
    an OR of conditions under ORDER BY … LIMIT makes PostgreSQL walk the date index instead."""
    base = with_list_relations(appeals_visible_to(user)).exclude(pk=appeal.pk).order_by("-registered_at")

    def newest(field: str, lookup: str = "exact") -> list[Appeal]:
        value = getattr(appeal, field)
        if not str(value or "").strip():
            return []
        # The index is partial (field <> ''); the planner cannot infer that from UPPER(field) = …
        return list(base.filter(**{f"{field}__{lookup}": value}).exclude(**{field: ""})[:limit])

    applicant = newest("applicant_phone") + newest("applicant_email", "iexact")
    applicant = sorted({a.pk: a for a in applicant}.values(), key=lambda a: a.registered_at, reverse=True)
    return {
        "applicant": applicant[:limit],
        "address": newest("address", "iexact"),
        "incident": list(base.filter(incident_id=appeal.incident_id)[:limit]) if appeal.incident_id else [],
    }


def days_left(appeal: Appeal, now: datetime.datetime | None = None) -> int | None:
    """Whole days until the deadline (negative when overdue); None without a deadline."""
    if appeal.due_at is None:
        return None
    now = now or timezone.now()
    return (timezone.localtime(appeal.due_at).date() - timezone.localtime(now).date()).days


def topics_for_choice() -> QuerySet[Topic]:
    return Topic.objects.filter(is_active=True).select_related("sector_block", "group").order_by("name")


def mask(value: str) -> str:
    """Personal data as roles without access see it: the first character, then stars."""
    value = value or ""
    if len(value) <= 1:
        return "*" * len(value)
    return value[0] + "*" * min(len(value) - 1, 8)


def incidents_visible_to(user) -> QuerySet[Incident]:
    """Incidents of the whole region for region-wide roles; otherwise those with an appeal the user
    sees, or created by the user."""
    qs = Incident.objects.select_related("sector_block", "topic", "territory", "created_by")
    if not can(user, "appeals.view"):
        return qs.none()
    if user.role in REGION_WIDE_ROLES:
        return qs
    linked = appeals_visible_to(user).filter(incident__isnull=False).values("incident_id")
    return qs.filter(Q(pk__in=linked) | Q(created_by=user))
