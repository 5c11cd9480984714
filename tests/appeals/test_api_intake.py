"""Intake through the REST API: single and batch registration, idempotent on (channel,
external_id), by staff with the right to register or by integration sources of one channel."""

import datetime
import threading
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from appeals.intake.integration import create_integration_source, hash_key
from appeals.models import Appeal, AppealEvent, IntegrationSource
from cur.errors import DomainError
from cur.models import AuditEvent
from cur.roles import Role
from tests.factories import TerritoryFactory

from .factories import AppealFactory, integration_source

URL = "/api/v1/appeals/"
BATCH_URL = "/api/v1/appeals/batch/"


def message(**overrides) -> dict:
    return {
        "channel": "pos",
        "external_id": "pos-100500",
        "text": "На ул. Есенина у дома 12 третий день не горят фонари.",
        "received_at": "2025-03-03T09:15:00+03:00",
        "address": "г. Рязань, ул. Есенина, д. 12",
        "applicant_name": "Кузнецова Мария Ивановна",
        "applicant_phone": "+7 910 000-11-22",
        "applicant_email": "kuznetsova@example.ru",
        **overrides,
    }


@pytest.fixture
def operator_api(operator, api_client_for):
    return api_client_for(operator)


def integration_client(raw_key: str) -> APIClient:
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Integration {raw_key}")
    return api


# --- Single registration -------------------------------------------------------------------------


def test_an_operator_registers_an_appeal_with_codes_of_block_topic_and_territory(operator_api, operator):
    territory = TerritoryFactory(oktmo="61701000")

    response = operator_api.post(
        URL,
        message(
            sector="housing",
            topic="otsutstvie-holodnoy-vody",
            territory="61701000",
            latitude=54.62938123,
            longitude=39.7419,
        ),  # fmt: skip
        format="json",
    )

    assert response.status_code == 201, response.content
    appeal = Appeal.objects.get()
    assert response.json()["id"] == appeal.pk and response.json()["number"] == appeal.number
    assert (appeal.channel, appeal.external_id, appeal.status) == ("pos", "pos-100500", Appeal.Status.NEW)
    assert appeal.sector_block.code == "housing" and appeal.topic.code == "otsutstvie-holodnoy-vody"
    assert appeal.territory == territory
    assert appeal.received_at == datetime.datetime(2025, 3, 3, 6, 15, tzinfo=datetime.UTC)
    assert str(appeal.latitude) == "54.629381"
    assert appeal.applicant_name == "Кузнецова Мария Ивановна" and appeal.registered_by == operator
    assert AppealEvent.objects.get(appeal=appeal).kind == AppealEvent.Kind.REGISTERED


def test_the_response_to_registration_masks_the_applicants_personal_data(operator_api):
    body = operator_api.post(URL, message(), format="json").json()

    assert body["applicant_name"] == "К********"
    assert "kuznetsova" not in str(body) and "000-11-22" not in str(body)
    assert body["public_status"] == "принято"


def test_a_topic_alone_gives_the_sector_block(operator_api):
    response = operator_api.post(URL, message(topic="uborka-vyvoz-musora"), format="json")

    assert response.status_code == 201, response.content
    assert Appeal.objects.get().sector_block.code == "waste"


def test_the_same_message_twice_is_one_appeal_and_the_second_answer_is_200(operator_api):
    first = operator_api.post(URL, message(), format="json")
    second = operator_api.post(URL, message(text="Тот же текст, доставленный повторно."), format="json")

    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json()["id"] == second.json()["id"]
    assert Appeal.objects.count() == 1
    assert Appeal.objects.get().text.startswith("На ул. Есенина")


def test_the_same_external_id_in_another_channel_is_another_appeal(operator_api):
    operator_api.post(URL, message(), format="json")

    response = operator_api.post(URL, message(channel="email"), format="json")

    assert response.status_code == 201
    assert Appeal.objects.count() == 2


