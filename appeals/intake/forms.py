"""Forms of intake: the operator's registration form and the upload of a file to import, with the
topic and territory choices the appeal pages' forms reuse. They validate only; every write goes
through `appeals.services` (and `intake.importing` for files)."""

import datetime

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import timezone

from cur.uploads import UploadValidator
from cur.web.dates import DateTimeField
from cur.web.forms import BootstrapFormMixin
from sectors.models import SectorBlock, Territory, phone_validator

from .. import selectors
from ..models import Appeal, AppealImport, Topic
from .formats import FORMATS, ImportFileError, read_header

DATETIME_FORMAT = "%d.%m.%Y %H:%M"
# A clock of the source system may run a little ahead of ours.
FUTURE_TOLERANCE = datetime.timedelta(minutes=10)


# --- fields -----------------------------------------------------------------------------


class TerritoryField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Territory) -> str:
        return f"{obj.name} ({obj.get_kind_display().lower()})"


def grouped_topic_choices(topics) -> list:
    """Topics grouped by sector block for a <select> with <optgroup>s."""
    groups: dict = {}
    for topic in topics:
        groups.setdefault(topic.sector_block, []).append((topic.pk, topic.name))
    ordered = sorted(groups.items(), key=lambda item: (item[0].position, item[0].name))
    return [("", "---------"), *((str(block), choices) for block, choices in ordered)]


class TopicField(forms.ModelChoiceField):
    """A topic choice grouped by sector block; validation still goes through the queryset."""

    def __init__(self, **kwargs):
        kwargs.setdefault("queryset", Topic.objects.none())
        kwargs.setdefault("label", "тема")
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def set_topics(self, topics: QuerySet[Topic]) -> None:
        self.queryset = topics
        self.choices = grouped_topic_choices(topics)


# --- registration by hand and by file ----------------------------------------------------


class AppealCreateForm(BootstrapFormMixin, forms.Form):
    """The operator's registration form."""

    channel = forms.ChoiceField(
        label="канал",
        choices=[("", "---------"), *Appeal.Channel.choices],
        error_messages={"required": "Выберите канал поступления."},
    )
    external_id = forms.CharField(
        label="номер в источнике",
        max_length=128,
        required=False,
        help_text="Если указан, повторная регистрация того же сообщения не создаст дубль.",
    )
    received_at = DateTimeField(  # the range of cur.web.dates
        label="поступило",
        input_formats=[DATETIME_FORMAT],
        widget=forms.DateTimeInput(format=DATETIME_FORMAT, attrs={"placeholder": "дд.мм.гггг чч:мм"}),
        error_messages={
            "required": "Укажите дату и время поступления.",
            "invalid": "Введите дату и время в формате дд.мм.гггг чч:мм.",
        },
    )
    text = forms.CharField(
        label="текст обращения",
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": "Введите текст обращения."},
    )
    address = forms.CharField(label="адрес проблемы", max_length=500, required=False)
    applicant_name = forms.CharField(label="ФИО заявителя", max_length=255, required=False)
    applicant_phone = forms.CharField(
        label="телефон заявителя", max_length=32, required=False, validators=[phone_validator]
    )
    applicant_email = forms.EmailField(
        label="e-mail заявителя",
        required=False,
        error_messages={"invalid": "Введите правильный адрес электронной почты."},
    )
    applicant_address = forms.CharField(label="почтовый адрес заявителя", max_length=500, required=False)
    applicant_is_legal = forms.BooleanField(label="заявитель — юридическое лицо", required=False)
    applicant_legal_name = forms.CharField(label="наименование юридического лица", max_length=500, required=False)
    sector_block = forms.ModelChoiceField(label="отраслевой блок", queryset=SectorBlock.objects.none(), required=False)
    topic = TopicField()
    territory = TerritoryField(label="территория", queryset=Territory.objects.none(), required=False)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sector_block"].queryset = SectorBlock.objects.filter(is_active=True)
        self.fields["topic"].set_topics(selectors.topics_for_choice())
        territories = Territory.objects.filter(is_active=True).order_by("name", "pk")
        if user is not None and user.role == user.Role.MUNICIPAL_OPERATOR and user.territory_id:
            # A МЦУ registers appeals of its own territory: anything else it could not see afterwards.
            territories = territories.filter(pk__in=selectors.territory_and_descendants(user.territory))
            self.fields["territory"].required = True
            self.fields["territory"].error_messages["required"] = "Укажите территорию."
            self.initial.setdefault("territory", user.territory_id)
        self.fields["territory"].queryset = territories
        self.fields["text"].strip = True

    def clean_received_at(self):
        value = self.cleaned_data["received_at"]
        if value > timezone.now() + FUTURE_TOLERANCE:
            raise ValidationError("Дата поступления не может быть в будущем.")
        return value

    def clean_text(self):
        text = self.cleaned_data["text"].strip()
        if len(text) < 3:
            raise ValidationError("Текст обращения слишком короткий.")
        return text

    def clean(self):
        cleaned = super().clean()
        topic, block = cleaned.get("topic"), cleaned.get("sector_block")
        if topic and block and topic.sector_block_id != block.pk:
            self.add_error("topic", "Тема не относится к выбранному отраслевому блоку.")
        if cleaned.get("applicant_is_legal") and not cleaned.get("applicant_legal_name", "").strip():
            self.add_error("applicant_legal_name", "Укажите наименование юридического лица.")
        return cleaned


class ImportForm(BootstrapFormMixin, forms.Form):
    file = forms.FileField(
        label="файл",
        help_text=f"CSV (UTF-8 или Windows-1251; разделитель — запятая, точка с запятой или табуляция) "
        f"или XLSX, не больше {settings.UPLOAD_MAX_SIZE // (1024 * 1024)} МБ.",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
        validators=[UploadValidator(["csv", "xlsx"])],
        error_messages={"required": "Выберите файл.", "empty": "Файл пуст.", "invalid": "Выберите файл."},
    )
    format = forms.ChoiceField(label="формат", choices=AppealImport.Format.choices, initial=AppealImport.Format.POS)
    channel = forms.ChoiceField(label="канал", choices=Appeal.Channel.choices, initial=Appeal.Channel.POS)
    dry_run = forms.BooleanField(
        label="пробный прогон",
        required=False,
        help_text="Проверить файл и показать, что будет создано, ничего не записывая.",
    )

    def clean(self):
        data = super().clean()
        upload = data.get("file")  # size, extension and content: checked by UploadValidator
        if upload is None or "format" not in data:
            return data
        # Checking the header now turns a wrong format into a form error instead of a failed import.
        fmt = FORMATS[data["format"]]
        xlsx = upload.name.lower().endswith(".xlsx")
        try:
            header = read_header(upload.read() if xlsx else upload.read(65536), upload.name, fmt)
            fmt.resolve(header)
        except ImportFileError as exc:
            raise forms.ValidationError({"file": exc.message}) from exc
        finally:
            upload.seek(0)
        return data
