"""The appeal workflow: every service from every status — allowed or refused — plus intake
idempotency, deadlines, concurrency (row locks), scope per role and masking."""

import datetime
import re
import threading
from dataclasses import dataclass

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from appeals import services
from appeals.errors import AppealsError, TransitionNotAllowed
from appeals.models import Appeal, AppealEvent, DeadlineRule, Incident, Topic
from appeals.selectors import appeals_visible_to, mask
from appeals.workflow.deadlines import MOSCOW
from cur.models import AuditEvent, Notification, User
from cur.roles import Role
from sectors.models import Organisation, SectorBlock, Territory
from tests.factories import OrganisationFactory, TerritoryFactory, UserFactory

from .factories import AppealFactory, IncidentFactory, appeal_in

S = Appeal.Status
K = AppealEvent.Kind
Q = Appeal.AnswerQuality
CYRILLIC = re.compile(r"[а-яё]", re.IGNORECASE)

pytestmark = pytest.mark.django_db


# --- personas ----------------------------------------------------------------------------


@dataclass
class World:
    operator: User
    organisation: Organisation  # the appeal's executor
    executor: User
    other_organisation: Organisation  # where an appeal is assigned or redirected to
    other_executor: User


@pytest.fixture
def world(make_user) -> World:
    waste = SectorBlock.objects.get(code="waste")
    organisation = OrganisationFactory(name="ООО «Рязанское спецавтохозяйство»", sector_blocks=[waste])
    other = OrganisationFactory(name="МБУ «Дирекция благоустройства города»", sector_blocks=[waste])
    return World(
        operator=make_user(Role.OPERATOR),
        organisation=organisation,
        executor=make_user(Role.EXECUTOR, username="executor-sah", organisation=organisation),
        other_organisation=other,
        other_executor=make_user(Role.EXECUTOR, username="executor-dbg", organisation=other),
    )


# --- the transition table -------------------------------------------------------------------

# Statuses each status-changing service starts from; from every other status it refuses.
ALLOWED: dict[str, set[str]] = {
    "assign_appeal": {S.NEW, S.REOPENED},
    "redirect_appeal": {S.ASSIGNED, S.IN_PROGRESS, S.RETURNED},
    "start_work": {S.ASSIGNED, S.RETURNED},
    "request_info": {S.ASSIGNED, S.IN_PROGRESS, S.RETURNED},
    "receive_info": {S.INFO_REQUESTED},
    "extend_deadline": {S.ASSIGNED, S.IN_PROGRESS, S.RETURNED, S.INFO_REQUESTED},
    "answer_appeal": {S.ASSIGNED, S.IN_PROGRESS, S.RETURNED},
    "check_answer_quality": {S.ANSWERED, S.CLOSED},
    "return_appeal": {S.ANSWERED},
    "close_appeal": {S.ANSWERED},
    "record_satisfaction": {S.ANSWERED, S.CLOSED},
    "reopen_appeal": {S.ANSWERED, S.CLOSED},
    "reject_appeal": {S.NEW, S.REOPENED, S.ASSIGNED},
}
# The status after the service (None: unchanged) and the kind of the event it writes.
TO_STATUS = {
    "assign_appeal": S.ASSIGNED,
    "redirect_appeal": S.ASSIGNED,
    "start_work": S.IN_PROGRESS,
    "request_info": S.INFO_REQUESTED,
    "receive_info": S.IN_PROGRESS,
    "extend_deadline": None,
    "answer_appeal": S.ANSWERED,
    "check_answer_quality": None,
    "return_appeal": S.RETURNED,
    "close_appeal": S.CLOSED,
    "record_satisfaction": None,
    "reopen_appeal": S.REOPENED,
    "reject_appeal": S.REJECTED,
}
KIND = {
    "assign_appeal": K.ASSIGNED,
    "redirect_appeal": K.REDIRECTED,
    "start_work": K.STARTED,
    "request_info": K.INFO_REQUESTED,
    "receive_info": K.INFO_RECEIVED,
    "extend_deadline": K.EXTENDED,
    "answer_appeal": K.ANSWERED,
    "check_answer_quality": K.QUALITY_CHECKED,
    "return_appeal": K.RETURNED,
    "close_appeal": K.CLOSED,
    "record_satisfaction": K.SATISFACTION,
    "reopen_appeal": K.REOPENED,
    "reject_appeal": K.REJECTED,
}
# Who gets the in-app notification: the new executor, or the current one.
NOTIFIES = {"assign_appeal": "other_executor", "redirect_appeal": "other_executor", "return_appeal": "executor"}
# The executor's own actions; everything else is the operator's.
BY_EXECUTOR = {"start_work", "request_info", "answer_appeal"}
# A state a service needs besides the status itself.
STATE = {"close_appeal": {"answer_quality": Q.ON_MERITS}}


def extended_to() -> datetime.date:
    return (timezone.localtime() + datetime.timedelta(days=60)).date()


