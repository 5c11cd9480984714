"""Every write to an appeal: one transaction, a row lock, one AppealEvent per change.

Views, the API, imports and tasks all call these, so an appeal behaves the same whichever
way it is touched (DESIGN §5).
"""

import datetime

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from cur import audit
from cur.models import User
from cur.queue import send_on_commit
from cur.roles import Role
from cur.services import notify

from . import events
from .errors import AppealsError
from .models import Appeal, AppealEvent, DeadlineRule, Incident
from .signals import appeals_changed
from .workflow import deadlines, transitions
from .workflow.policy import DeadlinePolicy

S = Appeal.Status
K = AppealEvent.Kind


# --- helpers -------------------------------------------------------------------------


def _lock(appeal: Appeal) -> Appeal:
    return Appeal.objects.select_for_update().get(pk=appeal.pk)


def _event(appeal: Appeal, kind: str, by, *, before: str = "", changes=None, comment: str = "") -> AppealEvent:
    event = events.event(appeal.pk, kind, by=by, before=before, after=appeal.status, changes=changes, comment=comment)
    event.appeal = appeal
    event.save()
    transaction.on_commit(lambda: appeals_changed.send(Appeal, appeal_ids=[appeal.pk], kind=kind))
    return event


def _transition(appeal: Appeal, kind: str, by, *, status: str | None = None, comment: str = "", **fields) -> Appeal:
    """Apply fields (and the new status), save, and write the event with before/after."""
    before = appeal.status
    if status is not None:
        fields["status"] = status
    changes = audit.apply_changes(appeal, fields)
    appeal.save()
    _event(appeal, kind, by, before=before, changes=changes, comment=comment)
    return appeal


def _need_comment(comment: str, what: str) -> str:
    comment = (comment or "").strip()
    if not comment:
        raise AppealsError(f"Укажите {what}.", code="comment_required")
    return comment


def _appeal_url(appeal: Appeal) -> str:
    return reverse("appeals:appeal-detail", args=[appeal.pk])


def organisation_users(organisation) -> list[User]:
    return list(User.objects.filter(organisation=organisation, role=Role.EXECUTOR, is_active=True))


# --- deadlines -------------------------------------------------------------------------


def deadline_rule_for(appeal: Appeal) -> DeadlineRule | None:
    """The rule that sets this appeal's deadline (`workflow.policy`), or None: 30 calendar days."""
    return DeadlinePolicy().rule_for(appeal.channel, appeal.sector_block_id, appeal.topic_id)


def compute_due_at(appeal: Appeal, start: datetime.datetime) -> datetime.datetime:
    return DeadlinePolicy().due_at(appeal.channel, appeal.sector_block_id, appeal.topic_id, start)


# --- intake ------------------------------------------------------------------------------


def by_external_id(channel: str, external_id: str) -> Appeal | None:
    """The appeal registered for this message of a channel. `exclude(external_id="")` repeats the predicate of
    the partial unique index appeal_channel_external_id so the planner may use it (SQLite scanned without)."""
    return Appeal.objects.filter(channel=channel, external_id=external_id).exclude(external_id="").first()


def register_appeal(*, channel: str, text: str, by=None, received_at=None, external_id: str = "", **fields):
    """Register an appeal; idempotent on (channel, external_id). Returns (appeal, created)."""
    external_id = (external_id or "").strip()
    if external_id:
        existing = by_external_id(channel, external_id)
        if existing is not None:
            return existing, False
    try:
        with transaction.atomic():
            return _create_appeal(channel=channel, text=text, by=by, received_at=received_at,
                                  external_id=external_id, **fields), True  # fmt: skip
    except IntegrityError:
        # Two deliveries of one message raced: the other one's row won the unique constraint.
        existing = by_external_id(channel, external_id) if external_id else None
        if existing is None:
            raise
        return existing, False


RELATED_FIELDS = [f.name for f in Appeal._meta.fields if f.is_relation]


