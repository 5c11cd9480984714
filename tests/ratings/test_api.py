"""The ratings API: the competence center reads ratings with a token and nothing else; conditional GET
(ETag, Last-Modified → 304); the per-token rate limit; filters; garbage is a 4xx, never a 500."""

import pytest
from django.core.cache import cache
from django.test import override_settings
from django.utils.http import http_date
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from cur.roles import Role
from ratings import periods
from ratings.models import Level, RatingRun

from .helpers import make_run

pytestmark = pytest.mark.django_db
OCT, SEP = periods.month(2025, 10), periods.month(2025, 9)


@pytest.fixture(autouse=True)
def _fresh_throttle():
    cache.clear()  # the rate limit's history lives in the cache
    yield
    cache.clear()


@pytest.fixture
def runs(db, v1):
    september = make_run(Level.ORGANISATION, SEP, [(1, "А", 1, "90", {}, {}), (2, "Б", 2, "50", {}, {})])
    october = make_run(Level.ORGANISATION, OCT, [(i, f"Орг {i:03d}", i, "50", {}, {}) for i in range(1, 131)])
    blocks = make_run(Level.SECTOR_BLOCK, OCT, [(5, "Здравоохранение", 1, "77", {}, {"code": "health", "persons": []})])
    return september, october, blocks


@pytest.fixture
def cc_api(competence_center):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=competence_center).key}")
    return api


def test_the_competence_center_reads_ratings_with_its_token_and_nothing_else(runs, cc_api):
    _, october, _ = runs
    assert cc_api.get("/api/v1/ratings/").status_code == 200
    assert cc_api.get(f"/api/v1/ratings/{october.pk}/").status_code == 200
    assert cc_api.get("/api/v1/ratings/latest/", {"level": "organisation"}).status_code == 200
    assert cc_api.get("/api/v1/rating-methodologies/").status_code == 200
    assert cc_api.get("/api/v1/rating-methodologies/1/").status_code == 200
    assert cc_api.get("/api/v1/appeals/").status_code == 403
    assert cc_api.post("/api/v1/ratings/", {}, format="json").status_code == 403
    assert cc_api.delete(f"/api/v1/ratings/{october.pk}/").status_code == 403


@pytest.mark.parametrize("role", list(Role))
def test_every_role_reads_the_ratings_api(role, runs, make_user, api_client_for):
    assert api_client_for(make_user(role)).get("/api/v1/ratings/").status_code == 200


def test_without_credentials_there_is_no_access(runs):
    assert APIClient().get("/api/v1/ratings/").status_code in (401, 403)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION="Token not-a-token")
    assert api.get("/api/v1/ratings/").status_code in (401, 403)  # DRF: 403 when session auth comes first


def test_a_run_comes_with_its_entries_a_page_at_a_time(runs, cc_api):
    _, october, _ = runs
    body = cc_api.get(f"/api/v1/ratings/{october.pk}/").json()

    assert body["period_label"] == "октябрь 2025" and body["methodology_version"] == 1
    assert body["entries"]["count"] == 130 and len(body["entries"]["results"]) == 100
    first = body["entries"]["results"][0]
    assert (first["subject_name"], first["rank"], first["score"]) == ("Орг 001", 1, 50.0)
    second = cc_api.get(body["entries"]["next"]).json()["entries"]["results"]
    assert len(second) == 30
    assert len(cc_api.get(f"/api/v1/ratings/{october.pk}/", {"page_size": 10}).json()["entries"]["results"]) == 10


def test_latest_is_the_newest_run_of_the_level(runs, cc_api):
    september, october, blocks = runs
    assert cc_api.get("/api/v1/ratings/latest/", {"level": "organisation"}).json()["id"] == october.pk
    body = cc_api.get("/api/v1/ratings/latest/", {"level": "sector_block"}).json()
    assert body["id"] == blocks.pk and body["entries"]["results"][0]["subject"]["code"] == "health"
    assert cc_api.get("/api/v1/ratings/latest/", {"level": "municipality"}).status_code == 404


@pytest.mark.parametrize(
    ("query", "expected"),
    [({"level": "organisation"}, {"sep", "oct"}), ({"level": "sector_block"}, {"blocks"}),
     ({"period": "2025-10"}, {"oct", "blocks"}), ({"period": "2025-Q4"}, set()),
     ({"year": "2025"}, {"sep", "oct", "blocks"}),
     ({"period_kind": "month", "level": "organisation", "period": "2025-09"}, {"sep"}),
     ({"methodology_version": "1"}, {"sep", "oct", "blocks"}), ({"methodology_version": "2"}, set())],
)  # fmt: skip
def test_runs_filter_by_level_period_and_methodology(runs, cc_api, query, expected):
    ids = {"sep": runs[0].pk, "oct": runs[1].pk, "blocks": runs[2].pk}
    found = {run["id"] for run in cc_api.get("/api/v1/ratings/", query).json()["results"]}
    assert found == {ids[name] for name in expected}


def test_a_pending_run_is_not_published(runs, cc_api, v1):
    pending = RatingRun.objects.create(level=Level.ORGANISATION, period_kind="month", period_start=OCT.start,
                                       period_end=OCT.end, methodology=v1)  # fmt: skip
    assert cc_api.get(f"/api/v1/ratings/{pending.pk}/").status_code == 404
    assert pending.pk not in {r["id"] for r in cc_api.get("/api/v1/ratings/").json()["results"]}


