"""Who sees which appeals through the API: every role against its own and foreign appeals,
masking of personal data, the cursor-paginated list with a fixed number of queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from appeals.api.fields import PUBLIC_STATUSES, public_status
from appeals.models import Appeal, AppealEvent
from cur.models import AuditEvent
from cur.roles import Role
from sectors.models import SectorBlock
from tests.factories import OrganisationFactory, TerritoryFactory

from .factories import AppealFactory, appeal_in, health_topic

S = Appeal.Status
URL = "/api/v1/appeals/"


@pytest.fixture
def world(db):
    """Two organisations, two districts; appeals: waste/org A/district 1, health/org B/district 2,
    and a new unassigned health appeal in district 1."""
    district_1, district_2 = TerritoryFactory(name="Рязанский район"), TerritoryFactory(name="Касимовский район")
    org_a, org_b = OrganisationFactory(territory=district_1), OrganisationFactory(territory=district_2)
    health = SectorBlock.objects.get(code="health")
    waste_a = appeal_in(S.ASSIGNED, organisation=org_a, territory=district_1)
    health_b = appeal_in(S.IN_PROGRESS, organisation=org_b, territory=district_2, sector_block=health,
                         topic=health_topic())  # fmt: skip
    health_new = appeal_in(S.NEW, territory=district_1, sector_block=health, topic=health_topic())
    return {
        "district_1": district_1, "org_a": org_a, "org_b": org_b,
        "waste_a": waste_a, "health_b": health_b, "health_new": health_new,
    }  # fmt: skip


def user_for(make_user, world, persona: str):
    return {
        "admin": lambda: make_user(Role.ADMIN),
        "curator": lambda: make_user(Role.CURATOR),
        "executive": lambda: make_user(Role.EXECUTIVE),
        "operator": lambda: make_user(Role.OPERATOR),
        "moderator": lambda: make_user(Role.MODERATOR),
        "executor_a": lambda: make_user(Role.EXECUTOR, organisation=world["org_a"]),
        "executor_b": lambda: make_user(Role.EXECUTOR, organisation=world["org_b"]),
        "block_head_health": lambda: make_user(Role.BLOCK_HEAD),
        "block_responsible_health": lambda: make_user(Role.BLOCK_RESPONSIBLE),
        "municipal_operator_1": lambda: make_user(Role.MUNICIPAL_OPERATOR, territory=world["district_1"]),
    }[persona]()


ALL = {"waste_a", "health_b", "health_new"}
VISIBLE = {
    "admin": ALL,
    "curator": ALL,
    "executive": ALL,
    "operator": ALL,
    "moderator": ALL,
    "executor_a": {"waste_a"},
    "executor_b": {"health_b"},
    "block_head_health": {"health_b", "health_new"},
    "block_responsible_health": {"health_b", "health_new"},
    "municipal_operator_1": {"waste_a", "health_new"},
}


@pytest.mark.parametrize("persona", VISIBLE)
def test_each_role_lists_exactly_the_appeals_of_its_scope(make_user, api_client_for, world, persona):
    api = api_client_for(user_for(make_user, world, persona))

    response = api.get(URL)

    assert response.status_code == 200, response.content
    ids = {row["id"] for row in response.json()["results"]}
    assert ids == {world[name].pk for name in VISIBLE[persona]}


@pytest.mark.parametrize("persona", VISIBLE)
@pytest.mark.parametrize("name", sorted(ALL))
def test_a_foreign_appeal_is_a_404_and_an_own_one_opens(make_user, api_client_for, world, persona, name):
    api = api_client_for(user_for(make_user, world, persona))

    response = api.get(f"{URL}{world[name].pk}/")

    assert response.status_code == (200 if name in VISIBLE[persona] else 404)


@pytest.mark.parametrize(
    ("persona", "name", "action", "data"),
    [
        ("executor_a", "health_b", "start", {}),
        ("executor_a", "health_b", "answer", {"text": "Ответ"}),
        ("executor_b", "waste_a", "request-info", {"comment": "Вопрос"}),
        ("municipal_operator_1", "health_b", "reopen", {"reason": "Причина"}),
        ("municipal_operator_1", "health_b", "extend", {"due_date": "2030-01-01", "reason": "Причина"}),
    ],
)
def test_transitions_on_a_foreign_appeal_are_a_404(make_user, api_client_for, world, persona, name, action, data):
    api = api_client_for(user_for(make_user, world, persona))

    response = api.post(f"{URL}{world[name].pk}/{action}/", data, format="json")

    assert response.status_code == 404
    assert response.json()["detail"] == "Не найдено."


def test_the_municipal_operator_assigns_an_appeal_of_their_territory(make_user, api_client_for, world):
    api = api_client_for(user_for(make_user, world, "municipal_operator_1"))

    response = api.post(f"{URL}{world['health_new'].pk}/assign/", {"organisation": world["org_a"].pk}, format="json")

    assert response.status_code == 200


def test_the_executor_answers_an_appeal_of_their_organisation(make_user, api_client_for, world):
    api = api_client_for(user_for(make_user, world, "executor_b"))

    response = api.post(f"{URL}{world['health_b'].pk}/answer/", {"text": "Запись открыта."}, format="json")

    assert response.status_code == 200
    assert response.json()["status"] == S.ANSWERED


def test_the_competence_center_sees_no_appeals(competence_center, api_client_for, world):
    api = api_client_for(competence_center)

    assert api.get(URL).status_code == 403
    assert api.get(f"{URL}{world['waste_a'].pk}/").status_code == 403


def test_an_anonymous_client_sees_nothing(client, world):
    assert client.get(URL).status_code in (401, 403)
    assert client.get(f"{URL}{world['waste_a'].pk}/").status_code in (401, 403)


# --- Personal data --------------------------------------------------------------------------------------


def test_the_list_masks_personal_data_even_for_roles_that_may_see_it(operator, api_client_for):
    AppealFactory()

    row = api_client_for(operator).get(URL).json()["results"][0]

    assert (row["applicant_name"], row["applicant_phone"], row["applicant_email"]) == (
        "С********", "+********", "s********",
    )  # fmt: skip
    assert not AppealEvent.objects.filter(kind=AppealEvent.Kind.PERSONAL_DATA_VIEWED).exists()


def test_the_card_shows_personal_data_to_an_operator_and_logs_the_view(operator, api_client_for):
    appeal = AppealFactory()

    body = api_client_for(operator).get(f"{URL}{appeal.pk}/").json()

    assert body["applicant_name"] == "Смирнов Пётр Алексеевич" and body["applicant_email"] == "smirnov@example.ru"
    assert body["applicant_address"] == "г. Рязань, ул. Есенина, д. 1, кв. 2" and body["personal_data_masked"] is False
    event = AppealEvent.objects.get(appeal=appeal, kind=AppealEvent.Kind.PERSONAL_DATA_VIEWED)
    assert event.actor == operator
    assert AuditEvent.objects.filter(action="appeal.personal_data_viewed", actor=operator).exists()
    assert body["events"][-1]["kind"] == "pd_viewed"


@pytest.mark.parametrize("persona", ["block_head_health", "moderator"])
def test_the_card_masks_personal_data_for_roles_without_access(make_user, api_client_for, world, persona):
    appeal = world["health_b"]

    body = api_client_for(user_for(make_user, world, persona)).get(f"{URL}{appeal.pk}/").json()

    assert body["applicant_name"] == "С********" and body["applicant_phone"] == "+********"
    assert body["applicant_address"] == "г********" and body["personal_data_masked"] is True
    assert "Смирнов" not in str(body)
    assert not AppealEvent.objects.filter(kind=AppealEvent.Kind.PERSONAL_DATA_VIEWED).exists()


def test_the_card_has_the_timeline(operator, api_client_for, world):
    api = api_client_for(operator)
    appeal = world["health_new"]
    api.post(f"{URL}{appeal.pk}/assign/", {"organisation": world["org_b"].pk, "comment": "Минздрав"}, format="json")

    events = api.get(f"{URL}{appeal.pk}/").json()["events"]

    assigned = events[0]
    assert assigned["kind"] == "assigned" and assigned["kind_display"] == "Назначен исполнитель"
    assert assigned["from_status"] == "new" and assigned["to_status"] == "assigned"
    assert assigned["comment"] == "Минздрав" and assigned["actor"] == str(operator)


# --- The list ---------------------------------------------------------------------------------------------


def test_the_list_has_a_fixed_number_of_queries(operator, api_client_for, django_assert_num_queries):
    api = api_client_for(operator)
    organisation, territory = OrganisationFactory(), TerritoryFactory()
    for _ in range(3):
        appeal_in(S.ASSIGNED, organisation=organisation, territory=territory)
    with CaptureQueriesContext(connection) as few:
        assert len(api.get(URL).json()["results"]) == 3
    for _ in range(27):
        appeal_in(S.ASSIGNED, organisation=OrganisationFactory(), territory=TerritoryFactory())

    with django_assert_num_queries(len(few)):
        assert len(api.get(URL).json()["results"]) == 30
    assert not any("COUNT(" in q["sql"].upper() for q in few.captured_queries)


def test_the_list_is_paged_by_cursor_newest_first_without_a_count(operator, api_client_for):
    appeals = [AppealFactory() for _ in range(5)]
    api = api_client_for(operator)

    seen, page = [], api.get(URL, {"page_size": 2}).json()
    assert "count" not in page
    while True:
        seen.extend(row["id"] for row in page["results"])
        if not page["next"]:
            break
        page = api.get(page["next"]).json()

    expected = sorted(appeals, key=lambda a: (a.registered_at, a.pk), reverse=True)
    assert seen == [a.pk for a in expected]


def test_the_list_is_filtered_with_the_shared_filters(operator, api_client_for, world):
    api = api_client_for(operator)

    def ids(**params):
        response = api.get(URL, params)
        assert response.status_code == 200, response.content
        return {row["id"] for row in response.json()["results"]}

    assert ids(status="new") == {world["health_new"].pk}
    assert ids(sector="health") == {world["health_b"].pk, world["health_new"].pk}
    assert ids(organisation=world["org_a"].pk) == {world["waste_a"].pk}
    assert ids(territory=world["district_1"].pk, channel="pos") == {world["waste_a"].pk, world["health_new"].pk}
    assert ids(q=world["waste_a"].number) == {world["waste_a"].pk}


@pytest.mark.parametrize(
    "params",
    [
        {"status": "нет-такого"},
        {"sector": "\x00"},
        {"q": "мусор\x00"},
        {"territory": "abc"},
        {"territory": "99999999999999999999999"},
        {"organisation": "-1"},
        {"registered_from": "31.02.2025"},
        {"due_within": "10000"},
        {"overdue": "может быть"},
        {"cursor": "не-курсор"},
        {"cursor": "cD0yMDI1LTAxLTAxVDAwOjAwOjAwKzAzOjAw"},  # p=2025-01-01T00:00:00+03:00
        {"cursor": "cD1hYmM="},  # p=abc
        {"cursor": "bz05OTk5OTk5OTk5OTk5OTk5OTk5OTk5OTk="},  # o=a huge offset
        {"page_size": "-5"},
        {"q": "9" * 40},
        {"q": "& | ! ( :*"},
    ],
)
def test_garbage_filters_are_never_a_server_error(operator, api_client_for, world, params):
    response = api_client_for(operator).get(URL, params)

    assert response.status_code < 500


# --- Public statuses ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "public"),
    [
        (S.NEW, "принято"),
        (S.ASSIGNED, "в работе"),
        (S.IN_PROGRESS, "в работе"),
        (S.INFO_REQUESTED, "в работе"),
        (S.RETURNED, "в работе"),
        (S.REOPENED, "в работе"),
        (S.ANSWERED, "дан ответ"),
        (S.CLOSED, "закрыто"),
        (S.REJECTED, "закрыто"),
    ],
)
def test_the_public_status_is_derived_from_the_internal_one(status, public):
    assert public_status(Appeal(status=status)) == public


def test_every_internal_status_has_a_public_one():
    assert set(PUBLIC_STATUSES) == set(Appeal.Status.values)


def test_the_api_shows_the_public_status(operator, api_client_for, world):
    rows = api_client_for(operator).get(URL).json()["results"]

    assert {row["id"]: row["public_status"] for row in rows} == {
        world["waste_a"].pk: "в работе", world["health_b"].pk: "в работе", world["health_new"].pk: "принято",
    }  # fmt: skip
