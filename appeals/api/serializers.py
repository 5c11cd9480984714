"""Serializers of the appeal API: intake (single and batch results), the list and the card with its
history (personal data masked), and the inputs of the workflow transitions. They validate only:
`appeals.services` writes."""

import datetime

from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.exceptions import ValidationError

from cur.web.dates import ApiDateField, ApiDateTimeField
from sectors.models import Organisation

from .. import selectors
from ..models import Appeal
from .fields import CodeResolver, CoordinateField, MaskedField, TextField, optional_text, public_status, resolve_codes

TEXT_MAX_LENGTH = 20_000
COMMENT_MAX_LENGTH = 5_000
# Clocks of source systems drift: a receipt time a little in the future is accepted as is.
RECEIVED_AT_TOLERANCE = datetime.timedelta(minutes=10)


# --- Intake serializers ----------------------------------------------------------------------------


class AppealIntakeSerializer(serializers.Serializer):
    """Обращение из внешней системы или от оператора. Повторная отправка с тем же
    (channel, external_id) возвращает уже зарегистрированное обращение."""

    channel = serializers.ChoiceField(
        choices=Appeal.Channel.choices,
        required=False,
        label="Канал",
        help_text="Обязателен для сотрудников; источник интеграции может его не указывать (канал источника).",
    )
    external_id = TextField(max_length=128, label="Идентификатор в источнике")
    text = TextField(max_length=TEXT_MAX_LENGTH, label="Текст обращения")
    received_at = ApiDateTimeField(required=False, label="Поступило", help_text="По умолчанию — сейчас.")
    address = optional_text(500, label="Адрес проблемы")
    applicant_name = optional_text(255, label="ФИО заявителя")
    applicant_phone = optional_text(32, label="Телефон заявителя")
    applicant_email = serializers.EmailField(
        max_length=254, required=False, allow_blank=True, default="", label="E-mail заявителя"
    )
    applicant_address = optional_text(500, label="Почтовый адрес заявителя")
    applicant_is_legal = serializers.BooleanField(required=False, default=False, label="Юридическое лицо")
    applicant_legal_name = optional_text(500, label="Наименование юридического лица")
    latitude = CoordinateField(required=False, allow_null=True, min_value=-90, max_value=90, label="Широта")
    longitude = CoordinateField(required=False, allow_null=True, min_value=-180, max_value=180, label="Долгота")
    sector = optional_text(100, allow_null=True, label="Код отраслевого блока")
    topic = optional_text(100, allow_null=True, label="Код темы")
    territory = optional_text(100, allow_null=True, label="Код ОКТМО территории")

    def validate_received_at(self, value):
        if value > timezone.now() + RECEIVED_AT_TOLERANCE:
            raise ValidationError("Время поступления не может быть в будущем.")
        return value

    def validate(self, attrs):
        source = self.context.get("source")
        if not attrs.get("channel"):
            if source is None:
                raise ValidationError({"channel": ["Обязательное поле."]})
            attrs["channel"] = source.channel
        if (attrs.get("latitude") is None) != (attrs.get("longitude") is None):
            raise ValidationError({"longitude": ["Укажите обе координаты: широту и долготу."]})
        rows = resolve_codes(attrs, self.context["resolver"])
        # Only what is given: register_appeal derives the sector block from the topic.
        for kind, field in (("sector", "sector_block"), ("topic", "topic"), ("territory", "territory")):
            if rows.get(kind) is not None:
                attrs[field] = rows[kind]
        for field in ("latitude", "longitude", "received_at"):
            if attrs.get(field) is None:
                attrs.pop(field, None)
        return attrs

    def create(self, validated_data):
        raise NotImplementedError("Обращения регистрирует services.register_appeal.")

    def update(self, instance, validated_data):
        raise NotImplementedError("Обращения изменяют сервисы appeals.services.")


class BatchItemResultSerializer(serializers.Serializer):
    index = serializers.IntegerField(label="Номер элемента в пакете (с 0)")
    status = serializers.ChoiceField(choices=["created", "existing", "error"], label="Результат")
    id = serializers.IntegerField(allow_null=True)
    number = serializers.CharField(allow_null=True, label="Номер обращения")
    errors = serializers.JSONField(allow_null=True, label="Ошибки по полям")


class BatchResultSerializer(serializers.Serializer):
    created = serializers.IntegerField(label="Создано")
    existing = serializers.IntegerField(label="Уже были")
    failed = serializers.IntegerField(label="С ошибками")
    results = BatchItemResultSerializer(many=True, label="Результаты в порядке пакета")


