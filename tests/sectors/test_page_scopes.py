"""Who may open which directory page: every role × every page, and what inactive rows hide."""

import datetime
from dataclasses import dataclass

import pytest
from django.urls import reverse

from cur.roles import CAPABILITIES, Role
from sectors.models import SectorBlock
from tests.factories import OrganisationFactory, ResponsiblePersonFactory, SectorBlockFactory, TerritoryFactory


@dataclass(frozen=True)
class Page:
    url_name: str
    capability: str
    kwargs: str = ""  # which object of the `world` the URL names: "block", "organisation", …
    method: str = "get"

    def url(self, world) -> str:
        if not self.kwargs:
            return reverse(self.url_name)
        obj = world[self.kwargs]
        return reverse(self.url_name, args=[obj.code if self.kwargs == "block" else obj.pk])

    def __str__(self) -> str:
        return self.url_name


PAGES = [
    Page("sectors:block-list", "directory.view"),
    Page("sectors:block-detail", "directory.view", "block"),
    Page("sectors:organisation-list", "directory.view"),
    Page("sectors:organisation-detail", "directory.view", "organisation"),
    Page("sectors:territory-list", "directory.view"),
    Page("sectors:territory-detail", "directory.view", "territory"),
    Page("sectors:person-list", "directory.view"),
    Page("sectors:person-detail", "directory.view", "person"),
    Page("sectors:block-create", "directory.edit"),
    Page("sectors:block-edit", "directory.edit", "block"),
    Page("sectors:organisation-create", "directory.edit"),
    Page("sectors:organisation-edit", "directory.edit", "organisation"),
    Page("sectors:territory-create", "directory.edit"),
    Page("sectors:territory-edit", "directory.edit", "territory"),
    Page("sectors:person-appoint", "directory.edit"),
    Page("sectors:person-edit", "directory.edit", "person"),
    Page("sectors:person-end", "directory.edit", "person", method="post"),
]


@pytest.fixture
def world(db):
    """One object of each kind, all active, linked to each other."""
    block = SectorBlock.objects.get(code="health")
    territory = TerritoryFactory(name="Касимовский район")
    organisation = OrganisationFactory(name="Министерство здравоохранения", territory=territory, sector_blocks=[block])
    person = ResponsiblePersonFactory(last_name="Смирнова", sector_block=block, organisation=organisation)
    return {"block": block, "territory": territory, "organisation": organisation, "person": person}


def _request(client, page: Page, world):
    if page.method == "post":
        # A date before the appointment: the service refuses, the admin gets the page back with the error.
        return client.post(page.url(world), {"until": "01.01.2000"})
    return client.get(page.url(world))


@pytest.mark.parametrize("page", PAGES, ids=str)
@pytest.mark.parametrize("role", list(Role), ids=str)
def test_a_role_opens_a_page_exactly_when_its_capability_allows(role, page, world, make_user, client_for):
    client = client_for(make_user(role))

    response = _request(client, page, world)

    expected = 200 if role in CAPABILITIES[page.capability] else 403
    assert response.status_code == expected, (role, page.url_name)


@pytest.mark.parametrize("page", PAGES, ids=str)
def test_an_anonymous_visitor_is_sent_to_the_login_page(page, world, client):
    response = _request(client, page, world)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login") + "?next=")


def test_the_competence_center_has_no_directory_page_even_for_an_existing_object(world, make_user, client_for):
    client = client_for(make_user(Role.COMPETENCE_CENTER))
    for page in PAGES:
        assert _request(client, page, world).status_code == 403, page.url_name


def test_ending_an_appointment_is_post_only(world, admin_user, client_for):
    response = client_for(admin_user).get(reverse("sectors:person-end", args=[world["person"].pk]))
    assert response.status_code == 405


# --- Inactive rows -------------------------------------------------------------------

NON_ADMIN_STAFF = sorted(CAPABILITIES["directory.view"] - {Role.ADMIN})


@pytest.fixture
def retired(db):
    """An inactive territory, an inactive organisation and an inactive (non-mandatory) block,
    next to active ones, so the lists are not simply empty."""
    block = SectorBlockFactory(code="old_block", name="Упразднённый блок", is_active=False)
    territory = TerritoryFactory(name="Упразднённое поселение", is_active=False)
    organisation = OrganisationFactory(name="Ликвидированное учреждение", is_active=False, sector_blocks=[block])
    person = ResponsiblePersonFactory(last_name="Бывшев", sector_block=block)
    OrganisationFactory(name="Действующее учреждение")
    TerritoryFactory(name="Действующий район")
    return {"block": block, "territory": territory, "organisation": organisation, "person": person}


