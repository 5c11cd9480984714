"""The ratings API (the competence center's, staff's too): computed runs with their entries, and the
approved methodology versions. Read-only for every role with `ratings.view`; no appeals, no personal data.

Runs and approved versions never change once written, so every answer carries an ETag and a
Last-Modified, and a poller that sends them back gets 304 without the body. A per-user (per-token)
rate limit protects the database from a runaway client.
"""

import hashlib

from django import forms
from django.db.models import Count, F, Max
from django.utils.cache import get_conditional_response, quote_etag
from django.utils.http import http_date
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.throttling import ScopedRateThrottle

from cur.roles import can
from cur.web.dates import EARLIEST, validate_year

from . import periods, selectors
from .api_docs import LATEST_PARAMETERS, METHODOLOGY_EXAMPLE, RUN_DETAIL_EXAMPLE, RUN_LIST_EXAMPLE
from .models import Level, PeriodKind, RatingMethodology, RatingRun

DEFAULT_RATE = "120/min"

# --- access -------------------------------------------------------------------------------------------


class CanViewRatings(BasePermission):
    message = "Недостаточно прав для этого действия."

    def has_permission(self, request, view) -> bool:
        return can(request.user, "ratings.view") and request.method in SAFE_METHODS


class RatingsThrottle(ScopedRateThrottle):
    """Per user — so per token — within the "ratings" scope; REST_FRAMEWORK's DEFAULT_THROTTLE_RATES
    may set "ratings", else 120 requests a minute."""

    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope) or DEFAULT_RATE


def conditional(request, *, tag: str, last_modified, build):
    """304 when the client's If-None-Match / If-Modified-Since match; else the response of `build()`.
    Both carry the validators."""
    etag = quote_etag(hashlib.sha256(f"{tag}|{request.get_full_path()}".encode()).hexdigest()[:32])
    timestamp = int(last_modified.timestamp()) if last_modified else None
    response = get_conditional_response(request._request, etag=etag, last_modified=timestamp)
    if response is None:
        response = build()
    response["ETag"] = etag
    if timestamp is not None:
        response["Last-Modified"] = http_date(timestamp)
    response["Cache-Control"] = "private, no-cache"
    return response


# --- serializers --------------------------------------------------------------------------------------


class IndicatorValueSerializer(serializers.Serializer):
    value = serializers.FloatField(allow_null=True, help_text="Значение: доля 0…1, дни или число обращений")
    numerator = serializers.IntegerField(allow_null=True, help_text="Числитель (для медианы — нет)")
    denominator = serializers.IntegerField(allow_null=True, help_text="Знаменатель (для счётчиков — нет)")
    normalised = serializers.FloatField(allow_null=True, help_text="Нормированное значение 0…1 (1 — лучше)")


class PersonSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    role = serializers.CharField()
    role_name = serializers.CharField()
    name = serializers.CharField()
    position = serializers.CharField()


class SubjectSerializer(serializers.Serializer):
    """Сведения о субъекте на момент расчёта (набор полей зависит от уровня)."""

    kind = serializers.CharField(required=False, help_text="Вид организации или муниципального образования")
    kind_name = serializers.CharField(required=False)
    territory_id = serializers.IntegerField(required=False, help_text="Муниципальное образование")
    territory_name = serializers.CharField(required=False)
    sectors = serializers.ListField(child=serializers.CharField(), required=False, help_text="Коды блоков")
    code = serializers.CharField(required=False, help_text="Код отраслевого блока")
    is_mandatory = serializers.BooleanField(required=False)
    persons = PersonSerializer(many=True, required=False, help_text="Ответственные лица блока на конец периода")


class RatingEntrySerializer(serializers.Serializer):
    subject_id = serializers.IntegerField(help_text="id организации, территории или отраслевого блока")
    subject_name = serializers.CharField()
    subject = SubjectSerializer(source="subject_attrs")
    received = serializers.IntegerField(help_text="Зарегистрировано обращений в периоде")
    has_enough_data = serializers.BooleanField(help_text="false — «недостаточно данных»: без места и балла")
    rank = serializers.IntegerField(allow_null=True)
    score = serializers.DecimalField(max_digits=6, decimal_places=2, coerce_to_string=False, allow_null=True)
    indicators = serializers.DictField(child=IndicatorValueSerializer(), source="values")


