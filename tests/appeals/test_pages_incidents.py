"""Incidents: the list, creating one, its page with its appeals, the status change."""

import pytest
from django.urls import reverse

from appeals.models import Appeal, Incident
from cur.models import AuditEvent
from cur.roles import Role

from .page_factories import PageIncidentFactory, appeal_in, block, build_region, flashes, topic_of

S = Appeal.Status


@pytest.fixture
def region(db):
    return build_region()


def test_an_operator_creates_an_incident_and_lands_on_its_page(region, operator, client_for):
    response = client_for(operator).post(
        reverse("appeals:incident-create"),
        {
            "title": "Авария на водоводе в Касимове",
            "sector_block": block("housing").pk,
            "territory": region.territory_a.pk,
        },
    )

    incident = Incident.objects.get(title="Авария на водоводе в Касимове")
    assert response.status_code == 302
    assert response["Location"] == reverse("appeals:incident-detail", args=[incident.pk])
    assert incident.created_by == operator and incident.territory == region.territory_a
    assert AuditEvent.objects.filter(action="incident.create", actor=operator).exists()


@pytest.mark.parametrize(
    "data",
    [
        {"title": ""},
        {"title": "   "},
        {"title": "x", "topic": "-1"},
        {"title": "x", "sector_block": "WASTE", "topic": "TOPIC"},
    ],
)
def test_a_bad_incident_form_comes_back_with_errors(data, region, operator, client_for):
    values = {"TOPIC": topic_of("health").pk, "WASTE": block("waste").pk}
    data = {k: values.get(v, v) for k, v in data.items()}

    response = client_for(operator).post(reverse("appeals:incident-create"), data)

    assert response.status_code == 200
    assert response.context["form"].errors
    assert not Incident.objects.exists()


def test_the_incident_page_lists_its_visible_appeals(region, make_user, client_for):
    incident = PageIncidentFactory()
    for appeal in (region.health_a, region.waste_b):
        appeal.incident = incident
        appeal.save()
    client = client_for(make_user(Role.BLOCK_HEAD))  # health only

    html = client.get(reverse("appeals:incident-detail", args=[incident.pk])).content.decode()

    assert region.health_a.number in html
    assert region.waste_b.number not in html


def test_the_incident_list_shows_the_appeal_count_and_filters_by_status(region, operator, client_for):
    open_one = PageIncidentFactory(title="Открытый инцидент")
    PageIncidentFactory(title="Закрытый инцидент", status=Incident.Status.CLOSED)
    region.health_a.incident = open_one
    region.health_a.save()
    client = client_for(operator)

    everything = client.get(reverse("appeals:incident-list")).content.decode()
    only_closed = client.get(reverse("appeals:incident-list"), {"status": "closed"}).content.decode()

    assert "Открытый инцидент" in everything and "Закрытый инцидент" in everything
    assert "Открытый инцидент" not in only_closed and "Закрытый инцидент" in only_closed


def test_an_operator_changes_the_status_of_an_incident(region, operator, client_for):
    incident = PageIncidentFactory()

    response = client_for(operator).post(reverse("appeals:incident-status", args=[incident.pk]), {"status": "resolved"})

    incident.refresh_from_db()
    assert incident.status == Incident.Status.RESOLVED
    assert response["Location"] == reverse("appeals:incident-detail", args=[incident.pk])
    assert AuditEvent.objects.filter(action="incident.status").exists()


def test_a_bad_incident_status_is_a_flash(region, operator, client_for):
    incident = PageIncidentFactory()

    response = client_for(operator).post(reverse("appeals:incident-status", args=[incident.pk]), {"status": "gone"})

    incident.refresh_from_db()
    assert incident.status == Incident.Status.OPEN
    assert flashes(response)


def test_only_triage_roles_change_an_incident(region, make_user, client_for):
    incident = PageIncidentFactory()
    for role in (Role.EXECUTOR, Role.BLOCK_HEAD, Role.CURATOR):
        client = client_for(make_user(role))
        assert (
            client.post(reverse("appeals:incident-status", args=[incident.pk]), {"status": "closed"}).status_code == 403
        )
        assert client.post(reverse("appeals:incident-create"), {"title": "x"}).status_code == 403


def test_the_link_form_offers_open_incidents_only(region, operator, client_for):
    PageIncidentFactory(title="Открытый инцидент")
    PageIncidentFactory(title="Закрытый инцидент", status=Incident.Status.CLOSED)

    html = client_for(operator).get(reverse("appeals:appeal-detail", args=[region.new_a.pk])).content.decode()

    assert "Открытый инцидент" in html and "Закрытый инцидент" not in html


def test_an_operator_cannot_link_to_a_closed_incident(region, operator, client_for):
    closed = PageIncidentFactory(status=Incident.Status.CLOSED)
    appeal = appeal_in(S.NEW)

    response = client_for(operator).post(reverse("appeals:link-incident", args=[appeal.pk]), {"incident": closed.pk})

    appeal.refresh_from_db()
    assert appeal.incident_id is None
    assert "Выберите инцидент из списка" in flashes(response)[0]