DETAIL_PAGES = [
    ("sectors:block-detail", "block"),
    ("sectors:organisation-detail", "organisation"),
    ("sectors:territory-detail", "territory"),
    ("sectors:person-detail", "person"),
]


def _detail_url(url_name, key, retired):
    obj = retired[key]
    return reverse(url_name, args=[obj.code if key == "block" else obj.pk])


@pytest.mark.parametrize("role", NON_ADMIN_STAFF, ids=str)
@pytest.mark.parametrize(("url_name", "key"), DETAIL_PAGES)
def test_an_inactive_object_is_not_found_for_a_non_admin(role, url_name, key, retired, make_user, client_for):
    client = client_for(make_user(role))
    assert client.get(_detail_url(url_name, key, retired)).status_code == 404


@pytest.mark.parametrize(("url_name", "key"), DETAIL_PAGES)
def test_an_inactive_object_opens_for_the_admin(url_name, key, retired, admin_user, client_for):
    response = client_for(admin_user).get(_detail_url(url_name, key, retired))
    assert response.status_code == 200
    assert "не действует" in response.content.decode() or key == "person"


@pytest.mark.parametrize(
    ("url_name", "key"),
    [
        ("sectors:block-edit", "block"),
        ("sectors:organisation-edit", "organisation"),
        ("sectors:territory-edit", "territory"),
    ],
)
def test_the_admin_edits_inactive_objects(url_name, key, retired, admin_user, client_for):
    assert client_for(admin_user).get(_detail_url(url_name, key, retired)).status_code == 200


LISTS = [
    ("sectors:block-list", "Упразднённый блок", "Здравоохранение"),
    ("sectors:organisation-list", "Ликвидированное учреждение", "Действующее учреждение"),
    ("sectors:territory-list", "Упразднённое поселение", "Действующий район"),
    ("sectors:person-list", "Бывшев", None),
]


@pytest.mark.parametrize("role", NON_ADMIN_STAFF, ids=str)
@pytest.mark.parametrize(("url_name", "inactive", "active"), LISTS)
def test_an_inactive_object_is_absent_from_a_non_admin_list(
    role, url_name, inactive, active, retired, make_user, client_for
):
    page = client_for(make_user(role)).get(reverse(url_name)).content.decode()
    assert inactive not in page
    if active:
        assert active in page


@pytest.mark.parametrize(("url_name", "inactive", "active"), LISTS)
def test_the_admin_list_shows_inactive_objects_too(url_name, inactive, active, retired, admin_user, client_for):
    page = client_for(admin_user).get(reverse(url_name)).content.decode()
    assert inactive in page
    if active:
        assert active in page


def test_a_non_admin_cannot_reach_an_inactive_organisation_through_a_filter(retired, operator, client_for):
    page = client_for(operator).get(reverse("sectors:organisation-list"), {"is_active": "false"}).content.decode()
    assert "Ликвидированное учреждение" not in page
    assert 'name="is_active"' not in page  # the filter is the admin's only


def test_the_admin_filters_organisations_by_state(retired, admin_user, client_for):
    page = client_for(admin_user).get(reverse("sectors:organisation-list"), {"is_active": "false"}).content.decode()
    assert "Ликвидированное учреждение" in page
    assert "Действующее учреждение" not in page


def test_a_non_admin_block_page_does_not_count_or_list_inactive_organisations(make_user, client_for):
    block = SectorBlock.objects.get(code="roads")
    OrganisationFactory(name="Дорожное агентство", sector_blocks=[block])
    OrganisationFactory(name="Закрытое ДРСУ", sector_blocks=[block], is_active=False)

    page = client_for(make_user(Role.OPERATOR)).get(reverse("sectors:block-detail", args=["roads"])).content.decode()

    assert "Дорожное агентство" in page
    assert "Закрытое ДРСУ" not in page


def test_objects_that_do_not_exist_are_not_found(admin_user, client_for):
    client = client_for(admin_user)
    assert client.get(reverse("sectors:block-detail", args=["no-such-block"])).status_code == 404
    assert client.get(reverse("sectors:organisation-detail", args=[10**20])).status_code == 404
    assert client.get(reverse("sectors:territory-edit", args=[987654])).status_code == 404
    assert client.post(reverse("sectors:person-end", args=[987654]), {"until": "01.01.2025"}).status_code == 404


def test_a_past_appointment_in_an_active_block_is_visible_to_staff(make_user, client_for):
    person = ResponsiblePersonFactory(last_name="Прежний", until=datetime.date(2025, 6, 1))
    response = client_for(make_user(Role.EXECUTOR)).get(reverse("sectors:person-detail", args=[person.pk]))
    assert response.status_code == 200
    assert "01.06.2025" in response.content.decode()