def _create_appeal(*, channel, text, by, received_at, external_id, **fields) -> Appeal:
    now = timezone.now()
    topic = fields.get("topic")
    if topic is not None and fields.get("sector_block") is None:
        # A topic belongs to one block; an explicit None (a form's empty choice) must not keep it blank.
        fields["sector_block"] = topic.sector_block
    if topic is not None or fields.get("sector_block") is not None:
        fields.update(classification_source=Appeal.ClassificationSource.MANUAL, classified_at=now)
    appeal = Appeal(
        channel=channel,
        external_id=external_id,
        text=text.strip(),
        received_at=received_at or now,
        registered_at=now,
        registered_by=by if getattr(by, "pk", None) else None,
        **fields,
    )
    # Related objects arrive as instances the caller already fetched: skip re-querying each one.
    appeal.full_clean(exclude=RELATED_FIELDS, validate_constraints=False)
    appeal.save()
    _event(appeal, K.REGISTERED, by, changes={"channel": channel, "external_id": external_id})
    if appeal.classified_at is None:  # an operator's manual classification is never overwritten
        send_on_commit("appeals.tasks.classify_appeals", [appeal.pk])
    return appeal


# --- classification --------------------------------------------------------------------


@transaction.atomic
def set_classification(appeal: Appeal, *, by, sector_block=None, topic=None, territory=None) -> Appeal:
    """An operator sets (or confirms) the sector block, topic and territory: a training label."""
    appeal = _lock(appeal)
    if topic is not None:
        if sector_block is not None and topic.sector_block_id != sector_block.pk:
            raise AppealsError("Тема не относится к выбранному отраслевому блоку.", code="topic_block_mismatch")
        sector_block = topic.sector_block
    fields = {
        "sector_block": sector_block,
        "topic": topic,
        "classification_source": Appeal.ClassificationSource.MANUAL,
        "classified_at": appeal.classified_at or timezone.now(),
    }
    if territory is not None:
        fields["territory"] = territory
    return _transition(appeal, K.RECLASSIFIED, by, **fields)


def accept_suggestion(appeal: Appeal, *, by) -> Appeal:
    """One click: take the classifier's suggestion as the operator's classification."""
    if appeal.suggested_sector_block_id is None and appeal.suggested_topic_id is None:
        raise AppealsError("У обращения нет предложенной классификации.", code="no_suggestion")
    return set_classification(
        appeal,
        by=by,
        sector_block=appeal.suggested_sector_block,
        topic=appeal.suggested_topic,
        territory=appeal.suggested_territory,
    )


# --- workflow ------------------------------------------------------------------------------


def _start_clock(appeal: Appeal, start: datetime.datetime) -> dict:
    return {"due_at": compute_due_at(appeal, start), "overdue_at": None, "escalation_level": 0}


@transaction.atomic
def assign_appeal(appeal: Appeal, *, organisation, by, comment: str = "") -> Appeal:
    """Route a new or reopened appeal to the executor; the deadline clock starts."""
    appeal = _lock(appeal)
    transitions.require(appeal, "assign")
    if not organisation.is_active:
        raise AppealsError("Организация не действует: выберите другого исполнителя.", code="inactive_organisation")
    now = timezone.now()
    fields = {"organisation": organisation, "assigned_at": now}
    if appeal.due_at is None:
        # First assignment: the clock runs from registration; a reopened case from now.
        start = appeal.registered_at if appeal.status == S.NEW else now
        fields.update(_start_clock(appeal, start))
    _transition(appeal, K.ASSIGNED, by, status=S.ASSIGNED, comment=comment, **fields)
    notify(organisation_users(organisation), title=f"Новое обращение № {appeal.number}",
           body=f"Срок ответа: {timezone.localtime(appeal.due_at):%d.%m.%Y}.", url=_appeal_url(appeal))  # fmt: skip
    return appeal