@pytest.mark.parametrize(
    ("overrides", "field", "fragment"),
    [
        ({"topic": "net-takoy-temy"}, "topic", "Неизвестный"),
        ({"sector": "cosmos"}, "sector", "Неизвестный"),
        ({"territory": "99999999"}, "territory", "ОКТМО"),
        ({"sector": "health", "topic": "uborka-vyvoz-musora"}, "topic", "не относится"),
        ({"channel": "pigeon"}, "channel", ""),
        ({"text": "   "}, "text", ""),
        ({"external_id": ""}, "external_id", ""),
        ({"applicant_email": "не-почта"}, "applicant_email", ""),
        ({"received_at": "вчера"}, "received_at", ""),
        ({"received_at": (timezone.now() + datetime.timedelta(days=2)).isoformat()}, "received_at", "будущем"),
        ({"latitude": 54.6}, "longitude", "обе координаты"),
        ({"latitude": 91, "longitude": 39}, "latitude", ""),
        ({"latitude": "NaN", "longitude": 39}, "latitude", ""),
        ({"text": "фонари\x00не горят"}, "text", "недопустимые"),
        ({"external_id": "x" * 129}, "external_id", ""),
        ({"applicant_phone": "1" * 33}, "applicant_phone", ""),
    ],
)
def test_invalid_input_is_a_400_with_field_errors_and_registers_nothing(operator_api, overrides, field, fragment):
    response = operator_api.post(URL, message(**overrides), format="json")

    assert response.status_code == 400, response.content
    assert field in response.json()
    assert fragment in str(response.json()[field])
    assert not Appeal.objects.exists()


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        ("{", "application/json"),
        ("[1, 2, 3]", "application/json"),
        ('"текст"', "application/json"),
        ("null", "application/json"),
        ("[" * 100_000 + "]" * 100_000, "application/json"),
        ('{"text": "\\ud800", "channel": "pos", "external_id": "1"}', "application/json"),
        ("\xff\xfe", "application/json"),
        ("channel=pos&external_id=1", "application/x-www-form-urlencoded"),
        ("<xml/>", "application/xml"),
    ],
)
def test_garbage_bodies_never_cause_a_server_error(operator_api, body, content_type):
    response = operator_api.generic("POST", URL, body, content_type=content_type)

    assert response.status_code < 500
    assert not Appeal.objects.exists()


def test_an_inactive_territory_code_is_refused(operator_api):
    TerritoryFactory(oktmo="61702000", is_active=False)

    response = operator_api.post(URL, message(territory="61702000"), format="json")

    assert response.status_code == 400
    assert "territory" in response.json()


@pytest.mark.parametrize(
    "role", [Role.EXECUTOR, Role.BLOCK_HEAD, Role.BLOCK_RESPONSIBLE, Role.CURATOR, Role.COMPETENCE_CENTER]
)
def test_roles_without_the_right_to_register_are_refused(make_user, api_client_for, role):
    response = api_client_for(make_user(role)).post(URL, message(), format="json")

    assert response.status_code == 403
    assert response.json()["detail"] == "Недостаточно прав для этого действия."
    assert not Appeal.objects.exists()


@pytest.mark.parametrize("role", [Role.ADMIN, Role.OPERATOR, Role.MUNICIPAL_OPERATOR])
def test_roles_with_the_right_to_register_may(make_user, api_client_for, role):
    response = api_client_for(make_user(role)).post(URL, message(), format="json")

    assert response.status_code == 201, response.content


def test_an_anonymous_client_cannot_register(db):
    response = APIClient().post(URL, message(), format="json")

    assert response.status_code in (401, 403)
    assert not Appeal.objects.exists()


# --- Integration sources ---------------------------------------------------------------------------


def test_an_integration_source_registers_appeals_of_its_channel(db):
    source, key = integration_source("Портал ПОС", "pos")

    response = integration_client(key).post(URL, message(), format="json")

    assert response.status_code == 201, response.content
    appeal = Appeal.objects.get()
    assert appeal.channel == "pos" and appeal.registered_by is None
    assert response.json()["applicant_phone"] == "+********"


def test_an_integration_source_may_omit_the_channel(db):
    _, key = integration_source("Почтовый шлюз", "email")
    body = message()
    del body["channel"]

    response = integration_client(key).post(URL, body, format="json")

    assert response.status_code == 201, response.content
    assert Appeal.objects.get().channel == "email"


