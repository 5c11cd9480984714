"""Forms of the heat map pages. The filter forms never fail a page: a value that does not validate is
reported beside its field and the default is used instead."""

import datetime

from django import forms
from django.utils import timezone

from appeals.models import Appeal, Topic
from cur.uploads import UploadValidator
from cur.web.dates import MAX_PERIOD_DAYS, DateField
from sectors.forms import DateInput
from sectors.models import SectorBlock

from . import polls
from .metrics import DEFAULT_METRIC, METRICS
from .selectors import HeatQuery

PERIODS = [("7", "7 дней"), ("30", "30 дней"), ("90", "90 дней"), ("365", "год"), ("custom", "свой период")]
DATE_CSS = "form-control form-control-sm w-8rem"


class PeriodForm(forms.Form):
    period = forms.ChoiceField(label="Период", choices=PERIODS, required=False)
    # Text inputs in dd.mm.yyyy (sectors.forms.DateInput): a date input would show the browser's format.
    # The range of cur.web.dates: a day of year 1 or 9999 is an error beside the field, never an overflow.
    since = DateField(label="с", required=False, widget=DateInput(attrs={"class": DATE_CSS}))
    until = DateField(label="по", required=False, widget=DateInput(attrs={"class": DATE_CSS}))

    default_days = 30

    def __init__(self, data=None, *, blocks=None, **kwargs):
        super().__init__(data, **kwargs)
        self.blocks = blocks
        # The select shows the period counted (period_bounds): with none in the query (a first visit, a link
        # with other filters only) the default, or «свой период» when both dates are given — not «7 дней».
        if not self.data.get("period"):
            counted = "custom" if self.data.get("since") and self.data.get("until") else str(self.default_days)
            if self.is_bound:
                self.data = self.data.copy()
                self.data["period"] = counted
            else:
                self.fields["period"].initial = counted
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", f"{css} {css}-sm")

    def value(self, name: str, default=None):
        if not self.is_bound:
            return default
        self.is_valid()
        value = self.cleaned_data.get(name)
        return default if value in (None, "") else value

    def period_bounds(self) -> tuple[datetime.date, datetime.date]:
        today = timezone.localdate()
        period = self.value("period", str(self.default_days))
        since, until = self.value("since"), self.value("until")
        if period == "custom" or (since and until and period not in dict(PERIODS)):
            since, until = since or today - datetime.timedelta(days=self.default_days - 1), until or today
        else:
            days = int(period) if str(period).isdigit() else self.default_days
            since, until = today - datetime.timedelta(days=days - 1), today
        until = min(until, today)
        since = min(since, until)
        # Clamped to the shared longest period (about three years of the rollup per request).
        since = max(since, until - datetime.timedelta(days=MAX_PERIOD_DAYS - 1))
        return since, until


class HeatFilterForm(PeriodForm):
    sector = forms.ModelChoiceField(label="Отраслевой блок", queryset=SectorBlock.objects.none(), required=False,
                                    to_field_name="code", empty_label="все блоки")  # fmt: skip
    topic = forms.ModelChoiceField(label="Тема", queryset=Topic.objects.none(), required=False, to_field_name="code",
                                   empty_label="все темы")  # fmt: skip
    channel = forms.ChoiceField(label="Канал", choices=[("", "все каналы"), *Appeal.Channel.choices], required=False)
    metric = forms.ChoiceField(label="Показатель", choices=[(m.code, m.label) for m in METRICS.values()],
                               required=False)  # fmt: skip

    def __init__(self, data=None, *, blocks=None, **kwargs):
        super().__init__(data, blocks=blocks, **kwargs)
        block_ids = [b.pk for b in blocks] if blocks is not None else None
        sectors = SectorBlock.objects.filter(is_active=True).order_by("position", "name")
        topics = Topic.objects.filter(is_active=True).order_by("name")
        if block_ids is not None:
            sectors, topics = sectors.filter(pk__in=block_ids), topics.filter(sector_block_id__in=block_ids)
        self.fields["sector"].queryset = sectors
        self.fields["topic"].queryset = topics

    def query(self) -> HeatQuery:
        since, until = self.period_bounds()
        sector, topic = self.value("sector"), self.value("topic")
        return HeatQuery(since, until, sector_id=sector.pk if sector else None, topic_id=topic.pk if topic else None,
                         channel=self.value("channel") or None)  # fmt: skip

    def metric_code(self) -> str:
        return self.value("metric", DEFAULT_METRIC)


class FocusFilterForm(HeatFilterForm):
    """The filters of a topic on a territory, which count a year unless told otherwise."""

    default_days = 365


class PrioritiesForm(HeatFilterForm):
    min_count = forms.IntegerField(
        label="Не меньше обращений", min_value=1, max_value=10_000, required=False,
        widget=forms.NumberInput(attrs={"class": "form-control form-control-sm"}),
    )  # fmt: skip

    default_days = 90

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Priorities for polls rank what residents raise, whichever channel they used (Правила, п. 4б); a
        # channel is for the map. (It would also read a period's edges appeal by appeal: no level has a topic
        # and a channel by day.)
        del self.fields["metric"], self.fields["channel"]

    def min_appeals(self) -> int:
        return self.value("min_count", 10)


class DashboardForm(PeriodForm):
    block = forms.ModelChoiceField(label="Блок", queryset=SectorBlock.objects.none(), required=False,
                                   to_field_name="code", empty_label="все мои блоки")  # fmt: skip

    def __init__(self, data=None, *, blocks=None, **kwargs):
        super().__init__(data, blocks=blocks, **kwargs)
        if blocks is not None:
            self.fields["block"].queryset = SectorBlock.objects.filter(pk__in=[b.pk for b in blocks])
        else:
            del self.fields["block"]


class ProblemActionForm(forms.Form):
    comment = forms.CharField(label="Комментарий", required=False, max_length=5000,
                              widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}))  # fmt: skip
    roadmap_note = forms.CharField(label="Дорожная карта", required=False, max_length=500,
                                   widget=forms.TextInput(attrs={"class": "form-control"}))  # fmt: skip


class PollImportForm(forms.Form):
    file = forms.FileField(
        label="Файл CSV",
        widget=forms.ClearableFileInput(attrs={"class": "form-control", "accept": ".csv,text/csv"}),
        validators=[UploadValidator(["csv", "txt"], max_bytes=polls.MAX_BYTES)],
    )
