"""The workflow through the REST API: each action calls its service, checks the capability,
turns a refused transition into a 409 with a Russian message and bad input into a 400."""

import datetime

import pytest
from django.utils import timezone

from appeals.models import Appeal, AppealEvent
from cur.roles import Role
from sectors.models import SectorBlock
from tests.factories import OrganisationFactory, TerritoryFactory

from .factories import AppealFactory, appeal_in, health_topic

S = Appeal.Status
URL = "/api/v1/appeals/"
IN_60_DAYS = str(timezone.localdate() + datetime.timedelta(days=60))


def url(appeal: Appeal, action: str) -> str:
    return f"{URL}{appeal.pk}/{action}/"


@pytest.fixture
def organisation(db):
    return OrganisationFactory(name="Управление благоустройства г. Рязани")


@pytest.fixture
def operator_api(operator, api_client_for):
    return api_client_for(operator)


@pytest.fixture
def executor(make_user, organisation):
    return make_user(Role.EXECUTOR, organisation=organisation)


@pytest.fixture
def executor_api(executor, api_client_for):
    return api_client_for(executor)


def post(api, appeal, action, data=None):
    return api.post(url(appeal, action), data or {}, format="json")


def kinds(appeal: Appeal) -> list[str]:
    return list(appeal.events.values_list("kind", flat=True))


# --- The ordinary way -------------------------------------------------------------------------------


def test_an_appeal_goes_from_registration_to_closing_through_the_api(operator_api, executor_api, organisation):
    appeal = AppealFactory()

    response = post(operator_api, appeal, "assign", {"organisation": organisation.pk, "comment": "По компетенции"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == S.ASSIGNED and body["organisation"] == organisation.pk
    assert body["due_at"] is not None and body["public_status"] == "в работе"
    assert body["applicant_name"] == "С********"  # transitions answer with masked data
    assert [e["kind"] for e in body["events"]] == [AppealEvent.Kind.ASSIGNED]

    assert post(executor_api, appeal, "start").json()["status"] == S.IN_PROGRESS
    response = post(executor_api, appeal, "answer", {"text": "Контейнеры вывезены 12 марта."})
    assert response.json()["status"] == S.ANSWERED and response.json()["public_status"] == "дан ответ"
    response = post(operator_api, appeal, "quality", {"quality": "on_merits", "comment": "Ответ по существу"})
    assert response.json()["answer_quality"] == "on_merits"
    response = post(operator_api, appeal, "close")
    assert response.json()["status"] == S.CLOSED and response.json()["public_status"] == "закрыто"
    response = post(operator_api, appeal, "satisfaction", {"score": 5, "comment": "Спасибо"})
    assert response.status_code == 200 and response.json()["satisfaction"] == 5

    appeal.refresh_from_db()
    assert appeal.status == S.CLOSED and appeal.answer_text == "Контейнеры вывезены 12 марта."
    assert kinds(appeal) == ["assigned", "started", "answered", "quality_checked", "closed", "satisfaction"]


def test_a_low_score_reopens_the_appeal(operator_api, organisation):
    appeal = appeal_in(S.CLOSED, organisation=organisation)

    response = post(operator_api, appeal, "satisfaction", {"score": 1, "comment": "Ничего не сделано"})

    assert response.status_code == 200
    assert response.json()["status"] == S.REOPENED


def test_the_executor_requests_information_and_the_clock_pauses_until_it_arrives(executor_api, organisation):
    appeal = appeal_in(S.IN_PROGRESS, organisation=organisation)

    response = post(executor_api, appeal, "request-info", {"comment": "Уточните номер подъезда."})
    assert response.status_code == 200 and response.json()["status"] == S.INFO_REQUESTED
    assert response.json()["clock_paused_at"] is not None

    response = post(executor_api, appeal, "receive-info", {"comment": "Подъезд № 3."})
    assert response.json()["status"] == S.IN_PROGRESS and response.json()["clock_paused_at"] is None


def test_the_operator_may_also_record_the_citizens_reply(operator_api, organisation):
    appeal = appeal_in(S.INFO_REQUESTED, organisation=organisation)

    assert post(operator_api, appeal, "receive-info").json()["status"] == S.IN_PROGRESS


def test_the_operator_extends_the_deadline_with_a_reason(operator_api, organisation):
    appeal = appeal_in(S.IN_PROGRESS, organisation=organisation)
    new_date = (timezone.localtime(appeal.due_at) + datetime.timedelta(days=10)).date()

    response = post(operator_api, appeal, "extend", {"due_date": new_date.isoformat(), "reason": "Нужна экспертиза"})

    assert response.status_code == 200, response.content
    appeal.refresh_from_db()
    assert timezone.localtime(appeal.due_at).date() == new_date
    assert appeal.events.get().comment == "Нужна экспертиза"


def test_an_earlier_extension_is_a_409_with_a_russian_message(operator_api, organisation):
    appeal = appeal_in(S.IN_PROGRESS, organisation=organisation)

    response = post(operator_api, appeal, "extend", {"due_date": "2020-01-01", "reason": "Ошибка"})

    assert response.status_code == 409
    assert response.json()["detail"] == "Новый срок должен быть позже текущего."


def test_redirect_return_and_reopen(operator_api, organisation):
    other = OrganisationFactory(name="Министерство ЖКХ")
    assigned = appeal_in(S.ASSIGNED, organisation=organisation)
    answered = appeal_in(S.ANSWERED, organisation=organisation)
    closed = appeal_in(S.CLOSED, organisation=organisation)

    response = post(operator_api, assigned, "redirect", {"organisation": other.pk, "comment": "Не их компетенция"})
    assert response.status_code == 200 and response.json()["organisation_name"] == "Министерство ЖКХ"
    response = post(operator_api, answered, "return", {"comment": "Ответ формальный"})
    assert response.status_code == 200 and response.json()["status"] == S.RETURNED
    response = post(operator_api, closed, "reopen", {"reason": "Повторная жалоба"})
    assert response.status_code == 200 and response.json()["status"] == S.REOPENED


def test_rejecting_as_a_duplicate_needs_the_original(operator_api):
    original, duplicate = AppealFactory(), AppealFactory()

    without = post(operator_api, duplicate, "reject", {"reason": "duplicate"})
    with_original = post(operator_api, duplicate, "reject", {"reason": "duplicate", "duplicate_of": original.pk})

    assert without.status_code == 400 and "duplicate_of" in without.json()
    assert with_original.status_code == 200 and with_original.json()["status"] == S.REJECTED
    assert with_original.json()["repeat_of"] == original.pk


def test_rejecting_as_spam(operator_api):
    appeal = AppealFactory()

    response = post(operator_api, appeal, "reject", {"reason": "spam", "comment": "Реклама"})

    assert response.status_code == 200
    assert response.json()["reject_reason"] == "spam" and response.json()["public_status"] == "закрыто"


def test_the_operator_classifies_by_codes(operator_api):
    territory = TerritoryFactory(oktmo="61701000")
    appeal = AppealFactory(sector_block=None, topic=None)

    response = post(operator_api, appeal, "classify", {"topic": "dispanserizatsiya", "territory": "61701000"})

    assert response.status_code == 200, response.content
    appeal.refresh_from_db()
    assert appeal.topic == health_topic() and appeal.sector_block.code == "health" and appeal.territory == territory
    assert appeal.classification_source == Appeal.ClassificationSource.MANUAL


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({}, "topic"),
        ({"topic": "net-takoy"}, "topic"),
        ({"sector": "roads", "topic": "dispanserizatsiya"}, "topic"),
        ({"sector": "health", "territory": "00000000"}, "territory"),
    ],
)
def test_a_wrong_classification_is_a_400(operator_api, data, field):
    response = post(operator_api, AppealFactory(), "classify", data)

    assert response.status_code == 400
    assert field in response.json()


