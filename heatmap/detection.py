"""Problem point detection on plain weekly series: pure functions, no database.

A series is the count of appeals about one topic on one territory in consecutive 7-day windows, the
oldest first; its last window is «now» (the 7 days up to the detection day).

- A spike: the current window against the territory-topic baseline (the windows before it). Flagged when
  the current count reaches the minimum count, is at least `min_ratio` × the baseline mean, is unlikely
  if the rate had not changed (the conditional test of two Poisson rates: one-sided p below `alpha`), and
  stands `z_min` standard deviations above the mean — the deviation is the larger of the baseline's own
  spread and the Poisson one, so an irregular baseline (overdispersion) does not raise false alarms.
- A persistent problem: in most recent windows the count stays at or above `min_weekly`, and the rate
  per 1,000 residents is well above the region's rate for the topic (where the population is known).
"""

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass

MEAN_FLOOR = 0.5  # a baseline of zeros still expects «half an appeal a week», not none


@dataclass(frozen=True)
class SpikeRules:
    min_count: int = 5
    min_ratio: float = 2.0
    alpha: float = 0.0005
    z_min: float = 3.0
    min_baseline: int = 4  # windows of history needed to judge


@dataclass(frozen=True)
class PersistenceRules:
    weeks: int = 8
    min_weekly: int = 3
    min_weeks_above: int = 6
    rate_ratio: float = 1.5


@dataclass(frozen=True)
class Finding:
    observed: int
    expected: float
    score: float  # z
    p_value: float | None


def binomial_sf(k: int, n: int, p: float) -> float:
    """P(X ≥ k) for X ~ Binomial(n, p), summed in log space (stable for small tails)."""
    if k <= 0:
        return 1.0
    if k > n or p <= 0:
        return 0.0
    if p >= 1:
        return 1.0
    log_p, log_q = math.log(p), math.log1p(-p)
    log_n = math.lgamma(n + 1)
    return min(1.0, sum(math.exp(log_n - math.lgamma(i + 1) - math.lgamma(n - i + 1) + i * log_p + (n - i) * log_q)
                        for i in range(k, n + 1)))  # fmt: skip


def detect_spike(counts: Sequence[int], rules: SpikeRules = SpikeRules()) -> Finding | None:
    """The current (last) window of the series as a spike against the windows before it, or None."""
    if len(counts) < rules.min_baseline + 1:
        return None
    current, baseline = int(counts[-1]), [int(c) for c in counts[:-1]]
    if current < rules.min_count:
        return None
    mean = statistics.fmean(baseline)
    expected = max(mean, MEAN_FLOOR)
    if current < rules.min_ratio * expected:
        return None
    spread = statistics.pvariance(baseline) if len(baseline) > 1 else 0.0
    deviation = math.sqrt(max(spread, expected))
    z = (current - mean) / deviation
    # The conditional test of two Poisson rates: with equal rates, the current window's share of all the
    # appeals of the series is binomial with p = 1 / windows. Exact, and it allows for the baseline mean
    # being itself an estimate from a few weeks (a plain Poisson test against it raises false alarms).
    p = binomial_sf(current, current + sum(baseline), 1 / (len(baseline) + 1))
    if p >= rules.alpha or z < rules.z_min:
        return None
    return Finding(observed=current, expected=round(mean, 2), score=round(z, 2), p_value=p)


def detect_persistent(
    counts: Sequence[int],
    *,
    population: int | None,
    region_rate: float | None,
    rules: PersistenceRules = PersistenceRules(),
) -> Finding | None:
    """A steadily high territory-topic: most recent windows at or above `min_weekly`, and a rate per 1,000
    residents over `rate_ratio` × the region's rate (`region_rate`, appeals per 1,000 residents over the
    same windows). Without a population the rate cannot be compared: nothing is flagged."""
    recent = [int(c) for c in counts[-rules.weeks :]]
    if len(recent) < rules.weeks or not population or not region_rate:
        return None
    if sum(c >= rules.min_weekly for c in recent) < rules.min_weeks_above:
        return None
    rate = 1000 * sum(recent) / population
    if rate < rules.rate_ratio * region_rate:
        return None
    expected = region_rate * population / 1000 / rules.weeks
    return Finding(observed=sum(recent), expected=round(expected, 2), score=round(rate / region_rate, 2), p_value=None)


def spike_explanation(finding: Finding, *, window: str) -> str:
    p = "p < 0,001" if finding.p_value is not None and finding.p_value < 0.001 else f"p = {finding.p_value:.3f}"
    return (
        f"За 7 дней ({window}) — {finding.observed} обращ. при обычных {_num(finding.expected)} в неделю "
        f"(отклонение {_num(finding.score)} σ, {p.replace('.', ',')})."
    )


def persistent_explanation(finding: Finding, *, weeks: int) -> str:
    return (
        f"За {weeks} недель — {finding.observed} обращ.; в пересчёте на 1 000 жителей это в {_num(finding.score)} "
        f"раза выше, чем по области (ожидалось бы около {_num(finding.expected * weeks)})."
    )


def _num(value: float) -> str:
    return f"{value:.1f}".replace(".", ",")
