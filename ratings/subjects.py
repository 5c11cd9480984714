"""Who is rated at each level, with the facts a run snapshots about them (name, kind, territory,
blocks, the block's responsible persons at the period's end): a later rename or reappointment does
not rewrite a published rating."""

import datetime
from dataclasses import dataclass, field

from django.db.models import Q

from sectors.models import Organisation, ResponsiblePerson, SectorBlock, Territory

from .models import Level


@dataclass
class Subject:
    id: int
    name: str
    attrs: dict = field(default_factory=dict)


def municipality_of(territories: dict[int, dict], territory_id: int | None) -> dict | None:
    """The district or okrug a territory belongs to (itself when it is one)."""
    seen = 0
    while territory_id is not None and seen < 5:
        row = territories.get(territory_id)
        if row is None:
            return None
        if row["kind"] in Territory.MUNICIPAL_KINDS:
            return row
        territory_id, seen = row["parent_id"], seen + 1
    return None


def _territories() -> dict[int, dict]:
    # Without the boundaries (GeoJSON, megabytes): only what the roll-up needs.
    return {row["id"]: row for row in Territory.objects.values("id", "name", "kind", "parent_id")}


def _organisations(seen: set[int]) -> list[Subject]:
    territories = _territories()
    orgs = (
        Organisation.objects.filter(Q(is_active=True) | Q(pk__in=seen))
        .only("id", "name", "short_name", "kind", "territory_id")
        .prefetch_related("sector_blocks")
        .order_by("pk")
    )
    kinds = dict(Organisation.Kind.choices)
    subjects = []
    for org in orgs:
        attrs = {"kind": org.kind, "kind_name": kinds.get(org.kind, org.kind),
                 "sectors": sorted(block.code for block in org.sector_blocks.all())}  # fmt: skip
        municipality = municipality_of(territories, org.territory_id)
        if municipality is not None:  # a regional body sits at the region: no municipality
            attrs |= {"territory_id": municipality["id"], "territory_name": municipality["name"]}
        subjects.append(Subject(org.pk, str(org), attrs))
    return subjects


def _municipalities(seen: set[int]) -> list[Subject]:
    kinds = dict(Territory.Kind.choices)
    rows = (
        Territory.objects.filter(kind__in=Territory.MUNICIPAL_KINDS)
        .filter(Q(is_active=True) | Q(pk__in=seen))
        .values("id", "name", "kind")
        .order_by("pk")
    )
    return [
        Subject(
            row["id"], row["name"], {"kind": row["kind"], "kind_name": kinds[row["kind"]], "territory_id": row["id"]}
        )
        for row in rows
    ]


def block_holders(block_ids: list[int], on: datetime.date) -> dict[int, list[dict]]:
    """Who held the block's posts (ответственный за блок, руководитель блока) on a day (Положение 4.1.7)."""
    people = (
        ResponsiblePerson.objects.filter(sector_block_id__in=block_ids, role__in=ResponsiblePerson.BLOCK_ROLES)
        .filter(since__lte=on)
        .filter(Q(until__isnull=True) | Q(until__gte=on))
        .order_by("role", "last_name", "pk")
    )
    holders: dict[int, list[dict]] = {block_id: [] for block_id in block_ids}
    for person in people:
        holders[person.sector_block_id].append(
            {"id": person.pk, "role": person.role, "role_name": person.get_role_display(),
             "name": person.full_name, "position": person.position}
        )  # fmt: skip
    return holders


def _blocks(seen: set[int], period_end: datetime.date) -> list[Subject]:
    blocks = list(SectorBlock.objects.filter(Q(is_active=True) | Q(pk__in=seen)).order_by("position", "pk"))
    holders = block_holders([b.pk for b in blocks], period_end)
    return [
        Subject(b.pk, b.name, {"code": b.code, "is_mandatory": b.is_mandatory, "persons": holders[b.pk]})
        for b in blocks
    ]


def subjects_of(level: str, seen: set[int], period_end: datetime.date) -> list[Subject]:
    """Every active subject of the level, plus inactive ones that had appeals in the period (`seen`)."""
    if level == Level.ORGANISATION:
        return _organisations(seen)
    if level == Level.MUNICIPALITY:
        return _municipalities(seen)
    return _blocks(seen, period_end)
