"""Every write of the moderation center: assignment, decisions (an appeal, a signal of an
information event, disinformation, noise), bulk decisions, theme corrections and surges.
Each is one transaction with a row lock and one MessageEvent per step (DESIGN §5)."""

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from appeals.models import Appeal
from appeals.services import register_appeal
from cur import audit
from cur.errors import DomainError
from cur.roles import Role, can
from informing import services as informing
from informing.models import MESSENGER_NETWORKS, DisinformationCase, EventHistory, InformationEvent

from .errors import DecisionNotAllowed, ModerationError
from .models import IncomingMessage, MessageEvent, Surge

S = IncomingMessage.Status
K = MessageEvent.Kind
MAX_BULK = 500


def _actor(by):
    return by if getattr(by, "pk", None) else None


def _lock(message: IncomingMessage) -> IncomingMessage:
    return IncomingMessage.objects.select_for_update().get(pk=message.pk)


def _step(message: IncomingMessage, kind: str, by, *, note: str = "", **fields) -> IncomingMessage:
    before = message.status
    changes = audit.apply_changes(message, fields)
    message.save()
    MessageEvent.objects.create(
        message=message,
        kind=kind,
        actor=_actor(by),
        from_status=before,
        to_status=message.status,
        changes=changes,
        comment=note,
    )
    return message


def _require_moderator(user, what: str = "эту работу") -> None:
    if user is None or not (user.is_active and can(user, "moderation.work")):
        raise DecisionNotAllowed(f"Выполнять {what} может только сотрудник центра модерации.", code="not_moderator")


def _require_open(message: IncomingMessage) -> None:
    if not message.is_open:
        raise DecisionNotAllowed(
            f"По сообщению № {message.pk} уже принято решение: «{message.get_status_display()}».",
            code="already_decided",
        )


def _require_mine(message: IncomingMessage, by) -> None:
    # A message taken by one moderator is not decided by another (an administrator may).
    if message.assigned_to_id and message.assigned_to_id != by.pk and by.role != Role.ADMIN:
        raise DecisionNotAllowed(f"Сообщение № {message.pk} в работе у другого модератора.", code="taken")


# --- assignment ----------------------------------------------------------------------------------


@transaction.atomic
def assign_message(message: IncomingMessage, *, to, by) -> IncomingMessage:
    """Give an open message to a moderator (a moderator takes one by assigning it to themselves)."""
    _require_moderator(by)
    _require_moderator(to, "разбор сообщений")
    message = _lock(message)
    _require_open(message)
    if message.assigned_to_id == to.pk:
        return message
    if message.assigned_to_id and by.role != Role.ADMIN and message.assigned_to_id != by.pk:
        raise DecisionNotAllowed(f"Сообщение № {message.pk} в работе у другого модератора.", code="taken")
    now = timezone.now()
    return _step(
        message,
        K.ASSIGNED,
        by,
        status=S.ASSIGNED,
        assigned_to=to,
        assigned_at=now,
        reacted_at=message.reacted_at or now,
    )


@transaction.atomic
def release_message(message: IncomingMessage, *, by) -> IncomingMessage:
    """Return a message to the common queue."""
    _require_moderator(by)
    message = _lock(message)
    _require_open(message)
    _require_mine(message, by)
    return _step(message, K.RELEASED, by, status=S.NEW, assigned_to=None, assigned_at=None)


@transaction.atomic
def set_theme(message: IncomingMessage, *, by, sector_block=None, territory=None) -> IncomingMessage:
    """The moderator corrects the theme (sector block) and the territory of a message."""
    _require_moderator(by)
    message = _lock(message)
    return _step(message, K.CLASSIFIED, by, sector_block=sector_block, territory=territory)


# --- decisions -----------------------------------------------------------------------------------


def appeal_channel(message: IncomingMessage) -> str:
    return Appeal.Channel.MESSENGER if message.network in MESSENGER_NETWORKS else Appeal.Channel.SOCIAL


def appeal_text(message: IncomingMessage) -> str:
    """The appeal's text: the message, then where it came from (the operator follows the link)."""
    origin = f"Источник: {message.get_network_display()}"
    if message.author:
        origin += f", автор {message.author}"
    origin += f", опубликовано {timezone.localtime(message.posted_at):%d.%m.%Y %H:%M}"
    if message.url:
        origin += f". Ссылка: {message.url}"
    return f"{message.text}\n\n{origin}"


