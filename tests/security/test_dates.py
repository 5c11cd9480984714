"""Dates from a user are checked against one range (cur.web.dates, issue 22): the exact requests of the
abuse run — days of year 1 and 9999 in filters, periods, exports and the API, a receipt in year 2 — are a
400 with the field or an error beside it on the page, never an overflow (500) or a truncated download,
and a date inside the range still works."""

import datetime
import importlib
import inspect
import pkgutil

import django_filters
import pytest
from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils import timezone
from rest_framework import serializers

from appeals.models import Appeal
from cur.roles import Role
from cur.web import dates
from heatmap import polls
from moderation.models import ModerationReport
from tests.appeals.factories import AppealFactory
from tests.informing.factories import CaseFactory, EventFactory

pytestmark = pytest.mark.django_db

FIRST_DAY, LAST_DAY = "0001-01-01", "9999-12-31"
OVERFLOWS = [{"registered_to": LAST_DAY}, {"registered_from": FIRST_DAY}]
RANGE_ERROR = "Дата должна быть не раньше 01.01.2000"


def yesterday() -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=1)


# --- the definition ----------------------------------------------------------------------------------------


def test_the_range_runs_from_2000_to_ten_years_ahead():
    today = timezone.localdate()

    assert dates.range_message().startswith(RANGE_ERROR)
    assert dates.out_of_range(datetime.date(2000, 1, 1)) is None
    assert dates.out_of_range(datetime.date(today.year + 10, 1, 1)) is None
    assert dates.out_of_range(datetime.date(1999, 12, 31)) == dates.range_message()
    assert dates.out_of_range(datetime.date(today.year + 11, 1, 1)) == dates.range_message()


@pytest.mark.parametrize(
    "moment",
    [
        datetime.datetime(1, 1, 1, tzinfo=datetime.timezone(datetime.timedelta(hours=14))),  # before year 1 in UTC
        datetime.datetime(9999, 12, 31, 23, tzinfo=datetime.timezone(datetime.timedelta(hours=-12))),  # after 9999
        datetime.datetime(2, 1, 1, tzinfo=datetime.UTC),
        datetime.datetime(1, 1, 1),  # noqa: DTZ001 — a naive one, as a form may see it
    ],
)
def test_a_moment_whose_zone_shift_overflows_is_out_of_range_not_an_error(moment):
    assert dates.out_of_range(moment) == dates.range_message()
    with pytest.raises(ValidationError):
        dates.validate_in_range(moment)


def test_from_a_leap_day_the_range_ends_on_28_february_ten_years_on(monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda: datetime.date(2028, 2, 29))

    assert dates.latest() == datetime.date(2038, 2, 28)


def test_a_period_is_in_order_and_not_longer_than_the_cap():
    day = datetime.date(2025, 1, 1)
    dates.validate_period(day, day + datetime.timedelta(days=dates.MAX_PERIOD_DAYS - 1))
    dates.validate_period(day, day + datetime.timedelta(days=5000), max_days=None)
    with pytest.raises(ValidationError, match="позже его конца"):
        dates.validate_period(day, day - datetime.timedelta(days=1))
    with pytest.raises(ValidationError, match="Период длиннее"):
        dates.validate_period(day, day + datetime.timedelta(days=dates.MAX_PERIOD_DAYS))


# Responses only (read-only viewsets and Open311's documented answer): they never parse a date from a user.
OUTPUT_ONLY = {
    "appeals.api.open311.ServiceRequestSerializer",
    "portal.api.PortalIndicatorValueSerializer",
    "portal.api.PortalReportSerializer",
    "portal.api.PortalRoadmapMeasureSerializer",
    "portal.api.PortalRoadmapSerializer",
    "ratings.api.RatingMethodologySerializer",
    "ratings.api.RatingRunDetailSerializer",
    "ratings.api.RatingRunSerializer",
}
APPS = ["appeals", "cur", "heatmap", "informing", "moderation", "portal", "ratings", "sectors"]


