"""Pages and the API: the role × page × own/foreign matrix, fixed query counts, exports that open,
garbage input that never becomes a 500, the competence center seeing approved material only."""

import io

import pandas as pd
import pytest
from django.urls import reverse

from cur.pdf import PdfUnavailable, find_font
from cur.roles import Role
from portal import services
from portal import services_plans as plans
from portal.models import Indicator, Report
from ratings import periods
from tests.factories import TerritoryFactory

from .conftest import health_topic
from .pdftext import pdf_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def reports(block_responsible, foreign_head, health, roads, curator, last_month):
    """An approved health report, a health draft and a roads draft."""
    approved = services.create_report(
        by=block_responsible, sector_block=health, period_kind="month", period_start=last_month.start
    )
    services.update_report_text(approved, by=block_responsible, narrative={"summary": "Итоги месяца здравоохранения"})
    services.submit_report(approved, by=block_responsible)
    services.approve_report(approved, by=curator)
    earlier = periods.previous_month(last_month.start)
    draft = services.create_report(
        by=block_responsible, sector_block=health, period_kind="month", period_start=earlier.start
    )
    foreign = services.create_report(
        by=foreign_head, sector_block=roads, period_kind="month", period_start=last_month.start
    )
    return {"approved": approved, "draft": draft, "foreign": foreign}


PAGES = [
    "portal:report-list",
    "portal:indicator-dashboard",
    "portal:indicator-list",
    "portal:roadmap-list",
    "portal:practice-list",
    "portal:training-list",
]


@pytest.mark.parametrize("role", [r for r in Role if r != Role.COMPETENCE_CENTER])
def test_every_staff_role_opens_the_portal_pages(role, make_user, client_for, reports):
    client = client_for(make_user(role))
    for name in PAGES:
        assert client.get(reverse(name)).status_code == 200, name


def test_the_competence_center_has_no_pages(competence_center, client_for):
    assert client_for(competence_center).get(reverse("portal:report-list")).status_code == 403


@pytest.mark.parametrize(
    ("who", "own", "foreign", "approved"),
    [
        ("block_responsible", 200, 404, 200),
        ("foreign_head", 404, 200, 404),
        ("curator", 200, 200, 200),
        ("executive", 200, 200, 200),
        ("operator", 404, 404, 200),
    ],
)
def test_a_report_page_is_open_to_its_block_and_the_region_roles(
    who, own, foreign, approved, request, make_user, client_for, reports
):
    user = request.getfixturevalue(who) if who != "operator" else make_user(Role.OPERATOR)
    client = client_for(user)
    assert client.get(reverse("portal:report-detail", args=[reports["draft"].pk])).status_code == own
    assert client.get(reverse("portal:report-detail", args=[reports["foreign"].pk])).status_code == foreign
    assert client.get(reverse("portal:report-detail", args=[reports["approved"].pk])).status_code == approved


def test_the_report_list_has_a_fixed_number_of_queries(
    curator, client_for, reports, django_assert_num_queries, block_responsible, health
):
    client = client_for(curator)
    client.get(reverse("portal:report-list"))
    with django_assert_num_queries(5) as first:
        client.get(reverse("portal:report-list"))
    for start in periods.last_full_months(6, reports["draft"].period_start):
        services.create_report(by=block_responsible, sector_block=health, period_kind="month", period_start=start.start)
    with django_assert_num_queries(len(first.captured_queries)):
        client.get(reverse("portal:report-list"))


def test_the_curator_approves_and_returns_through_the_pages(reports, block_responsible, curator, client_for):
    draft = reports["draft"]
    author = client_for(block_responsible)
    author.post(reverse("portal:report-edit", args=[draft.pk]), {"summary": "Текст", "submit": "1"})
    draft.refresh_from_db()
    assert draft.status == Report.Status.SUBMITTED

    page = client_for(curator).post(reverse("portal:report-return", args=[draft.pk]), {"comment": ""}, follow=True)
    assert "Укажите, что нужно доработать" in page.content.decode()
    client_for(curator).post(reverse("portal:report-return", args=[draft.pk]), {"comment": "Подробнее"})
    draft.refresh_from_db()
    assert draft.status == Report.Status.RETURNED


def test_a_version_page_highlights_changed_sections(reports, block_responsible, curator, client_for):
    draft = reports["draft"]
    services.update_report_text(draft, by=block_responsible, narrative={"summary": "Первый", "plans": "План"})
    services.submit_report(draft, by=block_responsible)
    services.return_report(draft, by=curator, comment="Ещё")
    services.update_report_text(draft, by=block_responsible, narrative={"summary": "Второй"})
    services.submit_report(draft, by=block_responsible)

    html = client_for(curator).get(reverse("portal:report-diff", args=[draft.pk, 2])).content.decode()

    assert 'data-testid="section-summary" data-changed="1"' in html
    assert 'data-testid="section-plans" data-changed' not in html
    assert "<ins>+ Второй</ins>" in html and "<del>− Первый</del>" in html


