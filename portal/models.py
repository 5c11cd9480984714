"""The portal: sector-block reports approved by the curator, indicators with targets, roadmaps that remove
the causes of appeals, best practices, trainings (Положение 2.1.8, 2.2, 3.2, 3.4, 4.1, 4.2)."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from ratings.periods import period_label

USER = settings.AUTH_USER_MODEL

# Narrative sections of a report, written by the block (the figures are filled from the data).
NARRATIVE_SECTIONS = (
    ("summary", "Общая характеристика работы за период"),
    ("measures", "Принятые меры по устранению причин обращений"),
    ("problems", "Проблемы и риски"),
    ("plans", "Планы на следующий период"),
)


class PeriodKind(models.TextChoices):
    MONTH = "month", "Месяц"
    QUARTER = "quarter", "Квартал"


class Report(models.Model):
    """A periodic report of a sector block (or the ЦУР's summary across blocks, `sector_block` empty)."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Черновик"
        SUBMITTED = "submitted", "На утверждении"
        RETURNED = "returned", "Возвращён на доработку"
        APPROVED = "approved", "Утверждён"

    EDITABLE = (Status.DRAFT, Status.RETURNED)

    sector_block = models.ForeignKey(
        "sectors.SectorBlock",
        verbose_name="отраслевой блок",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    period_kind = models.CharField("вид периода", max_length=8, choices=PeriodKind.choices)
    period_start = models.DateField("начало периода")
    period_end = models.DateField("конец периода (включительно)")
    status = models.CharField("статус", max_length=16, choices=Status.choices, default=Status.DRAFT)
    narrative = models.JSONField("разделы отчёта", default=dict, blank=True)  # {section code: text}
    # Frozen at approval: the approved report shows these, whatever the data does later.
    figures = models.JSONField("зафиксированные показатели", null=True, blank=True)
    created_at = models.DateTimeField("создан", auto_now_add=True)
    created_by = models.ForeignKey(USER, verbose_name="создал", null=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField("изменён", auto_now=True)
    submitted_at = models.DateTimeField("направлен на утверждение", null=True, blank=True)
    approved_at = models.DateTimeField("утверждён", null=True, blank=True)
    approved_by = models.ForeignKey(
        USER, verbose_name="утвердил", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = "отчёт"
        verbose_name_plural = "отчёты"
        ordering = ["-period_start", "sector_block__position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["sector_block", "period_kind", "period_start"],
                condition=Q(sector_block__isnull=False),
                name="one_block_report_per_period",
            ),
            models.UniqueConstraint(
                fields=["period_kind", "period_start"],
                condition=Q(sector_block__isnull=True),
                name="one_summary_report_per_period",
            ),
        ]
        indexes = [
            # The competence center's API and the curator's queue: reports by status, newest period first.
            models.Index(fields=["status", "-period_start"], name="portal_report_status_idx"),
        ]

    def __str__(self) -> str:
        subject = self.sector_block.name if self.sector_block_id else "Сводный отчёт ЦУР"
        return f"{subject}: {self.period_label}"

    @property
    def is_summary(self) -> bool:
        return self.sector_block_id is None

    @property
    def period_label(self) -> str:
        return period_label(self.period_kind, self.period_start, self.period_end)


class ReportVersion(models.Model):
    """One submission of a report: the text and figures the curator saw, and the curator's decision."""

    class Decision(models.TextChoices):
        PENDING = "", "Ожидает решения"
        APPROVED = "approved", "Утверждена"
        RETURNED = "returned", "Возвращена"

    report = models.ForeignKey(Report, verbose_name="отчёт", on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField("номер версии")
    narrative = models.JSONField("разделы отчёта", default=dict)
    figures = models.JSONField("показатели на момент подачи", default=dict)
    submitted_at = models.DateTimeField("подана", auto_now_add=True)
    submitted_by = models.ForeignKey(USER, verbose_name="подал", null=True, on_delete=models.SET_NULL, related_name="+")
    decision = models.CharField("решение", max_length=16, choices=Decision.choices, blank=True, default="")
    decided_at = models.DateTimeField("решение принято", null=True, blank=True)
    decided_by = models.ForeignKey(
        USER, verbose_name="решение принял", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    comment = models.TextField("комментарий куратора", blank=True)

    class Meta:
        verbose_name = "версия отчёта"
        verbose_name_plural = "версии отчётов"
        ordering = ["report", "number"]
        constraints = [models.UniqueConstraint(fields=["report", "number"], name="one_report_version_number")]

    def __str__(self) -> str:
        return f"{self.report}, версия {self.number}"


class Indicator(models.Model):
    """Показатель: basic (set by the ЦУР) or additional (proposed by a block, approved by the curator)."""

    class Kind(models.TextChoices):
        BASIC = "basic", "Основной"
        ADDITIONAL = "additional", "Дополнительный"

    class Source(models.TextChoices):
        ON_TIME = "on_time_share", "Из данных: доля ответов в срок, %"
        WITHIN_30 = "within_30_share", "Из данных: доля ответов в течение 30 дней, %"
        ON_MERITS = "on_merits_share", "Из данных: доля ответов по существу, %"
        SATISFIED = "satisfied_share", "Из данных: доля удовлетворённых заявителей, %"
        RECEIVED = "received", "Из данных: поступило обращений"
        MANUAL = "manual", "Вводится вручную"

    class Direction(models.TextChoices):
        HIGHER = "higher", "Чем больше, тем лучше"
        LOWER = "lower", "Чем меньше, тем лучше"

    class Status(models.TextChoices):
        PROPOSED = "proposed", "Предложен"
        APPROVED = "approved", "Утверждён"
        REJECTED = "rejected", "Отклонён"

    code = models.SlugField("код", max_length=64, unique=True)
    name = models.CharField("наименование", max_length=500)
    unit = models.CharField("единица измерения", max_length=32)
    kind = models.CharField("вид", max_length=16, choices=Kind.choices)
    source = models.CharField("источник значения", max_length=24, choices=Source.choices)
    direction = models.CharField("направление", max_length=8, choices=Direction.choices, default=Direction.HIGHER)
    sector_block = models.ForeignKey(
        "sectors.SectorBlock",
        verbose_name="отраслевой блок (пусто — весь регион)",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    description = models.TextField("описание, методика", blank=True)
    status = models.CharField("статус", max_length=16, choices=Status.choices, default=Status.APPROVED)
    proposed_by = models.ForeignKey(
        USER, verbose_name="предложил", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_by = models.ForeignKey(
        USER, verbose_name="решение принял", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField("решение принято", null=True, blank=True)
    decision_comment = models.TextField("комментарий куратора", blank=True)
    created_at = models.DateTimeField("создан", auto_now_add=True)

    class Meta:
        verbose_name = "показатель"
        verbose_name_plural = "показатели"
        ordering = ["kind", "code"]

    def __str__(self) -> str:
        return f"{self.code} — {self.name}"

    @property
    def is_computed(self) -> bool:
        return self.source != self.Source.MANUAL


class IndicatorValue(models.Model):
    """The target and the actual of an indicator for one period (a month or a quarter)."""

    indicator = models.ForeignKey(Indicator, verbose_name="показатель", on_delete=models.CASCADE, related_name="values")
    period_kind = models.CharField("вид периода", max_length=8, choices=PeriodKind.choices)
    period_start = models.DateField("начало периода")
    period_end = models.DateField("конец периода (включительно)")
    target = models.DecimalField("целевое значение", max_digits=14, decimal_places=2, null=True, blank=True)
    actual = models.DecimalField(
        "фактическое значение (ручной ввод)", max_digits=14, decimal_places=2, null=True, blank=True
    )
    updated_at = models.DateTimeField("изменено", auto_now=True)
    updated_by = models.ForeignKey(USER, verbose_name="изменил", null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = "значение показателя"
        verbose_name_plural = "значения показателей"
        ordering = ["indicator", "-period_start"]
        constraints = [
            models.UniqueConstraint(fields=["indicator", "period_kind", "period_start"], name="one_indicator_value")
        ]

    def __str__(self) -> str:
        return f"{self.indicator.code}: {self.period_start:%d.%m.%Y} — {self.period_end:%d.%m.%Y}"


class Roadmap(models.Model):
    """План «дорожная карта» по устранению причин обращений: a problem (topic × territory) and its measures."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Черновик"
        SUBMITTED = "submitted", "На утверждении"
        RETURNED = "returned", "Возвращена на доработку"
        APPROVED = "approved", "Утверждена, исполняется"
        COMPLETED = "completed", "Исполнена"

    EDITABLE = (Status.DRAFT, Status.RETURNED)

    title = models.CharField("название", max_length=500)
    problem_point = models.ForeignKey(
        "heatmap.ProblemPoint",
        verbose_name="проблемная точка",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    topic = models.ForeignKey("appeals.Topic", verbose_name="тема", on_delete=models.PROTECT, related_name="+")
    territory = models.ForeignKey(
        "sectors.Territory", verbose_name="территория", on_delete=models.PROTECT, related_name="+"
    )
    sector_block = models.ForeignKey(
        "sectors.SectorBlock", verbose_name="отраслевой блок", on_delete=models.PROTECT, related_name="+"
    )
    description = models.TextField("описание проблемы и причин", blank=True)
    status = models.CharField("статус", max_length=16, choices=Status.choices, default=Status.DRAFT)
    starts_on = models.DateField("начало исполнения")
    created_at = models.DateTimeField("создана", auto_now_add=True)
    created_by = models.ForeignKey(USER, verbose_name="создал", null=True, on_delete=models.SET_NULL, related_name="+")
    approved_at = models.DateTimeField("утверждена", null=True, blank=True)
    approved_by = models.ForeignKey(
        USER, verbose_name="утвердил", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    review_comment = models.TextField("комментарий куратора", blank=True)

    class Meta:
        verbose_name = "дорожная карта"
        verbose_name_plural = "дорожные карты"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title


class RoadmapMeasure(models.Model):
    """A measure of a roadmap: what, by when, who answers for it, how far it has got."""

    class Status(models.TextChoices):
        PLANNED = "planned", "Запланировано"
        IN_PROGRESS = "in_progress", "Выполняется"
        DONE = "done", "Выполнено"
        CANCELLED = "cancelled", "Отменено"

    OPEN = (Status.PLANNED, Status.IN_PROGRESS)

    roadmap = models.ForeignKey(
        Roadmap, verbose_name="дорожная карта", on_delete=models.CASCADE, related_name="measures"
    )
    title = models.CharField("мероприятие", max_length=500)
    responsible = models.ForeignKey(
        "sectors.ResponsiblePerson", verbose_name="ответственный", on_delete=models.PROTECT, related_name="+"
    )
    due_date = models.DateField("срок")
    status = models.CharField("статус", max_length=16, choices=Status.choices, default=Status.PLANNED)
    progress = models.PositiveSmallIntegerField(
        "выполнение, %", default=0, validators=[MinValueValidator(0), MaxValueValidator(100)]
    )
    result = models.TextField("результат", blank=True)
    completed_at = models.DateTimeField("выполнено", null=True, blank=True)
    # Set once by the overdue sweep (a conditional UPDATE): the overdue notice goes out exactly once.
    overdue_notified_at = models.DateTimeField("уведомление о просрочке", null=True, blank=True)

    class Meta:
        verbose_name = "мероприятие дорожной карты"
        verbose_name_plural = "мероприятия дорожных карт"
        ordering = ["roadmap", "due_date", "id"]
        indexes = [
            # The overdue sweep: open measures past their date not yet notified.
            models.Index(
                fields=["due_date"],
                condition=Q(overdue_notified_at__isnull=True, status__in=["planned", "in_progress"]),
                name="roadmap_measure_overdue_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class BestPractice(models.Model):
    """Лучшая практика цифровой трансформации."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", "Предложена"
        CONFIRMED = "confirmed", "Подтверждена"
        REPLICATED = "replicated", "Тиражируется"
        ARCHIVED = "archived", "В архиве"

    title = models.CharField("название", max_length=500)
    organisation = models.ForeignKey(
        "sectors.Organisation", verbose_name="организация", on_delete=models.PROTECT, related_name="+"
    )
    sector_block = models.ForeignKey(
        "sectors.SectorBlock", verbose_name="отраслевой блок", on_delete=models.PROTECT, related_name="+"
    )
    description = models.TextField("описание")
    effect = models.TextField("подтверждённый эффект", blank=True)
    status = models.CharField("статус", max_length=16, choices=Status.choices, default=Status.PROPOSED)
    created_at = models.DateTimeField("добавлена", auto_now_add=True)
    created_by = models.ForeignKey(USER, verbose_name="добавил", null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = "лучшая практика"
        verbose_name_plural = "лучшие практики"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title


class Training(models.Model):
    """Обучение, семинар (Положение 2.1.8): dates, organisations and people taking part."""

    class Kind(models.TextChoices):
        TRAINING = "training", "Обучение"
        SEMINAR = "seminar", "Семинар"
        WEBINAR = "webinar", "Вебинар"

    title = models.CharField("тема", max_length=500)
    kind = models.CharField("вид", max_length=16, choices=Kind.choices, default=Kind.SEMINAR)
    starts_on = models.DateField("дата начала")
    ends_on = models.DateField("дата окончания")
    place = models.CharField("место проведения", max_length=500, blank=True)
    description = models.TextField("программа", blank=True)
    organisations = models.ManyToManyField(
        "sectors.Organisation", verbose_name="организации-участники", blank=True, related_name="+"
    )
    participants = models.ManyToManyField(USER, verbose_name="участники", blank=True, related_name="+")
    created_at = models.DateTimeField("добавлено", auto_now_add=True)
    created_by = models.ForeignKey(USER, verbose_name="добавил", null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = "обучение (семинар)"
        verbose_name_plural = "обучение и семинары"
        ordering = ["-starts_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")),
                name="training_ends_after_start",
                violation_error_message="Дата окончания раньше даты начала.",
            ),
        ]

    def __str__(self) -> str:
        return self.title
