"""Priorities for polls and votes: topic × territory pairs ranked by volume, growth, dissatisfaction and
overdue, each with its reasons in words. Pure functions of summed counters (no database)."""

from collections.abc import Sequence
from dataclasses import dataclass, field

from .metrics import growth, share

WEIGHTS = {"volume": 0.35, "growth": 0.25, "dissatisfied": 0.2, "overdue": 0.2}
MIN_RATED = 3  # fewer scores say nothing about dissatisfaction
NOTABLE = 0.75  # a component at or above this percentile is named as a reason


@dataclass(frozen=True)
class PairStats:
    territory_id: int | None
    topic_id: int
    received: int
    previous: int
    overdue: int
    rated: int
    dissatisfied: int


@dataclass
class Priority:
    stats: PairStats
    score: float
    growth: float | None
    overdue_share: float | None
    dissatisfied_share: float | None
    reasons: list[str] = field(default_factory=list)
    rank: int = 0


def _percentiles(values: Sequence[float]) -> list[float]:
    """Each value's share of the others it is strictly above (ties share the lower rank): 0…1."""
    n = len(values)
    if n <= 1:
        return [1.0] * n
    ordered = sorted(values)
    below = {}
    for index, value in enumerate(ordered):
        below.setdefault(value, index)
    return [below[v] / (n - 1) for v in values]


def _pct(value: float) -> str:
    return f"{100 * value:.0f} %"


def rank_priorities(rows: Sequence[PairStats], *, min_count: int = 10, limit: int = 50) -> list[Priority]:
    """Pairs with at least `min_count` appeals, the most pressing first, with reasons."""
    rows = [r for r in rows if r.received >= min_count and r.topic_id is not None]
    if not rows:
        return []
    volume = _percentiles([r.received for r in rows])
    raw_growth = [(r.received - r.previous) / max(r.previous, 1) for r in rows]
    growth_pct = _percentiles(raw_growth)
    dissatisfied = [share(r.dissatisfied, r.rated) if r.rated >= MIN_RATED else 0.0 for r in rows]
    dissatisfied_pct = _percentiles(dissatisfied)
    overdue = [share(r.overdue, r.received) or 0.0 for r in rows]
    overdue_pct = _percentiles(overdue)
    result = []
    for i, r in enumerate(rows):
        parts = {
            "volume": volume[i],
            "growth": growth_pct[i] if raw_growth[i] > 0 else 0.0,
            "dissatisfied": dissatisfied_pct[i] if dissatisfied[i] > 0 else 0.0,
            "overdue": overdue_pct[i] if overdue[i] > 0 else 0.0,
        }
        score = 100 * sum(WEIGHTS[k] * v for k, v in parts.items())
        priority = Priority(r, round(score, 1), growth(r.received, r.previous), share(r.overdue, r.received),
                            share(r.dissatisfied, r.rated) if r.rated >= MIN_RATED else None)  # fmt: skip
        result.append((priority, parts))
    result.sort(key=lambda item: _order(item[0]))
    for rank, (priority, parts) in enumerate(result[:limit], start=1):
        priority.rank = rank
        priority.reasons = _reasons(priority.stats, parts, priority)  # words only for the pairs shown
    return [priority for priority, _ in result[:limit]]


def _order(p: Priority) -> tuple:
    return -p.score, -p.stats.received, p.stats.topic_id, p.stats.territory_id or 0


def _reasons(r: PairStats, parts: dict[str, float], p: Priority) -> list[str]:
    reasons = []
    if parts["volume"] >= NOTABLE:
        reasons.append(f"много обращений: {r.received} — больше, чем у {_pct(parts['volume'])} других пар")
    if parts["growth"] >= NOTABLE:
        if r.previous:
            reasons.append(f"рост на {_pct(p.growth)} к предыдущему периоду (было {r.previous})")
        else:
            reasons.append(f"новая тема: {r.received} обращений при отсутствии их в предыдущем периоде")
    if parts["dissatisfied"] >= NOTABLE:
        reasons.append(f"не удовлетворены ответом {_pct(p.dissatisfied_share)} оценивших заявителей "
                       f"({r.dissatisfied} из {r.rated})")  # fmt: skip
    if parts["overdue"] >= NOTABLE:
        reasons.append(f"нарушен срок ответа по {_pct(p.overdue_share)} обращений ({r.overdue} из {r.received})")
    if not reasons:
        top = max(parts, key=parts.get)
        reasons.append({
            "volume": f"устойчивый поток обращений: {r.received} за период",
            "growth": f"рост к предыдущему периоду: было {r.previous}, стало {r.received}",
            "dissatisfied": f"есть неудовлетворённые ответом: {r.dissatisfied} из {r.rated} оценивших",
            "overdue": f"есть нарушения срока ответа: {r.overdue} из {r.received}",
        }[top])  # fmt: skip
    return reasons