def test_an_integration_source_cannot_register_appeals_of_another_channel(db):
    _, key = integration_source("Портал ПОС", "pos")

    response = integration_client(key).post(URL, message(channel="phone"), format="json")

    assert response.status_code == 403
    assert response.json()["detail"] == (
        "Источник «Портал ПОС» может регистрировать только обращения канала «Платформа обратной связи (ПОС)»."
    )
    assert not Appeal.objects.exists()


@pytest.mark.parametrize(
    "header",
    ["Integration wrong-key", "Integration", "Integration a b", "Integration " + "x" * 500, "Integration \xff\xfe"],
)
def test_a_wrong_key_is_refused(db, header):
    integration_source("Портал ПОС", "pos")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=header)

    response = api.post(URL, message(), format="json")

    assert response.status_code == 401
    assert not Appeal.objects.exists()


def test_a_disabled_source_is_refused(db):
    source, key = integration_source("Портал ПОС", "pos")
    IntegrationSource.objects.filter(pk=source.pk).update(is_active=False)

    response = integration_client(key).post(URL, message(), format="json")

    assert response.status_code == 401


def test_an_integration_source_can_neither_read_nor_change_appeals(db):
    _, key = integration_source("Портал ПОС", "pos")
    appeal = AppealFactory(channel="pos")
    api = integration_client(key)

    assert api.get(URL).status_code == 403
    assert api.get(f"{URL}{appeal.pk}/").status_code == 403
    assert api.post(f"{URL}{appeal.pk}/close/", {}, format="json").status_code == 403


def test_only_the_hash_of_the_key_is_stored(db):
    source, key = create_integration_source("Городской портал", "web", by=None)

    source.refresh_from_db()
    assert source.key_hash == hash_key(key) and key not in source.key_hash
    assert AuditEvent.objects.filter(action="integration_source.create", object_id=str(source.pk)).exists()


@pytest.mark.parametrize(("name", "channel"), [("", "web"), ("Портал", "pigeon"), ("Дубль", "web")])
def test_a_source_needs_a_name_a_known_channel_and_a_new_name(db, name, channel):
    create_integration_source("Дубль", "web", by=None)

    with pytest.raises(DomainError):
        create_integration_source(name, channel, by=None)


def test_the_management_command_prints_a_working_key_once(db):
    out = StringIO()

    call_command("create_integration_source", "Портал ПОС", "--channel", "pos", stdout=out)

    key = out.getvalue().strip().splitlines()[-1]
    response = integration_client(key).post(URL, message(), format="json")
    assert response.status_code == 201


# --- Concurrency -------------------------------------------------------------------------------------


