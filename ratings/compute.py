"""The SQL of a rating run: set-based aggregates over the appeals, grouped by subject.

A run costs a few queries whatever the size of the table (DESIGN §6): one GROUP BY over the appeals
with a conditional aggregate per indicator (COUNT(*) FILTER (WHERE …)), one for the reopened and repeated
ones, one for the median answer time (PERCENTILE_CONT on PostgreSQL), one GROUP BY over the appeal events
for the redirects, and the subjects.
No appeal passes through Python (on SQLite, the development database, the median is the exception:
it has no PERCENTILE_CONT, so the answer times of the period are fetched and the median taken here).

Every indicator is a predicate built here once (`Predicates`); the drill-down pages filter the
appeals with the same predicates, so the appeals behind a number are exactly the ones counted.
"Now" is the period's cut-off, never the clock: the same data gives the same numbers.
"""

import datetime
import statistics
from collections import defaultdict
from dataclasses import dataclass

from django.db import connection
from django.db.models import (
    Aggregate,
    BigIntegerField,
    Case,
    Count,
    Exists,
    F,
    FloatField,
    Func,
    OuterRef,
    Q,
    QuerySet,
    When,
)  # fmt: skip
from django.db.models.fields.json import KeyTextTransform, KeyTransform
from django.db.models.functions import Cast, TruncDate

from appeals.models import Appeal, AppealEvent
from sectors.models import Territory

from .models import Level
from .periods import MOSCOW, bounds

S, K = Appeal.Status, AppealEvent.Kind
NOT_REJECTED = ~Q(status=S.REJECTED)
HANDED = (K.ASSIGNED, K.REDIRECTED)


class Median(Aggregate):
    """PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY …) — PostgreSQL only."""

    function = "PERCENTILE_CONT"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()


def _answer_days() -> Func:
    """Days from registration to the answer, with the fraction (PostgreSQL)."""
    return Func(
        F("answered_at"), F("registered_at"), arg_joiner=" - ", output_field=FloatField(),
        template="(EXTRACT(EPOCH FROM (%(expressions)s)) / 86400.0)::double precision",
    )  # fmt: skip


def _organisation_in(changes_index: int) -> Cast:
    """An event's organisation before (0) or after (1) the change: changes = {"organisation": [old, new]}."""
    return Cast(KeyTextTransform(str(changes_index), KeyTransform("organisation", "changes")), BigIntegerField())


def subject_expression(level: str, prefix: str = ""):
    """The subject an appeal counts for: its executor, its block, or the municipality of its territory
    (a settlement or locality rolls up to its district or okrug, at most two levels up)."""
    if level == Level.ORGANISATION:
        return F(f"{prefix}organisation_id")
    if level == Level.SECTOR_BLOCK:
        return F(f"{prefix}sector_block_id")
    kinds = list(Territory.MUNICIPAL_KINDS)
    path = f"{prefix}territory"
    return Case(
        When(**{f"{path}__kind__in": kinds}, then=F(f"{path}_id")),
        When(**{f"{path}__parent__kind__in": kinds}, then=F(f"{path}__parent_id")),
        When(**{f"{path}__parent__parent__kind__in": kinds}, then=F(f"{path}__parent__parent_id")),
        default=None,
        output_field=BigIntegerField(),
    )


