"""Open311 GeoReport v2 (JSON): services are our topics; a web source's key creates appeals;
anyone reads requests with public fields only — never the applicant."""

import datetime
import json

import pytest
from django.core.cache import cache
from django.utils import timezone
from rest_framework.test import APIClient

from appeals.models import Appeal, Topic
from sectors.models import SectorBlock

from .factories import AppealFactory, appeal_in, integration_source

S = Appeal.Status
BASE = "/open311/v2"
FORM = "application/x-www-form-urlencoded"
SERVICE_REQUEST_FIELDS = {
    "service_request_id", "status", "status_notes", "service_name", "service_code", "description",
    "agency_responsible", "service_notice", "requested_datetime", "updated_datetime", "expected_datetime",
    "address", "address_id", "zipcode", "lat", "long", "media_url",
}  # fmt: skip


@pytest.fixture(autouse=True)
def fresh_throttle():
    # The anonymous rate limit lives in the cache; each test starts with a clean count.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def web_key(db):
    return integration_source("Городской портал", Appeal.Channel.WEB)[1]


@pytest.fixture
def anon():
    return APIClient()


def new_request(**overrides) -> dict:
    return {
        "service_code": "yamy-vo-dvorah",
        "description": "Во дворе дома 7 на ул. Гагарина глубокая яма, машины не проехать.",
        "lat": "54.6269",
        "long": "39.6916",
        "address_string": "г. Рязань, ул. Гагарина, д. 7",
        "email": "ivanov@example.ru",
        "first_name": "Иван",
        "last_name": "Иванов",
        "phone": "+7 912 345-67-89",
        "attribute[WHISPER]": "игнорируется",
        **overrides,
    }


def post_form(api, data, **params):
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return api.post(f"{BASE}/requests.json" + (f"?{query}" if query else ""), data)


# --- services.json --------------------------------------------------------------------------------------


def test_services_are_our_active_topics_grouped_by_sector_block(anon, db):
    Topic.objects.filter(code="bezhentsy").update(is_active=False)

    response = anon.get(f"{BASE}/services.json")

    assert response.status_code == 200
    services = {s["service_code"]: s for s in response.json()}
    assert len(services) == Topic.objects.filter(is_active=True).count()
    assert "bezhentsy" not in services
    pothole = services["yamy-vo-dvorah"]
    assert pothole["service_name"] == Topic.objects.get(code="yamy-vo-dvorah").name
    assert pothole["group"] == SectorBlock.objects.get(code="public_spaces").name
    assert (pothole["type"], pothole["metadata"]) == ("realtime", False)
    assert pothole["description"] and pothole["keywords"]


# --- POST requests.json ---------------------------------------------------------------------------------


def test_a_web_source_creates_an_appeal_with_a_form_post(anon, web_key):
    response = post_form(anon, {**new_request(), "api_key": web_key})

    assert response.status_code == 201, response.content
    [created] = response.json()
    appeal = Appeal.objects.get()
    assert created["service_request_id"] == appeal.number and created["account_id"] is None
    assert appeal.number in created["service_notice"]
    assert (appeal.channel, appeal.topic.code, appeal.sector_block.code) == ("web", "yamy-vo-dvorah", "public_spaces")
    assert appeal.applicant_name == "Иванов Иван" and appeal.applicant_email == "ivanov@example.ru"
    assert appeal.applicant_phone == "+7 912 345-67-89"
    assert (str(appeal.latitude), str(appeal.longitude)) == ("54.626900", "39.691600")
    assert appeal.address == "г. Рязань, ул. Гагарина, д. 7"


def test_the_key_may_come_in_the_query_string_or_the_header_and_the_body_may_be_json(anon, web_key):
    assert post_form(anon, new_request(), api_key=web_key).status_code == 201
    anon.credentials(HTTP_AUTHORIZATION=f"Integration {web_key}")
    response = anon.post(f"{BASE}/requests.json", json.dumps(new_request(lat=54.6, long=39.7)),
                         content_type="application/json")  # fmt: skip
    assert response.status_code == 201, response.content
    assert Appeal.objects.count() == 2


def test_an_external_id_makes_a_retry_idempotent(anon, web_key):
    first = post_form(anon, {**new_request(external_id="portal-77"), "api_key": web_key})
    second = post_form(anon, {**new_request(external_id="portal-77"), "api_key": web_key})

    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json()[0]["service_request_id"] == second.json()[0]["service_request_id"]
    assert Appeal.objects.count() == 1


