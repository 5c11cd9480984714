"""Who may open which appeal page: every role × every page, and own versus foreign appeals."""

from dataclasses import dataclass

import pytest
from django.urls import reverse

from appeals.models import Appeal
from cur.navigation import MENU, menu_for
from cur.roles import CAPABILITIES, Role

from .page_factories import PageIncidentFactory, appeal_in, build_region


@dataclass(frozen=True)
class Page:
    url_name: str
    capability: str
    obj: str = ""  # "appeal" or "incident"

    def url(self, world) -> str:
        return reverse(self.url_name, args=[world[self.obj].pk]) if self.obj else reverse(self.url_name)

    def __str__(self) -> str:
        return self.url_name


PAGES = [
    Page("appeals:queue", "appeals.triage"),
    Page("appeals:list", "appeals.view"),
    Page("appeals:my", "appeals.answer"),
    Page("appeals:create", "appeals.register"),
    Page("appeals:appeal-detail", "appeals.view", "appeal"),
    Page("appeals:incident-list", "appeals.view"),
    Page("appeals:incident-create", "appeals.triage"),
    Page("appeals:incident-detail", "appeals.view", "incident"),
    Page("appeals:export-csv", "appeals.view"),
    Page("appeals:export-xlsx", "appeals.view"),
]


@pytest.fixture
def region(db):
    return build_region()


@pytest.fixture
def world(region):
    """One appeal every scoped role can see: health block, territory A, organisation A."""
    incident = PageIncidentFactory()
    region.health_a.incident = incident
    region.health_a.save()
    return {"appeal": region.health_a, "incident": incident, "region": region}


def user_of(make_user, role, region, **kwargs):
    if role == Role.EXECUTOR:
        kwargs.setdefault("organisation", region.org_a)
    if role == Role.MUNICIPAL_OPERATOR:
        kwargs.setdefault("territory", region.territory_a)
    return make_user(role, **kwargs)


@pytest.mark.parametrize("page", PAGES, ids=str)
@pytest.mark.parametrize("role", list(Role), ids=str)
def test_a_role_opens_an_appeal_page_exactly_when_its_capability_allows(role, page, world, make_user, client_for):
    client = client_for(user_of(make_user, role, world["region"]))

    response = client.get(page.url(world))

    expected = 200 if role in CAPABILITIES[page.capability] else 403
    assert response.status_code == expected, (role, page.url_name)


def test_an_anonymous_visitor_is_sent_to_the_login_page(world, client):
    for page in PAGES:
        response = client.get(page.url(world))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("role", list(Role), ids=str)
def test_the_menu_has_the_appeal_items_of_the_role(role, region, make_user, client_for):
    user = user_of(make_user, role, region)

    page = client_for(user).get(reverse("home")).content.decode()

    for item in MENU:
        if item.url_name.startswith("appeals:"):
            assert (f'href="{item.url}"' in page) is (role in CAPABILITIES[item.capability]), (role, item.label)


def test_the_executor_menu_has_my_appeals_but_no_queue(region, make_user):
    executor = user_of(make_user, Role.EXECUTOR, region)
    labels = [item.label for item in menu_for(executor)]
    assert "Мои обращения" in labels and "Все обращения" in labels
    assert "Очередь" not in labels and "Новое обращение" not in labels


# --- own and foreign appeals -------------------------------------------------------------


def _detail(client, appeal: Appeal):
    return client.get(reverse("appeals:appeal-detail", args=[appeal.pk]))


def test_an_executor_sees_the_appeals_of_their_organisation_only(region, make_user, client_for):
    client = client_for(user_of(make_user, Role.EXECUTOR, region))

    assert _detail(client, region.health_a).status_code == 200
    assert _detail(client, region.waste_b).status_code == 404
    assert _detail(client, region.new_a).status_code == 404  # not assigned to anybody yet
    listed = client.get(reverse("appeals:my")).content.decode()
    assert region.health_a.number in listed and region.waste_b.number not in listed


def test_an_executor_of_another_organisation_gets_404_on_actions_too(region, make_user, client_for):
    client = client_for(user_of(make_user, Role.EXECUTOR, region))

    response = client.post(reverse("appeals:start", args=[region.waste_b.pk]))

    assert response.status_code == 404
    region.waste_b.refresh_from_db()
    assert region.waste_b.status == Appeal.Status.ASSIGNED


def test_a_block_head_sees_only_the_appeals_of_their_blocks(region, make_user, client_for):
    client = client_for(user_of(make_user, Role.BLOCK_HEAD, region))  # the health block

    assert _detail(client, region.health_a).status_code == 200
    assert _detail(client, region.waste_b).status_code == 404
    listed = client.get(reverse("appeals:list")).content.decode()
    assert region.health_a.number in listed
    assert region.waste_b.number not in listed


def test_a_municipal_operator_sees_their_territory_and_its_settlements_only(region, make_user, client_for):
    client = client_for(user_of(make_user, Role.MUNICIPAL_OPERATOR, region))

    assert _detail(client, region.health_a).status_code == 200
    assert _detail(client, region.new_a).status_code == 200  # a settlement inside territory A
    assert _detail(client, region.waste_b).status_code == 404
    queue = client.get(reverse("appeals:queue")).content.decode()
    assert region.new_a.number in queue
    foreign_new = appeal_in(Appeal.Status.NEW, territory=region.territory_b)
    assert _detail(client, foreign_new).status_code == 404
    assert foreign_new.number not in client.get(reverse("appeals:queue")).content.decode()


def test_a_municipal_operator_cannot_act_on_a_foreign_appeal(region, make_user, client_for):
    client = client_for(user_of(make_user, Role.MUNICIPAL_OPERATOR, region))
    foreign_new = appeal_in(Appeal.Status.NEW, territory=region.territory_b)

    response = client.post(reverse("appeals:assign", args=[foreign_new.pk]), {"organisation": region.org_b.pk})

    assert response.status_code == 404
    foreign_new.refresh_from_db()
    assert foreign_new.status == Appeal.Status.NEW


def test_the_competence_center_is_refused_every_appeal_page_and_action(region, competence_center, client_for):
    client = client_for(competence_center)
    appeal = region.health_a
    for url in [
        reverse("appeals:list"),
        reverse("appeals:queue"),
        reverse("appeals:my"),
        reverse("appeals:appeal-detail", args=[appeal.pk]),
        reverse("appeals:export-csv"),
        reverse("appeals:incident-list"),
    ]:
        assert client.get(url).status_code == 403, url
    for name in ["assign", "answer", "start", "reveal-personal-data", "close", "reject", "receive-info"]:
        assert client.post(reverse(f"appeals:{name}", args=[appeal.pk])).status_code == 403, name
    assert client.post(reverse("appeals:bulk"), {"action": "assign", "ids": [appeal.pk]}).status_code == 403


def test_a_foreign_incident_is_404_for_a_scoped_role(region, make_user, client_for):
    incident = PageIncidentFactory()
    region.waste_b.incident = incident
    region.waste_b.save()
    client = client_for(user_of(make_user, Role.BLOCK_HEAD, region))

    assert client.get(reverse("appeals:incident-detail", args=[incident.pk])).status_code == 404
    assert incident.title not in client.get(reverse("appeals:incident-list")).content.decode()


def test_an_appeal_that_does_not_exist_is_404(operator, client_for):
    assert client_for(operator).get(reverse("appeals:appeal-detail", args=[999999])).status_code == 404


def test_appeals_root_leads_to_the_list(operator, client_for):
    response = client_for(operator).get("/appeals/")
    assert response.status_code == 302
    assert response["Location"] == reverse("appeals:list")