# transactional_db: each thread has its own connection and must see the others' commits; the
# reference data the flush removes is restored by tests/conftest.py.
def test_the_same_message_delivered_concurrently_is_one_appeal(transactional_db, make_user):
    operator = make_user(Role.OPERATOR)
    threads_count = 8
    barrier = threading.Barrier(threads_count)
    statuses: list[int] = []
    ids: set[int] = set()

    def deliver():
        try:
            api = APIClient()
            api.force_authenticate(operator)
            barrier.wait(timeout=10)
            response = api.post(URL, message(), format="json")
            statuses.append(response.status_code)
            ids.add(response.json()["id"])
        finally:
            connection.close()

    threads = [threading.Thread(target=deliver) for _ in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert Appeal.objects.count() == 1
    assert sorted(statuses) == [200] * (threads_count - 1) + [201]
    assert ids == {Appeal.objects.get().pk}


# --- Batch ----------------------------------------------------------------------------------------------


def test_a_batch_reports_each_item_in_input_order_and_one_bad_item_stops_nothing(operator_api):
    existing = AppealFactory(channel="pos", external_id="pos-1")
    items = [
        message(external_id="pos-1"),  # already registered
        message(external_id="pos-2", topic="uborka-vyvoz-musora"),
        message(external_id="pos-3", text=""),  # invalid
        "не обращение",  # not an object
        message(external_id="pos-2"),  # a repeat inside the batch
        message(external_id="pos-4", topic="net-takoy-temy"),  # unknown code
        message(external_id="pos-5", channel="email"),
    ]

    response = operator_api.post(BATCH_URL, items, format="json")

    assert response.status_code == 200, response.content
    body = response.json()
    results = body["results"]
    assert [r["index"] for r in results] == list(range(7))
    assert [r["status"] for r in results] == ["existing", "created", "error", "error", "existing", "error", "created"]
    assert results[0]["id"] == existing.pk and results[0]["number"] == existing.number
    assert results[4]["id"] == results[1]["id"]
    assert "text" in results[2]["errors"] and results[2]["id"] is None
    assert "topic" in results[5]["errors"]
    assert (body["created"], body["existing"], body["failed"]) == (2, 2, 3)
    assert Appeal.objects.count() == 3
    assert Appeal.objects.get(external_id="pos-2").topic.code == "uborka-vyvoz-musora"


def test_a_batch_may_be_wrapped_in_an_object(operator_api):
    response = operator_api.post(BATCH_URL, {"items": [message()]}, format="json")

    assert response.status_code == 200
    assert response.json()["results"][0]["status"] == "created"


def test_a_batch_of_more_than_1000_items_is_refused_whole(operator_api):
    items = [message(external_id=f"pos-{i}") for i in range(1001)]

    response = operator_api.post(BATCH_URL, items, format="json")

    assert response.status_code == 400
    assert "1000" in str(response.json())
    assert not Appeal.objects.exists()


@pytest.mark.parametrize("body", [{"text": "не пакет"}, "строка", 42, None])
def test_a_batch_that_is_not_a_list_is_a_400(operator_api, body):
    response = operator_api.post(BATCH_URL, body, format="json")

    assert response.status_code == 400


def test_a_batch_resolves_codes_with_one_query_per_kind(operator_api):
    TerritoryFactory(oktmo="61701000")
    topics = ["uborka-vyvoz-musora", "otsutstvie-holodnoy-vody", "dispanserizatsiya", "yamy-vo-dvorah"]
    items = [message(external_id=f"pos-{i}", topic=topics[i % 4], territory="61701000", sector=None) for i in range(40)]

    with CaptureQueriesContext(connection) as queries:
        response = operator_api.post(BATCH_URL, items, format="json")

    assert response.status_code == 200
    assert response.json()["created"] == 40
    by_code = [q["sql"] for q in queries if '"appeals_topic"."code" IN' in q["sql"]]
    by_oktmo = [q["sql"] for q in queries if '"sectors_territory"."oktmo" IN' in q["sql"]]
    by_external_id = [q["sql"] for q in queries if '"appeals_appeal"."external_id" IN' in q["sql"]]
    inserts = [q["sql"] for q in queries if q["sql"].startswith(('INSERT INTO "appeals_appeal"', "COPY"))]
    # By external id: which are registered already (the bulk road), then the ids and numbers of all.
    assert (len(by_code), len(by_oktmo), len(by_external_id)) == (1, 1, 2)
    assert len(inserts) <= 2  # the appeals and their events, not a statement per item


def test_a_batch_of_an_integration_source_refuses_items_of_another_channel_one_by_one(db):
    _, key = integration_source("Портал ПОС", "pos")

    response = integration_client(key).post(
        BATCH_URL, [message(external_id="a"), message(external_id="b", channel="email")], format="json"
    )

    assert response.status_code == 200
    results = response.json()["results"]
    assert [r["status"] for r in results] == ["created", "error"]
    assert "только обращения канала" in str(results[1]["errors"]["channel"])


def test_a_full_batch_of_1000_is_registered(operator_api):
    items = [message(external_id=f"pos-{i}") for i in range(1000)]

    response = operator_api.post(BATCH_URL, items, format="json")

    assert response.status_code == 200
    assert response.json()["created"] == 1000
    assert Appeal.objects.count() == 1000


def test_a_batch_needs_the_right_to_register(make_user, api_client_for):
    response = api_client_for(make_user(Role.EXECUTOR)).post(BATCH_URL, [message()], format="json")

    assert response.status_code == 403
