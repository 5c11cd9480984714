"""Import of appeals from CSV/XLSX files: parse, map, validate, register — set-based.

A file is read into numbered rows (`import_formats`), each row is validated in Python against
directories loaded once (topics, territories, organisations), and the good rows of every chunk
of ~1,000 are registered by `register_appeals_bulk`: one SELECT of the external ids that exist,
one INSERT of the new appeals, one INSERT of their events (DESIGN §6). Bad rows are reported by
line number with a Russian reason; good rows still import. Registration is idempotent on
(channel, external_id) exactly like `services.register_appeal`, so a second import of the same
file creates nothing; a row without an id gets a stable hash of its content as its id.
"""

import datetime
import hashlib
import html
import logging
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from cur import audit
from cur.queue import send_on_commit
from sectors.models import Organisation, SectorBlock, Territory

from . import deadlines, tasks
from .import_formats import FORMATS, ImportFileError, Table, read_table
from .models import Appeal, AppealEvent, AppealImport, DeadlineRule, Topic, TopicGroup
from .signals import appeals_changed

logger = logging.getLogger(__name__)

CHUNK_SIZE = 1000
MAX_TEXT_LENGTH = 20_000
MAX_STORED_PROBLEMS = 1000  # per kind (errors, warnings) in AppealImport.errors; the counts stay exact
EARLIEST_RECEIVED = datetime.datetime(2000, 1, 1, tzinfo=deadlines.MOSCOW)
FUTURE_TOLERANCE = datetime.timedelta(days=1)  # clocks of source systems drift; a later date is a typo

K = AppealEvent.Kind


class ImportSuperseded(Exception):
    """Another run of the same import moved its progress first: this run stops and rolls back its chunk."""


# --- the report ----------------------------------------------------------------------------


@dataclass
class ImportReport:
    total_rows: int = 0
    processed_rows: int = 0
    created_count: int = 0
    existing_count: int = 0
    error_count: int = 0
    warning_count: int = 0
    # [{"line": 7, "error": "…"}, {"line": 9, "warning": "…"}] in line order within each kind.
    problems: list[dict] = field(default_factory=list)
    unused_columns: list[str] = field(default_factory=list)
    created_ids: list[int] = field(default_factory=list)

    @property
    def errors(self) -> list[dict]:
        return [p for p in self.problems if "error" in p]

    @property
    def warnings(self) -> list[dict]:
        return [p for p in self.problems if "warning" in p]

    def add_error(self, line: int, reason: str) -> None:
        self.error_count += 1
        if self.error_count <= MAX_STORED_PROBLEMS:
            self.problems.append({"line": line, "error": reason})

    def add_warning(self, line: int, reason: str) -> None:
        self.warning_count += 1
        if self.warning_count <= MAX_STORED_PROBLEMS:
            self.problems.append({"line": line, "warning": reason})

    @classmethod
    def resumed(cls, imp: AppealImport) -> "ImportReport":
        """The progress a previous run of this import committed (chunk and progress are one transaction)."""
        problems = list(imp.errors or [])
        return cls(
            processed_rows=imp.processed_rows,
            created_count=imp.created_count,
            existing_count=imp.existing_count,
            error_count=imp.error_count,
            warning_count=sum(1 for p in problems if "warning" in p),
            problems=problems,
        )

    def summary(self, *, dry_run: bool) -> str:
        created = "будет создано" if dry_run else "создано"
        text = (
            f"Строк с данными: {self.total_rows}; {created} обращений: {self.created_count}; "
            f"уже были в системе: {self.existing_count}; строк с ошибками: {self.error_count}; "
            f"предупреждений: {self.warning_count}."
        )
        if self.error_count > MAX_STORED_PROBLEMS or self.warning_count > MAX_STORED_PROBLEMS:
            text += f" Показаны первые {MAX_STORED_PROBLEMS} ошибок и предупреждений каждого вида."
        if self.unused_columns:
            text += " Не используются столбцы: " + ", ".join(f"«{c}»" for c in self.unused_columns) + "."
        return ("Пробный прогон, ничего не записано. " if dry_run else "") + text


# --- values --------------------------------------------------------------------------------

