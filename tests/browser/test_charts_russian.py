"""In Chromium: the charts speak Russian — plotly.js's `ru` locale from our static files names the months on
date axes, and a percent axis writes «15 %»; no English month, no fraction where a percent is meant."""

import re

import pytest

from cur.roles import Role
from tests.factories import UserFactory
from tests.heatmap.world import build_world, register

pytestmark = pytest.mark.browser

RUSSIAN_MONTH = re.compile(r"Янв|Февр|Март|Апр|Май|Июнь|Июль|Авг|Сент|Окт|Ноя|Дек")
ENGLISH_MONTH = re.compile(r"\b(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)")
TICKS = "(selector) => [...document.querySelectorAll(selector)].map((t) => t.textContent)"


def test_the_dashboard_axes_carry_russian_months_and_percent_signs(transactional_db, live_server, page, log_in):
    world = build_world()
    for territory in world.districts:
        register(world, territory=territory)
    UserFactory(username="charts-curator", role=Role.CURATOR)

    log_in("charts-curator", "пароль-для-тестов")
    page.goto(f"{live_server.url}/heatmap/dashboard/region/")
    page.wait_for_selector("#trend[data-ready='1']")
    page.wait_for_selector("#blocks[data-ready='1']")

    months = page.evaluate(TICKS, "#trend g.xtick text")
    assert months and all(RUSSIAN_MONTH.search(t) for t in months), months
    percents = page.evaluate(TICKS, "#blocks g.y2tick text")
    assert percents and all(t.endswith("\u00a0%") for t in percents), percents  # «10 %», not 0.1
    everything = page.inner_text("main")
    for chart in ("#trend", "#blocks"):
        everything += " ".join(page.evaluate(TICKS, f"{chart} text"))
    assert not ENGLISH_MONTH.search(everything)

    page.goto(f"{live_server.url}/heatmap/dashboard/region/?period=365")
    page.wait_for_selector("#trend[data-ready='1']")
    months = page.evaluate(TICKS, "#trend g.xtick text")
    assert any(re.fullmatch(r"\S+ 20\d\d", t) and RUSSIAN_MONTH.match(t) for t in months), months  # «Март 2026»