@dataclass(frozen=True)
class Predicates:
    """The appeals behind each indicator over the window [start, cutoff)."""

    start: datetime.datetime
    cutoff: datetime.datetime

    @classmethod
    def for_period(cls, start: datetime.date, end: datetime.date) -> "Predicates":
        return cls(*bounds(start, end))

    @staticmethod
    def with_dates(qs: QuerySet[Appeal]) -> QuerySet[Appeal]:
        """Moscow calendar dates of the answer and the deadline: «on time» compares days, not seconds."""
        return qs.alias(answered_on=TruncDate("answered_at", tzinfo=MOSCOW), due_on=TruncDate("due_at", tzinfo=MOSCOW))

    def registered(self) -> Q:
        return Q(registered_at__gte=self.start, registered_at__lt=self.cutoff) & NOT_REJECTED

    def answered(self) -> Q:
        return Q(answered_at__gte=self.start, answered_at__lt=self.cutoff) & NOT_REJECTED

    def _unanswered_at_cutoff(self) -> Q:
        return Q(answered_at__isnull=True) | Q(answered_at__gte=self.cutoff)

    def _clock_running_at_cutoff(self) -> Q:
        return Q(clock_paused_at__isnull=True) | Q(clock_paused_at__gte=self.cutoff)

    def deadline_due(self) -> Q:
        """Deadline in the window; answered by the cut-off, or unanswered with the clock running."""
        answered = Q(answered_at__lt=self.cutoff)
        return (
            Q(due_at__gte=self.start, due_at__lt=self.cutoff)
            & NOT_REJECTED
            & (answered | (self._unanswered_at_cutoff() & self._clock_running_at_cutoff()))
        )

    def on_time(self) -> Q:
        return self.deadline_due() & Q(answered_at__lt=self.cutoff, answered_on__lte=F("due_on"))

    def quality_checked(self) -> Q:
        return self.registered() & ~Q(answer_quality="")

    def on_merits(self) -> Q:
        return self.registered() & Q(answer_quality=Appeal.AnswerQuality.ON_MERITS)

    def rated(self) -> Q:
        return self.registered() & Q(satisfaction__isnull=False)

    def satisfied(self) -> Q:
        return self.registered() & Q(satisfaction__gte=4)

    def reopened(self) -> Q:
        reopened = Exists(AppealEvent.objects.filter(appeal=OuterRef("pk"), kind=K.REOPENED))
        repeated = Exists(Appeal.objects.filter(repeat_of=OuterRef("pk")).exclude(status=S.REJECTED))
        return self.registered() & (Q(reopened) | Q(repeated))

    def open_overdue(self) -> Q:
        return (
            NOT_REJECTED
            & Q(registered_at__lt=self.cutoff, due_at__lt=self.cutoff)
            & self._unanswered_at_cutoff()
            & self._clock_running_at_cutoff()
        )

    def relevant(self) -> Q:
        """Every appeal some indicator looks at (the redirects are counted from the events)."""
        window = Q(registered_at__gte=self.start, registered_at__lt=self.cutoff)
        window |= Q(answered_at__gte=self.start, answered_at__lt=self.cutoff)
        window |= Q(due_at__gte=self.start, due_at__lt=self.cutoff)
        return window | self.open_overdue()

    # --- redirects: from the events ------------------------------------------------------------

    def _handed(self) -> QuerySet[AppealEvent]:
        return AppealEvent.objects.filter(kind__in=HANDED, created_at__gte=self.start, created_at__lt=self.cutoff)

    def _redirected_later(self, *, from_receiver: bool) -> Exists:
        later = AppealEvent.objects.filter(
            appeal=OuterRef("appeal"), kind=K.REDIRECTED, created_at__gt=OuterRef("created_at"),
            created_at__lt=self.cutoff,
        )  # fmt: skip
        if from_receiver:
            later = later.alias(sender=_organisation_in(0)).filter(sender=OuterRef("subject"))
        return Exists(later)

    def handed_events(self, level: str) -> QuerySet[AppealEvent]:
        """Hand-overs in the window, each with its subject and whether it was redirected away later."""
        if level == Level.ORGANISATION:
            qs = self._handed().annotate(subject=_organisation_in(1))
            return qs.annotate(redirected=self._redirected_later(from_receiver=True))
        qs = self._handed().annotate(subject=subject_expression(level, prefix="appeal__"))
        return qs.annotate(redirected=self._redirected_later(from_receiver=False))


# --- the aggregates ------------------------------------------------------------------------------------

# Indicator → (numerator, denominator) keys of the aggregate rows; None where not applicable.
COLUMNS: dict[str, tuple[str | None, str | None]] = {
    "received": ("received", None),
    "on_time": ("on_time", "deadline_due"),
    "median_days": (None, "answered"),
    "on_merits": ("on_merits", "quality_checked"),
    "satisfied": ("satisfied", "rated"),
    "reopened": ("reopened", "received"),
    "redirected": ("redirected", "handed"),
    "open_overdue": ("open_overdue", None),
}
APPEAL_COUNTS = ("received", "deadline_due", "on_time", "answered", "quality_checked", "on_merits", "rated",
                 "satisfied", "open_overdue")  # fmt: skip


def _is_postgresql() -> bool:
    return connection.vendor == "postgresql"


