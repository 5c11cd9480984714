"""The DRF kit of every app's API: the JSON parser and text PostgreSQL can store, messages in Russian,
the exception handler (settings REST_FRAMEWORK), the capability permission, pagination, the scoped
viewset and the fields and filters that look rows up among those a user may see."""

from django import forms
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from django.http import Http404
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import exceptions, parsers, serializers, viewsets
from rest_framework.exceptions import ErrorDetail, ParseError
from rest_framework.pagination import CursorPagination, PageNumberPagination
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.validators import ProhibitSurrogateCharactersValidator
from rest_framework.views import exception_handler as drf_exception_handler

from cur.errors import DomainError
from cur.roles import can
from cur.web.dates import ApiDateField, ApiDateTimeField

# --- Parsing and errors ---------------------------------------------------------------------


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser with a Russian message; a body nested deeper than Python's recursion
    limit (json raises RecursionError, not ValueError) is a 400 too, not a 500."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except (ParseError, RecursionError, LookupError) as exc:
            raise ParseError("Тело запроса не является корректным JSON.") from exc


PARSERS = [JSONParser, parsers.FormParser, parsers.MultiPartParser]


def storable_text(text: str) -> bool:
    """PostgreSQL refuses NUL characters and unpaired surrogates (a DataError, i.e. a 500)."""
    if "\x00" in text:
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # an unpaired surrogate from a "\ud800" escape
        return False
    return True


def exception_handler(exc, context):
    """DRF's handler, plus: DomainError → its status with a Russian `detail`,
    Django's ValidationError → 400 with field errors."""
    if isinstance(exc, DomainError):
        return Response({"detail": exc.message, "code": exc.code}, status=exc.status_code)
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        exc = exceptions.ValidationError(detail)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound("Не найдено.")
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied("Недостаточно прав.")
    return drf_exception_handler(exc, context)


class SurrogatesValidator(ProhibitSurrogateCharactersValidator):
    message = "Недопустимый символ U+{code_point:X} (непарный суррогат)."


class RussianErrorsMixin:
    """DRF leaves a few messages in English (ru locale gaps, a hard-coded one); the API answers in Russian."""

    default_error_messages = {"invalid": "Недопустимые данные: ожидается объект, получено {datatype}."}

    def get_fields(self):
        fields = super().get_fields()
        for field in fields.values():
            if type(field) is serializers.CharField:
                field.error_messages["invalid"] = "Ожидается строка."
            elif type(field) is serializers.BooleanField:
                field.error_messages["invalid"] = "Ожидается логическое значение: true или false."
            field.validators = [
                SurrogatesValidator() if isinstance(v, ProhibitSurrogateCharactersValidator) else v
                for v in field.validators
            ]
        return fields

    @property
    def errors(self):
        errors = super().errors
        non_field = errors.get(api_settings.NON_FIELD_ERRORS_KEY) or []
        if [getattr(e, "code", None) for e in non_field] == ["null"]:  # a JSON `null` body
            errors[api_settings.NON_FIELD_ERRORS_KEY] = [ErrorDetail("Данные не переданы.", code="null")]
        return errors


class Serializer(RussianErrorsMixin, serializers.Serializer):
    pass


class DateRangeMappingMixin:
    """Model date fields become the fields of the supported range (cur.web.dates)."""

    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.DateField: ApiDateField,
        models.DateTimeField: ApiDateTimeField,
    }


class ModelSerializer(DateRangeMappingMixin, RussianErrorsMixin, serializers.ModelSerializer):
    pass


# --- Permission, pagination, the scoped viewset --------------------------------------------


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


# --- Fields and filters ------------------------------------------------------------------------


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
    """An id: whole numbers only (NumberFilter would accept 1.5), in the bigint range."""

    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", 2**63 - 1)
        super().__init__(*args, **kwargs)
