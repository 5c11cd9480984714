"""Forms of the moderation center's pages. They validate only; writes go through `moderation.services`."""

from django import forms
from django.utils import timezone

from cur.uploads import UploadValidator
from cur.web.dates import DateField
from cur.web.forms import Form
from informing import selectors as informing_selectors
from informing.models import DisinformationCase, InformationEvent, Network, Priority
from sectors.models import SectorBlock, Territory

from .models import IncomingMessage, ModerationReport

S = IncomingMessage.Status
MAX_UPLOAD = 10 * 1024 * 1024

BULK_ACTIONS = [
    ("take", "Взять себе"),
    ("assign", "Назначить модератору"),
    (S.APPEAL, "В обращения"),
    (S.EVENT, "Сигнал повода"),
    (S.DISINFORMATION, "Дезинформация"),
    (S.NOISE, "Шум"),
]


def territories():
    return Territory.objects.filter(is_active=True).defer("boundary").order_by("name")


def open_events():
    return InformationEvent.objects.exclude(status=InformationEvent.Status.CLOSED).order_by("-first_seen_at", "-pk")


def open_cases():
    return DisinformationCase.objects.exclude(status=DisinformationCase.Status.DISMISSED).order_by("-detected_at")


class QueueFilterForm(Form):
    q = forms.CharField(label="поиск", max_length=200, required=False)
    network = forms.ChoiceField(label="сеть", choices=[("", "все")] + Network.choices, required=False)
    territory = forms.ModelChoiceField(label="территория", queryset=territories(), required=False, empty_label="все")
    sector_block = forms.ModelChoiceField(
        label="блок", queryset=SectorBlock.objects.filter(is_active=True), required=False, empty_label="все"
    )
    mine = forms.BooleanField(label="мои", required=False)
    unassigned = forms.BooleanField(label="ничьи", required=False)
    overdue = forms.BooleanField(label="просроченные", required=False)

    def values(self) -> dict:
        if not self.is_valid():
            return {}
        return {k: v for k, v in self.cleaned_data.items() if v not in (None, "", False)}


class MessageFilterForm(QueueFilterForm):
    status = forms.ChoiceField(label="статус", choices=[("", "все")] + S.choices, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("mine", "unassigned", "overdue"):
            del self.fields[name]


class DecisionForm(Form):
    """A decision; for an event or a case: an existing one, or the title of a new one."""

    decision = forms.ChoiceField(label="решение", choices=[(s, S(s).label) for s in IncomingMessage.DECISIONS])
    event = forms.ModelChoiceField(label="повод", queryset=open_events(), required=False)
    new_event_title = forms.CharField(label="или новый повод", max_length=255, required=False)
    new_event_priority = forms.ChoiceField(
        label="приоритет нового повода", choices=Priority.choices, initial=Priority.MEDIUM, required=False
    )
    case = forms.ModelChoiceField(label="случай дезинформации", queryset=open_cases(), required=False)
    new_case_title = forms.CharField(label="или новый случай", max_length=255, required=False)
    comment = forms.CharField(label="комментарий", max_length=5000, required=False, widget=forms.Textarea({"rows": 2}))

    def kwargs(self) -> dict:
        """The keyword arguments of `services.decide_message` / `bulk_decide`."""
        data = self.cleaned_data
        kwargs = {"decision": data["decision"], "comment": data.get("comment", "")}
        if data["decision"] == S.EVENT:
            kwargs["event"] = data.get("event")
            if data.get("new_event_title"):
                kwargs["new_event"] = {"title": data["new_event_title"], "priority": data.get("new_event_priority")}
        elif data["decision"] == S.DISINFORMATION:
            kwargs["case"] = data.get("case")
            if data.get("new_case_title"):
                kwargs["new_case"] = {"title": data["new_case_title"]}
        return kwargs


class IdListField(forms.Field):
    """Selected row ids (checkboxes named `ids`): whole numbers; the view checks them against the queue."""

    widget = forms.MultipleHiddenInput
    default_error_messages = {"required": "Выберите сообщения.", "invalid": "Некорректный список сообщений."}

    def to_python(self, value):
        if not value:
            return []
        if not isinstance(value, list | tuple) or len(value) > 500:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        if not all(isinstance(v, str) and v.isdigit() and len(v) < 19 for v in value):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return sorted({int(v) for v in value})


class BulkForm(DecisionForm):
    action = forms.ChoiceField(label="с выбранными", choices=BULK_ACTIONS)
    ids = IdListField()
    moderator = forms.ModelChoiceField(label="модератор", queryset=informing_selectors.managers(), required=False)
    return_query = forms.CharField(required=False, widget=forms.HiddenInput, max_length=2000)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["decision"].required = False

    def clean(self):
        data = super().clean()
        if data.get("action") in IncomingMessage.DECISIONS:
            data["decision"] = data["action"]
        return data


class AssignForm(Form):
    moderator = forms.ModelChoiceField(label="модератор", queryset=informing_selectors.managers())


class ThemeForm(Form):
    sector_block = forms.ModelChoiceField(
        label="отраслевой блок", queryset=SectorBlock.objects.filter(is_active=True), required=False
    )
    territory = forms.ModelChoiceField(label="территория", queryset=territories(), required=False)


class ReopenForm(Form):
    comment = forms.CharField(label="почему решение отменяется", max_length=5000)


class UploadForm(Form):
    file = forms.FileField(
        label="файл CSV или XLSX",
        help_text="Не больше 10 МБ и 20 000 строк.",
        validators=[UploadValidator(["csv", "xlsx"], max_bytes=MAX_UPLOAD)],
    )


class BuildReportForm(Form):
    period_kind = forms.ChoiceField(label="период", choices=ModerationReport.Period.choices)
    day = DateField(
        label="любой день периода",
        widget=forms.DateInput(attrs={"placeholder": "дд.мм.гггг"}, format="%d.%m.%Y"),
    )

    def clean_day(self):
        day = self.cleaned_data["day"]
        if day > timezone.localdate():
            raise forms.ValidationError("Укажите день не позже сегодняшнего.")
        return day
