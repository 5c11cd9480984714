"""Plotly figures of the portal: pure functions of selector output, serialised to JSON for
`json_script`; static/cur/figures.js draws them with the plotly.js served from our static files
(no inline script: the CSP forbids it)."""

import json

import plotly.graph_objects as go

LAYOUT = {"margin": {"l": 40, "r": 10, "t": 40, "b": 40}, "height": 320, "template": "plotly_white"}


def _json(figure: go.Figure) -> dict:
    return json.loads(figure.to_json())


def daily_appeals(figures: dict) -> go.Figure:
    days = [d for d, _ in figures.get("daily", [])]
    counts = [n for _, n in figures.get("daily", [])]
    figure = go.Figure(go.Bar(x=days, y=counts, name="Обращения", marker_color="#0d6efd"))
    figure.update_layout(title="Поступление обращений по дням", **LAYOUT)
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
    figure.update_layout(title="Обращения по теме и территории, по месяцам", xaxis_tickformat="%m.%Y", **LAYOUT)
    return figure


def daily_appeals_json(figures: dict) -> dict:
    return _json(daily_appeals(figures))


def roadmap_effect_json(effect: dict) -> dict:
    return _json(roadmap_effect(effect))
