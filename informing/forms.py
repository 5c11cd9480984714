"""Forms of ИНФОЦУР's pages. They validate only; every write goes through `informing.services`."""

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from cur.uploads import UploadValidator
from cur.web.dates import DateTimeField, out_of_range
from cur.web.forms import Form, ModelForm
from sectors.models import Organisation, SectorBlock, Territory

from . import selectors
from .models import (
    AudienceGroup,
    Channel,
    DisinformationCase,
    EventSource,
    Format,
    InformationActivity,
    InformationEvent,
    Material,
    Network,
    OfficialPage,
    Priority,
    Recommendation,
    topic_model,
)
from .models.content import MATERIAL_EXTENSIONS

MAX_NUMBER = 10**12
S = InformationEvent.Status


class DateTimeInput(forms.DateTimeInput):
    def __init__(self, attrs=None):
        super().__init__(attrs={"placeholder": "дд.мм.гггг чч:мм", **(attrs or {})}, format="%d.%m.%Y %H:%M")


def datetime_field(label: str, *, required: bool = True, future: bool = False, past: bool = True, **kwargs):
    """A date and time typed as дд.мм.гггг чч:мм (Moscow time) within the range of cur.web.dates;
    `past`/`future` say which side of now is allowed."""

    def check(value):
        if out_of_range(value):
            return  # the field's range validator says so
        now = timezone.now()
        if not future and value > now + datetime.timedelta(minutes=10):
            raise ValidationError("Дата не может быть в будущем.")
        if not past and value <= now:
            raise ValidationError("Срок должен быть в будущем.")

    return DateTimeField(
        label=label,
        required=required,
        widget=DateTimeInput(),
        validators=[check],
        error_messages={"invalid": "Введите дату и время в формате дд.мм.гггг чч:мм.", "required": "Укажите дату."},
        **kwargs,
    )


def number_field(label: str, *, required: bool = False) -> forms.IntegerField:
    return forms.IntegerField(label=label, required=required, min_value=0, max_value=MAX_NUMBER, initial=0)


class TerritoryChoice(forms.ModelMultipleChoiceField):
    def __init__(self, **kwargs):
        qs = Territory.objects.filter(is_active=True).defer("boundary").order_by("name")
        super().__init__(queryset=qs, required=False, label=kwargs.pop("label", "территории"), **kwargs)
        self.widget.attrs["size"] = 6


def organisations():
    return Organisation.objects.filter(is_active=True).order_by("name")


def blocks():
    return SectorBlock.objects.filter(is_active=True)


def formfield(field, **kwargs):
    # URLs typed without a scheme are https (Django 6's default).
    if isinstance(field, models.URLField):
        kwargs.setdefault("assume_scheme", "https")
    return field.formfield(**kwargs)


# --- events -------------------------------------------------------------------------------------


