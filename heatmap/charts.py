"""Plotly figures of the heat map pages: pure functions of selector output (plain lists and dicts), testable
without a database or a browser. plotly.js renders them from our static files; the map draws our GeoJSON
(no tile server) and clicks open the URL a point carries in `customdata`."""

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

import shapely
from shapely.geometry import mapping, shape

from cur.charts import (
    DIVERGING,
    LEGEND_ABOVE,
    PERCENT_SUFFIX,
    SEQUENTIAL,
    axis,
    colorbar,
    count_axis,
    date_axis,
    diverging_colorbar,
    percent_axis,
    symmetric_limit,
)

from .metrics import Metric

ATTRIBUTION = "© участники OpenStreetMap"
NO_DATA_COLOUR = "#e9ecef"
LINE_COLOURS = ["#0d6efd", "#dc3545", "#198754", "#fd7e14", "#6f42c1", "#20c997", "#6c757d", "#d63384", "#0dcaf0",
                "#ffc107", "#6610f2", "#adb5bd", "#343a40", "#198754", "#b02a37"]  # fmt: skip


@dataclass(frozen=True)
class Area:
    """One municipality on the map: its id (the GeoJSON feature id), name, value, hover text, link."""

    id: int
    name: str
    value: float | None
    text: str
    url: str


def _attribution() -> dict:
    return {"text": ATTRIBUTION, "showarrow": False, "xref": "paper", "yref": "paper", "x": 0, "y": 0,
            "xanchor": "left", "yanchor": "bottom", "font": {"size": 10, "color": "#6c757d"}}  # fmt: skip


def d3_winding(geometry: dict) -> dict | None:
    """A boundary with its rings wound as plotly's map (d3-geo) reads them: exterior rings clockwise, holes
    counter-clockwise — the opposite of the GeoJSON RFC 7946. d3-geo takes a ring's winding for the side that
    is inside, so a counter-clockwise district would be drawn as the whole globe but that district (the OSM
    data winds either way). None for what is no readable geometry (a boundary typed in through the API)."""
    if isinstance(geometry, dict) and geometry.get("type") == "Feature":
        geometry = geometry.get("geometry")
    try:
        return mapping(shapely.orient_polygons(shape(geometry), exterior_cw=True))
    except (shapely.errors.ShapelyError, ValueError, TypeError, KeyError, AttributeError, IndexError):
        return None


def colorbar_title(metric: Metric) -> str:
    """The colour bar's title names the unit: «Обращений», «Обращений на 1 000 жителей», «Доля просроченных, %»."""
    if metric.percent:
        return f"{metric.label}, %"
    return "Обращений" if metric.unit == "обращений" else f"Обращений {metric.unit}"


def choropleth_figure(areas: Sequence[Area], *, geojson_url: str, metric: Metric, height: int = 560) -> dict:
    """Municipalities coloured by the metric (percent metrics as 0–100); areas without a value in grey.
    Counts and shares on a sequential scale from zero (lightest); growth on a diverging one centred at 0."""
    scale = 100 if metric.percent else 1
    valued = [a for a in areas if a.value is not None]
    empty = [a for a in areas if a.value is None]
    z = [round(a.value * scale, 2) for a in valued]
    common = {
        "type": "choropleth", "geojson": geojson_url, "featureidkey": "id", "hovertemplate": "%{text}<extra></extra>",
        "marker": {"line": {"color": "#495057", "width": 0.6}},
    }  # fmt: skip
    main = {**common, "name": metric.label, "locations": [str(a.id) for a in valued], "z": z,
            "text": [a.text for a in valued], "customdata": [a.url for a in valued]}  # fmt: skip
    title = colorbar_title(metric)
    if metric.code == "growth":
        limit = symmetric_limit(z)
        capped = any(abs(v) > limit for v in z)
        main |= {"colorscale": DIVERGING, "zmid": 0, "zmin": -limit, "zmax": limit,
                 "colorbar": diverging_colorbar(limit, title=title, capped=capped)}  # fmt: skip
    else:
        suffix = {"ticksuffix": PERCENT_SUFFIX} if metric.percent else {}
        main |= {"colorscale": SEQUENTIAL, "zmin": 0, "zmax": max([*z, 0]) or 1, "colorbar": colorbar(title, **suffix)}
    data = [main]
    if empty:
        data.append({**common, "name": "нет данных", "locations": [str(a.id) for a in empty], "z": [0] * len(empty),
                     "text": [a.text for a in empty], "customdata": [a.url for a in empty], "showscale": False,
                     "colorscale": [[0, NO_DATA_COLOUR], [1, NO_DATA_COLOUR]]})  # fmt: skip
    return {
        "data": data,
        "layout": {
            "height": height,
            "margin": {"l": 0, "r": 0, "t": 28, "b": 0},  # the mode bar above the colour bar, not on it
            "geo": {"fitbounds": "locations", "visible": False, "projection": {"type": "mercator"}},
            "annotations": [_attribution()],
            "dragmode": False,
        },
    }