def call(service: str, appeal: Appeal, w: World) -> Appeal:
    by = w.executor if service in BY_EXECUTOR else w.operator
    kwargs = {
        "assign_appeal": {"organisation": w.other_organisation, "comment": "По компетенции"},
        "redirect_appeal": {"organisation": w.other_organisation, "comment": "Вопрос в ведении другой организации"},
        "start_work": {},
        "request_info": {"comment": "Уточните номер подъезда и контейнерной площадки"},
        "receive_info": {"comment": "Заявитель уточнил: площадка у подъезда № 3"},
        "extend_deadline": {"due_date": extended_to(), "reason": "Нужна комиссионная проверка"},
        "answer_appeal": {"text": "Мусор вывезен, график вывоза восстановлен."},
        "check_answer_quality": {"quality": Q.FORMAL},
        "return_appeal": {"comment": "Не указано, когда восстановят график"},
        "close_appeal": {},
        "record_satisfaction": {"score": 4},
        "reopen_appeal": {"reason": "Заявитель сообщил, что мусор снова не вывозят"},
        "reject_appeal": {"reason": Appeal.RejectReason.SPAM},
    }[service]
    return getattr(services, service)(appeal, by=by, **kwargs)


def snapshot(appeal: Appeal) -> tuple:
    """The appeal's row and the counts of everything a service could have written."""
    return (
        Appeal.objects.filter(pk=appeal.pk).values().get(),
        AppealEvent.objects.count(),
        Notification.objects.count(),
        AuditEvent.objects.count(),
    )


ALLOWED_CASES = [(service, status) for service, statuses in ALLOWED.items() for status in S if status in statuses]
FORBIDDEN_CASES = [(service, status) for service, statuses in ALLOWED.items() for status in S if status not in statuses]


def case_id(case) -> str:
    return f"{case[0]}-from-{case[1]}"


def test_the_table_covers_every_service_from_every_status():
    assert len(ALLOWED_CASES) + len(FORBIDDEN_CASES) == len(ALLOWED) * len(S)
    assert set(ALLOWED) == set(TO_STATUS) == set(KIND)


@pytest.mark.parametrize(("service", "status"), ALLOWED_CASES, ids=[case_id(c) for c in ALLOWED_CASES])
def test_an_allowed_transition_sets_the_status_and_writes_one_event(world, service, status):
    appeal = appeal_in(status, organisation=world.organisation, **STATE.get(service, {}))

    result = call(service, appeal, world)

    appeal.refresh_from_db()
    expected = TO_STATUS[service] or status
    assert result.pk == appeal.pk
    assert result.status == appeal.status == expected
    event = AppealEvent.objects.get(appeal=appeal)  # exactly one
    assert event.kind == KIND[service]
    assert (event.from_status, event.to_status) == (status, expected)
    assert event.actor == (world.executor if service in BY_EXECUTOR else world.operator)
    assert event.changes
    if expected != status:
        assert event.changes["status"] == [status, expected]
    else:
        assert "status" not in event.changes
    recipient = NOTIFIES.get(service)
    notifications = list(Notification.objects.all())
    if recipient is None:
        assert notifications == []
    else:
        [notification] = notifications
        assert notification.user == getattr(world, recipient)
        assert appeal.number in notification.title
        assert notification.url == reverse("appeals:appeal-detail", args=[appeal.pk])


@pytest.mark.parametrize(("service", "status"), FORBIDDEN_CASES, ids=[case_id(c) for c in FORBIDDEN_CASES])
def test_a_transition_from_another_status_is_refused_in_russian_and_changes_nothing(world, service, status):
    appeal = appeal_in(status, organisation=world.organisation, **STATE.get(service, {}))
    before = snapshot(appeal)

    with pytest.raises(TransitionNotAllowed) as refused:
        call(service, appeal, world)

    assert refused.value.code == "transition_not_allowed"
    assert refused.value.message.startswith("Нельзя ")
    assert CYRILLIC.search(refused.value.message)
    assert f"«{S(status).label}»" in refused.value.message
    assert snapshot(appeal) == before


# --- intake ---------------------------------------------------------------------------------


def test_registering_the_same_message_twice_gives_one_appeal(operator):
    first, created = services.register_appeal(
        channel=Appeal.Channel.POS, external_id="pos-100500", text="Яма на дороге", by=operator
    )
    again, created_again = services.register_appeal(
        channel=Appeal.Channel.POS, external_id=" pos-100500 ", text="Яма на дороге (повтор доставки)", by=operator
    )

    assert (created, created_again) == (True, False)
    assert again.pk == first.pk
    assert Appeal.objects.count() == 1
    assert again.text == "Яма на дороге"
    event = AppealEvent.objects.get()
    assert (event.kind, event.actor, event.from_status, event.to_status) == (K.REGISTERED, operator, "", "")
    assert event.changes == {"channel": "pos", "external_id": "pos-100500"}


