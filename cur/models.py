from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models

from .roles import BLOCK_ROLES, Role, can


class CurUserManager(UserManager):
    def create_superuser(self, username, email=None, password=None, **extra_fields):
        extra_fields.setdefault("role", Role.ADMIN)
        return super().create_superuser(username, email, password, **extra_fields)


class User(AbstractUser):
    """A member of ЦУР staff (or an API client) with one role and an explicit scope."""

    Role = Role

    patronymic = models.CharField("отчество", max_length=150, blank=True)
    position = models.CharField("должность", max_length=255, blank=True)
    phone = models.CharField("телефон", max_length=32, blank=True)
    role = models.CharField("роль", max_length=32, choices=Role.choices, default=Role.OPERATOR)
    # Scope: block roles see their sector blocks, executors their organisation,
    # municipal operators their territory (DESIGN §3).
    sector_blocks = models.ManyToManyField(
        "sectors.SectorBlock", verbose_name="отраслевые блоки", blank=True, related_name="users"
    )
    organisation = models.ForeignKey(
        "sectors.Organisation",
        verbose_name="организация",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )
    territory = models.ForeignKey(
        "sectors.Territory",
        verbose_name="территория",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )

    objects = CurUserManager()

    class Meta:
        verbose_name = "пользователь"
        verbose_name_plural = "пользователи"
        ordering = ["last_name", "first_name"]

    def __str__(self) -> str:
        return self.full_name or self.username

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.last_name, self.first_name, self.patronymic) if p)

    def can(self, capability: str) -> bool:
        return can(self, capability)

    def clean(self):
        super().clean()
        if self.role == Role.EXECUTOR and not self.organisation_id:
            raise ValidationError({"organisation": "Сотруднику органа нужно указать организацию."})
        if self.role == Role.MUNICIPAL_OPERATOR and not self.territory_id:
            raise ValidationError({"territory": "Оператору МЦУ нужно указать территорию."})


def validate_block_scope(role: str, sector_blocks) -> None:
    """Block roles must name at least one sector block (checked by forms: M2M is set after save)."""
    if role in BLOCK_ROLES and not sector_blocks:
        raise ValidationError({"sector_blocks": "Для этой роли укажите хотя бы один отраслевой блок."})


class TimelineEntry(models.Model):
    """One step in the history of a case (an appeal, a message, an information event).

    Each app adds its own `kind` choices, its status fields and the link to the case."""

    created_at = models.DateTimeField("время", auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="кто",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    changes = models.JSONField("изменения", default=dict, blank=True)
    comment = models.TextField("комментарий", blank=True)

    class Meta:
        abstract = True
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.get_kind_display()


class AuditEvent(models.Model):
    """One row per write made by a service: who did what to which object, and from where."""

    created_at = models.DateTimeField("время", auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="кто",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="audit_events",
    )
    action = models.CharField("действие", max_length=64)
    object_type = models.CharField("тип объекта", max_length=100)
    object_id = models.CharField("идентификатор объекта", max_length=64, blank=True)
    object_repr = models.CharField("объект", max_length=255, blank=True)
    changes = models.JSONField("изменения", default=dict, blank=True)
    ip_address = models.GenericIPAddressField("IP-адрес", null=True, blank=True)

    class Meta:
        verbose_name = "событие аудита"
        verbose_name_plural = "журнал аудита"
        ordering = ["-created_at", "-id"]
        indexes = [
            # "history of this object" on object pages and in the admin.
            models.Index(fields=["object_type", "object_id", "-created_at"], name="audit_object_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.action} {self.object_repr}"


class WorkerHeartbeat(models.Model):
    """The last time each Celery worker ran the beat's heartbeat task (shown on /health/)."""

    worker = models.CharField("воркер", max_length=255, unique=True)
    seen_at = models.DateTimeField("последний сигнал")

    class Meta:
        verbose_name = "сигнал воркера"
        verbose_name_plural = "сигналы воркеров"

    def __str__(self) -> str:
        return self.worker


class Notification(models.Model):
    """An in-app notification (the unread counter in the header); e-mail goes out alongside."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="получатель", on_delete=models.CASCADE, related_name="notifications"
    )
    created_at = models.DateTimeField("создано", auto_now_add=True)
    title = models.CharField("заголовок", max_length=255)
    body = models.TextField("текст", blank=True)
    url = models.CharField("ссылка", max_length=500, blank=True)
    read_at = models.DateTimeField("прочитано", null=True, blank=True)

    class Meta:
        verbose_name = "уведомление"
        verbose_name_plural = "уведомления"
        ordering = ["-created_at", "-id"]
        indexes = [
            # The unread counter in the header of every page.
            models.Index(fields=["user"], condition=models.Q(read_at=None), name="notification_unread_idx"),
        ]

    def __str__(self) -> str:
        return self.title
