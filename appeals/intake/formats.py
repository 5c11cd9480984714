"""Appeal files: reading CSV/XLSX into numbered rows, and the column mappings of the three formats.

Columns are found by their header (case, «ё»/«е», spaces and underscores do not matter); the order
of columns is free and unknown columns are ignored. Only the text column is required. See
docs/import.md for the user's documentation.

«Инцидент Менеджмент» (`incident_manager`) — the export of the incident system:
    Отдел, Исполнитель, Группа тем, Тема, Муниципалитет, Тип инцидента, Итог, Текст инцидента,
    and if present «Дата создания» (or «Дата») and «ID» (or «Номер инцидента»).
    Отдел, Тип инцидента and Итог are not stored: the appeal's own workflow starts in ЦУР.

ПОС (`pos`) — the export of the Платформа обратной связи (Госуслуги. Решаем вместе):
    Номер · Дата поступления · Текст сообщения · Адрес · Категория (a topic group) ·
    Подкатегория (a topic) · ФИО заявителя · Телефон · E-mail · Муниципальное образование ·
    Ответственный (the executor organisation; also «Ответственное лицо», «Исполнитель»).
    Older exports name the topic «Тематика» and the number «id» — both are accepted.

The generic template (`generic`), our own names:
    external_id, received_at, text, address, applicant_name, applicant_phone, applicant_email,
    sector (code or name of the sector block), topic (code or name), territory (name or OKTMO),
    and optionally channel (a channel code or its Russian name; overrides the import's channel).

CSV is read with the standard csv module rather than pandas because only it knows the physical
line a record starts on (ПОС texts often span several lines); XLSX is read by pandas/openpyxl,
where a record's line is its worksheet row.
"""

import codecs
import csv
import datetime
import io
from collections.abc import Iterable
from dataclasses import dataclass, field

from ..errors import AppealsError


class ImportFileError(AppealsError):
    """The file as a whole cannot be imported (unreadable, no required columns)."""


# --- column mappings -----------------------------------------------------------------------


def normalise_header(name: object) -> str:
    """A header as we compare it: lower case, «ё» → «е», underscores and runs of spaces → one space."""
    text = str(name or "").replace("\ufeff", "").replace("ё", "е").replace("Ё", "Е").replace("_", " ")
    return " ".join(text.lower().split())


@dataclass(frozen=True)
class ImportFormat:
    code: str
    label: str
    # field → accepted headers; the first one is the documented name.
    columns: dict[str, tuple[str, ...]]
    required: tuple[str, ...] = ("text",)
    # Read but not stored (so they are not reported as unknown columns).
    ignored: tuple[str, ...] = ()

    def resolve(self, header: list[str]) -> dict[str, int]:
        """Field → column index for this header; raises ImportFileError if a required column is missing."""
        by_name: dict[str, int] = {}
        for index, name in enumerate(header):
            by_name.setdefault(normalise_header(name), index)
        found = {}
        for field_name, aliases in self.columns.items():
            for alias in aliases:
                index = by_name.get(normalise_header(alias))
                if index is not None:
                    found[field_name] = index
                    break
        missing = [self.columns[name][0] for name in self.required if name not in found]
        if missing:
            names = ", ".join(f"«{name}»" for name in missing)
            raise ImportFileError(
                f"В файле нет обязательного столбца {names} для формата «{self.label}». "
                f"Проверьте формат и первую строку файла (заголовки столбцов).",
                code="missing_columns",
            )
        return found

    def score(self, header: list[str]) -> int:
        """How many of the header's names this format knows (to guess the CSV separator)."""
        known = {normalise_header(a) for aliases in self.columns.values() for a in aliases}
        known.update(normalise_header(a) for a in self.ignored)
        return sum(1 for name in header if normalise_header(name) in known)

    def unused(self, header: list[str]) -> list[str]:
        """Non-empty headers that this format neither maps nor knowingly ignores."""
        known = {normalise_header(a) for aliases in self.columns.values() for a in aliases}
        known.update(normalise_header(a) for a in self.ignored)
        return [str(name) for name in header if normalise_header(name) and normalise_header(name) not in known]


