"""The XLSX exports of the portal and the moderation center neutralise text a spreadsheet would run as
a formula (appeals, ratings and heat map exports have their own tests)."""

import datetime
import io

from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from cur.roles import Role
from moderation.models import ModerationReport
from portal.models import NARRATIVE_SECTIONS, Report
from sectors.models import SectorBlock

FORMULA = '=HYPERLINK("http://evil.example","Нажмите")'


def cells(response) -> list[str]:
    sheets = load_workbook(io.BytesIO(response.content), read_only=True).worksheets
    return [cell for sheet in sheets for row in sheet.iter_rows(values_only=True) for cell in row if cell]


def test_a_portal_report_exported_to_xlsx_carries_formulas_as_text(make_user, client_for):
    report = Report.objects.create(
        sector_block=SectorBlock.objects.get(code="health"),
        period_kind="month",
        period_start=datetime.date(2026, 10, 1),
        period_end=datetime.date(2026, 10, 31),
        narrative={code: FORMULA for code, _label in NARRATIVE_SECTIONS},
    )
    response = client_for(make_user(Role.CURATOR)).get(reverse("portal:report-xlsx", args=[report.pk]))

    assert response.status_code == 200
    values = cells(response)
    assert values.count("'" + FORMULA) == len(NARRATIVE_SECTIONS)
    assert not [v for v in values if isinstance(v, str) and v.startswith(("=", "+", "-", "@"))]


def test_a_moderation_report_exported_to_xlsx_carries_formulas_as_text(make_user, client_for):
    moderators = [{"name": FORMULA, "decided": 3, "on_time": 2}, {"name": "@SUM(A1:A9)", "decided": 1, "on_time": 1}]
    report = ModerationReport.objects.create(
        period_kind=ModerationReport.Period.values[0],
        period_start=datetime.date(2026, 11, 1),
        period_end=datetime.date(2026, 11, 1),
        figures={"messages": {"received": 4, "moderators": moderators}},
        built_at=timezone.now(),
    )
    response = client_for(make_user(Role.MODERATOR)).get(reverse("moderation:report-xlsx", args=[report.pk]))

    assert response.status_code == 200
    values = cells(response)
    assert "'" + FORMULA in values and "'@SUM(A1:A9)" in values
    assert not [v for v in values if isinstance(v, str) and v.startswith(("=", "+", "-", "@"))]
