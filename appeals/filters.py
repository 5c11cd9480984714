"""The appeal filters shared by the triage queue, the lists, the exports and the API."""

import datetime
import re

import django_filters
from django.contrib.postgres.search import SearchQuery, SearchVector
from django.db import connection
from django.db.models import Q
from django.utils import timezone

from cur.web.dates import DateFilter
from sectors.models import Organisation, SectorBlock, Territory

from .models import Appeal, Topic


def _moscow_midnight(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=timezone.get_current_timezone())


NUMBER_RE = re.compile(r"^\s*(?:\d{4}-)?0*(\d{1,12})\s*$")


class AppealFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label="Поиск (номер или текст)", method="filter_search")
    # distinct=False: a DISTINCT over every column forced a full sort (3.1 s at 1M appeals).
    status = django_filters.MultipleChoiceFilter(label="Статус", choices=Appeal.Status.choices, distinct=False)
    channel = django_filters.MultipleChoiceFilter(label="Канал", choices=Appeal.Channel.choices, distinct=False)
    sector = django_filters.ModelChoiceFilter(
        label="Отраслевой блок", field_name="sector_block", to_field_name="code",
        queryset=SectorBlock.objects.filter(is_active=True),
    )  # fmt: skip
    topic = django_filters.ModelChoiceFilter(
        label="Тема", to_field_name="code", queryset=Topic.objects.filter(is_active=True)
    )
    territory = django_filters.ModelChoiceFilter(
        label="Территория", queryset=Territory.objects.filter(is_active=True).defer("boundary")
    )
    organisation = django_filters.ModelChoiceFilter(
        label="Исполнитель", queryset=Organisation.objects.filter(is_active=True)
    )
    overdue = django_filters.BooleanFilter(label="Просрочено", method="filter_overdue")
    due_within = django_filters.NumberFilter(label="Срок истекает в течение, дней", method="filter_due_within",
                                             min_value=0, max_value=365)  # fmt: skip
    # Moscow days turned into a datetime range, so appeal_registered_idx serves them (not a scan of dates).
    registered_from = DateFilter(label="Зарегистрировано с", method="filter_registered_from")
    registered_to = DateFilter(label="по", method="filter_registered_to")
    unclassified = django_filters.BooleanFilter(label="Без темы", field_name="topic", lookup_expr="isnull")

    class Meta:
        model = Appeal
        fields: list[str] = []

    def filter_search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        number = NUMBER_RE.match(value)
        if number:
            return queryset.filter(pk=int(number.group(1)))
        if connection.vendor == "postgresql":
            # Served by appeal_text_fts_idx (migration 0004).
            return queryset.alias(fts=SearchVector("text", config="russian")).filter(
                fts=SearchQuery(value, config="russian", search_type="websearch")
            )
        return queryset.filter(Q(text__icontains=value) | Q(address__icontains=value))

    def filter_registered_from(self, queryset, name, value):
        return queryset.filter(registered_at__gte=_moscow_midnight(value))

    def filter_registered_to(self, queryset, name, value):
        return queryset.filter(registered_at__lt=_moscow_midnight(value + datetime.timedelta(days=1)))

    def filter_overdue(self, queryset, name, value):
        now = timezone.now()
        overdue = Q(status__in=Appeal.CLOCK_STATUSES, due_at__lt=now, clock_paused_at=None)
        return queryset.filter(overdue) if value else queryset.exclude(overdue)

    def filter_due_within(self, queryset, name, value):
        now = timezone.now()
        return queryset.filter(
            status__in=Appeal.CLOCK_STATUSES, clock_paused_at=None,
            due_at__gte=now, due_at__lte=now + datetime.timedelta(days=int(value)),
        )  # fmt: skip
