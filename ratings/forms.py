"""Forms of the rating pages: compute a period, edit the methodology, filter and sort a table."""

from decimal import Decimal

from django import forms

from cur.web.dates import EARLIEST, DateField, validate_year

from . import indicators, periods
from .models import Level, PeriodKind, RatingIndicator, RatingMethodology
from .selectors import SORT_KEYS

ALL_LEVELS = "all"


def _styled(form: forms.Form) -> None:
    for field in form.fields.values():
        css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
        field.widget.attrs.setdefault("class", css)


class ComputeForm(forms.Form):
    """«Рассчитать»: a level (or all three), a period, an approved methodology version."""

    level = forms.ChoiceField(label="Уровень", choices=[(ALL_LEVELS, "Все три уровня"), *Level.choices])
    period_kind = forms.ChoiceField(label="Период", choices=PeriodKind.choices, initial=PeriodKind.MONTH)
    year = forms.IntegerField(label="Год", min_value=EARLIEST.year, validators=[validate_year], required=False)
    month = forms.TypedChoiceField(
        label="Месяц",
        coerce=int,
        required=False,
        choices=[(i + 1, m.capitalize()) for i, m in enumerate(periods.MONTHS)],
    )
    quarter = forms.TypedChoiceField(
        label="Квартал",
        coerce=int,
        required=False,
        choices=[(i + 1, f"{q} квартал") for i, q in enumerate(periods.QUARTERS)],
    )
    start = DateField(label="С (дд.мм.гггг)", required=False)
    end = DateField(label="по (дд.мм.гггг)", required=False)
    methodology = forms.ModelChoiceField(
        label="Методика", queryset=RatingMethodology.objects.none(), empty_label=None, to_field_name="version"
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        approved = RatingMethodology.objects.filter(status=RatingMethodology.Status.APPROVED).order_by("-version")
        self.fields["methodology"].queryset = approved
        self.fields["methodology"].label_from_instance = lambda m: f"Версия {m.version}: {m.name}"
        last = periods.previous_month()
        self.fields["year"].initial = last.start.year
        self.fields["month"].initial = last.start.month
        _styled(self)
        for name in ("start", "end"):
            self.fields[name].widget.attrs["placeholder"] = "дд.мм.гггг"

    def clean(self):
        data = super().clean()
        kind = data.get("period_kind")
        if kind is None:
            return data
        need = {"month": ("year", "month"), "quarter": ("year", "quarter"), "year": ("year",),
                "custom": ("start", "end")}[kind]  # fmt: skip
        missing = [name for name in need if data.get(name) in (None, "")]
        for name in missing:
            self.add_error(name, "Заполните поле для выбранного вида периода.")
        if missing:
            return data
        if kind == PeriodKind.MONTH:
            data["period"] = periods.month(data["year"], data["month"])
        elif kind == PeriodKind.QUARTER:
            data["period"] = periods.quarter(data["year"], data["quarter"])
        elif kind == PeriodKind.YEAR:
            data["period"] = periods.year(data["year"])
        else:
            if data["end"] < data["start"]:
                raise forms.ValidationError("Конец периода раньше его начала.")
            data["period"] = periods.Period(PeriodKind.CUSTOM, data["start"], data["end"])
        if data["period"].end >= periods.today():
            raise forms.ValidationError("Период ещё не закончился: рейтинг считается по завершённым периодам.")
        if (data["period"].end - data["period"].start).days >= periods.MAX_CUSTOM_DAYS:
            raise forms.ValidationError("Период длиннее трёх лет.")
        return data

    @property
    def levels(self) -> list[str]:
        level = self.cleaned_data["level"]
        return list(Level.values) if level == ALL_LEVELS else [level]


class MethodologyForm(forms.Form):
    """A new version (or the draft's edit): the threshold and, per indicator, weight, direction, normalisation."""

    name = forms.CharField(label="Название", max_length=255)
    description = forms.CharField(
        label="Что изменено и почему", required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    min_appeals = forms.IntegerField(label="Минимум обращений для места в рейтинге", min_value=1, max_value=100_000)

    def __init__(self, *args, methodology: RatingMethodology | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        current = {i.code: i for i in methodology.indicators.all()} if methodology else {}
        for spec in indicators.SPECS:
            row = current.get(spec.code)
            self.fields[f"{spec.code}__weight"] = forms.DecimalField(
                label="Вес", min_value=Decimal(0), max_value=Decimal(1000), max_digits=6, decimal_places=2,
                initial=row.weight if row else spec.weight,
            )  # fmt: skip
            self.fields[f"{spec.code}__direction"] = forms.ChoiceField(
                label="Направление", choices=RatingIndicator.Direction.choices,
                initial=row.direction if row else spec.direction,
            )  # fmt: skip
            normalisations = RatingIndicator.Normalisation.choices
            if spec.kind != indicators.Kind.SHARE:  # only a share is already 0..1
                normalisations = [c for c in normalisations if c[0] == RatingIndicator.Normalisation.MINMAX]
            self.fields[f"{spec.code}__normalisation"] = forms.ChoiceField(
                label="Нормировка", choices=normalisations, initial=row.normalisation if row else spec.normalisation
            )
        if methodology is not None:
            self.fields["name"].initial = methodology.name
            self.fields["min_appeals"].initial = methodology.min_appeals
            if methodology.status == RatingMethodology.Status.DRAFT:
                self.fields["description"].initial = methodology.description
        else:
            self.fields["min_appeals"].initial = indicators.DEFAULT_MIN_APPEALS
        _styled(self)

    def indicator_rows(self):
        """(spec, weight field, direction field, normalisation field) for the template."""
        return [
            (spec, self[f"{spec.code}__weight"], self[f"{spec.code}__direction"], self[f"{spec.code}__normalisation"])
            for spec in indicators.SPECS
        ]

    def clean(self):
        data = super().clean()
        weights = [data.get(f"{code}__weight") for code in indicators.CODES]
        if all(w is not None for w in weights) and sum(weights) <= 0:
            raise forms.ValidationError("Хотя бы один показатель должен иметь положительный вес.")
        return data

    @property
    def indicator_settings(self) -> dict[str, dict]:
        data = self.cleaned_data
        return {
            code: {key: data[f"{code}__{key}"] for key in ("weight", "direction", "normalisation")}
            for code in indicators.CODES
        }


class TableForm(forms.Form):
    """The rating table's query string: sort and filters. Anything invalid is ignored, never a 500."""

    sort = forms.ChoiceField(required=False, choices=[(k, k) for k in SORT_KEYS] + [(f"-{k}", k) for k in SORT_KEYS])
    sector = forms.SlugField(required=False, max_length=32)
    territory = forms.IntegerField(required=False, min_value=1, max_value=2**63 - 1)
    kind = forms.SlugField(required=False, max_length=32)

    def values(self) -> dict:
        self.is_valid()  # cleaned_data keeps the valid fields only
        cleaned = self.cleaned_data
        return {
            "sort": cleaned.get("sort") or "rank",
            "sector": cleaned.get("sector") or "",
            "territory": cleaned.get("territory"),
            "kind": cleaned.get("kind") or "",
        }
