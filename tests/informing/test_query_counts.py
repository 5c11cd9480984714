"""List pages and API lists run a fixed number of queries, however many rows they show."""

import pytest
from django.urls import reverse

from informing.models import InformationEvent
from tests.factories import TerritoryFactory
from tests.informing.factories import (
    ActivityFactory,
    CaseFactory,
    EventFactory,
    MaterialFactory,
    OfficialPageFactory,
    RecommendationFactory,
)

pytestmark = pytest.mark.django_db


def fill(n: int) -> None:
    territory = TerritoryFactory()
    for _ in range(n):
        event = EventFactory(territories=[territory], status=InformationEvent.Status.RECOMMENDED)
        RecommendationFactory(event=event)
        ActivityFactory(event=event)
        MaterialFactory()
        CaseFactory()
        OfficialPageFactory()


URLS = [
    reverse("informing:event-list"),
    reverse("informing:recommendation-list"),
    reverse("informing:activity-list"),
    reverse("informing:material-list"),
    reverse("informing:case-list"),
    reverse("informing:page-list"),
    reverse("informing:without-page"),
    "/api/v1/information-events/",
    "/api/v1/information-recommendations/",
    "/api/v1/information-activities/",
    "/api/v1/information-materials/",
    "/api/v1/disinformation-cases/",
    "/api/v1/official-pages/",
]


@pytest.mark.parametrize("url", URLS)
def test_a_list_costs_the_same_for_3_and_for_12_rows(url, moderator, client_for, django_assert_num_queries):
    client = client_for(moderator)
    fill(3)
    client.get(url)  # warm the session and the user
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    fill(9)
    with django_assert_num_queries(len(small.captured_queries)):
        assert client.get(url).status_code == 200
