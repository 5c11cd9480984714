"""The lifecycle of an information event: выявлен → на анализе → выданы рекомендации → проводятся
мероприятия → отработан → закрыт (with an outcome). One service per step, each under a row lock,
each writing one EventHistory row; a step the current status does not allow is a Russian
DomainError (TransitionNotAllowed)."""

import datetime
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from cur import audit
from cur.roles import can
from cur.services import notify

from .. import metrics
from ..errors import InformingError, TransitionNotAllowed
from ..models import AudiencePoint, EventHistory, EventSource, InformationEvent, Priority
from .common import deadlines_for, event_url, history, lock_event, need_text, require_manager

S = InformationEvent.Status
O = InformationEvent.Outcome  # noqa: E741
K = EventHistory.Kind

# Which status may follow which (a reopened event returns to analysis or to activities).
TRANSITIONS: dict[str, tuple[str, ...]] = {
    S.DETECTED: (S.ANALYSIS, S.CLOSED),
    S.ANALYSIS: (S.RECOMMENDED, S.ACTIVITIES, S.CLOSED),
    S.RECOMMENDED: (S.ACTIVITIES, S.WORKED_OFF),
    S.ACTIVITIES: (S.WORKED_OFF,),
    S.WORKED_OFF: (S.CLOSED, S.ACTIVITIES),
    S.CLOSED: (S.ANALYSIS,),
}
# Closing straight from detection or analysis: only «не потребовал реакции».
EARLY_CLOSE_OUTCOMES = (O.NO_ACTION,)


def _require(event: InformationEvent, target: str) -> None:
    if target not in TRANSITIONS[event.status]:
        raise TransitionNotAllowed(
            f"Нельзя перевести повод «{event.title}» из статуса «{event.get_status_display()}» "
            f"в статус «{S(target).label}».",
            code="transition_not_allowed",
        )


def _move(event: InformationEvent, target: str, by, *, comment: str = "", **fields) -> InformationEvent:
    _require(event, target)
    before = event.status
    now = timezone.now()
    fields["status"] = target
    if event.reacted_at is None:
        fields["reacted_at"] = now  # the first step out of «выявлен» is the center's first reaction
    changes = audit.apply_changes(event, fields)
    event.save()
    history(event, K.STATUS, by, before=before, changes=changes, comment=comment)
    return event


def _validate_responsible(user) -> None:
    if user is not None and not (user.is_active and can(user, "informing.manage")):
        raise InformingError(
            "Ответственным можно назначить только сотрудника центра модерации.", code="bad_responsible"
        )


@transaction.atomic
def create_event(
    *,
    by,
    title: str,
    essence: str,
    first_seen_at: datetime.datetime | None = None,
    priority: str = Priority.MEDIUM,
    sector_block=None,
    topics: Iterable = (),
    territories: Iterable = (),
    responsible=None,
    origin: str = InformationEvent.Origin.MANUAL,
    comment: str = "",
) -> InformationEvent:
    """Register a detected information event; its deadlines follow from the priority."""
    require_manager(by)
    _validate_responsible(responsible)
    now = timezone.now()
    first_seen_at = first_seen_at or now
    if first_seen_at > now + datetime.timedelta(minutes=10):
        raise InformingError("Время, когда повод впервые замечен, не может быть в будущем.", code="future_first_seen")
    event = InformationEvent(
        title=need_text(title, "название повода", limit=255),
        essence=need_text(essence, "суть повода"),
        first_seen_at=first_seen_at,
        priority=priority,
        origin=origin,
        sector_block=sector_block,
        responsible=responsible,
        created_by=by if getattr(by, "pk", None) else None,
        created_at=now,
        **deadlines_for(priority, now),
    )
    event.save()
    event.topics.set(topics)
    event.territories.set(territories)
    history(event, K.CREATED, by, changes={"priority": priority, "origin": origin}, comment=comment)
    if responsible is not None and responsible != by:
        notify([responsible], title=f"Вам поручен информационный повод «{event.title}»", url=event_url(event))
    return event


UPDATABLE = ("title", "essence", "sector_block", "priority", "first_seen_at")


