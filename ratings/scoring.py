"""From counts to a place: indicator values, normalisation, the weighted score and the rank.

Pure functions of the aggregates (no database), so the arithmetic is tested by hand. Values are
rounded before they are normalised and the score is summed in Decimal, so a recomputation over
the same data yields the same digits.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from . import indicators
from .compute import COLUMNS

SHARE_DIGITS = 4
DAYS_DIGITS = 2
CENT = Decimal("0.01")


@dataclass(frozen=True)
class Weighting:
    """One indicator of a methodology version as the scoring sees it."""

    code: str
    weight: Decimal
    direction: str  # "higher" | "lower"
    normalisation: str  # "share" | "minmax"


@dataclass
class Scored:
    values: dict[str, dict]
    received: int
    has_enough_data: bool
    score: Decimal | None = None
    rank: int | None = None


def _share(numerator: int, denominator: int) -> float | None:
    return round(numerator / denominator, SHARE_DIGITS) if denominator else None


def indicator_values(row: dict) -> dict[str, dict]:
    """{code: {"value", "numerator", "denominator"}} from one subject's aggregate row (missing counts are 0)."""
    values = {}
    for code in indicators.CODES:
        numerator_key, denominator_key = COLUMNS[code]
        numerator = int(row.get(numerator_key) or 0) if numerator_key else None
        denominator = int(row.get(denominator_key) or 0) if denominator_key else None
        kind = indicators.spec(code).kind
        if kind == indicators.Kind.SHARE:
            value = _share(numerator, denominator)
        elif kind == indicators.Kind.MEDIAN:
            median = row.get("median")
            value = round(float(median), DAYS_DIGITS) if median is not None and denominator else None
        else:
            value = numerator
        values[code] = {"value": value, "numerator": numerator, "denominator": denominator, "normalised": None}
    return values


def _normalise(value: float, weighting: Weighting, low: float | None, high: float | None) -> float:
    if weighting.normalisation == "share":
        share = min(max(float(value), 0.0), 1.0)
        result = share if weighting.direction == "higher" else 1.0 - share
    elif high == low:
        result = 1.0  # everybody equal: nobody loses points on this indicator
    elif weighting.direction == "higher":
        result = (value - low) / (high - low)
    else:
        result = (high - value) / (high - low)
    return round(result, SHARE_DIGITS)


def score_subjects(
    rows: dict[int, dict], names: dict[int, str], weightings: list[Weighting], min_appeals: int
) -> dict[int, Scored]:
    """Score every subject of `names` (a subject without any appeals gets zeros), then rank those with
    enough data: the min-max range is taken over them only, so the others do not stretch it."""
    scored: dict[int, Scored] = {}
    for subject in names:
        values = indicator_values(rows.get(subject, {}))
        received = values["received"]["value"]
        scored[subject] = Scored(values, received, received >= min_appeals)
    ranked = [s for s in scored.values() if s.has_enough_data]
    active = [w for w in weightings if w.weight > 0]
    ranges = {}
    for w in active:
        present = [s.values[w.code]["value"] for s in ranked if s.values[w.code]["value"] is not None]
        ranges[w.code] = (min(present), max(present)) if present else (None, None)
    for s in ranked:
        total, weights = Decimal(0), Decimal(0)
        for w in active:
            value = s.values[w.code]["value"]
            if value is None:
                continue  # undefined here (no denominator): its weight goes to the others
            normalised = _normalise(value, w, *ranges[w.code])
            s.values[w.code]["normalised"] = normalised
            total += Decimal(str(normalised)) * w.weight
            weights += w.weight
        if weights:
            s.score = (total * 100 / weights).quantize(CENT, rounding=ROUND_HALF_UP)
    _rank(scored, names)
    return scored


def _rank(scored: dict[int, Scored], names: dict[int, str]) -> None:
    """Competition ranking (1, 2, 2, 4): equal scores share a place."""
    order = sorted(
        (subject for subject, s in scored.items() if s.has_enough_data and s.score is not None),
        key=lambda subject: (-scored[subject].score, names[subject], subject),
    )
    previous_score, previous_rank = None, 0
    for position, subject in enumerate(order, start=1):
        s = scored[subject]
        if s.score != previous_score:
            previous_score, previous_rank = s.score, position
        s.rank = previous_rank
