"""A report as XLSX or PDF: the rows of `reports.report_rows`, the same as the report page shows."""

import io

from django.http import HttpResponse
from django.utils import timezone
from openpyxl import Workbook

from cur.pdf import Document
from cur.web.exports import XLSX_CONTENT_TYPE, sheet_text

from .models import ModerationReport
from .reports import report_rows

HEADERS = ["Раздел", "Показатель", "Значение"]


def filename(report: ModerationReport) -> str:
    return f"moderation-report-{report.period_kind}-{report.period_start:%Y-%m-%d}"


def _cell(value: str) -> str:
    return sheet_text(value)


def xlsx_bytes(report: ModerationReport) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Отчёт")
    sheet.append([_cell(str(report))])
    sheet.append([f"Сформирован {timezone.localtime(report.built_at):%d.%m.%Y %H:%M}"])
    sheet.append([])
    sheet.append(HEADERS)
    for row in report_rows(report.figures):
        sheet.append([_cell(v) for v in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def pdf_bytes(report: ModerationReport) -> bytes:
    """PdfUnavailable when the server has no font for it."""
    doc = Document(title=str(report))
    doc.heading(f"Центр модерации ЦУР Рязанской области. {report}")
    doc.paragraph(f"Сформирован автоматически {timezone.localtime(report.built_at):%d.%m.%Y %H:%M} (МСК).")
    doc.table(HEADERS, [list(r) for r in report_rows(report.figures)], [2, 5, 2])
    return doc.render()


def response(report: ModerationReport, fmt: str) -> HttpResponse:
    if fmt == "pdf":
        resp = HttpResponse(pdf_bytes(report), content_type="application/pdf")
    else:
        resp = HttpResponse(xlsx_bytes(report), content_type=XLSX_CONTENT_TYPE)
    resp["Content-Disposition"] = f'attachment; filename="{filename(report)}.{fmt}"'
    return resp
