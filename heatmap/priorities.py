# ruff: noqa: S608 — the SQL text is built from this module's constants and the caller's compiled querysets;
# every value is a parameter.
"""Priorities for polls and votes: topic × territory pairs ranked by volume, growth, dissatisfaction and
overdue, each with its reasons in words.

The ranking runs in the database (one statement over the summed pairs, which returns only the pairs shown):
at 10M appeals a 90-day period has ≈ 6,000 pairs, and ranking them in Python took most of the page's time.
Each component is a percentile among the pairs with at least `min_count` appeals — the share of the other
pairs it is strictly above, ties sharing the lower rank (SQL's `percent_rank`; 1 when a pair is alone) — and
counts only where it is above zero (no growth, no dissatisfaction, no overdue add nothing)."""

from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db import connection

from .metrics import growth, share

WEIGHTS = {"volume": 0.35, "growth": 0.25, "dissatisfied": 0.2, "overdue": 0.2}
MIN_RATED = 3  # fewer scores say nothing about dissatisfaction
NOTABLE = 0.75  # a component at or above this percentile is named as a reason
PAIR_COLUMNS = ("territory_id", "topic_id", "received", "previous", "overdue", "rated", "dissatisfied")


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


def _double(expression: str) -> str:
    return f"CAST({expression} AS DOUBLE PRECISION)"


def _part(name: str, measure: str, *, gated: bool = True) -> str:
    """A component's percentile by `measure`; `gated`: zero where the measure is not above zero."""
    rank = f"CASE WHEN COUNT(*) OVER () = 1 THEN 1.0 ELSE PERCENT_RANK() OVER (ORDER BY {measure}) END"
    return f"CASE WHEN {measure} > 0 THEN {rank} ELSE 0.0 END AS part_{name}" if gated else f"{rank} AS part_{name}"


_SCORE = " + ".join(f"{weight!r} * part_{name}" for name, weight in WEIGHTS.items())
RANK_SQL = f"""WITH pairs AS ({{source}}),
measured AS (
    SELECT {", ".join(PAIR_COLUMNS)},
        {_double("received - previous")} / CASE WHEN previous > 1 THEN previous ELSE 1 END AS raw_growth,
        CASE WHEN rated >= {MIN_RATED} THEN {_double("dissatisfied")} / rated ELSE 0.0 END AS raw_dissatisfied,
        {_double("overdue")} / received AS raw_overdue
    FROM pairs WHERE received >= %s AND received > 0 AND territory_id IS NOT NULL AND topic_id IS NOT NULL),
parts AS (
    SELECT measured.*, {_part("volume", "received", gated=False)}, {_part("growth", "raw_growth")},
        {_part("dissatisfied", "raw_dissatisfied")}, {_part("overdue", "raw_overdue")}
    FROM measured),
scored AS (SELECT parts.*, ROUND(CAST(100 * ({_SCORE}) AS NUMERIC), 1) AS score FROM parts)
SELECT {", ".join(PAIR_COLUMNS)}, score, part_volume, part_growth, part_dissatisfied, part_overdue FROM scored
ORDER BY score DESC, received DESC, topic_id, territory_id LIMIT %s"""


def rank_priorities(source: str, params: Sequence, *, min_count: int = 10, limit: int = 50) -> list[Priority]:
    """The pairs of `source` — SQL giving one row per (territory, topic) with the columns `PAIR_COLUMNS` —
    that have at least `min_count` appeals, the most pressing first, with their reasons."""
    with connection.cursor() as cursor:
        cursor.execute(RANK_SQL.format(source=source), [*params, min_count, limit])
        rows = cursor.fetchall()
    width = len(PAIR_COLUMNS)
    result = []
    for rank, row in enumerate(rows, start=1):
        stats = PairStats(*(int(v) for v in row[:width]))  # SUM of bigint is numeric
        parts = dict(zip(WEIGHTS, (float(v) for v in row[width + 1 :]), strict=True))
        dissatisfied = share(stats.dissatisfied, stats.rated) if stats.rated >= MIN_RATED else None
        priority = Priority(stats, float(row[width]), growth(stats.received, stats.previous),
                            share(stats.overdue, stats.received), dissatisfied, rank=rank)  # fmt: skip
        priority.reasons = _reasons(stats, parts, priority)
        result.append(priority)
    return result


def _pct(value: float) -> str:
    return f"{100 * value:.0f} %"


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
