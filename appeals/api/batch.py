"""Batch intake through the API: every item validated and registered on its own (one failing item
does not stop the others), already registered messages found in one query; a result per item in the
order of the batch."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError

from cur.errors import DomainError

from .. import services
from ..models import Appeal
from .fields import CodeResolver
from .serializers import AppealIntakeSerializer


def foreign_channel_message(source) -> str:
    return (
        f"Источник «{source.name}» может регистрировать только обращения канала "
        f"«{Appeal.Channel(source.channel).label}»."
    )


def register_batch(items: list, *, source=None, by=None) -> dict:
    """Register each item independently; the result per item, in input order."""
    resolver = CodeResolver()
    resolver.prefetch_items(items)  # one query per kind of code for the whole batch
    results: list[dict | None] = [None] * len(items)
    valid: list[tuple[int, dict]] = []
    for index, item in enumerate(items):
        serializer = AppealIntakeSerializer(data=item, context={"resolver": resolver, "source": source})
        if not serializer.is_valid():
            results[index] = _item_error(index, serializer.errors)
            continue
        fields = dict(serializer.validated_data)
        if source is not None and fields["channel"] != source.channel:
            results[index] = _item_error(index, {"channel": [foreign_channel_message(source)]})
            continue
        valid.append((index, fields))

    # Already registered messages in one query; repeats inside the batch are found as we go.
    known = {}
    if valid:
        channels = {fields["channel"] for _, fields in valid}
        external_ids = {fields["external_id"] for _, fields in valid}
        # exclude(""): the predicate of the partial unique index, which the planner then uses (see by_external_id).
        for appeal in (
            Appeal.objects.filter(channel__in=channels, external_id__in=external_ids)
            .exclude(external_id="")
            .only("id", "channel", "external_id", "registered_at")
        ):
            known[(appeal.channel, appeal.external_id)] = appeal
    for index, fields in valid:
        key = (fields["channel"], fields["external_id"])
        if key in known:
            results[index] = _item_result(index, "existing", known[key])
            continue
        try:
            appeal, created = services.register_appeal(by=by, **fields)
        except DomainError as exc:
            results[index] = _item_error(index, {"non_field_errors": [exc.message]})
            continue
        except DjangoValidationError as exc:
            detail = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
            results[index] = _item_error(index, detail)
            continue
        except IntegrityError:
            results[index] = _item_error(index, {"non_field_errors": ["Не удалось сохранить обращение."]})
            continue
        known[key] = appeal
        results[index] = _item_result(index, "created" if created else "existing", appeal)
    counts = {state: sum(1 for r in results if r["status"] == state) for state in ("created", "existing", "error")}
    return {
        "created": counts["created"],
        "existing": counts["existing"],
        "failed": counts["error"],
        "results": results,
    }


def _item_result(index: int, state: str, appeal: Appeal) -> dict:
    return {"index": index, "status": state, "id": appeal.pk, "number": appeal.number, "errors": None}


def _item_error(index: int, errors) -> dict:
    return {"index": index, "status": "error", "id": None, "number": None, "errors": errors}
