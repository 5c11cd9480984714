"""Open311 GeoReport v2 (JSON), so civic clients and city systems can talk to the ЦУР.

- `GET services.json` — our topics (service_code = Topic.code), grouped by sector block.
- `POST requests.json` — a source system's key (`api_key` in the form/query, or the header
  `Authorization: Integration <key>`) of an integration source of channel `web` creates an
  appeal of channel web through `services.register_appeal`. An optional non-standard
  `external_id` makes retries idempotent (without it every POST is a new appeal).
- `GET requests.json`, `GET requests/{id}.json` — public (no key), throttled per address.

Decision on what the public sees: every appeal of the region is listed (the public sees the
workload, the executors and the deadlines — that is the point of a ЦУР), but only public
fields, never the applicant. The free text of an appeal and the text of the answer are shown
(`description`, `status_notes`) only for channel `web`: a citizen who posts to a public web
channel expects the report to be public, while letters, calls, personal reception, e-mail and
messages routinely name the author, their family and their address inside the text, which
would be personal data in a public API. Other channels show the topic and the address of the
problem; a rejected appeal shows the reason instead of an answer; spam shows no text at all.

`service_request_id` is the appeal number ("2025-000123"); `requests/{id}.json` also accepts
the bare id. `requested_datetime` is the registration time (the field the list is filtered and
ordered by — the same order as the staff API). Statuses: `closed` once answered (the answer is
in `status_notes`), closed or rejected; `open` otherwise. The internal status is not shown.
Errors follow the spec: a list of {code, description} with 400, 403 or 404.
"""

import datetime
import re

from django.db.models import Q
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView

from cur.web import dates
from cur.web.api import PARSERS

from .. import services
from ..intake.integration import Open311KeyAuthentication, integration_source
from ..models import Appeal, Topic
from .fields import PUBLIC_ANSWERED, PUBLIC_CLOSED, CoordinateField, TextField, public_status

S = Appeal.Status

MAX_REQUESTS = 1000
DEFAULT_PAGE_SIZE = 100
MAX_SPAN = datetime.timedelta(days=90)
CLOSED_STATUSES = [s for s, public in ((s, public_status(Appeal(status=s))) for s in S.values)
                   if public in (PUBLIC_ANSWERED, PUBLIC_CLOSED)]  # fmt: skip
REQUEST_ID_RE = re.compile(r"^(?:(\d{4})-)?0*(\d{1,18})$")
PUBLIC_TEXT_CHANNELS = frozenset({Appeal.Channel.WEB})


class Open311Error(exceptions.APIException):
    status_code = status.HTTP_400_BAD_REQUEST


class Open311NotFound(Open311Error):
    status_code = status.HTTP_404_NOT_FOUND


def _errors(status_code: int, data) -> list[dict]:
    """Any error response as the spec's list of {code, description}."""
    if isinstance(data, dict) and "detail" in data:
        return [{"code": status_code, "description": str(data["detail"])}]
    if isinstance(data, dict):
        errors = []
        for field, messages in data.items():
            for message in messages if isinstance(messages, list) else [messages]:
                errors.append({"code": status_code, "description": f"{field}: {message}"})
        return errors
    if isinstance(data, list):
        return [{"code": status_code, "description": str(message)} for message in data]
    return [{"code": status_code, "description": str(data)}]


