"""Priorities for polls: ranked by volume, growth, dissatisfaction and overdue (in the database), with reasons
in words."""

import random

import pytest

from heatmap.metrics import formatted, value
from heatmap.priorities import MIN_RATED, PAIR_COLUMNS, WEIGHTS, PairStats, rank_priorities

from .reference import scored_pairs

pytestmark = pytest.mark.django_db


def pair(territory, topic, received, previous=0, overdue=0, rated=0, dissatisfied=0):
    return PairStats(territory, topic, received, previous, overdue, rated, dissatisfied)


def rank(rows, **kwargs):
    """`rank_priorities` over these pairs given as a VALUES list (the source the pages give is the rollup)."""
    values = ", ".join(["(" + ", ".join(["%s"] * len(PAIR_COLUMNS)) + ")"] * len(rows))
    columns = ", ".join(f"column{i + 1} AS {c}" for i, c in enumerate(PAIR_COLUMNS))
    source = f"SELECT {columns} FROM (VALUES {values}) v"  # noqa: S608
    return rank_priorities(source, [getattr(r, c) for r in rows for c in PAIR_COLUMNS], **kwargs)


def test_pressing_pairs_come_first_with_their_reasons():
    rows = [
        pair(1, 10, 120, previous=40, overdue=30, rated=20, dissatisfied=12),  # big, growing, late, unhappy
        pair(2, 10, 15, previous=15),
        pair(3, 11, 30, previous=29, overdue=1),
        pair(1, 12, 12, previous=10),
        pair(2, 13, 3),  # below the minimum count
    ]
    ranked = rank(rows, min_count=10)
    assert [(p.stats.territory_id, p.stats.topic_id) for p in ranked] == [(1, 10), (3, 11), (1, 12), (2, 10)]
    assert [p.rank for p in ranked] == [1, 2, 3, 4]
    # the first pair tops every component: volume, growth (200 %), dissatisfied (the only one), overdue (25 %)
    assert ranked[0].score == 100.0 and ranked[0].stats == rows[0]
    top = " ".join(ranked[0].reasons)
    assert "много обращений: 120" in top and "рост на 200 % к предыдущему периоду (было 40)" in top
    assert "не удовлетворены ответом 60 % оценивших заявителей (12 из 20)" in top
    assert "нарушен срок ответа по 25 % обращений (30 из 120)" in top
    assert all(p.reasons for p in ranked)
    assert [p.stats.topic_id for p in rank(rows, min_count=10, limit=2)] == [10, 11]


def test_a_topic_new_to_a_territory_is_named_as_such():
    ranked = rank([pair(1, 10, 20, previous=0), pair(2, 10, 20, previous=20), pair(3, 10, 20, previous=25),
                   pair(4, 10, 20, previous=30), pair(5, 10, 20, previous=40)], min_count=10)  # fmt: skip
    assert ranked[0].stats.territory_id == 1
    assert any("новая тема: 20 обращений" in r for r in ranked[0].reasons)


def test_few_scores_say_nothing_about_dissatisfaction():
    ranked = rank([pair(1, 10, 20, rated=2, dissatisfied=2), pair(2, 10, 20)], min_count=10)
    assert all(p.dissatisfied_share is None for p in ranked)
    assert ranked[0].score == ranked[1].score == 0.0  # equal volume, no growth, nobody late or unhappy


def test_a_pair_alone_takes_the_top_of_every_component_it_has():
    (only,) = rank([pair(1, 10, 20, previous=10, overdue=2), pair(2, 10, 5)], min_count=10)
    assert only.score == round(100 * (WEIGHTS["volume"] + WEIGHTS["growth"] + WEIGHTS["overdue"]), 1)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_ranking_equals_percentiles_computed_in_python(seed):
    rng = random.Random(seed)
    rows = []
    for territory in range(1, 13):
        for topic in range(1, 40):
            received = rng.choice([0, 3, 9, 10, 11, 12, 15, 20, 40, 80, 200])  # many ties
            rows.append(pair(territory, topic, received, previous=rng.choice([0, 1, 5, 10, received]),
                             overdue=rng.randint(0, received // 3), rated=(rated := rng.randint(0, 6)),
                             dissatisfied=rng.randint(0, rated)))  # fmt: skip
    expected = scored_pairs(rows, min_count=10, weights=WEIGHTS, min_rated=MIN_RATED)
    ranked = rank(rows, min_count=10, limit=1000)
    keys = [(p.stats.territory_id, p.stats.topic_id) for p in ranked]
    assert len(expected) > 100 and sorted(keys) == sorted(expected)
    # each pair's score as Python computes it (rounded to 0.1 on either side of a rounding edge) …
    assert [p.score for p in ranked] == pytest.approx([expected[k] for k in keys], abs=0.051)
    # … and the pairs in the order of score, then volume, then topic and territory
    order = [(-p.score, -p.stats.received, p.stats.topic_id, p.stats.territory_id) for p in ranked]
    assert order == sorted(order) and [p.rank for p in ranked] == list(range(1, len(ranked) + 1))


def test_metric_values_and_their_russian_format():
    counts = {"received": 50, "overdue": 5, "rated": 8, "dissatisfied": 2}
    assert value("per_1000", counts, population=25_000) == 2.0
    assert formatted("per_1000", 2.0) == "2,00"
    assert formatted("overdue_share", value("overdue_share", counts)) == "10,0 %"
    assert formatted("growth", value("growth", counts, previous_received=40)) == "+25,0 %"
    assert value("growth", counts, previous_received=0) is None
    assert formatted("appeals", 12345) == "12 345"
    assert value("per_1000", counts, population=None) is None
