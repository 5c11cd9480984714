"""Who may do what in the directory API: every role reads (the competence center too, with a
token), only the admin writes, and nobody but the admin sees what is no longer active."""

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from cur.roles import Role
from sectors.models import ResponsiblePerson, SectorBlock
from tests.factories import OrganisationFactory, RegionFactory, ResponsiblePersonFactory, TerritoryFactory

API = "/api/v1"
ALL_ROLES = list(Role)
NON_ADMIN_ROLES = [role for role in Role if role != Role.ADMIN]


@pytest.fixture
def directory(db):
    """One active row of each kind, and the URLs to read and write them."""
    territory = TerritoryFactory()
    organisation = OrganisationFactory(territory=territory, sector_blocks=[SectorBlock.objects.get(code="health")])
    person = ResponsiblePersonFactory(organisation=organisation)
    return {
        "sector-blocks": "health",
        "territories": territory.pk,
        "organisations": organisation.pk,
        "responsible-persons": person.pk,
    }


def write_requests(directory):
    """(method, url, body) for every write the API offers, each valid for an admin."""
    region = RegionFactory()
    return [
        ("post", f"{API}/sector-blocks/", {"code": "tourism", "name": "Туризм"}),
        ("put", f"{API}/sector-blocks/health/", {"code": "health", "name": "Здравоохранение"}),
        ("patch", f"{API}/sector-blocks/health/", {"description": "Больницы и поликлиники"}),
        (
            "post",
            f"{API}/territories/",
            {"name": "Шацкий район", "kind": "municipal_district", "parent": region.pk, "oktmo": "61656000"},
        ),
        ("patch", f"{API}/territories/{directory['territories']}/", {"population": 1000}),
        (
            "post",
            f"{API}/organisations/",
            {"name": "Минздрав", "kind": "regional_body", "territory": region.pk, "sector_blocks": ["health"]},
        ),
        ("patch", f"{API}/organisations/{directory['organisations']}/", {"address": "Рязань, ул. Ленина, 1"}),
        (
            "post",
            f"{API}/responsible-persons/",
            {
                "role": "curator",
                "last_name": "Орлов",
                "first_name": "Олег",
                "position": "Заместитель губернатора",
                "act_number": "1-рп",
                "act_date": "2025-01-09",
                "since": "2025-01-10",
            },
        ),
        ("patch", f"{API}/responsible-persons/{directory['responsible-persons']}/", {"phone": "+7 900 000-00-00"}),
        ("post", f"{API}/responsible-persons/{directory['responsible-persons']}/end/", {"until": "2025-06-30"}),
    ]


@pytest.mark.parametrize("role", ALL_ROLES)
@pytest.mark.parametrize("endpoint", ["sector-blocks", "territories", "organisations", "responsible-persons"])
def test_every_role_reads_every_list_and_detail(make_user, api_client_for, directory, role, endpoint):
    api = api_client_for(make_user(role))

    listed = api.get(f"{API}/{endpoint}/")
    detail = api.get(f"{API}/{endpoint}/{directory[endpoint]}/")

    assert listed.status_code == 200
    assert listed.json()["count"] >= 1
    assert detail.status_code == 200


@pytest.mark.parametrize("role", NON_ADMIN_ROLES)
def test_only_the_admin_writes(make_user, api_client_for, directory, role):
    api = api_client_for(make_user(role))

    for method, url, body in write_requests(directory):
        response = getattr(api, method)(url, body, format="json")
        assert response.status_code == 403, (method, url)
        assert response.json()["detail"] == "Недостаточно прав для этого действия."

    assert not SectorBlock.objects.filter(code="tourism").exists()
    assert ResponsiblePerson.objects.get(pk=directory["responsible-persons"]).until is None


def test_the_admin_may_make_every_one_of_those_writes(admin_user, api_client_for, directory):
    api = api_client_for(admin_user)

    for method, url, body in write_requests(directory):
        response = getattr(api, method)(url, body, format="json")
        assert response.status_code in (200, 201), (method, url, response.content)