def test_exports_open_xlsx_in_pandas_and_pdf_text_extractable(reports, curator, client_for):
    client = client_for(curator)
    report = reports["approved"]
    xlsx = client.get(reverse("portal:report-xlsx", args=[report.pk]))
    sheets = pd.read_excel(io.BytesIO(xlsx.content), sheet_name=None, header=None, engine="openpyxl")
    assert "Поступило обращений" in sheets["Отчёт"].astype(str).to_numpy().ravel().tolist()
    assert "Итоги месяца здравоохранения" in sheets["Разделы"].astype(str).to_numpy().ravel().tolist()
    try:
        find_font()
    except PdfUnavailable:
        pytest.skip("Нет шрифта DejaVu Sans (fonts-dejavu-core).")
    pdf = client.get(reverse("portal:report-pdf", args=[report.pk]))
    text = pdf_text(pdf.content)
    assert pdf["Content-Type"] == "application/pdf"
    assert "Итоги месяца здравоохранения" in text and "Поступило обращений" in text and "Утверждён" in text


@pytest.mark.parametrize(
    ("url", "data"),
    [
        ("portal:report-create", {"subject": "999999", "period": "2026-13"}),
        ("portal:report-create", {"subject": "summary", "period": "junk"}),
        ("portal:indicator-create", {"code": "!!", "source": "nope"}),
        ("portal:roadmap-create", {"title": "", "starts_on": "31.02.2026"}),
        ("portal:training-list", {"title": "x", "starts_on": "02.01.2026", "ends_on": "01.01.2026", "kind": "seminar"}),
        ("portal:practice-list", {"title": "x", "organisation": "abc"}),
    ],
)
def test_garbage_input_is_refused_without_a_500(url, data, executive, client_for):
    response = client_for(executive).post(reverse(url), data)
    assert response.status_code in (200, 302)


def test_garbage_ids_are_404(curator, client_for):
    client = client_for(curator)
    assert client.get("/portal/reports/99999999999999999999/").status_code == 404
    assert client.get(reverse("portal:report-diff", args=[1, 5])).status_code == 404
    assert client.post(reverse("portal:roadmap-measure-update", args=[123456]), {"status": "done"}).status_code == 404


def test_the_competence_center_api_serves_approved_material_only(
    reports, competence_center, api_client_for, curator, block_head, person
):
    indicator = plans.create_indicator(
        by=curator,
        kind=Indicator.Kind.BASIC,
        code="on_time",
        name="В срок",
        unit="%",
        source=Indicator.Source.ON_TIME,
        sector_block=None,
    )
    plans.set_indicator_value(
        indicator, by=curator, period_kind="month", period_start=reports["approved"].period_start, target=90
    )
    plans.propose_indicator(
        by=block_head.__class__.objects.get(username="block_responsible-user"),
        code="visits",
        name="Выезды",
        unit="шт.",
        source="manual",
        sector_block=reports["draft"].sector_block,
    )
    draft_roadmap = plans.create_roadmap(
        by=block_head, title="Черновая", topic=health_topic(), territory=TerritoryFactory(), starts_on=periods.today()
    )
    api = api_client_for(competence_center)

    listed = api.get("/api/v1/portal/reports/").json()
    assert [r["id"] for r in listed["results"]] == [reports["approved"].pk]
    assert listed["results"][0]["figures"]["totals"]["received"] == 0
    assert api.get(f"/api/v1/portal/reports/{reports['draft'].pk}/").status_code == 404
    indicators = api.get("/api/v1/portal/indicators/").json()["results"]
    assert [i["code"] for i in indicators] == ["on_time"]
    assert indicators[0]["values"][0]["target"] == "90.00"
    assert api.get("/api/v1/portal/roadmaps/").json()["results"] == []
    assert api.get(f"/api/v1/portal/roadmaps/{draft_roadmap.pk}/").status_code == 404
    assert api.post("/api/v1/portal/reports/", {}).status_code == 403


def test_the_api_lists_have_a_fixed_number_of_queries(
    reports, curator, api_client_for, django_assert_num_queries, block_head, person
):
    api = api_client_for(curator)
    for n in range(3):
        roadmap = plans.create_roadmap(
            by=block_head,
            title=f"Карта {n}",
            topic=health_topic(),
            territory=TerritoryFactory(),
            starts_on=periods.today(),
        )
        plans.add_measure(roadmap, by=block_head, title="Мера", responsible=person, due_date=periods.today())
    with django_assert_num_queries(2):
        api.get("/api/v1/portal/reports/")
    with django_assert_num_queries(3):
        api.get("/api/v1/portal/roadmaps/")
