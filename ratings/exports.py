"""CSV and XLSX of a rating table: the rows the page shows (same filters and order), every indicator
with its numerator and denominator. Text that a spreadsheet would run as a formula is neutralised
(subject names come from the directory, which anyone with directory rights can edit)."""

import csv
import io
from collections.abc import Iterator
from typing import Any

from django.http import HttpResponse
from openpyxl import Workbook

from cur.web.exports import CSV_DELIMITER, XLSX_CONTENT_TYPE, sheet_text

from . import indicators
from .models import RatingRun
from .selectors import Row

NOT_ENOUGH = "недостаточно данных"


def headers(run: RatingRun) -> list[str]:
    columns = ["Место", "Субъект", "Код субъекта", "Балл", "Изменение места", "Изменение балла"]
    for spec in indicators.SPECS:
        columns += [spec.name, f"{spec.name}: числитель", f"{spec.name}: знаменатель"]
    return columns


def rows(run: RatingRun, table: list[Row]) -> Iterator[list[Any]]:
    for row in table:
        entry = row.entry
        values = [
            entry.rank if entry.rank is not None else NOT_ENOUGH if not entry.has_enough_data else "",
            entry.subject_name,
            entry.subject_id,
            float(entry.score) if entry.score is not None else None,
            row.rank_change,
            float(row.score_change) if row.score_change is not None else None,
        ]
        for code in indicators.CODES:
            item = entry.values.get(code, {})
            values += [item.get("value"), item.get("numerator"), item.get("denominator")]
        yield values


def _text(value: Any) -> Any:
    return sheet_text(value) if isinstance(value, str) else value


def csv_response(run: RatingRun, table: list[Row], *, filename: str) -> HttpResponse:
    """UTF-8 with BOM, «;»-separated, decimal comma as a Russian Excel expects."""
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer, delimiter=CSV_DELIMITER)
    writer.writerow([_text(h) for h in headers(run)])
    for values in rows(run, table):
        writer.writerow(["" if v is None else str(v).replace(".", ",") if isinstance(v, float) else _text(v)
                         for v in values])  # fmt: skip
    response = HttpResponse(buffer.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


def xlsx_response(run: RatingRun, table: list[Row], *, filename: str) -> HttpResponse:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Рейтинг")
    sheet.append([_text(f"{run} (методика, версия {run.methodology.version})")])
    sheet.append([_text(h) for h in headers(run)])
    for values in rows(run, table):
        sheet.append([_text(v) for v in values])
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    return response
