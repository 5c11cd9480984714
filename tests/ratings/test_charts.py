"""The subject's chart is a valid plotly figure built from the history alone."""

import datetime

import plotly.graph_objects as go

from ratings.charts import rank_and_score_figure
from ratings.selectors import HistoryPoint


def point(month, rank, score, ranked=10):
    return HistoryPoint(month, f"месяц {month}", datetime.date(2025, month, 1), rank, score, ranked)


def test_the_figure_is_valid_plotly_with_place_reversed_and_score_on_its_own_axis():
    figure = rank_and_score_figure([point(8, 4, 60.5), point(9, None, None), point(10, 1, 88.0)])

    go.Figure(figure)  # raises on an invalid property
    rank, score = figure["data"]
    assert rank["y"] == [4, None, 1] and score["y"] == [60.5, None, 88.0]
    assert score["yaxis"] == "y2"
    low, high = figure["layout"]["yaxis"]["range"]
    assert low > high  # 1st place at the top
    assert "недостаточно данных" in rank["text"][1]


def test_an_empty_history_still_makes_a_figure():
    figure = rank_and_score_figure([])
    go.Figure(figure)
    assert figure["data"][0]["x"] == []
