"""REST API of the directory: sector blocks, territories, organisations, responsible persons.

Reads come from the selectors (scoped by the requesting user: only an admin sees inactive rows),
writes go through the services with `by=request.user`; the serializers only validate. Directory
rows are deactivated, never deleted, so DELETE is not offered (405).
"""

import math

from django.contrib.auth import get_user_model
from django.db import IntegrityError
from django.db.models import Q
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from cur.web.api import PARSERS, DateRangeMappingMixin, IdFilter, RussianErrorsMixin, storable_text
from cur.web.dates import ApiDateField

from . import selectors, services
from .errors import SectorsError
from .models import Organisation, ResponsiblePerson, SectorBlock, Territory

# --- Fields -------------------------------------------------------------------------------


class VisibleRelatedMixin:
    """A related row looked up among the rows the requesting user may see (the selector)."""

    def __init__(self, selector=None, **kwargs):
        self.selector = selector
        super().__init__(**kwargs)

    def get_queryset(self):
        return self.selector(self.context["request"].user)


class VisiblePrimaryKeyField(VisibleRelatedMixin, serializers.PrimaryKeyRelatedField):
    pass


class VisibleSlugField(VisibleRelatedMixin, serializers.SlugRelatedField):
    def to_internal_value(self, data):
        # PostgreSQL refuses a NUL in a query parameter with DataError, which DRF does not catch.
        if isinstance(data, str) and not storable_text(data):
            self.fail("invalid")
        return super().to_internal_value(data)


GEOJSON_TYPES = frozenset(
    {
        "Point",
        "MultiPoint",
        "LineString",
        "MultiLineString",
        "Polygon",
        "MultiPolygon",
        "GeometryCollection",
        "Feature",
        "FeatureCollection",
    }
)
GEOJSON_MAX_DEPTH = 16  # FeatureCollection → features → Feature → geometry → MultiPolygon rings ≈ 9


@extend_schema_field(
    {"type": "object", "nullable": True, "description": "GeoJSON: геометрия, Feature или FeatureCollection"}
)
class GeoJSONField(serializers.JSONField):
    """GeoJSON as jsonb: an object with a GeoJSON `type`, not too deep, storable by PostgreSQL
    (jsonb rejects NUL characters, NaN/Infinity and unpaired surrogates — a 500 if not checked here)."""

    default_error_messages = {
        "not_geojson": "Ожидается объект GeoJSON с полем type (например, MultiPolygon).",
        "too_deep": "Слишком глубокая вложенность GeoJSON.",
        "bad_value": "GeoJSON содержит недопустимые значения (NUL-символы, NaN или бесконечность).",
    }

    def to_internal_value(self, data):
        if not isinstance(data, dict) or data.get("type") not in GEOJSON_TYPES:
            self.fail("not_geojson")
        # Iterative walk: a recursive one would itself hit the recursion limit on hostile input.
        stack = [(data, 1)]
        while stack:
            value, depth = stack.pop()
            if depth > GEOJSON_MAX_DEPTH:
                self.fail("too_deep")
            if isinstance(value, dict):
                if not all(storable_text(k) for k in value):
                    self.fail("bad_value")
                stack.extend((v, depth + 1) for v in value.values())
            elif isinstance(value, list):
                stack.extend((v, depth + 1) for v in value)
            elif not _storable_scalar(value):
                self.fail("bad_value")
        return super().to_internal_value(data)


def _storable_scalar(value) -> bool:
    if isinstance(value, str):
        return storable_text(value)
    return not isinstance(value, float) or math.isfinite(value)


# --- Serializers -----------------------------------------------------------------------------


class ValidatingSerializer(DateRangeMappingMixin, RussianErrorsMixin, serializers.ModelSerializer):
    # Validates only: the viewset hands `validated_data` to a service, which saves and audits.
    # (A comment, not a docstring: drf-spectacular would publish an inherited docstring.)

    def create(self, validated_data):
        raise NotImplementedError("Записи справочника сохраняют сервисы sectors.services.")

    def update(self, instance, validated_data):
        raise NotImplementedError("Записи справочника сохраняют сервисы sectors.services.")


class SectorBlockSerializer(ValidatingSerializer):
    """Отраслевой блок; в адресах и ссылках — по коду."""

    class Meta:
        model = SectorBlock
        fields = ["id", "code", "name", "description", "is_mandatory", "is_active", "position"]
        # The eight mandatory blocks come from the data migration; admin-added ones are extra.
        read_only_fields = ["is_mandatory"]


