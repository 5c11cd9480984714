"""Информационный повод, its sources, its audience over time, its history and the recommendations
issued to bodies and organisations."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from cur.models import TimelineEntry

from .common import Channel, Network, Priority


class InformationEvent(models.Model):
    """Информационный повод: a topic that draws a growing audience in social networks,
    messengers or media and that the ЦУР works off (Rules 2)."""

    class Status(models.TextChoices):
        DETECTED = "detected", "Выявлен"
        ANALYSIS = "analysis", "На анализе"
        RECOMMENDED = "recommended", "Выданы рекомендации"
        ACTIVITIES = "activities", "Проводятся мероприятия"
        WORKED_OFF = "worked_off", "Отработан"
        CLOSED = "closed", "Закрыт"

    class Outcome(models.TextChoices):
        RESOLVED = "resolved", "Проблема решена, жители проинформированы"
        NEUTRALISED = "neutralised", "Негатив снят разъяснением"
        REFUTED = "refuted", "Недостоверная информация опровергнута"
        NO_ACTION = "no_action", "Не потребовал реакции"
        NOT_RESOLVED = "not_resolved", "Отработать не удалось"

    class Origin(models.TextChoices):
        MANUAL = "manual", "Выявлен модератором"
        MESSAGES = "messages", "По сообщениям из соцсетей и СМИ"
        SURGE = "surge", "Всплеск сообщений (автоматически)"

    # Statuses in which the center still owes the working-off: its deadline runs.
    OPEN_STATUSES = (Status.DETECTED, Status.ANALYSIS, Status.RECOMMENDED, Status.ACTIVITIES)

    title = models.CharField("название", max_length=255)
    essence = models.TextField("суть")
    sector_block = models.ForeignKey(
        "sectors.SectorBlock",
        verbose_name="отраслевой блок",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="information_events",
    )
    topics = models.ManyToManyField("appeals.Topic", verbose_name="темы", blank=True, related_name="information_events")
    territories = models.ManyToManyField(
        "sectors.Territory", verbose_name="территории", blank=True, related_name="information_events"
    )
    first_seen_at = models.DateTimeField("впервые замечен")
    priority = models.CharField("приоритет", max_length=16, choices=Priority.choices, default=Priority.MEDIUM)
    status = models.CharField("статус", max_length=16, choices=Status.choices, default=Status.DETECTED)
    origin = models.CharField("как выявлен", max_length=16, choices=Origin.choices, default=Origin.MANUAL)
    outcome = models.CharField("итог", max_length=16, choices=Outcome.choices, blank=True)
    outcome_comment = models.TextField("комментарий к итогу", blank=True)
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="ответственный модератор",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="information_events",
    )
    # Deadlines of the center (by priority, moderation settings): the first reaction and the working-off.
    react_by = models.DateTimeField("срок реакции")
    work_off_by = models.DateTimeField("срок отработки")
    reacted_at = models.DateTimeField("первая реакция", null=True, blank=True)
    worked_off_at = models.DateTimeField("отработан", null=True, blank=True)
    closed_at = models.DateTimeField("закрыт", null=True, blank=True)
    overdue_at = models.DateTimeField("просрочен", null=True, blank=True)
    # The newest audience figure and the growth computed from the series (informing.metrics).
    reach = models.PositiveBigIntegerField("охват", default=0)
    growth = models.FloatField("рост аудитории, % в сутки", null=True, blank=True)
    # Set by the service to the moment its deadlines count from.
    created_at = models.DateTimeField("создан", default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="создал",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    updated_at = models.DateTimeField("изменён", auto_now=True)

    class Meta:
        verbose_name = "информационный повод"
        verbose_name_plural = "информационные поводы"
        ordering = ["-first_seen_at", "-id"]
        indexes = [
            # The overdue sweep: open events by their working-off deadline, not yet marked.
            models.Index(
                fields=["work_off_by"],
                name="infoevent_open_due_idx",
                condition=Q(status__in=["detected", "analysis", "recommended", "activities"], overdue_at=None),
            ),
            # The list page (newest first) and the list filtered by status.
            models.Index(fields=["status", "-first_seen_at"], name="infoevent_status_idx"),
            models.Index(fields=["sector_block", "-first_seen_at"], name="infoevent_sector_idx"),
            # Reports: events detected within a period.
            models.Index(fields=["created_at"], name="infoevent_created_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES


class EventSource(models.Model):
    """A post, an article or a video in which the event shows."""

    class Kind(models.TextChoices):
        POST = "post", "Пост"
        ARTICLE = "article", "Статья"
        VIDEO = "video", "Видео"
        COMMENT = "comment", "Комментарии"
        STORY = "story", "Сюжет ТВ, радио"
        OTHER = "other", "Другое"

    event = models.ForeignKey(InformationEvent, on_delete=models.CASCADE, related_name="sources")
    network = models.CharField("сеть или СМИ", max_length=16, choices=Network.choices)
    kind = models.CharField("вид", max_length=16, choices=Kind.choices, default=Kind.POST)
    url = models.URLField("ссылка", max_length=1000)
    outlet = models.CharField("сообщество, канал или издание", max_length=255, blank=True)
    title = models.CharField("заголовок", max_length=500, blank=True)
    published_at = models.DateTimeField("опубликовано", null=True, blank=True)
    reach = models.PositiveBigIntegerField("охват", default=0)
    added_at = models.DateTimeField("добавлен", auto_now_add=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = "источник повода"
        verbose_name_plural = "источники повода"
        ordering = ["published_at", "id"]
        constraints = [models.UniqueConstraint(fields=["event", "url"], name="event_source_url_once")]

    def __str__(self) -> str:
        return self.url


class AudiencePoint(models.Model):
    """One measurement of the event's audience: the series gives its growth."""

    event = models.ForeignKey(InformationEvent, on_delete=models.CASCADE, related_name="audience")
    measured_at = models.DateTimeField("время замера")
    reach = models.PositiveBigIntegerField("охват")
    reactions = models.PositiveBigIntegerField("реакции", default=0)
    comments = models.PositiveBigIntegerField("комментарии", default=0)
    shares = models.PositiveBigIntegerField("репосты", default=0)

    class Meta:
        verbose_name = "замер аудитории"
        verbose_name_plural = "замеры аудитории"
        ordering = ["measured_at", "id"]
        constraints = [models.UniqueConstraint(fields=["event", "measured_at"], name="audience_point_once")]

    def __str__(self) -> str:
        return f"{self.measured_at:%d.%m.%Y %H:%M}: {self.reach}"


