"""The figures' colour scales, percent formats and axes: pure functions, no database, no browser. Counts and shares
run from a lightest zero; growth is diverging around zero with symmetric, capped limits; a percent axis writes
«15 %»; every axis of every chart of the site has a title and room for its labels."""

import datetime

import plotly.graph_objects as go
import pytest

from cur import charts as common
from heatmap import charts
from heatmap.metrics import METRICS
from informing.metrics import growth_figure
from moderation.charts import daily_figure
from portal.charts import daily_appeals_json, roadmap_effect_json
from ratings.charts import rank_and_score_figure
from ratings.selectors import HistoryPoint

NBSP_PERCENT = "\u00a0%"


def lightness(colour: str) -> float:
    red, green, blue = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def areas(*values):
    return [charts.Area(i, f"Район {i}", v, "", f"/appeals/list/?territory={i}") for i, v in enumerate(values, 1)]


def map_trace(metric: str, *values) -> dict:
    figure = charts.choropleth_figure(areas(*values), geojson_url="/g", metric=METRICS[metric])
    go.Figure(figure)  # raises on a property plotly does not know
    return figure["data"][0]


def test_the_sequential_scale_starts_at_its_lightest_colour():
    colours = [colour for _, colour in common.SEQUENTIAL]
    assert [lightness(c) for c in colours] == sorted((lightness(c) for c in colours), reverse=True)


@pytest.mark.parametrize("metric", ["appeals", "per_1000", "overdue_share", "dissatisfied_share"])
def test_counts_and_shares_are_coloured_from_a_lightest_zero(metric):
    trace = map_trace(metric, 0, 0.2, 0.1)
    assert trace["colorscale"] == common.SEQUENTIAL
    assert trace["zmin"] == 0 and trace["zmax"] == max(trace["z"])


def test_a_share_is_drawn_in_percent_with_a_titled_colour_bar():
    trace = map_trace("overdue_share", 0.15, 0.299)
    assert trace["z"] == [15.0, 29.9]
    assert trace["colorbar"]["ticksuffix"] == NBSP_PERCENT
    assert trace["colorbar"]["title"]["text"] == "Доля просроченных, %"
    assert map_trace("appeals", 3)["colorbar"]["title"]["text"] == "Обращений"
    assert map_trace("per_1000", 3)["colorbar"]["title"]["text"] == "Обращений на 1 000 жителей"


def test_a_quiet_region_is_not_coloured_as_an_alarming_one():
    trace = map_trace("appeals", 0, 0, 0)
    assert (trace["zmin"], trace["zmax"]) == (0, 1)  # zeros at the light end, not the middle of the scale


def test_growth_is_diverging_around_zero_with_symmetric_capped_limits():
    trace = map_trace("growth", 4.0, -0.5, 0.3)  # +400 %, −50 %, +30 %
    assert trace["colorscale"] == common.DIVERGING
    assert (trace["zmin"], trace["zmid"], trace["zmax"]) == (-100, 0, 100)
    labels = trace["colorbar"]["ticktext"]
    assert labels[0] == "≤ −100" + NBSP_PERCENT and labels[-1] == "≥ +100" + NBSP_PERCENT
    assert labels[2] == "0" + NBSP_PERCENT
    middle = dict(common.DIVERGING)[0.5]
    assert lightness(middle) > max(lightness(c) for _, c in common.DIVERGING if c != middle)
    assert common.DIVERGING[-1][1] == "#b2182b"  # growth red, decline blue


def test_small_growth_gets_limits_that_fit_it():
    trace = map_trace("growth", 0.12, -0.03)
    assert (trace["zmin"], trace["zmax"]) == (-20, 20)
    assert "≥" not in trace["colorbar"]["ticktext"][-1]