# --- Output serializers --------------------------------------------------------------------------


class AppealEventSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    created_at = serializers.DateTimeField(read_only=True, label="Время")
    kind = serializers.CharField(read_only=True, label="Событие")
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    actor = serializers.CharField(read_only=True, allow_null=True, label="Кто")
    from_status = serializers.CharField(read_only=True, label="Статус до")
    to_status = serializers.CharField(read_only=True, label="Статус после")
    changes = serializers.JSONField(read_only=True, label="Изменения: поле → [до, после]")
    comment = serializers.CharField(read_only=True, label="Комментарий")


class AppealListSerializer(serializers.Serializer):
    """Обращение в списке: персональные данные заявителя всегда маскированы."""

    id = serializers.IntegerField(read_only=True)
    number = serializers.CharField(read_only=True, label="Номер")
    channel = serializers.CharField(read_only=True, label="Канал")
    external_id = serializers.CharField(read_only=True, label="Идентификатор в источнике")
    status = serializers.CharField(read_only=True, label="Статус")
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    public_status = serializers.SerializerMethodField(label="Публичный статус")
    received_at = serializers.DateTimeField(read_only=True, label="Поступило")
    registered_at = serializers.DateTimeField(read_only=True, label="Зарегистрировано")
    text = serializers.CharField(read_only=True, label="Текст")
    address = serializers.CharField(read_only=True, label="Адрес проблемы")
    territory = serializers.CharField(source="territory.oktmo", read_only=True, allow_null=True, label="ОКТМО")
    territory_name = serializers.CharField(source="territory.name", read_only=True, allow_null=True)
    sector = serializers.CharField(source="sector_block.code", read_only=True, allow_null=True, label="Блок")
    sector_name = serializers.CharField(source="sector_block.name", read_only=True, allow_null=True)
    topic = serializers.CharField(source="topic.code", read_only=True, allow_null=True, label="Тема")
    topic_name = serializers.CharField(source="topic.name", read_only=True, allow_null=True)
    organisation = serializers.IntegerField(source="organisation_id", read_only=True, allow_null=True)
    organisation_name = serializers.CharField(source="organisation.name", read_only=True, allow_null=True)
    due_at = serializers.DateTimeField(read_only=True, allow_null=True, label="Срок ответа")
    days_left = serializers.SerializerMethodField(label="Дней до срока")
    is_overdue = serializers.SerializerMethodField(label="Просрочено")
    answered_at = serializers.DateTimeField(read_only=True, allow_null=True)
    closed_at = serializers.DateTimeField(read_only=True, allow_null=True)
    applicant_name = MaskedField(read_only=True, label="ФИО заявителя")
    applicant_phone = MaskedField(read_only=True, label="Телефон заявителя")
    applicant_email = MaskedField(read_only=True, label="E-mail заявителя")

    def get_public_status(self, appeal: Appeal) -> str:
        return public_status(appeal)

    def get_days_left(self, appeal: Appeal) -> int | None:
        return selectors.days_left(appeal) if appeal.is_open else None

    def get_is_overdue(self, appeal: Appeal) -> bool:
        return appeal.overdue_at is not None and appeal.is_open


class AppealDetailSerializer(AppealListSerializer):
    """Карточка обращения с историей; персональные данные открыты только ролям с доступом к ним."""

    latitude = serializers.DecimalField(max_digits=9, decimal_places=6, read_only=True, allow_null=True)
    longitude = serializers.DecimalField(max_digits=9, decimal_places=6, read_only=True, allow_null=True)
    applicant_address = MaskedField(read_only=True, label="Почтовый адрес заявителя")
    applicant_is_legal = serializers.BooleanField(read_only=True, label="Юридическое лицо")
    applicant_legal_name = MaskedField(read_only=True, label="Наименование юридического лица")
    personal_data_masked = serializers.SerializerMethodField(label="Персональные данные скрыты")
    suggested_sector = serializers.CharField(source="suggested_sector_block.code", read_only=True, allow_null=True)
    suggested_topic = serializers.CharField(source="suggested_topic.code", read_only=True, allow_null=True)
    suggested_topic_name = serializers.CharField(source="suggested_topic.name", read_only=True, allow_null=True)
    suggested_territory = serializers.CharField(source="suggested_territory.oktmo", read_only=True, allow_null=True)
    confidence = serializers.FloatField(read_only=True, allow_null=True, label="Уверенность классификации")
    classification_source = serializers.CharField(read_only=True)
    assigned_at = serializers.DateTimeField(read_only=True, allow_null=True)
    clock_paused_at = serializers.DateTimeField(read_only=True, allow_null=True, label="Срок приостановлен")
    overdue_at = serializers.DateTimeField(read_only=True, allow_null=True)
    escalation_level = serializers.IntegerField(read_only=True)
    answer_text = serializers.CharField(read_only=True, label="Ответ")
    answer_quality = serializers.CharField(read_only=True, label="Качество ответа")
    satisfaction = serializers.IntegerField(read_only=True, allow_null=True, label="Оценка заявителя")
    satisfaction_comment = serializers.CharField(read_only=True)
    reject_reason = serializers.CharField(read_only=True)
    repeat_of = serializers.IntegerField(source="repeat_of_id", read_only=True, allow_null=True)
    incident = serializers.IntegerField(source="incident_id", read_only=True, allow_null=True)
    events = serializers.SerializerMethodField(label="История")

    def get_personal_data_masked(self, appeal: Appeal) -> bool:
        return not self.context.get("unmask")

    @extend_schema_field(AppealEventSerializer(many=True))
    def get_events(self, appeal: Appeal):
        return AppealEventSerializer(selectors.appeal_timeline(appeal), many=True).data