@transaction.atomic
def redirect_appeal(appeal: Appeal, *, organisation, by, comment: str) -> Appeal:
    """Redirect by competence to another organisation; the deadline does not restart."""
    appeal = _lock(appeal)
    transitions.require(appeal, "redirect")
    comment = _need_comment(comment, "причину перенаправления")
    if organisation.pk == appeal.organisation_id:
        raise AppealsError("Обращение уже у этого исполнителя.", code="same_organisation")
    if not organisation.is_active:
        raise AppealsError("Организация не действует: выберите другого исполнителя.", code="inactive_organisation")
    _transition(appeal, K.REDIRECTED, by, status=S.ASSIGNED, comment=comment, organisation=organisation,
                assigned_at=timezone.now())  # fmt: skip
    notify(organisation_users(organisation), title=f"Перенаправлено обращение № {appeal.number}",
           body=comment, url=_appeal_url(appeal))  # fmt: skip
    return appeal


@transaction.atomic
def start_work(appeal: Appeal, *, by) -> Appeal:
    """The executor takes the appeal into work."""
    appeal = _lock(appeal)
    transitions.require(appeal, "start")
    return _transition(appeal, K.STARTED, by, status=S.IN_PROGRESS)


@transaction.atomic
def request_info(appeal: Appeal, *, by, comment: str) -> Appeal:
    """Ask the citizen for more information: the deadline clock pauses."""
    appeal = _lock(appeal)
    transitions.require(appeal, "request_info")
    comment = _need_comment(comment, "какие сведения запрошены")
    return _transition(appeal, K.INFO_REQUESTED, by, status=S.INFO_REQUESTED, comment=comment,
                       clock_paused_at=timezone.now())  # fmt: skip


@transaction.atomic
def receive_info(appeal: Appeal, *, by, comment: str = "") -> Appeal:
    """The citizen answered: the clock resumes and the due date moves by the pause."""
    appeal = _lock(appeal)
    transitions.require(appeal, "receive_info")
    now = timezone.now()
    fields = {"clock_paused_at": None}
    if appeal.due_at is not None and appeal.clock_paused_at is not None:
        fields["due_at"] = appeal.due_at + (now - appeal.clock_paused_at)
        if fields["due_at"] > now:
            fields["overdue_at"] = None
    return _transition(appeal, K.INFO_RECEIVED, by, status=S.IN_PROGRESS, comment=comment, **fields)


# Not a reopened appeal: it waits in triage without a deadline (its clock restarts on assignment).


@transaction.atomic
def extend_deadline(appeal: Appeal, *, due_date: datetime.date, by, reason: str) -> Appeal:
    """Продление: a later due date with a reason; reminders for the new date are sent anew."""
    appeal = _lock(appeal)
    transitions.require(appeal, "extend")
    reason = _need_comment(reason, "причину продления")
    new_due = datetime.datetime.combine(due_date, datetime.time(23, 59, 59), tzinfo=deadlines.MOSCOW)
    if appeal.due_at is not None and new_due <= appeal.due_at:
        raise AppealsError("Новый срок должен быть позже текущего.", code="extension_not_later")
    fields = {"due_at": new_due}
    if new_due > timezone.now():
        fields.update(overdue_at=None, escalation_level=0)
    return _transition(appeal, K.EXTENDED, by, comment=reason, **fields)


def extension_recipients(appeal: Appeal) -> list[User]:
    """Who decides on an extension: the ЦУР operators and the МЦУ operators of the appeal's territory."""
    operators = Q(role=Role.OPERATOR)
    if appeal.territory_id:
        operators |= Q(role=Role.MUNICIPAL_OPERATOR, territory_id=appeal.territory_id)
    return list(User.objects.filter(operators, is_active=True))


