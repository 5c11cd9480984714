"""Helpers shared by the informing services: locks, the event timeline, deadlines, permissions."""

import datetime

from django.conf import settings
from django.db import transaction
from django.urls import reverse

from cur import audit
from cur.roles import Role, can

from ..errors import InformingError, NotYourRecommendation
from ..models import EventHistory, InformationEvent, Priority

# Hours for the first reaction and for the working-off of an event, by priority, until
# settings.INFORMING_DEADLINE_HOURS says otherwise.
DEFAULT_DEADLINE_HOURS = {
    Priority.CRITICAL: (1, 12),
    Priority.HIGH: (2, 24),
    Priority.MEDIUM: (4, 48),
    Priority.LOW: (24, 120),
}
MAX_TEXT = 20_000


def deadline_hours(priority: str) -> tuple[int, int]:
    table = getattr(settings, "INFORMING_DEADLINE_HOURS", DEFAULT_DEADLINE_HOURS)
    return tuple(table.get(priority, DEFAULT_DEADLINE_HOURS[Priority.MEDIUM]))


def deadlines_for(priority: str, start: datetime.datetime) -> dict:
    react, work_off = deadline_hours(priority)
    return {
        "react_by": start + datetime.timedelta(hours=react),
        "work_off_by": start + datetime.timedelta(hours=work_off),
    }


def lock_event(event: InformationEvent) -> InformationEvent:
    return InformationEvent.objects.select_for_update().get(pk=event.pk)


def actor(by):
    return by if getattr(by, "pk", None) else None


def history(
    event: InformationEvent, kind: str, by, *, before: str = "", changes=None, comment: str = "", recommendation=None
) -> EventHistory:
    """One row of the event's timeline (and one of the audit log) for one step."""
    row = EventHistory.objects.create(
        event=event,
        kind=kind,
        actor=actor(by),
        from_status=before,
        to_status=event.status if before else "",
        recommendation=recommendation,
        changes=changes or {},
        comment=comment,
    )
    audit.record(
        by, f"information_event.{kind}", event, changes or ({"status": [before, event.status]} if before else {})
    )
    return row


def need_text(value: str, what: str, *, limit: int = MAX_TEXT) -> str:
    value = (value or "").strip()
    if not value:
        raise InformingError(f"Укажите {what}.", code="text_required")
    if len(value) > limit:
        raise InformingError(f"Слишком длинный текст: {what} — не более {limit} знаков.", code="text_too_long")
    return value


def require_manager(by) -> None:
    if by is not None and not can(by, "informing.manage"):
        raise NotYourRecommendation("Недостаточно прав: нужна роль центра модерации.", code="not_permitted")


def require_body_or_manager(recommendation, by) -> None:
    """The body the recommendation is addressed to (its staff) or the center may answer it."""
    if by is None or can(by, "informing.manage"):
        return
    if by.role == Role.EXECUTOR and by.organisation_id == recommendation.organisation_id:
        return
    raise NotYourRecommendation("Рекомендация адресована другой организации.", code="not_your_recommendation")


def event_url(event: InformationEvent) -> str:
    return reverse("informing:event-detail", args=[event.pk])


def on_commit_url(func):
    """Run `func` after commit (notifications built from URLs of rows created in this transaction)."""
    transaction.on_commit(func)
