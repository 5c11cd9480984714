"""Every write of ratings: methodology versions, run requests, the computation of a run.

A methodology version is frozen once approved (editing it starts a new draft version); a run is
written once, in one transaction, and never updated after (a recomputation is a new run).
"""

import datetime
import logging
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from cur import audit
from cur.errors import NotPermitted
from cur.queue import send, send_on_commit
from cur.roles import can

from . import compute, indicators, periods, subjects
from .errors import RatingsError
from .models import Level, PeriodKind, RatingEntry, RatingIndicator, RatingMethodology, RatingRun
from .scoring import Weighting, score_subjects

log = logging.getLogger(__name__)
STALE_AFTER = datetime.timedelta(minutes=30)


def _require(by, capability: str) -> None:
    """`by=None` is the system (beat, demo, migrations); a user needs the capability."""
    if by is not None and not can(by, capability):
        raise NotPermitted("Недостаточно прав для этого действия.", code="not_permitted")


def current_methodology() -> RatingMethodology | None:
    """The newest approved version: what a run uses unless told otherwise."""
    return RatingMethodology.objects.filter(status=RatingMethodology.Status.APPROVED).order_by("-version").first()


# --- methodology ---------------------------------------------------------------------------------------


@transaction.atomic
def save_methodology(
    *, by, name: str, description: str = "", min_appeals: int, indicator_settings: dict[str, dict]
) -> RatingMethodology:
    """Edit the draft version; when the newest version is approved, start a new draft from it.

    `indicator_settings` = {code: {"weight", "direction", "normalisation"}} for every known code."""
    _require(by, "ratings.methodology.edit")
    if set(indicator_settings) != set(indicators.CODES):
        raise RatingsError("Укажите настройки для каждого показателя методики.", code="indicators_incomplete")
    if sum(Decimal(s["weight"]) for s in indicator_settings.values()) <= 0:
        raise RatingsError("Хотя бы один показатель должен иметь положительный вес.", code="no_weight")
    # The newest row locked: two admins saving at once get consecutive versions, not a duplicate.
    latest = RatingMethodology.objects.select_for_update().order_by("-version").first()
    fields = {"name": name.strip(), "description": description.strip(), "min_appeals": min_appeals}
    if latest is None or latest.is_approved:
        methodology = RatingMethodology(version=latest.version + 1 if latest else 1, based_on=latest, created_by=by)
        changes = {key: [None, value] for key, value in fields.items()}
        for key, value in fields.items():
            setattr(methodology, key, value)
        action = "ratings.methodology.create"
    else:
        methodology = latest
        changes = audit.apply_changes(methodology, fields)
        action = "ratings.methodology.update"
    methodology.full_clean(exclude=["based_on", "created_by", "approved_by"])
    methodology.save()
    existing = {i.code: i for i in methodology.indicators.all()}
    for position, code in enumerate(indicators.CODES):
        wanted = indicator_settings[code]
        row = existing.get(code) or RatingIndicator(methodology=methodology, code=code, name=indicators.spec(code).name)
        values = {"weight": Decimal(wanted["weight"]), "direction": wanted["direction"],
                  "normalisation": wanted["normalisation"], "position": position}  # fmt: skip
        before = {key: audit.jsonable(getattr(row, key, None)) for key in values}
        for key, value in values.items():
            setattr(row, key, value)
        row.full_clean(exclude=["methodology"])
        row.save()
        after = {key: audit.jsonable(value) for key, value in values.items()}
        if before != after:
            changes[f"indicator.{code}"] = [before, after]
    audit.record(by, action, methodology, changes)
    return methodology


@transaction.atomic
def approve_methodology(methodology: RatingMethodology, *, by) -> RatingMethodology:
    """The curator approves a draft: from now on it is frozen and runs may use it."""
    _require(by, "ratings.methodology.approve")
    if not methodology.indicators.filter(weight__gt=0).exists():
        raise RatingsError("В методике нет показателей с положительным весом.", code="no_weight")
    now = timezone.now()
    approved = RatingMethodology.objects.filter(pk=methodology.pk, status=RatingMethodology.Status.DRAFT).update(
        status=RatingMethodology.Status.APPROVED, approved_at=now, approved_by=by if getattr(by, "pk", None) else None
    )
    if not approved:
        raise RatingsError(f"Версия {methodology.version} уже утверждена.", code="already_approved")
    methodology.refresh_from_db()
    audit.record(by, "ratings.methodology.approve", methodology, {"status": ["draft", "approved"]})
    return methodology


# --- runs ----------------------------------------------------------------------------------------------


def _check_period(period: periods.Period) -> None:
    if period.end < period.start:
        raise RatingsError("Конец периода раньше его начала.", code="bad_period")
    if period.end >= periods.today():
        raise RatingsError(
            "Период ещё не закончился: рейтинг считается по завершённым периодам (срез — конец периода).",
            code="period_not_over",
        )
    if (period.end - period.start).days >= periods.MAX_CUSTOM_DAYS:
        raise RatingsError("Период длиннее трёх лет.", code="period_too_long")


