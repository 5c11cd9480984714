"""With a real Celery worker: appeals registered through the REST API are classified by the
worker on commit — routed by the routing rules when the model is confident, left in the triage
queue with the suggestion when not — and near-duplicates and a mass-problem incident are found."""

import time

import pytest

from appeals.models import Appeal, AppealEvent, Incident, RoutingRule
from sectors.models import SectorBlock
from tests.factories import OrganisationFactory
from tests.worker import celery_worker

from .pipeline_helpers import ROADS_TEXT, ryazan_territories, train_model

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

URL = "/api/v1/appeals/"
S = Appeal.Status
PIPE = "На улице Ленина у дома 5 прорвало трубу, вода течёт по дороге, нет холодной воды"
PIPE_ENDINGS = ["", ", помогите", ", уже второй час", ", дети без воды", ", просим срочно устранить"]


def wait_for(predicate, what: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, f"the worker did not {what} in {timeout} s"
        time.sleep(0.2)


def classified(ids: list[int]) -> int:
    return Appeal.objects.filter(pk__in=ids, classified_at__isnull=False).count()


def post(api, external_id: str, text: str, address: str = "") -> int:
    response = api.post(
        URL, {"channel": "web", "external_id": external_id, "text": text, "address": address}, format="json"
    )
    assert response.status_code == 201, response.content
    return response.json()["id"]


def test_appeals_registered_through_the_api_are_classified_by_the_worker_and_routed_or_queued(operator, api_client_for):
    model = train_model()
    places = ryazan_territories()
    organisation = OrganisationFactory()
    RoutingRule.objects.create(
        sector_block=SectorBlock.objects.get(code="roads"), territory=places["shatsk"], organisation=organisation
    )
    api = api_client_for(operator)

    with celery_worker():
        confident = post(api, "w-1", ROADS_TEXT, "Шацкий р-н, г. Шацк, ул. Красная, 3")
        garbage = post(api, "w-2", "😡😡😡 👎👎 !!!")
        wait_for(lambda: classified([confident, garbage]) == 2, "classify two appeals")

    routed = Appeal.objects.get(pk=confident)
    assert routed.model_version == model.version
    assert (routed.sector_block.code, routed.territory) == ("roads", places["shatsk"])
    assert (routed.status, routed.organisation) == (S.ASSIGNED, organisation)
    assert routed.events.filter(kind=AppealEvent.Kind.ASSIGNED, actor=None).exists()

    queued = Appeal.objects.get(pk=garbage)
    assert queued.confidence < 0.5
    assert (queued.status, queued.organisation, queued.sector_block) == (S.NEW, None, None)
    assert queued.events.filter(kind=AppealEvent.Kind.CLASSIFIED).count() == 1


def test_the_worker_links_a_duplicate_and_forms_an_incident_of_five_similar_appeals(operator, api_client_for):
    train_model()
    places = ryazan_territories()
    api = api_client_for(operator)

    with celery_worker():
        ids = []
        for i, ending in enumerate(PIPE_ENDINGS):
            ids.append(post(api, f"pipe-{i}", PIPE + ending, "г. Шацк, ул. Ленина, 5"))
            # One by one, as citizens write: each task sees the appeals registered before it.
            wait_for(lambda: classified(ids) == len(ids), "classify")
        wait_for(lambda: Incident.objects.exists(), "form an incident")

    appeals = {a.pk: a for a in Appeal.objects.filter(pk__in=ids)}
    assert appeals[ids[1]].similar_to_id == ids[0]
    assert appeals[ids[1]].similarity >= 0.6
    incident = Incident.objects.get()
    assert incident.territory == places["shatsk"]
    assert set(incident.appeals.values_list("pk", flat=True)) == set(ids)