def test_anonymous_requests_are_refused(directory):
    api = APIClient()

    for endpoint, key in directory.items():
        assert api.get(f"{API}/{endpoint}/").status_code in (401, 403)
        assert api.get(f"{API}/{endpoint}/{key}/").status_code in (401, 403)
    for method, url, body in write_requests(directory):
        assert getattr(api, method)(url, body, format="json").status_code in (401, 403)


# --- Inactive rows ----------------------------------------------------------------------------


@pytest.fixture
def inactive(db):
    """An inactive block, territory and organisation, and a person appointed to that block."""
    block = SectorBlock.objects.create(code="closed", name="Упразднённый блок", is_active=False)
    territory = TerritoryFactory(is_active=False)
    organisation = OrganisationFactory(is_active=False)
    person = ResponsiblePersonFactory(sector_block=block)
    return {
        "sector-blocks": block.code,
        "territories": territory.pk,
        "organisations": organisation.pk,
        "responsible-persons": person.pk,
    }


def listed_keys(api, endpoint):
    key = "code" if endpoint == "sector-blocks" else "id"
    response = api.get(f"{API}/{endpoint}/")
    assert response.status_code == 200
    assert response.json()["next"] is None  # one page holds everything here
    return {row[key] for row in response.json()["results"]}


@pytest.mark.parametrize("role", NON_ADMIN_ROLES)
@pytest.mark.parametrize("endpoint", ["sector-blocks", "territories", "organisations", "responsible-persons"])
def test_inactive_rows_are_invisible_to_non_admins(make_user, api_client_for, inactive, role, endpoint):
    api = api_client_for(make_user(role))

    assert inactive[endpoint] not in listed_keys(api, endpoint)
    response = api.get(f"{API}/{endpoint}/{inactive[endpoint]}/")
    assert response.status_code == 404
    assert response.json() == {"detail": "Не найдено."}


@pytest.mark.parametrize("endpoint", ["sector-blocks", "territories", "organisations", "responsible-persons"])
def test_the_admin_sees_inactive_rows(admin_user, api_client_for, inactive, endpoint):
    api = api_client_for(admin_user)

    assert inactive[endpoint] in listed_keys(api, endpoint)
    assert api.get(f"{API}/{endpoint}/{inactive[endpoint]}/").status_code == 200


def test_a_non_admin_cannot_even_see_an_inactive_row_to_edit_it(operator, api_client_for, inactive):
    api = api_client_for(operator)

    response = api.get(f"{API}/organisations/", {"is_active": "false"})

    assert response.json()["results"] == []


def test_the_admin_can_reactivate_an_inactive_organisation(admin_user, api_client_for, inactive):
    api = api_client_for(admin_user)

    response = api.patch(f"{API}/organisations/{inactive['organisations']}/", {"is_active": True}, format="json")

    assert response.status_code == 200
    assert response.json()["is_active"] is True


# --- Token authentication ---------------------------------------------------------------------


def test_the_competence_center_reads_with_a_token(competence_center, directory):
    token = Token.objects.create(user=competence_center)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")

    for endpoint, key in directory.items():
        assert api.get(f"{API}/{endpoint}/").status_code == 200
        assert api.get(f"{API}/{endpoint}/{key}/").status_code == 200
    response = api.patch(f"{API}/organisations/{directory['organisations']}/", {"address": "x"}, format="json")
    assert response.status_code == 403


def test_a_wrong_token_is_refused(competence_center, directory):
    Token.objects.create(user=competence_center)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION="Token 0000000000000000000000000000000000000000")

    assert api.get(f"{API}/sector-blocks/").status_code in (401, 403)


def test_a_deactivated_user_is_refused_even_with_a_valid_token(competence_center, directory):
    token = Token.objects.create(user=competence_center)
    competence_center.is_active = False
    competence_center.save(update_fields=["is_active"])
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")

    assert api.get(f"{API}/sector-blocks/").status_code in (401, 403)


def test_a_session_login_works_for_the_api_too(operator, client_for, directory):
    client = client_for(operator)

    assert client.get(f"{API}/territories/").status_code == 200
    response = client.get(f"{API}/responsible-persons/", {"current": "true"})
    assert response.status_code == 200
    assert [p["id"] for p in response.json()["results"]] == [directory["responsible-persons"]]
