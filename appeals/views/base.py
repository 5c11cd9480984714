"""What the appeal pages share: the scoped fetch of an appeal (a foreign one is a 404), the open
incidents an appeal may be linked to, and the deadline as the pages show it."""

import datetime
from dataclasses import dataclass

from django.db.models import QuerySet
from django.http import Http404

from .. import selectors
from ..models import Appeal, Incident

S = Appeal.Status


def appeal_or_404(user, pk: int) -> Appeal:
    try:
        return selectors.appeal_for(user, pk)
    except Appeal.DoesNotExist:
        raise Http404("Обращение не найдено.") from None


def open_incidents(user) -> QuerySet[Incident]:
    return selectors.incidents_visible_to(user).exclude(status=Incident.Status.CLOSED).order_by("-created_at", "-pk")


@dataclass(frozen=True)
class Deadline:
    due_at: datetime.datetime | None
    days: int | None
    label: str
    css: str  # Bootstrap badge colour

    @property
    def overdue(self) -> bool:
        return self.css == "danger"


def deadline_of(appeal: Appeal, now: datetime.datetime | None = None) -> Deadline:
    """The due date with days left, red when overdue; none for a finished appeal."""
    days = selectors.days_left(appeal, now)
    if appeal.due_at is None or not appeal.is_open:
        return Deadline(appeal.due_at, None, "", "")
    if appeal.status == S.INFO_REQUESTED:
        return Deadline(appeal.due_at, days, "срок приостановлен", "info")
    if days < 0 or appeal.overdue_at is not None:
        return Deadline(appeal.due_at, days, f"просрочено на {abs(days)} дн." if days < 0 else "просрочено", "danger")
    if days == 0:
        return Deadline(appeal.due_at, days, "истекает сегодня", "warning")
    return Deadline(appeal.due_at, days, f"осталось {days} дн.", "warning" if days <= 3 else "secondary")