_DROP_RE = re.compile(r"<(script|style)\b.*?</\1\s*>|<!--.*?-->", re.IGNORECASE | re.DOTALL)
_BREAK_RE = re.compile(r"<\s*(?:br|/p|/div|/li|/h\d|/tr)\b[^<>]*>", re.IGNORECASE)
# A tag starts with a letter (or "/" and a letter): "t <5 °C" or "a < b" are not tags.
_TAG_RE = re.compile(r"</?[a-zA-Z][a-zA-Z0-9]*\b[^<>]*>")
_DATE_FORMATS = ("%d.%m.%Y %H:%M", "%d.%m.%Y", "%d.%m.%Y %H:%M:%S", "%d.%m.%y", "%d.%m.%y %H:%M")
DATE_HINT = "ожидается дд.мм.гггг, дд.мм.гггг чч:мм или гггг-мм-дд"


def clean_text(value: str) -> str:
    """The stored text: HTML tags stripped (block tags become line breaks), entities unescaped,
    spaces collapsed within lines, empty lines dropped."""
    if "<" in value:
        value = _TAG_RE.sub("", _BREAK_RE.sub("\n", _DROP_RE.sub(" ", value)))
    if "&" in value:
        value = html.unescape(value)
    lines = (" ".join(line.split()) for line in value.replace("\r", "\n").split("\n"))
    return "\n".join(line for line in lines if line)


def parse_received_at(value: object) -> datetime.datetime | None:
    """A date and time in dd.mm.yyyy [HH:MM[:SS]] or ISO 8601 (or an Excel date cell); None if empty.
    A time without a zone is Moscow time. Raises ValueError."""
    if isinstance(value, datetime.datetime):
        parsed = value.to_pydatetime() if hasattr(value, "to_pydatetime") else value
    elif isinstance(value, datetime.date):
        parsed = datetime.datetime.combine(value, datetime.time.min)
    else:
        text = str(value).strip()
        if not text:
            return None
        parsed = None
        if "." in text[:3]:
            for fmt in _DATE_FORMATS:
                try:
                    parsed = datetime.datetime.strptime(text, fmt)  # noqa: DTZ007 — the zone is set below
                    break
                except ValueError:
                    continue
            if parsed is None:
                raise ValueError(text)
        else:
            parsed = datetime.datetime.fromisoformat(text)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=deadlines.MOSCOW)
    return parsed


def _norm(value: str) -> str:
    text = value.replace("ё", "е").replace("Ё", "Е").lower()
    for quote in "«»“”„\"'":
        text = text.replace(quote, '"')
    return " ".join(text.split())


# Words that name the kind of a municipality, not the municipality: «Шацкий муниципальный район»,
# «Шацкий район», «Шацкий р-н» and «Шацкий муниципальный округ» are one key, «шацкий»;
# «г. Рязань», «город Рязань», «городской округ город Рязань» and «Рязань» are «рязань».
_TERRITORY_NOISE = frozenset(
    {"г", "го", "гор", "город", "городской", "о", "округ", "муниципальный", "муниципального", "муниципальное",
     "образование", "район", "р-н", "рн", "мо", "мр", "область", "обл"}
)  # fmt: skip
_TERRITORY_PUNCT = re.compile(r"[.,;:()\"'«»№]")


def territory_key(name: str) -> str:
    words = _TERRITORY_PUNCT.sub(" ", name.replace("ё", "е").replace("Ё", "Е").lower()).split()
    kept: list[str] = []
    for index, word in enumerate(words):
        nxt = words[index + 1] if index + 1 < len(words) else ""
        # «… Рязанской области» at the end names the region the municipality is in.
        if nxt in ("области", "обл") and word.endswith(("ской", "цкой")):
            continue
        if word in ("области",) or word in _TERRITORY_NOISE:
            continue
        kept.append(word)
    return " ".join(kept) or " ".join(words)


# --- directories, loaded once per import ---------------------------------------------------

_TERRITORY_RANK = {
    Territory.Kind.CITY_OKRUG: 0,
    Territory.Kind.MUNICIPAL_DISTRICT: 1,
    Territory.Kind.MUNICIPAL_OKRUG: 2,
    Territory.Kind.REGION: 3,
    Territory.Kind.URBAN_SETTLEMENT: 4,
    Territory.Kind.RURAL_SETTLEMENT: 5,
    Territory.Kind.LOCALITY: 6,
}