def request_extension(appeal: Appeal, *, due_date: datetime.date, reason: str, by) -> None:
    """The executor asks the operators for a later deadline; the extension itself (`extend_deadline`) is
    theirs, and it is the extension that changes the appeal and writes its event."""
    transitions.require(appeal, "request_extension")
    notify(
        extension_recipients(appeal),
        title=f"Запрос продления срока по обращению № {appeal.number}",
        body=f"{by.organisation} просит продлить срок до {due_date:%d.%m.%Y}. Причина: {reason}",
        url=_appeal_url(appeal),
    )


@transaction.atomic
def answer_appeal(appeal: Appeal, *, text: str, by) -> Appeal:
    """The executor records the answer."""
    appeal = _lock(appeal)
    transitions.require(appeal, "answer")
    text = _need_comment(text, "текст ответа")
    return _transition(appeal, K.ANSWERED, by, status=S.ANSWERED, answer_text=text, answered_at=timezone.now(),
                       answer_quality="")  # fmt: skip


@transaction.atomic
def check_answer_quality(appeal: Appeal, *, quality: str, by, comment: str = "") -> Appeal:
    """The operator rates the answer: on the merits, formal, or no answer."""
    appeal = _lock(appeal)
    transitions.require(appeal, "check_quality")
    if quality not in Appeal.AnswerQuality.values:
        raise AppealsError("Неизвестная оценка качества ответа.", code="bad_quality")
    return _transition(appeal, K.QUALITY_CHECKED, by, comment=comment, answer_quality=quality)


@transaction.atomic
def return_appeal(appeal: Appeal, *, by, comment: str) -> Appeal:
    """Return the answer to the executor for a better one; the clock keeps running."""
    appeal = _lock(appeal)
    transitions.require(appeal, "return")
    comment = _need_comment(comment, "что нужно доработать")
    _transition(appeal, K.RETURNED, by, status=S.RETURNED, comment=comment, answered_at=None)
    notify(organisation_users(appeal.organisation), title=f"Обращение № {appeal.number} возвращено на доработку",
           body=comment, url=_appeal_url(appeal))  # fmt: skip
    return appeal


@transaction.atomic
def close_appeal(appeal: Appeal, *, by, comment: str = "") -> Appeal:
    """Close an answered appeal once its answer quality is checked."""
    appeal = _lock(appeal)
    transitions.require(appeal, "close")
    if not appeal.answer_quality:
        raise AppealsError("Перед закрытием оцените качество ответа.", code="quality_required")
    return _transition(appeal, K.CLOSED, by, status=S.CLOSED, comment=comment, closed_at=timezone.now())


DISSATISFIED_MAX_SCORE = 2


@transaction.atomic
def record_satisfaction(appeal: Appeal, *, score: int, by, comment: str = "") -> Appeal:
    """The citizen's score 1–5; a score of 1–2 reopens the case."""
    appeal = _lock(appeal)
    transitions.require(appeal, "satisfaction")
    if score not in range(1, 6):
        raise AppealsError("Оценка заявителя — целое число от 1 до 5.", code="bad_score")
    _transition(appeal, K.SATISFACTION, by, comment=comment, satisfaction=score, satisfaction_comment=comment)
    if score <= DISSATISFIED_MAX_SCORE:
        _reopen(appeal, by=by, reason=f"Заявитель не удовлетворён ответом (оценка {score}).")
    return appeal


def _reopen(appeal: Appeal, *, by, reason: str) -> Appeal:
    return _transition(
        appeal, K.REOPENED, by, status=S.REOPENED, comment=reason, answered_at=None, closed_at=None,
        answer_quality="", due_at=None, overdue_at=None, escalation_level=0, clock_paused_at=None,
    )  # fmt: skip


@transaction.atomic
def reopen_appeal(appeal: Appeal, *, by, reason: str) -> Appeal:
    """Reopen an answered or closed case (dissatisfaction, a repeat appeal); it returns to triage."""
    appeal = _lock(appeal)
    transitions.require(appeal, "reopen")
    return _reopen(appeal, by=by, reason=_need_comment(reason, "причину возобновления"))