class TerritorySerializer(ValidatingSerializer):
    """Территория; граница (GeoJSON) — в карточке или в списке с ?include=boundary."""

    parent = VisiblePrimaryKeyField(
        selector=selectors.territories_visible_to, allow_null=True, required=False, label="Входит в"
    )
    parent_name = serializers.CharField(source="parent.name", read_only=True, allow_null=True)
    boundary = GeoJSONField(allow_null=True, required=False, label="Граница (GeoJSON)")

    class Meta:
        model = Territory
        fields = ["id", "name", "kind", "parent", "parent_name", "oktmo", "population", "is_active", "boundary"]

    def get_fields(self):
        fields = super().get_fields()
        # Lists stay light: the boundary only on the detail endpoint or with ?include=boundary.
        if self.context.get("without_boundary"):
            del fields["boundary"]
        return fields


class OrganisationSerializer(ValidatingSerializer):
    """Орган или организация; отраслевые блоки — списком кодов."""

    territory = VisiblePrimaryKeyField(selector=selectors.territories_visible_to, label="Территория")
    territory_name = serializers.CharField(source="territory.name", read_only=True)
    parent = VisiblePrimaryKeyField(
        selector=selectors.organisations_visible_to, allow_null=True, required=False, label="Вышестоящая организация"
    )
    parent_name = serializers.CharField(source="parent.name", read_only=True, allow_null=True)
    sector_blocks = VisibleSlugField(
        selector=selectors.sector_blocks_visible_to,
        slug_field="code",
        many=True,
        required=False,
        label="Отраслевые блоки (коды)",
    )

    class Meta:
        model = Organisation
        fields = [
            "id",
            "name",
            "short_name",
            "kind",
            "inn",
            "territory",
            "territory_name",
            "sector_blocks",
            "parent",
            "parent_name",
            "address",
            "phone",
            "email",
            "website",
            "is_active",
        ]


class ResponsiblePersonSerializer(ValidatingSerializer):
    """Назначение ответственного лица; until пуст, пока полномочия действуют."""

    full_name = serializers.CharField(read_only=True, label="ФИО")
    organisation = VisiblePrimaryKeyField(
        selector=selectors.organisations_visible_to, allow_null=True, required=False, label="Организация"
    )
    organisation_name = serializers.CharField(source="organisation.name", read_only=True, allow_null=True)
    sector_block = VisibleSlugField(
        selector=selectors.sector_blocks_visible_to,
        slug_field="code",
        allow_null=True,
        required=False,
        label="Отраслевой блок (код)",
    )
    sector_block_name = serializers.CharField(source="sector_block.name", read_only=True, allow_null=True)
    territory = VisiblePrimaryKeyField(
        selector=selectors.territories_visible_to, allow_null=True, required=False, label="Муниципальное образование"
    )
    territory_name = serializers.CharField(source="territory.name", read_only=True, allow_null=True)
    user = serializers.PrimaryKeyRelatedField(
        queryset=get_user_model().objects.all(), allow_null=True, required=False, label="Пользователь"
    )
    is_current = serializers.BooleanField(read_only=True, label="Действующее назначение")

    class Meta:
        model = ResponsiblePerson
        fields = [
            "id",
            "role",
            "last_name",
            "first_name",
            "patronymic",
            "full_name",
            "position",
            "organisation",
            "organisation_name",
            "sector_block",
            "sector_block_name",
            "territory",
            "territory_name",
            "user",
            "phone",
            "email",
            "act_number",
            "act_date",
            "since",
            "until",
            "is_current",
        ]
        # `until` is set by the `end` action (or by appointing a successor), not by editing.
        read_only_fields = ["until"]
        # No "one current holder" validators: appointing a successor relieves the current holder
        # (services.appoint_responsible); the database constraints still guard races.
        validators: list = []

    def validate(self, attrs):
        if self.instance is None:
            role = attrs.get("role")
            if role in ResponsiblePerson.BLOCK_ROLES and not attrs.get("sector_block"):
                raise serializers.ValidationError({"sector_block": "Для роли в отраслевом блоке укажите блок."})
            if role in ResponsiblePerson.MCU_ROLES and not attrs.get("territory"):
                raise serializers.ValidationError({"territory": "Для роли в МЦУ укажите муниципальное образование."})
        return attrs