_CHANNELS = {
    **{_norm(value): value for value in Appeal.Channel.values},
    **{_norm(label): value for value, label in Appeal.Channel.choices},
    **{
        _norm(alias): value
        for alias, value in (
            ("ПОС", "pos"), ("Госуслуги", "pos"), ("e-mail", "email"), ("почта", "email"),
            ("электронное письмо", "email"), ("телефон", "phone"), ("звонок", "phone"), ("письмо", "letter"),
            ("приём", "reception"), ("прием", "reception"), ("личный прием", "reception"),
            ("соцсети", "social"), ("социальная сеть", "social"), ("мессенджер", "messenger"),
            ("сайт", "web"), ("портал", "web"),
        )
    },
}  # fmt: skip


class Directory:
    """Topics, topic groups, sector blocks, territories, organisations: dicts built with five queries,
    so validating a row costs a few dictionary look-ups and no query."""

    def __init__(self) -> None:
        self.topics: dict[str, list[tuple[int, int, int]]] = {}  # name/code → [(pk, group_id, sector_block_id)]
        for pk, code, name, group_id, block_id in Topic.objects.values_list(
            "pk", "code", "name", "group_id", "sector_block_id"
        ):
            for key in {_norm(name), _norm(code)}:
                self.topics.setdefault(key, []).append((pk, group_id, block_id))
        self.groups: dict[str, tuple[int, int]] = {}
        for pk, code, name, block_id in TopicGroup.objects.values_list("pk", "code", "name", "sector_block_id"):
            self.groups[_norm(name)] = self.groups[_norm(code)] = (pk, block_id)
        self.blocks: dict[str, int] = {}
        for pk, code, name in SectorBlock.objects.values_list("pk", "code", "name"):
            self.blocks[_norm(name)] = self.blocks[_norm(code)] = pk
        self.territories: dict[str, tuple[int, int]] = {}  # key → (rank, pk); the best rank wins
        for pk, name, kind, oktmo, active in Territory.objects.values_list("pk", "name", "kind", "oktmo", "is_active"):
            rank = _TERRITORY_RANK.get(kind, 9) + (0 if active else 10)
            for key in (territory_key(name), _norm(name), oktmo):
                if key not in self.territories or rank < self.territories[key][0]:
                    self.territories[key] = (rank, pk)
        self.organisations: dict[str, tuple[int, bool]] = {}  # name → (pk, is_active); active ones win
        for pk, name, short_name, active in Organisation.objects.order_by("-is_active", "pk").values_list(
            "pk", "name", "short_name", "is_active"
        ):
            for key in (_norm(name), _norm(short_name)):
                if key:
                    self.organisations.setdefault(key, (pk, active))

    def topic(self, name: str, group_id: int | None) -> tuple[int, int] | None:
        """(topic pk, sector block pk) by name or code; within the given group if the name is in several."""
        candidates = self.topics.get(_norm(name))
        if not candidates:
            return None
        best = next((c for c in candidates if c[1] == group_id), candidates[0])
        return best[0], best[2]

    def territory(self, name: str) -> int | None:
        found = self.territories.get(territory_key(name)) or self.territories.get(_norm(name))
        return found[1] if found else None


# --- rows ----------------------------------------------------------------------------------


def _text(value: object) -> str:
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    return "" if value is None else str(value).strip()


def _thousands(n: int) -> str:
    return f"{n:,}".replace(",", " ")


_LIMITS = (
    ("external_id", 128, "идентификатор"),
    ("address", 500, "адрес"),
    ("applicant_name", 255, "ФИО заявителя"),
    ("applicant_phone", 32, "телефон"),
    ("applicant_email", 254, "e-mail"),
)


