"""The figures are pure functions of plain data: no database, JSON-serialisable, links where clicks go."""

import datetime
import json

from heatmap import charts
from heatmap.metrics import METRICS


def test_the_choropleth_is_built_from_plain_areas():
    areas = [charts.Area(1, "Шацкий район", 12, "Шацкий район: 12", "/appeals/list/?territory=1"),
             charts.Area(2, "Рязань", None, "Рязань: —", "/appeals/list/?territory=2")]  # fmt: skip
    figure = charts.choropleth_figure(areas, geojson_url="/heatmap/map/municipalities.geojson",
                                      metric=METRICS["appeals"])  # fmt: skip
    json.dumps(figure)
    main, empty = figure["data"]
    assert main["type"] == "choropleth" and main["geojson"] == "/heatmap/map/municipalities.geojson"
    assert main["locations"] == ["1"] and main["z"] == [12]
    assert main["customdata"] == ["/appeals/list/?territory=1"]
    assert empty["locations"] == ["2"] and empty["showscale"] is False
    assert figure["layout"]["geo"]["visible"] is False  # no base map: our GeoJSON only, works offline
    assert figure["layout"]["annotations"][0]["text"] == "© участники OpenStreetMap"


def test_percent_metrics_are_drawn_as_percent_and_growth_is_centred_on_zero():
    areas = [charts.Area(1, "А", 0.25, "", "/a"), charts.Area(2, "Б", -0.5, "", "/b")]
    figure = charts.choropleth_figure(areas, geojson_url="/g", metric=METRICS["growth"])
    assert figure["data"][0]["z"] == [25.0, -50.0]
    assert figure["data"][0]["zmid"] == 0


def test_the_matrix_carries_a_link_per_cell():
    figure = charts.matrix_figure(["Шацкий район"], ["Здравоохранение", "ЖКХ"], [[3, 0]], [["/a", "/b"]])
    json.dumps(figure)
    trace = figure["data"][0]
    assert trace["type"] == "heatmap" and trace["z"] == [[3, 0]] and trace["customdata"] == [["/a", "/b"]]


def test_trend_and_blocks_figures():
    days = [datetime.date(2026, 3, 1), datetime.date(2026, 3, 2)]
    trend = charts.trend_figure(days, [("Всего", [4, 5]), ("ЖКХ", [1, 2])], granularity="day")
    assert [t["name"] for t in trend["data"]] == ["Всего", "ЖКХ"]
    assert trend["data"][0]["x"] == ["2026-03-01", "2026-03-02"]
    blocks = charts.blocks_figure(["ЖКХ", "Дороги"], [10, 4], [0.1, None])
    assert blocks["data"][1]["y"] == [10.0, None]
    json.dumps(trend), json.dumps(blocks)