def _classes():
    for app in APPS:
        for info in pkgutil.walk_packages(importlib.import_module(app).__path__, f"{app}."):
            if any(part in info.name for part in (".migrations", ".demo", ".management", "settings")):
                continue
            module = importlib.import_module(info.name)
            for _, cls in inspect.getmembers(module, inspect.isclass):
                if cls.__module__ == module.__name__:
                    yield cls


def _date_inputs():
    """(where, field) of every date or date-time input of the apps' forms, filters and serializers."""
    for cls in _classes():
        where = f"{cls.__module__}.{cls.__qualname__}"
        if issubclass(cls, forms.BaseForm):
            for name, field in cls.base_fields.items():
                if isinstance(field, forms.DateField | forms.DateTimeField):
                    yield f"{where}.{name}", field.validators
        elif issubclass(cls, django_filters.FilterSet):
            for name, filter_ in cls.base_filters.items():
                if issubclass(filter_.field_class, forms.DateField | forms.DateTimeField):
                    yield f"{where}.{name}", filter_.field.validators
        elif issubclass(cls, serializers.Serializer) and where not in OUTPUT_ONLY:
            if issubclass(cls, serializers.ModelSerializer) and not hasattr(cls, "Meta"):
                continue  # a base class
            for name, field in cls(context={}).get_fields().items():
                if isinstance(field, serializers.DateField | serializers.DateTimeField) and not field.read_only:
                    yield f"{where}.{name}", field.validators


def test_every_date_input_of_the_apps_checks_the_shared_range():
    inputs = list(_date_inputs())
    unchecked = [where for where, validators in inputs if dates.validate_in_range not in validators]

    assert len(inputs) > 40  # the walk found the forms, filters and serializers
    assert unchecked == []


def _admin_date_inputs(request):
    for model_admin in admin.site._registry.values():
        inlines = model_admin.get_inline_instances(request)
        editable = model_admin.has_add_permission(request) or model_admin.has_change_permission(request)
        forms_ = [(model_admin, model_admin.get_form(request, None), editable)]
        forms_ += [
            (inline, inline.get_formset(request, None).form,
             inline.has_add_permission(request, None) or inline.has_change_permission(request, None))
            for inline in inlines
        ]  # fmt: skip
        for owner, form, editable in forms_:
            if not editable:
                continue
            readonly = set(owner.get_readonly_fields(request, None))
            for name, field in form.base_fields.items():
                if name not in readonly and isinstance(field, forms.DateField | forms.SplitDateTimeField):
                    yield f"{type(owner).__module__}.{type(owner).__name__}.{name}", field.validators


@pytest.mark.filterwarnings("ignore::django.utils.deprecation.RemovedInDjango60Warning")  # URLFields' scheme
def test_every_date_the_admin_edits_checks_the_shared_range(rf, admin_user):
    request = rf.get("/admin/")
    request.user = admin_user
    inputs = list(_admin_date_inputs(request))

    assert inputs  # the directory's appointments, the portal's plans …
    assert [where for where, validators in inputs if dates.validate_in_range not in validators] == []


# --- appeals: the API, the lists and their exports ------------------------------------------------------


@pytest.fixture
def appeal(db):
    return AppealFactory(text="Яма на дороге у дома 3")


@pytest.mark.parametrize("params", OVERFLOWS)
def test_the_appeal_api_refuses_a_day_out_of_range_with_the_field(params, appeal, operator, api_client_for):
    response = api_client_for(operator).get("/api/v1/appeals/", params)

    assert response.status_code == 400
    [(field, [message])] = response.json().items()
    assert field in params and RANGE_ERROR in message


def test_the_appeal_api_still_filters_by_a_day_in_range(appeal, operator, api_client_for):
    day = timezone.localtime(appeal.registered_at).date().isoformat()
    response = api_client_for(operator).get("/api/v1/appeals/", {"registered_from": day, "registered_to": day})

    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [appeal.pk]


