import json
from io import StringIO

import pytest
from django.core.management import call_command

from cur.models import AuditEvent
from sectors.models import Territory
from sectors.services_geo import DEFAULT_GEOJSON, load_region_territories

pytestmark = pytest.mark.django_db

SHATSK = "61656000"


def test_loading_creates_the_region_and_its_29_municipalities():
    counts = load_region_territories()

    assert counts == {"created": 30, "updated": 0}
    region = Territory.objects.get(oktmo="61000000")
    assert (region.name, region.kind, region.parent) == ("Рязанская область", Territory.Kind.REGION, None)
    municipalities = Territory.objects.filter(parent=region)
    assert municipalities.count() == 29
    kinds = {kind: municipalities.filter(kind=kind).count() for kind in Territory.MUNICIPAL_KINDS}
    assert kinds == {"municipal_district": 25, "municipal_okrug": 0, "city_okrug": 4}
    assert municipalities.get(oktmo="61701000").name == "Рязань"


def test_every_territory_has_a_distinct_valid_oktmo_code():
    load_region_territories()

    codes = list(Territory.objects.values_list("oktmo", flat=True))
    assert len(codes) == len(set(codes)) == 30
    for territory in Territory.objects.all():
        territory.full_clean()  # the OKTMO validator and the region-is-root constraint among others


def test_every_municipality_has_its_boundary_geometry_and_no_population():
    load_region_territories()

    with open(DEFAULT_GEOJSON, encoding="utf-8") as fh:
        geometry = {f["properties"]["oktmo"]: f["geometry"] for f in json.load(fh)["features"]}
    for territory in Territory.objects.exclude(kind=Territory.Kind.REGION):
        assert territory.boundary["type"] in ("Polygon", "MultiPolygon")
        assert territory.boundary == geometry[territory.oktmo]
        assert territory.population is None


def test_loading_twice_creates_and_changes_nothing():
    load_region_territories()
    audit_rows = AuditEvent.objects.count()

    counts = load_region_territories()

    assert counts == {"created": 0, "updated": 0}
    assert Territory.objects.count() == 30
    assert AuditEvent.objects.count() == audit_rows


def test_a_renamed_municipality_is_renamed_back_and_audited():
    load_region_territories()
    Territory.objects.filter(oktmo=SHATSK).update(name="Переименованный район", boundary=None)

    counts = load_region_territories()

    assert counts == {"created": 0, "updated": 1}
    shatsk = Territory.objects.get(oktmo=SHATSK)
    assert shatsk.name == "Шацкий район"
    assert shatsk.boundary is not None
    event = AuditEvent.objects.filter(action="territory.update", object_id=str(shatsk.pk)).get()
    assert event.changes["name"] == ["Переименованный район", "Шацкий район"]


def test_a_population_filled_in_elsewhere_is_kept():
    load_region_territories()
    Territory.objects.filter(oktmo=SHATSK).update(population=12345)

    load_region_territories()

    assert Territory.objects.get(oktmo=SHATSK).population == 12345


def test_an_existing_region_row_is_reused_not_duplicated():
    Territory.objects.create(name="Рязанская обл.", kind=Territory.Kind.REGION, oktmo="61000000")

    counts = load_region_territories()

    assert counts == {"created": 29, "updated": 1}
    assert Territory.objects.filter(kind=Territory.Kind.REGION).get().name == "Рязанская область"


def test_the_command_reports_the_counts_in_russian():
    out = StringIO()

    call_command("load_territories", stdout=out)
    call_command("load_territories", stdout=out)

    lines = out.getvalue().splitlines()
    assert lines == [
        "Территории загружены: создано 30, обновлено 0.",
        "Территории загружены: создано 0, обновлено 0.",
    ]
