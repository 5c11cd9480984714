"""The one builder of appeal timeline events (after Saleor's order/events.py).

Every `AppealEvent` — written by a service for one appeal, or set-based by the deadline sweep, the
classifier, duplicate search and bulk registration — is made by a function here, so each kind of event has
one shape (its `changes` and its comment in Russian) whichever road wrote it. The functions return unsaved
events; `write` stores many in one statement, `as_row` gives the column values for a COPY. Who is told of
the change (the `appeals_changed` signal, notifications) stays with the caller.
"""

import datetime
from collections.abc import Iterable

from cur.roles import Role

from .models import AppealEvent
from .workflow import deadlines

K = AppealEvent.Kind
_COLUMNS = [f for f in AppealEvent._meta.concrete_fields if not f.primary_key]


def event(appeal_id: int, kind: str, *, by=None, before: str = "", after: str = "", changes: dict | None = None,
          comment: str = "") -> AppealEvent:  # fmt: skip
    """An event of `kind`; a status change names the status before and after."""
    return AppealEvent(
        appeal_id=appeal_id,
        kind=kind,
        actor_id=by.pk if getattr(by, "pk", None) else None,
        from_status=before,
        to_status=after if before else "",
        changes=changes or {},
        comment=comment,
    )


def write(events: Iterable[AppealEvent]) -> list[AppealEvent]:
    """Store the events in one INSERT."""
    return AppealEvent.objects.bulk_create(list(events), batch_size=2000)


def as_row(e: AppealEvent) -> dict:
    """The event's column values (attname → value), for a COPY of many."""
    return {f.attname: getattr(e, f.attname) for f in _COLUMNS}


# --- the kinds written by set-based roads ------------------------------------------------------------------


def registered(appeal_id: int, *, channel: str, external_id: str, by=None, comment: str = "") -> AppealEvent:
    return event(appeal_id, K.REGISTERED, by=by, changes={"channel": channel, "external_id": external_id},
                 comment=comment)  # fmt: skip


def assigned_on_registration(appeal_id: int, *, organisation_id: int, due_at: datetime.datetime, by=None,
                             before: str, after: str) -> AppealEvent:  # fmt: skip
    """The executor came with the appeal (a file import names it): the clock starts at registration."""
    return event(
        appeal_id, K.ASSIGNED, by=by, before=before, after=after,
        changes={"organisation": [None, organisation_id], "status": [before, after],
                 "due_at": [None, due_at.isoformat()]},
        comment="Исполнитель указан в файле импорта",
    )  # fmt: skip


def reminder(appeal_id: int, *, days_left: int, due_at: datetime.datetime | None) -> AppealEvent:
    return event(
        appeal_id, K.REMINDER, changes={"days_left": days_left, "due_at": due_at.isoformat() if due_at else None},
        comment=f"Напоминание исполнителю: до срока ответа {moscow_date(due_at)} не более {days(days_left)}.",
    )  # fmt: skip


def overdue(appeal_id: int, *, due_at: datetime.datetime | None, now: datetime.datetime) -> AppealEvent:
    return event(appeal_id, K.OVERDUE, changes={"overdue_at": [None, now.isoformat()]},
                 comment=f"Срок ответа {moscow_date(due_at)} истёк.")  # fmt: skip


def escalated(appeal_id: int, *, level: int, role: str) -> AppealEvent:
    return event(appeal_id, K.ESCALATED, changes={"escalation_level": level},
                 comment=f"Эскалация (уровень {level}): {Role(role).label.lower()}.")  # fmt: skip


def classified(appeal_id: int, *, changes: dict, comment: str) -> AppealEvent:
    return event(appeal_id, K.CLASSIFIED, changes=changes, comment=comment)


def similar_found(appeal_id: int, *, other_id: int, other_number: str, score: float) -> AppealEvent:
    return event(
        appeal_id, K.CLASSIFIED, changes={"similar_to": [None, other_id], "similarity": [None, score]},
        comment=f"Возможный дубликат обращения № {other_number} (сходство текста {score:.2f}).",
    )  # fmt: skip


def incident_linked(appeal_id: int, *, incident_id: int, comment: str, by=None) -> AppealEvent:
    return event(appeal_id, K.INCIDENT_LINKED, by=by, changes={"incident": [None, incident_id]}, comment=comment)


# --- words ----------------------------------------------------------------------------------------------


def moscow_date(value: datetime.datetime | None) -> str:
    return f"{value.astimezone(deadlines.MOSCOW):%d.%m.%Y}" if value else "—"


def plural(n: int, one: str, few: str, many: str) -> str:
    if n % 10 == 1 and n % 100 != 11:
        return one
    if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        return few
    return many


def days(n: int) -> str:
    return f"{n} {plural(n, 'день', 'дня', 'дней')}"