def _to_appeal(message: IncomingMessage, by) -> dict:
    # No sector block is passed: the appeal is classified by appeals' own pipeline, like any other.
    appeal, _created = register_appeal(
        channel=appeal_channel(message),
        text=appeal_text(message),
        by=by,
        received_at=message.posted_at,
        external_id=f"{message.network}:{message.external_id}"[:128],
        territory=message.territory,
        applicant_name=message.author[:255],
    )
    return {"appeal": appeal}


def _to_event(message: IncomingMessage, by, *, event: InformationEvent | None, new_event: dict | None) -> dict:
    if event is None and not new_event:
        raise ModerationError("Выберите информационный повод или укажите название нового.", code="event_required")
    if event is None:
        event = informing.create_event(
            by=by,
            origin=InformationEvent.Origin.MESSAGES,
            first_seen_at=message.posted_at,
            essence=new_event.get("essence") or message.text[:5000],
            title=new_event["title"],
            priority=new_event.get("priority") or "medium",
            sector_block=message.sector_block,
            territories=[message.territory] if message.territory else [],
        )
    else:
        event = InformationEvent.objects.select_for_update().get(pk=event.pk)
        if event.status == InformationEvent.Status.CLOSED:
            raise ModerationError(
                f"Повод «{event.title}» закрыт: выберите открытый или откройте новый.", code="event_closed"
            )
    informing_history(event, by, [message])
    return {"event": event}


def informing_history(event: InformationEvent, by, messages: list[IncomingMessage]) -> None:
    from informing.services.common import history

    history(
        event,
        EventHistory.Kind.MESSAGES,
        by,
        changes={"messages": [m.pk for m in messages], "reach": sum(m.reach for m in messages)},
    )


def _to_disinformation(message: IncomingMessage, by, *, case: DisinformationCase | None, new_case: dict | None) -> dict:
    if case is None and not new_case:
        raise ModerationError("Выберите случай дезинформации или укажите название нового.", code="case_required")
    if case is None:
        case = informing.create_case(
            by=by,
            title=new_case["title"],
            claim=new_case.get("claim") or message.text[:5000],
            detected_at=message.posted_at,
            sector_block=message.sector_block,
        )
    if message.url and not case.spread.filter(url=message.url).exists():
        informing.add_spread(
            case,
            by=by,
            network=message.network,
            url=message.url,
            found_at=message.posted_at,
            territory=message.territory,
            reach=message.reach,
        )
    return {"disinformation": case}


@transaction.atomic
def decide_message(
    message: IncomingMessage,
    *,
    decision: str,
    by,
    comment: str = "",
    event: InformationEvent | None = None,
    new_event: dict | None = None,
    case: DisinformationCase | None = None,
    new_case: dict | None = None,
) -> IncomingMessage:
    """Decide an open message: an appeal (registered through appeals' service, linked back), a signal
    of an information event (attached, or a new event opened), disinformation, or noise."""
    _require_moderator(by, "решения по сообщениям")
    message = _lock(message)
    _require_open(message)
    _require_mine(message, by)
    if decision not in IncomingMessage.DECISIONS:
        raise ModerationError("Неизвестное решение.", code="bad_decision")
    links: dict = {}
    if decision == S.APPEAL:
        links = _to_appeal(message, by)
    elif decision == S.EVENT:
        links = _to_event(message, by, event=event, new_event=new_event)
    elif decision == S.DISINFORMATION:
        links = _to_disinformation(message, by, case=case, new_case=new_case)
    return _decide(message, by, decision, timezone.now(), comment, links)


def _decide(message: IncomingMessage, by, decision: str, now, comment: str, links: dict) -> IncomingMessage:
    comment = (comment or "").strip()[:5000]
    return _step(
        message,
        K.DECIDED,
        by,
        note=comment,
        status=decision,
        decided_at=now,
        decided_by=_actor(by),
        reacted_at=message.reacted_at or now,
        assigned_to=message.assigned_to or _actor(by),
        assigned_at=message.assigned_at or now,
        comment=comment,
        **links,
    )


@transaction.atomic
def reopen_message(message: IncomingMessage, *, by, comment: str) -> IncomingMessage:
    """Undo a «noise» decision taken by mistake: the message returns to its moderator's queue."""
    _require_moderator(by)
    message = _lock(message)
    if message.status != S.NOISE:
        raise DecisionNotAllowed("Вернуть в очередь можно только сообщение, отмеченное как шум.", code="not_noise")
    if not (comment or "").strip():
        raise ModerationError("Укажите, почему решение отменяется.", code="comment_required")
    return _step(
        message,
        K.REOPENED,
        by,
        note=comment.strip(),
        status=S.ASSIGNED,
        decided_at=None,
        decided_by=None,
        assigned_to=_actor(by),
        assigned_at=timezone.now(),
    )