class Recommendation(models.Model):
    """A recommendation of the center to a body or organisation: what to publish, where, by when."""

    class Status(models.TextChoices):
        ISSUED = "issued", "Выдана"
        ACCEPTED = "accepted", "Принята к исполнению"
        DONE = "done", "Выполнена"
        DECLINED = "declined", "Отклонена органом"
        CANCELLED = "cancelled", "Отозвана"

    OPEN_STATUSES = (Status.ISSUED, Status.ACCEPTED)

    event = models.ForeignKey(
        InformationEvent, verbose_name="повод", on_delete=models.CASCADE, related_name="recommendations"
    )
    organisation = models.ForeignKey(
        "sectors.Organisation",
        verbose_name="орган (организация)",
        on_delete=models.PROTECT,
        related_name="information_recommendations",
    )
    text = models.TextField("что опубликовать")
    channel = models.CharField("канал", max_length=16, choices=Channel.choices, default=Channel.OFFICIAL_PAGE)
    where = models.CharField("где опубликовать", max_length=500, blank=True)
    due_at = models.DateTimeField("срок")
    status = models.CharField("статус", max_length=16, choices=Status.choices, default=Status.ISSUED)
    response = models.TextField("ответ органа", blank=True)
    result_url = models.URLField("ссылка на публикацию", max_length=1000, blank=True)
    accepted_at = models.DateTimeField("принята", null=True, blank=True)
    done_at = models.DateTimeField("выполнена", null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="ответил",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    escalated_at = models.DateTimeField("эскалирована", null=True, blank=True)
    created_at = models.DateTimeField("выдана", auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="выдал",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = "рекомендация"
        verbose_name_plural = "рекомендации"
        ordering = ["due_at", "id"]
        indexes = [
            # The escalation sweep: open recommendations past their due date, not yet escalated.
            models.Index(
                fields=["due_at"],
                name="recommendation_open_due_idx",
                condition=Q(status__in=["issued", "accepted"], escalated_at=None),
            ),
            # The executor's list: recommendations to one organisation.
            models.Index(fields=["organisation", "status", "due_at"], name="recommendation_org_idx"),
        ]

    def __str__(self) -> str:
        return f"Рекомендация № {self.pk} ({self.organisation})"

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES


class EventHistory(TimelineEntry):
    """One step of an event: the timeline. Written by every informing service touching an event."""

    class Kind(models.TextChoices):
        CREATED = "created", "Повод выявлен"
        UPDATED = "updated", "Изменены сведения"
        STATUS = "status", "Смена статуса"
        ASSIGNED = "assigned", "Назначен ответственный"
        SOURCE = "source", "Добавлен источник"
        AUDIENCE = "audience", "Замер аудитории"
        RECOMMENDATION = "recommendation", "Выдана рекомендация"
        RECOMMENDATION_STATUS = "recommendation_status", "Ответ по рекомендации"
        RECOMMENDATION_ESCALATED = "recommendation_escalated", "Рекомендация просрочена"
        ACTIVITY = "activity", "Информационное мероприятие"
        MESSAGES = "messages", "Привязаны сообщения"
        OVERDUE = "overdue", "Просрочен срок отработки"

    event = models.ForeignKey(InformationEvent, on_delete=models.CASCADE, related_name="history")
    kind = models.CharField("событие", max_length=32, choices=Kind.choices)
    from_status = models.CharField("статус до", max_length=16, choices=InformationEvent.Status.choices, blank=True)
    to_status = models.CharField("статус после", max_length=16, choices=InformationEvent.Status.choices, blank=True)
    recommendation = models.ForeignKey(
        Recommendation, null=True, blank=True, on_delete=models.SET_NULL, related_name="history"
    )

    class Meta(TimelineEntry.Meta):
        verbose_name = "событие повода"
        verbose_name_plural = "история поводов"
        indexes = [models.Index(fields=["event", "created_at"], name="event_history_timeline_idx")]
