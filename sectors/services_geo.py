"""Loading the region's territories (the region and its 29 municipalities) from the bundled GeoJSON."""

import json
from pathlib import Path

from django.db import transaction

from .models import Territory
from .services import save_territory

DEFAULT_GEOJSON = Path(__file__).resolve().parent / "data" / "ryazan_municipalities.geojson"
REGION_NAME = "Рязанская область"
REGION_OKTMO = "61000000"


def _upsert(fields: dict, counts: dict[str, int], *, by) -> Territory:
    """Create the territory with this OKTMO or bring it in line with `fields`; a row that already
    matches is not written at all, so a second load changes nothing (not even the audit log)."""
    territory = Territory.objects.select_related("parent").filter(oktmo=fields["oktmo"]).first()
    if territory is None:
        counts["created"] += 1
        return save_territory(None, by=by, **fields)
    if any(getattr(territory, name) != value for name, value in fields.items()):
        counts["updated"] += 1
        return save_territory(territory, by=by, **fields)
    return territory


@transaction.atomic
def load_region_territories(path: str | Path | None = None, *, by=None) -> dict[str, int]:
    """Create or update «Рязанская область» and its municipalities (name, kind, OKTMO, boundary) from GeoJSON."""
    with open(path or DEFAULT_GEOJSON, encoding="utf-8") as fh:
        features = json.load(fh)["features"]
    counts = {"created": 0, "updated": 0}
    region = _upsert(
        {"oktmo": REGION_OKTMO, "name": REGION_NAME, "kind": Territory.Kind.REGION, "parent": None}, counts, by=by
    )
    for feature in features:
        props = feature["properties"]
        fields = {
            "oktmo": props["oktmo"],
            "name": props["name"],
            "kind": props["kind"],
            "parent": region,
            "boundary": feature["geometry"],
        }
        # Population is not touched here: it comes from Росстат through its own loader.
        _upsert(fields, counts, by=by)
    return counts
