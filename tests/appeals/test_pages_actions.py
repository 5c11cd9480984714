"""The small POST views of the appeal page: each calls one service and comes back to the page.

Allowed → the change and its AppealEvent; a role without the capability → 403; a status where
the action does not apply → a Russian flash message and no change; garbage → never a 500.
"""

import datetime
from dataclasses import dataclass, field

import pytest
from django.urls import reverse
from django.utils import timezone

from appeals.models import Appeal, AppealEvent
from cur.models import Notification
from cur.roles import Role

from .page_factories import PageIncidentFactory, appeal_in, block, build_region, flashes, topic_of

S = Appeal.Status
K = AppealEvent.Kind


@pytest.fixture
def region(db):
    return build_region()


@pytest.fixture
def executor(region, make_user):
    return make_user(Role.EXECUTOR, organisation=region.org_a)


@dataclass(frozen=True)
class Action:
    url_name: str
    actor: str  # "operator" or "executor"
    status: str  # a status in which the action applies
    data: dict = field(default_factory=dict)
    event: str = ""
    to_status: str | None = None  # None: the status does not change
    wrong_status: str = S.REJECTED

    def __str__(self) -> str:
        return self.url_name


def _due(days: int) -> str:
    return f"{timezone.localdate() + datetime.timedelta(days=days):%d.%m.%Y}"


ACTIONS = [
    Action("appeals:accept-suggestion", "operator", S.NEW, event=K.RECLASSIFIED),
    Action("appeals:classify", "operator", S.NEW, {"sector_block": "HEALTH", "topic": "TOPIC"}, K.RECLASSIFIED),
    Action("appeals:assign", "operator", S.NEW, {"organisation": "ORG_A"}, K.ASSIGNED, S.ASSIGNED, S.CLOSED),
    Action(
        "appeals:redirect",
        "operator",
        S.ASSIGNED,
        {"organisation": "ORG_B", "comment": "Не наша компетенция"},
        K.REDIRECTED,
        S.ASSIGNED,
        S.NEW,
    ),
    Action("appeals:start", "executor", S.ASSIGNED, {}, K.STARTED, S.IN_PROGRESS, S.ANSWERED),
    Action(
        "appeals:request-info",
        "executor",
        S.IN_PROGRESS,
        {"comment": "Уточните номер поликлиники"},
        K.INFO_REQUESTED,
        S.INFO_REQUESTED,
        S.ANSWERED,
    ),
    Action("appeals:receive-info", "operator", S.INFO_REQUESTED, {}, K.INFO_RECEIVED, S.IN_PROGRESS, S.ASSIGNED),
    Action("appeals:receive-info", "executor", S.INFO_REQUESTED, {}, K.INFO_RECEIVED, S.IN_PROGRESS, S.ASSIGNED),
    Action(
        "appeals:extend",
        "operator",
        S.ASSIGNED,
        {"due_date": _due(40), "reason": "Нужна выездная проверка"},
        K.EXTENDED,
        None,
        S.CLOSED,
    ),
    Action("appeals:answer", "executor", S.IN_PROGRESS, {"text": "Запись открыта."}, K.ANSWERED, S.ANSWERED, S.CLOSED),
    Action("appeals:check-quality", "operator", S.ANSWERED, {"quality": "on_merits"}, K.QUALITY_CHECKED, None, S.NEW),
    Action(
        "appeals:return", "operator", S.ANSWERED, {"comment": "Ответ не по существу"}, K.RETURNED, S.RETURNED, S.NEW
    ),
    Action("appeals:close", "operator", S.ANSWERED, {}, K.CLOSED, S.CLOSED, S.NEW),
    Action("appeals:satisfaction", "operator", S.CLOSED, {"score": "5"}, K.SATISFACTION, None, S.NEW),
    Action("appeals:reopen", "operator", S.CLOSED, {"comment": "Заявитель не согласен"}, K.REOPENED, S.REOPENED, S.NEW),
    Action("appeals:reject", "operator", S.NEW, {"reason": "spam"}, K.REJECTED, S.REJECTED, S.CLOSED),
    Action("appeals:link-incident", "operator", S.NEW, {"incident": "INCIDENT"}, K.INCIDENT_LINKED),
    Action("appeals:unlink-incident", "operator", S.NEW, {}, K.INCIDENT_UNLINKED),
]


def _appeal_for(action: Action, region, status: str | None = None) -> Appeal:
    status = status or action.status
    extra = {}
    if action.url_name == "appeals:accept-suggestion":
        extra = {
            "sector_block": None,
            "topic": None,
            "suggested_sector_block": block("health"),
            "suggested_topic": topic_of("health"),
        }
    if action.url_name == "appeals:close" and status == S.ANSWERED:
        extra["answer_quality"] = Appeal.AnswerQuality.ON_MERITS
    if action.url_name == "appeals:unlink-incident":
        extra["incident"] = PageIncidentFactory()
    return appeal_in(status, organisation=region.org_a, territory=region.territory_a, **extra)


