"""Plotly figures of the portal: pure functions of selector output, serialised to JSON for
`json_script`; static/cur/figures.js draws them with the plotly.js served from our static files
(no inline script: the CSP forbids it)."""

import json

import plotly.graph_objects as go

from cur.charts import LEGEND_ABOVE, count_axis, date_axis

# No title inside the figure: the page's heading above it says what it shows (a title would sit on the legend).
LAYOUT = {"margin": {"l": 10, "r": 10, "t": 10, "b": 10}, "height": 340, "template": "plotly_white"}


def _json(figure: go.Figure) -> dict:
    return json.loads(figure.to_json())


def daily_appeals(figures: dict) -> go.Figure:
    days = [d for d, _ in figures.get("daily", [])]
    counts = [n for _, n in figures.get("daily", [])]
    figure = go.Figure(go.Bar(x=days, y=counts, name="Обращения", marker_color="#0d6efd"))
    figure.update_layout(xaxis=date_axis("День"), yaxis=count_axis("Обращений", counts), showlegend=False, **LAYOUT)
    return figure


def roadmap_effect(effect: dict) -> go.Figure:
    figure = go.Figure()
    figure.add_bar(
        x=[m.isoformat() for m, _ in effect["before"]],
        y=[n for _, n in effect["before"]],
        name="До начала исполнения",
        marker_color="#adb5bd",
    )
    figure.add_bar(
        x=[m.isoformat() for m, _ in effect["after"]],
        y=[n for _, n in effect["after"]],
        name="После начала исполнения",
        marker_color="#198754",
    )
    counts = [n for _, n in effect["before"]] + [n for _, n in effect["after"]]
    figure.update_layout(xaxis=date_axis("Месяц", dtick="M1"), yaxis=count_axis("Обращений по теме", counts),
                         legend=LEGEND_ABOVE, **LAYOUT)  # fmt: skip
    return figure


def daily_appeals_json(figures: dict) -> dict:
    return _json(daily_appeals(figures))


def roadmap_effect_json(effect: dict) -> dict:
    return _json(roadmap_effect(effect))