class Open311View(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list = []
    throttle_classes = [AnonRateThrottle]
    renderer_classes = [JSONRenderer]
    parser_classes = PARSERS

    def handle_exception(self, exc):
        if isinstance(exc, exceptions.NotAuthenticated | exceptions.AuthenticationFailed):
            # The spec: 403 when the api_key is missing or invalid (not DRF's 401).
            exc = exceptions.PermissionDenied(exc.detail)
        response = super().handle_exception(exc)
        response.data = _errors(response.status_code, response.data)
        return response


# --- Services ---------------------------------------------------------------------------------------


class ServiceSerializer(serializers.Serializer):
    service_code = serializers.CharField()
    service_name = serializers.CharField()
    description = serializers.CharField()
    metadata = serializers.BooleanField()
    type = serializers.CharField()
    keywords = serializers.CharField()
    group = serializers.CharField()


# The error body is a list of {code, description} (the spec); drf-spectacular documents a `many=True`
# serializer as one object for error codes, so the schema is written out.
ERRORS = {
    "type": "array",
    "items": {
        "type": "object",
        "properties": {"code": {"type": "integer"}, "description": {"type": "string"}},
        "required": ["code", "description"],
    },
}


class ServicesView(Open311View):
    @extend_schema(
        operation_id="open311_services",
        summary="Open311: виды обращений (темы по отраслевым блокам)",
        responses={status.HTTP_200_OK: ServiceSerializer(many=True)},
        tags=["open311"],
    )
    def get(self, request, *args, **kwargs):
        topics = (
            Topic.objects.filter(is_active=True, sector_block__is_active=True)
            .select_related("sector_block", "group")
            .order_by("sector_block__position", "sector_block__name", "group__name", "name")
        )
        return Response(
            [
                {
                    "service_code": topic.code,
                    "service_name": topic.name,
                    "description": f"{topic.sector_block.name}: {topic.group.name} — {topic.name}",
                    "metadata": False,
                    "type": "realtime",
                    "keywords": f"{topic.group.name}, {topic.sector_block.name}",
                    "group": topic.sector_block.name,
                }
                for topic in topics
            ]
        )


# --- Requests ----------------------------------------------------------------------------------------


class ServiceRequestSerializer(serializers.Serializer):
    service_request_id = serializers.CharField()
    status = serializers.ChoiceField(choices=["open", "closed"])
    status_notes = serializers.CharField(allow_null=True)
    service_name = serializers.CharField(allow_null=True)
    service_code = serializers.CharField(allow_null=True)
    description = serializers.CharField(allow_null=True)
    agency_responsible = serializers.CharField(allow_null=True)
    service_notice = serializers.CharField(allow_null=True)
    requested_datetime = serializers.DateTimeField()
    updated_datetime = serializers.DateTimeField()
    expected_datetime = serializers.DateTimeField(allow_null=True)
    address = serializers.CharField()
    address_id = serializers.CharField(allow_null=True)
    zipcode = serializers.CharField(allow_null=True)
    lat = serializers.FloatField(allow_null=True)
    long = serializers.FloatField(allow_null=True)
    media_url = serializers.CharField(allow_null=True)


class CreatedRequestSerializer(serializers.Serializer):
    service_request_id = serializers.CharField()
    service_notice = serializers.CharField()
    account_id = serializers.CharField(allow_null=True)


# Only public columns are read: the applicant's fields never leave the database here.
PUBLIC_FIELDS = (
    "id", "channel", "status", "text", "address", "latitude", "longitude", "registered_at", "updated_at",
    "due_at", "answer_text", "reject_reason", "topic__code", "topic__name", "organisation__name",
    "organisation__short_name",
)  # fmt: skip


def public_requests():
    return Appeal.objects.select_related("topic", "organisation").only(*PUBLIC_FIELDS)


def service_request(appeal: Appeal) -> dict:
    """One appeal as an Open311 service request: public fields only."""
    public_text = appeal.channel in PUBLIC_TEXT_CHANNELS and appeal.reject_reason != Appeal.RejectReason.SPAM
    notes = None
    if appeal.status == S.REJECTED:
        notes = f"Отклонено: {appeal.get_reject_reason_display() or 'без указания причины'}."
    elif public_status(appeal) in (PUBLIC_ANSWERED, PUBLIC_CLOSED) and public_text:
        notes = appeal.answer_text or None
    return {
        "service_request_id": appeal.number,
        "status": "closed" if appeal.status in CLOSED_STATUSES else "open",
        "status_notes": notes,
        "service_name": appeal.topic.name if appeal.topic_id else None,
        "service_code": appeal.topic.code if appeal.topic_id else None,
        "description": appeal.text if public_text else None,
        "agency_responsible": str(appeal.organisation) if appeal.organisation_id else None,
        "service_notice": public_status(appeal),
        "requested_datetime": _iso(appeal.registered_at),
        "updated_datetime": _iso(appeal.updated_at),
        "expected_datetime": _iso(appeal.due_at),
        "address": appeal.address,
        "address_id": None,
        "zipcode": None,
        "lat": float(appeal.latitude) if appeal.latitude is not None else None,
        "long": float(appeal.longitude) if appeal.longitude is not None else None,
        "media_url": None,
    }


def _iso(value: datetime.datetime | None) -> str | None:
    return timezone.localtime(value).isoformat(timespec="seconds") if value else None


def _split(value: str | None) -> list[str]:
    return [part.strip() for part in (value or "").split(",") if part.strip()]


def _parse_moment(name: str, value: str) -> datetime.datetime:
    try:
        moment = parse_datetime(value)
        if moment is None:
            day = parse_date(value)
            moment = datetime.datetime.combine(day, datetime.time()) if day else None
    except ValueError:
        moment = None
    if moment is None:
        raise Open311Error(f"{name}: ожидается дата и время в формате ISO 8601, например 2025-03-01T00:00:00+03:00.")
    if message := dates.out_of_range(moment):
        raise Open311Error(f"{name}: {message}")
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


def _positive_int(name: str, value: str | None, default: int, maximum: int) -> int:
    if value in (None, ""):
        return default
    if not value.isdigit() or not 1 <= int(value) <= maximum:
        raise Open311Error(f"{name}: ожидается целое число от 1 до {maximum}.")
    return int(value)


def _request_pk(request_id: str) -> tuple[int | None, int]:
    match = REQUEST_ID_RE.match(request_id.strip())
    if not match or (match.group(1) and int(match.group(1)) < 1):
        raise Open311NotFound(f"Обращение {request_id} не найдено.")
    return (int(match.group(1)) if match.group(1) else None), int(match.group(2))


def _by_request_ids(request_ids: list[str]):
    query = Q(pk__in=[])
    for request_id in request_ids:
        year, pk = _request_pk(request_id)
        query |= Q(pk=pk, registered_at__year=year) if year else Q(pk=pk)
    return query


class NewRequestSerializer(serializers.Serializer):
    """Open311 POST requests.json (form or JSON). attribute[…], media_url, device_id are ignored."""

    service_code = TextField(max_length=100)
    description = TextField(max_length=20_000)
    lat = CoordinateField(required=False, allow_null=True, min_value=-90, max_value=90)
    long = CoordinateField(required=False, allow_null=True, min_value=-180, max_value=180)
    address_string = TextField(max_length=500, required=False, allow_blank=True, default="")
    address_id = TextField(max_length=100, required=False, allow_blank=True, default="")
    email = serializers.EmailField(max_length=254, required=False, allow_blank=True, default="")
    first_name = TextField(max_length=120, required=False, allow_blank=True, default="")
    last_name = TextField(max_length=120, required=False, allow_blank=True, default="")
    phone = TextField(max_length=32, required=False, allow_blank=True, default="")
    external_id = TextField(
        max_length=128, required=False, allow_blank=True, default="", help_text="Расширение ЦУР: ключ идемпотентности."
    )

    def validate_service_code(self, value):
        topic = Topic.objects.filter(code=value, is_active=True, sector_block__is_active=True).first()
        if topic is None:
            raise serializers.ValidationError(f"вид обращения «{value}» не найден (см. services.json).")
        return topic

    def validate(self, attrs):
        has_point = attrs.get("lat") is not None and attrs.get("long") is not None
        if (attrs.get("lat") is None) != (attrs.get("long") is None):
            raise serializers.ValidationError({"long": ["укажите обе координаты: lat и long."]})
        if not has_point and not attrs["address_string"] and not attrs["address_id"]:
            raise serializers.ValidationError(
                {"address_string": ["укажите место: lat и long, address_string или address_id."]}
            )
        return attrs

    def create(self, validated_data):
        raise NotImplementedError

    def update(self, instance, validated_data):
        raise NotImplementedError


LIST_PARAMETERS = [
    OpenApiParameter("service_request_id", OpenApiTypes.STR, description="Номера через запятую (отменяют прочие)"),
    OpenApiParameter("service_code", OpenApiTypes.STR, description="Коды видов обращений через запятую"),
    OpenApiParameter("status", OpenApiTypes.STR, description="open, closed или open,closed"),
    OpenApiParameter("start_date", OpenApiTypes.DATETIME, description="ISO 8601; по умолчанию — 90 дней назад"),
    OpenApiParameter("end_date", OpenApiTypes.DATETIME, description="ISO 8601; промежуток не больше 90 дней"),
    OpenApiParameter("page", OpenApiTypes.INT, description="Страница, с 1"),
    OpenApiParameter("page_size", OpenApiTypes.INT, description=f"До {MAX_REQUESTS}, по умолчанию {DEFAULT_PAGE_SIZE}"),
]


class RequestsView(Open311View):
    def get_authenticators(self):
        # Only creating needs a key; the reads are public, whatever api_key a client appends.
        if self.request is not None and self.request.method == "POST":
            return [Open311KeyAuthentication()]
        return []

    @extend_schema(
        operation_id="open311_requests_list",
        summary="Open311: обращения (публичные поля)",
        parameters=LIST_PARAMETERS,
        responses={
            status.HTTP_200_OK: ServiceRequestSerializer(many=True),
            status.HTTP_400_BAD_REQUEST: ERRORS,
        },
        tags=["open311"],
    )
    def get(self, request, *args, **kwargs):
        params = request.query_params
        if any("\x00" in value for _, values in params.lists() for value in values):
            raise Open311Error("Параметры содержат недопустимые символы.")
        qs = public_requests().order_by("-registered_at", "-id")
        request_ids = _split(params.get("service_request_id"))
        if request_ids:
            if len(request_ids) > MAX_REQUESTS:
                raise Open311Error(f"service_request_id: не больше {MAX_REQUESTS} номеров.")
            qs = qs.filter(_by_request_ids([r for r in request_ids if REQUEST_ID_RE.match(r)]))
            return Response([service_request(appeal) for appeal in qs[:MAX_REQUESTS]])
        qs = self._filter(qs, params)
        page = _positive_int("page", params.get("page"), 1, 10_000)
        page_size = _positive_int("page_size", params.get("page_size"), DEFAULT_PAGE_SIZE, MAX_REQUESTS)
        offset = (page - 1) * page_size
        return Response([service_request(appeal) for appeal in qs[offset : offset + page_size]])

    def _filter(self, qs, params):
        statuses = _split(params.get("status"))
        if any(s not in ("open", "closed") for s in statuses):
            raise Open311Error("status: допустимы значения open и closed.")
        if set(statuses) == {"closed"}:
            qs = qs.filter(status__in=CLOSED_STATUSES)
        elif set(statuses) == {"open"}:
            qs = qs.exclude(status__in=CLOSED_STATUSES)
        codes = _split(params.get("service_code"))
        if codes:
            qs = qs.filter(topic__code__in=codes[:MAX_REQUESTS])
        start = _parse_moment("start_date", params["start_date"]) if params.get("start_date") else None
        end = _parse_moment("end_date", params["end_date"]) if params.get("end_date") else None
        if start is None and end is None:
            end = timezone.now()
        if start is None:
            start = end - MAX_SPAN
        if end is None:
            end = start + MAX_SPAN
        if start > end:
            raise Open311Error("start_date позже end_date.")
        if end - start > MAX_SPAN:
            raise Open311Error("Промежуток между start_date и end_date не может превышать 90 дней.")
        return qs.filter(registered_at__gte=start, registered_at__lte=end)

    @extend_schema(
        operation_id="open311_requests_create",
        summary="Open311: подать обращение (ключ источника канала «Сайт»)",
        request={
            "application/x-www-form-urlencoded": NewRequestSerializer,
            "application/json": NewRequestSerializer,
        },
        parameters=[OpenApiParameter("api_key", OpenApiTypes.STR, description="Ключ источника интеграции")],
        responses={
            status.HTTP_201_CREATED: CreatedRequestSerializer(many=True),
            status.HTTP_200_OK: CreatedRequestSerializer(many=True),
            status.HTTP_400_BAD_REQUEST: ERRORS,
            status.HTTP_403_FORBIDDEN: ERRORS,
        },
        tags=["open311"],
    )
    def post(self, request, *args, **kwargs):
        source = integration_source(request.user)
        if source is None:
            raise exceptions.PermissionDenied("Не указан ключ источника интеграции (api_key).")
        if source.channel != Appeal.Channel.WEB:
            raise exceptions.PermissionDenied(
                f"Источник «{source.name}» не может подавать обращения через Open311: нужен ключ канала «Сайт»."
            )
        if not hasattr(request.data, "get"):
            raise Open311Error("Ожидаются поля формы или JSON-объект.")
        serializer = NewRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        fields = {
            "topic": data["service_code"],
            "address": data["address_string"],
            "applicant_name": " ".join(p for p in (data["last_name"], data["first_name"]) if p),
            "applicant_phone": data["phone"],
            "applicant_email": data["email"],
        }
        if data.get("lat") is not None:
            fields.update(latitude=data["lat"], longitude=data["long"])
        appeal, created = services.register_appeal(
            channel=Appeal.Channel.WEB, text=data["description"], external_id=data["external_id"], by=None, **fields
        )
        notice = (
            f"Обращение № {appeal.number} зарегистрировано. Ответ будет дан в срок не более 30 календарных дней."
            if created
            else f"Обращение № {appeal.number} уже зарегистрировано."
        )
        return Response(
            [{"service_request_id": appeal.number, "service_notice": notice, "account_id": None}],
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


class RequestView(Open311View):
    @extend_schema(
        operation_id="open311_request",
        summary="Open311: обращение по номеру",
        responses={
            status.HTTP_200_OK: ServiceRequestSerializer(many=True),
            status.HTTP_404_NOT_FOUND: ERRORS,
        },
        tags=["open311"],
    )
    def get(self, request, request_id: str, *args, **kwargs):
        appeal = public_requests().filter(_by_request_ids([request_id])).first()
        if appeal is None:
            raise Open311NotFound(f"Обращение {request_id} не найдено.")
        return Response([service_request(appeal)])