def test_the_matrix_colours_zero_lightest():
    figure = charts.matrix_figure(["Шацкий район", "Рязань"], ["ЖКХ", "Дороги"], [[0, 3], [12, 0]],
                                  [["/a", "/b"], ["/c", "/d"]])  # fmt: skip
    go.Figure(figure)
    trace = figure["data"][0]
    assert trace["colorscale"] == common.SEQUENTIAL and trace["zmin"] == 0 and trace["zmax"] == 12
    assert trace["colorbar"]["title"]["text"] == "Обращений"


def test_a_percent_axis_writes_percent_from_zero_to_a_round_ceiling():
    assert common.percent_axis("Просрочено, %", [0.0, None, 0.0])["range"] == [0, 10]
    axis = common.percent_axis("Просрочено, %", [12.5, 37.0])
    assert axis["range"] == [0, 50] and axis["ticksuffix"] == NBSP_PERCENT and axis["tickmode"] == "auto"
    assert common.percent_axis("Просрочено, %", [99.0])["range"] == [0, 100]


def test_the_overdue_share_of_the_blocks_chart_is_on_a_percent_axis():
    figure = charts.blocks_figure(["ЖКХ", "Дороги"], [10, 4], [0.15, None])
    go.Figure(figure)
    assert figure["data"][1]["y"] == [15.0, None]
    assert figure["layout"]["yaxis2"]["ticksuffix"] == NBSP_PERCENT
    assert figure["layout"]["yaxis2"]["range"] == [0, 20]


def test_a_count_axis_ticks_whole_numbers():
    assert common.count_axis("Обращений", [0, 2, 1])["dtick"] == 1
    assert common.count_axis("Обращений", [0, 0])["range"][1] > 0
    big = common.count_axis("Охват, человек", [1200, 12600])
    assert big["tickformat"] == ",d" and "dtick" not in big  # «12 600» with the locale's space, not «12.6k»


def test_date_axes_name_the_month_in_every_spacing():
    axis = common.date_axis("День")
    stops = axis["tickformatstops"]
    assert all("%b" in stop["value"] or stop["value"] == "%Y" for stop in stops)
    assert axis["hoverformat"] == "%d.%m.%Y"


def every_figure() -> dict[str, dict]:
    days = [datetime.date(2026, 3, 1), datetime.date(2026, 3, 2)]
    moment = datetime.datetime(2026, 3, 1, 10, tzinfo=datetime.UTC)
    history = [HistoryPoint(1, "март 2026", days[0], 2, 80.0, 10)]
    return {
        "trend": charts.trend_figure(days, [("Всего", [4, 5])], granularity="day"),
        "blocks": charts.blocks_figure(["ЖКХ"], [10], [0.1]),
        "matrix": charts.matrix_figure(["Рязань"], ["ЖКХ"], [[3]], [["/a"]]),
        "rating": rank_and_score_figure(history),
        "portal daily": daily_appeals_json({"daily": [["2026-03-01", 3], ["2026-03-02", 1]]}),
        "roadmap": roadmap_effect_json({"before": [(days[0], 2)], "after": [(datetime.date(2026, 4, 1), 1)]}),
        "moderation": daily_figure([{"day": days[0], "received": 3, "decided": 2}]),
        "audience": growth_figure([(moment, 10), (moment + datetime.timedelta(hours=5), 20)]),
    }


@pytest.mark.parametrize("name", list(every_figure()))
def test_every_axis_of_every_chart_has_a_title_and_room_for_its_labels(name):
    figure = every_figure()[name]
    go.Figure(figure)
    layout = figure["layout"]
    axes = {key: value for key, value in layout.items() if key.startswith(("xaxis", "yaxis"))}
    assert {"xaxis", "yaxis"} <= set(axes), name
    for key, axis in axes.items():
        assert axis["title"]["text"], (name, key)
        assert axis["automargin"] is True, (name, key)
        if axis.get("type") == "date":
            assert axis["tickformatstops"] == common.DATE_TICKS, (name, key)
    if layout.get("showlegend", True) and len(figure["data"]) > 1:
        assert layout["legend"]["y"] >= 1, name  # above the plot, never on the axis labels
