"""The appeal page: masked personal data and its logged unmasking, the suggestion, the deadline,
the timeline, related appeals, and which actions each role is offered in each status."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from appeals import services
from appeals.models import Appeal, AppealEvent
from cur.models import AuditEvent
from cur.roles import Role

from .page_factories import APPLICANT_EMAIL, APPLICANT_NAME, APPLICANT_PHONE, appeal_in, build_region

S = Appeal.Status


@pytest.fixture
def region(db):
    return build_region()


def detail(client, appeal):
    return client.get(reverse("appeals:appeal-detail", args=[appeal.pk]))


def forms_on(response) -> set[str]:
    """The action forms the page offers (their data-testid)."""
    html = response.content.decode()
    names = set()
    for chunk in html.split('data-testid="action-')[1:]:
        names.add(chunk.split('"', 1)[0])
    return names


# --- personal data --------------------------------------------------------------------------


def test_a_block_head_sees_the_applicant_masked_and_no_unmask_button(region, make_user, client_for):
    client = client_for(make_user(Role.BLOCK_HEAD))

    html = detail(client, region.health_a).content.decode()

    assert APPLICANT_PHONE not in html and APPLICANT_NAME not in html and APPLICANT_EMAIL not in html
    assert "К********" in html
    assert 'data-testid="reveal-pd"' not in html


def test_a_block_head_cannot_unmask_by_posting(region, make_user, client_for):
    client = client_for(make_user(Role.BLOCK_HEAD))

    response = client.post(reverse("appeals:reveal-personal-data", args=[region.health_a.pk]))

    assert response.status_code == 403
    assert not AppealEvent.objects.filter(kind=AppealEvent.Kind.PERSONAL_DATA_VIEWED).exists()


def test_an_operator_sees_the_data_masked_until_they_ask(region, operator, client_for):
    html = detail(client_for(operator), region.health_a).content.decode()

    assert APPLICANT_PHONE not in html
    assert 'data-testid="reveal-pd"' in html


def test_unmasking_shows_the_data_in_that_response_and_logs_the_view(region, operator, client_for):
    client = client_for(operator)

    response = client.post(reverse("appeals:reveal-personal-data", args=[region.health_a.pk]))

    assert response.status_code == 200
    html = response.content.decode()
    assert APPLICANT_PHONE in html and APPLICANT_NAME in html and APPLICANT_EMAIL in html
    assert response["Cache-Control"] == "no-store"
    event = AppealEvent.objects.get(appeal=region.health_a, kind=AppealEvent.Kind.PERSONAL_DATA_VIEWED)
    assert event.actor == operator
    assert AuditEvent.objects.filter(action="appeal.personal_data_viewed", actor=operator).exists()
    # The next view of the page is masked again.
    assert APPLICANT_PHONE not in detail(client, region.health_a).content.decode()


def test_an_executor_unmasks_an_appeal_of_their_organisation_only(region, make_user, client_for):
    client = client_for(make_user(Role.EXECUTOR, organisation=region.org_a))

    own = client.post(reverse("appeals:reveal-personal-data", args=[region.health_a.pk]))
    foreign = client.post(reverse("appeals:reveal-personal-data", args=[region.waste_b.pk]))

    assert own.status_code == 200 and APPLICANT_PHONE in own.content.decode()
    assert foreign.status_code == 404
    assert AppealEvent.objects.filter(kind=AppealEvent.Kind.PERSONAL_DATA_VIEWED).count() == 1


def test_an_appeal_without_applicant_data_offers_nothing_to_unmask(db, operator, client_for):
    appeal = appeal_in(S.NEW, applicant_name="", applicant_phone="", applicant_email="", applicant_address="")

    html = detail(client_for(operator), appeal).content.decode()

    assert "Сведений о заявителе нет" in html
    assert 'data-testid="reveal-pd"' not in html


# --- what the page shows -------------------------------------------------------------------


def test_the_page_shows_the_suggestion_with_its_confidence(region, operator, client_for):
    html = detail(client_for(operator), region.new_a).content.decode()

    assert "Предложение классификатора" in html
    assert "уверенность 62%" in html
    assert "accept_suggestion" in forms_on(detail(client_for(operator), region.new_a))


def test_the_page_shows_days_left_and_red_when_overdue(region, operator, client_for):
    late = appeal_in(S.IN_PROGRESS, organisation=region.org_a, due_at=timezone.now() - datetime.timedelta(days=3))
    client = client_for(operator)

    assert "осталось" in detail(client, region.health_a).content.decode()
    html = detail(client, late).content.decode()
    assert "просрочено на 3 дн." in html
    assert "text-bg-danger" in html


def test_the_timeline_shows_each_event_with_its_actor_and_comment(region, operator, client_for):
    services.assign_appeal(region.new_a, organisation=region.org_a, by=operator, comment="Срочно, жалоба в СМИ")

    html = detail(client_for(operator), region.new_a).content.decode()

    assert "Назначен исполнитель" in html
    assert "Срочно, жалоба в СМИ" in html
    assert str(operator) in html
    assert "Новое → Назначено исполнителю" in html


def test_related_appeals_of_the_same_applicant_are_listed_within_the_scope(region, make_user, client_for):
    same_phone_health = appeal_in(S.CLOSED, organisation=region.org_a, address="другой адрес")
    client = client_for(make_user(Role.BLOCK_HEAD))  # health only: the waste appeal stays hidden

    html = detail(client, region.health_a).content.decode()

    assert same_phone_health.number in html
    assert region.waste_b.number not in html


# --- which actions are offered -----------------------------------------------------------------


TRIAGE_BY_STATUS = {
    S.NEW: {"assign", "classify", "reject", "link_incident"},
    S.ASSIGNED: {"redirect", "extend", "reject", "classify", "link_incident"},
    S.INFO_REQUESTED: {"receive_info", "extend", "classify", "link_incident"},
    S.ANSWERED: {"check_quality", "close", "return", "satisfaction", "reopen", "link_incident"},
    S.CLOSED: {"check_quality", "satisfaction", "reopen", "link_incident"},
    S.REJECTED: {"link_incident"},
}


@pytest.mark.parametrize("status", list(TRIAGE_BY_STATUS))
def test_an_operator_is_offered_the_triage_actions_of_the_status(status, region, operator, client_for):
    appeal = appeal_in(status, organisation=region.org_a)

    offered = forms_on(detail(client_for(operator), appeal))

    assert offered == TRIAGE_BY_STATUS[status]


EXECUTOR_BY_STATUS = {
    S.ASSIGNED: {"start", "request_info", "answer", "request_extension"},
    S.IN_PROGRESS: {"request_info", "answer", "request_extension"},
    S.INFO_REQUESTED: {"receive_info", "request_extension"},
    S.ANSWERED: set(),
    S.CLOSED: set(),
}


@pytest.mark.parametrize("status", list(EXECUTOR_BY_STATUS))
def test_an_executor_is_offered_the_work_actions_of_the_status(status, region, make_user, client_for):
    appeal = appeal_in(status, organisation=region.org_a)
    executor = make_user(Role.EXECUTOR, organisation=region.org_a)

    offered = forms_on(detail(client_for(executor), appeal))

    assert offered == EXECUTOR_BY_STATUS[status]


@pytest.mark.parametrize(
    "role", [Role.BLOCK_HEAD, Role.BLOCK_RESPONSIBLE, Role.CURATOR, Role.EXECUTIVE, Role.MODERATOR]
)
def test_roles_that_only_watch_are_offered_no_actions(role, region, make_user, client_for):
    offered = forms_on(detail(client_for(make_user(role)), region.health_a))
    assert offered == set()


def test_the_assign_form_lists_the_organisations_of_the_suggested_block_first(region, operator, client_for):
    html = detail(client_for(operator), region.new_a).content.decode()

    assert "Организации блока «Здравоохранение»" in html
    assert html.index(region.org_a.name) < html.index(region.org_b.name)


def test_an_inactive_organisation_is_not_offered(region, operator, client_for):
    region.org_b.is_active = False
    region.org_b.save()

    html = detail(client_for(operator), region.new_a).content.decode()

    assert region.org_b.name not in html


def test_the_timeline_names_the_organisation_not_its_id(region, operator, client_for):
    services.assign_appeal(region.new_a, organisation=region.org_a, by=operator)

    html = detail(client_for(operator), region.new_a).content.decode()

    assert f"Исполнитель: — → {region.org_a.name}" in html