@transaction.atomic
def request_run(
    *, level: str, period: periods.Period, by, methodology: RatingMethodology | None = None, queue: bool = True
) -> RatingRun:
    """Create a pending run and queue its computation (on commit)."""
    _require(by, "ratings.compute")
    if level not in Level.values or period.kind not in PeriodKind.values:
        raise RatingsError("Неизвестный уровень рейтинга или вид периода.", code="bad_level")
    methodology = methodology or current_methodology()
    if methodology is None or not methodology.is_approved:
        raise RatingsError("Рейтинг считается только по утверждённой методике.", code="methodology_not_approved")
    _check_period(period)
    run = RatingRun.objects.create(
        level=level, period_kind=period.kind, period_start=period.start, period_end=period.end,
        methodology=methodology, created_by=by if getattr(by, "pk", None) else None,
    )  # fmt: skip
    if by is not None:
        audit.record(by, "ratings.run.request", run, {"level": [None, level], "period": [None, period.label]})
    if queue:
        send_on_commit("ratings.tasks.compute_rating_run", run.pk)
    return run


@transaction.atomic
def request_runs(
    *, levels: list[str], period: periods.Period, by, methodology: RatingMethodology | None = None
) -> list[RatingRun]:
    """The same period for several levels: all of them or none."""
    return [request_run(level=level, period=period, methodology=methodology, by=by) for level in levels]


def compute_run(run_id: int) -> RatingRun | None:
    """Compute a run once: entries and status in one transaction; a computed run is left as it is."""
    try:
        with transaction.atomic():
            # The row lock serialises two deliveries of the task: the second waits, then sees DONE.
            run = RatingRun.objects.select_for_update().filter(pk=run_id).first()
            if run is None or run.status == RatingRun.Status.DONE:
                return run
            _compute(run)
            return run
    except Exception as exc:
        log.exception("Расчёт рейтинга %s не удался", run_id)
        RatingRun.objects.filter(pk=run_id).exclude(status=RatingRun.Status.DONE).update(
            status=RatingRun.Status.FAILED, error=f"{type(exc).__name__}: {exc}"[:2000]
        )
        return None


def _compute(run: RatingRun) -> None:
    methodology = run.methodology
    predicates = compute.Predicates.for_period(run.period_start, run.period_end)
    rows = compute.aggregates(run.level, predicates)
    rated = subjects.subjects_of(run.level, set(rows), run.period_end)
    names = {s.id: s.name for s in rated}
    weightings = [Weighting(i.code, i.weight, i.direction, i.normalisation) for i in methodology.indicators.all()]
    scored = score_subjects(rows, names, weightings, methodology.min_appeals)
    entries = [
        RatingEntry(
            run=run, subject_id=s.id, subject_name=s.name[:500], subject_attrs=s.attrs,
            values=scored[s.id].values, received=scored[s.id].received,
            has_enough_data=scored[s.id].has_enough_data, score=scored[s.id].score, rank=scored[s.id].rank,
        )
        for s in rated
    ]  # fmt: skip
    RatingEntry.objects.bulk_create(entries, batch_size=1000)
    run.status = RatingRun.Status.DONE
    run.computed_at = timezone.now()
    run.subject_count = len(entries)
    run.ranked_count = sum(1 for e in entries if e.rank is not None)
    run.error = ""
    run.save(update_fields=["status", "computed_at", "subject_count", "ranked_count", "error"])


# --- the schedule ----------------------------------------------------------------------------------


@transaction.atomic
def ensure_previous_month_runs(on: datetime.date | None = None) -> list[RatingRun]:
    """The previous month's run of every level with the current methodology, unless one exists
    (the beat calls it on the 1st, and its sweep every 15 minutes finds nothing to do after that)."""
    methodology = current_methodology()
    if methodology is None:
        return []
    # Locking the methodology row serialises two ticks racing on the same month.
    RatingMethodology.objects.select_for_update().filter(pk=methodology.pk).first()
    period = periods.previous_month(on)
    # Any run counts, a failed one too: a failure is for the curator to look at, not for every tick to repeat.
    existing = set(
        RatingRun.objects.filter(
            period_kind=PeriodKind.MONTH, period_start=period.start, period_end=period.end, methodology=methodology
        ).values_list("level", flat=True)
    )
    return [
        request_run(level=level, period=period, methodology=methodology, by=None)
        for level in Level.values
        if level not in existing
    ]


def requeue_stale_runs(older_than: datetime.timedelta = STALE_AFTER) -> int:
    """Send again the runs still pending long after they were requested (the task was lost)."""
    stale = RatingRun.objects.filter(
        status=RatingRun.Status.PENDING, created_at__lt=timezone.now() - older_than
    ).values_list("pk", flat=True)
    return sum(1 for pk in stale if send("ratings.tasks.compute_rating_run", pk))