@pytest.mark.parametrize("params", OVERFLOWS)
@pytest.mark.parametrize("path", ["/appeals/list/", "/appeals/queue/"])
def test_an_appeal_list_shows_a_day_out_of_range_beside_its_field(path, params, appeal, operator, client_for):
    response = client_for(operator).get(path, params)

    assert response.status_code == 200
    [field] = params
    assert RANGE_ERROR in response.context["filter"].form.errors[field][0]
    assert RANGE_ERROR in response.content.decode()


@pytest.mark.parametrize("params", OVERFLOWS)
@pytest.mark.parametrize("path", ["/appeals/export.xlsx", "/appeals/export.csv"])
def test_an_export_refuses_a_day_out_of_range_before_its_first_byte(path, params, appeal, operator, client_for):
    response = client_for(operator).get(path, params)

    assert response.status_code == 400
    assert not response.streaming
    assert RANGE_ERROR in response.content.decode()


@pytest.mark.parametrize("path", ["/appeals/export.xlsx", "/appeals/export.csv"])
def test_an_export_of_a_day_in_range_is_whole(path, appeal, operator, client_for):
    day = timezone.localtime(appeal.registered_at).strftime("%d.%m.%Y")
    response = client_for(operator).get(path, {"registered_from": day, "registered_to": day})

    assert response.status_code == 200
    body = b"".join(response.streaming_content) if response.streaming else response.content
    if path.endswith(".csv"):
        assert "Яма на дороге у дома 3" in body.decode("utf-8-sig")
    else:
        assert body[:2] == b"PK"


def test_the_api_refuses_a_receipt_in_year_2_with_a_field_error(operator, api_client_for):
    payload = {"channel": "pos", "external_id": "y2", "text": "Не горят фонари", "received_at": "0002-01-01T00:00:00Z"}
    response = api_client_for(operator).post("/api/v1/appeals/", payload, format="json")

    assert response.status_code == 400
    assert RANGE_ERROR in response.json()["received_at"][0]
    assert not Appeal.objects.filter(external_id="y2").exists()


def test_a_receipt_shifted_past_9999_by_its_zone_is_a_field_error(operator, api_client_for):
    payload = {"channel": "pos", "text": "Не горят фонари", "received_at": "9999-12-31T23:00:00-12:00"}
    response = api_client_for(operator).post("/api/v1/appeals/", payload, format="json")

    assert response.status_code == 400 and "received_at" in response.json()


def test_the_api_still_takes_a_receipt_of_yesterday(operator, api_client_for):
    received = f"{yesterday().isoformat()}T10:00:00+03:00"
    payload = {"channel": "pos", "external_id": "ok-1", "text": "Не горят фонари", "received_at": received}
    response = api_client_for(operator).post("/api/v1/appeals/", payload, format="json")

    assert response.status_code == 201
    assert response.json()["received_at"].startswith(yesterday().isoformat())


def test_open311_refuses_a_start_date_of_year_1(client):
    response = client.get("/open311/v2/requests.json", {"start_date": "0001-01-01T00:00:00Z"})

    assert response.status_code == 400
    assert RANGE_ERROR in response.content.decode()


# --- heat map pages, priorities, dashboards and their exports ----------------------------------------------


CUSTOM_YEAR_1 = {"period": "custom", "since": FIRST_DAY, "until": FIRST_DAY}
HEATMAP_PAGES = [
    (Role.CURATOR, "/heatmap/map/"),
    (Role.CURATOR, "/heatmap/priorities/"),
    (Role.CURATOR, "/heatmap/dashboard/region/"),
    (Role.BLOCK_HEAD, "/heatmap/dashboard/block/"),
]


