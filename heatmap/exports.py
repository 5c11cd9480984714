"""CSV and XLSX of «Перечень региональных проблем» and of the priorities proposal. Text a spreadsheet would
run as a formula is neutralised (names and comments are typed by people), as in the appeals exports."""

import csv
import datetime
import io
from collections.abc import Iterable, Sequence
from typing import Any

from django.http import HttpResponse
from django.utils import timezone
from openpyxl import Workbook

from cur.web.exports import CSV_DELIMITER, XLSX_CONTENT_TYPE, sheet_text

from .models import ProblemPoint
from .reports import PriorityRow


def _text(value: Any) -> Any:
    if isinstance(value, str):
        return sheet_text(value)
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).replace(tzinfo=None)
    return value


def _csv_cell(value: Any) -> str:
    value = _text(value)
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.4g}".replace(".", ",")
    if isinstance(value, datetime.datetime):
        return value.strftime("%d.%m.%Y %H:%M")
    if isinstance(value, datetime.date):
        return value.strftime("%d.%m.%Y")
    return str(value)


def respond(fmt: str, headers: Sequence[str], rows: Iterable[Sequence[Any]], *, filename: str, title: str):
    """The table as CSV (UTF-8 with BOM, «;», as a Russian Excel opens it) or XLSX."""
    if fmt == "csv":
        buffer = io.StringIO()
        buffer.write("\ufeff")
        writer = csv.writer(buffer, delimiter=CSV_DELIMITER)
        writer.writerow([_csv_cell(h) for h in headers])
        for row in rows:
            writer.writerow([_csv_cell(v) for v in row])
        response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
        return response
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title[:31])
    sheet.append([_text(h) for h in headers])
    for row in rows:
        sheet.append([_text(v) for v in row])
    out = io.BytesIO()
    book.save(out)
    response = HttpResponse(out.getvalue(), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    return response


PROBLEM_HEADERS = ["№", "Территория", "Отраслевой блок", "Тема", "Вид", "Статус", "Обращений в окне", "Ожидалось",
                   "Окно с", "Окно по", "Почему отмечена", "Подтвердил", "Подтверждена", "Дорожная карта",
                   "Комментарий"]  # fmt: skip


def problem_rows(points: Iterable[ProblemPoint]) -> Iterable[list[Any]]:
    for number, p in enumerate(points, start=1):
        yield [number, p.territory.name, p.sector_block.name if p.sector_block else "", p.topic.name,
               p.get_kind_display(), p.get_status_display(), p.observed, p.expected, p.window_start, p.window_end,
               p.explanation, str(p.confirmed_by) if p.confirmed_by else "", p.confirmed_at, p.roadmap_note,
               p.comment]  # fmt: skip


PRIORITY_HEADERS = [
    "Место", "Территория", "Тема", "Балл", "Обращений", "В прошлом периоде", "Рост, %", "Просрочено, %",
    "Не удовлетворены, %", "Почему предлагается", "Уже проводились опросы",
]  # fmt: skip


def _percent(value: float | None):
    return round(100 * value, 1) if value is not None else None


def priority_rows(rows: Iterable[PriorityRow]) -> Iterable[list[Any]]:
    for r in rows:
        p = r.priority
        held = "; ".join(f"{x.get_kind_display()} «{x.title}» ({x.held_on:%d.%m.%Y})" for x in r.polls)
        yield [p.rank, r.place.name if r.place else "", r.topic.name, p.score, p.stats.received,
               p.stats.previous, _percent(p.growth), _percent(p.overdue_share), _percent(p.dissatisfied_share),
               "; ".join(p.reasons), held]  # fmt: skip