def test_the_same_external_id_on_another_channel_is_another_appeal():
    pos, _ = services.register_appeal(channel=Appeal.Channel.POS, external_id="42", text="Нет горячей воды")
    email, created = services.register_appeal(channel=Appeal.Channel.EMAIL, external_id="42", text="Нет горячей воды")

    assert created
    assert pos.pk != email.pk
    assert Appeal.objects.count() == 2


def test_messages_without_an_external_id_are_never_merged():
    services.register_appeal(channel=Appeal.Channel.PHONE, text="Не горят фонари на ул. Гагарина")
    services.register_appeal(channel=Appeal.Channel.PHONE, text="Не горят фонари на ул. Гагарина")
    assert Appeal.objects.count() == 2


def test_a_registered_appeal_is_new_with_its_block_taken_from_the_topic(operator):
    topic = Topic.objects.get(code="otsutstvie-goryachey-vody")

    appeal, _ = services.register_appeal(
        channel=Appeal.Channel.WEB, external_id="web-1", text="  Нет горячей воды  ", topic=topic, by=operator
    )

    assert appeal.status == S.NEW
    assert appeal.text == "Нет горячей воды"
    assert appeal.sector_block.code == "housing"
    assert appeal.classification_source == Appeal.ClassificationSource.MANUAL
    assert appeal.registered_by == operator
    assert appeal.due_at is None


def test_registration_validates_the_fields():
    with pytest.raises(ValidationError):
        services.register_appeal(channel="pigeon", text="Голубиная почта")
    assert not Appeal.objects.exists()