def entry_data(entry) -> dict:
    """RatingEntrySerializer's output built directly: the stored JSON is already in the published shape,
    and a page of 100 entries × 8 indicators through nested serializers costs more than the query."""
    return {
        "subject_id": entry.subject_id,
        "subject_name": entry.subject_name,
        "subject": entry.subject_attrs,
        "received": entry.received,
        "has_enough_data": entry.has_enough_data,
        "rank": entry.rank,
        "score": float(entry.score) if entry.score is not None else None,
        "indicators": entry.values,
    }


class RatingRunSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    level = serializers.ChoiceField(choices=Level.choices)
    level_name = serializers.CharField(source="get_level_display")
    period_kind = serializers.ChoiceField(choices=PeriodKind.choices)
    period_start = serializers.DateField()
    period_end = serializers.DateField(help_text="Включительно; срез — 24:00 этого дня по Москве")
    period_label = serializers.CharField()
    methodology_version = serializers.IntegerField(source="methodology.version")
    computed_at = serializers.DateTimeField()
    subject_count = serializers.IntegerField()
    ranked_count = serializers.IntegerField()


class EntryPageSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = RatingEntrySerializer(many=True)


class RatingRunDetailSerializer(RatingRunSerializer):
    entries = EntryPageSerializer(help_text="Строки рейтинга: по месту, затем без места; ?page=, ?page_size=")


class MethodologyIndicatorSerializer(serializers.Serializer):
    code = serializers.CharField()
    name = serializers.CharField()
    definition = serializers.CharField(source="spec.definition", help_text="Как считается, простыми словами")
    weight = serializers.DecimalField(max_digits=6, decimal_places=2, coerce_to_string=False)
    direction = serializers.ChoiceField(choices=["higher", "lower"])
    normalisation = serializers.ChoiceField(choices=["share", "minmax"])


class RatingMethodologySerializer(serializers.Serializer):
    version = serializers.IntegerField()
    name = serializers.CharField()
    description = serializers.CharField()
    min_appeals = serializers.IntegerField(help_text="Меньше обращений — «недостаточно данных»")
    approved_at = serializers.DateTimeField()
    indicators = MethodologyIndicatorSerializer(many=True)


# --- filters and pagination -----------------------------------------------------------------------------


class PeriodFormField(forms.CharField):
    def clean(self, value):
        value = super().clean(value)
        if value in (None, ""):
            return None
        period = periods.parse_period(value)
        if period is None:
            raise forms.ValidationError("Период: ГГГГ (год), ГГГГ-ММ (месяц) или ГГГГ-Qn (квартал).")
        return period


class PeriodFilter(filters.CharFilter):
    field_class = PeriodFormField

    def filter(self, qs, value):
        if value is None:
            return qs
        return qs.filter(period_kind=value.kind, period_start=value.start, period_end=value.end)


@extend_schema_field(OpenApiTypes.INT)
class IntegerFilter(filters.Filter):
    """Whole numbers only (NumberFilter would pass 2026.5 on to a year lookup that wants an int)."""

    field_class = forms.IntegerField


class RatingRunFilter(filters.FilterSet):
    level = filters.ChoiceFilter(choices=Level.choices, label="Уровень")
    period_kind = filters.ChoiceFilter(choices=PeriodKind.choices, label="Вид периода")
    period = PeriodFilter(max_length=16, label="Период: 2026 (год), 2026-10 (месяц), 2026-Q3 (квартал)")
    year = IntegerFilter(
        field_name="period_start__year", min_value=EARLIEST.year, validators=[validate_year], label="Год начала"
    )
    methodology_version = IntegerFilter(
        field_name="methodology__version", min_value=1, max_value=2**31 - 1, label="Версия методики"
    )

    class Meta:
        model = RatingRun
        fields = ["level", "period_kind", "period", "year", "methodology_version"]


class EntryPagination(PageNumberPagination):
    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 1000


# --- viewsets --------------------------------------------------------------------------------------------


class RatingsViewSet(viewsets.ReadOnlyModelViewSet):
    # Common ground of the two viewsets (a comment: spectacular would publish a docstring).
    permission_classes = [CanViewRatings]
    throttle_classes = [RatingsThrottle]
    throttle_scope = "ratings"
    lookup_value_regex = "[0-9]+"