@pytest.mark.parametrize(("role", "path"), HEATMAP_PAGES)
def test_a_heat_map_page_shows_a_day_of_year_1_beside_its_field(role, path, make_user, client_for):
    response = client_for(make_user(role)).get(path, CUSTOM_YEAR_1)

    assert response.status_code == 200
    assert RANGE_ERROR in response.context["form"].errors["since"][0]
    assert RANGE_ERROR in response.content.decode()


@pytest.mark.parametrize(("role", "path"), HEATMAP_PAGES)
def test_a_heat_map_page_counts_a_period_in_range(role, path, make_user, client_for):
    since, until = yesterday() - datetime.timedelta(days=6), yesterday()
    params = {"period": "custom", "since": f"{since:%d.%m.%Y}", "until": f"{until:%d.%m.%Y}"}
    response = client_for(make_user(role)).get(path, params)

    assert response.status_code == 200
    assert not response.context["form"].errors
    assert f"{since:%d.%m.%Y} — {until:%d.%m.%Y}" in response.content.decode()


@pytest.mark.parametrize("path", ["/heatmap/priorities.csv", "/heatmap/priorities.xlsx"])
def test_a_priorities_export_of_year_1_counts_the_default_period(path, make_user, client_for):
    # The heat map's filters never fail (heatmap/forms.py): a bad day leaves the default period, named
    # in the file name — a file, not an overflow.
    response = client_for(make_user(Role.CURATOR)).get(path, CUSTOM_YEAR_1)

    assert response.status_code == 200
    default_since = timezone.localdate() - datetime.timedelta(days=89)
    assert f"prioritety-oprosov-{default_since:%Y%m%d}-" in response["Content-Disposition"]


def test_a_custom_period_longer_than_the_cap_is_clamped(make_user, client_for):
    params = {"period": "custom", "since": "01.01.2000", "until": f"{yesterday():%d.%m.%Y}"}
    response = client_for(make_user(Role.CURATOR)).get("/heatmap/map/", params)

    assert response.status_code == 200
    query = response.context["query"]
    assert query.until == yesterday() and query.days == dates.MAX_PERIOD_DAYS


# --- the personal-data access log and its CSV --------------------------------------------------------------


AUDIT_OVERFLOW = {"since": FIRST_DAY, "until": LAST_DAY}


def test_the_access_log_shows_days_out_of_range_beside_their_fields(admin_user, client_for):
    response = client_for(admin_user).get("/audit/personal-data/", AUDIT_OVERFLOW)

    assert response.status_code == 200
    errors = response.context["filter_form"].errors
    assert RANGE_ERROR in errors["since"][0] and RANGE_ERROR in errors["until"][0]


def test_the_access_log_csv_refuses_days_out_of_range_before_its_first_byte(admin_user, client_for):
    response = client_for(admin_user).get("/audit/personal-data/export.csv", AUDIT_OVERFLOW)

    assert response.status_code == 400
    assert not response.streaming
    assert RANGE_ERROR in response.content.decode()


def test_the_access_log_and_its_csv_take_days_in_range(admin_user, client_for):
    client = client_for(admin_user)
    params = {"since": "01.01.2000", "until": f"{timezone.localdate():%d.%m.%Y}"}

    assert client.get("/audit/personal-data/", params).status_code == 200
    response = client.get("/audit/personal-data/export.csv", params)
    assert response.status_code == 200
    assert b"".join(response.streaming_content).decode("utf-8-sig").startswith("Время")


# --- moderation reports ---------------------------------------------------------------------------------------


@pytest.fixture
def moderator(make_user):
    return make_user(Role.MODERATOR)


def test_a_report_of_a_day_in_9999_is_a_field_error(moderator, api_client_for):
    response = api_client_for(moderator).post(
        "/api/v1/moderation-reports/build/", {"period_kind": "month", "day": LAST_DAY}, format="json"
    )

    assert response.status_code == 400
    assert RANGE_ERROR in response.json()["day"][0]
    assert not ModerationReport.objects.exists()


