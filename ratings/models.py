"""Ratings: a versioned methodology, and immutable runs of it over a period with one entry per subject.

A methodology version is edited while it is a draft and frozen once the curator approves it; a change
after that is a new version. A run is computed once (ratings.services.compute_run) and never changes:
recomputing a period makes a new run, so a published figure can always be traced to its inputs.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from . import indicators


class Level(models.TextChoices):
    ORGANISATION = "organisation", "Органы и организации"
    MUNICIPALITY = "municipality", "Муниципальные образования"
    SECTOR_BLOCK = "sector_block", "Отраслевые блоки"


class PeriodKind(models.TextChoices):
    MONTH = "month", "Месяц"
    QUARTER = "quarter", "Квартал"
    YEAR = "year", "Год"
    CUSTOM = "custom", "Произвольный период"


class RatingMethodology(models.Model):
    """Методика рейтинга: one version of the indicators' weights, directions and normalisations."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Черновик"
        APPROVED = "approved", "Утверждена"

    version = models.PositiveIntegerField("версия", unique=True)
    name = models.CharField("название", max_length=255)
    description = models.TextField("описание и изменения", blank=True)
    min_appeals = models.PositiveIntegerField(
        "минимум обращений для места в рейтинге",
        default=indicators.DEFAULT_MIN_APPEALS,
        validators=[MinValueValidator(1), MaxValueValidator(100_000)],
    )
    status = models.CharField("статус", max_length=16, choices=Status.choices, default=Status.DRAFT)
    based_on = models.ForeignKey(
        "self", verbose_name="на основе версии", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("создана", auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="создал", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    approved_at = models.DateTimeField("утверждена", null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="утвердил", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip

    class Meta:
        verbose_name = "методика рейтинга"
        verbose_name_plural = "методики рейтинга"
        ordering = ["-version"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="draft") | Q(approved_at__isnull=False), name="approved_methodology_has_date"
            ),
        ]

    def __str__(self) -> str:
        return f"Методика, версия {self.version}"

    @property
    def is_approved(self) -> bool:
        return self.status == self.Status.APPROVED


class RatingIndicator(models.Model):
    """One indicator of a methodology version: how much it weighs and which way is better."""

    class Direction(models.TextChoices):
        HIGHER = "higher", "Чем больше, тем лучше"
        LOWER = "lower", "Чем меньше, тем лучше"

    class Normalisation(models.TextChoices):
        SHARE = "share", "Доля как есть (0…1)"
        MINMAX = "minmax", "Мин-макс по субъектам рейтинга"

    methodology = models.ForeignKey(
        RatingMethodology, verbose_name="методика", on_delete=models.CASCADE, related_name="indicators"
    )
    code = models.CharField("код", max_length=32, choices=indicators.CHOICES)
    name = models.CharField("название", max_length=255)
    weight = models.DecimalField(
        "вес", max_digits=6, decimal_places=2, validators=[MinValueValidator(0), MaxValueValidator(1000)]
    )
    direction = models.CharField("направление", max_length=8, choices=Direction.choices)
    normalisation = models.CharField("нормировка", max_length=8, choices=Normalisation.choices)
    position = models.PositiveSmallIntegerField("порядок", default=0)

    class Meta:
        verbose_name = "показатель методики"
        verbose_name_plural = "показатели методики"
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["methodology", "code"], name="one_indicator_code_per_methodology"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def spec(self) -> indicators.IndicatorSpec:
        return indicators.spec(self.code)


class RatingRun(models.Model):
    """Один расчёт рейтинга: a level over a period with an approved methodology version."""

    class Status(models.TextChoices):
        PENDING = "pending", "В очереди"
        DONE = "done", "Рассчитан"
        FAILED = "failed", "Ошибка расчёта"

    level = models.CharField("уровень", max_length=16, choices=Level.choices)
    period_kind = models.CharField("вид периода", max_length=8, choices=PeriodKind.choices)
    period_start = models.DateField("начало периода")
    period_end = models.DateField("конец периода (включительно)")
    methodology = models.ForeignKey(
        RatingMethodology, verbose_name="методика", on_delete=models.PROTECT, related_name="runs"
    )
    status = models.CharField("статус", max_length=16, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField("запрошен", auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="запросил", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )  # fmt: skip
    computed_at = models.DateTimeField("рассчитан", null=True, blank=True)
    subject_count = models.PositiveIntegerField("субъектов", default=0)
    ranked_count = models.PositiveIntegerField("получили место", default=0)
    error = models.TextField("ошибка", blank=True)

    class Meta:
        verbose_name = "расчёт рейтинга"
        verbose_name_plural = "расчёты рейтинга"
        ordering = ["-period_start", "-computed_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(period_end__gte=models.F("period_start")), name="run_period_order"),
            models.CheckConstraint(
                condition=~Q(status="done") | Q(computed_at__isnull=False), name="done_run_has_computed_at"
            ),
        ]
        indexes = [
            # The newest run of a level, the previous period's run, a subject's history.
            models.Index(fields=["level", "period_kind", "-period_start"], name="rating_run_level_period_idx"),
            # The beat's sweep of runs left pending by a lost task.
            models.Index(fields=["created_at"], name="rating_run_pending_idx", condition=Q(status="pending")),
        ]

    def __str__(self) -> str:
        from .periods import period_label

        return f"{self.get_level_display()}: {period_label(self.period_kind, self.period_start, self.period_end)}"

    @property
    def period_label(self) -> str:
        from .periods import period_label

        return period_label(self.period_kind, self.period_start, self.period_end)

    @property
    def is_done(self) -> bool:
        return self.status == self.Status.DONE


class RatingEntry(models.Model):
    """One subject of a run: every indicator with its numerator and denominator, the score and the place.

    `values` = {code: {"value", "numerator", "denominator", "normalised"}}; a subject with fewer
    appeals than the methodology's minimum has no rank («недостаточно данных»)."""

    run = models.ForeignKey(RatingRun, verbose_name="расчёт", on_delete=models.CASCADE, related_name="entries")
    subject_id = models.BigIntegerField("код субъекта")
    subject_name = models.CharField("субъект", max_length=500)
    subject_attrs = models.JSONField("сведения о субъекте", default=dict, blank=True)
    values = models.JSONField("значения показателей", default=dict)
    received = models.PositiveIntegerField("поступило обращений", default=0)
    has_enough_data = models.BooleanField("данных достаточно", default=False)
    score = models.DecimalField("балл", max_digits=6, decimal_places=2, null=True, blank=True)
    rank = models.PositiveIntegerField("место", null=True, blank=True)

    class Meta:
        verbose_name = "строка рейтинга"
        verbose_name_plural = "строки рейтинга"
        ordering = ["run", "rank", "subject_name"]
        constraints = [
            models.UniqueConstraint(fields=["run", "subject_id"], name="one_entry_per_subject_and_run"),
            models.CheckConstraint(condition=Q(rank__isnull=True) | Q(has_enough_data=True), name="ranked_has_data"),
        ]
        indexes = [
            # A subject's history across runs (the subject page's chart).
            models.Index(fields=["subject_id", "run"], name="rating_entry_subject_idx"),
        ]

    def __str__(self) -> str:
        return self.subject_name