@pytest.mark.parametrize("api_key", [None, "", "неверный", "x" * 1000])
def test_without_a_valid_key_posting_is_a_403_in_the_spec_format(anon, web_key, api_key):
    data = new_request() if api_key is None else {**new_request(), "api_key": api_key}

    response = post_form(anon, data)

    assert response.status_code == 403
    [error] = response.json()
    assert error["code"] == 403 and error["description"]
    assert not Appeal.objects.exists()


def test_a_key_of_another_channel_cannot_post_through_open311(anon, db):
    _, pos_key = integration_source("Портал ПОС", Appeal.Channel.POS)

    response = post_form(anon, {**new_request(), "api_key": pos_key})

    assert response.status_code == 403
    assert "канала «Сайт»" in response.json()[0]["description"]


@pytest.mark.parametrize(
    ("overrides", "fragment"),
    [
        ({"service_code": ""}, "service_code"),
        ({"service_code": "net-takogo"}, "не найден"),
        ({"description": ""}, "description"),
        ({"lat": "", "long": "", "address_string": ""}, "укажите место"),
        ({"lat": "54.6", "long": ""}, "обе координаты"),
        ({"lat": "север", "long": "39"}, "lat"),
        ({"lat": "95", "long": "39"}, "lat"),
        ({"email": "не-почта"}, "email"),
        ({"description": "яма\x00"}, "description"),
        ({"phone": "1" * 40}, "phone"),
    ],
)
def test_bad_requests_are_a_400_listing_the_problems(anon, web_key, overrides, fragment):
    response = post_form(anon, {**new_request(**overrides), "api_key": web_key})

    assert response.status_code == 400, response.content
    errors = response.json()
    assert all(e["code"] == 400 for e in errors)
    assert fragment in " ".join(e["description"] for e in errors)
    assert not Appeal.objects.exists()


@pytest.mark.parametrize(
    ("body", "content_type"),
    [("{", "application/json"), ("[1,2]", "application/json"), ("null", "application/json"), ("%%%", FORM)],
)
def test_garbage_posts_are_never_a_server_error(anon, web_key, body, content_type):
    response = anon.generic("POST", f"{BASE}/requests.json?api_key={web_key}", body, content_type=content_type)

    assert 400 <= response.status_code < 500
    assert isinstance(response.json(), list)


# --- GET requests.json ----------------------------------------------------------------------------------


@pytest.fixture
def published(db):
    """A web appeal answered by an organisation, a letter in work, an old web appeal."""
    from tests.factories import OrganisationFactory

    organisation = OrganisationFactory(name="Управление благоустройства", short_name="УБ г. Рязани")
    web = appeal_in(S.ANSWERED, organisation=organisation, channel="web", latitude="54.600000",
                    longitude="39.700000", text="Яма у подъезда.")  # fmt: skip
    letter = appeal_in(S.IN_PROGRESS, organisation=organisation, channel="letter",
                       text="Я, Смирнов Пётр, проживаю по адресу ул. Есенина, 1, кв. 2.")  # fmt: skip
    old = AppealFactory(channel="web", registered_at=timezone.now() - datetime.timedelta(days=120))
    return {"web": web, "letter": letter, "old": old, "organisation": organisation}


def get_requests(api, **params):
    response = api.get(f"{BASE}/requests.json", params)
    assert response.status_code == 200, response.content
    return response.json()


def test_requests_are_public_and_show_only_public_fields(anon, published):
    rows = {row["service_request_id"]: row for row in get_requests(anon)}

    assert set(rows) == {published["web"].number, published["letter"].number}  # the last 90 days
    web = rows[published["web"].number]
    assert set(web) == SERVICE_REQUEST_FIELDS
    assert web["status"] == "closed" and web["status_notes"] == "Мусор вывезен, график вывоза восстановлен."
    assert web["description"] == "Яма у подъезда." and web["agency_responsible"] == "УБ г. Рязани"
    assert web["service_code"] == "uborka-vyvoz-musora" and web["service_notice"] == "дан ответ"
    assert (web["lat"], web["long"]) == (54.6, 39.7)
    assert web["expected_datetime"] == timezone.localtime(published["web"].due_at).isoformat(timespec="seconds")
    letter = rows[published["letter"].number]
    assert letter["status"] == "open" and letter["status_notes"] is None
    assert letter["description"] is None  # a letter's text may name its author


def test_no_personal_data_leaves_through_open311(anon, published):
    body = json.dumps(get_requests(anon), ensure_ascii=False)
    single = anon.get(f"{BASE}/requests/{published['letter'].number}.json").content.decode()

    for secret in ("Смирнов", "+7 910 123-45-67", "smirnov@example.ru", "Есенина"):
        assert secret not in body and secret not in single


