"""A report as XLSX or PDF: the same sections as its page (the frozen figures once it is approved)."""

import io

from django.http import HttpResponse
from openpyxl import Workbook

from cur.pdf import Document
from cur.web.exports import XLSX_CONTENT_TYPE, sheet_text

from .figures import fmt, summary_rows
from .models import NARRATIVE_SECTIONS, Report
from .selectors import report_figures


def _cell(value) -> str:
    return sheet_text(str(value))


def _status_line(report: Report) -> str:
    line = f"Статус: {report.get_status_display()}"
    if report.approved_at:
        line += f", утверждён {report.approved_at:%d.%m.%Y}"
    return line


def _tables(figures: dict) -> list[tuple[str, list[str], list[list[str]]]]:
    tables = [("Обращения за период", ["Показатель", "Значение"], [list(r) for r in summary_rows(figures)])]
    if figures.get("blocks"):
        tables.append(
            (
                "По отраслевым блокам",
                ["Блок", "Поступило", "Дан ответ", "Просрочено", "В срок, %", "По существу, %"],
                [
                    [
                        b["name"],
                        fmt(b["received"]),
                        fmt(b["answered"]),
                        fmt(b["overdue"]),
                        fmt(b["on_time_share"]),
                        fmt(b["on_merits_share"]),
                    ]
                    for b in figures["blocks"]
                ],
            )
        )
    tables.append(
        (
            "Основные проблемы (тема × территория)",
            ["Тема", "Территория", "Обращений"],
            [[p["topic"], p["territory"], fmt(p["appeals"])] for p in figures.get("top_problems", [])],
        )
    )
    tables.append(
        (
            "Проблемные точки",
            ["Тема", "Территория", "Статус", "Обращений в окне"],
            [[p["topic"], p["territory"], p["status"], fmt(p["observed"])] for p in figures.get("problem_points", [])],
        )
    )
    rating = figures.get("rating")
    if rating:
        tables.append(
            (
                f"Рейтинг организаций ({rating['period']})",
                ["Место", "Организация", "Балл", "Обращений"],
                [[fmt(e["rank"]), e["name"], fmt(e["score"]), fmt(e["received"])] for e in rating["entries"]],
            )
        )
    return tables


def xlsx_bytes(report: Report) -> bytes:
    figures = report_figures(report)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Отчёт")
    sheet.append([_cell(report)])
    sheet.append([_status_line(report)])
    for title, headers, rows in _tables(figures):
        sheet.append([])
        sheet.append([_cell(title)])
        sheet.append(headers)
        for row in rows:
            sheet.append([_cell(v) for v in row])
    text = workbook.create_sheet("Разделы")
    text.append(["Раздел", "Текст"])
    for code, label in NARRATIVE_SECTIONS:
        text.append([label, _cell(report.narrative.get(code, ""))])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def pdf_bytes(report: Report) -> bytes:
    """PdfUnavailable when the server has no font for it."""
    figures = report_figures(report)
    doc = Document(title=str(report))
    doc.heading(f"Отчёт. {report}")
    doc.paragraph(_status_line(report))
    for code, label in NARRATIVE_SECTIONS:
        doc.heading(label, size=12)
        doc.paragraph(report.narrative.get(code) or "—")
    for title, headers, rows in _tables(figures):
        doc.heading(title, size=12)
        if rows:
            doc.table(headers, rows, [3] + [1] * (len(headers) - 1))
        else:
            doc.paragraph("Нет данных.")
    return doc.render()


def response(report: Report, fmt_: str) -> HttpResponse:
    if fmt_ == "pdf":
        resp = HttpResponse(pdf_bytes(report), content_type="application/pdf")
    else:
        resp = HttpResponse(xlsx_bytes(report), content_type=XLSX_CONTENT_TYPE)
    resp["Content-Disposition"] = f'attachment; filename="report-{report.pk}-{report.period_start:%Y-%m}.{fmt_}"'
    return resp