def test_accepting_the_suggestion_takes_the_classifiers_labels(operator_api):
    appeal = AppealFactory(
        sector_block=None, topic=None, suggested_topic=health_topic(),
        suggested_sector_block=SectorBlock.objects.get(code="health"), confidence=0.62,
    )  # fmt: skip

    response = post(operator_api, appeal, "accept-suggestion")

    assert response.status_code == 200
    assert response.json()["topic"] == "dispanserizatsiya" and response.json()["sector"] == "health"


def test_accepting_without_a_suggestion_is_a_409(operator_api):
    response = post(operator_api, AppealFactory(), "accept-suggestion")

    assert response.status_code == 409
    assert response.json()["detail"] == "У обращения нет предложенной классификации."


# --- Refused transitions -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "action", "data"),
    [
        (S.NEW, "close", {}),
        (S.NEW, "quality", {"quality": "formal"}),
        (S.NEW, "return", {"comment": "Доработать"}),
        (S.NEW, "reopen", {"reason": "Причина"}),
        (S.NEW, "satisfaction", {"score": 4}),
        (S.CLOSED, "assign", "organisation"),
        (S.CLOSED, "reject", {"reason": "spam"}),
        (S.ANSWERED, "close", {}),  # the quality is not checked yet
        (S.NEW, "extend", {"due_date": IN_60_DAYS, "reason": "Причина"}),
    ],
)
def test_a_transition_not_allowed_in_the_status_is_a_409(operator_api, organisation, status, action, data):
    appeal = appeal_in(status, organisation=organisation)
    if data == "organisation":
        data = {"organisation": organisation.pk}

    response = post(operator_api, appeal, action, data)

    assert response.status_code == 409, response.content
    assert response.json()["detail"].startswith(("Нельзя", "Перед закрытием"))
    appeal.refresh_from_db()
    assert appeal.status == status


