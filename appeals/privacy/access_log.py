"""The personal-data access log (152-ФЗ): who saw or exported applicants' personal data, when, from where.

Its rows are audit events (cur.AuditEvent), no table of its own: `services.log_personal_data_view`
writes one per unmasking of one appeal (the page, the API, the admin site), `exports` one per
unmasked CSV/XLSX file with its filter and row count, `retention` one per run of the retention job.
"""

import datetime
import re

from django.db.models import Q, QuerySet
from django.http import QueryDict
from django.utils import timezone

from cur import audit
from cur.models import AuditEvent

VIEWED = "appeal.personal_data_viewed"
EXPORTED = "appeal.personal_data_exported"
ERASED = "appeal.pd_retention"
ACTIONS = {
    VIEWED: "Просмотр персональных данных",
    EXPORTED: "Выгрузка с персональными данными",
    ERASED: "Удаление по сроку хранения",
}
APPEAL_NUMBER_RE = re.compile(r"^\s*(?:\d{4}-)?0*(\d{1,12})\s*$")  # «2025-000123» or just the id


def start_export_log(user, *, fmt: str, filters: QueryDict | dict) -> AuditEvent:
    """Record an unmasked export as it starts (the row count is filled in by `finish_export_log`).

    Written before the first row leaves: an export cut short by a crash is still in the log."""
    query = {key: filters.getlist(key) if hasattr(filters, "getlist") else filters[key] for key in filters}
    query.pop("page", None)
    return AuditEvent.objects.create(
        actor=user if getattr(user, "pk", None) else None,
        action=EXPORTED,
        object_type="appeals.appeal",
        object_repr=f"Выгрузка {fmt.upper()}",
        changes={"format": fmt, "filters": query, "rows": None, "complete": False},
        ip_address=audit.request_ip.get(),
    )


def finish_export_log(event: AuditEvent, *, rows: int, complete: bool = True) -> None:
    """The export's row count (and whether the client took the whole file)."""
    event.changes = {**event.changes, "rows": rows, "complete": complete}
    AuditEvent.objects.filter(pk=event.pk).update(changes=event.changes)


def appeal_id_from_number(text: str) -> int | None:
    """The appeal id in a number as people type it: «2025-000123», «123»."""
    match = APPEAL_NUMBER_RE.match(text or "")
    return int(match.group(1)) if match else None


def moscow_day_start(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def access_log(
    *,
    actor=None,
    since: datetime.date | None = None,
    until: datetime.date | None = None,
    appeal_id: int | None = None,
) -> QuerySet[AuditEvent]:
    """Views and exports of personal data, newest first; `until` is inclusive (Moscow days)."""
    qs = AuditEvent.objects.filter(action__in=ACTIONS).select_related("actor").order_by("-created_at", "-id")
    if actor is not None:
        qs = qs.filter(actor=actor)
    if since is not None:
        qs = qs.filter(created_at__gte=moscow_day_start(since))
    if until is not None:
        qs = qs.filter(created_at__lt=moscow_day_start(until + datetime.timedelta(days=1)))
    if appeal_id is not None:
        # audit_object_idx: the history of one appeal.
        qs = qs.filter(Q(object_type="appeals.appeal", object_id=str(appeal_id)))
    return qs
