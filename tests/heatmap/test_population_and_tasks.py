"""Population from Росстат (idempotent loader), and the rebuild task run by a real Celery worker."""

import json
import time

import pytest

from cur.models import AuditEvent
from heatmap.models import HeatCellMonth, HeatFootprint, HeatTopicDay
from heatmap.population import DEFAULT_PATH, load_population, read_population
from sectors.models import Territory
from sectors.services_geo import load_region_territories

from .reference import actual_cells, expected_cells


def test_the_data_file_names_its_source_and_covers_the_29_municipalities():
    data = read_population()
    assert "Росстат" in data["source"] and data["year"] == 2021
    rows = data["municipalities"]
    assert len(rows) == 29 and len({r["oktmo"] for r in rows}) == 29
    assert all(r["population"] > 1000 and r["year"] and r["source"] for r in rows)
    geo = json.loads((DEFAULT_PATH.parent / "ryazan_municipalities.geojson").read_text(encoding="utf-8"))
    assert {f["properties"]["oktmo"] for f in geo["features"]} == {r["oktmo"] for r in rows}
    assert data["region"]["oktmo"] == "61000000"


@pytest.mark.django_db
def test_the_loader_fills_the_region_and_its_municipalities_once():
    load_region_territories()
    first = load_population()
    assert first == {"updated": 30, "unchanged": 0, "missing": 0}
    assert Territory.objects.get(oktmo="61701000").population == 528_599  # Рязань
    assert Territory.objects.get(oktmo="61000000").population == 1_102_810
    assert not Territory.objects.filter(kind__in=Territory.MUNICIPAL_KINDS, population=None).exists()
    audit_rows = AuditEvent.objects.filter(action="territory.population").count()
    assert load_population() == {"updated": 0, "unchanged": 30, "missing": 0}
    assert AuditEvent.objects.filter(action="territory.population").count() == audit_rows


@pytest.mark.worker
def test_the_nightly_rebuild_runs_in_a_real_worker(transactional_db, world, clock):
    from cur.queue import send
    from heatmap import tasks
    from tests.worker import celery_worker

    from .world import register

    for territory in world.districts:
        register(world, territory=territory)  # outside a test transaction the signal rolls them up itself
    HeatFootprint.objects.all().delete()  # drift: the rollup lost everything
    HeatTopicDay.objects.all().delete()
    HeatCellMonth.objects.all().delete()
    with celery_worker():
        assert send(tasks.rebuild_rollup)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not HeatCellMonth.objects.exists():
            time.sleep(0.2)
        time.sleep(0.5)
    assert actual_cells() == expected_cells() and HeatFootprint.objects.count() == 3
