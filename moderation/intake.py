"""Intake of incoming messages: the REST batch (up to 1,000 items, a result per item) and CSV/XLSX
files (an error per bad row with its line number). Both validate each item in plain Python against
directories loaded once, then `ingest` writes the good ones set-based: one SELECT of the keys that
exist, one INSERT of the new messages, one INSERT of their history rows (DESIGN §6).

Idempotent on (network, external_id) like appeals on (channel, external_id): the same post twice
is one message. An item without an id gets a stable hash of its content as its id.
"""

import datetime
import hashlib
import math
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from appeals.intake.formats import ImportFileError, ImportFormat, read_table
from appeals.intake.rows import Directory, clean_text, parse_received_at
from cur import audit
from cur.queue import send_on_commit
from cur.web import dates
from informing.models import Network

from .models import IncomingMessage, MessageEvent, MessageImport

MAX_BATCH = 1000
MAX_FILE_ROWS = 20_000
MAX_TEXT = 20_000
MAX_REACH = 10**12
FUTURE_TOLERANCE = datetime.timedelta(minutes=10)
DEFAULT_DECISION_HOURS = 4
MAX_STORED_ERRORS = 1000

_url = URLValidator(schemes=["http", "https"])


def decision_hours() -> float:
    """Hours a moderator has to decide a message (settings.MODERATION_DECISION_HOURS)."""
    return float(getattr(settings, "MODERATION_DECISION_HOURS", DEFAULT_DECISION_HOURS))


def _key(value: str) -> str:
    return " ".join(str(value).replace("ё", "е").lower().split())


NETWORKS = {
    **{_key(v): v for v in Network.values},
    **{_key(label): v for v, label in Network.choices},
    **{
        _key(alias): v
        for alias, v in (
            ("вк", "vk"),
            ("вконтакте", "vk"),
            ("vkontakte", "vk"),
            ("одноклассники", "ok"),
            ("ок", "ok"),
            ("телеграм", "telegram"),
            ("телеграмм", "telegram"),
            ("tg", "telegram"),
            ("макс", "max"),
            ("дзен", "dzen"),
            ("яндекс.дзен", "dzen"),
            ("рутуб", "rutube"),
            ("сми", "media"),
            ("сайт", "website"),
        )
    },
}


def _storable(text: str) -> bool:
    if "\x00" in text:
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    if isinstance(value, bool | dict | list):
        raise TypeError
    return str(value).strip()


@dataclass
class Item:
    """One validated message, ready for `ingest`."""

    network: str
    external_id: str
    text: str
    author: str = ""
    url: str = ""
    posted_at: datetime.datetime | None = None
    territory_id: int | None = None
    sector_block_id: int | None = None
    reach: int = 0


def content_id(item: Item) -> str:
    """A stable id for an item without one: its network, author, time and text."""
    raw = "|".join((item.network, item.author.lower(), item.posted_at.isoformat(), item.text))
    return "sha1:" + hashlib.sha1(raw.encode(), usedforsecurity=False).hexdigest()


