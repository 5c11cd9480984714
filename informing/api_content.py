"""REST API of ИНФОЦУР's content: information activities and the materials library."""

from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from cur.web.api import IdFilter, ModelSerializer, ScopedPrimaryKeyField, ScopedViewSet

from . import selectors, services
from .api import _blocks, _organisations, _territories
from .models import (
    Channel,
    InformationActivity,
    Material,
    MaterialVersion,
)


def audience_groups_field(**kwargs) -> serializers.ListField:
    from .models import AudienceGroup

    return serializers.ListField(
        child=serializers.ChoiceField(choices=AudienceGroup.choices),
        required=False,
        max_length=len(AudienceGroup.values),
        **kwargs,
    )


class ActivitySerializer(ModelSerializer):
    """Информационное мероприятие: канал, формат, целевая аудитория, материал, публикация, охват."""

    event = ScopedPrimaryKeyField(selector=selectors.events_visible_to, required=False, allow_null=True)
    organisation = ScopedPrimaryKeyField(selector=_organisations, required=False, allow_null=True)
    material = ScopedPrimaryKeyField(selector=selectors.materials_visible_to, required=False, allow_null=True)
    territories = ScopedPrimaryKeyField(selector=_territories, many=True, required=False)
    audience_groups = audience_groups_field()

    class Meta:
        model = InformationActivity
        fields = [
            "id",
            "event",
            "recommendation",
            "organisation",
            "title",
            "channel",
            "format",
            "network",
            "official_page",
            "territories",
            "audience_groups",
            "audience_note",
            "material",
            "material_version",
            "planned_at",
            "published_at",
            "url",
            "reach",
            "reactions",
            "comments",
            "shares",
            "feedback",
            "created_at",
        ]
        read_only_fields = ["id", "recommendation", "official_page", "material_version", "created_at"]


class ActivityFilter(filters.FilterSet):
    channel = filters.ChoiceFilter(choices=Channel.choices)
    event = IdFilter(field_name="event_id")
    published = filters.BooleanFilter(field_name="published_at", lookup_expr="isnull", exclude=True)

    class Meta:
        model = InformationActivity
        fields = ["channel", "event", "published"]


@extend_schema_view(
    list=extend_schema(summary="Информационные мероприятия"),
    retrieve=extend_schema(summary="Информационное мероприятие"),
    create=extend_schema(summary="Запланировать или отметить мероприятие"),
    partial_update=extend_schema(summary="Изменить мероприятие, записать охват и обратную связь"),
)
class ActivityViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin, ScopedViewSet
):
    """Информационные мероприятия в госпабликах, соцсетях, мессенджерах, СМИ и рассылках."""

    queryset = InformationActivity.objects.none()
    serializer_class = ActivitySerializer
    read_capability, write_capability = "informing.view", "informing.manage"
    filterset_class = ActivityFilter
    http_method_names = ["get", "post", "patch", "head", "options"]

    def visible_rows(self, user):
        return selectors.activity_list(user)

    def perform_create(self, serializer):
        data = dict(serializer.validated_data)
        event, territories = data.pop("event", None), data.pop("territories", None)
        serializer.instance = services.save_activity(
            None, by=self.request.user, event=event, territories=territories, **data
        )

    def perform_update(self, serializer):
        data = dict(serializer.validated_data)
        data.pop("event", None)  # an activity stays with its event
        territories = data.pop("territories", None)
        serializer.instance = services.save_activity(
            serializer.instance, by=self.request.user, territories=territories, **data
        )


class MaterialVersionSerializer(ModelSerializer):
    territories = ScopedPrimaryKeyField(selector=_territories, many=True, required=False)
    audience_groups = audience_groups_field()

    class Meta:
        model = MaterialVersion
        fields = [
            "id",
            "title",
            "channel",
            "format",
            "audience_groups",
            "territories",
            "audience_note",
            "body",
            "url",
            "created_at",
        ]
        read_only_fields = ["id", "created_at"]


class MaterialSerializer(ModelSerializer):
    """Материал библиотеки с адаптированными версиями (файлы загружаются на странице)."""

    versions = MaterialVersionSerializer(many=True, read_only=True)
    sector_block = ScopedPrimaryKeyField(selector=_blocks, required=False, allow_null=True)
    event = ScopedPrimaryKeyField(selector=selectors.events_visible_to, required=False, allow_null=True)

    class Meta:
        model = Material
        fields = [
            "id",
            "title",
            "kind",
            "body",
            "url",
            "sector_block",
            "event",
            "is_archived",
            "versions",
            "created_at",
        ]
        read_only_fields = ["id", "versions", "created_at"]


@extend_schema_view(
    list=extend_schema(summary="Библиотека материалов"),
    retrieve=extend_schema(summary="Материал с адаптированными версиями"),
    create=extend_schema(summary="Добавить материал"),
    partial_update=extend_schema(summary="Изменить материал"),
)
class MaterialViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin, ScopedViewSet
):
    """Информационные материалы и их версии для аудиторий и каналов."""

    queryset = Material.objects.none()
    serializer_class = MaterialSerializer
    read_capability, write_capability = "informing.view", "informing.manage"
    http_method_names = ["get", "post", "patch", "head", "options"]

    def visible_rows(self, user):
        return (
            selectors.materials_visible_to(user)
            .prefetch_related("versions__territories")
            .order_by("-created_at", "-id")
        )

    def get_serializer_class(self):
        return MaterialVersionSerializer if self.action == "versions" else MaterialSerializer

    def perform_create(self, serializer):
        serializer.instance = services.save_material(None, by=self.request.user, **serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = services.save_material(
            serializer.instance, by=self.request.user, **serializer.validated_data
        )

    @extend_schema(
        summary="Добавить адаптированную версию", request=MaterialVersionSerializer, responses=MaterialVersionSerializer
    )
    @action(detail=True, methods=["post"])
    def versions(self, request, pk=None):
        material = self.get_object()
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        version = services.add_material_version(material, by=request.user, **serializer.validated_data)
        return Response(MaterialVersionSerializer(version).data, status=status.HTTP_201_CREATED)