# The concurrency tests use transactional_db: each thread has its own connection and must see
# committed rows (tests/conftest.py puts the sector blocks and topics back after the flush).
def run_in_threads(count: int, work) -> list[tuple[str, object]]:
    """Run work(i) in `count` threads released at once; each result is ("ok", value) or ("error", exc)."""
    barrier = threading.Barrier(count)
    results: list = [None] * count

    def run(i: int) -> None:
        try:
            barrier.wait(timeout=10)
            results[i] = ("ok", work(i))
        except Exception as exc:  # the test inspects what each thread got
            results[i] = ("error", exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert all(r is not None for r in results), "a thread hung"
    return results


def test_the_same_message_delivered_concurrently_is_still_one_appeal(transactional_db):
    results = run_in_threads(
        8,
        lambda i: services.register_appeal(
            channel=Appeal.Channel.MESSENGER, external_id="tg-777", text=f"Не вывозят мусор (доставка {i})"
        ),
    )

    assert [kind for kind, _ in results] == ["ok"] * 8, results
    assert len({appeal.pk for _, (appeal, _created) in results}) == 1
    assert sum(created for _, (_appeal, created) in results) == 1
    assert Appeal.objects.filter(channel=Appeal.Channel.MESSENGER, external_id="tg-777").count() == 1
    assert AppealEvent.objects.filter(kind=K.REGISTERED).count() == 1


def test_two_executors_answering_at_once_one_wins_the_other_is_refused(transactional_db):
    organisation = OrganisationFactory()
    executor = UserFactory(username="executor-race", role=Role.EXECUTOR, organisation=organisation)
    appeal = appeal_in(S.IN_PROGRESS, organisation=organisation)
    texts = ["Ответ первого сотрудника.", "Ответ второго сотрудника."]

    results = run_in_threads(2, lambda i: services.answer_appeal(appeal, text=texts[i], by=executor))

    kinds = sorted(kind for kind, _ in results)
    assert kinds == ["error", "ok"], results
    [error] = [value for kind, value in results if kind == "error"]
    [winner] = [value for kind, value in results if kind == "ok"]
    assert isinstance(error, TransitionNotAllowed)
    appeal.refresh_from_db()
    assert appeal.status == S.ANSWERED
    assert appeal.answer_text == winner.answer_text
    assert AppealEvent.objects.filter(appeal=appeal, kind=K.ANSWERED).count() == 1


def test_two_operators_assigning_at_once_one_wins_the_other_is_refused(transactional_db):
    operator = UserFactory(username="operator-race", role=Role.OPERATOR)
    # No executor users: nothing to notify, so no e-mail task leaves the test.
    organisations = [OrganisationFactory(), OrganisationFactory()]
    appeal = appeal_in(S.NEW)

    results = run_in_threads(2, lambda i: services.assign_appeal(appeal, organisation=organisations[i], by=operator))

    assert sorted(kind for kind, _ in results) == ["error", "ok"], results
    [error] = [value for kind, value in results if kind == "error"]
    [winner] = [value for kind, value in results if kind == "ok"]
    assert isinstance(error, TransitionNotAllowed)
    appeal.refresh_from_db()
    assert appeal.status == S.ASSIGNED
    assert appeal.organisation_id == winner.organisation_id
    assert AppealEvent.objects.filter(appeal=appeal, kind=K.ASSIGNED).count() == 1


# --- assignment and the deadline clock -----------------------------------------------------------


def test_assignment_starts_the_clock_at_registration_plus_30_calendar_days(world):
    registered = datetime.datetime(2025, 3, 10, 10, 0, tzinfo=MOSCOW)
    appeal = appeal_in(S.NEW, received_at=registered - datetime.timedelta(hours=1), registered_at=registered)
    assert not DeadlineRule.objects.exists()

    appeal = services.assign_appeal(appeal, organisation=world.organisation, by=world.operator)

    assert appeal.due_at == datetime.datetime(2025, 4, 9, 23, 59, 59, tzinfo=MOSCOW)
    assert appeal.organisation == world.organisation
    assert appeal.assigned_at is not None
    assert (appeal.overdue_at, appeal.escalation_level) == (None, 0)
    event = AppealEvent.objects.get(appeal=appeal)
    assert event.changes["organisation"] == [None, world.organisation.pk]
    assert event.changes["due_at"] == [None, appeal.due_at.isoformat()]
    assert event.comment == ""


def test_the_most_specific_deadline_rule_wins(world):
    registered = datetime.datetime(2025, 3, 10, 10, 0, tzinfo=MOSCOW)
    appeal = appeal_in(S.NEW, registered_at=registered, received_at=registered)
    DeadlineRule.objects.create(name="ТКО", sector_block=appeal.sector_block, days=20)
    DeadlineRule.objects.create(name="Вывоз мусора", topic=appeal.topic, days=10)
    DeadlineRule.objects.create(name="Вывоз мусора (отменено)", topic=appeal.topic, days=3, is_active=False)

    appeal = services.assign_appeal(appeal, organisation=world.organisation, by=world.operator)

    assert appeal.due_at == datetime.datetime(2025, 3, 20, 23, 59, 59, tzinfo=MOSCOW)


def test_a_reassigned_reopened_appeal_gets_a_new_clock_from_now(world):
    appeal = appeal_in(S.REOPENED, organisation=world.organisation)
    assert appeal.due_at is None

    appeal = services.assign_appeal(appeal, organisation=world.organisation, by=world.operator)

    today = timezone.localtime().date()
    assert timezone.localtime(appeal.due_at).date() == today + datetime.timedelta(days=30)


def test_assignment_notifies_only_the_active_executors_of_the_organisation(world, make_user):
    colleague = make_user(Role.EXECUTOR, username="executor-sah-2", organisation=world.organisation)
    make_user(Role.EXECUTOR, username="executor-sah-gone", organisation=world.organisation, is_active=False)
    make_user(Role.BLOCK_HEAD, username="head-waste", organisation=world.organisation)
    appeal = appeal_in(S.NEW)

    services.assign_appeal(appeal, organisation=world.organisation, by=world.operator)

    notified = Notification.objects.order_by("user__username")
    assert [n.user for n in notified] == [world.executor, colleague]
    assert {n.title for n in notified} == {f"Новое обращение № {appeal.number}"}
    assert all(n.body.startswith("Срок ответа: ") for n in notified)


def test_an_inactive_organisation_cannot_be_assigned(world):
    world.other_organisation.is_active = False
    world.other_organisation.save()
    appeal = appeal_in(S.NEW)
    before = snapshot(appeal)

    with pytest.raises(AppealsError, match="не действует"):
        services.assign_appeal(appeal, organisation=world.other_organisation, by=world.operator)

    assert snapshot(appeal) == before


# --- redirect, work, information, extension -------------------------------------------------------


def test_a_redirect_changes_the_executor_but_not_the_deadline(world):
    appeal = appeal_in(S.IN_PROGRESS, organisation=world.organisation)
    due = appeal.due_at

    appeal = services.redirect_appeal(
        appeal, organisation=world.other_organisation, by=world.operator, comment="Площадка на балансе города"
    )

    assert (appeal.status, appeal.organisation, appeal.due_at) == (S.ASSIGNED, world.other_organisation, due)
    event = AppealEvent.objects.get(appeal=appeal)
    assert event.comment == "Площадка на балансе города"
    assert event.changes["organisation"] == [world.organisation.pk, world.other_organisation.pk]
    notification = Notification.objects.get()
    assert (notification.user, notification.body) == (world.other_executor, "Площадка на балансе города")


@pytest.mark.parametrize(
    ("organisation", "comment", "message"),
    [("other", "  ", "Укажите причину"), ("same", "По компетенции", "уже у этого исполнителя")],
)
def test_a_redirect_needs_a_reason_and_another_organisation(world, organisation, comment, message):
    appeal = appeal_in(S.ASSIGNED, organisation=world.organisation)
    target = world.other_organisation if organisation == "other" else world.organisation
    before = snapshot(appeal)

    with pytest.raises(AppealsError, match=message):
        services.redirect_appeal(appeal, organisation=target, by=world.operator, comment=comment)

    assert snapshot(appeal) == before


def test_requesting_information_pauses_the_clock_and_needs_a_question(world):
    appeal = appeal_in(S.IN_PROGRESS, organisation=world.organisation)
    with pytest.raises(AppealsError, match="Укажите"):
        services.request_info(appeal, by=world.executor, comment="")

    appeal = services.request_info(appeal, by=world.executor, comment="Уточните адрес")

    assert appeal.clock_paused_at is not None
    assert AppealEvent.objects.get(appeal=appeal).comment == "Уточните адрес"


def test_receiving_information_moves_the_due_date_by_the_pause(world):
    now = timezone.now()
    appeal = appeal_in(
        S.INFO_REQUESTED,
        organisation=world.organisation,
        clock_paused_at=now - datetime.timedelta(days=5),
        due_at=now - datetime.timedelta(days=1),
        overdue_at=now - datetime.timedelta(days=1),
    )
    due = appeal.due_at

    appeal = services.receive_info(appeal, by=world.operator)

    shift = appeal.due_at - due
    assert datetime.timedelta(days=5) <= shift < datetime.timedelta(days=5, minutes=1)
    assert (appeal.status, appeal.clock_paused_at, appeal.overdue_at) == (S.IN_PROGRESS, None, None)


def test_an_extension_sets_the_end_of_the_new_day_and_clears_the_overdue_mark(world):
    appeal = appeal_in(
        S.IN_PROGRESS, organisation=world.organisation, overdue_at=timezone.now(), escalation_level=2,
        due_at=timezone.now() - datetime.timedelta(days=1),
    )  # fmt: skip
    new_date = extended_to()

    appeal = services.extend_deadline(appeal, due_date=new_date, by=world.operator, reason="Комиссионное обследование")

    assert appeal.due_at == datetime.datetime.combine(new_date, datetime.time(23, 59, 59), tzinfo=MOSCOW)
    assert (appeal.overdue_at, appeal.escalation_level) == (None, 0)
    assert AppealEvent.objects.get(appeal=appeal).comment == "Комиссионное обследование"


@pytest.mark.parametrize(("days", "reason", "message"), [(-1, "Причина", "позже текущего"), (60, " ", "Укажите")])
def test_an_extension_must_be_later_and_have_a_reason(world, days, reason, message):
    appeal = appeal_in(S.ASSIGNED, organisation=world.organisation)
    due_date = timezone.localtime(appeal.due_at).date() + datetime.timedelta(days=days)
    before = snapshot(appeal)

    with pytest.raises(AppealsError, match=message):
        services.extend_deadline(appeal, due_date=due_date, by=world.operator, reason=reason)

    assert snapshot(appeal) == before


# --- answer, quality, return, close ---------------------------------------------------------------


def test_an_answer_records_the_text_and_time_and_clears_an_old_quality_mark(world):
    appeal = appeal_in(S.RETURNED, organisation=world.organisation)
    assert appeal.answer_quality == Q.FORMAL

    appeal = services.answer_appeal(appeal, text="  График вывоза восстановлен с 12.03.  ", by=world.executor)

    assert appeal.answer_text == "График вывоза восстановлен с 12.03."
    assert appeal.answered_at is not None
    assert appeal.answer_quality == ""


def test_an_empty_answer_is_refused(world):
    appeal = appeal_in(S.IN_PROGRESS, organisation=world.organisation)
    before = snapshot(appeal)
    with pytest.raises(AppealsError, match="текст ответа"):
        services.answer_appeal(appeal, text="   ", by=world.executor)
    assert snapshot(appeal) == before


def test_answer_quality_must_be_one_of_the_marks(world):
    appeal = appeal_in(S.ANSWERED, organisation=world.organisation)
    before = snapshot(appeal)
    with pytest.raises(AppealsError, match="качества"):
        services.check_answer_quality(appeal, quality="excellent", by=world.operator)
    assert snapshot(appeal) == before

    appeal = services.check_answer_quality(appeal, quality=Q.FORMAL, by=world.operator, comment="Отписка")
    assert appeal.answer_quality == Q.FORMAL
    assert AppealEvent.objects.get(appeal=appeal).changes == {"answer_quality": ["", "formal"]}


def test_a_returned_answer_goes_back_to_the_executor_with_the_clock_running(world):
    appeal = appeal_in(S.ANSWERED, organisation=world.organisation)
    due = appeal.due_at

    appeal = services.return_appeal(appeal, by=world.operator, comment="Нет сроков устранения")

    assert (appeal.status, appeal.answered_at, appeal.due_at) == (S.RETURNED, None, due)
    notification = Notification.objects.get()
    assert notification.user == world.executor
    assert notification.body == "Нет сроков устранения"


def test_closing_requires_the_answer_quality(world):
    appeal = appeal_in(S.ANSWERED, organisation=world.organisation)
    before = snapshot(appeal)

    with pytest.raises(AppealsError, match="оцените качество"):
        services.close_appeal(appeal, by=world.operator)
    assert snapshot(appeal) == before

    services.check_answer_quality(appeal, quality=Q.ON_MERITS, by=world.operator)
    appeal = services.close_appeal(appeal, by=world.operator)
    assert appeal.status == S.CLOSED
    assert appeal.answered_at <= appeal.closed_at


# --- satisfaction, reopening, repeats -----------------------------------------------------------------


@pytest.mark.parametrize("status", [S.ANSWERED, S.CLOSED])
@pytest.mark.parametrize("score", [1, 2])
def test_a_dissatisfied_citizen_reopens_the_case(world, status, score):
    appeal = appeal_in(status, organisation=world.organisation, answer_quality=Q.ON_MERITS)

    appeal = services.record_satisfaction(appeal, score=score, by=world.operator, comment="Мусор так и лежит")

    assert appeal.status == S.REOPENED
    assert (appeal.satisfaction, appeal.satisfaction_comment) == (score, "Мусор так и лежит")
    assert (appeal.answered_at, appeal.closed_at, appeal.answer_quality, appeal.due_at) == (None, None, "", None)
    events = list(AppealEvent.objects.filter(appeal=appeal).order_by("id"))
    assert [(e.kind, e.from_status, e.to_status) for e in events] == [
        (K.SATISFACTION, status, status),
        (K.REOPENED, status, S.REOPENED),
    ]
    assert f"оценка {score}" in events[1].comment


@pytest.mark.parametrize("score", [3, 4, 5])
def test_a_satisfied_citizen_leaves_the_case_closed(world, score):
    appeal = appeal_in(S.CLOSED, organisation=world.organisation)
    appeal = services.record_satisfaction(appeal, score=score, by=world.operator)
    assert (appeal.status, appeal.satisfaction) == (S.CLOSED, score)
    assert AppealEvent.objects.filter(appeal=appeal).count() == 1


@pytest.mark.parametrize("score", [0, 6, -1])
def test_a_score_outside_1_to_5_is_refused(world, score):
    appeal = appeal_in(S.CLOSED, organisation=world.organisation)
    before = snapshot(appeal)
    with pytest.raises(AppealsError, match="от 1 до 5"):
        services.record_satisfaction(appeal, score=score, by=world.operator)
    assert snapshot(appeal) == before


def test_reopening_needs_a_reason_and_returns_the_case_to_triage(world):
    appeal = appeal_in(S.CLOSED, organisation=world.organisation)
    with pytest.raises(AppealsError, match="Укажите"):
        services.reopen_appeal(appeal, by=world.operator, reason="")

    appeal = services.reopen_appeal(appeal, by=world.operator, reason="Проверка показала, что ответ неверен")

    assert appeal.status == S.REOPENED
    assert (appeal.closed_at, appeal.answered_at, appeal.answer_quality, appeal.due_at) == (None, None, "", None)
    assert appeal.organisation == world.organisation  # kept as a hint for the next assignment


@pytest.mark.parametrize("original_status", [S.ANSWERED, S.CLOSED])
def test_a_repeat_appeal_reopens_an_answered_or_closed_original(world, original_status):
    original = appeal_in(original_status, organisation=world.organisation)
    repeat = appeal_in(S.NEW)

    repeat = services.mark_repeat(repeat, original=original, by=world.operator)

    original.refresh_from_db()
    assert repeat.repeat_of == original
    assert repeat.status == S.NEW
    assert original.status == S.REOPENED
    repeat_event = AppealEvent.objects.get(appeal=repeat)
    assert (repeat_event.kind, repeat_event.changes) == (K.RECLASSIFIED, {"repeat_of": [None, original.pk]})
    original_event = AppealEvent.objects.get(appeal=original)
    assert (original_event.kind, original_event.from_status, original_event.to_status) == (
        K.REOPENED, original_status, S.REOPENED,
    )  # fmt: skip
    assert repeat.number in original_event.comment


@pytest.mark.parametrize("original_status", sorted(set(S) - {S.ANSWERED, S.CLOSED}))
def test_a_repeat_of_an_open_or_rejected_original_leaves_it_as_it_is(world, original_status):
    original = appeal_in(original_status, organisation=world.organisation)
    repeat = appeal_in(S.NEW)

    services.mark_repeat(repeat, original=original, by=world.operator)

    original.refresh_from_db()
    assert original.status == original_status
    assert not AppealEvent.objects.filter(appeal=original).exists()


def test_an_appeal_cannot_repeat_itself(world):
    appeal = appeal_in(S.NEW)
    with pytest.raises(AppealsError, match="самому себе"):
        services.mark_repeat(appeal, original=appeal, by=world.operator)


# --- rejection ----------------------------------------------------------------------------------------


def test_rejecting_as_a_duplicate_requires_the_original(world):
    original = appeal_in(S.ASSIGNED, organisation=world.organisation)
    appeal = appeal_in(S.NEW)
    before = snapshot(appeal)

    for duplicate_of in (None, appeal):
        with pytest.raises(AppealsError, match="дубликатом"):
            services.reject_appeal(
                appeal, reason=Appeal.RejectReason.DUPLICATE, by=world.operator, duplicate_of=duplicate_of
            )
        assert snapshot(appeal) == before

    appeal = services.reject_appeal(
        appeal, reason=Appeal.RejectReason.DUPLICATE, by=world.operator, duplicate_of=original, comment="Дубль"
    )
    assert (appeal.status, appeal.reject_reason, appeal.repeat_of) == (S.REJECTED, "duplicate", original)
    assert appeal.closed_at is not None


def test_a_rejection_needs_a_reason_from_the_list(world):
    appeal = appeal_in(S.NEW)
    before = snapshot(appeal)
    with pytest.raises(AppealsError, match="причину отклонения"):
        services.reject_appeal(appeal, reason="boring", by=world.operator)
    assert snapshot(appeal) == before


# --- classification -----------------------------------------------------------------------------------


@pytest.mark.parametrize("status", list(S))
def test_an_operator_can_classify_in_any_status(world, status):
    appeal = appeal_in(status, organisation=world.organisation, sector_block=None, topic=None)
    topic = Topic.objects.get(code="yamy-i-vyboiny-na-doroge")
    territory = TerritoryFactory(name="Рязанский район")

    appeal = services.set_classification(appeal, by=world.operator, topic=topic, territory=territory)

    assert (appeal.status, appeal.topic, appeal.sector_block.code) == (status, topic, "roads")
    assert appeal.territory == territory
    assert appeal.classification_source == Appeal.ClassificationSource.MANUAL
    event = AppealEvent.objects.get(appeal=appeal)
    assert (event.kind, event.from_status, event.to_status) == (K.RECLASSIFIED, status, status)
    assert event.changes["topic"] == [None, topic.pk]


def test_a_topic_of_another_block_is_refused(world):
    appeal = appeal_in(S.NEW)
    before = snapshot(appeal)

    with pytest.raises(AppealsError, match="не относится"):
        services.set_classification(
            appeal, by=world.operator, sector_block=SectorBlock.objects.get(code="health"),
            topic=Topic.objects.get(code="yamy-i-vyboiny-na-doroge"),
        )  # fmt: skip

    assert snapshot(appeal) == before


def test_accepting_the_suggestion_takes_the_suggested_block_topic_and_territory(world):
    topic = Topic.objects.get(code="otsutstvie-goryachey-vody")
    territory = TerritoryFactory()
    appeal = appeal_in(
        S.NEW, sector_block=None, topic=None, suggested_sector_block=topic.sector_block, suggested_topic=topic,
        suggested_territory=territory, confidence=0.62, classification_source=Appeal.ClassificationSource.AUTO,
    )  # fmt: skip

    appeal = services.accept_suggestion(appeal, by=world.operator)

    assert (appeal.sector_block, appeal.topic, appeal.territory) == (topic.sector_block, topic, territory)
    assert appeal.classification_source == Appeal.ClassificationSource.MANUAL


def test_there_is_nothing_to_accept_without_a_suggestion(world):
    appeal = appeal_in(S.NEW)
    with pytest.raises(AppealsError, match="нет предложенной"):
        services.accept_suggestion(appeal, by=world.operator)
    assert not AppealEvent.objects.exists()


# --- incidents ----------------------------------------------------------------------------------------


def test_an_incident_needs_a_title_and_is_audited(world):
    with pytest.raises(AppealsError, match="название"):
        services.create_incident(title="  ", by=world.operator)

    incident = services.create_incident(title="Прорыв на ул. Гагарина", by=world.operator)

    assert incident.status == Incident.Status.OPEN
    assert AuditEvent.objects.get(action="incident.create").object_id == str(incident.pk)


@pytest.mark.parametrize("status", list(S))
def test_an_appeal_is_linked_to_and_unlinked_from_an_incident_in_any_status(world, status):
    appeal = appeal_in(status, organisation=world.organisation)
    incident = IncidentFactory()

    appeal = services.link_to_incident(appeal, incident=incident, by=world.operator)
    services.link_to_incident(appeal, incident=incident, by=world.operator)  # again: nothing to do
    assert appeal.incident == incident
    appeal = services.unlink_from_incident(appeal, by=world.operator)

    assert appeal.incident is None
    assert appeal.status == status
    events = AppealEvent.objects.filter(appeal=appeal).order_by("id")
    assert [(e.kind, e.changes["incident"]) for e in events] == [
        (K.INCIDENT_LINKED, [None, incident.pk]),
        (K.INCIDENT_UNLINKED, [incident.pk, None]),
    ]


def test_unlinking_an_appeal_without_an_incident_is_refused(world):
    appeal = appeal_in(S.NEW)
    with pytest.raises(AppealsError, match="не привязано"):
        services.unlink_from_incident(appeal, by=world.operator)


def test_an_incident_status_change_is_audited(world):
    incident = IncidentFactory()

    services.set_incident_status(incident, status=Incident.Status.RESOLVED, by=world.operator)

    incident.refresh_from_db()
    assert incident.status == Incident.Status.RESOLVED
    assert AuditEvent.objects.get(action="incident.status").changes == {"status": ["open", "resolved"]}
    with pytest.raises(AppealsError, match="Неизвестный статус инцидента"):
        services.set_incident_status(incident, status="forgotten", by=world.operator)
    incident.refresh_from_db()
    assert incident.status == Incident.Status.RESOLVED


# --- personal data ------------------------------------------------------------------------------------


@pytest.mark.parametrize("status", list(S))
def test_viewing_personal_data_is_logged_in_the_timeline_and_the_audit(world, status):
    appeal = appeal_in(status, organisation=world.organisation)

    services.log_personal_data_view(appeal, by=world.operator)

    event = AppealEvent.objects.get(appeal=appeal)
    assert (event.kind, event.actor, event.from_status, event.to_status) == (K.PERSONAL_DATA_VIEWED, world.operator,
                                                                             "", "")  # fmt: skip
    audit = AuditEvent.objects.get(action="appeal.personal_data_viewed")
    assert (audit.actor, audit.object_id) == (world.operator, str(appeal.pk))
    assert Appeal.objects.get(pk=appeal.pk).status == status


@pytest.mark.parametrize(
    ("value", "masked"),
    [("", ""), ("А", "*"), ("Иванов", "И*****"), ("+7 910 123-45-67", "+********"), ("ab", "a*")],
)
def test_mask_keeps_the_first_character_and_at_most_eight_stars(value, masked):
    assert mask(value) == masked


# --- scope ------------------------------------------------------------------------------------------


@pytest.fixture
def scene(world):
    """Appeals spread over two blocks, two organisations and a district with a settlement."""
    district = TerritoryFactory(name="Шацкий район")
    settlement = TerritoryFactory(name="Шацкое городское поселение", kind=Territory.Kind.URBAN_SETTLEMENT,
                                  parent=district)  # fmt: skip
    elsewhere = TerritoryFactory(name="Сасовский район")
    health = SectorBlock.objects.get(code="health")
    health_topic = Topic.objects.filter(sector_block=health).first()
    appeals = {
        "district": appeal_in(S.ASSIGNED, organisation=world.organisation, territory=district),
        "settlement": appeal_in(S.NEW, territory=settlement),
        "elsewhere": appeal_in(S.ASSIGNED, organisation=world.other_organisation, territory=elsewhere),
        "health": appeal_in(S.NEW, sector_block=health, topic=health_topic, territory=elsewhere),
        "region": appeal_in(S.NEW, territory=district.parent),
    }
    return district, appeals


EVERYTHING = {"district", "settlement", "elsewhere", "health", "region"}


@pytest.mark.parametrize(
    ("role", "visible"),
    [
        (Role.ADMIN, EVERYTHING),
        (Role.CURATOR, EVERYTHING),
        (Role.EXECUTIVE, EVERYTHING),
        (Role.OPERATOR, EVERYTHING),
        (Role.MODERATOR, EVERYTHING),
        (Role.BLOCK_HEAD, {"health"}),
        (Role.BLOCK_RESPONSIBLE, {"health"}),
        (Role.EXECUTOR, {"district"}),
        (Role.MUNICIPAL_OPERATOR, {"district", "settlement"}),
        (Role.COMPETENCE_CENTER, set()),
    ],
)
def test_each_role_sees_the_appeals_of_its_scope(world, scene, make_user, role, visible):
    district, appeals = scene
    scope = {Role.EXECUTOR: {"organisation": world.organisation}, Role.MUNICIPAL_OPERATOR: {"territory": district}}
    user = make_user(role, username=f"scope-{role}", **scope.get(role, {}))

    seen = set(appeals_visible_to(user).values_list("pk", flat=True))

    assert seen == {appeals[name].pk for name in visible}


def test_a_block_head_of_two_blocks_sees_both(scene, make_user):
    _district, appeals = scene
    user = make_user(Role.BLOCK_HEAD, username="head-2", sector_blocks=list(SectorBlock.objects.filter(
        code__in=["health", "waste"])))  # fmt: skip
    assert set(appeals_visible_to(user).values_list("pk", flat=True)) == {a.pk for a in appeals.values()}


@pytest.mark.parametrize(
    ("role", "scope"),
    [(Role.EXECUTOR, {"organisation": None}), (Role.MUNICIPAL_OPERATOR, {"territory": None}),
     (Role.OPERATOR, {"is_active": False})],
)  # fmt: skip
def test_a_user_without_a_scope_or_inactive_sees_nothing(scene, role, scope):
    user = UserFactory(username=f"noscope-{role}", role=role, **scope)
    assert not appeals_visible_to(user).exists()


def test_an_appeal_number_is_the_registration_year_and_the_padded_id():
    appeal = AppealFactory(registered_at=datetime.datetime(2025, 6, 1, 12, 0, tzinfo=datetime.UTC))
    assert appeal.number == f"2025-{appeal.pk:06d}"
    assert str(appeal) == f"Обращение № {appeal.number}"