@pytest.mark.parametrize(
    ("url", "query", "status"),
    [("/api/v1/ratings/", {"period": "2025-13"}, 400), ("/api/v1/ratings/", {"period": "\x00"}, 400),
     ("/api/v1/ratings/", {"year": "2025.5"}, 400), ("/api/v1/ratings/", {"level": "планета"}, 400),
     ("/api/v1/ratings/", {"methodology_version": "99999999999999999999"}, 400),
     ("/api/v1/ratings/", {"page": "999"}, 404), ("/api/v1/ratings/latest/", {}, 400),
     ("/api/v1/ratings/latest/", {"level": "organisation", "period_kind": "век"}, 400),
     ("/api/v1/ratings/99999999999999999999999/", {}, 404), ("/api/v1/ratings/abc/", {}, 404),
     ("/api/v1/ratings/latest/", {"level": "organisation", "page": "abc"}, 404),
     ("/api/v1/ratings/latest/", {"level": "organisation", "page_size": "-5"}, 200),
     ("/api/v1/rating-methodologies/99999999999999999999/", {}, 404)],
)  # fmt: skip
def test_garbage_is_a_client_error_never_a_500(runs, cc_api, url, query, status):
    assert cc_api.get(url, query).status_code == status


# --- conditional GET ---------------------------------------------------------------------------------


def test_a_poller_downloads_a_run_once_then_gets_304(runs, cc_api):
    _, october, _ = runs
    url = f"/api/v1/ratings/{october.pk}/"
    first = cc_api.get(url)
    assert first["ETag"] and first["Last-Modified"] == http_date(int(october.computed_at.timestamp()))

    again = cc_api.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304 and again.content == b"" and again["ETag"] == first["ETag"]
    assert cc_api.get(url, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"]).status_code == 304
    assert cc_api.get(url, HTTP_IF_NONE_MATCH='"something-else"').status_code == 200
    # Another page of entries is another representation.
    assert cc_api.get(url, {"page": 2})["ETag"] != first["ETag"]


def test_latest_and_the_list_change_their_etag_when_a_new_run_is_computed(runs, cc_api):
    latest, listing = cc_api.get("/api/v1/ratings/latest/?level=organisation"), cc_api.get("/api/v1/ratings/")
    assert cc_api.get("/api/v1/ratings/", HTTP_IF_NONE_MATCH=listing["ETag"]).status_code == 304

    make_run(Level.ORGANISATION, periods.month(2025, 11), [(1, "А", 1, "60", {}, {})])

    assert (
        cc_api.get("/api/v1/ratings/latest/?level=organisation", HTTP_IF_NONE_MATCH=latest["ETag"]).status_code == 200
    )
    assert cc_api.get("/api/v1/ratings/", HTTP_IF_NONE_MATCH=listing["ETag"]).status_code == 200


def test_methodologies_answer_304_too(runs, cc_api):
    first = cc_api.get("/api/v1/rating-methodologies/1/")
    assert first.json()["indicators"][1]["code"] == "on_time"
    assert "не просрочено" in first.json()["indicators"][1]["definition"]
    assert cc_api.get("/api/v1/rating-methodologies/1/", HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304


# --- rate limit ------------------------------------------------------------------------------------------


def test_each_token_has_its_own_rate_limit(runs, cc_api, make_user):
    other = APIClient()
    other.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=make_user(Role.OPERATOR)).key}")
    with override_settings(REST_FRAMEWORK={**_rest_framework(), "DEFAULT_THROTTLE_RATES": {"ratings": "3/min"}}):
        assert [cc_api.get("/api/v1/ratings/").status_code for _ in range(4)] == [200, 200, 200, 429]
        assert other.get("/api/v1/ratings/").status_code == 200


def test_the_default_limit_is_generous_for_a_poller(runs, cc_api):
    assert all(cc_api.get("/api/v1/ratings/").status_code == 200 for _ in range(30))


def _rest_framework() -> dict:
    from django.conf import settings

    return dict(settings.REST_FRAMEWORK)


# --- documentation -----------------------------------------------------------------------------------


def test_the_schema_documents_the_ratings_api_with_examples(operator, client_for):
    schema = client_for(operator).get("/api/schema/", {"format": "json"}).json()

    for path in ("/api/v1/ratings/", "/api/v1/ratings/{id}/", "/api/v1/ratings/latest/",
                 "/api/v1/rating-methodologies/", "/api/v1/rating-methodologies/{version}/"):  # fmt: skip
        assert set(schema["paths"][path]) == {"get"}, path
        content = schema["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]
        assert content.get("examples"), path
    params = {p["name"] for p in schema["paths"]["/api/v1/ratings/"]["get"]["parameters"]}
    assert {"level", "period", "period_kind", "year", "methodology_version"} <= params


def test_the_fast_entry_output_is_what_the_documented_serializer_gives(runs):
    from ratings.api import RatingEntrySerializer, entry_data

    for entry in runs[2].entries.all():
        assert entry_data(entry) == RatingEntrySerializer(entry).data