def test_requests_are_filtered_by_status_service_and_dates(anon, published):
    web, letter, old = published["web"], published["letter"], published["old"]

    def numbers(**params):
        return {row["service_request_id"] for row in get_requests(anon, **params)}

    assert numbers(status="open") == {letter.number}
    assert numbers(status="closed") == {web.number}
    assert numbers(status="open,closed") == {web.number, letter.number}
    assert numbers(service_code="uborka-vyvoz-musora,yamy-vo-dvorah") == {web.number, letter.number}
    assert numbers(service_code="yamy-vo-dvorah") == set()
    since = (timezone.now() - datetime.timedelta(days=130)).isoformat()
    until = (timezone.now() - datetime.timedelta(days=100)).isoformat()
    assert numbers(start_date=since, end_date=until) == {old.number}
    assert numbers(start_date=since) == {old.number}  # 90 days from the start
    assert numbers(service_request_id=f"{old.number},{web.pk}") == {old.number, web.number}


def test_requests_are_paged_newest_first(anon, db):
    appeals = [AppealFactory(channel="web") for _ in range(5)]
    newest_first = [a.number for a in sorted(appeals, key=lambda a: (a.registered_at, a.pk), reverse=True)]

    first = get_requests(anon, page_size=2)
    third = get_requests(anon, page_size=2, page=3)

    assert [r["service_request_id"] for r in first] == newest_first[:2]
    assert [r["service_request_id"] for r in third] == newest_first[4:]


@pytest.mark.parametrize(
    "params",
    [
        {"status": "pending"},
        {"start_date": "вчера"},
        {"start_date": "2025-13-45"},
        {"start_date": "2025-01-01T00:00:00Z", "end_date": "2025-06-01T00:00:00Z"},  # more than 90 days
        {"start_date": "2025-06-01", "end_date": "2025-01-01"},
        {"end_date": "0001-01-01"},
        {"start_date": "9999-12-31T23:59:59"},
        {"page": "0"},
        {"page_size": "1001"},
        {"page": "x"},
        {"service_code": "\x00"},
    ],
)
def test_bad_list_parameters_are_a_400_in_the_spec_format(anon, db, params):
    response = anon.get(f"{BASE}/requests.json", params)

    assert response.status_code == 400, response.content
    assert response.json()[0]["code"] == 400


def test_a_key_is_not_needed_to_read_and_a_wrong_one_does_not_hurt(anon, published):
    response = anon.get(f"{BASE}/requests.json", {"api_key": "неверный"})

    assert response.status_code == 200


def test_the_request_list_has_a_fixed_number_of_queries(anon, db, django_assert_num_queries):
    from tests.factories import OrganisationFactory

    for _ in range(3):
        appeal_in(S.ASSIGNED, organisation=OrganisationFactory(), channel="web")
    with django_assert_num_queries(1):
        assert len(get_requests(anon)) == 3
    for _ in range(27):
        appeal_in(S.ASSIGNED, organisation=OrganisationFactory(), channel="web")
    with django_assert_num_queries(1):
        assert len(get_requests(anon)) == 30


# --- GET requests/{id}.json -------------------------------------------------------------------------------


def test_one_request_by_its_number_or_bare_id(anon, published):
    appeal = published["web"]

    by_number = anon.get(f"{BASE}/requests/{appeal.number}.json")
    by_id = anon.get(f"{BASE}/requests/{appeal.pk}.json")

    assert by_number.status_code == by_id.status_code == 200
    assert by_number.json() == by_id.json()
    assert [row["service_request_id"] for row in by_number.json()] == [appeal.number]


@pytest.mark.parametrize("request_id", ["1999-{pk:06d}", "0000-{pk}", "999999999", "99999999999999999999999", "1-2-3"])
def test_an_unknown_request_is_a_404_in_the_spec_format(anon, published, request_id):
    response = anon.get(f"{BASE}/requests/{request_id.format(pk=published['web'].pk)}.json")

    assert response.status_code == 404
    assert response.json()[0]["code"] == 404


def test_a_rejected_spam_request_is_closed_without_its_text(anon, db):
    spam = appeal_in(S.REJECTED, channel="web", text="Купите наши окна!")

    [row] = anon.get(f"{BASE}/requests/{spam.number}.json").json()

    assert row["status"] == "closed" and row["description"] is None
    assert row["status_notes"] == "Отклонено: Спам."


def test_the_public_reads_are_rate_limited(anon, db, settings):
    responses = [anon.get(f"{BASE}/services.json").status_code for _ in range(61)]

    assert responses[:60] == [200] * 60 and responses[60] == 429
