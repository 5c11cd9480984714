"""Spike and persistence detection on synthetic series: pure functions, no database."""

import math
import random

from heatmap.detection import (
    PersistenceRules,
    SpikeRules,
    binomial_sf,
    detect_persistent,
    detect_spike,
    spike_explanation,
)


def poisson(rng: random.Random, mean: float) -> int:
    """Knuth's Poisson sampler (small means)."""
    limit, k, p = math.exp(-mean), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def test_binomial_tail_matches_known_values():
    assert binomial_sf(0, 10, 0.5) == 1.0
    assert math.isclose(binomial_sf(10, 10, 0.5), 0.5**10)
    assert math.isclose(binomial_sf(8, 10, 0.5), 56 / 1024)
    assert binomial_sf(11, 10, 0.5) == 0.0
    assert binomial_sf(60, 100, 0.05) < 1e-30


def test_a_planted_spike_is_detected():
    # Given eight ordinary weeks of about three appeals, then a week of fifteen
    finding = detect_spike([3, 2, 4, 3, 3, 2, 4, 3, 15])
    assert finding is not None
    assert finding.observed == 15
    assert finding.expected == 3.0
    assert finding.p_value < 1e-4 and finding.score > 3
    assert "15 обращ." in spike_explanation(finding, window="01.03–07.03.2026")


def test_a_flat_series_raises_no_alarm():
    assert detect_spike([5] * 9) is None
    assert detect_spike([0] * 9) is None


def test_noise_raises_no_false_alarms():
    rng = random.Random(7)
    alarms = 0
    for _ in range(2000):
        mean = rng.choice([0.5, 1, 2, 4, 8, 15])
        alarms += detect_spike([poisson(rng, mean) for _ in range(9)]) is not None
    assert alarms <= 2, f"{alarms} ложных тревог на 2000 рядов шума"


def test_noise_with_real_spikes_finds_them():
    rng = random.Random(11)
    found = 0
    for _ in range(200):
        series = [poisson(rng, 3) for _ in range(8)] + [poisson(rng, 3) + 15]
        found += detect_spike(series) is not None
    assert found >= 190


def test_the_minimum_count_is_respected():
    # Four appeals after a silent baseline is unlikely, but too few to call a problem
    assert detect_spike([0, 0, 0, 0, 0, 0, 0, 0, 4]) is None
    assert detect_spike([0, 0, 0, 0, 0, 0, 0, 0, 5]) is not None
    assert detect_spike([0] * 8 + [5], SpikeRules(min_count=6)) is None


def test_an_irregular_baseline_needs_a_bigger_jump():
    # A baseline that swings between 0 and 12 does not make 14 a spike
    assert detect_spike([0, 12, 1, 11, 0, 12, 2, 10, 14]) is None


def test_too_short_a_history_is_not_judged():
    assert detect_spike([1, 1, 30]) is None


def test_a_persistently_high_topic_is_found_where_its_rate_is_high():
    rules = PersistenceRules()
    steady = [6, 5, 7, 6, 6, 5, 7, 6]
    # 48 appeals in 8 weeks on 10,000 residents: 4.8 per 1,000 against 1.0 in the region
    finding = detect_persistent(steady, population=10_000, region_rate=1.0, rules=rules)
    assert finding is not None and finding.score == 4.8
    # The same count is ordinary in a big city
    assert detect_persistent(steady, population=100_000, region_rate=1.0) is None
    # Without a population nothing can be compared
    assert detect_persistent(steady, population=None, region_rate=1.0) is None
    # Weeks below the minimum do not make a persistent problem
    assert detect_persistent([6, 0, 7, 0, 6, 0, 7, 6], population=10_000, region_rate=1.0) is None
