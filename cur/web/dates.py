"""The dates the system accepts from a user: one range for every query parameter, form field, filter,
serializer and imported row that takes a date or a date and time.

Python's dates end at 9999-12-31 and begin at 0001-01-01: a day added to the last one, or the first one
converted to UTC, overflows (a 500), and a date of year 2 printed in Moscow time carries the local mean
time of 1880 (+02:30:17), which is no ISO 8601 offset. No appeal, event or act of the region's bodies
predates the system's sources (2000) or is due more than ten years ahead, so anything outside that
range is a typo or an abuse, refused with one Russian message.

- `EARLIEST`, `latest()`: the range; `out_of_range(value)` the message for a value outside it (None
  inside), `validate_in_range` the same as a Django validator (DRF fields run Django validators);
- `MAX_PERIOD_DAYS` and `validate_period`: the longest period a page or report reads from the database;
- `date_errors(form)`: whether an export should refuse its filter (with `cur.web.views.rejected`);
- `DateField`, `DateTimeField` (forms), `DateFilter` (django-filter), `ApiDateField`, `ApiDateTimeField`
  (DRF, also what `cur.web.api.ModelSerializer` maps model date fields to): the range built in.
"""

import datetime

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from rest_framework import serializers

EARLIEST = datetime.date(2000, 1, 1)
YEARS_AHEAD = 10
# About three years: a heat map, a dashboard or a rating over a longer custom period would read (and
# for a rating, rank) years of appeals in one request; the pages clamp to it, the forms refuse it.
MAX_PERIOD_DAYS = 3 * 366
DATE_INPUT_FORMATS = ["%d.%m.%Y", "%Y-%m-%d"]
DATETIME_INPUT_FORMATS = ["%d.%m.%Y %H:%M", "%d.%m.%Y %H:%M:%S", "%d.%m.%Y", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"]
CODE = "date_range"


def latest() -> datetime.date:
    """The last day accepted: today (Moscow) + `YEARS_AHEAD` years."""
    today = timezone.localdate()
    try:
        return today.replace(year=today.year + YEARS_AHEAD)
    except ValueError:  # 29 February
        return today.replace(year=today.year + YEARS_AHEAD, day=28)


def range_message() -> str:
    return f"Дата должна быть не раньше {EARLIEST:%d.%m.%Y} и не позже {latest():%d.%m.%Y}."


def local_day(value: datetime.date | datetime.datetime) -> datetime.date | None:
    """The Moscow day of a date or a date and time; None when the conversion itself overflows."""
    if not isinstance(value, datetime.datetime):
        return value
    if timezone.is_naive(value):
        return value.date()
    try:
        return timezone.localtime(value).date()
    except OverflowError:
        return None


def out_of_range(value: datetime.date | datetime.datetime) -> str | None:
    """The Russian error when `value` (a date, or a date and time by its Moscow day) is outside the
    supported range; None when it is inside."""
    day = local_day(value)
    if day is None or not EARLIEST <= day <= latest():
        return range_message()
    return None


def year_in_range(year: int) -> bool:
    return EARLIEST.year <= year <= latest().year


def validate_in_range(value) -> None:
    """A Django validator (forms, django-filter and DRF fields all run it)."""
    if value is None:
        return
    message = out_of_range(value)
    if message:
        raise ValidationError(message, code=CODE)


def validate_year(value) -> None:
    if value is not None and not year_in_range(value):
        raise ValidationError(f"Год должен быть от {EARLIEST.year} до {latest().year}.", code=CODE)


def validate_period(since: datetime.date, until: datetime.date, *, max_days: int | None = MAX_PERIOD_DAYS) -> None:
    """A period of days read from the database: in order and not longer than `max_days` (None: any
    length, for a list read a page or a limited export at a time)."""
    if since > until:
        raise ValidationError("Начало периода позже его конца.", code="period_order")
    if max_days is not None and (until - since).days >= max_days:
        raise ValidationError(f"Период длиннее {max_days} дней (около трёх лет).", code="period_too_long")


def date_errors(form: forms.Form) -> bool:
    """Whether a date field of a bound form does not validate: an export refuses then (400, before its
    first byte) rather than ignore the filter and export far more than asked."""
    return form.is_bound and any(
        isinstance(form.fields.get(name), forms.DateField | forms.DateTimeField) for name in form.errors
    )


# --- Form fields and the django-filter filter --------------------------------------------------------


class DateField(forms.DateField):
    """A date typed as дд.мм.гггг (or ISO), within the supported range."""

    default_validators = [validate_in_range]
    default_error_messages = {"invalid": "Введите дату в формате дд.мм.гггг."}

    def __init__(self, *, input_formats=None, **kwargs):
        super().__init__(input_formats=input_formats or DATE_INPUT_FORMATS, **kwargs)


class DateTimeField(forms.DateTimeField):
    """A date and time typed as дд.мм.гггг чч:мм (Moscow time, or ISO 8601), within the supported range."""

    default_validators = [validate_in_range]
    default_error_messages = {"invalid": "Введите дату и время в формате дд.мм.гггг чч:мм."}

    def __init__(self, *, input_formats=None, **kwargs):
        super().__init__(input_formats=input_formats or DATETIME_INPUT_FORMATS, **kwargs)


class DateFilter(django_filters.DateFilter):
    """django-filter's date filter with the shared field: the API answers 400 with the field, a page
    shows the error beside it."""

    field_class = DateField


# --- DRF fields -----------------------------------------------------------------------------------------


class ApiDateField(serializers.DateField):
    default_error_messages = {
        "invalid": "Ожидается дата в формате ГГГГ-ММ-ДД.",
        "datetime": "Ожидается дата без времени (ГГГГ-ММ-ДД).",
    }

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.validators.append(validate_in_range)


class ApiDateTimeField(serializers.DateTimeField):
    default_error_messages = {
        "invalid": "Ожидаются дата и время в формате ISO 8601, например 2025-03-01T10:00:00+03:00.",
        "date": "Ожидаются дата и время, а не только дата.",
    }

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.error_messages["overflow"] = range_message()  # a zone shift past year 1 or 9999
        self.validators.append(validate_in_range)
