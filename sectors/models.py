from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q


class SectorBlock(models.Model):
    """Отраслевой блок: the 8 mandatory ones, the region's extra ones, and admin-added blocks."""

    code = models.SlugField("код", max_length=32, unique=True)
    name = models.CharField("название", max_length=255, unique=True)
    description = models.TextField("описание", blank=True)
    is_mandatory = models.BooleanField("обязательный", default=False)
    is_active = models.BooleanField("действует", default=True)
    position = models.PositiveSmallIntegerField("порядок", default=100)

    class Meta:
        verbose_name = "отраслевой блок"
        verbose_name_plural = "отраслевые блоки"
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name


oktmo_validator = RegexValidator(r"^[0-9]{8}([0-9]{3})?$", "Код ОКТМО состоит из 8 или 11 цифр.")


class Territory(models.Model):
    """Region → municipal district / okrug / city okrug → settlement."""

    class Kind(models.TextChoices):
        REGION = "region", "Субъект РФ"
        MUNICIPAL_DISTRICT = "municipal_district", "Муниципальный район"
        MUNICIPAL_OKRUG = "municipal_okrug", "Муниципальный округ"
        CITY_OKRUG = "city_okrug", "Городской округ"
        URBAN_SETTLEMENT = "urban_settlement", "Городское поселение"
        RURAL_SETTLEMENT = "rural_settlement", "Сельское поселение"
        LOCALITY = "locality", "Населённый пункт"

    MUNICIPAL_KINDS = (Kind.MUNICIPAL_DISTRICT, Kind.MUNICIPAL_OKRUG, Kind.CITY_OKRUG)

    name = models.CharField("название", max_length=255)
    kind = models.CharField("вид", max_length=32, choices=Kind.choices)
    parent = models.ForeignKey(
        "self", verbose_name="входит в", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    oktmo = models.CharField("код ОКТМО", max_length=11, unique=True, validators=[oktmo_validator])
    population = models.PositiveIntegerField("население, чел.", null=True, blank=True)
    boundary = models.JSONField("граница (GeoJSON)", null=True, blank=True)
    is_active = models.BooleanField("действует", default=True)

    class Meta:
        verbose_name = "территория"
        verbose_name_plural = "территории"
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="region", parent__isnull=True) | (~Q(kind="region") & Q(parent__isnull=False)),
                name="territory_only_region_is_root",
                violation_error_message="Только субъект РФ не входит в другую территорию.",
            ),
        ]

    def __str__(self) -> str:
        return self.name


inn_validator = RegexValidator(r"^([0-9]{10}|[0-9]{12})$", "ИНН состоит из 10 или 12 цифр.")
phone_validator = RegexValidator(r"^\+?[0-9 ()\-]{5,20}$", "Телефон: цифры, пробелы, скобки, дефис, от 5 до 20 знаков.")


class Organisation(models.Model):
    """Орган или организация: a body that appeals are routed to and that ratings rank."""

    class Kind(models.TextChoices):
        REGIONAL_BODY = "regional_body", "Исполнительный орган субъекта РФ"
        LOCAL_GOVERNMENT = "local_government", "Орган местного самоуправления"
        EXTRABUDGETARY_FUND = "extrabudgetary_fund", "Территориальный орган внебюджетного фонда"
        SUBORDINATE = "subordinate", "Подведомственное учреждение"
        STATE_ORGANISATION = "state_organisation", "Государственная или муниципальная организация"
        STATE_PARTICIPATION = "state_participation", "Организация с государственным участием"

    name = models.CharField("полное наименование", max_length=500)
    short_name = models.CharField("краткое наименование", max_length=255, blank=True)
    kind = models.CharField("вид", max_length=32, choices=Kind.choices)
    inn = models.CharField("ИНН", max_length=12, blank=True, validators=[inn_validator])
    territory = models.ForeignKey(
        Territory, verbose_name="территория", on_delete=models.PROTECT, related_name="organisations"
    )
    sector_blocks = models.ManyToManyField(
        SectorBlock, verbose_name="отраслевые блоки", blank=True, related_name="organisations"
    )
    parent = models.ForeignKey(
        "self",
        verbose_name="вышестоящая организация",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="subordinates",
    )
    address = models.CharField("адрес", max_length=500, blank=True)
    phone = models.CharField("телефон", max_length=32, blank=True, validators=[phone_validator])
    email = models.EmailField("e-mail", blank=True)
    website = models.URLField("сайт", blank=True)
    is_active = models.BooleanField("действует", default=True)

    class Meta:
        verbose_name = "организация"
        verbose_name_plural = "органы и организации"
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["inn"],
                condition=~Q(inn=""),
                name="organisation_inn_unique",
                violation_error_message="Организация с таким ИНН уже есть.",
            ),
            models.CheckConstraint(
                condition=~Q(parent=models.F("pk")),
                name="organisation_not_own_parent",
                violation_error_message="Организация не может быть вышестоящей для себя.",
            ),
        ]

    def __str__(self) -> str:
        return self.short_name or self.name


