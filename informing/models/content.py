"""What the center publishes and watches: information activities, the materials library,
disinformation cases and the official pages of bodies (госпаблики)."""

from django.conf import settings
from django.core.validators import FileExtensionValidator
from django.db import models
from django.db.models import Q

from .common import Channel, Format, Network
from .events import InformationEvent, Recommendation

MATERIAL_EXTENSIONS = ["pdf", "doc", "docx", "odt", "txt", "png", "jpg", "jpeg", "gif", "webp", "mp4", "pptx"]


class Material(models.Model):
    """An information material of the library: the original text or file."""

    title = models.CharField("название", max_length=255)
    kind = models.CharField("формат", max_length=16, choices=Format.choices, default=Format.POST)
    body = models.TextField("текст", blank=True)
    url = models.URLField("ссылка", max_length=1000, blank=True)
    file = models.FileField(
        "файл",
        upload_to="informing/materials/%Y/%m/",
        blank=True,
        validators=[FileExtensionValidator(MATERIAL_EXTENSIONS)],
    )
    sector_block = models.ForeignKey(
        "sectors.SectorBlock",
        verbose_name="отраслевой блок",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    event = models.ForeignKey(
        InformationEvent,
        verbose_name="повод",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="materials",
    )
    is_archived = models.BooleanField("в архиве", default=False)
    created_at = models.DateTimeField("создан", auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="автор",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    updated_at = models.DateTimeField("изменён", auto_now=True)

    class Meta:
        verbose_name = "информационный материал"
        verbose_name_plural = "библиотека материалов"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title


class MaterialVersion(models.Model):
    """A version of a material adapted to an audience (groups, territories) and a channel."""

    material = models.ForeignKey(Material, verbose_name="материал", on_delete=models.CASCADE, related_name="versions")
    title = models.CharField("название версии", max_length=255)
    channel = models.CharField("канал", max_length=16, choices=Channel.choices)
    format = models.CharField("формат", max_length=16, choices=Format.choices, default=Format.POST)
    audience_groups = models.JSONField("группы аудитории", default=list, blank=True)
    territories = models.ManyToManyField("sectors.Territory", verbose_name="территории", blank=True, related_name="+")
    audience_note = models.CharField("другие характеристики аудитории", max_length=500, blank=True)
    body = models.TextField("текст", blank=True)
    url = models.URLField("ссылка", max_length=1000, blank=True)
    file = models.FileField(
        "файл",
        upload_to="informing/materials/%Y/%m/",
        blank=True,
        validators=[FileExtensionValidator(MATERIAL_EXTENSIONS)],
    )
    created_at = models.DateTimeField("создана", auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = "адаптированная версия материала"
        verbose_name_plural = "адаптированные версии материалов"
        ordering = ["material", "id"]

    def __str__(self) -> str:
        return self.title


class OfficialPage(models.Model):
    """Официальная страница органа (госпаблик, Положение 2.1.9)."""

    class Status(models.TextChoices):
        ACTIVE = "active", "Ведётся"
        INACTIVE = "inactive", "Не ведётся"
        BLOCKED = "blocked", "Заблокирована"
        CLOSED = "closed", "Закрыта"

    organisation = models.ForeignKey(
        "sectors.Organisation",
        verbose_name="орган (организация)",
        on_delete=models.PROTECT,
        related_name="official_pages",
    )
    network = models.CharField("сеть", max_length=16, choices=Network.choices)
    url = models.URLField("адрес страницы", max_length=500, unique=True)
    name = models.CharField("название страницы", max_length=255, blank=True)
    status = models.CharField("статус", max_length=16, choices=Status.choices, default=Status.ACTIVE)
    verified = models.BooleanField("подтверждена (госметка)", default=False)
    verified_at = models.DateTimeField("подтверждена", null=True, blank=True)
    last_activity_at = models.DateTimeField("последняя публикация", null=True, blank=True)
    followers = models.PositiveBigIntegerField("подписчиков", null=True, blank=True)
    created_at = models.DateTimeField("добавлена", auto_now_add=True)
    updated_at = models.DateTimeField("изменена", auto_now=True)

    class Meta:
        verbose_name = "официальная страница (госпаблик)"
        verbose_name_plural = "официальные страницы (госпаблики)"
        ordering = ["organisation__name", "network"]
        indexes = [
            # «Органы без госпаблика»: NOT EXISTS (an active page of the organisation).
            models.Index(fields=["organisation"], condition=Q(status="active"), name="official_page_active_idx"),
        ]

    def __str__(self) -> str:
        return self.name or self.url


class InformationActivity(models.Model):
    """Информационное мероприятие: a publication, a broadcast or a mailing for a target audience."""

    event = models.ForeignKey(
        InformationEvent,
        verbose_name="повод",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="activities",
    )
    recommendation = models.ForeignKey(
        Recommendation,
        verbose_name="по рекомендации",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="activities",
    )
    organisation = models.ForeignKey(
        "sectors.Organisation",
        verbose_name="кто публикует",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="information_activities",
    )
    title = models.CharField("название", max_length=255)
    channel = models.CharField("канал", max_length=16, choices=Channel.choices)
    format = models.CharField("формат", max_length=16, choices=Format.choices, default=Format.POST)
    network = models.CharField("сеть", max_length=16, choices=Network.choices, blank=True)
    official_page = models.ForeignKey(
        OfficialPage, verbose_name="госпаблик", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    territories = models.ManyToManyField(
        "sectors.Territory", verbose_name="территории аудитории", blank=True, related_name="+"
    )
    audience_groups = models.JSONField("группы аудитории", default=list, blank=True)
    audience_note = models.CharField("другие характеристики аудитории", max_length=500, blank=True)
    material = models.ForeignKey(
        Material, verbose_name="материал", null=True, blank=True, on_delete=models.SET_NULL, related_name="activities"
    )
    material_version = models.ForeignKey(
        MaterialVersion,
        verbose_name="версия материала",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="activities",
    )
    planned_at = models.DateTimeField("запланировано на", null=True, blank=True)
    published_at = models.DateTimeField("опубликовано", null=True, blank=True)
    url = models.URLField("ссылка", max_length=1000, blank=True)
    reach = models.PositiveBigIntegerField("охват", default=0)
    reactions = models.PositiveBigIntegerField("реакции", default=0)
    comments = models.PositiveBigIntegerField("комментарии", default=0)
    shares = models.PositiveBigIntegerField("репосты", default=0)
    feedback = models.TextField("обратная связь", blank=True)
    created_at = models.DateTimeField("создано", auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField("изменено", auto_now=True)

    class Meta:
        verbose_name = "информационное мероприятие"
        verbose_name_plural = "информационные мероприятия"
        ordering = ["-created_at", "-id"]
        indexes = [
            # Reports: activities published within a period.
            models.Index(fields=["published_at"], name="activity_published_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_published(self) -> bool:
        return self.published_at is not None


class DisinformationCase(models.Model):
    """A claim checked by the center: marked false with evidence, refuted, warnings issued."""

    class Status(models.TextChoices):
        CHECKING = "checking", "Проверяется"
        FALSE = "false", "Признано недостоверным"
        REFUTED = "refuted", "Опровергнуто"
        DISMISSED = "dismissed", "Не подтвердилось: сведения достоверны"

    title = models.CharField("кратко", max_length=255)
    claim = models.TextField("утверждение")
    status = models.CharField("статус", max_length=16, choices=Status.choices, default=Status.CHECKING)
    event = models.ForeignKey(
        InformationEvent,
        verbose_name="повод",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="disinformation",
    )
    sector_block = models.ForeignKey(
        "sectors.SectorBlock",
        verbose_name="отраслевой блок",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    detected_at = models.DateTimeField("выявлено")
    evidence = models.TextField("доказательства недостоверности", blank=True)
    evidence_links = models.JSONField("ссылки на доказательства", default=list, blank=True)
    marked_false_at = models.DateTimeField("признано недостоверным", null=True, blank=True)
    marked_false_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    refutation_material = models.ForeignKey(
        Material,
        verbose_name="материал опровержения",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="refuted_cases",
    )
    refutation_url = models.URLField("ссылка на опровержение", max_length=1000, blank=True)
    refuted_at = models.DateTimeField("опровергнуто", null=True, blank=True)
    total_reach = models.PositiveBigIntegerField("охват распространения", default=0)
    created_at = models.DateTimeField("создано", auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField("изменено", auto_now=True)

    class Meta:
        verbose_name = "случай дезинформации"
        verbose_name_plural = "дезинформация"
        ordering = ["-detected_at", "-id"]

    def __str__(self) -> str:
        return self.title


class DisinformationSpread(models.Model):
    """Where a false claim spread: a post or an article, its reach and territory."""

    case = models.ForeignKey(DisinformationCase, on_delete=models.CASCADE, related_name="spread")
    network = models.CharField("сеть или СМИ", max_length=16, choices=Network.choices)
    url = models.URLField("ссылка", max_length=1000)
    territory = models.ForeignKey(
        "sectors.Territory",
        verbose_name="территория",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    found_at = models.DateTimeField("обнаружено")
    reach = models.PositiveBigIntegerField("охват", default=0)

    class Meta:
        verbose_name = "место распространения"
        verbose_name_plural = "места распространения"
        ordering = ["found_at", "id"]
        constraints = [models.UniqueConstraint(fields=["case", "url"], name="disinfo_spread_url_once")]

    def __str__(self) -> str:
        return self.url


class DisinformationWarning(models.Model):
    """A warning issued about a false claim: to a body, an outlet or the public."""

    case = models.ForeignKey(DisinformationCase, on_delete=models.CASCADE, related_name="warnings")
    organisation = models.ForeignKey(
        "sectors.Organisation",
        verbose_name="орган (организация)",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    addressee = models.CharField("кому (если не орган из справочника)", max_length=255, blank=True)
    channel = models.CharField("канал", max_length=16, choices=Channel.choices, default=Channel.MAILING)
    text = models.TextField("текст предупреждения")
    issued_at = models.DateTimeField("выдано", auto_now_add=True)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = "предупреждение"
        verbose_name_plural = "предупреждения"
        ordering = ["issued_at", "id"]

    def __str__(self) -> str:
        return str(self.organisation or self.addressee)