class RowCleaner:
    """Turns one file row into the fields of an appeal, or reports why it cannot."""

    def __init__(
        self, columns: dict[str, int], *, channel: str, directory: Directory, width: int | None, labels: dict[str, str]
    ) -> None:
        self.columns = columns
        self.labels = labels  # field → the header as the file names it, for messages
        self.channel = channel
        self.directory = directory
        self.width = width  # CSV: the header's width; a longer row means a stray separator

    def clean(self, line: int, cells: list, report: ImportReport) -> dict | None:
        errors: list[str] = []
        warnings: list[str] = []
        values = {name: (cells[i] if i < len(cells) else "") for name, i in self.columns.items()}
        if self.width is not None and len(cells) > self.width:
            errors.append(
                f"полей в строке {len(cells)}, а столбцов в заголовке {self.width} — "
                f"проверьте кавычки вокруг текста и разделитель"
            )
        row: dict = {name: _text(values.get(name, "")) for name in ("address", "applicant_name", "applicant_phone")}
        row["applicant_email"] = email = _text(values.get("applicant_email", ""))

        text = clean_text(_text(values.get("text", "")))
        if not text:
            errors.append("пустой текст обращения")
        elif len(text) > MAX_TEXT_LENGTH:
            errors.append(f"текст длиннее {_thousands(MAX_TEXT_LENGTH)} знаков ({_thousands(len(text))})")
        row["text"] = text

        row["channel"] = self.channel
        raw_channel = _text(values.get("channel", ""))
        if raw_channel:
            channel = _CHANNELS.get(_norm(raw_channel))
            if channel is None:
                errors.append(f"неизвестный канал «{raw_channel}»")
            else:
                row["channel"] = channel

        raw_date = values.get("received_at", "")
        try:
            received_at = parse_received_at(raw_date)
        except (ValueError, OverflowError):
            received_at = None
            errors.append(f"некорректная дата «{_text(raw_date)}»: {DATE_HINT}")
        if received_at is not None:
            if received_at < EARLIEST_RECEIVED:
                errors.append(f"дата поступления {received_at:%d.%m.%Y} раньше {EARLIEST_RECEIVED:%d.%m.%Y}")
            elif received_at > timezone.now() + FUTURE_TOLERANCE:
                errors.append(f"дата поступления {received_at:%d.%m.%Y} в будущем")
        row["received_at"] = received_at

        if email:
            try:
                validate_email(email)
            except ValidationError:
                errors.append(f"некорректный e-mail «{email}»")
        for name, limit, label in _LIMITS:
            value = row.get(name) if name != "external_id" else _text(values.get("external_id", ""))
            if value and len(value) > limit:
                errors.append(f"{label} длиннее {limit} знаков")

        if errors:
            reason = "; ".join(errors)
            report.add_error(line, reason[0].upper() + reason[1:])
            return None

        self._classify(row, values, warnings)
        row["external_id"] = _text(values.get("external_id", "")) or content_hash(row, values)
        for warning in warnings:
            report.add_warning(line, warning)
        return row

    def _classify(self, row: dict, values: dict, warnings: list[str]) -> None:
        d = self.directory
        group_id = sector_id = topic_id = territory_id = organisation_id = None
        group_name = _text(values.get("topic_group", ""))
        if group_name:
            group = d.groups.get(_norm(group_name))
            if group is None:
                warnings.append(f"{self.labels['topic_group']} «{group_name}»: нет в справочнике групп тем")
            else:
                group_id, sector_id = group
        sector_name = _text(values.get("sector", ""))
        if sector_name:
            sector_id = d.blocks.get(_norm(sector_name))
            if sector_id is None:
                warnings.append(f"{self.labels['sector']} «{sector_name}»: нет в справочнике отраслевых блоков")
        topic_name = _text(values.get("topic", ""))
        if topic_name:
            topic = d.topic(topic_name, group_id)
            if topic is None:
                warnings.append(
                    f"{self.labels['topic']} «{topic_name}»: нет в справочнике тем — тему определит классификатор"
                )
            else:
                topic_id, topic_block = topic
                if sector_id is not None and sector_id != topic_block:
                    warnings.append(
                        f"{self.labels['topic']} «{topic_name}» из другого отраслевого блока: взят блок темы"
                    )
                sector_id = topic_block
        territory_name = _text(values.get("territory", ""))
        if territory_name:
            territory_id = d.territory(territory_name)
            if territory_id is None:
                warnings.append(f"{self.labels['territory']} «{territory_name}»: нет в справочнике территорий")
        organisation_name = _text(values.get("organisation", ""))
        if organisation_name:
            found = d.organisations.get(_norm(organisation_name))
            if found is None:
                warnings.append(
                    f"{self.labels['organisation']} «{organisation_name}»: нет в справочнике организаций — "
                    "обращение не назначено"
                )
            elif not found[1]:
                warnings.append(
                    f"{self.labels['organisation']} «{organisation_name}»: организация не действует — "
                    "обращение не назначено"
                )
            else:
                organisation_id = found[0]
        row.update(
            sector_block_id=sector_id, topic_id=topic_id, territory_id=territory_id, organisation_id=organisation_id
        )