class ResponsiblePerson(models.Model):
    """An official appointed to a ЦУР role (Rules 10г, 10(1)в). A reassignment closes the
    current appointment (sets `until`) and opens a new one, so the history stays."""

    class Role(models.TextChoices):
        CURATOR = "curator", "Куратор ЦУР"
        EXECUTIVE = "executive", "Ответственный исполнитель"
        BLOCK_RESPONSIBLE = "block_responsible", "Ответственный за отраслевой блок"
        BLOCK_HEAD = "block_head", "Руководитель отраслевого блока"
        MCU_CURATOR = "mcu_curator", "Куратор МЦУ"
        MCU_HEAD = "mcu_head", "Руководитель МЦУ"
        MCU_ADMIN = "mcu_admin", "Администратор МЦУ"

    BLOCK_ROLES = (Role.BLOCK_RESPONSIBLE, Role.BLOCK_HEAD)
    MCU_ROLES = (Role.MCU_CURATOR, Role.MCU_HEAD, Role.MCU_ADMIN)

    role = models.CharField("роль", max_length=32, choices=Role.choices)
    last_name = models.CharField("фамилия", max_length=150)
    first_name = models.CharField("имя", max_length=150)
    patronymic = models.CharField("отчество", max_length=150, blank=True)
    position = models.CharField("должность", max_length=255)
    organisation = models.ForeignKey(
        Organisation,
        verbose_name="организация",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="responsible_persons",
    )
    sector_block = models.ForeignKey(
        SectorBlock,
        verbose_name="отраслевой блок",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="responsible_persons",
    )
    territory = models.ForeignKey(
        Territory,
        verbose_name="муниципальное образование",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="responsible_persons",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="пользователь",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="appointments",
    )
    phone = models.CharField("телефон", max_length=32, blank=True, validators=[phone_validator])
    email = models.EmailField("e-mail", blank=True)
    act_number = models.CharField("номер акта о назначении", max_length=64)
    act_date = models.DateField("дата акта о назначении")
    since = models.DateField("назначен с")
    until = models.DateField("полномочия до", null=True, blank=True)

    class Meta:
        verbose_name = "ответственное лицо"
        verbose_name_plural = "ответственные лица"
        ordering = ["role", "last_name", "first_name"]
        constraints = [
            # The region has one ЦУР: at most one current curator and one current executive.
            models.UniqueConstraint(
                fields=["role"],
                condition=Q(role__in=["curator", "executive"], until__isnull=True),
                name="one_current_curator_and_executive",
                violation_error_message="У ЦУР уже есть действующее лицо в этой роли.",
            ),
            models.UniqueConstraint(
                fields=["role", "sector_block"],
                condition=Q(role__in=["block_responsible", "block_head"], until__isnull=True),
                name="one_current_block_person_per_role",
                violation_error_message="У отраслевого блока уже есть действующее лицо в этой роли.",
            ),
            models.UniqueConstraint(
                fields=["role", "territory"],
                condition=Q(role__in=["mcu_curator", "mcu_head", "mcu_admin"], until__isnull=True),
                name="one_current_mcu_person_per_role",
                violation_error_message="У МЦУ этой территории уже есть действующее лицо в этой роли.",
            ),
            models.CheckConstraint(
                condition=~Q(role__in=["block_responsible", "block_head"]) | Q(sector_block__isnull=False),
                name="block_person_has_block",
                violation_error_message="Для роли в отраслевом блоке укажите блок.",
            ),
            models.CheckConstraint(
                condition=~Q(role__in=["mcu_curator", "mcu_head", "mcu_admin"]) | Q(territory__isnull=False),
                name="mcu_person_has_territory",
                violation_error_message="Для роли в МЦУ укажите муниципальное образование.",
            ),
            models.CheckConstraint(
                condition=Q(until__isnull=True) | Q(until__gte=models.F("since")),
                name="appointment_until_after_since",
                violation_error_message="Дата окончания полномочий раньше даты назначения.",
            ),
        ]
        indexes = [
            # "current holders of a block's roles" on the directory page.
            models.Index(fields=["sector_block", "role"], condition=Q(until__isnull=True), name="current_block_people"),
        ]

    def __str__(self) -> str:
        return f"{self.full_name} ({self.get_role_display()})"

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.last_name, self.first_name, self.patronymic) if p)

    @property
    def is_current(self) -> bool:
        return self.until is None
