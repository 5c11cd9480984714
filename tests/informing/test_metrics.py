"""Audience growth is computed from the measured series (the definition asks for a growing audience)."""

import datetime

from informing.metrics import audience_growth, growth_figure

T0 = datetime.datetime(2026, 3, 1, 10, 0, tzinfo=datetime.UTC)


def at(hours: float) -> datetime.datetime:
    return T0 + datetime.timedelta(hours=hours)


def test_growth_compares_the_newest_measurement_with_one_a_day_older():
    series = [(at(0), 1000), (at(12), 1500), (at(24), 2000), (at(36), 3000)]

    growth = audience_growth(series)

    # Reference: the newest point at least 24 h before 36 h, i.e. 12 h (1500): +100 % over one day.
    assert growth.reach == 3000
    assert growth.delta == 1500
    assert growth.per_day == 100.0
    assert growth.growing


def test_a_short_series_is_measured_against_its_first_point_per_day():
    growth = audience_growth([(at(6), 400), (at(0), 200)])  # unsorted on purpose

    assert growth.per_day == 400.0  # +100 % in 6 hours = +400 % a day
    assert growth.label == "+400.0 % в сутки"


def test_a_shrinking_audience_is_not_growing():
    growth = audience_growth([(at(0), 5000), (at(30), 4000)])

    assert not growth.growing
    assert growth.per_day < 0


def test_no_series_or_one_point_has_no_rate():
    assert audience_growth([]).per_day is None
    assert audience_growth([]).label == "нет данных"
    single = audience_growth([(at(0), 700)])
    assert single.per_day is None and single.reach == 700 and single.label == "один замер"


def test_growth_from_zero_has_no_relative_rate_but_grows():
    growth = audience_growth([(at(0), 0), (at(30), 100)])

    assert growth.per_day is None
    assert growth.growing


def test_the_figure_is_a_plain_plotly_dict_in_time_order():
    figure = growth_figure([(at(5), 20), (at(0), 10)])

    assert figure["data"][0]["y"] == [10, 20]
    assert figure["data"][0]["x"][0].startswith("2026-03-01T10:00")
