"""The figures of a report, computed from the data for a set of sector blocks (None: the whole region)
and a period. Plain JSON-ready dicts: a report stores them as they are when it is approved.

Appeal counts are one aggregate over the appeals registered in the period (served by the appeals'
registered_at index); top problems are a GROUP BY topic × territory over the same rows; problem points
come from the heat map; the rating of the block's organisations from the newest organisation rating
run that covers the period.
"""

import datetime

from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Q
from django.db.models.functions import TruncDate

from appeals.models import Appeal
from heatmap.models import ProblemPoint
from ratings.models import Level, RatingEntry, RatingRun
from ratings.periods import MOSCOW, bounds
from sectors.models import Organisation, SectorBlock

TOP_PROBLEMS = 10
RATING_ROWS = 15
DAYS_30 = datetime.timedelta(days=30)

# (code, Russian label, numerator, denominator) of the shares shown in a report and used by indicators.
SHARES = (
    ("on_time_share", "Доля ответов в срок, %", "answered_on_time", "answered"),
    ("within_30_share", "Доля ответов в течение 30 дней, %", "answered_within_30", "answered"),
    ("on_merits_share", "Доля ответов по существу, %", "on_merits", "quality_checked"),
    ("satisfied_share", "Доля удовлетворённых заявителей, %", "satisfied", "rated"),
)
COUNT_LABELS = (
    ("received", "Поступило обращений"),
    ("answered", "Дан ответ"),
    ("answered_on_time", "Ответ в срок"),
    ("overdue", "Просрочено"),
    ("open", "Не закрыто на конец расчёта"),
    ("rated", "Есть оценка заявителя"),
    ("satisfaction_avg", "Средняя оценка заявителя (1–5)"),
)


def _appeals(block_ids: list[int] | None, start: datetime.date, end: datetime.date):
    begin, cutoff = bounds(start, end)
    qs = Appeal.objects.filter(registered_at__gte=begin, registered_at__lt=cutoff)
    return qs if block_ids is None else qs.filter(sector_block_id__in=block_ids)


def _pct(numerator: int, denominator: int) -> float | None:
    return round(100 * numerator / denominator, 1) if denominator else None


def _counters() -> dict:
    return {
        "received": Count("pk"),
        "answered": Count("pk", filter=Q(answered_at__isnull=False)),
        "answered_on_time": Count(
            "pk", filter=Q(answered_at__isnull=False, due_at__isnull=False, answered_at__lte=F("due_at"))
        ),
        "answered_within_30": Count("pk", filter=Q(answered_at__isnull=False, answered_in__lte=DAYS_30)),
        "quality_checked": Count("pk", filter=~Q(answer_quality="")),
        "on_merits": Count("pk", filter=Q(answer_quality=Appeal.AnswerQuality.ON_MERITS)),
        "rated": Count("pk", filter=Q(satisfaction__isnull=False)),
        "satisfied": Count("pk", filter=Q(satisfaction__gte=4)),
        "overdue": Count("pk", filter=Q(overdue_at__isnull=False)),
        "open": Count("pk", filter=Q(status__in=Appeal.OPEN_STATUSES)),
        "satisfaction_avg": Avg("satisfaction"),
    }


def _finish(row: dict) -> dict:
    row["satisfaction_avg"] = round(row["satisfaction_avg"], 2) if row["satisfaction_avg"] is not None else None
    for code, _label, numerator, denominator in SHARES:
        row[code] = _pct(row[numerator], row[denominator])
    return row


def _with_answer_time(qs):
    return qs.annotate(
        answered_in=ExpressionWrapper(F("answered_at") - F("registered_at"), output_field=DurationField())
    )


def _totals(qs) -> dict:
    return _finish(_with_answer_time(qs).aggregate(**_counters()))


def totals_by_block(qs) -> dict[int, dict]:
    """The totals of each sector block in one GROUP BY."""
    rows = _with_answer_time(qs).values("sector_block_id").annotate(**_counters()).order_by()
    return {r.pop("sector_block_id"): _finish(r) for r in rows}


