"""The moderation center: incoming messages from social networks, messengers and media, their
decisions (appeal, information event, disinformation, noise), surges of messages, reports."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from cur.models import TimelineEntry
from informing.models import Network


class IncomingMessage(models.Model):
    """A message found in a social network, a messenger or a medium, waiting for a moderator."""

    class Status(models.TextChoices):
        NEW = "new", "Новое"
        ASSIGNED = "assigned", "У модератора"
        APPEAL = "appeal", "Обращение"
        EVENT = "event", "Сигнал информационного повода"
        DISINFORMATION = "disinformation", "Дезинформация"
        NOISE = "noise", "Шум"

    class Source(models.TextChoices):
        API = "api", "API"
        FILE = "file", "Файл"
        DEMO = "demo", "Демо"

    OPEN_STATUSES = (Status.NEW, Status.ASSIGNED)
    DECISIONS = (Status.APPEAL, Status.EVENT, Status.DISINFORMATION, Status.NOISE)

    network = models.CharField("сеть или СМИ", max_length=16, choices=Network.choices)
    external_id = models.CharField("идентификатор в источнике", max_length=128)
    text = models.TextField("текст")
    author = models.CharField("автор", max_length=255, blank=True)
    url = models.URLField("ссылка", max_length=1000, blank=True)
    posted_at = models.DateTimeField("опубликовано")
    received_at = models.DateTimeField("поступило")
    territory = models.ForeignKey(
        "sectors.Territory",
        verbose_name="территория",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # The theme: given by the source, suggested by the classifier or set by the moderator.
    sector_block = models.ForeignKey(
        "sectors.SectorBlock",
        verbose_name="отраслевой блок",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    reach = models.PositiveBigIntegerField("охват", default=0)
    classified_at = models.DateTimeField("тема и территория определены", null=True, blank=True)
    source = models.CharField("источник", max_length=8, choices=Source.choices, default=Source.API)
    status = models.CharField("статус", max_length=16, choices=Status.choices, default=Status.NEW)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="модератор",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="moderation_messages",
    )
    assigned_at = models.DateTimeField("назначено", null=True, blank=True)
    due_at = models.DateTimeField("срок решения")
    reacted_at = models.DateTimeField("первая реакция", null=True, blank=True)
    decided_at = models.DateTimeField("решено", null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="решил",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    appeal = models.ForeignKey(
        "appeals.Appeal", verbose_name="обращение", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    event = models.ForeignKey(
        "informing.InformationEvent",
        verbose_name="информационный повод",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="messages",
    )
    disinformation = models.ForeignKey(
        "informing.DisinformationCase",
        verbose_name="случай дезинформации",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="messages",
    )
    comment = models.TextField("комментарий модератора", blank=True)

    class Meta:
        verbose_name = "сообщение"
        verbose_name_plural = "сообщения"
        ordering = ["-received_at", "-id"]
        constraints = [
            # Intake is idempotent on (network, external_id): the same post twice is one message.
            models.UniqueConstraint(fields=["network", "external_id"], name="message_network_external_id"),
        ]
        indexes = [
            # The moderation queue: open messages, the nearest deadline first.
            models.Index(
                fields=["due_at", "id"], name="message_queue_idx", condition=Q(status__in=["new", "assigned"])
            ),
            # «Мои»: a moderator's open messages.
            models.Index(
                fields=["assigned_to", "due_at"], name="message_mine_idx", condition=Q(status__in=["new", "assigned"])
            ),
            # All messages, newest first; reports and surge detection by receipt time.
            models.Index(fields=["-received_at", "-id"], name="message_received_idx"),
            # Surge detection: messages published within the window and the baseline.
            models.Index(fields=["posted_at"], name="message_posted_idx"),
            # Re-queue of messages a lost task left unclassified.
            models.Index(fields=["received_at"], name="message_unclassified_idx", condition=Q(classified_at=None)),
            # Reports: decisions within a period.
            models.Index(fields=["decided_at"], name="message_decided_idx"),
        ]

    def __str__(self) -> str:
        return f"Сообщение № {self.pk}"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES


class MessageEvent(TimelineEntry):
    """One step of a message: the timeline. Written by every moderation service."""

    class Kind(models.TextChoices):
        RECEIVED = "received", "Поступило"
        ASSIGNED = "assigned", "Назначено модератору"
        RELEASED = "released", "Возвращено в общую очередь"
        CLASSIFIED = "classified", "Определены тема и территория"
        DECIDED = "decided", "Принято решение"
        REOPENED = "reopened", "Решение отменено"

    message = models.ForeignKey(IncomingMessage, on_delete=models.CASCADE, related_name="history")
    kind = models.CharField("событие", max_length=16, choices=Kind.choices)
    from_status = models.CharField("статус до", max_length=16, choices=IncomingMessage.Status.choices, blank=True)
    to_status = models.CharField("статус после", max_length=16, choices=IncomingMessage.Status.choices, blank=True)

    class Meta(TimelineEntry.Meta):
        verbose_name = "событие сообщения"
        verbose_name_plural = "история сообщений"
        indexes = [models.Index(fields=["message", "created_at"], name="message_event_timeline_idx")]


class MessageImport(models.Model):
    """One uploaded file of messages and what became of its rows."""

    original_name = models.CharField("файл", max_length=255)
    created_at = models.DateTimeField("загружен", auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="загрузил",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    total_rows = models.PositiveIntegerField("строк", default=0)
    created_count = models.PositiveIntegerField("создано", default=0)
    existing_count = models.PositiveIntegerField("уже были", default=0)
    error_count = models.PositiveIntegerField("ошибок", default=0)
    errors = models.JSONField("ошибки по строкам", default=list, blank=True)

    class Meta:
        verbose_name = "импорт сообщений"
        verbose_name_plural = "импорты сообщений"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.original_name


class Surge(models.Model):
    """A surge: messages on one theme (sector block) and territory growing faster than their baseline —
    proposed to the moderators as an information event."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", "Предложен"
        ACCEPTED = "accepted", "Открыт информационный повод"
        DISMISSED = "dismissed", "Отклонён"

    sector_block = models.ForeignKey(
        "sectors.SectorBlock", verbose_name="отраслевой блок", on_delete=models.PROTECT, related_name="+"
    )
    territory = models.ForeignKey(
        "sectors.Territory", verbose_name="территория", on_delete=models.PROTECT, related_name="+"
    )
    window_start = models.DateTimeField("окно с")
    window_end = models.DateTimeField("окно по")
    count = models.PositiveIntegerField("сообщений в окне")
    baseline = models.FloatField("обычно за такое окно")
    reach = models.PositiveBigIntegerField("охват сообщений", default=0)
    sample = models.JSONField("примеры сообщений (id)", default=list, blank=True)
    status = models.CharField("статус", max_length=16, choices=Status.choices, default=Status.PROPOSED)
    event = models.ForeignKey(
        "informing.InformationEvent",
        verbose_name="повод",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    detected_at = models.DateTimeField("обнаружен", auto_now_add=True)
    decided_at = models.DateTimeField("решение", null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = "всплеск сообщений"
        verbose_name_plural = "всплески сообщений"
        ordering = ["-detected_at", "-id"]
        constraints = [
            # One open proposal per theme and territory: a later detection updates it instead.
            models.UniqueConstraint(
                fields=["sector_block", "territory"], condition=Q(status="proposed"), name="surge_one_open_per_key"
            ),
        ]

    def __str__(self) -> str:
        return f"Всплеск: {self.sector_block} — {self.territory}"

    @property
    def ratio(self) -> float | None:
        return round(self.count / self.baseline, 1) if self.baseline else None


class ModerationReport(models.Model):
    """An automated report of the center for a period (Rules 4(2)а): figures frozen when built."""

    class Period(models.TextChoices):
        DAY = "day", "Сутки"
        WEEK = "week", "Неделя"
        MONTH = "month", "Месяц"

    period_kind = models.CharField("период", max_length=8, choices=Period.choices)
    period_start = models.DateField("с")
    period_end = models.DateField("по (включительно)")
    figures = models.JSONField("показатели", default=dict)
    built_at = models.DateTimeField("сформирован")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="сформировал",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = "отчёт центра модерации"
        verbose_name_plural = "отчёты центра модерации"
        ordering = ["-period_start", "period_kind", "-id"]
        constraints = [
            # The beat builds each period once; a rebuild replaces the figures of the same row.
            models.UniqueConstraint(fields=["period_kind", "period_start"], name="moderation_report_once"),
        ]

    def __str__(self) -> str:
        return f"Отчёт за {self.get_period_kind_display().lower()} {self.period_label}"

    @property
    def period_label(self) -> str:
        if self.period_start == self.period_end:
            return f"{self.period_start:%d.%m.%Y}"
        return f"{self.period_start:%d.%m.%Y} — {self.period_end:%d.%m.%Y}"