INCIDENT_MANAGER = ImportFormat(
    code="incident_manager",
    label="Выгрузка «Инцидент Менеджмент»",
    columns={
        "external_id": ("ID", "Номер инцидента", "Идентификатор"),
        "received_at": ("Дата создания", "Дата"),
        "text": ("Текст инцидента",),
        "organisation": ("Исполнитель",),
        "topic_group": ("Группа тем",),
        "topic": ("Тема",),
        "territory": ("Муниципалитет",),
        "address": ("Адрес",),
    },
    ignored=("Отдел", "Тип инцидента", "Итог"),
)

POS = ImportFormat(
    code="pos",
    label="Выгрузка ПОС",
    columns={
        "external_id": ("Номер", "Номер сообщения", "id"),
        "received_at": ("Дата поступления", "Дата создания", "Дата"),
        "text": ("Текст сообщения", "Текст"),
        "address": ("Адрес", "Адрес проблемы"),
        "topic_group": ("Категория",),
        "topic": ("Подкатегория", "Тематика", "Тема"),
        "applicant_name": ("ФИО заявителя", "Заявитель", "ФИО"),
        "applicant_phone": ("Телефон", "Телефон заявителя"),
        "applicant_email": ("E-mail", "Email", "Электронная почта", "E-mail заявителя"),
        "territory": ("Муниципальное образование", "Муниципалитет"),
        "organisation": ("Ответственный", "Ответственное лицо", "Исполнитель"),
    },
    ignored=("Статус",),
)

GENERIC = ImportFormat(
    code="generic",
    label="Общий шаблон ЦУР",
    columns={
        "external_id": ("external_id",),
        "received_at": ("received_at",),
        "text": ("text",),
        "address": ("address",),
        "applicant_name": ("applicant_name",),
        "applicant_phone": ("applicant_phone",),
        "applicant_email": ("applicant_email",),
        "sector": ("sector",),
        "topic": ("topic",),
        "territory": ("territory",),
        "channel": ("channel",),
    },
)

FORMATS: dict[str, ImportFormat] = {f.code: f for f in (POS, INCIDENT_MANAGER, GENERIC)}

# The downloadable generic template: the header and one example row.
GENERIC_TEMPLATE_ROWS = [
    [
        "external_id", "received_at", "text", "address", "applicant_name", "applicant_phone",
        "applicant_email", "sector", "topic", "territory", "channel",
    ],
    [
        "A-2025-0001", "15.03.2025 10:30", "Во дворе дома не вывозят мусор третью неделю.",
        "г. Рязань, ул. Ленина, д. 1", "Иванов Иван Иванович", "+7 910 000-00-00", "ivanov@example.ru",
        "waste", "", "Рязань", "",
    ],
]  # fmt: skip


# --- reading files -------------------------------------------------------------------------

SEPARATORS = (",", ";", "\t")
SEPARATOR_NAMES = {",": "запятая", ";": "точка с запятой", "\t": "табуляция"}
ENCODING_NAMES = {"utf-8": "UTF-8", "utf-8-sig": "UTF-8 с BOM", "cp1251": "Windows-1251", "utf-16": "UTF-16"}
XLSX_MAGIC = b"PK\x03\x04"


@dataclass
class Table:
    """A file's header and its data rows, each with the line number the user sees (header = line 1)."""

    header: list[str]
    rows: list[tuple[int, list]] = field(default_factory=list)
    encoding: str = ""
    separator: str = ""

    @property
    def description(self) -> str:
        if not self.encoding:
            return "XLSX"
        encoding = ENCODING_NAMES.get(self.encoding, self.encoding)
        return f"CSV, {encoding}, разделитель — {SEPARATOR_NAMES[self.separator]}"


def detect_encoding(data: bytes) -> str:
    """UTF-8 with or without BOM, UTF-16 with BOM (Excel's «Unicode text»), otherwise Windows-1251."""
    if data.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        # A sample cut in the middle of a multibyte character is still UTF-8.
        if exc.start < len(data) - 3 or exc.reason != "unexpected end of data":
            return "cp1251"
    return "utf-8"


def detect_separator(first_line: str, fmt: ImportFormat | None = None) -> str:
    """The separator that splits the header into the most columns this format knows (then the most columns)."""

    def rank(sep: str) -> tuple[int, int]:
        header = next(csv.reader([first_line], delimiter=sep), [])
        return (fmt.score(header) if fmt else 0, len(header))

    return max(SEPARATORS, key=rank)


