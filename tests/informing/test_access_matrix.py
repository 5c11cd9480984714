"""Who may open which page and endpoint of ИНФОЦУР, for their own and for a foreign object.

«Own» is an event of the health block (the block roles' scope in these tests) with a recommendation to
the executor's organisation; «foreign» is an event of the roads block with a recommendation to another
organisation. Rules: informing.view reads (region-wide roles everything, block roles their blocks),
informing.manage writes, an executor sees and answers only the recommendations to its organisation."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from cur.roles import Role
from informing.models import InformationEvent, Recommendation
from sectors.models import SectorBlock
from tests.factories import OrganisationFactory
from tests.informing.factories import EventFactory, RecommendationFactory

pytestmark = pytest.mark.django_db

VIEW = {Role.ADMIN, Role.CURATOR, Role.EXECUTIVE, Role.MODERATOR, Role.BLOCK_HEAD, Role.BLOCK_RESPONSIBLE}
REGION_WIDE = {Role.ADMIN, Role.CURATOR, Role.EXECUTIVE, Role.MODERATOR}
MANAGE = {Role.ADMIN, Role.MODERATOR}
ROLES = list(Role)


@pytest.fixture
def world(db):
    body = OrganisationFactory(name="ГБУ РО «Больница»")
    health, roads = SectorBlock.objects.get(code="health"), SectorBlock.objects.get(code="roads")
    due = timezone.now() + datetime.timedelta(days=1)
    own = EventFactory(sector_block=health, status=InformationEvent.Status.RECOMMENDED)
    foreign = EventFactory(sector_block=roads, status=InformationEvent.Status.RECOMMENDED)
    return {
        "body": body,
        "own": own,
        "foreign": foreign,
        "own_rec": RecommendationFactory(event=own, organisation=body, due_at=due),
        "foreign_rec": RecommendationFactory(event=foreign, organisation=OrganisationFactory(), due_at=due),
    }


@pytest.fixture
def user_of(make_user, world):
    def make(role):
        extra = {"organisation": world["body"]} if role == Role.EXECUTOR else {}
        return make_user(role, **extra)

    return make


def expected_read(role, *, foreign: bool) -> int:
    if role not in VIEW:
        return 403
    if foreign and role not in REGION_WIDE:
        return 404
    return 200


def expected_recommendation(role, *, foreign: bool) -> int:
    if role == Role.EXECUTOR:
        return 404 if foreign else 200
    return expected_read(role, foreign=foreign)


@pytest.mark.parametrize("role", ROLES)
def test_pages_by_role_and_object(role, world, user_of, client):
    client.force_login(user_of(role))
    pages = {
        reverse("informing:event-list"): 200 if role in VIEW else 403,
        reverse("informing:event-detail", args=[world["own"].pk]): expected_read(role, foreign=False),
        reverse("informing:event-detail", args=[world["foreign"].pk]): expected_read(role, foreign=True),
        reverse("informing:event-create"): 200 if role in MANAGE else 403,
        reverse("informing:activity-list"): 200 if role in VIEW else 403,
        reverse("informing:material-list"): 200 if role in VIEW else 403,
        reverse("informing:case-list"): 200 if role in VIEW else 403,
        reverse("informing:page-list"): 200 if role in VIEW else 403,
        reverse("informing:without-page"): 200 if role in VIEW else 403,
        reverse("informing:page-create"): 200 if role in MANAGE else 403,
        reverse("informing:recommendation-list"): 200 if role in VIEW | {Role.EXECUTOR} else 403,
        reverse("informing:recommendation-detail", args=[world["own_rec"].pk]): expected_recommendation(
            role, foreign=False
        ),
        reverse("informing:recommendation-detail", args=[world["foreign_rec"].pk]): expected_recommendation(
            role, foreign=True
        ),
    }
    got = {url: client.get(url).status_code for url in pages}
    assert got == pages


@pytest.mark.parametrize("role", ROLES)
def test_moving_an_event_by_role(role, world, user_of, client):
    client.force_login(user_of(role))
    event = world["own"]

    response = client.post(reverse("informing:event-transition", args=[event.pk]), {"status": "activities"})

    event.refresh_from_db()
    if role in MANAGE:
        assert response.status_code == 302 and event.status == InformationEvent.Status.ACTIVITIES
    else:
        assert response.status_code == 403 and event.status == InformationEvent.Status.RECOMMENDED


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("which", ["own_rec", "foreign_rec"])
def test_answering_a_recommendation_by_role(role, which, world, user_of, client):
    client.force_login(user_of(role))
    rec = world[which]

    response = client.post(reverse("informing:recommendation-accept", args=[rec.pk]), {"comment": "Принято"})

    rec.refresh_from_db()
    if role in MANAGE or (role == Role.EXECUTOR and which == "own_rec"):
        assert (response.status_code, rec.status) == (302, Recommendation.Status.ACCEPTED)
    else:
        expected = 404 if role == Role.EXECUTOR or (role in VIEW - REGION_WIDE and which == "foreign_rec") else 403
        assert (response.status_code, rec.status) == (expected, Recommendation.Status.ISSUED)


@pytest.mark.parametrize("role", ROLES)
def test_the_api_by_role_and_object(role, world, user_of, api_client_for):
    api = api_client_for(user_of(role))
    base = "/api/v1/information-events/"
    recs = "/api/v1/information-recommendations/"
    read = 200 if role in VIEW else 403
    checks = {
        ("GET", base): read,
        ("GET", f"{base}{world['own'].pk}/"): expected_read(role, foreign=False),
        ("GET", f"{base}{world['foreign'].pk}/"): expected_read(role, foreign=True),
        ("GET", "/api/v1/information-activities/"): read,
        ("GET", "/api/v1/information-materials/"): read,
        ("GET", "/api/v1/disinformation-cases/"): read,
        ("GET", "/api/v1/official-pages/"): read,
        ("GET", "/api/v1/official-pages/without-page/"): read,
        ("GET", recs): 200 if role in VIEW | {Role.EXECUTOR} else 403,
        ("GET", f"{recs}{world['own_rec'].pk}/"): expected_recommendation(role, foreign=False),
        ("GET", f"{recs}{world['foreign_rec'].pk}/"): expected_recommendation(role, foreign=True),
    }
    got = {(method, url): api.get(url).status_code for method, url in checks}
    assert got == checks
    if role == Role.EXECUTOR:
        assert [r["id"] for r in api.get(recs).json()["results"]] == [world["own_rec"].pk]


@pytest.mark.parametrize("role", ROLES)
def test_writing_through_the_api_by_role(role, world, user_of, api_client_for):
    api = api_client_for(user_of(role))

    created = api.post("/api/v1/information-events/", {"title": "Повод из API", "essence": "Суть"}, format="json")
    moved = api.post(
        f"/api/v1/information-events/{world['own'].pk}/transition/", {"status": "activities"}, format="json"
    )
    done = api.post(
        f"/api/v1/information-recommendations/{world['own_rec'].pk}/done/", {"comment": "Сделано"}, format="json"
    )

    if role in MANAGE:
        assert (created.status_code, moved.status_code, done.status_code) == (201, 200, 200)
    elif role == Role.EXECUTOR:
        assert (created.status_code, moved.status_code, done.status_code) == (403, 403, 200)
    else:
        expected_done = 403
        assert (created.status_code, moved.status_code, done.status_code) == (403, 403, expected_done)
