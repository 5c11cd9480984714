"""Plotly figures of the rating pages: pure functions of selector output (plain dicts, testable
without a database or a browser; plotly.js renders them from our static files)."""

from collections.abc import Sequence

from cur.charts import LEGEND_ABOVE, axis

from .selectors import HistoryPoint

RANK_COLOUR, SCORE_COLOUR = "#0d6efd", "#198754"


def rank_and_score_figure(history: Sequence[HistoryPoint]) -> dict:
    """The subject's place (left axis, 1 at the top) and score 0–100 (right axis) by period."""
    labels = [point.label for point in history]
    ranks = [point.rank for point in history]
    scores = [point.score for point in history]
    hover_rank = [
        f"{p.label}: {p.rank}-е место из {p.ranked_count}" if p.rank is not None else f"{p.label}: недостаточно данных"
        for p in history
    ]
    # The axis spans every place of the largest run, so 1st of 30 looks like the top, not the middle.
    worst = max([r for r in ranks if r is not None] + [p.ranked_count for p in history] + [1])
    return {
        "data": [
            {"type": "scatter", "mode": "lines+markers", "name": "Место", "x": labels, "y": ranks,
             "yaxis": "y", "line": {"color": RANK_COLOUR}, "text": hover_rank, "hoverinfo": "text",
             "connectgaps": False},
            {"type": "scatter", "mode": "lines+markers", "name": "Балл", "x": labels, "y": scores,
             "yaxis": "y2", "line": {"color": SCORE_COLOUR, "dash": "dot"},
             "hovertemplate": "%{x}: балл %{y:.2f}<extra></extra>", "connectgaps": False},
        ],
        "layout": {
            "margin": {"l": 10, "r": 10, "t": 10, "b": 10},
            "height": 340,
            "legend": LEGEND_ABOVE,
            "xaxis": axis("Период", type="category"),
            "yaxis": axis("Место (1 — лучшее)", autorange=False, range=[worst + 0.5, 0.5],
                          dtick=max(1, worst // 10), zeroline=False),
            "yaxis2": axis("Балл (из 100)", overlaying="y", side="right", range=[0, 100], zeroline=False,
                           tickmode="auto", showgrid=False),
        },
    }  # fmt: skip
