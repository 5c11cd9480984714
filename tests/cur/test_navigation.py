import pytest
from django.urls import reverse

from cur.navigation import MENU, menu_for
from cur.roles import CAPABILITIES, Role


@pytest.mark.parametrize("role", list(Role))
def test_each_role_sees_exactly_the_menu_items_its_capabilities_allow(role, make_user, client_for):
    user = make_user(role)
    page = client_for(user).get(reverse("home")).content.decode()

    for item in MENU:
        allowed = role in CAPABILITIES[item.capability]
        assert (f'href="{item.url}"' in page) is allowed, (role, item.label)


@pytest.mark.parametrize("role", list(Role))
def test_every_menu_item_of_a_role_opens_for_that_role(role, make_user, client_for):
    user = make_user(role)
    client = client_for(user)
    for item in menu_for(user):
        assert client.get(item.url).status_code == 200, (role, item.url)


def test_the_competence_center_has_no_directory_pages_only_the_api(competence_center, client_for):
    items = {item.url_name for item in menu_for(competence_center)}
    assert items == {"swagger-ui"}
    assert client_for(competence_center).get(reverse("sectors:block-list")).status_code == 403


def test_the_current_section_is_marked_active(operator, client_for):
    page = client_for(operator).get(reverse("sectors:block-list")).content.decode()
    assert 'active" aria-current="page" href="/sectors/blocks/"' in page


def test_admin_site_is_for_the_admin_role_only(make_user, client_for):
    admin = make_user(Role.ADMIN)
    curator = make_user(Role.CURATOR, is_staff=True)  # even a staff flag does not open it
    assert client_for(admin).get(reverse("admin:index")).status_code == 200
    assert client_for(curator).get(reverse("admin:index")).status_code == 302
