from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Coalesce, Upper
from django.utils import timezone

from cur.models import TimelineEntry

# An appeal whose deadline clock runs: Appeal.CLOCK_STATUSES and not paused.
CLOCK_RUNNING = Q(status__in=["assigned", "in_progress", "returned", "reopened"], clock_paused_at=None)


class TopicGroup(models.Model):
    """Группа тем («Инцидент Менеджмент»): a set of topics within one sector block."""

    code = models.SlugField("код", max_length=64, unique=True)
    name = models.CharField("название", max_length=255, unique=True)
    sector_block = models.ForeignKey(
        "sectors.SectorBlock", verbose_name="отраслевой блок", on_delete=models.PROTECT, related_name="topic_groups"
    )

    class Meta:
        verbose_name = "группа тем"
        verbose_name_plural = "группы тем"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Topic(models.Model):
    """Тема обращения; also the Open311 service (service_code = code)."""

    code = models.SlugField("код", max_length=100, unique=True)
    name = models.CharField("название", max_length=255)
    group = models.ForeignKey(TopicGroup, verbose_name="группа тем", on_delete=models.PROTECT, related_name="topics")
    sector_block = models.ForeignKey(
        "sectors.SectorBlock", verbose_name="отраслевой блок", on_delete=models.PROTECT, related_name="topics"
    )
    severity = models.PositiveSmallIntegerField(
        "критичность", null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    is_active = models.BooleanField("действует", default=True)

    class Meta:
        verbose_name = "тема"
        verbose_name_plural = "темы"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Incident(models.Model):
    """Инцидент / проблема: several appeals about one thing (one pothole, one outage)."""

    class Status(models.TextChoices):
        OPEN = "open", "Открыт"
        IN_WORK = "in_work", "В работе"
        RESOLVED = "resolved", "Решён"
        CLOSED = "closed", "Закрыт"

    title = models.CharField("название", max_length=255)
    description = models.TextField("описание", blank=True)
    status = models.CharField("статус", max_length=16, choices=Status.choices, default=Status.OPEN)
    sector_block = models.ForeignKey(
        "sectors.SectorBlock", verbose_name="отраслевой блок", null=True, blank=True, on_delete=models.PROTECT
    )
    topic = models.ForeignKey(Topic, verbose_name="тема", null=True, blank=True, on_delete=models.PROTECT)
    territory = models.ForeignKey(
        "sectors.Territory", verbose_name="территория", null=True, blank=True, on_delete=models.PROTECT
    )
    created_at = models.DateTimeField("создан", auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="создал", null=True, blank=True, on_delete=models.SET_NULL
    )

    class Meta:
        verbose_name = "инцидент"
        verbose_name_plural = "инциденты"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title


class Appeal(models.Model):
    """Обращение или сообщение гражданина, from any channel."""

    class Channel(models.TextChoices):
        POS = "pos", "Платформа обратной связи (ПОС)"
        EMAIL = "email", "Электронная почта"
        PHONE = "phone", "Телефон"
        LETTER = "letter", "Письмо"
        RECEPTION = "reception", "Личный приём"
        SOCIAL = "social", "Социальные сети"
        MESSENGER = "messenger", "Мессенджеры"
        WEB = "web", "Сайт"

    class Status(models.TextChoices):
        NEW = "new", "Новое"
        ASSIGNED = "assigned", "Назначено исполнителю"
        IN_PROGRESS = "in_progress", "В работе"
        INFO_REQUESTED = "info_requested", "Запрошены сведения у заявителя"
        ANSWERED = "answered", "Дан ответ"
        RETURNED = "returned", "Возвращено на доработку"
        REOPENED = "reopened", "Возобновлено"
        CLOSED = "closed", "Закрыто"
        REJECTED = "rejected", "Отклонено"

    OPEN_STATUSES = (
        Status.NEW, Status.ASSIGNED, Status.IN_PROGRESS, Status.INFO_REQUESTED, Status.RETURNED, Status.REOPENED,
    )  # fmt: skip
    # Statuses in which the executor owes an answer: the deadline clock runs (unless paused).
    CLOCK_STATUSES = (Status.ASSIGNED, Status.IN_PROGRESS, Status.RETURNED, Status.REOPENED)

    class AnswerQuality(models.TextChoices):
        ON_MERITS = "on_merits", "По существу"
        FORMAL = "formal", "Формальный ответ"
        NO_ANSWER = "no_answer", "Без ответа"

    class RejectReason(models.TextChoices):
        SPAM = "spam", "Спам"
        DUPLICATE = "duplicate", "Дубликат"
        NOT_IN_COMPETENCE = "not_in_competence", "Вне компетенции"
        NO_ESSENCE = "no_essence", "Не содержит сути обращения"

    class ClassificationSource(models.TextChoices):
        AUTO = "auto", "Автоматически"
        MANUAL = "manual", "Оператором"

    # --- intake
    channel = models.CharField("канал", max_length=16, choices=Channel.choices)
    external_id = models.CharField("идентификатор в источнике", max_length=128, blank=True)
    received_at = models.DateTimeField("поступило")
    registered_at = models.DateTimeField("зарегистрировано")
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="зарегистрировал",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    text = models.TextField("текст")
    address = models.CharField("адрес проблемы", max_length=500, blank=True)
    latitude = models.DecimalField("широта", max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField("долгота", max_digits=9, decimal_places=6, null=True, blank=True)
    # --- applicant (personal data: masked for roles without access, DESIGN §7)
    applicant_name = models.CharField("ФИО заявителя", max_length=255, blank=True)
    applicant_phone = models.CharField("телефон заявителя", max_length=32, blank=True)
    applicant_email = models.EmailField("e-mail заявителя", blank=True)
    applicant_address = models.CharField("почтовый адрес заявителя", max_length=500, blank=True)
    applicant_is_legal = models.BooleanField("юридическое лицо", default=False)
    applicant_legal_name = models.CharField("наименование юридического лица", max_length=500, blank=True)
    # --- what it is about
    territory = models.ForeignKey(
        "sectors.Territory",
        verbose_name="территория",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="appeals",
    )
    sector_block = models.ForeignKey(
        "sectors.SectorBlock",
        verbose_name="отраслевой блок",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="appeals",
    )
    topic = models.ForeignKey(
        Topic, verbose_name="тема", null=True, blank=True, on_delete=models.PROTECT, related_name="appeals"
    )
    # --- classification suggestion
    suggested_sector_block = models.ForeignKey(
        "sectors.SectorBlock",
        verbose_name="предложенный блок",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    suggested_topic = models.ForeignKey(
        Topic, verbose_name="предложенная тема", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    suggested_territory = models.ForeignKey(
        "sectors.Territory",
        verbose_name="предложенная территория",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    confidence = models.FloatField("уверенность классификации", null=True, blank=True)
    model_version = models.CharField("версия модели", max_length=64, blank=True)
    classification_source = models.CharField(
        "источник классификации", max_length=8, choices=ClassificationSource.choices, blank=True
    )
    classified_at = models.DateTimeField("классифицировано", null=True, blank=True)
    # --- workflow
    status = models.CharField("статус", max_length=16, choices=Status.choices, default=Status.NEW)
    organisation = models.ForeignKey(
        "sectors.Organisation",
        verbose_name="исполнитель",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="appeals",
    )
    assigned_at = models.DateTimeField("назначено", null=True, blank=True)
    due_at = models.DateTimeField("срок ответа", null=True, blank=True)
    clock_paused_at = models.DateTimeField("срок приостановлен", null=True, blank=True)
    overdue_at = models.DateTimeField("просрочено", null=True, blank=True)
    escalation_level = models.PositiveSmallIntegerField("уровень эскалации", default=0)
    answered_at = models.DateTimeField("дан ответ", null=True, blank=True)
    answer_text = models.TextField("ответ", blank=True)
    answer_quality = models.CharField("качество ответа", max_length=16, choices=AnswerQuality.choices, blank=True)
    satisfaction = models.PositiveSmallIntegerField(
        "оценка заявителя", null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    satisfaction_comment = models.TextField("комментарий заявителя", blank=True)
    closed_at = models.DateTimeField("закрыто", null=True, blank=True)
    reject_reason = models.CharField("причина отклонения", max_length=32, choices=RejectReason.choices, blank=True)
    repeat_of = models.ForeignKey(
        "self", verbose_name="повторное к", null=True, blank=True, on_delete=models.SET_NULL, related_name="repeats"
    )
    incident = models.ForeignKey(
        Incident, verbose_name="инцидент", null=True, blank=True, on_delete=models.SET_NULL, related_name="appeals"
    )
    # Near-duplicate found by the classifier: shown to the operator, who decides.
    similar_to = models.ForeignKey(
        "self", verbose_name="похоже на", null=True, blank=True, on_delete=models.SET_NULL, related_name="similar"
    )
    similarity = models.FloatField("сходство текста", null=True, blank=True)
    updated_at = models.DateTimeField("изменено", auto_now=True)
    # Personal data erased after the retention period (appeals.privacy.retention): set once, never cleared.
    pd_erased_at = models.DateTimeField("персональные данные удалены", null=True, blank=True)

    class Meta:
        verbose_name = "обращение"
        verbose_name_plural = "обращения"
        ordering = ["-registered_at", "-id"]
        constraints = [
            # Intake is idempotent on (channel, external_id): the same message twice is one appeal.
            models.UniqueConstraint(
                fields=["channel", "external_id"], condition=~Q(external_id=""), name="appeal_channel_external_id"
            ),
            models.CheckConstraint(
                condition=Q(satisfaction__isnull=True) | Q(satisfaction__gte=1, satisfaction__lte=5),
                name="appeal_satisfaction_1_5",
            ),
        ]
        indexes = [
            # The deadline sweep: open appeals by due date (reminders, overdue marking).
            models.Index(
                fields=["due_at"], name="appeal_open_due_idx",
                condition=CLOCK_RUNNING,
            ),
            # The triage queue: new and unassigned appeals, newest first.
            models.Index(
                fields=["-registered_at"], name="appeal_triage_idx", condition=Q(status__in=["new", "reopened"])
            ),
            # The executor's list and organisation ratings.
            models.Index(fields=["organisation", "status", "due_at"], name="appeal_org_status_idx"),
            # Block dashboards and sector filters.
            models.Index(fields=["sector_block", "-registered_at"], name="appeal_sector_idx"),
            models.Index(fields=["territory", "-registered_at"], name="appeal_territory_idx"),
            models.Index(fields=["status", "-registered_at"], name="appeal_status_idx"),
            # Re-queue of appeals left unclassified by a lost task.
            models.Index(fields=["registered_at"], name="appeal_unclassified_idx", condition=Q(classified_at=None)),
            # The sweep's overdue and escalation steps: only the rows those steps can still change
            # (appeal_open_due_idx alone made PostgreSQL read every running appeal: 0.2–0.3 s at 1M).
            models.Index(
                fields=["due_at"], name="appeal_sweep_overdue_idx", condition=CLOCK_RUNNING & Q(overdue_at=None)
            ),
            models.Index(
                fields=["escalation_level", "due_at"], name="appeal_sweep_escalation_idx",
                condition=CLOCK_RUNNING & Q(overdue_at__isnull=False, escalation_level__lt=2),
            ),
            # The list of all appeals and the API's cursor pagination (1.5 s → 1 ms at 1M appeals).
            models.Index(fields=["-registered_at", "-id"], name="appeal_registered_idx"),
            # Running appeals newest first with the due date: the "overdue"/"due within N days" filters.
            models.Index(
                fields=["-registered_at", "-id", "due_at"], name="appeal_running_registered_idx",
                condition=CLOCK_RUNNING,
            ),
            # The triage queue in its default order (due date, else registration), and the same over open ones.
            models.Index(Coalesce("due_at", "registered_at"), "id", name="appeal_triage_due_idx",
                         condition=Q(status__in=["new", "reopened"])),
            # The retention run: finished cases whose personal data is still there, by closing date.
            models.Index(fields=["closed_at"], name="appeal_pd_retention_idx",
                         condition=Q(status__in=["closed", "rejected"], pd_erased_at=None)),
            models.Index(Coalesce("due_at", "registered_at"), "id", name="appeal_open_due_order_idx",
                         condition=Q(status__in=["new", "assigned", "in_progress", "info_requested", "returned",
                                                 "reopened"])),
            # Related appeals on the appeal page: same phone, same e-mail, same address (iexact is UPPER =).
            models.Index("applicant_phone", F("registered_at").desc(), name="appeal_same_phone_idx",
                         condition=~Q(applicant_phone="")),
            models.Index(Upper("applicant_email"), F("registered_at").desc(), name="appeal_same_email_idx",
                         condition=~Q(applicant_email="")),
            models.Index(Upper("address"), F("registered_at").desc(), name="appeal_same_address_idx",
                         condition=~Q(address="")),
        ]  # fmt: skip

    def __str__(self) -> str:
        return f"Обращение № {self.number}"

    @property
    def number(self) -> str:
        """Human-readable number: registration year and the row id (unique because the id is)."""
        if self.pk is None:
            return "—"
        return f"{timezone.localtime(self.registered_at).year}-{self.pk:06d}"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES


class AppealEvent(TimelineEntry):
    """One change of an appeal: the timeline. Written by every appeals service."""

    class Kind(models.TextChoices):
        REGISTERED = "registered", "Зарегистрировано"
        CLASSIFIED = "classified", "Классифицировано"
        RECLASSIFIED = "reclassified", "Изменена классификация"
        ASSIGNED = "assigned", "Назначен исполнитель"
        REDIRECTED = "redirected", "Перенаправлено по компетенции"
        STARTED = "started", "Принято в работу"
        INFO_REQUESTED = "info_requested", "Запрошены сведения у заявителя"
        INFO_RECEIVED = "info_received", "Получены сведения от заявителя"
        EXTENDED = "extended", "Продлён срок"
        ANSWERED = "answered", "Дан ответ"
        QUALITY_CHECKED = "quality_checked", "Проверено качество ответа"
        RETURNED = "returned", "Возвращено на доработку"
        CLOSED = "closed", "Закрыто"
        SATISFACTION = "satisfaction", "Оценка заявителя"
        REOPENED = "reopened", "Возобновлено"
        REJECTED = "rejected", "Отклонено"
        INCIDENT_LINKED = "incident_linked", "Привязано к инциденту"
        INCIDENT_UNLINKED = "incident_unlinked", "Отвязано от инцидента"
        REMINDER = "reminder", "Напоминание о сроке"
        OVERDUE = "overdue", "Просрочено"
        ESCALATED = "escalated", "Эскалация"
        PERSONAL_DATA_VIEWED = "pd_viewed", "Просмотр персональных данных"

    appeal = models.ForeignKey(Appeal, verbose_name="обращение", on_delete=models.CASCADE, related_name="events")
    kind = models.CharField("событие", max_length=24, choices=Kind.choices)
    from_status = models.CharField("статус до", max_length=16, choices=Appeal.Status.choices, blank=True)
    to_status = models.CharField("статус после", max_length=16, choices=Appeal.Status.choices, blank=True)

    class Meta(TimelineEntry.Meta):
        verbose_name = "событие обращения"
        verbose_name_plural = "события обращений"
        indexes = [
            models.Index(fields=["appeal", "created_at"], name="appeal_event_timeline_idx"),
            # Ratings: events of a kind within a period (e.g. redirections).
            models.Index(fields=["kind", "created_at"], name="appeal_event_kind_idx"),
        ]


class DeadlineRule(models.Model):
    """How long the executor has, by channel / sector / topic. The most specific active rule
    wins (topic > sector > channel); with none, the accelerated mechanism: 30 calendar days."""

    class DayKind(models.TextChoices):
        CALENDAR = "calendar", "Календарные дни"
        WORKING = "working", "Рабочие дни"

    name = models.CharField("название", max_length=255)
    channel = models.CharField("канал", max_length=16, choices=Appeal.Channel.choices, blank=True)
    sector_block = models.ForeignKey(
        "sectors.SectorBlock", verbose_name="отраслевой блок", null=True, blank=True, on_delete=models.CASCADE
    )
    topic = models.ForeignKey(Topic, verbose_name="тема", null=True, blank=True, on_delete=models.CASCADE)
    days = models.PositiveSmallIntegerField("срок, дней", validators=[MinValueValidator(1), MaxValueValidator(30)])
    day_kind = models.CharField("дни", max_length=16, choices=DayKind.choices, default=DayKind.CALENDAR)
    is_active = models.BooleanField("действует", default=True)

    class Meta:
        verbose_name = "правило срока"
        verbose_name_plural = "правила сроков"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class DeadlineNotice(models.Model):
    """A reminder or escalation already sent for one due date of one appeal. The unique key
    makes the sweep's INSERT … ON CONFLICT DO NOTHING send each notice exactly once, even when
    two sweeps race; an extension (new due date) gets its own reminders."""

    class Kind(models.TextChoices):
        REMINDER = "reminder", "Напоминание"
        OVERDUE = "overdue", "Просрочка"
        ESCALATION = "escalation", "Эскалация"

    appeal = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="notices")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    level = models.PositiveSmallIntegerField(default=0)  # reminder: days before; escalation: level
    due_at = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "уведомление о сроке"
        verbose_name_plural = "уведомления о сроках"
        constraints = [
            models.UniqueConstraint(fields=["appeal", "kind", "level", "due_at"], name="deadline_notice_once")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.appeal_id}"


class IntegrationSource(models.Model):
    """A source system (ПОС, a mail gateway, a city portal) allowed to create appeals of one channel."""

    name = models.CharField("название", max_length=255, unique=True)
    channel = models.CharField("канал", max_length=16, choices=Appeal.Channel.choices)
    key_hash = models.CharField("хэш ключа", max_length=64, unique=True)
    is_active = models.BooleanField("действует", default=True)
    created_at = models.DateTimeField("создан", auto_now_add=True)

    class Meta:
        verbose_name = "источник интеграции"
        verbose_name_plural = "источники интеграции"

    def __str__(self) -> str:
        return self.name


class AppealImport(models.Model):
    """One uploaded file of appeals (CSV/XLSX), imported by a Celery task with progress."""

    class Format(models.TextChoices):
        POS = "pos", "Выгрузка ПОС"
        INCIDENT_MANAGER = "incident_manager", "Выгрузка «Инцидент Менеджмент»"
        GENERIC = "generic", "Общий шаблон ЦУР"

    class Status(models.TextChoices):
        PENDING = "pending", "В очереди"
        RUNNING = "running", "Выполняется"
        DONE = "done", "Завершён"
        FAILED = "failed", "Ошибка"

    created_at = models.DateTimeField("загружен", auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="загрузил", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    file = models.FileField("файл", upload_to="imports/%Y/%m/")
    original_name = models.CharField("имя файла", max_length=255)
    format = models.CharField("формат", max_length=32, choices=Format.choices)
    channel = models.CharField("канал", max_length=16, choices=Appeal.Channel.choices)
    dry_run = models.BooleanField("пробный прогон", default=False)
    status = models.CharField("статус", max_length=16, choices=Status.choices, default=Status.PENDING)
    total_rows = models.PositiveIntegerField("строк в файле", default=0)
    processed_rows = models.PositiveIntegerField("обработано строк", default=0)
    created_count = models.PositiveIntegerField("создано", default=0)
    existing_count = models.PositiveIntegerField("уже были", default=0)
    error_count = models.PositiveIntegerField("ошибок", default=0)
    errors = models.JSONField("ошибки по строкам", default=list, blank=True)  # [{"line": 7, "error": "…"}]
    message = models.TextField("сообщение", blank=True)
    finished_at = models.DateTimeField("завершён", null=True, blank=True)

    class Meta:
        verbose_name = "импорт обращений"
        verbose_name_plural = "импорты обращений"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.original_name

    @property
    def progress_percent(self) -> int:
        return int(100 * self.processed_rows / self.total_rows) if self.total_rows else 0


class ClassifierVersion(models.Model):
    """A trained appeal classifier (sector block and topic). One version is active at a time;
    each appeal stores the version that classified it."""

    created_at = models.DateTimeField("обучена", auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="кто обучил",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    version = models.CharField("версия", max_length=64, unique=True)
    training_data = models.TextField("данные обучения", blank=True)  # human-readable description of the sources
    training_size = models.PositiveIntegerField("примеров в обучении", default=0)
    class_counts = models.JSONField("примеров по классам", default=dict, blank=True)
    metrics = models.JSONField("метрики на отложенной выборке", default=dict, blank=True)
    payload = models.BinaryField("модель (сжатый joblib)")
    is_active = models.BooleanField("активна", default=False)
    activated_at = models.DateTimeField("активирована", null=True, blank=True)
    notes = models.TextField("примечание", blank=True)  # e.g. why a retrained version was not activated

    class Meta:
        verbose_name = "версия классификатора"
        verbose_name_plural = "версии классификатора"
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["is_active"], condition=Q(is_active=True), name="one_active_classifier")
        ]

    def __str__(self) -> str:
        return self.version


class RoutingRule(models.Model):
    """Where an automatically classified appeal goes: sector block × territory → organisation.
    A rule without a territory covers the whole region; the territory's own rule wins."""

    sector_block = models.ForeignKey(
        "sectors.SectorBlock", verbose_name="отраслевой блок", on_delete=models.CASCADE, related_name="routing_rules"
    )
    territory = models.ForeignKey(
        "sectors.Territory",
        verbose_name="территория",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="routing_rules",
    )
    organisation = models.ForeignKey(
        "sectors.Organisation", verbose_name="исполнитель", on_delete=models.CASCADE, related_name="routing_rules"
    )
    is_active = models.BooleanField("действует", default=True)

    class Meta:
        verbose_name = "правило маршрутизации"
        verbose_name_plural = "правила маршрутизации"
        ordering = ["sector_block", "territory"]
        constraints = [
            models.UniqueConstraint(
                fields=["sector_block", "territory"],
                condition=Q(is_active=True, territory__isnull=False),
                name="one_active_route_per_block_territory",
            ),
            models.UniqueConstraint(
                fields=["sector_block"],
                condition=Q(is_active=True, territory__isnull=True),
                name="one_active_regional_route_per_block",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.sector_block} / {self.territory or 'вся область'} → {self.organisation}"