@transaction.atomic
def update_event(
    event: InformationEvent, *, by, topics: Iterable | None = None, territories: Iterable | None = None, **fields
) -> InformationEvent:
    """Correct what is known about an event; a new priority moves the deadlines of an open event."""
    require_manager(by)
    event = lock_event(event)
    unknown = set(fields) - set(UPDATABLE)
    if unknown:
        raise InformingError(f"Эти сведения так не меняются: {', '.join(sorted(unknown))}.", code="bad_fields")
    if "title" in fields:
        fields["title"] = need_text(fields["title"], "название повода", limit=255)
    if "essence" in fields:
        fields["essence"] = need_text(fields["essence"], "суть повода")
    if fields.get("priority", event.priority) != event.priority and event.is_open:
        fields.update(deadlines_for(fields["priority"], event.created_at))
        if fields["work_off_by"] > timezone.now():
            fields["overdue_at"] = None
    changes = audit.apply_changes(event, fields)
    if topics is not None:
        before = sorted(event.topics.values_list("pk", flat=True))
        event.topics.set(topics)
        after = sorted(t.pk for t in topics)
        if before != after:
            changes["topics"] = [before, after]
    if territories is not None:
        before = sorted(event.territories.values_list("pk", flat=True))
        event.territories.set(territories)
        after = sorted(t.pk for t in territories)
        if before != after:
            changes["territories"] = [before, after]
    if changes:
        event.save()
        history(event, K.UPDATED, by, changes=changes)
    return event


@transaction.atomic
def assign_event(event: InformationEvent, *, responsible, by, comment: str = "") -> InformationEvent:
    """Make a moderator responsible for working the event off."""
    require_manager(by)
    _validate_responsible(responsible)
    event = lock_event(event)
    if event.status == S.CLOSED:
        raise TransitionNotAllowed("Повод закрыт: назначать ответственного поздно.", code="event_closed")
    changes = audit.apply_changes(event, {"responsible": responsible})
    if not changes:
        return event
    event.save()
    history(event, K.ASSIGNED, by, changes=changes, comment=comment)
    if responsible != by:
        notify([responsible], title=f"Вам поручен информационный повод «{event.title}»", url=event_url(event))
    return event


@transaction.atomic
def start_analysis(event: InformationEvent, *, by, comment: str = "") -> InformationEvent:
    """Take a detected event into analysis; the one who takes it becomes responsible if nobody is."""
    require_manager(by)
    event = lock_event(event)
    fields = {}
    if event.responsible_id is None and getattr(by, "pk", None) and can(by, "informing.manage"):
        fields["responsible"] = by
    return _move(event, S.ANALYSIS, by, comment=comment, **fields)


def mark_recommended(event: InformationEvent, *, by, comment: str = "") -> InformationEvent:
    """(Within issue_recommendation's transaction) the first recommendation moves an analysed event on."""
    return _move(event, S.RECOMMENDED, by, comment=comment)


@transaction.atomic
def start_activities(event: InformationEvent, *, by, comment: str = "") -> InformationEvent:
    """Information activities are under way (also when the first activity is recorded)."""
    require_manager(by)
    return _move(lock_event(event), S.ACTIVITIES, by, comment=comment)


@transaction.atomic
def mark_worked_off(event: InformationEvent, *, by, comment: str = "") -> InformationEvent:
    """The event is worked off: at least one activity was published or one recommendation done."""
    require_manager(by)
    event = lock_event(event)
    _require(event, S.WORKED_OFF)
    published = event.activities.filter(published_at__isnull=False).exists()
    done = event.recommendations.filter(status="done").exists()
    if not (published or done):
        raise TransitionNotAllowed(
            "Нельзя отметить повод отработанным: нет ни опубликованного мероприятия, ни выполненной рекомендации.",
            code="nothing_done",
        )
    return _move(event, S.WORKED_OFF, by, comment=comment, worked_off_at=event.worked_off_at or timezone.now())


@transaction.atomic
def close_event(event: InformationEvent, *, outcome: str, by, comment: str = "") -> InformationEvent:
    """Close the event with its outcome."""
    require_manager(by)
    event = lock_event(event)
    _require(event, S.CLOSED)
    if outcome not in O.values:
        raise InformingError("Укажите итог отработки повода.", code="outcome_required")
    if event.status != S.WORKED_OFF and outcome not in EARLY_CLOSE_OUTCOMES:
        raise TransitionNotAllowed(
            "Повод, который не отработан, закрывается только с итогом «Не потребовал реакции».",
            code="early_close_outcome",
        )
    return _move(
        event,
        S.CLOSED,
        by,
        comment=comment,
        outcome=outcome,
        outcome_comment=(comment or "").strip(),
        closed_at=timezone.now(),
    )


@transaction.atomic
def reopen_event(event: InformationEvent, *, by, comment: str) -> InformationEvent:
    """The audience grows again: a closed event goes back to analysis, a worked-off one to activities."""
    require_manager(by)
    event = lock_event(event)
    comment = need_text(comment, "причину возобновления")
    target = S.ANALYSIS if event.status == S.CLOSED else S.ACTIVITIES
    fields = {"outcome": "", "outcome_comment": "", "closed_at": None} if event.status == S.CLOSED else {}
    return _move(event, target, by, comment=comment, **fields)