def test_a_report_of_yesterday_is_built(moderator, api_client_for):
    response = api_client_for(moderator).post(
        "/api/v1/moderation-reports/build/", {"period_kind": "day", "day": yesterday().isoformat()}, format="json"
    )

    assert response.status_code == 201
    assert response.json()["period_start"] == yesterday().isoformat()


def test_the_report_page_refuses_a_day_in_9999_beside_its_field(moderator, client_for):
    response = client_for(moderator).post(
        "/moderation/reports/build/", {"period_kind": "month", "day": "31.12.9999"}, follow=True
    )

    assert response.status_code == 200
    assert RANGE_ERROR in response.content.decode()
    assert not ModerationReport.objects.exists()


# --- ИНФОЦУР: disinformation and audience -------------------------------------------------------------------


def test_a_disinformation_case_detected_in_1727_is_a_field_error(moderator, api_client_for):
    payload = {"title": "Слух", "claim": "Воду отключат на месяц", "detected_at": "1727-05-01T12:00:00Z"}
    response = api_client_for(moderator).post("/api/v1/disinformation-cases/", payload, format="json")

    assert response.status_code == 400
    assert RANGE_ERROR in response.json()["detected_at"][0]


def test_a_disinformation_case_detected_yesterday_is_registered(moderator, api_client_for):
    payload = {"title": "Слух", "claim": "Воду отключат", "detected_at": f"{yesterday().isoformat()}T12:00:00+03:00"}
    response = api_client_for(moderator).post("/api/v1/disinformation-cases/", payload, format="json")

    assert response.status_code == 201


def test_an_audience_measured_in_264_is_a_field_error(moderator, api_client_for):
    event = EventFactory()
    response = api_client_for(moderator).post(
        f"/api/v1/information-events/{event.pk}/audience/",
        {"measured_at": "0264-03-01T10:00:00Z", "reach": 100},
        format="json",
    )

    assert response.status_code == 400
    assert RANGE_ERROR in response.json()["measured_at"][0]
    assert not event.audience.exists()


def test_a_spread_found_in_year_2_is_a_field_error(moderator, api_client_for):
    case = CaseFactory()
    response = api_client_for(moderator).post(
        f"/api/v1/disinformation-cases/{case.pk}/spread/",
        {"network": "vk", "url": "https://vk.com/wall1", "found_at": "0002-01-01T00:00:00Z"},
        format="json",
    )

    assert response.status_code == 400 and "found_at" in response.json()


# --- directory and ratings --------------------------------------------------------------------------------------


def test_a_rating_year_beyond_the_range_is_a_filter_error(operator, api_client_for):
    response = api_client_for(operator).get("/api/v1/ratings/", {"year": "9999"})

    assert response.status_code == 400 and "year" in response.json()


# --- imported rows ------------------------------------------------------------------------------------------


def test_a_poll_held_in_year_1_is_a_row_error_and_one_of_last_year_is_a_row():
    text = "вид;название;дата;территория;тема\nопрос;Дворы;01.01.0001;р1;t1\nопрос;Дороги;15.03.2025;р1;t1\n"
    rows, errors = polls.parse(text, territories={"р1": 1}, topics={"t1": 1})

    assert [row.title for row in rows] == ["Дороги"]
    assert [error["line"] for error in errors] == [2] and RANGE_ERROR in errors[0]["error"]


@pytest.mark.parametrize("value", ["0001-01-01T00:00:00+05:00", "31.12.9999 23:00", "1999-12-31"])
def test_a_moderation_message_posted_out_of_range_is_an_item_error(value, moderator, api_client_for):
    item = {"network": "vk", "text": "Когда починят лифт?", "posted_at": value}
    response = api_client_for(moderator).post("/api/v1/moderation-messages/batch/", {"items": [item]}, format="json")

    [result] = response.json()["results"]
    assert result["status"] == "error" and RANGE_ERROR in result["errors"]["posted_at"]