@extend_schema_view(
    list=extend_schema(summary="Рассчитанные рейтинги", examples=[RUN_LIST_EXAMPLE]),
    retrieve=extend_schema(summary="Рейтинг со строками (постранично)", examples=[RUN_DETAIL_EXAMPLE],
                           parameters=LATEST_PARAMETERS[2:]),
)  # fmt: skip
class RatingRunViewSet(RatingsViewSet):
    """Рассчитанные рейтинги: органы и организации, муниципальные образования, отраслевые блоки.

    Расчёт не меняется после публикации: ответы несут ETag и Last-Modified; повторный запрос с
    If-None-Match или If-Modified-Since получает 304 без тела."""

    queryset = RatingRun.objects.none()
    serializer_class = RatingRunSerializer
    filter_backends = [filters.DjangoFilterBackend]
    filterset_class = RatingRunFilter

    def get_queryset(self):
        return selectors.runs(done_only=True)

    def get_serializer_class(self):
        return RatingRunSerializer if self.action == "list" else RatingRunDetailSerializer

    def list(self, request, *args, **kwargs):
        qs = self.filter_queryset(self.get_queryset())
        facts = qs.order_by().aggregate(n=Count("pk"), last=Max("computed_at"), top=Max("pk"))
        return conditional(request, tag=f"runs-{facts['n']}-{facts['top']}", last_modified=facts["last"],
                           build=lambda: super(RatingRunViewSet, self).list(request, *args, **kwargs))  # fmt: skip

    def retrieve(self, request, *args, **kwargs):
        return self._run_response(request, self.get_object())

    @extend_schema(
        summary="Последний рассчитанный рейтинг уровня", parameters=LATEST_PARAMETERS,
        responses=RatingRunDetailSerializer, examples=[RUN_DETAIL_EXAMPLE],
    )  # fmt: skip
    @action(detail=False)
    def latest(self, request):
        level = request.query_params.get("level", "")
        kind = request.query_params.get("period_kind", "")
        if level not in Level.values:
            raise ValidationError({"level": [f"Укажите уровень: {', '.join(Level.values)}."]})
        if kind and kind not in PeriodKind.values:
            raise ValidationError({"period_kind": [f"Вид периода: {', '.join(PeriodKind.values)}."]})
        run = selectors.runs(level=level, period_kind=kind, done_only=True).first()
        if run is None:
            raise NotFound("Рейтинг этого уровня ещё не рассчитан.")
        return self._run_response(request, run)

    def _run_response(self, request, run: RatingRun):
        def build():
            paginator = EntryPagination()
            entries = run.entries.order_by(F("rank").asc(nulls_last=True), "subject_name", "subject_id")
            page = paginator.paginate_queryset(entries, request, view=self)
            data = RatingRunSerializer(run, context=self.get_serializer_context()).data
            data["entries"] = paginator.get_paginated_response([entry_data(e) for e in page]).data
            return Response(data)

        return conditional(request, tag=f"run-{run.pk}-{run.computed_at.timestamp()}", last_modified=run.computed_at,
                           build=build)  # fmt: skip


@extend_schema_view(
    list=extend_schema(summary="Утверждённые версии методики", examples=[METHODOLOGY_EXAMPLE]),
    retrieve=extend_schema(summary="Версия методики по номеру", examples=[METHODOLOGY_EXAMPLE]),
)
class RatingMethodologyViewSet(RatingsViewSet):
    """Методика рейтинга: утверждённые версии с показателями, весами, направлениями и определениями."""

    queryset = RatingMethodology.objects.none()
    serializer_class = RatingMethodologySerializer
    filter_backends: list = []
    lookup_field = "version"

    def get_queryset(self):
        return selectors.approved_methodologies()

    def list(self, request, *args, **kwargs):
        facts = self.get_queryset().order_by().aggregate(n=Count("pk"), last=Max("approved_at"), top=Max("version"))
        return conditional(
            request, tag=f"methodologies-{facts['n']}-{facts['top']}", last_modified=facts["last"],
            build=lambda: super(RatingMethodologyViewSet, self).list(request, *args, **kwargs),
        )  # fmt: skip

    def retrieve(self, request, *args, **kwargs):
        methodology = self.get_object()
        return conditional(
            request, tag=f"methodology-{methodology.version}-{methodology.approved_at.timestamp()}",
            last_modified=methodology.approved_at, build=lambda: Response(self.get_serializer(methodology).data),
        )  # fmt: skip