def move_event(event: InformationEvent, *, to: str, by, comment: str = "", outcome: str = "") -> InformationEvent:
    """One entry point for the pages and the API: the step to status `to`."""
    steps = {
        S.ANALYSIS: lambda: (
            reopen_event(event, by=by, comment=comment)
            if event.status == S.CLOSED
            else start_analysis(event, by=by, comment=comment)
        ),
        S.ACTIVITIES: lambda: (
            reopen_event(event, by=by, comment=comment)
            if event.status == S.WORKED_OFF
            else start_activities(event, by=by, comment=comment)
        ),
        S.WORKED_OFF: lambda: mark_worked_off(event, by=by, comment=comment),
        S.CLOSED: lambda: close_event(event, outcome=outcome, by=by, comment=comment),
    }
    if to not in steps:
        raise (
            TransitionNotAllowed(
                "В статус «Выданы рекомендации» повод переходит, когда выдана первая рекомендация.",
                code="transition_not_allowed",
            )
            if to == S.RECOMMENDED
            else InformingError("Неизвестный статус.", code="bad_status")
        )
    return steps[to]()


# --- sources and audience --------------------------------------------------------------------


@transaction.atomic
def add_source(
    event: InformationEvent,
    *,
    by,
    network: str,
    url: str,
    kind: str = EventSource.Kind.POST,
    outlet: str = "",
    title: str = "",
    published_at=None,
    reach: int = 0,
) -> EventSource:
    """A post, an article or a video in which the event shows (once per URL)."""
    require_manager(by)
    event = lock_event(event)
    if event.sources.filter(url=url).exists():
        raise InformingError("Этот источник уже добавлен к поводу.", code="duplicate_source")
    source = EventSource.objects.create(
        event=event,
        network=network,
        url=url,
        kind=kind,
        outlet=outlet,
        title=title,
        published_at=published_at,
        reach=reach or 0,
        added_by=by if getattr(by, "pk", None) else None,
    )
    history(event, K.SOURCE, by, changes={"url": url, "network": network, "reach": reach or 0})
    return source


def refresh_audience(event: InformationEvent) -> metrics.Growth:
    """Recompute the event's reach and growth from its series (the caller holds the row lock)."""
    series = list(event.audience.values_list("measured_at", "reach"))
    growth = metrics.audience_growth(series)
    event.reach, event.growth = growth.reach, growth.per_day
    event.save(update_fields=["reach", "growth", "updated_at"])
    return growth


@transaction.atomic
def record_audience(
    event: InformationEvent,
    *,
    by,
    measured_at: datetime.datetime,
    reach: int,
    reactions: int = 0,
    comments: int = 0,
    shares: int = 0,
) -> AudiencePoint:
    """Record (or correct) one audience measurement; the event's reach and growth follow."""
    if by is not None:
        require_manager(by)
    event = lock_event(event)
    if measured_at > timezone.now() + datetime.timedelta(minutes=10):
        raise InformingError("Замер аудитории не может быть в будущем.", code="future_measurement")
    point, _ = AudiencePoint.objects.update_or_create(
        event=event,
        measured_at=measured_at,
        defaults={"reach": reach, "reactions": reactions, "comments": comments, "shares": shares},
    )
    growth = refresh_audience(event)
    history(
        event,
        K.AUDIENCE,
        by,
        changes={"measured_at": measured_at.isoformat(), "reach": reach, "growth_per_day": growth.per_day},
    )
    return point


# --- the overdue sweep -----------------------------------------------------------------------


def mark_overdue_events(now: datetime.datetime | None = None, *, limit: int = 500) -> int:
    """Beat: open events past their working-off deadline get overdue_at, a history row and a
    notification to the responsible moderator — once: the conditional UPDATE is the gate."""
    now = now or timezone.now()
    # Served by infoevent_open_due_idx.
    candidates = list(
        InformationEvent.objects.filter(status__in=InformationEvent.OPEN_STATUSES, overdue_at=None, work_off_by__lt=now)
        .order_by("work_off_by")
        .values_list("pk", flat=True)[:limit]
    )
    marked = 0
    for pk in candidates:
        with transaction.atomic():
            gate = InformationEvent.objects.filter(
                pk=pk, status__in=InformationEvent.OPEN_STATUSES, overdue_at=None, work_off_by__lt=now
            )
            if gate.update(overdue_at=now) != 1:
                continue  # another sweep marked it, or it was worked off meanwhile
            event = InformationEvent.objects.select_related("responsible").get(pk=pk)
            history(event, K.OVERDUE, None, changes={"work_off_by": event.work_off_by.isoformat()})
            if event.responsible is not None:
                notify([event.responsible], title=f"Просрочена отработка повода «{event.title}»", url=event_url(event))
            marked += 1
    return marked
