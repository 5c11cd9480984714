"""An idempotent create answers with the existing appeal only to a caller who may see it (issue 22): a
municipal operator repeating another territory's (channel, external_id) learns nothing of that appeal —
neither from POST /appeals/ nor per item of /appeals/batch/."""

import pytest
from rest_framework.test import APIClient

from appeals.models import Appeal
from cur.roles import Role
from tests.appeals.factories import AppealFactory, integration_source
from tests.factories import TerritoryFactory

URL = "/api/v1/appeals/"
BATCH_URL = "/api/v1/appeals/batch/"
SECRET = "Прорвало трубу у дома 7 по ул. Тайной"


@pytest.fixture
def foreign(db):
    """An appeal of another territory, registered from ПОС with a known message id."""
    return AppealFactory(channel="pos", external_id="pos-777", text=SECRET, territory=TerritoryFactory())


@pytest.fixture
def municipal_api(make_user, api_client_for):
    return api_client_for(make_user(Role.MUNICIPAL_OPERATOR))


def item(external_id: str) -> dict:
    return {"channel": "pos", "external_id": external_id, "text": "Не вывозят мусор во дворе"}


def test_a_repeat_of_a_foreign_appeal_is_a_409_without_its_content(municipal_api, foreign):
    response = municipal_api.post(URL, item("pos-777"), format="json")

    assert response.status_code == 409
    body = response.content.decode()
    assert SECRET not in body and foreign.number not in body and str(foreign.pk) not in response.json().values()
    assert Appeal.objects.filter(channel="pos", external_id="pos-777").count() == 1


def test_a_batch_answers_a_foreign_item_with_an_error_and_registers_the_rest(municipal_api, foreign):
    response = municipal_api.post(BATCH_URL, [item("pos-777"), item("pos-778")], format="json")

    assert response.status_code == 200
    first, second = response.json()["results"]
    assert first["status"] == "error" and first["id"] is None and first["number"] is None
    assert "external_id" in first["errors"]
    assert SECRET not in response.content.decode()
    assert second["status"] == "created"


def test_a_caller_who_sees_the_appeal_gets_it_back_as_before(operator, api_client_for, foreign):
    response = api_client_for(operator).post(URL, item("pos-777"), format="json")

    assert response.status_code == 200 and response.json()["id"] == foreign.pk


def test_an_integration_source_gets_its_repeats_back(foreign):
    _source, key = integration_source("Портал ПОС", "pos")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Integration {key}")

    single = api.post(URL, item("pos-777"), format="json")
    batch = api.post(BATCH_URL, [item("pos-777")], format="json")

    assert single.status_code == 200 and single.json()["id"] == foreign.pk
    assert batch.json()["results"][0]["status"] == "existing"