@dataclass
class BulkResult:
    done: list[int] = field(default_factory=list)
    failed: dict[int, str] = field(default_factory=dict)

    @property
    def summary(self) -> str:
        text = f"Выполнено: {len(self.done)}."
        if self.failed:
            reasons = "; ".join(f"№ {k}: {v}" for k, v in list(self.failed.items())[:5])
            text += f" Не выполнено: {len(self.failed)} ({reasons})."
        return text


def bulk_decide(messages: Iterable[IncomingMessage], *, decision: str, by, **kwargs) -> BulkResult:
    """The same decision for several messages, each in its own transaction (one refusal does not undo
    the others). A new event or case is opened once, by the first message, and the rest join it."""
    result = BulkResult()
    messages = list(messages)[:MAX_BULK]
    for message in messages:
        try:
            decided = decide_message(message, decision=decision, by=by, **kwargs)
        except DomainError as exc:  # the moderation center's refusals and informing's (a closed event…)
            result.failed[message.pk] = exc.message
            continue
        result.done.append(message.pk)
        if kwargs.get("new_event") and decided.event_id:
            kwargs = {**kwargs, "new_event": None, "event": decided.event}
        if kwargs.get("new_case") and decided.disinformation_id:
            kwargs = {**kwargs, "new_case": None, "case": decided.disinformation}
    return result


@transaction.atomic
def bulk_assign(messages: Iterable[IncomingMessage], *, to, by) -> BulkResult:
    result = BulkResult()
    for message in list(messages)[:MAX_BULK]:
        try:
            with transaction.atomic():
                assign_message(message, to=to, by=by)
        except ModerationError as exc:
            result.failed[message.pk] = exc.message
        else:
            result.done.append(message.pk)
    return result


# --- surges --------------------------------------------------------------------------------------


def _lock_surge(surge: Surge) -> Surge:
    surge = Surge.objects.select_for_update().select_related("sector_block", "territory").get(pk=surge.pk)
    if surge.status != Surge.Status.PROPOSED:
        raise DecisionNotAllowed(
            f"По всплеску уже принято решение: «{surge.get_status_display()}».", code="surge_decided"
        )
    return surge


@transaction.atomic
def accept_surge(surge: Surge, *, by, title: str = "", priority: str = "high") -> InformationEvent:
    """Open an information event for a surge; its open messages of the window become its signals."""
    _require_moderator(by)
    surge = _lock_surge(surge)
    texts = list(IncomingMessage.objects.filter(pk__in=surge.sample).values_list("text", flat=True)[:5])
    essence = (
        f"Всплеск сообщений: {surge.count} за окно {timezone.localtime(surge.window_start):%d.%m.%Y %H:%M} — "
        f"{timezone.localtime(surge.window_end):%d.%m.%Y %H:%M} при обычных {surge.baseline:.1f}.\n\n"
        + "\n".join(f"— {t[:300]}" for t in texts)
    )
    event = informing.create_event(
        by=by,
        title=(title or "").strip() or f"{surge.sector_block}: всплеск сообщений, {surge.territory}",
        essence=essence,
        first_seen_at=surge.window_start,
        priority=priority,
        sector_block=surge.sector_block,
        territories=[surge.territory],
        origin=InformationEvent.Origin.SURGE,
        responsible=by,
    )
    now = timezone.now()
    open_messages = list(
        IncomingMessage.objects.select_for_update()
        .filter(
            status__in=IncomingMessage.OPEN_STATUSES,
            sector_block=surge.sector_block,
            territory=surge.territory,
            posted_at__gte=surge.window_start,
            posted_at__lt=surge.window_end,
        )
        .order_by("pk")
    )
    for message in open_messages:
        _decide(message, by, S.EVENT, now, "Всплеск принят как информационный повод", {"event": event})
    if open_messages:
        informing_history(event, by, open_messages)
    surge.status, surge.event, surge.decided_at, surge.decided_by = Surge.Status.ACCEPTED, event, now, _actor(by)
    surge.save()
    audit.record(by, "surge.accept", surge, {"event": event.pk, "messages": len(open_messages)})
    return event


@transaction.atomic
def dismiss_surge(surge: Surge, *, by) -> Surge:
    """Not an information event: the proposal is closed (a later surge may propose it again)."""
    _require_moderator(by)
    surge = _lock_surge(surge)
    surge.status, surge.decided_at, surge.decided_by = Surge.Status.DISMISSED, timezone.now(), _actor(by)
    surge.save()
    audit.record(by, "surge.dismiss", surge)
    return surge