def content_hash(row: dict, values: dict) -> str:
    """A stable id for a row without one: what the citizen sent (date, text, place, applicant), not
    what the source system did with it later (executor, status), so a later export matches too."""
    received = row["received_at"].isoformat() if row["received_at"] else ""
    parts = (
        received, row["text"], row["address"], _norm(_text(values.get("territory", ""))),
        row["applicant_name"], row["applicant_phone"], row["applicant_email"].lower(),
    )  # fmt: skip
    return "row-" + hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:40]


# --- set-based registration ----------------------------------------------------------------


def _batched(items: Sequence, size: int) -> Iterator[Sequence]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def plan_appeals_bulk(rows: Iterable[dict], *, channel: str) -> tuple[list[dict], int]:
    """Split rows into those that would create an appeal and the count of those that exist already
    (in the database or earlier in `rows`): one query for the whole batch."""
    fresh, existing, seen = [], 0, set()
    rows = list(rows)
    ids = {row["external_id"] for row in rows if row.get("external_id")}
    # `exclude(external_id="")` repeats the predicate of the partial unique index
    # appeal_channel_external_id: without it PostgreSQL cannot prove a long IN list implies it
    # and scans the table (checked with EXPLAIN).
    known = (
        set(
            Appeal.objects.filter(channel=channel, external_id__in=ids)
            .exclude(external_id="")
            .order_by()
            .values_list("external_id", flat=True)
        )
        if ids
        else set()
    )
    for row in rows:
        external_id = row.get("external_id") or ""
        if external_id and (external_id in known or external_id in seen):
            existing += 1
            continue
        seen.add(external_id)
        fresh.append(row)
    return fresh, existing


class _Deadlines:
    """The due date of an assigned appeal: the same rules as `services.deadline_rule_for`
    (topic > sector > channel, then the shortest), with the rules read once per batch."""

    def __init__(self) -> None:
        self.rules = list(DeadlineRule.objects.filter(is_active=True))
        self.cache: dict[tuple, datetime.datetime] = {}

    def due_at(self, channel: str, sector_id, topic_id, start: datetime.datetime) -> datetime.datetime:
        key = (channel, sector_id, topic_id, start.astimezone(deadlines.MOSCOW).date())  # add_days counts Moscow days
        if key not in self.cache:
            matching = [
                r
                for r in self.rules
                if r.channel in ("", channel)
                and r.sector_block_id in (None, sector_id)
                and r.topic_id in (None, topic_id)
            ]
            rule = max(
                matching,
                key=lambda r: (r.topic_id is not None, r.sector_block_id is not None, r.channel != "", -r.days),
                default=None,
            )
            if rule is None:
                self.cache[key] = deadlines.add_days(start, deadlines.ACCELERATED_DAYS, working=False)
            else:
                working = rule.day_kind == DeadlineRule.DayKind.WORKING
                self.cache[key] = deadlines.add_days(start, rule.days, working=working)
        return self.cache[key]


_APPEAL_FIELDS = frozenset(
    {"external_id", "text", "address", "applicant_name", "applicant_phone", "applicant_email", "applicant_address",
     "applicant_is_legal", "applicant_legal_name", "territory_id", "sector_block_id", "topic_id", "organisation_id",
     "latitude", "longitude"}
)  # fmt: skip


def _appeal_values(rows: Sequence[dict], *, channel: str, actor_id, now, due: "_Deadlines | None") -> list[dict]:
    """The column values (by attname) of the appeals to create, as `services._create_appeal` would set them."""
    topic_blocks: dict[int, int] = {}
    missing = {r["topic_id"] for r in rows if r.get("topic_id") and not r.get("sector_block_id")}
    if missing:
        topic_blocks = dict(Topic.objects.filter(pk__in=missing).values_list("pk", "sector_block_id"))
    result = []
    for row in rows:
        values = {name: value for name, value in row.items() if name in _APPEAL_FIELDS and value is not None}
        values.update(
            channel=channel,
            text=values.get("text", "").strip(),
            received_at=row.get("received_at") or now,
            registered_at=now,
            registered_by_id=actor_id,
        )
        if values.get("topic_id") and not values.get("sector_block_id"):
            values["sector_block_id"] = topic_blocks.get(values["topic_id"])
        if values.get("topic_id") or values.get("sector_block_id"):
            values.update(classification_source=Appeal.ClassificationSource.MANUAL, classified_at=now)
        if values.get("organisation_id") and due is not None:
            values.update(
                status=Appeal.Status.ASSIGNED,
                assigned_at=now,
                due_at=due.due_at(channel, values.get("sector_block_id"), values.get("topic_id"), now),
            )
        result.append(values)
    return result


