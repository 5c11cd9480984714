"""Every page of ИНФОЦУР opens for a moderator, with data on it."""

import pytest
from django.urls import reverse

from tests.informing.factories import (
    ActivityFactory,
    CaseFactory,
    MaterialFactory,
    OfficialPageFactory,
    RecommendationFactory,
)

pytestmark = pytest.mark.django_db


def test_every_page_opens_for_a_moderator(client_for, moderator):
    rec = RecommendationFactory()
    event = rec.event
    activity = ActivityFactory(event=event)
    material = MaterialFactory()
    case = CaseFactory()
    page = OfficialPageFactory()
    client = client_for(moderator)
    urls = [
        reverse("informing:event-list"),
        reverse("informing:event-create"),
        reverse("informing:event-detail", args=[event.pk]),
        reverse("informing:event-edit", args=[event.pk]),
        reverse("informing:recommendation-list"),
        reverse("informing:recommendation-detail", args=[rec.pk]),
        reverse("informing:activity-list"),
        reverse("informing:activity-create"),
        reverse("informing:activity-detail", args=[activity.pk]),
        reverse("informing:activity-edit", args=[activity.pk]),
        reverse("informing:material-list"),
        reverse("informing:material-create"),
        reverse("informing:material-detail", args=[material.pk]),
        reverse("informing:material-edit", args=[material.pk]),
        reverse("informing:case-list"),
        reverse("informing:case-create"),
        reverse("informing:case-detail", args=[case.pk]),
        reverse("informing:page-list"),
        reverse("informing:page-create"),
        reverse("informing:page-edit", args=[page.pk]),
        reverse("informing:without-page"),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