@pytest.mark.parametrize(("status", "action"), [(S.ANSWERED, "answer"), (S.CLOSED, "start"), (S.REOPENED, "start")])
def test_the_executor_cannot_skip_the_workflow(executor_api, organisation, status, action):
    appeal = appeal_in(status, organisation=organisation)

    response = post(executor_api, appeal, action, {"text": "Ответ"})

    assert response.status_code == 409
    assert response.json()["detail"].startswith("Нельзя")


def test_assigning_to_an_inactive_organisation_is_a_409(operator_api):
    closed = OrganisationFactory(is_active=False)

    response = post(operator_api, AppealFactory(), "assign", {"organisation": closed.pk})

    assert response.status_code == 409
    assert "не действует" in response.json()["detail"]


# --- Capabilities --------------------------------------------------------------------------------------


@pytest.mark.parametrize("action", ["start", "answer", "request-info"])
def test_the_operator_cannot_do_the_executors_part(operator_api, organisation, action):
    appeal = appeal_in(S.IN_PROGRESS, organisation=organisation)

    response = post(operator_api, appeal, action, {"text": "Ответ", "comment": "Вопрос"})

    assert response.status_code == 403
    appeal.refresh_from_db()
    assert appeal.status == S.IN_PROGRESS


@pytest.mark.parametrize(
    ("action", "data"),
    [
        ("assign", {"organisation": 1}),
        ("extend", {"due_date": IN_60_DAYS, "reason": "Продлить"}),
        ("close", {}),
        ("quality", {"quality": "on_merits"}),
        ("reject", {"reason": "spam"}),
        ("classify", {"sector": "waste"}),
        ("accept-suggestion", {}),
        ("reopen", {"reason": "Причина"}),
        ("satisfaction", {"score": 5}),
        ("return", {"comment": "Доработать"}),
        ("redirect", {"organisation": 1, "comment": "Не мы"}),
    ],
)
def test_the_executor_cannot_do_the_operators_part(executor_api, organisation, action, data):
    appeal = appeal_in(S.ANSWERED, organisation=organisation)

    response = post(executor_api, appeal, action, data)

    assert response.status_code == 403


@pytest.mark.parametrize("role", [Role.CURATOR, Role.EXECUTIVE, Role.MODERATOR, Role.BLOCK_RESPONSIBLE])
def test_roles_that_only_watch_cannot_change_appeals(make_user, api_client_for, organisation, role):
    appeal = appeal_in(S.NEW, sector_block=SectorBlock.objects.get(code="health"), topic=health_topic())

    response = post(api_client_for(make_user(role)), appeal, "assign", {"organisation": organisation.pk})

    assert response.status_code == 403
    appeal.refresh_from_db()
    assert appeal.status == S.NEW


# --- Bad input ------------------------------------------------------------------------------------------

ACTIONS = [
    "assign", "redirect", "start", "request-info", "receive-info", "extend", "answer", "quality", "return",
    "close", "satisfaction", "reopen", "reject", "classify", "accept-suggestion",
]  # fmt: skip
GARBAGE = [
    {"organisation": "abc", "comment": ["список"]},
    {"organisation": 10**30, "due_date": "31.02.2025", "score": "пять", "quality": "отлично", "reason": {"a": 1}},
    {"organisation": -1, "due_date": "9999-12-31", "score": 10**20, "text": "\x00", "comment": "\x00"},
    {"duplicate_of": 10**25, "reason": "duplicate", "sector": "\x00", "topic": ["x"], "territory": 5},
    {"duplicate_of": "abc", "reason": "duplicate", "text": "a" * 30_000, "comment": "b" * 6000},
    {"organisation": True, "score": 3.7, "due_date": None, "reason": None, "text": None},
]


@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("garbage", range(len(GARBAGE)))
def test_garbage_to_any_action_is_never_a_server_error(admin_user, api_client_for, make_user, action, garbage):
    organisation = OrganisationFactory()
    for status in (S.NEW, S.IN_PROGRESS, S.ANSWERED):
        appeal = appeal_in(status, organisation=organisation)
        for user in (admin_user, make_user(Role.EXECUTOR, organisation=organisation, username="exec-garbage")):
            response = api_client_for(user).post(url(appeal, action), GARBAGE[garbage], format="json")
            assert response.status_code < 500, (status, response.content)


@pytest.mark.parametrize("action", ACTIONS)
def test_a_body_that_is_not_json_is_a_400_or_is_ignored(operator_api, action):
    appeal = AppealFactory()

    response = operator_api.generic("POST", url(appeal, action), "{нет", content_type="application/json")

    assert response.status_code < 500


@pytest.mark.parametrize("path", ["0/assign/", "99999999999999999999/close/", "abc/close/", "1/unknown/"])
def test_unknown_appeals_and_actions_are_a_404(operator_api, path):
    response = operator_api.post(f"{URL}{path}", {}, format="json")

    assert response.status_code == 404