def _daily(qs) -> list[list]:
    rows = (
        qs.annotate(day=TruncDate("registered_at", tzinfo=MOSCOW)).values("day").annotate(n=Count("pk")).order_by("day")
    )
    return [[r["day"].isoformat(), r["n"]] for r in rows]


def _top_problems(qs) -> list[dict]:
    rows = (
        qs.exclude(topic=None)
        .values("topic_id", "topic__name", "territory__name")
        .annotate(n=Count("pk"))
        .order_by("-n", "topic__name", "territory__name")[:TOP_PROBLEMS]
    )
    return [
        {"topic": r["topic__name"], "territory": r["territory__name"] or "не определена", "appeals": r["n"]}
        for r in rows
    ]


def _problem_points(block_ids: list[int] | None, start: datetime.date, end: datetime.date) -> list[dict]:
    qs = ProblemPoint.objects.filter(first_detected_at__date__lte=end, window_end__gte=start).exclude(
        status=ProblemPoint.Status.DISMISSED
    )
    if block_ids is not None:
        qs = qs.filter(topic__sector_block_id__in=block_ids)
    qs = qs.select_related("topic", "territory").order_by("-score", "id")[:TOP_PROBLEMS]
    return [
        {"topic": p.topic.name, "territory": p.territory.name, "status": p.get_status_display(), "observed": p.observed}
        for p in qs
    ]


def _rating(block_ids: list[int] | None, start: datetime.date, end: datetime.date) -> dict | None:
    """The block's organisations in the newest organisation rating of a period inside the report's."""
    run = (
        RatingRun.objects.filter(
            level=Level.ORGANISATION, status=RatingRun.Status.DONE, period_start__gte=start, period_end__lte=end
        )
        .order_by("-period_end", "-period_start", "-computed_at", "-pk")
        .first()
    )
    if run is None:
        return None
    entries = RatingEntry.objects.filter(run=run)
    if block_ids is not None:
        organisations = Organisation.objects.filter(sector_blocks__in=block_ids).values("pk")
        entries = entries.filter(subject_id__in=organisations)
    entries = entries.order_by("rank", "subject_name")[:RATING_ROWS]
    return {
        "run": run.pk,
        "period": f"{run.period_start:%d.%m.%Y} — {run.period_end:%d.%m.%Y}",
        "entries": [
            {
                "name": e.subject_name,
                "rank": e.rank,
                "score": float(e.score) if e.score is not None else None,
                "received": e.received,
            }
            for e in entries
        ],
    }


def period_figures(block_ids: list[int] | None, start: datetime.date, end: datetime.date) -> dict:
    """Every figure of a report for these blocks (None: the region) and period, JSON-ready."""
    qs = _appeals(block_ids, start, end)
    figures = {
        "period": [start.isoformat(), end.isoformat()],
        "totals": _totals(qs),
        "daily": _daily(qs),
        "top_problems": _top_problems(qs),
        "problem_points": _problem_points(block_ids, start, end),
        "rating": _rating(block_ids, start, end),
    }
    if block_ids is None:
        figures["blocks"] = _by_block(qs)
    return figures


def _by_block(qs) -> list[dict]:
    """The summary report's table: every active block with its counts and shares."""
    rows = totals_by_block(qs)
    out = []
    for block in SectorBlock.objects.filter(is_active=True).order_by("position", "name"):
        r = rows.get(block.pk, {})
        out.append(
            {
                "code": block.code,
                "name": block.name,
                "received": r.get("received", 0),
                "answered": r.get("answered", 0),
                "overdue": r.get("overdue", 0),
                "on_time_share": r.get("on_time_share"),
                "on_merits_share": r.get("on_merits_share"),
            }
        )
    return out


def summary_rows(figures: dict) -> list[tuple[str, str]]:
    """(label, value) of the totals, for pages and exports."""
    totals = figures.get("totals", {})
    rows = [(label, fmt(totals.get(code))) for code, label in COUNT_LABELS]
    rows += [(label, fmt(totals.get(code))) for code, label, _n, _d in SHARES]
    return rows


def fmt(value) -> str:
    if value is None:
        return "—"
    if isinstance(value, float):
        return f"{value:.1f}".replace(".", ",") if value != int(value) else str(int(value))
    return str(value)