def _event_values(appeals: Sequence[dict], *, channel: str, actor_id, comment: str) -> list[dict]:
    events = []
    for appeal in appeals:
        events.append(
            {
                "appeal_id": appeal["id"],
                "kind": K.REGISTERED,
                "actor_id": actor_id,
                "changes": {"channel": channel, "external_id": appeal.get("external_id", "")},
                "comment": comment,
            }
        )
        if appeal.get("status") == Appeal.Status.ASSIGNED:
            events.append(
                {
                    "appeal_id": appeal["id"],
                    "kind": K.ASSIGNED,
                    "actor_id": actor_id,
                    "from_status": Appeal.Status.NEW,
                    "to_status": Appeal.Status.ASSIGNED,
                    "changes": {
                        "organisation": [None, appeal["organisation_id"]],
                        "status": [Appeal.Status.NEW, Appeal.Status.ASSIGNED],
                        "due_at": [None, appeal["due_at"].isoformat()],
                    },
                    "comment": "Исполнитель указан в файле импорта",
                }
            )
    return events


# Types psycopg writes as they are; other fields (JSON) go through the field's own conversion.
_PLAIN_TYPES = frozenset(
    {"AutoField", "BigAutoField", "BigIntegerField", "BooleanField", "CharField", "DateField", "DateTimeField",
     "DecimalField", "EmailField", "FloatField", "ForeignKey", "IntegerField", "PositiveIntegerField",
     "PositiveSmallIntegerField", "SlugField", "SmallIntegerField", "TextField", "URLField"}
)  # fmt: skip


def _use_copy() -> bool:
    return connection.vendor == "postgresql"


def _insert(model, rows: list[dict], *, now: datetime.datetime) -> list[int]:
    """INSERT rows (attname → value; the rest take their defaults) and return their ids, in order.

    PostgreSQL: ids drawn from the table's sequence in one query, then one COPY — measured about
    3× faster than bulk_create's INSERT … UNNEST for appeals (45 columns), which is most of an
    import's time. Elsewhere (SQLite) bulk_create. Both raise IntegrityError on a duplicate key.
    """
    if not rows:
        return []
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    if not _use_copy() or any(f.has_db_default() for f in fields):
        objects = model.objects.bulk_create([model(**row) for row in rows])
        return [obj.pk for obj in objects]
    auto_now = {f.attname for f in fields if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)}
    defaults = {f.attname: f.get_default() for f in fields}
    convert = {f.attname: f for f in fields if f.get_internal_type() not in _PLAIN_TYPES}
    names = [f.attname for f in fields]
    pk = model._meta.pk
    table = model._meta.db_table
    columns = ", ".join(connection.ops.quote_name(c) for c in [pk.column, *(f.column for f in fields)])
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)", [table, pk.column, len(rows)]
        )
        ids = [pk_value for (pk_value,) in cursor.fetchall()]
        with (
            connection.wrap_database_errors,
            cursor.cursor.copy(f"COPY {connection.ops.quote_name(table)} ({columns}) FROM STDIN") as copy,
        ):
            for pk_value, row in zip(ids, rows, strict=True):
                values = [pk_value]
                for name in names:
                    value = now if name in auto_now else row.get(name, defaults[name])
                    if name in convert:
                        value = convert[name].get_db_prep_save(value, connection)
                    values.append(value)
                copy.write_row(values)
    return ids