def clean_item(raw, directory: Directory) -> tuple[Item | None, dict[str, str]]:
    """Validate one raw item (a dict of strings, numbers or dates); (Item, {}) or (None, {field: reason})."""
    if not isinstance(raw, dict):
        return None, {"item": "Ожидается объект с полями сообщения."}
    errors: dict[str, str] = {}
    values: dict[str, str] = {}
    for name in ("network", "external_id", "text", "author", "url", "posted_at", "territory", "sector", "reach"):
        value = raw.get(name)
        try:
            values[name] = value if isinstance(value, datetime.datetime | datetime.date) else _text(value)
        except TypeError:
            errors[name] = "Ожидается строка или число."
            values[name] = ""
            continue
        if isinstance(values[name], str) and not _storable(values[name]):
            errors[name] = "Недопустимые символы (NUL или непарный суррогат)."
            values[name] = ""

    network = NETWORKS.get(_key(values["network"])) if values["network"] else None
    if not values["network"] and "network" not in errors:
        errors["network"] = "Укажите сеть или СМИ."
    elif network is None and "network" not in errors:
        errors["network"] = f"Неизвестная сеть «{values['network'][:50]}»: допустимы {', '.join(Network.values)}."
    text = clean_text(values["text"]) if values["text"] else ""
    if not text and "text" not in errors:
        errors["text"] = "Пустой текст сообщения."
    elif len(text) > MAX_TEXT:
        errors["text"] = f"Текст длиннее {MAX_TEXT} знаков."
    for name, limit in (("external_id", 128), ("author", 255), ("url", 1000)):
        if len(values[name]) > limit:
            errors[name] = f"Не длиннее {limit} знаков."
    if values["url"] and "url" not in errors:
        try:
            _url(values["url"])
        except ValidationError:
            errors["url"] = "Некорректная ссылка: ожидается адрес http(s)://…"
    posted_at = None
    if values["posted_at"] not in ("", None):
        try:
            posted_at = parse_received_at(values["posted_at"])
        except (ValueError, OverflowError, TypeError):
            errors["posted_at"] = "Некорректная дата: ожидается ISO 8601 или дд.мм.гггг чч:мм."
        else:
            if dates.out_of_range(posted_at):
                errors["posted_at"] = dates.out_of_range(posted_at)
            elif posted_at > timezone.now() + FUTURE_TOLERANCE:
                errors["posted_at"] = "Дата публикации в будущем."
    reach = 0
    if values["reach"] not in ("", None):
        try:
            number = float(str(values["reach"]).replace(" ", "").replace(",", "."))
            if not math.isfinite(number) or number < 0 or number > MAX_REACH or not number.is_integer():
                raise ValueError
            reach = int(number)
        except ValueError:
            errors["reach"] = "Охват — целое неотрицательное число."
    territory_id = sector_id = None
    if values["territory"]:
        territory_id = directory.territory(values["territory"])
        if territory_id is None:
            errors["territory"] = f"Нет такой территории: «{values['territory'][:100]}» (название или ОКТМО)."
    if values["sector"]:
        sector_id = directory.blocks.get(_key(values["sector"]))
        if sector_id is None:
            errors["sector"] = f"Нет такого отраслевого блока: «{values['sector'][:100]}»."
    if errors:
        return None, errors
    item = Item(
        network=network,
        external_id=values["external_id"],
        text=text,
        author=values["author"],
        url=values["url"],
        posted_at=posted_at or timezone.now(),
        territory_id=territory_id,
        sector_block_id=sector_id,
        reach=reach,
    )
    item.external_id = item.external_id or content_id(item)
    return item, {}


@dataclass
class Result:
    index: int
    status: str  # created, existing, error
    id: int | None = None
    errors: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        data = {"index": self.index, "status": self.status}
        if self.id is not None:
            data["id"] = self.id
        if self.errors:
            data["errors"] = self.errors
        return data


def ingest(items: list[Item], *, source: str, by=None) -> list[tuple[int, bool]]:
    """Write the items: (message id, created) per item, in order. One SELECT, one INSERT of messages,
    one INSERT of history rows; a key that exists (or repeats within the batch) is not written twice.
    A racing batch with the same keys makes the INSERT fail: the whole step is retried, and the keys
    the other batch wrote are then reported as existing."""
    for _attempt in range(3):
        try:
            with transaction.atomic():
                return _ingest(items, source=source, by=by)
        except IntegrityError:
            continue
    raise IntegrityError("Не удалось записать пакет сообщений: повторите запрос.")


def _ingest(items: list[Item], *, source: str, by) -> list[tuple[int, bool]]:
    keys = {(i.network, i.external_id) for i in items}
    by_network: dict[str, list[str]] = {}
    for network, external_id in keys:
        by_network.setdefault(network, []).append(external_id)
    condition = Q(pk__in=[])
    for network, ids in by_network.items():
        condition |= Q(network=network, external_id__in=ids)
    known = {
        (n, e): pk for pk, n, e in IncomingMessage.objects.filter(condition).values_list("pk", "network", "external_id")
    }
    now = timezone.now()
    due = now + datetime.timedelta(hours=decision_hours())
    fresh: dict[tuple, IncomingMessage] = {}
    for item in items:
        key = (item.network, item.external_id)
        if key in known or key in fresh:
            continue
        fresh[key] = IncomingMessage(
            network=item.network,
            external_id=item.external_id,
            text=item.text,
            author=item.author,
            url=item.url,
            posted_at=item.posted_at,
            received_at=now,
            territory_id=item.territory_id,
            sector_block_id=item.sector_block_id,
            reach=item.reach,
            source=source,
            due_at=due,
            classified_at=now if item.territory_id and item.sector_block_id else None,
        )
    created = IncomingMessage.objects.bulk_create(list(fresh.values()), batch_size=500)
    actor = by if getattr(by, "pk", None) else None
    MessageEvent.objects.bulk_create(
        [
            MessageEvent(
                message=m, kind=MessageEvent.Kind.RECEIVED, actor=actor, to_status=m.status, changes={"source": source}
            )
            for m in created
        ],
        batch_size=500,
    )
    ids = {key: m.pk for key, m in fresh.items()}
    unclassified = [m.pk for m in created if m.territory_id is None or m.sector_block_id is None]
    for start in range(0, len(unclassified), 500):
        send_on_commit("moderation.tasks.classify_messages", unclassified[start : start + 500])
    results = []
    reported = set()
    for item in items:
        key = (item.network, item.external_id)
        if key in known:
            results.append((known[key], False))
        else:
            results.append((ids[key], key not in reported))
            reported.add(key)
    return results


