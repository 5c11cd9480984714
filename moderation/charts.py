"""Plotly figures of the moderation pages: pure functions of selector output (plain dicts)."""


def daily_figure(days: list[dict]) -> dict:
    """Messages received and decided per day."""
    labels = [d["day"].strftime("%d.%m.%Y") for d in days]
    return {
        "data": [
            {
                "type": "bar",
                "name": "Поступило",
                "x": labels,
                "y": [d["received"] for d in days],
                "marker": {"color": "#0d6efd"},
            },
            {
                "type": "scatter",
                "mode": "lines+markers",
                "name": "Решено",
                "x": labels,
                "y": [d["decided"] for d in days],
                "line": {"color": "#198754"},
            },
        ],
        "layout": {
            "margin": {"l": 40, "r": 10, "t": 10, "b": 70},
            "height": 280,
            "xaxis": {"type": "category"},
            "legend": {"orientation": "h", "y": -0.35},
            "yaxis": {"rangemode": "tozero"},
        },
    }
