"""Priorities for polls: ranked by volume, growth, dissatisfaction and overdue, with reasons in words."""

from heatmap.metrics import formatted, value
from heatmap.priorities import PairStats, rank_priorities


def pair(territory, topic, received, previous=0, overdue=0, rated=0, dissatisfied=0):
    return PairStats(territory, topic, received, previous, overdue, rated, dissatisfied)


def test_pressing_pairs_come_first_with_their_reasons():
    rows = [
        pair(1, 10, 120, previous=40, overdue=30, rated=20, dissatisfied=12),  # big, growing, late, unhappy
        pair(2, 10, 15, previous=15),
        pair(3, 11, 30, previous=29, overdue=1),
        pair(1, 12, 12, previous=10),
        pair(2, 13, 3),  # below the minimum count
    ]
    ranked = rank_priorities(rows, min_count=10)
    assert [(p.stats.territory_id, p.stats.topic_id) for p in ranked][0] == (1, 10)
    assert len(ranked) == 4 and [p.rank for p in ranked] == [1, 2, 3, 4]
    top = " ".join(ranked[0].reasons)
    assert "много обращений: 120" in top and "рост на 200 % к предыдущему периоду (было 40)" in top
    assert "не удовлетворены ответом 60 % оценивших заявителей (12 из 20)" in top
    assert "нарушен срок ответа по 25 % обращений (30 из 120)" in top
    assert all(p.reasons for p in ranked)


def test_a_topic_new_to_a_territory_is_named_as_such():
    ranked = rank_priorities([pair(1, 10, 20, previous=0), pair(2, 10, 20, previous=20), pair(3, 10, 20, previous=25),
                              pair(4, 10, 20, previous=30), pair(5, 10, 20, previous=40)], min_count=10)  # fmt: skip
    assert ranked[0].stats.territory_id == 1
    assert any("новая тема: 20 обращений" in r for r in ranked[0].reasons)


def test_few_scores_say_nothing_about_dissatisfaction():
    ranked = rank_priorities([pair(1, 10, 20, rated=2, dissatisfied=2), pair(2, 10, 20)], min_count=10)
    assert all(p.dissatisfied_share is None for p in ranked)


def test_metric_values_and_their_russian_format():
    counts = {"received": 50, "overdue": 5, "rated": 8, "dissatisfied": 2}
    assert value("per_1000", counts, population=25_000) == 2.0
    assert formatted("per_1000", 2.0) == "2,00"
    assert formatted("overdue_share", value("overdue_share", counts)) == "10,0 %"
    assert formatted("growth", value("growth", counts, previous_received=40)) == "+25,0 %"
    assert value("growth", counts, previous_received=0) is None
    assert formatted("appeals", 12345) == "12 345"
    assert value("per_1000", counts, population=None) is None
