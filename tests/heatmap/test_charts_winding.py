"""The map's boundaries are wound as d3-geo reads them (exterior clockwise, holes counter-clockwise), whatever
the source: a pure function, no database."""

import json

from heatmap.charts import d3_winding
from sectors.services_geo import DEFAULT_GEOJSON


def signed_area(ring) -> float:
    """Shoelace: positive for a counter-clockwise ring (lon to the right, lat up)."""
    return sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(ring, ring[1:], strict=False)) / 2


def polygons(geometry: dict) -> list:
    return geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]


CCW_SQUARE = [[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]
CW_HOLE = [[0.2, 0.2], [0.2, 0.8], [0.8, 0.8], [0.8, 0.2], [0.2, 0.2]]


def test_a_counter_clockwise_polygon_is_turned_clockwise_and_its_hole_counter_clockwise():
    wound = d3_winding({"type": "Polygon", "coordinates": [CCW_SQUARE, CW_HOLE]})
    exterior, hole = wound["coordinates"]
    assert signed_area(exterior) < 0 < signed_area(hole)
    assert sorted(map(tuple, exterior)) == sorted(map(tuple, CCW_SQUARE))  # the same points, reversed


def test_a_clockwise_polygon_is_left_as_it_is():
    clockwise = list(reversed(CCW_SQUARE))
    wound = d3_winding({"type": "Polygon", "coordinates": [clockwise]})
    assert [list(p) for p in wound["coordinates"][0]] == clockwise


def test_a_feature_gives_its_geometry_and_what_is_no_geometry_gives_none():
    feature = {"type": "Feature", "properties": {}, "geometry": {"type": "Polygon", "coordinates": [CCW_SQUARE]}}
    assert d3_winding(feature)["type"] == "Polygon"
    broken = [
        {"type": "Polygon"},
        {"type": "Polygon", "coordinates": [[[0, 0], [1, 0]]]},
        {"type": "FeatureCollection", "features": []},
        {"type": "Feature", "geometry": None},
        None,
    ]
    for geometry in broken:
        assert d3_winding(geometry) is None, geometry


def test_every_municipality_of_the_region_file_is_wound_for_d3():
    with open(DEFAULT_GEOJSON, encoding="utf-8") as fh:
        features = json.load(fh)["features"]
    source_counter_clockwise = sum(signed_area(polygons(f["geometry"])[0][0]) > 0 for f in features)
    assert (len(features), source_counter_clockwise) == (29, 25)  # what the OSM file holds
    for feature in features:
        wound = d3_winding(feature["geometry"])
        json.dumps(wound)
        for polygon in polygons(wound):
            exterior, *holes = polygon
            assert signed_area(exterior) < 0, feature["properties"]["name"]
            assert all(signed_area(hole) > 0 for hole in holes), feature["properties"]["name"]
