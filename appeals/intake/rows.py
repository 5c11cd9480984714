"""One row of an imported file → the fields of an appeal, or the reasons it cannot be one: text
(HTML stripped), dates (Russian or ISO), channels, and names of topics, sector blocks, territories and
organisations looked up in directories loaded once per import (`Directory`)."""

import datetime
import hashlib
import html
import re

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils import timezone

from cur.web import dates
from sectors.models import Organisation, SectorBlock, Territory

from ..models import Appeal, Topic, TopicGroup
from ..workflow import deadlines
from .report import ImportReport

MAX_TEXT_LENGTH = 20_000
EARLIEST_RECEIVED = datetime.datetime.combine(dates.EARLIEST, datetime.time.min, tzinfo=deadlines.MOSCOW)
FUTURE_TOLERANCE = datetime.timedelta(days=1)  # clocks of source systems drift; a later date is a typo


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
