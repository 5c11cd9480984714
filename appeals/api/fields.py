"""Fields of the appeal API: text PostgreSQL can store, coordinates, personal data masked unless the
context unmasks it, codes of sector blocks, topics and territories resolved to rows (`CodeResolver`),
and the status a citizen sees (`public_status`, shared with Open311)."""

import math
from decimal import ROUND_HALF_UP, Decimal

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.exceptions import ValidationError

from cur.web.api import storable_text
from sectors.models import SectorBlock, Territory

from .. import selectors
from ..models import Appeal, Topic

S = Appeal.Status

# --- Public status -----------------------------------------------------------------------------

PUBLIC_ACCEPTED = "принято"
PUBLIC_IN_WORK = "в работе"
PUBLIC_ANSWERED = "дан ответ"
PUBLIC_CLOSED = "закрыто"

# What a citizen-facing API shows: the internal workflow (returned for rework, information
# requested, redirected, reopened) is "в работе" to the citizen; a rejected appeal is closed.
PUBLIC_STATUSES: dict[str, str] = {
    S.NEW: PUBLIC_ACCEPTED,
    S.ASSIGNED: PUBLIC_IN_WORK,
    S.IN_PROGRESS: PUBLIC_IN_WORK,
    S.INFO_REQUESTED: PUBLIC_IN_WORK,
    S.RETURNED: PUBLIC_IN_WORK,
    S.REOPENED: PUBLIC_IN_WORK,
    S.ANSWERED: PUBLIC_ANSWERED,
    S.CLOSED: PUBLIC_CLOSED,
    S.REJECTED: PUBLIC_CLOSED,
}


def public_status(appeal: Appeal) -> str:
    """The status a citizen sees: принято / в работе / дан ответ / закрыто."""
    return PUBLIC_STATUSES[appeal.status]


# --- Text, coordinates, personal data -----------------------------------------------------------


class TextField(serializers.CharField):
    """A CharField that refuses text PostgreSQL cannot store."""

    default_error_messages = {"unstorable": "Текст содержит недопустимые символы."}

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        if not storable_text(value):
            self.fail("unstorable")
        return value


class CoordinateField(serializers.FloatField):
    """Degrees as a float, rounded to the model's 6 decimals (clients send more)."""

    default_error_messages = {"not_finite": "Ожидается конечное число."}

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        if not math.isfinite(value):
            self.fail("not_finite")
        return Decimal(str(value)).quantize(Decimal("0.000001"), rounding=ROUND_HALF_UP)


@extend_schema_field({"type": "string", "nullable": True})
class MaskedField(serializers.CharField):
    """Personal data: shown as is only when the serializer context says `unmask`."""

    def to_representation(self, value):
        if not self.context.get("unmask"):
            return selectors.mask(value)
        return value


def optional_text(max_length: int, **kwargs) -> TextField:
    """An optional text field: blank by default."""
    return TextField(max_length=max_length, required=False, allow_blank=True, default="", **kwargs)


# --- Codes of sector blocks, topics and territories ---------------------------------------------


class CodeResolver:
    """Codes → rows: a sector block by code, a topic by code, a territory by OKTMO. Each kind is
    looked up in one query for any number of codes (a batch prefetches them all at once)."""

    KINDS = {
        "sector": ("code", lambda: SectorBlock.objects.filter(is_active=True)),
        "topic": ("code", lambda: Topic.objects.filter(is_active=True).select_related("sector_block")),
        "territory": ("oktmo", lambda: Territory.objects.filter(is_active=True).defer("boundary")),
    }

    def __init__(self):
        self._rows: dict[str, dict[str, object]] = {kind: {} for kind in self.KINDS}

    def prefetch(self, kind: str, codes) -> None:
        known = self._rows[kind]
        wanted = {c for c in codes if isinstance(c, str) and 0 < len(c) <= 100 and c not in known and storable_text(c)}
        if not wanted:
            return
        field, queryset = self.KINDS[kind]
        known.update(dict.fromkeys(wanted))
        known.update({getattr(row, field): row for row in queryset().filter(**{f"{field}__in": wanted})})

    def prefetch_items(self, items) -> None:
        for kind in self.KINDS:
            self.prefetch(kind, [item.get(kind) for item in items if isinstance(item, dict)])

    def get(self, kind: str, code: str):
        self.prefetch(kind, [code])
        return self._rows[kind].get(code)


UNKNOWN_CODE = {
    "sector": "Неизвестный или недействующий код отраслевого блока «{code}».",
    "topic": "Неизвестный или недействующий код темы «{code}».",
    "territory": "Неизвестный или недействующий код ОКТМО территории «{code}».",
}


def resolve_codes(attrs: dict, resolver: CodeResolver) -> dict:
    """Replace `sector`, `topic`, `territory` codes in attrs by rows; field errors for unknown ones."""
    errors, rows = {}, {}
    for kind in ("sector", "topic", "territory"):
        code = attrs.pop(kind, None)
        if not code:
            continue
        row = resolver.get(kind, code)
        if row is None:
            errors[kind] = [UNKNOWN_CODE[kind].format(code=code)]
        rows[kind] = row
    sector, topic = rows.get("sector"), rows.get("topic")
    if sector is not None and topic is not None and topic.sector_block_id != sector.pk:
        errors["topic"] = [f"Тема «{topic.name}» не относится к отраслевому блоку «{sector.name}»."]
    if errors:
        raise ValidationError(errors)
    return rows
