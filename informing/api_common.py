"""Pieces shared by the APIs of ИНФОЦУР and the moderation center: the capability permission, the
parsers, pagination, related fields looked up among the rows a user sees."""

from django import forms
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers, viewsets
from rest_framework.pagination import CursorPagination, PageNumberPagination
from rest_framework.permissions import SAFE_METHODS, BasePermission

from cur.roles import can
from sectors.api import PARSERS, RussianErrorsMixin


class CapabilityPermission(BasePermission):
    """`read_capability` for safe methods, `write_capability` (or `action_capabilities[action]`) otherwise."""

    message = "Недостаточно прав для этого действия."

    def has_permission(self, request, view) -> bool:
        if not can(request.user, "api.use"):
            return False
        special = getattr(view, "action_capabilities", {}).get(getattr(view, "action", None))
        if special is not None:
            return special(request.user) if callable(special) else can(request.user, special)
        capability = view.read_capability if request.method in SAFE_METHODS else view.write_capability
        return capability(request.user) if callable(capability) else can(request.user, capability)


class Pagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
    invalid_page_message = "Нет такой страницы."


class NewestFirstCursor(CursorPagination):
    """Large tables: no COUNT(*), a cursor over a unique order."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
    invalid_cursor_message = "Неверный курсор страницы."


class ScopedViewSet(viewsets.GenericViewSet):
    # Rows come from a selector scoped by the user; numeric ids in URLs; our parsers and permission.

    parser_classes = PARSERS
    permission_classes = [CapabilityPermission]
    lookup_value_regex = "[0-9]+"
    pagination_class = Pagination

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return self.queryset
        return self.visible_rows(self.request.user)

    def visible_rows(self, user):
        raise NotImplementedError


class Serializer(RussianErrorsMixin, serializers.Serializer):
    pass


class ModelSerializer(RussianErrorsMixin, serializers.ModelSerializer):
    pass


@extend_schema_field(OpenApiTypes.INT)
class ScopedPrimaryKeyField(serializers.PrimaryKeyRelatedField):
    """A related row looked up among those the requesting user may see (a selector of the user)."""

    def __init__(self, selector=None, **kwargs):
        self.selector = selector
        super().__init__(**kwargs)

    def get_queryset(self):
        return self.selector(self.context["request"].user)

    def to_internal_value(self, data):
        if isinstance(data, bool) or (isinstance(data, int) and not 0 < data < 2**63):
            self.fail("incorrect_type", data_type=type(data).__name__)
        if isinstance(data, str) and not data.isdigit():
            self.fail("incorrect_type", data_type="str")
        return super().to_internal_value(data)


@extend_schema_field(OpenApiTypes.INT)
class IdFilter(filters.Filter):
    """An id: whole numbers only, in the bigint range."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", 2**63 - 1)
        super().__init__(*args, **kwargs)


def audience_groups_field(**kwargs) -> serializers.ListField:
    from .models import AudienceGroup

    return serializers.ListField(
        child=serializers.ChoiceField(choices=AudienceGroup.choices),
        required=False,
        max_length=len(AudienceGroup.values),
        **kwargs,
    )