def register_appeals_bulk(rows: Sequence[dict], *, by, channel: str, comment: str = "") -> tuple[list[int], int]:
    """Register many appeals of one channel, idempotent on (channel, external_id). Returns (created ids, existing).

    Rows are dicts of Appeal fields (`*_id` for relations, `received_at` optional). Per chunk of
    CHUNK_SIZE: one SELECT of existing ids, one INSERT (COPY) of appeals, one of their events
    (`registered`, plus `assigned` when the row names an organisation: it starts the clock).
    """
    actor_id = by.pk if getattr(by, "pk", None) else None
    due = _Deadlines() if any(row.get("organisation_id") for row in rows) else None
    created_ids: list[int] = []
    existing_count = 0
    for chunk in _batched(rows, CHUNK_SIZE):
        fresh, existing = plan_appeals_bulk(chunk, channel=channel)
        existing_count += existing
        if not fresh:
            continue
        now = timezone.now()
        with transaction.atomic():
            appeals = _appeal_values(fresh, channel=channel, actor_id=actor_id, now=now, due=due)
            try:
                with transaction.atomic():
                    ids = _insert(Appeal, appeals, now=now)
            except IntegrityError:
                # Tolerated race: another import registered some of these ids between our SELECT and
                # INSERT. Look again once; a third racer in the same instant makes this chunk fail.
                fresh, existing = plan_appeals_bulk(fresh, channel=channel)
                existing_count += existing
                appeals = _appeal_values(fresh, channel=channel, actor_id=actor_id, now=now, due=due)
                ids = _insert(Appeal, appeals, now=now) if appeals else []
            for appeal, pk in zip(appeals, ids, strict=True):
                appeal["id"] = pk
            _insert(AppealEvent, _event_values(appeals, channel=channel, actor_id=actor_id, comment=comment), now=now)
            assigned = [a["id"] for a in appeals if a.get("status") == Appeal.Status.ASSIGNED]
            # One signal per chunk: listeners (classification, heat map) work in batches.
            if ids:
                transaction.on_commit(lambda ids=ids: appeals_changed.send(Appeal, appeal_ids=ids, kind=K.REGISTERED))
            if assigned:
                transaction.on_commit(
                    lambda ids=assigned: appeals_changed.send(Appeal, appeal_ids=ids, kind=K.ASSIGNED)
                )
            # One classification task per chunk (DESIGN §6), for the rows the file did not classify.
            unclassified = [a["id"] for a in appeals if not a.get("classified_at")]
            if unclassified:
                send_on_commit(tasks.classify_appeals, unclassified)
        created_ids.extend(ids)
    return created_ids, existing_count


# --- the import ----------------------------------------------------------------------------

OnChunk = Callable[[ImportReport, int], bool]


def import_table(
    table: Table,
    *,
    fmt: str,
    channel: str,
    by=None,
    dry_run: bool = False,
    report: ImportReport | None = None,
    on_chunk: OnChunk | None = None,
    comment: str = "",
) -> ImportReport:
    """Validate and register the rows of a parsed file; a dry run writes no appeal.

    `report` carries the progress of an earlier run to resume after its last committed chunk.
    `on_chunk(report, processed_before)` runs inside each chunk's transaction; False rolls the
    chunk back and stops (ImportSuperseded).
    """
    spec = FORMATS[fmt]
    columns = spec.resolve(table.header)
    report = report or ImportReport()
    report.total_rows = len(table.rows)
    report.unused_columns = spec.unused(table.header)
    cleaner = RowCleaner(
        columns,
        channel=channel,
        directory=Directory(),
        width=len(table.header) if table.encoding else None,
        labels={name: table.header[index] for name, index in columns.items()},
    )
    seen: dict[tuple[str, str], int] = {}
    for chunk in _batched(table.rows[report.processed_rows :], CHUNK_SIZE):
        before = report.processed_rows
        by_channel: dict[str, list[dict]] = {}
        for line, cells in chunk:
            row = cleaner.clean(line, cells, report)
            if row is None:
                continue
            key = (row["channel"], row["external_id"])
            if key in seen:
                report.existing_count += 1
                report.add_warning(line, f"Повторяет строку {seen[key]} — учтено как одно обращение")
                continue
            seen[key] = line
            by_channel.setdefault(row.pop("channel"), []).append(row)
        with transaction.atomic():
            for row_channel, rows in by_channel.items():
                if dry_run:
                    fresh, existing = plan_appeals_bulk(rows, channel=row_channel)
                    report.created_count += len(fresh)
                else:
                    ids, existing = register_appeals_bulk(rows, by=by, channel=row_channel, comment=comment)
                    report.created_count += len(ids)
                    report.created_ids.extend(ids)
                report.existing_count += existing
            report.processed_rows = before + len(chunk)
            if on_chunk is not None and not on_chunk(report, before):
                raise ImportSuperseded
    return report