class EventForm(Form):
    title = forms.CharField(label="название", max_length=255)
    essence = forms.CharField(label="суть повода", max_length=20_000, widget=forms.Textarea(attrs={"rows": 5}))
    first_seen_at = datetime_field("впервые замечен", required=False, help_text="по умолчанию — сейчас")
    priority = forms.ChoiceField(label="приоритет", choices=Priority.choices, initial=Priority.MEDIUM)
    sector_block = forms.ModelChoiceField(label="отраслевой блок", queryset=blocks(), required=False)
    topics = forms.ModelMultipleChoiceField(
        label="темы", queryset=topic_model().objects.filter(is_active=True).order_by("name"), required=False
    )
    territories = TerritoryChoice()
    responsible = forms.ModelChoiceField(label="ответственный модератор", queryset=selectors.managers(), required=False)

    def __init__(self, *args, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["topics"].widget.attrs["size"] = 6
        if editing:
            del self.fields["responsible"]


class TransitionForm(Form):
    status = forms.ChoiceField(label="новый статус", choices=S.choices)
    outcome = forms.ChoiceField(label="итог", choices=[("", "—")] + InformationEvent.Outcome.choices, required=False)
    comment = forms.CharField(label="комментарий", max_length=5000, required=False, widget=forms.Textarea({"rows": 2}))


class AssignForm(Form):
    responsible = forms.ModelChoiceField(label="ответственный модератор", queryset=selectors.managers())


class SourceForm(ModelForm):
    published_at = datetime_field("опубликовано", required=False)
    reach = number_field("охват")

    class Meta:
        formfield_callback = formfield
        model = EventSource
        fields = ["network", "kind", "url", "outlet", "title", "published_at", "reach"]


class AudienceForm(Form):
    measured_at = datetime_field("время замера", required=False, help_text="по умолчанию — сейчас")
    reach = number_field("охват", required=True)
    reactions = number_field("реакции")
    comments = number_field("комментарии")
    shares = number_field("репосты")


class RecommendationForm(Form):
    organisation = forms.ModelChoiceField(label="орган (организация)", queryset=organisations())
    text = forms.CharField(label="что опубликовать", max_length=20_000, widget=forms.Textarea(attrs={"rows": 3}))
    channel = forms.ChoiceField(label="канал", choices=Channel.choices, initial=Channel.OFFICIAL_PAGE)
    where = forms.CharField(label="где опубликовать", max_length=500, required=False)
    due_at = datetime_field("срок", future=True, past=False)


class AnswerForm(Form):
    comment = forms.CharField(
        label="комментарий", max_length=20_000, required=False, widget=forms.Textarea({"rows": 2})
    )
    result_url = forms.URLField(label="ссылка на публикацию", max_length=1000, required=False, assume_scheme="https")


class EventFilterForm(Form):
    q = forms.CharField(label="поиск", max_length=200, required=False)
    status = forms.ChoiceField(label="статус", choices=[("", "все")] + S.choices, required=False)
    priority = forms.ChoiceField(label="приоритет", choices=[("", "все")] + Priority.choices, required=False)
    sector_block = forms.ModelChoiceField(label="блок", queryset=blocks(), required=False, empty_label="все")
    open_only = forms.BooleanField(label="только открытые", required=False)
    overdue = forms.BooleanField(label="просроченные", required=False)
    mine = forms.BooleanField(label="мои", required=False)

    def values(self) -> dict:
        if not self.is_valid():
            return {}
        return {k: v for k, v in self.cleaned_data.items() if v not in (None, "", False)}


# --- content ------------------------------------------------------------------------------------


class ActivityForm(ModelForm):
    audience_groups = forms.MultipleChoiceField(
        label="группы аудитории", choices=AudienceGroup.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    territories = TerritoryChoice(label="территории аудитории")
    planned_at = datetime_field("запланировано на", required=False, future=True)
    published_at = datetime_field("опубликовано", required=False)
    reach = number_field("охват")
    reactions = number_field("реакции")
    comments = number_field("комментарии")
    shares = number_field("репосты")

    class Meta:
        formfield_callback = formfield
        model = InformationActivity
        fields = [
            "title",
            "channel",
            "format",
            "network",
            "organisation",
            "official_page",
            "material",
            "audience_groups",
            "territories",
            "audience_note",
            "planned_at",
            "published_at",
            "url",
            "reach",
            "reactions",
            "comments",
            "shares",
            "feedback",
        ]
        widgets = {"feedback": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations()
        self.fields["official_page"].queryset = OfficialPage.objects.select_related("organisation").order_by("url")
        self.fields["material"].queryset = Material.objects.filter(is_archived=False).order_by("title")
        for name in ("reach", "reactions", "comments", "shares"):
            self.fields[name].required = False

    def clean(self):
        data = super().clean()
        for name in ("reach", "reactions", "comments", "shares"):
            data[name] = data.get(name) or 0
        return data


class MaterialForm(ModelForm):
    class Meta:
        formfield_callback = formfield
        model = Material
        fields = ["title", "kind", "body", "url", "file", "sector_block", "is_archived"]
        widgets = {"body": forms.Textarea(attrs={"rows": 6})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].validators.append(UploadValidator(MATERIAL_EXTENSIONS))


class VersionForm(Form):
    title = forms.CharField(label="название версии", max_length=255)
    channel = forms.ChoiceField(label="канал", choices=Channel.choices)
    format = forms.ChoiceField(label="формат", choices=Format.choices)
    audience_groups = forms.MultipleChoiceField(
        label="группы аудитории", choices=AudienceGroup.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    territories = TerritoryChoice()
    audience_note = forms.CharField(label="другие характеристики аудитории", max_length=500, required=False)
    body = forms.CharField(label="текст", max_length=20_000, required=False, widget=forms.Textarea({"rows": 4}))
    url = forms.URLField(label="ссылка", max_length=1000, required=False, assume_scheme="https")
    file = forms.FileField(label="файл", required=False, validators=[UploadValidator(MATERIAL_EXTENSIONS)])


class CaseForm(Form):
    title = forms.CharField(label="кратко", max_length=255)
    claim = forms.CharField(label="утверждение", max_length=20_000, widget=forms.Textarea(attrs={"rows": 4}))
    detected_at = datetime_field("выявлено", required=False)
    sector_block = forms.ModelChoiceField(label="отраслевой блок", queryset=blocks(), required=False)


class MarkFalseForm(Form):
    evidence = forms.CharField(label="доказательства", max_length=20_000, widget=forms.Textarea(attrs={"rows": 3}))
    links = forms.CharField(
        label="ссылки на доказательства (по одной в строке)",
        required=False,
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def clean_links(self):
        field = forms.URLField(max_length=1000, assume_scheme="https")
        lines = [line.strip() for line in self.cleaned_data["links"].splitlines() if line.strip()]
        try:
            return [field.clean(line) for line in lines[:50]]
        except ValidationError as exc:
            raise ValidationError("Каждая строка — ссылка вида https://…") from exc


class DismissForm(Form):
    comment = forms.CharField(label="результат проверки", max_length=20_000, widget=forms.Textarea({"rows": 2}))


class RefuteForm(Form):
    material = forms.ModelChoiceField(
        label="материал опровержения", queryset=Material.objects.order_by("title"), required=False
    )
    url = forms.URLField(label="ссылка на опровержение", max_length=1000, required=False, assume_scheme="https")


class SpreadForm(Form):
    network = forms.ChoiceField(label="сеть или СМИ", choices=Network.choices)
    url = forms.URLField(label="ссылка", max_length=1000, assume_scheme="https")
    territory = forms.ModelChoiceField(
        label="территория", queryset=Territory.objects.filter(is_active=True).defer("boundary"), required=False
    )
    found_at = datetime_field("обнаружено", required=False)
    reach = number_field("охват")


class WarningForm(Form):
    organisation = forms.ModelChoiceField(label="орган (организация)", queryset=organisations(), required=False)
    addressee = forms.CharField(label="или кому", max_length=255, required=False)
    channel = forms.ChoiceField(label="канал", choices=Channel.choices, initial=Channel.MAILING)
    text = forms.CharField(label="текст предупреждения", max_length=20_000, widget=forms.Textarea({"rows": 3}))


class OfficialPageForm(ModelForm):
    last_activity_at = datetime_field("последняя публикация", required=False)
    followers = forms.IntegerField(label="подписчиков", required=False, min_value=0, max_value=MAX_NUMBER)

    class Meta:
        formfield_callback = formfield
        model = OfficialPage
        fields = ["organisation", "network", "url", "name", "status", "verified", "last_activity_at", "followers"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations()

    def validate_unique(self):
        pass  # the service reports a duplicate address in Russian


RECOMMENDATION_STATUSES = [("", "все")] + Recommendation.Status.choices
CASE_STATUSES = [("", "все")] + DisinformationCase.Status.choices
