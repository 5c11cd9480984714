"""In Chromium: the main pages run under the Content-Security-Policy without a single violation
(no inline script or style anywhere), and their plotly charts still draw."""

import pytest
from django.core.management import call_command

from appeals.models import Appeal
from cur.demo.users import demo_password
from informing.models import AudiencePoint
from portal.models import Report, Roadmap
from ratings.models import RatingEntry, RatingRun

pytestmark = pytest.mark.browser

# Records every violation the page reports, before any of its own scripts run.
LISTEN = """window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (e) => window.__cspViolations.push(
  `${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber} ${e.sample}`));"""
CHARTS = "[data-plotly], [data-figure]"


def visit(page, url: str, *, charts: int = 0) -> None:
    console = []
    page.on("console", lambda message: console.append(message.text) if message.type == "error" else None)
    response = page.goto(url)
    assert response.status == 200, url
    if charts:
        # A function, not an expression string: Playwright would eval() a string, which the CSP blocks.
        page.wait_for_function(
            "([selector, n]) => document.querySelectorAll(selector).length >= n"
            " && [...document.querySelectorAll(selector)].every((el) => el.dataset.ready === '1')",
            arg=[CHARTS, charts],
        )
        drawn = page.eval_on_selector_all(CHARTS, "els => els.map(el => el.querySelectorAll('svg.main-svg').length)")
        assert all(drawn) and len(drawn) >= charts, (url, drawn)
        page.hover(f"{CHARTS} >> nth=0")  # hover labels and the mode bar are drawn on demand
    page.wait_for_timeout(200)
    assert page.evaluate("window.__cspViolations") == [], url
    assert [text for text in console if "Content Security Policy" in text] == [], url


def test_the_main_pages_run_under_the_csp_and_draw_their_charts(transactional_db, page, live_server, log_in):
    call_command("seed_demo", force=True, appeals=300, verbosity=0)
    page.context.add_init_script(LISTEN)
    base = live_server.url
    appeal = Appeal.objects.order_by("pk").first()
    entry = RatingEntry.objects.filter(run__status=RatingRun.Status.DONE).order_by("pk").first()
    report = next(r for r in Report.objects.exclude(figures=None).order_by("pk") if r.figures.get("daily"))
    event_id = AudiencePoint.objects.values_list("event_id", flat=True).first()
    roadmap = Roadmap.objects.order_by("pk").first()

    log_in("admin", demo_password("admin"))
    visit(page, f"{base}/appeals/queue/")
    visit(page, f"{base}/appeals/{appeal.pk}/")
    visit(page, f"{base}/heatmap/map/", charts=3)
    visit(page, f"{base}/heatmap/dashboard/region/", charts=2)
    visit(page, f"{base}/ratings/runs/{entry.run_id}/")
    visit(page, f"{base}/ratings/runs/{entry.run_id}/subjects/{entry.subject_id}/", charts=1)
    visit(page, f"{base}/portal/reports/{report.pk}/", charts=1)
    visit(page, f"{base}/portal/roadmaps/{roadmap.pk}/", charts=1)
    visit(page, f"{base}/informing/events/{event_id}/", charts=1)

    page.click("text=Выйти")
    log_in("moderator", demo_password("moderator"))
    visit(page, f"{base}/moderation/")
    visit(page, f"{base}/moderation/dashboard/", charts=1)

    page.click("text=Выйти")
    log_in("block_head", demo_password("block_head"))
    visit(page, f"{base}/heatmap/dashboard/block/", charts=1)
    visit(page, f"{base}/api/docs/")  # Swagger UI, from our static files