def matrix_figure(rows: Sequence[str], columns: Sequence[str], z: Sequence[Sequence[int]],
                  urls: Sequence[Sequence[str]], *, title: str = "Обращений") -> dict:  # fmt: skip
    """Territory × sector block counts as a heat map (zero lightest); a click opens the appeals of the cell."""
    top = max([v for row in z for v in row] + [0])
    return {
        "data": [{"type": "heatmap", "x": list(columns), "y": list(rows), "z": [list(r) for r in z],
                  "customdata": [list(r) for r in urls], "colorscale": SEQUENTIAL, "zmin": 0, "zmax": top or 1,
                  "xgap": 1, "ygap": 1, "hovertemplate": "%{y} · %{x}: %{z}<extra></extra>",
                  "colorbar": colorbar(title)}],
        "layout": {"height": max(320, 22 * len(rows) + 200), "margin": {"l": 10, "r": 10, "t": 10, "b": 10},
                   "xaxis": axis("Отраслевой блок", tickangle=-40, side="bottom"),
                   "yaxis": axis("Территория", autorange="reversed")},
    }  # fmt: skip


BUCKET_TITLES = {"day": "День", "week": "Неделя (с понедельника)", "month": "Месяц"}


def trend_figure(buckets: Sequence[datetime.date], series: Sequence[tuple[str, Sequence[int]]], *,
                 granularity: str, title: str = "Обращений") -> dict:  # fmt: skip
    """Lines of counts by day, week or month, one per series (block, territory or the total)."""
    x = [b.isoformat() for b in buckets]
    data = [
        {"type": "scatter", "mode": "lines+markers" if len(x) < 40 else "lines", "name": name, "x": x,
         "y": list(values), "line": {"color": LINE_COLOURS[i % len(LINE_COLOURS)], "width": 2},
         "hovertemplate": f"{name}: %{{y}}<extra></extra>"}
        for i, (name, values) in enumerate(series)
    ]  # fmt: skip
    return {
        "data": data,
        "layout": {"height": 360, "margin": {"l": 10, "r": 10, "t": 10, "b": 10}, "legend": LEGEND_ABOVE,
                   "xaxis": date_axis(BUCKET_TITLES[granularity]),
                   "yaxis": count_axis(title, [v for _, values in series for v in values]), "hovermode": "x unified"},
    }  # fmt: skip


def blocks_figure(names: Sequence[str], received: Sequence[int], overdue_share: Sequence[float | None]) -> dict:
    """The region dashboard: appeals by block (bars) and the overdue share (dots, right axis, %)."""
    overdue = [round(100 * v, 1) if v is not None else None for v in overdue_share]
    return {
        "data": [
            {"type": "bar", "name": "Обращений", "x": list(names), "y": list(received), "marker": {"color": "#0d6efd"},
             "hovertemplate": "%{x}: %{y}<extra></extra>"},
            {"type": "scatter", "mode": "markers", "name": "Просрочено, %", "x": list(names), "yaxis": "y2",
             "y": overdue, "marker": {"color": "#dc3545", "size": 10},
             "hovertemplate": f"%{{x}}: %{{y:.1f}}{PERCENT_SUFFIX}<extra></extra>"},
        ],
        "layout": {"height": 420, "margin": {"l": 10, "r": 10, "t": 10, "b": 10}, "legend": LEGEND_ABOVE,
                   "xaxis": axis("Отраслевой блок", tickangle=-30), "yaxis": count_axis("Обращений", received),
                   "yaxis2": percent_axis("Просрочено, %", overdue, overlaying="y", side="right",
                                          showgrid=False)},
    }  # fmt: skip