class EndAppointmentSerializer(RussianErrorsMixin, serializers.Serializer):
    """Последний день полномочий."""

    until = ApiDateField(label="Полномочия до (включительно)")


# --- Filters ---------------------------------------------------------------------------------


class TerritoryFilter(filters.FilterSet):
    kind = filters.ChoiceFilter(choices=Territory.Kind.choices, label="Вид")
    parent = IdFilter(field_name="parent_id", label="Входит в (id)")
    oktmo = filters.CharFilter(max_length=11, label="Код ОКТМО")

    class Meta:
        model = Territory
        fields = ["kind", "parent", "oktmo"]


class OrganisationFilter(filters.FilterSet):
    kind = filters.ChoiceFilter(choices=Organisation.Kind.choices, label="Вид")
    territory = IdFilter(field_name="territory_id", label="Территория (id)")
    sector_block = filters.CharFilter(field_name="sector_blocks__code", max_length=32, label="Отраслевой блок (код)")
    search = filters.CharFilter(method="filter_search", max_length=255, label="Поиск по наименованию или ИНН")
    is_active = filters.BooleanFilter(label="Действует")

    class Meta:
        model = Organisation
        fields = ["kind", "territory", "sector_block", "search", "is_active"]

    def filter_search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        condition = Q(name__icontains=value) | Q(short_name__icontains=value)
        if value.isdigit():
            condition |= Q(inn__startswith=value)
        return queryset.filter(condition)


class ResponsiblePersonFilter(filters.FilterSet):
    role = filters.ChoiceFilter(choices=ResponsiblePerson.Role.choices, label="Роль")
    sector_block = filters.CharFilter(field_name="sector_block__code", max_length=32, label="Отраслевой блок (код)")
    territory = IdFilter(field_name="territory_id", label="Муниципальное образование (id)")
    current = filters.BooleanFilter(method="filter_current", label="Только действующие (true) или прекращённые (false)")

    class Meta:
        model = ResponsiblePerson
        fields = ["role", "sector_block", "territory", "current"]

    def filter_current(self, queryset, name, value):
        return queryset.filter(until__isnull=value)


# --- Viewsets --------------------------------------------------------------------------------


class DirectoryViewSet(viewsets.GenericViewSet):
    # Common ground: the parsers, numeric ids in URLs, and a racing duplicate → 409, not 500.
    # (Comments, not docstrings, on the base classes: drf-spectacular publishes inherited ones.)

    parser_classes = PARSERS
    lookup_value_regex = "[0-9]+"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no user to scope by
            return self.queryset
        return self.visible_rows(self.request.user)

    def visible_rows(self, user):
        raise NotImplementedError

    def handle_exception(self, exc):
        if isinstance(exc, IntegrityError):
            # Tolerated race: two admins save the same ИНН/ОКТМО between full_clean and INSERT;
            # the service's transaction is rolled back, the loser is told to retry.
            exc = SectorsError("Запись конфликтует с сохранённой одновременно. Обновите данные и повторите.")
        return super().handle_exception(exc)


class ReadCreateUpdateViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    DirectoryViewSet,
):
    # Read, create, replace (PUT) and change (PATCH); the service is `save(obj_or_None, by=, **fields)`.

    def save(self, instance, validated_data):
        raise NotImplementedError

    def perform_create(self, serializer):
        serializer.instance = self.save(None, serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = self.save(serializer.instance, serializer.validated_data)


@extend_schema_view(
    list=extend_schema(summary="Отраслевые блоки"),
    retrieve=extend_schema(summary="Отраслевой блок по коду"),
    create=extend_schema(summary="Добавить отраслевой блок (администратор)"),
    update=extend_schema(summary="Изменить отраслевой блок (администратор)"),
    partial_update=extend_schema(summary="Изменить отраслевой блок частично (администратор)"),
)
class SectorBlockViewSet(ReadCreateUpdateViewSet):
    """Отраслевые блоки: 8 обязательных и дополнительные блоки региона. Адрес блока — по его коду."""

    queryset = SectorBlock.objects.none()
    serializer_class = SectorBlockSerializer
    lookup_field = "code"
    lookup_value_regex = "[-a-zA-Z0-9_]+"
    ordering_fields = ["position", "name", "code"]

    def visible_rows(self, user):
        return selectors.sector_blocks_visible_to(user)

    def save(self, instance, validated_data):
        return services.save_sector_block(instance, by=self.request.user, **validated_data)


INCLUDE_PARAMETER = OpenApiParameter(
    "include",
    OpenApiTypes.STR,
    enum=["boundary"],
    description="boundary — добавить в список границы территорий (GeoJSON); по умолчанию только в карточке.",
)


@extend_schema_view(
    list=extend_schema(summary="Территории", parameters=[INCLUDE_PARAMETER]),
    retrieve=extend_schema(summary="Территория с границей (GeoJSON)"),
    create=extend_schema(summary="Добавить территорию (администратор)"),
    update=extend_schema(summary="Изменить территорию (администратор)"),
    partial_update=extend_schema(summary="Изменить территорию частично (администратор)"),
)
class TerritoryViewSet(ReadCreateUpdateViewSet):
    """Территории: субъект РФ, муниципальные образования, поселения. Граница — в карточке или с ?include=boundary."""

    queryset = Territory.objects.none()
    serializer_class = TerritorySerializer
    filterset_class = TerritoryFilter
    ordering_fields = ["name", "oktmo", "population"]

    def _light(self) -> bool:
        if getattr(self, "swagger_fake_view", False):  # the schema documents the field (optional)
            return False
        return self.action == "list" and "boundary" not in self.request.query_params.get("include", "").split(",")

    def visible_rows(self, user):
        qs = selectors.territories_visible_to(user).defer("parent__boundary")
        return qs.defer("boundary") if self._light() else qs

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "without_boundary": self._light()}

    def save(self, instance, validated_data):
        return services.save_territory(instance, by=self.request.user, **validated_data)


@extend_schema_view(
    list=extend_schema(summary="Органы и организации"),
    retrieve=extend_schema(summary="Орган или организация"),
    create=extend_schema(summary="Добавить организацию (администратор)"),
    update=extend_schema(summary="Изменить организацию (администратор)"),
    partial_update=extend_schema(summary="Изменить организацию частично (администратор)"),
)
class OrganisationViewSet(ReadCreateUpdateViewSet):
    """Органы и организации, которым направляются обращения. Не удаляются — отключаются (is_active)."""

    queryset = Organisation.objects.none()
    serializer_class = OrganisationSerializer
    filterset_class = OrganisationFilter
    ordering_fields = ["name", "inn"]

    def visible_rows(self, user):
        return selectors.organisations_visible_to(user).defer("territory__boundary")

    def save(self, instance, validated_data):
        return services.save_organisation(instance, by=self.request.user, **validated_data)


@extend_schema_view(
    list=extend_schema(summary="Ответственные лица"),
    retrieve=extend_schema(summary="Ответственное лицо"),
    create=extend_schema(
        summary="Назначить ответственное лицо (администратор)",
        description="Действующее лицо в той же должности освобождается накануне даты назначения.",
    ),
    partial_update=extend_schema(
        summary="Исправить данные назначения (администратор)",
        description="Роль, блок и территорию не меняют: для смены должности назначьте лицо заново.",
    ),
)
class ResponsiblePersonViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, DirectoryViewSet
):
    """Ответственные лица ЦУР, отраслевых блоков и МЦУ с историей назначений."""

    queryset = ResponsiblePerson.objects.none()
    serializer_class = ResponsiblePersonSerializer
    filterset_class = ResponsiblePersonFilter
    ordering_fields = ["role", "last_name", "since", "until"]

    def visible_rows(self, user):
        return selectors.responsible_persons_visible_to(user).defer("territory__boundary")

    def get_serializer_class(self):
        return EndAppointmentSerializer if self.action == "end" else ResponsiblePersonSerializer

    def perform_create(self, serializer):
        serializer.instance = services.appoint_responsible(by=self.request.user, **serializer.validated_data)

    def partial_update(self, request, *args, **kwargs):
        serializer = self.get_serializer(self.get_object(), data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        person = services.update_responsible(serializer.instance, by=request.user, **serializer.validated_data)
        return Response(self.get_serializer(person).data)

    @extend_schema(
        summary="Прекратить полномочия (администратор)",
        request=EndAppointmentSerializer,
        responses={status.HTTP_200_OK: ResponsiblePersonSerializer},
    )
    @action(detail=True, methods=["post"])
    def end(self, request, *args, **kwargs):
        person = self.get_object()
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        person = services.end_appointment(person, until=serializer.validated_data["until"], by=request.user)
        return Response(ResponsiblePersonSerializer(person, context=self.get_serializer_context()).data)
