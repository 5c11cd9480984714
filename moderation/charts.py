"""Plotly figures of the moderation pages: pure functions of selector output (plain dicts)."""

from cur.charts import LEGEND_ABOVE, count_axis, date_axis


def daily_figure(days: list[dict]) -> dict:
    """Messages received and decided per day (a date axis: Russian month names, hover «08.11.2026»)."""
    x = [d["day"].isoformat() for d in days]
    return {
        "data": [
            {
                "type": "bar",
                "name": "Поступило",
                "x": x,
                "y": [d["received"] for d in days],
                "marker": {"color": "#0d6efd"},
            },
            {
                "type": "scatter",
                "mode": "lines+markers",
                "name": "Решено",
                "x": x,
                "y": [d["decided"] for d in days],
                "line": {"color": "#198754"},
            },
        ],
        "layout": {
            "margin": {"l": 10, "r": 10, "t": 10, "b": 10},
            "height": 300,
            "xaxis": date_axis("День"),
            "legend": LEGEND_ABOVE,
            "yaxis": count_axis("Сообщений", [d["received"] for d in days] + [d["decided"] for d in days]),
            "hovermode": "x unified",
        },
    }
