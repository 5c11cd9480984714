"""In Chromium at desktop widths: the header stays one line with «Выйти» on screen, nothing scrolls sideways, a
long unbroken word wraps inside the appeals table, and the audience checkboxes stay above the next field."""

import pytest

from appeals.models import Appeal
from cur.roles import Role
from tests.factories import UserFactory
from tests.heatmap.world import build_world, register

pytestmark = pytest.mark.browser

# The page's overflow to the right, the header's height and whether «Выйти» is whole inside the window.
GEOMETRY = """() => {
  const logout = [...document.querySelectorAll("nav button")].find((b) => b.textContent.trim() === "Выйти");
  const box = logout.getBoundingClientRect();
  return {overflow: document.documentElement.scrollWidth - window.innerWidth,
          header: document.querySelector("nav").getBoundingClientRect().height,
          logoutInside: box.left >= 0 && box.right <= window.innerWidth && box.bottom <= window.innerHeight};
}"""


def test_the_admin_sees_a_one_line_header_and_tables_that_fit(transactional_db, live_server, page, log_in):
    world = build_world()
    appeal = register(world, territory=world.districts[0])
    Appeal.objects.filter(pk=appeal.pk).update(text="Прошу_" + "оченьдлинноеслово" * 25)  # one word, 431 letters
    UserFactory(username="layout-admin", role=Role.ADMIN, last_name="Константинопольская",
                first_name="Александра", patronymic="Вячеславовна")  # fmt: skip
    log_in("layout-admin", "пароль-для-тестов")

    for width in (1440, 1280, 1200):
        page.set_viewport_size({"width": width, "height": 900})
        for path in ("/appeals/list/", "/heatmap/dashboard/region/", "/informing/activities/new/"):
            page.goto(f"{live_server.url}{path}")
            geometry = page.evaluate(GEOMETRY)
            assert geometry["overflow"] <= 0, (width, path, geometry)
            assert geometry["header"] < 80, (width, path, geometry)  # one line, not four
            assert geometry["logoutInside"], (width, path, geometry)

    page.set_viewport_size({"width": 1440, "height": 900})
    page.goto(f"{live_server.url}/appeals/list/")
    table = page.locator("[data-testid=appeals-table]")
    assert "оченьдлинноеслово" in table.inner_text()
    sizes = table.evaluate("t => ({table: t.scrollWidth, box: t.parentElement.clientWidth})")
    assert sizes["table"] <= sizes["box"], sizes  # the long word wraps; the table does not scroll

    page.goto(f"{live_server.url}/informing/activities/new/")
    options = page.locator("#id_audience_groups label")
    assert options.count() > 5
    last_option = options.last.bounding_box()
    group = page.locator("#id_audience_groups").bounding_box()
    next_label = page.locator("label[for=id_territories]").bounding_box()
    assert last_option["y"] + last_option["height"] <= group["y"] + group["height"] + 1  # inside its own box
    assert group["y"] + group["height"] <= next_label["y"], (group, next_label)  # and above the next field


def test_the_heat_map_period_is_typed_as_dd_mm_yyyy(transactional_db, live_server, page, log_in):
    UserFactory(username="layout-curator", role=Role.CURATOR)
    log_in("layout-curator", "пароль-для-тестов")
    page.goto(f"{live_server.url}/heatmap/map/?period=custom&since=01.03.2026&until=31.03.2026")
    since = page.locator("#id_since")
    assert since.get_attribute("type") == "text" and since.get_attribute("placeholder") == "дд.мм.гггг"
    assert since.input_value() == "01.03.2026"
    assert "01.03.2026 — 31.03.2026" in page.inner_text("[data-testid=heatmap-filters]")
