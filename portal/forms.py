"""Forms of the portal pages: they validate input; the services decide."""

from django import forms

from appeals.models import Topic
from cur.models import User
from cur.roles import BLOCK_ROLES, Role
from cur.web.dates import DateField
from cur.widgets import speed_up
from heatmap.models import ProblemPoint
from heatmap.selectors import regional_problems
from ratings.periods import parse_period
from sectors.forms import DateInput
from sectors.models import Organisation, ResponsiblePerson, SectorBlock, Territory

from .models import NARRATIVE_SECTIONS, BestPractice, Indicator, PeriodKind, RoadmapMeasure, Training

SUMMARY = "summary"


def _date(label: str, **kwargs) -> DateField:
    return DateField(
        label=label,
        widget=DateInput(),  # dd.mm.yyyy on every browser (a date input shows the browser's own format)
        **kwargs,
    )


class Styled:
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = speed_up(field.widget)
            css = "form-select" if isinstance(widget, forms.Select) else "form-control"
            if isinstance(widget, forms.SelectMultiple):
                widget.attrs.setdefault("size", 6)
            widget.attrs.setdefault("class", css)


class PeriodField(forms.CharField):
    """«2026-03» (a month) or «2026-Q1» (a quarter)."""

    def clean(self, value):
        value = super().clean(value)
        period = parse_period(value)
        if period is None or period.kind not in PeriodKind.values:
            raise forms.ValidationError("Укажите месяц (2026-03) или квартал (2026-Q1).")
        return period


class ReportCreateForm(Styled, forms.Form):
    subject = forms.ChoiceField(label="Отраслевой блок")
    period = PeriodField(label="Период (месяц 2026-03 или квартал 2026-Q1)", max_length=16)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        blocks = user.sector_blocks.all() if user.role in BLOCK_ROLES else SectorBlock.objects.filter(is_active=True)
        choices = [(str(b.pk), b.name) for b in blocks]
        if user.role == Role.EXECUTIVE:
            choices.insert(0, (SUMMARY, "Сводный отчёт ЦУР по всем блокам"))
        self.fields["subject"].choices = choices

    def block(self):
        subject = self.cleaned_data["subject"]
        return None if subject == SUMMARY else SectorBlock.objects.get(pk=int(subject))


class ReportTextForm(Styled, forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for code, label in NARRATIVE_SECTIONS:
            self.fields[code] = forms.CharField(
                label=label, required=False, max_length=20000, widget=forms.Textarea(attrs={"rows": 6})
            )


class CommentForm(Styled, forms.Form):
    comment = forms.CharField(
        label="Комментарий", max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class IndicatorForm(Styled, forms.ModelForm):
    class Meta:
        model = Indicator
        fields = ["code", "name", "unit", "kind", "source", "direction", "sector_block", "description"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["description"].widget.attrs["rows"] = 3
        if user.role in BLOCK_ROLES:
            self.fields["sector_block"].queryset = user.sector_blocks.all()
            self.fields["sector_block"].required = True
        self.proposing = user.role not in (Role.ADMIN, Role.CURATOR, Role.EXECUTIVE)
        if self.proposing:
            del self.fields["kind"]


class IndicatorValueForm(Styled, forms.Form):
    period = PeriodField(label="Период", max_length=16)
    target = forms.DecimalField(label="Цель", required=False, max_digits=14, decimal_places=2)
    actual = forms.DecimalField(label="Факт (ручной ввод)", required=False, max_digits=14, decimal_places=2)


class RoadmapForm(Styled, forms.Form):
    title = forms.CharField(label="Название", max_length=500)
    problem_point = forms.ModelChoiceField(
        label="Подтверждённая проблемная точка", required=False, queryset=ProblemPoint.objects.none()
    )
    topic = forms.ModelChoiceField(label="…или тема", required=False, queryset=Topic.objects.none())
    territory = forms.ModelChoiceField(label="…и территория", required=False, queryset=Territory.objects.none())
    starts_on = _date("Начало исполнения")
    description = forms.CharField(
        label="Описание проблемы и причин", required=False, max_length=10000, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["problem_point"].queryset = regional_problems(user).filter(status=ProblemPoint.Status.CONFIRMED)
        topics = Topic.objects.filter(is_active=True, sector_block__isnull=False).order_by("name")
        if user.role in BLOCK_ROLES:
            topics = topics.filter(sector_block__in=user.sector_blocks.all())
        self.fields["topic"].queryset = topics
        self.fields["territory"].queryset = Territory.objects.filter(is_active=True).defer("boundary").order_by("name")

    def clean(self):
        data = super().clean()
        if not data.get("problem_point") and not (data.get("topic") and data.get("territory")):
            raise forms.ValidationError("Укажите проблемную точку или тему и территорию.")
        return data


class MeasureForm(Styled, forms.Form):
    title = forms.CharField(label="Мероприятие", max_length=500)
    responsible = forms.ModelChoiceField(label="Ответственный", queryset=ResponsiblePerson.objects.none())
    due_date = _date("Срок")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["responsible"].queryset = ResponsiblePerson.objects.filter(until=None).order_by("last_name")


class MeasureUpdateForm(Styled, forms.Form):
    status = forms.ChoiceField(label="Статус", choices=RoadmapMeasure.Status.choices)
    progress = forms.IntegerField(label="Выполнение, %", min_value=0, max_value=100)
    result = forms.CharField(label="Результат", required=False, max_length=5000)


class BestPracticeForm(Styled, forms.ModelForm):
    class Meta:
        model = BestPractice
        fields = ["title", "organisation", "sector_block", "description", "effect"]
        widgets = {"description": forms.Textarea(attrs={"rows": 4}), "effect": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = Organisation.objects.filter(is_active=True).order_by("name")
        self.fields["sector_block"].queryset = SectorBlock.objects.filter(is_active=True)


class PracticeStatusForm(forms.Form):
    status = forms.ChoiceField(choices=BestPractice.Status.choices)


class TrainingForm(Styled, forms.ModelForm):
    starts_on = _date("Дата начала")
    ends_on = _date("Дата окончания")

    class Meta:
        model = Training
        fields = ["title", "kind", "starts_on", "ends_on", "place", "description", "organisations", "participants"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisations"].queryset = Organisation.objects.filter(is_active=True).order_by("name")
        self.fields["participants"].queryset = User.objects.filter(is_active=True).exclude(role=Role.COMPETENCE_CENTER)

    def clean(self):
        data = super().clean()
        if data.get("starts_on") and data.get("ends_on") and data["ends_on"] < data["starts_on"]:
            self.add_error("ends_on", "Дата окончания раньше даты начала.")
        return data