def intake_batch(raw_items: list, *, by=None) -> list[Result]:
    """The REST batch: a result per item (created, existing or error with field reasons)."""
    directory = Directory()
    results: list[Result | None] = []
    good: list[tuple[int, Item]] = []
    for index, raw in enumerate(raw_items):
        item, errors = clean_item(raw, directory)
        if item is None:
            results.append(Result(index, "error", errors=errors))
        else:
            results.append(None)
            good.append((index, item))
    written = ingest([item for _, item in good], source=IncomingMessage.Source.API, by=by) if good else []
    for (index, _), (pk, created) in zip(good, written, strict=True):
        results[index] = Result(index, "created" if created else "existing", id=pk)
    return results


# --- files --------------------------------------------------------------------------------------

MESSAGE_FORMAT = ImportFormat(
    code="messages",
    label="Сообщения из соцсетей и СМИ",
    columns={
        "network": ("network", "Сеть", "Соцсеть", "Площадка", "Источник"),
        "external_id": ("external_id", "ID", "Идентификатор", "Номер"),
        "text": ("text", "Текст", "Текст сообщения", "Текст публикации"),
        "author": ("author", "Автор", "Аккаунт"),
        "url": ("url", "Ссылка", "URL", "Адрес публикации"),
        "posted_at": ("posted_at", "Дата публикации", "Дата", "Время публикации"),
        "territory": ("territory", "Территория", "Муниципалитет", "Муниципальное образование"),
        "sector": ("sector", "Отраслевой блок", "Блок"),
        "reach": ("reach", "Охват", "Просмотры"),
    },
    required=("text", "network"),
)
TEMPLATE_ROWS = [
    ["network", "external_id", "posted_at", "author", "url", "text", "territory", "sector", "reach"],
    [
        "vk",
        "-12345_678",
        "15.03.2026 10:30",
        "id12345",
        "https://vk.com/wall-12345_678",
        "Третий день нет воды в доме на ул. Ленина, 5 в Шацке",
        "Шацкий район",
        "housing",
        "1500",
    ],
]


def import_file(data: bytes, filename: str, *, by) -> MessageImport:
    """Import a CSV/XLSX file of messages: good rows are written, bad ones reported by line number."""
    table = read_table(data, filename, MESSAGE_FORMAT)
    columns = MESSAGE_FORMAT.resolve(table.header)
    if len(table.rows) > MAX_FILE_ROWS:
        raise ImportFileError(f"В файле больше {MAX_FILE_ROWS} строк: разделите его на части.", code="too_many_rows")
    directory = Directory()
    errors: list[dict] = []
    good: list[Item] = []
    for line, cells in table.rows:
        raw = {name: (cells[i] if i < len(cells) else "") for name, i in columns.items()}
        item, problems = clean_item(raw, directory)
        if item is None:
            if len(errors) < MAX_STORED_ERRORS:
                errors.append({"line": line, "error": "; ".join(problems.values())})
            continue
        good.append(item)
    created = existing = 0
    for start in range(0, len(good), MAX_BATCH):
        for _pk, was_created in ingest(good[start : start + MAX_BATCH], source=IncomingMessage.Source.FILE, by=by):
            created += was_created
            existing += not was_created
    imp = MessageImport.objects.create(
        original_name=filename[:255],
        created_by=by if getattr(by, "pk", None) else None,
        total_rows=len(table.rows),
        created_count=created,
        existing_count=existing,
        error_count=len(table.rows) - len(good),
        errors=errors,
    )
    audit.record(by, "moderation.import", imp, {"created": created, "existing": existing, "errors": imp.error_count})
    return imp