# --- Transition inputs ---------------------------------------------------------------------------------


class OrganisationField(serializers.PrimaryKeyRelatedField):
    def __init__(self, **kwargs):
        kwargs.setdefault("queryset", Organisation.objects.defer("territory__boundary"))
        kwargs.setdefault("label", "Исполнитель (id организации)")
        super().__init__(**kwargs)


class AssignInput(serializers.Serializer):
    organisation = OrganisationField()
    comment = optional_text(COMMENT_MAX_LENGTH, label="Комментарий")


class RedirectInput(serializers.Serializer):
    organisation = OrganisationField()
    comment = TextField(max_length=COMMENT_MAX_LENGTH, label="Причина перенаправления")


class CommentInput(serializers.Serializer):
    comment = TextField(max_length=COMMENT_MAX_LENGTH, label="Комментарий")


class OptionalCommentInput(serializers.Serializer):
    comment = optional_text(COMMENT_MAX_LENGTH, label="Комментарий")


class ExtendInput(serializers.Serializer):
    due_date = ApiDateField(label="Новый срок (дата)")
    reason = TextField(max_length=COMMENT_MAX_LENGTH, label="Причина продления")


class AnswerInput(serializers.Serializer):
    text = TextField(max_length=TEXT_MAX_LENGTH, label="Текст ответа")


class QualityInput(serializers.Serializer):
    quality = serializers.ChoiceField(choices=Appeal.AnswerQuality.choices, label="Качество ответа")
    comment = optional_text(COMMENT_MAX_LENGTH, label="Комментарий")


class SatisfactionInput(serializers.Serializer):
    score = serializers.IntegerField(min_value=1, max_value=5, label="Оценка заявителя (1–5)")
    comment = optional_text(COMMENT_MAX_LENGTH, label="Комментарий заявителя")


class ReopenInput(serializers.Serializer):
    reason = TextField(max_length=COMMENT_MAX_LENGTH, label="Причина возобновления")


@extend_schema_field({"type": "integer", "nullable": True})
class VisibleAppealField(serializers.PrimaryKeyRelatedField):
    def get_queryset(self):
        return selectors.appeals_visible_to(self.context["request"].user)


class RejectInput(serializers.Serializer):
    reason = serializers.ChoiceField(choices=Appeal.RejectReason.choices, label="Причина отклонения")
    comment = optional_text(COMMENT_MAX_LENGTH, label="Комментарий")
    duplicate_of = VisibleAppealField(
        required=False, allow_null=True, label="Дубликат обращения (id)", help_text="Обязателен для причины duplicate."
    )

    def validate(self, attrs):
        if attrs["reason"] == Appeal.RejectReason.DUPLICATE and attrs.get("duplicate_of") is None:
            raise ValidationError({"duplicate_of": ["Укажите обращение, дубликатом которого является это."]})
        return attrs


class ClassifyInput(serializers.Serializer):
    sector = optional_text(100, allow_null=True, label="Код отраслевого блока")
    topic = optional_text(100, allow_null=True, label="Код темы")
    territory = optional_text(100, allow_null=True, label="Код ОКТМО территории")

    def validate(self, attrs):
        if not attrs.get("sector") and not attrs.get("topic"):
            raise ValidationError({"topic": ["Укажите тему или отраслевой блок."]})
        rows = resolve_codes(attrs, CodeResolver())
        return {"sector_block": rows.get("sector"), "topic": rows.get("topic"), "territory": rows.get("territory")}
