"""The queue's bulk actions: one service call per selected appeal, successes and refusals reported."""

import pytest
from django.urls import reverse

from appeals.models import Appeal, AppealEvent
from cur.roles import Role

from .page_factories import PageIncidentFactory, appeal_in, block, build_region, flashes, topic_of

S = Appeal.Status


@pytest.fixture
def region(db):
    return build_region()


def bulk(client, **data):
    return client.post(reverse("appeals:bulk"), data)


def test_assigning_a_mix_reports_each_success_and_each_refusal(region, operator, client_for):
    new_one = appeal_in(S.NEW)
    closed = appeal_in(S.CLOSED, organisation=region.org_b)

    response = bulk(
        client_for(operator),
        action="assign",
        organisation=region.org_a.pk,
        ids=[region.new_a.pk, new_one.pk, closed.pk, 987654],
    )

    assert response.status_code == 302
    for appeal in (region.new_a, new_one):
        appeal.refresh_from_db()
        assert (appeal.status, appeal.organisation_id) == (S.ASSIGNED, region.org_a.pk)
        assert AppealEvent.objects.filter(appeal=appeal, kind=AppealEvent.Kind.ASSIGNED).exists()
    closed.refresh_from_db()
    assert (closed.status, closed.organisation_id) == (S.CLOSED, region.org_b.pk)
    success, error = flashes(response)
    assert "выполнено для 2" in success and region.new_a.number in success
    assert "не выполнено для 2" in error
    assert f"№ {closed.number}: Нельзя назначить исполнителя" in error
    assert "обращение 987654 не найдено" in error


def test_bulk_classification_sets_block_and_topic(region, operator, client_for):
    other = appeal_in(S.NEW, sector_block=None, topic=None)

    bulk(client_for(operator), action="classify", topic=topic_of("waste").pk, ids=[region.new_a.pk, other.pk])

    for appeal in (region.new_a, other):
        appeal.refresh_from_db()
        assert (appeal.sector_block, appeal.topic) == (block("waste"), topic_of("waste"))
        assert appeal.classification_source == Appeal.ClassificationSource.MANUAL


def test_bulk_link_to_an_incident(region, operator, client_for):
    incident = PageIncidentFactory()
    other = appeal_in(S.NEW)

    response = bulk(client_for(operator), action="link_incident", incident=incident.pk, ids=[region.new_a.pk, other.pk])

    assert set(incident.appeals.values_list("pk", flat=True)) == {region.new_a.pk, other.pk}
    assert "выполнено для 2" in flashes(response)[0]


def test_bulk_reject_as_duplicate_refuses_the_original_itself(region, operator, client_for):
    original = appeal_in(S.NEW)
    copy = appeal_in(S.NEW)

    response = bulk(
        client_for(operator), action="reject_duplicate", duplicate_of=original.number, ids=[copy.pk, original.pk]
    )

    copy.refresh_from_db()
    original.refresh_from_db()
    assert (copy.status, copy.repeat_of_id, copy.reject_reason) == (S.REJECTED, original.pk, "duplicate")
    assert original.status == S.NEW
    success, error = flashes(response)
    assert copy.number in success
    assert f"№ {original.number}: Укажите обращение, дубликатом которого является это." in error


def test_bulk_reject_needs_a_visible_original(region, make_user, client_for):
    municipal = make_user(Role.MUNICIPAL_OPERATOR, territory=region.territory_a)

    response = bulk(
        client_for(municipal), action="reject_duplicate", duplicate_of=region.waste_b.number, ids=[region.new_a.pk]
    )

    region.new_a.refresh_from_db()
    assert region.new_a.status == S.NEW
    assert "не найдено" in flashes(response)[0]


def test_bulk_actions_skip_appeals_outside_the_scope(region, make_user, client_for):
    municipal = make_user(Role.MUNICIPAL_OPERATOR, territory=region.territory_a)
    foreign = appeal_in(S.NEW, territory=region.territory_b)

    response = bulk(
        client_for(municipal), action="assign", organisation=region.org_a.pk, ids=[region.new_a.pk, foreign.pk]
    )

    foreign.refresh_from_db()
    assert foreign.status == S.NEW
    assert f"обращение {foreign.pk} не найдено" in flashes(response)[-1]


def test_bulk_keeps_the_queue_filters_on_the_way_back(region, operator, client_for):
    response = bulk(
        client_for(operator),
        action="assign",
        organisation=region.org_a.pk,
        ids=[region.new_a.pk],
        return_query="channel=pos&sort=registered_at&page=3",
    )

    assert response["Location"] == reverse("appeals:queue") + "?channel=pos&sort=registered_at"


def test_the_way_back_cannot_leave_the_site(region, operator, client_for):
    response = bulk(
        client_for(operator), action="assign", ids=[region.new_a.pk], return_query="//evil.example/\r\nSet-Cookie: x=1"
    )

    assert response["Location"].startswith(reverse("appeals:queue") + "?")
    assert "\n" not in response["Location"]


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"action": "assign"},
        {"action": "assign", "ids": ["abc"]},
        {"action": "assign", "ids": ["-3"], "organisation": "1"},
        {"action": "explode", "ids": ["1"]},
        {"action": "classify", "ids": ["1"]},
        {"action": "link_incident", "ids": ["1"], "incident": "999999"},
        {"action": "reject_duplicate", "ids": ["1"]},
        {"action": "assign", "ids": [str(i) for i in range(1, 300)], "organisation": "1"},
    ],
)
def test_bulk_garbage_is_a_flash_not_a_500(data, region, operator, client_for):
    response = bulk(client_for(operator), **data)

    assert response.status_code == 302
    assert flashes(response)
    assert not AppealEvent.objects.exists()


def test_bulk_actions_are_for_triage_roles_only(region, make_user, client_for):
    for role in (Role.EXECUTOR, Role.BLOCK_HEAD, Role.CURATOR, Role.COMPETENCE_CENTER):
        response = bulk(
            client_for(make_user(role)), action="assign", organisation=region.org_a.pk, ids=[region.new_a.pk]
        )
        assert response.status_code == 403, role
    region.new_a.refresh_from_db()
    assert region.new_a.status == S.NEW


def test_the_queue_page_has_the_bulk_form_and_checkboxes(region, operator, client_for):
    html = client_for(operator).get(reverse("appeals:queue")).content.decode()

    assert 'id="bulk-form"' in html
    assert f'name="ids" value="{region.new_a.pk}" form="bulk-form"' in html