def _data(action: Action, region) -> dict:
    values = {
        "HEALTH": block("health").pk,
        "TOPIC": topic_of("health").pk,
        "ORG_A": region.org_a.pk,
        "ORG_B": region.org_b.pk,
        "INCIDENT": PageIncidentFactory().pk if "INCIDENT" in action.data.values() else None,
    }
    return {k: values.get(v, v) for k, v in action.data.items()}


def _actor(action: Action, operator, executor):
    return operator if action.actor == "operator" else executor


@pytest.mark.parametrize("action", ACTIONS, ids=lambda a: f"{a.url_name}-{a.actor}")
def test_an_allowed_action_changes_the_appeal_and_writes_its_event(action, region, operator, executor, client_for):
    appeal = _appeal_for(action, region)
    client = client_for(_actor(action, operator, executor))

    response = client.post(reverse(action.url_name, args=[appeal.pk]), _data(action, region))

    assert response.status_code == 302
    assert response["Location"] == reverse("appeals:appeal-detail", args=[appeal.pk])
    appeal.refresh_from_db()
    assert appeal.status == (action.to_status or action.status), flashes(response)
    event = AppealEvent.objects.filter(appeal=appeal).latest("id")
    assert event.kind == action.event
    assert event.actor == _actor(action, operator, executor)


@pytest.mark.parametrize("action", ACTIONS, ids=lambda a: f"{a.url_name}-{a.actor}")
def test_an_action_is_refused_to_a_role_without_its_capability(action, region, make_user, client_for):
    appeal = _appeal_for(action, region)
    # The executor and the operator each lack the other's capability; a block head has neither.
    others = [Role.BLOCK_HEAD, Role.CURATOR]
    if action.url_name != "appeals:receive-info":
        others.append(Role.EXECUTOR if action.actor == "operator" else Role.OPERATOR)
    for role in others:
        user = make_user(role, organisation=region.org_a) if role == Role.EXECUTOR else make_user(role)

        response = client_for(user).post(reverse(action.url_name, args=[appeal.pk]), _data(action, region))

        assert response.status_code == 403, role
    assert not AppealEvent.objects.filter(appeal=appeal).exists()


WRONG_STATUS = [a for a in ACTIONS if a.url_name not in ("appeals:link-incident", "appeals:classify")]


@pytest.mark.parametrize("action", WRONG_STATUS, ids=lambda a: f"{a.url_name}-{a.actor}")
def test_an_action_in_the_wrong_status_flashes_the_reason_and_changes_nothing(
    action, region, operator, executor, client_for
):
    if action.url_name in ("appeals:accept-suggestion", "appeals:unlink-incident"):
        # These apply in any status; what they lack is a suggestion or an incident.
        appeal = appeal_in(action.status, organisation=region.org_a)
    else:
        appeal = _appeal_for(action, region, status=action.wrong_status)
    before = Appeal.objects.get(pk=appeal.pk)

    response = client_for(_actor(action, operator, executor)).post(
        reverse(action.url_name, args=[appeal.pk]), _data(action, region)
    )

    assert response.status_code == 302
    after = Appeal.objects.get(pk=appeal.pk)
    assert (after.status, after.due_at, after.organisation_id) == (before.status, before.due_at, before.organisation_id)
    assert not AppealEvent.objects.filter(appeal=appeal).exists()
    [message] = flashes(response)
    assert any(word in message for word in ("Нельзя", "нет", "не привязано")), message


GARBAGE = {
    "organisation": "abc",
    "sector_block": "-1",
    "topic": "99999999",
    "territory": "🙂",
    "due_date": "31.02.2025",
    "reason": "<script>alert(1)</script>",
    "quality": "отлично",
    "score": "100",
    "incident": "0",
    "duplicate_of": "'; DROP TABLE appeals_appeal; --",
    "comment": "",
    "text": "   ",
}


@pytest.mark.parametrize("action", [a for a in ACTIONS if a.data], ids=lambda a: f"{a.url_name}-{a.actor}")
def test_garbage_never_becomes_a_500_or_a_change(action, region, operator, executor, client_for):
    appeal = _appeal_for(action, region)
    client = client_for(_actor(action, operator, executor))

    response = client.post(reverse(action.url_name, args=[appeal.pk]), GARBAGE)

    assert response.status_code == 302
    assert not AppealEvent.objects.filter(appeal=appeal).exists()
    assert flashes(response)


def test_actions_on_an_appeal_that_does_not_exist_are_404(operator, executor, client_for):
    assert client_for(operator).post(reverse("appeals:assign", args=[987654]), {}).status_code == 404
    assert client_for(executor).post(reverse("appeals:answer", args=[987654]), {}).status_code == 404


def test_an_action_view_refuses_get(region, operator, client_for):
    assert client_for(operator).get(reverse("appeals:assign", args=[region.new_a.pk])).status_code == 405


