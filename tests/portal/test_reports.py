"""Reports: draft → submitted → approved / returned; who may do what; every submission a version; the
approved report frozen; figures equal to the selectors'; notifications at each step."""

import datetime

import pytest

from cur.errors import DomainError, NotPermitted
from cur.models import AuditEvent, Notification
from portal import figures, selectors, services
from portal.models import Report, ReportVersion

from .conftest import appeal_in

pytestmark = pytest.mark.django_db
S = Report.Status


@pytest.fixture
def draft(block_responsible, health, last_month):
    report = services.create_report(
        by=block_responsible, sector_block=health, period_kind="month", period_start=last_month.start
    )
    return services.update_report_text(report, by=block_responsible, narrative={"summary": "Работа шла.\nВсё хорошо."})


def test_a_block_responsible_submits_and_the_curator_is_notified(draft, block_responsible, curator):
    version = services.submit_report(draft, by=block_responsible)

    draft.refresh_from_db()
    assert draft.status == S.SUBMITTED and version.number == 1
    assert version.narrative["summary"].startswith("Работа шла")
    assert Notification.objects.filter(user=curator, title__startswith="Отчёт на утверждение").count() == 1
    assert AuditEvent.objects.filter(action="report.submit", object_id=str(draft.pk)).exists()


def test_the_curator_returns_with_a_comment_and_the_author_resubmits_a_second_version(
    draft, block_responsible, curator
):
    services.submit_report(draft, by=block_responsible)
    services.return_report(draft, by=curator, comment="Добавьте меры")
    services.update_report_text(draft, by=block_responsible, narrative={"summary": "Работа шла.\nМеры приняты."})
    second = services.submit_report(draft, by=block_responsible)

    first = draft.versions.get(number=1)
    assert first.decision == ReportVersion.Decision.RETURNED and first.comment == "Добавьте меры"
    assert second.number == 2
    assert Notification.objects.filter(user=block_responsible, title__startswith="Отчёт возвращён").exists()
    diff = selectors.version_diff(first, second)
    changed = {s.code: s for s in diff["sections"]}
    assert changed["summary"].changed and not changed["plans"].changed
    assert ("+", "Меры приняты.") in changed["summary"].lines and ("-", "Всё хорошо.") in changed["summary"].lines


def test_returning_needs_a_comment(draft, block_responsible, curator):
    services.submit_report(draft, by=block_responsible)
    with pytest.raises(DomainError, match="доработать"):
        services.return_report(draft, by=curator, comment="  ")


def test_a_block_head_cannot_approve(draft, block_responsible, block_head):
    services.submit_report(draft, by=block_responsible)
    with pytest.raises(NotPermitted):
        services.approve_report(draft, by=block_head)


def test_a_curator_cannot_edit_a_submitted_reports_text(draft, block_responsible, curator):
    services.submit_report(draft, by=block_responsible)
    with pytest.raises(NotPermitted):
        services.update_report_text(draft, by=curator, narrative={"summary": "Иначе"})


def test_the_author_cannot_edit_a_submitted_report(draft, block_responsible):
    services.submit_report(draft, by=block_responsible)
    with pytest.raises(DomainError, match="На утверждении"):
        services.update_report_text(draft, by=block_responsible, narrative={"summary": "Иначе"})


def test_a_foreign_block_head_cannot_write_or_create(draft, foreign_head, health, last_month):
    with pytest.raises(NotPermitted):
        services.update_report_text(draft, by=foreign_head, narrative={"summary": "Чужой"})
    with pytest.raises(NotPermitted):
        services.create_report(by=foreign_head, sector_block=health, period_kind="month", period_start=last_month.start)


def test_an_empty_report_cannot_be_submitted(block_head, health, last_month):
    report = services.create_report(
        by=block_head, sector_block=health, period_kind="month", period_start=last_month.start
    )
    with pytest.raises(DomainError, match="Общая характеристика"):
        services.submit_report(report, by=block_head)


def test_one_report_per_block_and_period_and_no_future_or_odd_periods(draft, block_head, health, last_month):
    with pytest.raises(DomainError, match="уже есть"):
        services.create_report(by=block_head, sector_block=health, period_kind="month", period_start=last_month.start)
    with pytest.raises(DomainError, match="будущий"):
        services.create_report(
            by=block_head,
            sector_block=health,
            period_kind="month",
            period_start=(last_month.end + datetime.timedelta(days=40)).replace(day=1),
        )
    with pytest.raises(DomainError, match="месяц или квартал"):
        services.create_report(
            by=block_head, sector_block=health, period_kind="quarter", period_start=datetime.date(2026, 2, 1)
        )


def test_only_approved_or_decided_transitions(draft, block_responsible, curator):
    with pytest.raises(DomainError, match="Черновик"):
        services.approve_report(draft, by=curator)
    services.submit_report(draft, by=block_responsible)
    services.approve_report(draft, by=curator)
    for act in (
        lambda: services.approve_report(draft, by=curator),
        lambda: services.return_report(draft, by=curator, comment="x"),
        lambda: services.submit_report(draft, by=block_responsible),
    ):
        with pytest.raises(DomainError):
            act()


def test_report_figures_equal_the_selectors_figures_for_the_period(
    month_data, draft, block_responsible, curator, health
):
    services.submit_report(draft, by=block_responsible)
    report = services.approve_report(draft, by=curator)

    expected = figures.period_figures([health.pk], month_data.start, month_data.end)
    assert report.figures == expected
    totals = report.figures["totals"]
    assert totals["received"] == 4 and totals["answered"] == 3 and totals["answered_on_time"] == 2
    assert totals["on_time_share"] == 66.7 and totals["on_merits_share"] == 66.7
    assert totals["satisfied_share"] == 50.0 and totals["open"] == 1
    assert sum(n for _, n in report.figures["daily"]) == 4


def test_an_approved_report_is_frozen_when_the_data_changes(month_data, draft, block_responsible, curator, health):
    services.submit_report(draft, by=block_responsible)
    services.approve_report(draft, by=curator)
    appeal_in(health, month_data.start + datetime.timedelta(days=5))
    appeal_in(health, month_data.start + datetime.timedelta(days=6))

    report = Report.objects.get(pk=draft.pk)
    assert selectors.report_figures(report)["totals"]["received"] == 4
    assert figures.period_figures([health.pk], month_data.start, month_data.end)["totals"]["received"] == 6
    assert Notification.objects.filter(user=block_responsible, title__startswith="Отчёт утверждён").count() == 1


def test_the_summary_report_is_the_executives_and_covers_every_block(month_data, executive, block_head, curator):
    with pytest.raises(NotPermitted):
        services.create_report(by=block_head, sector_block=None, period_kind="month", period_start=month_data.start)
    report = services.create_report(by=executive, sector_block=None, period_kind="month", period_start=month_data.start)
    services.update_report_text(report, by=executive, narrative={"summary": "Свод"})
    services.submit_report(report, by=executive)
    services.approve_report(report, by=curator)

    report.refresh_from_db()
    blocks = {b["code"]: b for b in report.figures["blocks"]}
    assert report.figures["totals"]["received"] == 5
    assert blocks["health"]["received"] == 4 and blocks["roads"]["received"] == 1
    assert len(blocks) >= 14


def test_unknown_or_huge_sections_are_refused(draft, block_responsible):
    with pytest.raises(DomainError, match="Неизвестный раздел"):
        services.update_report_text(draft, by=block_responsible, narrative={"hack": "x"})
    with pytest.raises(DomainError, match="длиннее"):
        services.update_report_text(draft, by=block_responsible, narrative={"summary": "я" * 20001})