def appeal_aggregates(level: str, p: Predicates) -> dict[int, dict]:
    """One GROUP BY over the appeals with a FILTERed count per indicator: {subject id: {name: n}}."""
    predicates = {"received": p.registered(), **{name: getattr(p, name)() for name in APPEAL_COUNTS[1:]}}
    aggregates = {name: Count("pk", filter=q) for name, q in predicates.items()}
    qs = p.with_dates(Appeal.objects.filter(p.relevant()))
    rows = qs.annotate(subject=subject_expression(level)).values("subject").annotate(**aggregates).order_by()
    return {row.pop("subject"): row for row in rows if row["subject"] is not None}


def reopened_counts(level: str, p: Predicates) -> dict[int, int]:
    """Reopened or repeated appeals of the window per subject.

    A query of its own: its EXISTS subqueries inside the counts' query would make PostgreSQL give up
    the parallel hash aggregation there (subplans are parallel-restricted) for a slow grouped walk."""
    rows = Appeal.objects.filter(p.reopened()).annotate(subject=subject_expression(level)).values("subject")
    rows = rows.annotate(n=Count("pk")).order_by()
    return {row["subject"]: row["n"] for row in rows if row["subject"] is not None}


def median_days(level: str, p: Predicates) -> dict[int, float]:
    """The median answer time of each subject over the appeals answered in the window.

    A query of its own: PERCENTILE_CONT is an ordered-set aggregate, which PostgreSQL cannot hash, so
    in the counts' query it would force a sort (or an index walk) of every relevant appeal; alone it
    sorts only the month's answered ones."""
    if not _is_postgresql():
        return _medians_in_python(level, p)
    rows = (
        Appeal.objects.filter(p.answered()).annotate(subject=subject_expression(level)).values("subject")
        .annotate(median=Median(_answer_days())).order_by()
    )  # fmt: skip
    return {row["subject"]: row["median"] for row in rows if row["subject"] is not None}


def _medians_in_python(level: str, p: Predicates) -> dict[int, float]:
    """SQLite fallback: the answer times of the period, then statistics.median per subject."""
    days: dict[int, list[float]] = defaultdict(list)
    rows = (
        Appeal.objects.filter(p.answered()).annotate(subject=subject_expression(level))
        .values_list("subject", "registered_at", "answered_at")
    )  # fmt: skip
    for subject, registered_at, answered_at in rows:
        if subject is not None:
            days[subject].append((answered_at - registered_at).total_seconds() / 86400)
    return {subject: statistics.median(values) for subject, values in days.items()}


def redirect_aggregates(level: str, p: Predicates) -> dict[int, dict]:
    """One GROUP BY over the hand-over events: {subject id: {"handed": n, "redirected": n}} (distinct appeals)."""
    rows = (
        p.handed_events(level).values("subject")
        .annotate(
            handed=Count("appeal_id", distinct=True),
            redirected_count=Count("appeal_id", distinct=True, filter=Q(redirected=True)),
        )
        .order_by()
    )  # fmt: skip
    return {
        row["subject"]: {"handed": row["handed"], "redirected": row["redirected_count"]}
        for row in rows
        if row["subject"] is not None
    }


def aggregates(level: str, p: Predicates) -> dict[int, dict]:
    """Every count of every subject that has any: the raw material of the entries."""
    merged: dict[int, dict] = defaultdict(dict)
    for subject, row in appeal_aggregates(level, p).items():
        merged[subject].update(row)
    for subject, n in reopened_counts(level, p).items():
        merged[subject]["reopened"] = n
    for subject, median in median_days(level, p).items():
        merged[subject]["median"] = median
    for subject, row in redirect_aggregates(level, p).items():
        merged[subject].update(row)
    return dict(merged)


# --- drill-down ----------------------------------------------------------------------------------------


def appeals_behind(
    qs: QuerySet[Appeal], *, level: str, p: Predicates, code: str, part: str, subject_id: int
) -> QuerySet[Appeal]:
    """The appeals of `qs` counted in the numerator or denominator of an indicator for one subject."""
    numerator, denominator = COLUMNS[code]
    column = numerator if part == "numerator" else denominator
    if column is None:
        return qs.none()
    if code == "redirected":
        events = p.handed_events(level).filter(subject=subject_id)
        if column == "redirected":
            events = events.filter(redirected=True)
        return qs.filter(pk__in=events.values("appeal_id"))
    condition = p.registered() if column == "received" else getattr(p, column)()
    qs = p.with_dates(qs).alias(rating_subject=subject_expression(level))
    return qs.filter(condition, rating_subject=subject_id)
