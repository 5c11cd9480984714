"""CSV and XLSX exports of the appeal lists (`ExportView` of `views.lists`).

The caller passes an already scoped and filtered queryset (the same one its page shows);
this module only caps, masks and writes it. Applicant columns are masked unless the user
may see personal data (DESIGN §7). Every text cell that a spreadsheet would read as a
formula is neutralised with a leading apostrophe (CSV/formula injection).
"""

import csv
import datetime
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.http import HttpResponse, QueryDict, StreamingHttpResponse
from django.utils import timezone
from openpyxl import Workbook

from cur.models import AuditEvent
from cur.roles import can
from cur.web.exports import CSV_DELIMITER, XLSX_CONTENT_TYPE, Echo, neutralise, sheet_text

from .. import selectors
from ..models import Appeal
from ..privacy import access_log, retention

EXPORT_LIMIT = 100_000
CHUNK_SIZE = 2_000


@dataclass(frozen=True)
class Column:
    header: str
    value: Callable[[Appeal], Any]
    personal: bool = False  # applicant's personal data: masked without appeals.personal_data


def _name(obj) -> str:
    return str(obj) if obj is not None else ""


def _days_left(appeal: Appeal):
    return selectors.days_left(appeal) if appeal.is_open else None


COLUMNS: tuple[Column, ...] = (
    Column("Номер", lambda a: a.number),
    Column("Статус", lambda a: a.get_status_display()),
    Column("Канал", lambda a: a.get_channel_display()),
    Column("Идентификатор в источнике", lambda a: a.external_id),
    Column("Поступило", lambda a: a.received_at),
    Column("Зарегистрировано", lambda a: a.registered_at),
    Column("Отраслевой блок", lambda a: _name(a.sector_block)),
    Column("Тема", lambda a: _name(a.topic)),
    Column("Территория", lambda a: _name(a.territory)),
    Column("Исполнитель", lambda a: _name(a.organisation)),
    Column("Срок ответа", lambda a: a.due_at),
    Column("Дней до срока", _days_left),
    Column("Просрочено", lambda a: "да" if a.overdue_at else ""),
    Column("Дан ответ", lambda a: a.answered_at),
    Column("Качество ответа", lambda a: a.get_answer_quality_display() if a.answer_quality else ""),
    Column("Оценка заявителя", lambda a: a.satisfaction),
    Column("Закрыто", lambda a: a.closed_at),
    Column("Инцидент", lambda a: _name(a.incident)),
    Column("Адрес проблемы", lambda a: a.address),
    Column("Текст обращения", lambda a: a.text),
    Column("Ответ", lambda a: a.answer_text),
    Column("ФИО заявителя", lambda a: a.applicant_name, personal=True),
    Column("Телефон заявителя", lambda a: a.applicant_phone, personal=True),
    Column("E-mail заявителя", lambda a: a.applicant_email, personal=True),
    Column("Почтовый адрес заявителя", lambda a: a.applicant_address, personal=True),
    Column("Юридическое лицо", lambda a: "да" if a.applicant_is_legal else ""),
    Column("Наименование юридического лица", lambda a: a.applicant_legal_name, personal=True),
)
HEADERS = [column.header for column in COLUMNS]


def start_log(user, fmt: str, filters: QueryDict | dict | None) -> AuditEvent | None:
    """An unmasked export goes into the personal-data access log; called within the request (its IP)."""
    if not can(user, "appeals.personal_data"):
        return None
    return access_log.start_export_log(user, fmt=fmt, filters=filters or {})


def rows(queryset: QuerySet[Appeal], user, log: AuditEvent | None = None) -> Iterator[list[Any]]:
    """Raw values of each exported appeal, personal data masked for users without access; the rows
    sent are counted into the export's access-log entry, even when the client stops reading."""
    show_personal = can(user, "appeals.personal_data")
    appeals = selectors.with_list_relations(queryset).select_related("incident")[:EXPORT_LIMIT]
    count, complete = 0, False
    try:
        for appeal in appeals.iterator(chunk_size=CHUNK_SIZE):
            values = []
            for column in COLUMNS:
                value = column.value(appeal)
                if column.personal:
                    value = retention.applicant_shown(appeal, value if show_personal else selectors.mask(value))
                values.append(value)
            count += 1
            yield values
        complete = True
    finally:
        if log is not None:
            access_log.finish_export_log(log, rows=count, complete=complete)


def _csv_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return f"{timezone.localtime(value):%d.%m.%Y %H:%M}"
    if isinstance(value, str):
        return neutralise(value)
    return str(value)  # numbers: a negative count of days is not a formula


def _csv_lines(queryset: QuerySet[Appeal], user, log: AuditEvent | None) -> Iterator[str]:
    writer = csv.writer(Echo(), delimiter=CSV_DELIMITER)
    yield "\ufeff"  # the BOM: Excel then reads the file as UTF-8
    yield writer.writerow([neutralise(h) for h in HEADERS])
    for values in rows(queryset, user, log):
        yield writer.writerow([_csv_text(v) for v in values])


def csv_response(queryset: QuerySet[Appeal], user, *, filename: str, filters=None) -> StreamingHttpResponse:
    """The list as a streamed CSV (UTF-8 with BOM, «;»-separated), at most EXPORT_LIMIT rows."""
    log = start_log(user, "csv", filters)
    response = StreamingHttpResponse(_csv_lines(queryset, user, log), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


def _xlsx_value(value: Any) -> Any:
    if isinstance(value, datetime.datetime):
        # Excel has no time zones: the Moscow wall-clock time.
        return timezone.localtime(value).replace(tzinfo=None)
    if isinstance(value, str):
        # Control characters (HTML pasted from other systems) are illegal in XML.
        return sheet_text(value)
    return value


def xlsx_bytes(queryset: QuerySet[Appeal], user, log: AuditEvent | None = None) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Обращения")
    sheet.append(HEADERS)
    for values in rows(queryset, user, log):
        sheet.append([_xlsx_value(v) for v in values])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def xlsx_response(queryset: QuerySet[Appeal], user, *, filename: str, filters=None) -> HttpResponse:
    """The list as an XLSX workbook (openpyxl's write-only mode), at most EXPORT_LIMIT rows."""
    log = start_log(user, "xlsx", filters)
    response = HttpResponse(xlsx_bytes(queryset, user, log), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}.xlsx"'
    return response