def import_file(path, *, fmt: str, channel: str, by=None, dry_run: bool = False) -> tuple[ImportReport, Table]:
    """Import a file from disk synchronously (the management command)."""
    with open(path, "rb") as fh:
        data = fh.read()
    table = read_table(data, str(path), FORMATS[fmt])
    report = import_table(table, fmt=fmt, channel=channel, by=by, dry_run=dry_run, comment=f"Импорт из файла {path}")
    return report, table


@transaction.atomic
def create_import(*, uploaded_file, fmt: str, channel: str, dry_run: bool, by) -> AppealImport:
    """Store an uploaded file and queue its import (a Celery task, after commit)."""
    from .tasks import run_import as run_import_task

    imp = AppealImport.objects.create(
        file=uploaded_file,
        original_name=uploaded_file.name[:255],
        format=fmt,
        channel=channel,
        dry_run=dry_run,
        created_by=by if getattr(by, "pk", None) else None,
    )
    audit.record(by, "appeals.import", imp, {"format": fmt, "channel": channel, "dry_run": dry_run})
    send_on_commit(run_import_task, imp.pk)
    return imp


_FINISHED = (AppealImport.Status.DONE, AppealImport.Status.FAILED)


def run_import(import_id: int) -> None:
    """Run an uploaded import (the body of the Celery task). Safe to run twice: a finished import is
    skipped; a running one resumes after its last committed chunk, and registration is idempotent."""
    imp = AppealImport.objects.filter(pk=import_id).first()
    if imp is None or imp.status in _FINISHED:
        return
    running = AppealImport.objects.filter(pk=import_id, status__in=[AppealImport.Status.PENDING,
                                                                   AppealImport.Status.RUNNING])  # fmt: skip
    if not running.update(status=AppealImport.Status.RUNNING):
        return
    mine = AppealImport.objects.filter(pk=import_id, status=AppealImport.Status.RUNNING)
    # A real import continues where an interrupted run stopped; a dry run wrote nothing, so it starts again.
    if imp.status == AppealImport.Status.RUNNING and imp.processed_rows and not imp.dry_run:
        report = ImportReport.resumed(imp)
    else:
        report = ImportReport()
        mine.update(processed_rows=0, created_count=0, existing_count=0, error_count=0, errors=[])
    try:
        try:
            with imp.file.open("rb") as fh:
                data = fh.read()
        except OSError as exc:
            raise ImportFileError("Загруженный файл не найден в хранилище: загрузите его заново.") from exc
        table = read_table(data, imp.original_name, FORMATS[imp.format])
        mine.update(total_rows=len(table.rows))

        def save_progress(rep: ImportReport, before: int) -> bool:
            # Conditional UPDATE in the chunk's transaction: if another run of this import moved the
            # progress meanwhile, this run's chunk rolls back and it stops.
            return (
                mine.filter(processed_rows=before).update(
                    processed_rows=rep.processed_rows,
                    created_count=rep.created_count,
                    existing_count=rep.existing_count,
                    error_count=rep.error_count,
                    errors=rep.problems,
                )
                == 1
            )

        report = import_table(
            table,
            fmt=imp.format,
            channel=imp.channel,
            by=imp.created_by,
            dry_run=imp.dry_run,
            report=report,
            on_chunk=save_progress,
            comment=f"Импорт из файла «{imp.original_name}» № {imp.pk}",
        )
    except ImportSuperseded:
        return
    except ImportFileError as exc:
        mine.update(status=AppealImport.Status.FAILED, message=exc.message, finished_at=timezone.now())
        return
    except Exception:
        logger.exception("Import %s failed", import_id)
        mine.update(
            status=AppealImport.Status.FAILED,
            message="Внутренняя ошибка при импорте. Строки, обработанные до неё, сохранены; "
            "обратитесь к администратору.",
            finished_at=timezone.now(),
        )
        return
    mine.update(
        status=AppealImport.Status.DONE,
        total_rows=report.total_rows,
        processed_rows=report.processed_rows,
        created_count=report.created_count,
        existing_count=report.existing_count,
        error_count=report.error_count,
        errors=report.problems,
        message=report.summary(dry_run=imp.dry_run),
        finished_at=timezone.now(),
    )
