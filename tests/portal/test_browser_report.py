"""In the browser: a block responsible submits a report, the curator returns it with a comment, it is
resubmitted and approved."""

import pytest

from cur.roles import Role
from portal.models import Report
from ratings import periods
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


def test_a_report_is_returned_with_a_comment_resubmitted_and_approved(
    transactional_db,
    make_user,
    log_in,
    page,
    live_server,
):
    make_user(Role.BLOCK_RESPONSIBLE, username="resp")
    make_user(Role.CURATOR, username="cur")
    month = periods.previous_month()

    log_in("resp", PASSWORD)
    page.goto(f"{live_server.url}/portal/reports/")
    page.select_option("[data-testid=report-create] select[name=subject]", label="Здравоохранение")
    page.fill("[data-testid=report-create] input[name=period]", f"{month.start:%Y-%m}")
    page.click("[data-testid=report-create] button[type=submit]")
    page.fill("textarea[name=summary]", "Обращения рассмотрены в срок.")
    page.click("[data-testid=save-and-submit]")
    page.wait_for_selector("text=Отчёт направлен куратору.")
    report = Report.objects.get()
    page.click("text=Выйти")

    log_in("cur", PASSWORD)
    page.goto(f"{live_server.url}/portal/reports/{report.pk}/")
    page.fill("[data-testid=return-form] textarea[name=comment]", "Добавьте принятые меры")
    page.click("[data-testid=return-report]")
    page.wait_for_selector("text=Отчёт возвращён на доработку.")
    page.click("text=Выйти")

    log_in("resp", PASSWORD)
    page.goto(f"{live_server.url}/portal/reports/{report.pk}/edit/")
    assert "Добавьте принятые меры" in page.content()
    page.fill("textarea[name=measures]", "Проведены выездные приёмы.")
    page.click("[data-testid=save-and-submit]")
    page.wait_for_selector("text=Отчёт направлен куратору.")
    page.click("text=Выйти")

    log_in("cur", PASSWORD)
    page.goto(f"{live_server.url}/portal/reports/{report.pk}/versions/2/")
    assert page.locator("[data-testid=section-measures][data-changed]").count() == 1
    page.goto(f"{live_server.url}/portal/reports/{report.pk}/")
    page.click("[data-testid=approve-report]")
    page.wait_for_selector("text=Отчёт утверждён.")

    report.refresh_from_db()
    assert report.status == Report.Status.APPROVED and report.versions.count() == 2 and report.figures is not None
