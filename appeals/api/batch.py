"""Batch intake through the API: every item validated on its own (one failing item does not stop the
others), the valid ones registered set-based by `appeals.intake.bulk.register_appeals_bulk` — the road of
file imports, with the same events, deadlines, signals and one classification task per chunk — and a result
per item in the order of the batch."""

from collections import defaultdict

from .. import selectors
from ..intake.bulk import register_appeals_bulk
from ..models import Appeal
from .fields import CodeResolver
from .serializers import AppealIntakeSerializer

RELATIONS = ("sector_block", "topic", "territory")
# A repeat of a message registered outside the caller's scope: said without the appeal (issue 22).
REGISTERED_ELSEWHERE = "Сообщение с этим идентификатором в этом канале уже зарегистрировано."


def hidden_from(user, appeal_ids) -> set[int]:
    """Of these existing appeals, the ids a staff user may not see (one query). An integration source (user
    None) gets its repeats back: it is a system of the channel, bound to it by its key."""
    if user is None or not appeal_ids:
        return set()
    return set(appeal_ids) - set(
        selectors.appeals_visible_to(user).filter(pk__in=appeal_ids).values_list("pk", flat=True)
    )


def foreign_channel_message(source) -> str:
    return (
        f"Источник «{source.name}» может регистрировать только обращения канала "
        f"«{Appeal.Channel(source.channel).label}»."
    )


def register_batch(items: list, *, source=None, by=None) -> dict:
    """Validate each item on its own, register the valid ones set-based; the result per item, in input order."""
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

    # One bulk registration per channel; (channel, external_id) identifies each item's appeal afterwards
    # (external_id is required), so repeats inside the batch and messages registered before are "existing".
    rows: dict[str, list[dict]] = defaultdict(list)
    for _, fields in valid:
        row = {name: value for name, value in fields.items() if name not in RELATIONS and name != "channel"}
        row.update({f"{name}_id": fields[name].pk for name in RELATIONS if fields.get(name) is not None})
        rows[fields["channel"]].append(row)
    created: set[int] = set()
    appeals: dict[tuple[str, str], Appeal] = {}
    for channel, channel_rows in rows.items():
        ids, _existing = register_appeals_bulk(channel_rows, by=by, channel=channel)
        created.update(ids)
        external_ids = {row["external_id"] for row in channel_rows}
        for appeal in (
            Appeal.objects.filter(channel=channel, external_id__in=external_ids)
            .exclude(external_id="")
            .only("id", "channel", "external_id", "registered_at")
        ):
            appeals[(appeal.channel, appeal.external_id)] = appeal
    hidden = hidden_from(by, [appeal.pk for appeal in appeals.values() if appeal.pk not in created])
    for index, fields in valid:
        appeal = appeals[(fields["channel"], fields["external_id"])]
        if appeal.pk in hidden:
            results[index] = _item_error(index, {"external_id": [REGISTERED_ELSEWHERE]})
            continue
        state = "created" if appeal.pk in created else "existing"
        created.discard(appeal.pk)  # a repeat later in the batch is the same appeal: "existing"
        results[index] = _item_result(index, state, appeal)
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
