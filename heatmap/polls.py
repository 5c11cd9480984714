"""Parsing a CSV of poll, vote and public discussion results: every bad row is reported with its line
number (the header is line 1) and none of its values is kept. Pure: the directory comes in as dicts."""

import csv
import datetime
import io
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

from cur.web import dates

from .models import PollResult

MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 5000
KINDS = {
    "опрос": PollResult.Kind.POLL, "poll": PollResult.Kind.POLL,
    "голосование": PollResult.Kind.VOTE, "vote": PollResult.Kind.VOTE,
    "обсуждение": PollResult.Kind.DISCUSSION, "общественное обсуждение": PollResult.Kind.DISCUSSION,
    "discussion": PollResult.Kind.DISCUSSION,
}  # fmt: skip
COLUMNS = {
    "kind": ("вид",), "title": ("название",), "held_on": ("дата",), "territory": ("территория", "октмо"),
    "topic": ("тема", "код темы"), "participants": ("участников",), "support": ("поддержали", "поддержали, %"),
    "result": ("итог",), "url": ("ссылка",),
}  # fmt: skip
REQUIRED = ("kind", "title", "held_on", "territory", "topic")
TEMPLATE_HEADER = ["вид", "название", "дата", "территория", "тема", "участников", "поддержали, %", "итог", "ссылка"]


class PollFileError(ValueError):
    """The file as a whole cannot be read (not a CSV, no header, too large)."""


@dataclass(frozen=True)
class ParsedRow:
    line: int
    kind: str
    title: str
    held_on: datetime.date
    territory_id: int
    topic_id: int
    participants: int | None
    support_percent: Decimal | None
    result: str
    url: str


def decode(raw: bytes) -> str:
    if len(raw) > MAX_BYTES:
        raise PollFileError(f"Файл больше {MAX_BYTES // (1024 * 1024)} МБ.")
    for encoding in ("utf-8-sig", "cp1251"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise PollFileError("Не удалось прочитать файл: сохраните его в кодировке UTF-8.")


def _header_map(header: list[str]) -> dict[str, int]:
    names = [re.sub(r"\s+", " ", (h or "").strip().lower().lstrip("\ufeff")) for h in header]
    found = {}
    for field, aliases in COLUMNS.items():
        for index, name in enumerate(names):
            if name in aliases:
                found[field] = index
                break
    missing = [COLUMNS[f][0] for f in REQUIRED if f not in found]
    if missing:
        raise PollFileError("В первой строке нет столбцов: " + ", ".join(f"«{m}»" for m in missing) + ".")
    return found


def _date(text: str) -> datetime.date:
    for pattern in dates.DATE_INPUT_FORMATS:
        try:
            day = datetime.datetime.strptime(text, pattern).date()  # noqa: DTZ007 — a calendar date
        except ValueError:
            continue
        if message := dates.out_of_range(day):
            raise ValueError(f"дата «{text}»: {message}")
        return day
    raise ValueError(f"дата «{text}» не в формате ДД.ММ.ГГГГ")


def parse(text: str, *, territories: dict[str, int], topics: dict[str, int]) -> tuple[list[ParsedRow], list[dict]]:
    """Rows and errors [{"line", "error"}]. `territories` maps OKTMO codes and lower-cased names to ids,
    `topics` topic codes and lower-cased names."""
    sample = text[:4096]
    delimiter = ";" if sample.count(";") >= sample.count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    try:
        header = next(reader)
    except (StopIteration, csv.Error) as exc:
        raise PollFileError("Файл пуст: нужна строка заголовков и строки с итогами.") from exc
    columns = _header_map(header)
    rows, errors = [], []
    try:
        for line, values in enumerate(reader, start=2):
            if not any(v.strip() for v in values):
                continue
            if len(rows) + len(errors) >= MAX_ROWS:
                errors.append({"line": line, "error": f"строк больше {MAX_ROWS}: остальные не прочитаны"})
                break
            try:
                rows.append(_row(line, values, columns, territories, topics))
            except ValueError as exc:
                errors.append({"line": line, "error": str(exc)})
    except csv.Error as exc:
        errors.append({"line": reader.line_num, "error": f"не удалось разобрать строку: {exc}"})
    return rows, errors


def _row(line, values, columns, territories, topics) -> ParsedRow:
    def get(field: str) -> str:
        index = columns.get(field)
        return values[index].strip() if index is not None and index < len(values) else ""

    problems = []
    kind = KINDS.get(get("kind").lower())
    if kind is None:
        problems.append(f"вид «{get('kind')}» не опрос, не голосование и не обсуждение")
    title = get("title")
    if not title:
        problems.append("нет названия")
    elif len(title) > 500:
        problems.append("название длиннее 500 знаков")
    held_on = None
    try:
        held_on = _date(get("held_on"))
    except ValueError as exc:
        problems.append(str(exc))
    territory = territories.get(get("territory")) or territories.get(get("territory").lower())
    if territory is None:
        problems.append(f"территория «{get('territory')}» не найдена (укажите ОКТМО или название из справочника)")
    topic = topics.get(get("topic")) or topics.get(get("topic").lower())
    if topic is None:
        problems.append(f"тема «{get('topic')}» не найдена (укажите код или название темы)")
    participants = None
    if get("participants"):
        if not get("participants").replace(" ", "").isdigit():
            problems.append(f"участников «{get('participants')}» — не целое число")
        else:
            participants = int(get("participants").replace(" ", ""))
    support = None
    if get("support"):
        try:
            support = Decimal(get("support").replace(",", ".").rstrip("%").strip())
            if not (0 <= support <= 100) or not support.is_finite():
                raise InvalidOperation
            support = support.quantize(Decimal("0.01"))
        except InvalidOperation:
            problems.append(f"«поддержали» = «{get('support')}» — не процент от 0 до 100")
            support = None
    url = get("url")
    if len(url) > 500:
        problems.append("ссылка длиннее 500 знаков")
    elif url:
        try:
            URLValidator(schemes=["http", "https"])(url)
        except ValidationError:
            problems.append(f"ссылка «{url[:80]}» — не адрес http(s)")
    if problems:
        raise ValueError("; ".join(problems))
    return ParsedRow(line, kind, title, held_on, territory, topic, participants, support, get("result")[:5000], url)