def _first_line(text: str) -> str:
    return text.lstrip("\ufeff").split("\n", 1)[0].rstrip("\r")


def _is_blank(cells: Iterable) -> bool:
    return all(cell is None or (isinstance(cell, str) and not cell.strip()) for cell in cells)


def read_csv(data: bytes, fmt: ImportFormat | None = None) -> Table:
    encoding = detect_encoding(data)
    text = data.decode(encoding)
    if text.startswith("\ufeff"):
        text = text[1:]
    separator = detect_separator(_first_line(text), fmt)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator)
    table = Table(header=[], encoding=encoding, separator=separator)
    line = 1  # the physical line the next record starts on
    try:
        for cells in reader:
            if not table.header:
                if not _is_blank(cells):
                    table.header = [cell.strip() for cell in cells]
            elif not _is_blank(cells):
                table.rows.append((line, cells))
            line = reader.line_num + 1
    except csv.Error as exc:
        raise ImportFileError(
            f"Строка {line}: файл CSV повреждён ({exc}). Проверьте кавычки в этой строке.", code="bad_csv"
        ) from exc
    return table


def _cell(value: object) -> object:
    """An XLSX cell as a string, keeping dates as dates (the date parser takes them as they are)."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime | datetime.date):
        return value
    if isinstance(value, float):
        if value != value:  # NaN
            return ""
        if value.is_integer():
            return str(int(value))
    return str(value)


def read_xlsx(data: bytes) -> Table:
    import pandas as pd

    try:
        frame = pd.read_excel(io.BytesIO(data), sheet_name=0, header=None, dtype=object, engine="calamine")
    except Exception as exc:
        # calamine (a Rust reader, several times faster than openpyxl) raises various errors on a broken book.
        raise ImportFileError(
            "Не удалось прочитать файл XLSX: он повреждён или не является книгой Excel.", code="bad_xlsx"
        ) from exc
    table = Table(header=[])
    # pandas keeps empty rows between data rows (only trailing ones are dropped), so index + 1 is
    # the worksheet row number.
    for index, values in enumerate(frame.itertuples(index=False, name=None)):
        cells = [_cell(v) for v in values]
        if _is_blank(cells):
            continue
        if not table.header:
            table.header = [str(cell).strip() for cell in cells]
        else:
            table.rows.append((index + 1, cells))
    return table


def file_kind(filename: str) -> str:
    """«csv» or «xlsx» by the file's extension; ImportFileError for anything else."""
    name = filename.lower()
    for kind in ("csv", "xlsx"):
        if name.endswith(f".{kind}"):
            return kind
    raise ImportFileError("Поддерживаются только файлы .csv и .xlsx.", code="bad_extension")


def read_table(data: bytes, filename: str, fmt: ImportFormat | None = None) -> Table:
    """Parse a CSV or XLSX file (by its name) into a Table."""
    kind = file_kind(filename)
    if kind == "xlsx" or data.startswith(XLSX_MAGIC):
        if kind == "csv":
            raise ImportFileError("Файл с расширением .csv на самом деле книга Excel: сохраните его как .xlsx.")
        table = read_xlsx(data)
    else:
        table = read_csv(data, fmt)
    if not table.header:
        raise ImportFileError("Файл пуст: нет строки заголовков.", code="empty_file")
    return table


def read_header(data: bytes, filename: str, fmt: ImportFormat) -> list[str]:
    """Only the header of a file (the upload form checks the columns before queueing the import)."""
    if file_kind(filename) == "xlsx":
        return read_xlsx_header(data)
    sample = data[:65536]
    encoding = detect_encoding(sample)
    text = sample.decode(encoding, errors="ignore").lstrip("\ufeff")
    for raw in text.splitlines():
        if raw.strip():
            return [c.strip() for c in next(csv.reader([raw], delimiter=detect_separator(raw, fmt)), [])]
    return []


def read_xlsx_header(data: bytes) -> list[str]:
    import openpyxl

    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:
        raise ImportFileError(
            "Не удалось прочитать файл XLSX: он повреждён или не является книгой Excel.", code="bad_xlsx"
        ) from exc
    try:
        for row in book.worksheets[0].iter_rows(values_only=True):
            if not _is_blank(row):
                return [str(c).strip() if c is not None else "" for c in row]
        return []
    finally:
        book.close()
