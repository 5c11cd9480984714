"""In a real browser: the map draws offline from our own files, and a click on a district opens its appeals."""

import pytest

from cur.roles import Role
from sectors.models import Territory
from sectors.services_geo import load_region_territories
from tests.factories import UserFactory

from .world import build_world, register

pytestmark = pytest.mark.browser


def test_a_click_on_a_district_opens_its_appeals(transactional_db, live_server, page):
    load_region_territories()  # the real OSM boundaries of the 29 municipalities
    world = build_world()
    shatsk = Territory.objects.get(oktmo="61656000")
    for _ in range(3):
        register(world, territory=shatsk)
    UserFactory(username="mcu", role=Role.MUNICIPAL_OPERATOR, territory=shatsk)
    outside = []
    page.route("**/*", lambda route: (outside.append(route.request.url), route.abort())
               if not route.request.url.startswith(live_server.url) else route.continue_())  # fmt: skip

    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "mcu")
    page.fill("#id_password", "пароль-для-тестов")
    page.click("button[type=submit]")
    page.wait_for_selector("[data-testid=current-user]")
    page.goto(f"{live_server.url}/heatmap/map/")
    page.wait_for_selector("#heat-map[data-ready='1']")
    areas = page.locator("#heat-map path.choroplethlocation")
    assert areas.count() == 1  # the municipal operator's own district only
    assert "© участники OpenStreetMap" in page.inner_text("#heat-map")
    areas.first.click(force=True)
    page.wait_for_url("**/appeals/list/**")
    assert f"territory={shatsk.pk}" in page.url
    assert page.locator("table tbody tr").count() == 3
    assert outside == []  # no CDN, no tile server
