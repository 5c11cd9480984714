"""Filters of the directory lists. The querysets they narrow come from `sectors.selectors`,
so a filter never widens what a user may see."""

import django_filters
from django import forms
from django.db.models import Q

from cur.web.forms import BootstrapFormMixin

from . import selectors
from .models import Organisation, ResponsiblePerson, Territory


class FilterForm(BootstrapFormMixin, forms.Form):
    pass


class TerritoryChoiceField(django_filters.fields.ModelChoiceField):
    def label_from_instance(self, obj: Territory) -> str:
        return f"{obj.name} ({obj.get_kind_display()})"


class TerritoryFilter(django_filters.ModelChoiceFilter):
    field_class = TerritoryChoiceField


def _blocks(request):
    return selectors.sector_blocks_visible_to(request.user)


def _territories(request):
    return selectors.territories_visible_to(request.user).select_related(None).order_by("name", "pk")


ACTIVE_CHOICES = forms.Select(choices=[("", "Все"), ("true", "Действующие"), ("false", "Недействующие")])


class DirectoryFilterSet(django_filters.FilterSet):
    """`is_active` only means something to those who see inactive rows (an admin); others lose it."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "is_active" in self.filters and not selectors.sees_inactive(self.request.user):
            del self.filters["is_active"]


class OrganisationFilter(DirectoryFilterSet):
    q = django_filters.CharFilter(label="Поиск", method="search", max_length=200)
    kind = django_filters.ChoiceFilter(label="Вид", choices=Organisation.Kind.choices, empty_label="Все виды")
    territory = TerritoryFilter(
        label="Территория", queryset=_territories, method="on_territory", empty_label="Все территории"
    )
    sector_block = django_filters.ModelChoiceFilter(
        label="Отраслевой блок", field_name="sector_blocks", queryset=_blocks, empty_label="Все блоки"
    )
    is_active = django_filters.BooleanFilter(label="Состояние", widget=ACTIVE_CHOICES)

    class Meta:
        model = Organisation
        fields: list[str] = []
        form = FilterForm

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(name__icontains=value) | Q(short_name__icontains=value) | Q(inn__startswith=value))

    def on_territory(self, queryset, name, value):
        # The hierarchy is region → district/okrug → settlement → locality: a territory covers
        # organisations on itself and on up to three levels below it.
        return queryset.filter(
            Q(territory=value)
            | Q(territory__parent=value)
            | Q(territory__parent__parent=value)
            | Q(territory__parent__parent__parent=value)
        )


class TerritoryListFilter(DirectoryFilterSet):
    q = django_filters.CharFilter(label="Поиск", method="search", max_length=200)
    kind = django_filters.ChoiceFilter(label="Вид", choices=Territory.Kind.choices, empty_label="Все виды")
    is_active = django_filters.BooleanFilter(label="Состояние", widget=ACTIVE_CHOICES)

    class Meta:
        model = Territory
        fields: list[str] = []
        form = FilterForm

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(name__icontains=value) | Q(oktmo__startswith=value))


class PersonFilter(django_filters.FilterSet):
    CURRENT, ALL = "current", "all"

    q = django_filters.CharFilter(label="Поиск", method="search", max_length=200)
    role = django_filters.ChoiceFilter(label="Роль", choices=ResponsiblePerson.Role.choices, empty_label="Все роли")
    sector_block = django_filters.ModelChoiceFilter(label="Отраслевой блок", queryset=_blocks, empty_label="Все блоки")
    territory = TerritoryFilter(label="Муниципальное образование", queryset=_territories, empty_label="Все территории")
    status = django_filters.ChoiceFilter(
        label="Назначения",
        choices=[(CURRENT, "Только действующие"), (ALL, "Все, включая прежние")],
        empty_label=None,
        method="by_status",
    )

    class Meta:
        model = ResponsiblePerson
        fields: list[str] = []
        form = FilterForm

    def __init__(self, data=None, *args, **kwargs):
        # Current appointments are the default view, also when the parameter is absent.
        if not (data or {}).get("status"):
            data = data.copy() if data is not None else {}
            data["status"] = self.CURRENT
        super().__init__(data, *args, **kwargs)

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(last_name__icontains=value)
            | Q(first_name__icontains=value)
            | Q(patronymic__icontains=value)
            | Q(position__icontains=value)
        )

    def by_status(self, queryset, name, value):
        return queryset.filter(until__isnull=True) if value == self.CURRENT else queryset