@transaction.atomic
def mark_repeat(appeal: Appeal, *, original: Appeal, by) -> Appeal:
    """Mark `appeal` as a repeat of `original`; an answered or closed original is reopened."""
    if original.pk == appeal.pk:
        raise AppealsError("Обращение не может быть повторным к самому себе.", code="self_repeat")
    # Lock both rows in id order, so two opposite calls cannot deadlock.
    locked = {
        a.pk: a for a in Appeal.objects.select_for_update().filter(pk__in=[appeal.pk, original.pk]).order_by("pk")
    }
    appeal, original = locked[appeal.pk], locked[original.pk]
    _transition(appeal, K.RECLASSIFIED, by, repeat_of=original, comment=f"Повторное к № {original.number}")
    if original.status in (S.ANSWERED, S.CLOSED):
        _reopen(original, by=by, reason=f"Поступило повторное обращение № {appeal.number}.")
    return appeal


@transaction.atomic
def reject_appeal(appeal: Appeal, *, reason: str, by, comment: str = "", duplicate_of: Appeal | None = None) -> Appeal:
    """Reject: spam, a duplicate (of `duplicate_of`), not in competence, no essence."""
    appeal = _lock(appeal)
    transitions.require(appeal, "reject")
    if reason not in Appeal.RejectReason.values:
        raise AppealsError("Укажите причину отклонения из списка.", code="bad_reason")
    fields = {"reject_reason": reason, "closed_at": timezone.now()}
    if reason == Appeal.RejectReason.DUPLICATE:
        if duplicate_of is None or duplicate_of.pk == appeal.pk:
            raise AppealsError("Укажите обращение, дубликатом которого является это.", code="duplicate_of_required")
        fields["repeat_of"] = duplicate_of
    return _transition(appeal, K.REJECTED, by, status=S.REJECTED, comment=comment, **fields)


# --- incidents ---------------------------------------------------------------------------


@transaction.atomic
def create_incident(*, title: str, by, description: str = "", sector_block=None, topic=None, territory=None):
    """Open an incident (one problem many appeals are about)."""
    title = (title or "").strip()
    if not title:
        raise AppealsError("Укажите название инцидента.", code="title_required")
    incident = Incident.objects.create(title=title, description=description, sector_block=sector_block,
                                       topic=topic, territory=territory, created_by=by)  # fmt: skip
    audit.record(by, "incident.create", incident)
    return incident


@transaction.atomic
def link_to_incident(appeal: Appeal, *, incident: Incident, by) -> Appeal:
    appeal = _lock(appeal)
    if appeal.incident_id == incident.pk:
        return appeal
    return _transition(appeal, K.INCIDENT_LINKED, by, incident=incident)


@transaction.atomic
def unlink_from_incident(appeal: Appeal, *, by) -> Appeal:
    appeal = _lock(appeal)
    if appeal.incident_id is None:
        raise AppealsError("Обращение не привязано к инциденту.", code="not_linked")
    return _transition(appeal, K.INCIDENT_UNLINKED, by, incident=None)


@transaction.atomic
def set_incident_status(incident: Incident, *, status: str, by) -> Incident:
    if status not in Incident.Status.values:
        raise AppealsError("Неизвестный статус инцидента.", code="bad_status")
    incident = Incident.objects.select_for_update().get(pk=incident.pk)
    changes = audit.apply_changes(incident, {"status": status})
    incident.full_clean()
    incident.save()
    audit.record(by, "incident.status", incident, changes)
    return incident


# --- personal data -----------------------------------------------------------------------


def log_personal_data_view(appeal: Appeal, *, by) -> None:
    """Record that `by` unmasked the applicant's personal data (152-ФЗ access log)."""
    with transaction.atomic():
        _event(appeal, K.PERSONAL_DATA_VIEWED, by)
        audit.record(by, "appeal.personal_data_viewed", appeal)
