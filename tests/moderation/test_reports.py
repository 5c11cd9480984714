"""Automated reports: the figures a report freezes equal the selectors' for its period; the beat builds each
period once; the reports are viewable and export to XLSX and PDF."""

import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from cur.pdf import PdfUnavailable, find_font
from informing import services as informing
from moderation import reports, selectors, services
from moderation.models import IncomingMessage, ModerationReport
from tests.factories import OrganisationFactory
from tests.moderation.factories import MessageFactory
from tests.portal.pdftext import pdf_text

S = IncomingMessage.Status
pytestmark = pytest.mark.django_db


@pytest.fixture
def activity(moderator):
    """Today: messages decided on time and late, an event worked off with a recommendation done."""
    on_time, late, waiting = MessageFactory(), MessageFactory(), MessageFactory()
    services.decide_message(on_time, decision=S.NOISE, by=moderator)
    IncomingMessage.objects.filter(pk=late.pk).update(due_at=timezone.now() - datetime.timedelta(minutes=1))
    late.refresh_from_db()
    services.decide_message(late, decision=S.APPEAL, by=moderator)
    event = informing.create_event(by=moderator, title="Повод дня", essence="Суть")
    informing.start_analysis(event, by=moderator)
    rec = informing.issue_recommendation(
        event,
        by=moderator,
        organisation=OrganisationFactory(),
        text="Опубликовать",
        due_at=timezone.now() + datetime.timedelta(hours=3),
    )
    informing.complete_recommendation(rec, by=moderator, response="Опубликовано")
    informing.mark_worked_off(event, by=moderator)
    return waiting


def test_a_reports_figures_equal_the_selectors_for_its_period(activity, moderator):
    today = timezone.localdate()

    report = reports.build_report(reports.period_of("day", today), by=moderator)

    start, end = selectors.day_bounds(today, today)
    assert report.figures == selectors.period_figures(start, end)
    messages = report.figures["messages"]
    assert messages["received"] == 3 and messages["decided"] == 2
    assert messages["decisions"] == {"noise": 1, "appeal": 1}
    assert messages["decision"]["on_time_pct"] == 50.0
    assert messages["moderators"][0]["decided"] == 2
    events = report.figures["events"]
    assert events["events_detected"] == 1 and events["worked_off"]["count"] == 1
    assert events["worked_off"]["on_time_pct"] == 100.0 and events["recommendations_done"] == 1


def test_the_beat_builds_the_previous_day_week_and_month_once():
    today = datetime.date(2026, 3, 4)  # a Wednesday

    built = reports.build_due_reports(today)
    again = reports.build_due_reports(today)

    assert {(r.period_kind, r.period_start, r.period_end) for r in built} == {
        ("day", datetime.date(2026, 3, 3), datetime.date(2026, 3, 3)),
        ("week", datetime.date(2026, 2, 23), datetime.date(2026, 3, 1)),
        ("month", datetime.date(2026, 2, 1), datetime.date(2026, 2, 28)),
    }
    assert again == [] and ModerationReport.objects.count() == 3


def test_a_rebuild_replaces_the_figures_of_the_same_report(activity, moderator):
    period = reports.period_of("week", timezone.localdate())
    first = reports.build_report(period)
    services.decide_message(activity, decision=S.NOISE, by=moderator)

    second = reports.build_report(period, by=moderator)

    assert first.pk == second.pk and ModerationReport.objects.count() == 1
    assert second.figures["messages"]["decided"] == 3


def test_report_rows_read_in_russian(activity):
    report = reports.build_report(reports.period_of("day", timezone.localdate()))

    rows = {label: value for _, label, value in reports.report_rows(report.figures)}

    assert rows["Поступило сообщений"] == "3"
    assert rows["Решено в срок"] == "50,0 %"
    assert rows["— обращение"] == "1"


def test_a_report_is_viewed_and_exported_as_xlsx_and_pdf(activity, curator, client_for):
    report = reports.build_report(reports.period_of("day", timezone.localdate()))
    client = client_for(curator)

    page = client.get(reverse("moderation:report-detail", args=[report.pk]))
    xlsx = client.get(reverse("moderation:report-xlsx", args=[report.pk]))

    assert page.status_code == 200 and "Поступило сообщений" in page.content.decode()
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    values = [row for row in sheet.iter_rows(values_only=True) if row and row[0] == "Сообщения"]
    assert ("Сообщения", "Поступило сообщений", "3") in values
    try:
        find_font()
    except PdfUnavailable:
        pytest.skip("Нет шрифта DejaVu/Liberation: PDF на этой машине не строится (пакет fonts-dejavu-core).")
    pdf = client.get(reverse("moderation:report-pdf", args=[report.pk]))
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF-1.") and pdf.content.rstrip().endswith(b"%%EOF")
    # The font is embedded; the ToUnicode map makes the text extractable.
    assert b"/ToUnicode" in pdf.content and b"/FontFile2" in pdf.content
    assert "Поступило сообщений" in pdf_text(pdf.content)


def test_without_a_font_the_pdf_link_explains_and_offers_xlsx(activity, curator, client_for, settings, monkeypatch):
    from cur import pdf

    report = reports.build_report(reports.period_of("day", timezone.localdate()))
    monkeypatch.setattr(pdf, "FONT_CANDIDATES", ())
    settings.REPORT_PDF_FONT = "/nonexistent.ttf"

    response = client_for(curator).get(reverse("moderation:report-pdf", args=[report.pk]), follow=True)

    assert "PDF недоступен" in response.content.decode()


def test_the_report_api_lists_and_builds(activity, moderator, curator, api_client_for):
    built = api_client_for(moderator).post(
        "/api/v1/moderation-reports/build/", {"period_kind": "day", "day": str(timezone.localdate())}, format="json"
    )
    listed = api_client_for(curator).get("/api/v1/moderation-reports/").json()

    assert built.status_code == 201
    assert listed["results"][0]["figures"]["messages"]["received"] == 3
    future = str(timezone.localdate() + datetime.timedelta(days=3))
    assert (
        api_client_for(moderator)
        .post("/api/v1/moderation-reports/build/", {"period_kind": "day", "day": future}, format="json")
        .status_code
        == 409
    )
    assert (
        api_client_for(curator)
        .post("/api/v1/moderation-reports/build/", {"period_kind": "day", "day": "2026-01-01"}, format="json")
        .status_code
        == 403
    )
