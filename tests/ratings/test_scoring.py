"""The arithmetic of a place: normalisation, weights, missing indicators, ties — no database."""

from decimal import Decimal

from ratings.scoring import Weighting, indicator_values, score_subjects

ON_TIME = Weighting("on_time", Decimal(60), "higher", "share")
OVERDUE = Weighting("open_overdue", Decimal(40), "lower", "minmax")


def row(received, on_time=None, due=None, overdue=0) -> dict:
    return {"received": received, "on_time": on_time or 0, "deadline_due": due or 0, "open_overdue": overdue}


def test_values_carry_numerator_and_denominator_and_shares_are_rounded():
    values = indicator_values({"received": 3, "on_time": 1, "deadline_due": 3})

    assert values["on_time"] == {"value": 0.3333, "numerator": 1, "denominator": 3, "normalised": None}
    assert values["received"]["value"] == 3
    assert values["median_days"] == {"value": None, "numerator": None, "denominator": 0, "normalised": None}


def test_minmax_maps_the_best_to_one_and_the_worst_to_zero():
    rows = {1: row(10, 5, 10, overdue=0), 2: row(10, 5, 10, overdue=4), 3: row(10, 5, 10, overdue=1)}
    scored = score_subjects(rows, {1: "А", 2: "Б", 3: "В"}, [OVERDUE], min_appeals=5)

    assert [scored[i].values["open_overdue"]["normalised"] for i in (1, 2, 3)] == [1.0, 0.0, 0.75]
    assert [scored[i].rank for i in (1, 2, 3)] == [1, 3, 2]


def test_everybody_equal_on_a_minmax_indicator_loses_nothing():
    rows = {1: row(10, overdue=2), 2: row(10, overdue=2)}
    scored = score_subjects(rows, {1: "А", 2: "Б"}, [OVERDUE], min_appeals=5)

    assert scored[1].score == scored[2].score == Decimal("100.00")
    assert scored[1].rank == scored[2].rank == 1


def test_an_undefined_indicator_gives_its_weight_to_the_others():
    rows = {1: row(10, 9, 10, overdue=0), 2: row(10, 0, 0, overdue=3)}  # subject 2: no deadline in the period
    scored = score_subjects(rows, {1: "А", 2: "Б"}, [ON_TIME, OVERDUE], min_appeals=5)

    assert scored[1].score == Decimal("94.00")  # (60×0.9 + 40×1) / 100
    assert scored[2].score == Decimal("0.00")  # only open_overdue counts, and it is the worst


def test_subjects_below_the_threshold_neither_rank_nor_stretch_the_range():
    rows = {1: row(10, overdue=1), 2: row(10, overdue=2), 3: row(2, overdue=50)}
    scored = score_subjects(rows, {1: "А", 2: "Б", 3: "В"}, [OVERDUE], min_appeals=5)

    assert scored[3].has_enough_data is False and scored[3].rank is None and scored[3].score is None
    assert scored[2].values["open_overdue"]["normalised"] == 0.0  # the range is 1..2, not 1..50


def test_equal_scores_share_a_place_and_the_next_place_is_skipped():
    rows = {1: row(10, 9, 10), 2: row(10, 8, 10), 3: row(10, 8, 10), 4: row(10, 1, 10)}
    scored = score_subjects(rows, {1: "А", 2: "Б", 3: "В", 4: "Г"}, [ON_TIME], min_appeals=5)

    assert [scored[i].rank for i in (1, 2, 3, 4)] == [1, 2, 2, 4]


def test_a_share_where_less_is_better_is_turned_around():
    reopened = Weighting("reopened", Decimal(1), "lower", "share")
    rows = {1: {"received": 10, "reopened": 2}}
    scored = score_subjects(rows, {1: "А"}, [reopened], min_appeals=1)

    assert scored[1].values["reopened"]["normalised"] == 0.8
    assert scored[1].score == Decimal("80.00")


def test_zero_weight_indicators_do_not_count():
    received = Weighting("received", Decimal(0), "lower", "minmax")
    rows = {1: row(10, 5, 10), 2: row(100, 5, 10)}
    scored = score_subjects(rows, {1: "А", 2: "Б"}, [received, ON_TIME], min_appeals=5)

    assert scored[1].score == scored[2].score == Decimal("50.00")
    assert scored[1].values["received"]["normalised"] is None
