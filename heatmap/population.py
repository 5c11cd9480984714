"""Loading the population of the region and its municipalities (Росстат) into `Territory.population`,
for the «per 1,000 residents» measures. The figures, their year and source: sectors/data/ryazan_population.json."""

import json
from pathlib import Path

from django.db import transaction

from cur import audit
from sectors.models import Territory

DEFAULT_PATH = Path(__file__).resolve().parent.parent / "sectors" / "data" / "ryazan_population.json"


def read_population(path: str | Path | None = None) -> dict:
    """The data file: source, year, region and municipalities ({oktmo, name, population, year, source})."""
    with open(path or DEFAULT_PATH, encoding="utf-8") as fh:
        return json.load(fh)


@transaction.atomic
def load_population(path: str | Path | None = None, *, by=None) -> dict[str, int]:
    """Set `population` of the region and of each municipality by OKTMO; idempotent (a second load changes
    nothing). Territories missing from the directory are counted, not created (sectors loads them)."""
    data = read_population(path)
    rows = [data["region"], *data["municipalities"]]
    by_oktmo = {t.oktmo: t for t in Territory.objects.filter(oktmo__in=[r["oktmo"] for r in rows])}
    counts = {"updated": 0, "unchanged": 0, "missing": 0}
    for row in rows:
        territory = by_oktmo.get(row["oktmo"])
        if territory is None:
            counts["missing"] += 1
            continue
        population = int(row["population"]) if row.get("population") is not None else None
        if territory.population == population:
            counts["unchanged"] += 1
            continue
        changes = {"population": [territory.population, population], "source": row.get("source", data["source"])}
        Territory.objects.filter(pk=territory.pk).update(population=population)
        territory.population = population
        audit.record(by, "territory.population", territory, changes)
        counts["updated"] += 1
    return counts