def test_rejecting_as_a_duplicate_needs_the_number_of_a_visible_appeal(region, operator, client_for):
    client = client_for(operator)
    url = reverse("appeals:reject", args=[region.new_a.pk])

    missing = client.post(url, {"reason": "duplicate"})
    unknown = client.post(url, {"reason": "duplicate", "duplicate_of": "2025-999999"})
    region.new_a.refresh_from_db()
    assert region.new_a.status == S.NEW
    assert "Укажите номер обращения" in flashes(missing)[0]
    assert "не найдено" in flashes(unknown)[-1]

    client.post(url, {"reason": "duplicate", "duplicate_of": region.health_a.number})

    region.new_a.refresh_from_db()
    assert (region.new_a.status, region.new_a.repeat_of_id) == (S.REJECTED, region.health_a.pk)


def test_assigning_an_inactive_organisation_is_refused(region, operator, client_for):
    region.org_b.is_active = False
    region.org_b.save()

    response = client_for(operator).post(
        reverse("appeals:assign", args=[region.new_a.pk]), {"organisation": region.org_b.pk}
    )

    region.new_a.refresh_from_db()
    assert region.new_a.status == S.NEW
    assert "действующую организацию" in flashes(response)[0]


def test_assignment_notifies_the_executors_of_the_organisation(region, operator, executor, client_for):
    client_for(operator).post(reverse("appeals:assign", args=[region.new_a.pk]), {"organisation": region.org_a.pk})

    assert Notification.objects.filter(user=executor, url=reverse("appeals:appeal-detail", args=[region.new_a.pk]))


def test_an_executor_asks_the_operators_for_an_extension(region, operator, executor, client_for):
    appeal = appeal_in(S.IN_PROGRESS, organisation=region.org_a, territory=region.territory_a)

    response = client_for(executor).post(
        reverse("appeals:request-extension", args=[appeal.pk]),
        {"due_date": _due(40), "reason": "Ждём ответа подрядчика"},
    )

    assert response.status_code == 302
    [note] = Notification.objects.filter(user=operator)
    assert appeal.number in note.title and "Ждём ответа подрядчика" in note.body
    appeal.refresh_from_db()
    assert appeal.status == S.IN_PROGRESS  # the request changes nothing until an operator extends


def test_an_executor_cannot_ask_for_an_extension_of_a_closed_appeal(region, operator, executor, client_for):
    appeal = appeal_in(S.CLOSED, organisation=region.org_a)

    response = client_for(executor).post(
        reverse("appeals:request-extension", args=[appeal.pk]), {"due_date": _due(40), "reason": "Ждём"}
    )

    assert "Нельзя запросить продление срока" in flashes(response)[0]
    assert not Notification.objects.filter(user=operator).exists()


def test_an_extension_must_be_later_than_the_current_due_date(region, operator, client_for):
    appeal = appeal_in(S.ASSIGNED, organisation=region.org_a)

    response = client_for(operator).post(
        reverse("appeals:extend", args=[appeal.pk]), {"due_date": _due(5), "reason": "Причина"}
    )

    assert "позже текущего" in flashes(response)[0]


def test_closing_before_the_quality_check_is_refused_with_the_reason(region, operator, client_for):
    appeal = appeal_in(S.ANSWERED, organisation=region.org_a)

    response = client_for(operator).post(reverse("appeals:close", args=[appeal.pk]))

    appeal.refresh_from_db()
    assert appeal.status == S.ANSWERED
    assert flashes(response) == ["Перед закрытием оцените качество ответа."]


def test_a_low_satisfaction_score_reopens_the_case(region, operator, client_for):
    appeal = appeal_in(S.CLOSED, organisation=region.org_a)

    client_for(operator).post(reverse("appeals:satisfaction", args=[appeal.pk]), {"score": "1", "comment": "Плохо"})

    appeal.refresh_from_db()
    assert (appeal.status, appeal.satisfaction) == (S.REOPENED, 1)


def test_a_classification_with_a_topic_of_another_block_is_refused(region, operator, client_for):
    response = client_for(operator).post(
        reverse("appeals:classify", args=[region.new_a.pk]),
        {"sector_block": block("waste").pk, "topic": topic_of("health").pk},
    )

    region.new_a.refresh_from_db()
    assert region.new_a.sector_block_id is None
    assert "не относится" in flashes(response)[0]


def test_nul_bytes_are_refused_by_validation_not_the_database(region, operator, executor, client_for):
    appeal = appeal_in(S.IN_PROGRESS, organisation=region.org_a)

    response = client_for(executor).post(reverse("appeals:answer", args=[appeal.pk]), {"text": "ответ\x00"})
    queue = client_for(operator).get(reverse("appeals:queue"), {"q": "мусор\x00"})

    assert response.status_code == 302 and flashes(response)
    assert queue.status_code == 200
    appeal.refresh_from_db()
    assert appeal.status == S.IN_PROGRESS
