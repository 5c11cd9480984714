"""The demo of ИНФОЦУР and the moderation center: plausible rows in every state, and a second run adds nothing."""

import pytest

from cur.demo.moderation import seed_informing_demo
from cur.demo.sectors import seed_sectors_demo
from cur.demo.users import seed_demo_users
from informing.models import DisinformationCase, InformationEvent, OfficialPage, Recommendation
from moderation.models import IncomingMessage, ModerationReport, Surge

pytestmark = pytest.mark.django_db


def test_the_demo_fills_every_state_and_is_idempotent():
    seed_sectors_demo()
    seed_demo_users()

    first = seed_informing_demo()
    counts = (
        InformationEvent.objects.count(),
        IncomingMessage.objects.count(),
        OfficialPage.objects.count(),
        DisinformationCase.objects.count(),
        Recommendation.objects.count(),
    )
    second = seed_informing_demo()

    assert first["events"] == 8 and first["messages"] == 20
    assert second == {"events": 0, "materials": 0, "cases": 0, "pages": 0, "messages": 0}
    assert counts == (
        InformationEvent.objects.count(),
        IncomingMessage.objects.count(),
        OfficialPage.objects.count(),
        DisinformationCase.objects.count(),
        Recommendation.objects.count(),
    )
    assert set(InformationEvent.objects.values_list("status", flat=True)) == set(InformationEvent.Status.values)
    assert set(IncomingMessage.objects.values_list("status", flat=True)) == set(IncomingMessage.Status.values)
    assert set(DisinformationCase.objects.values_list("status", flat=True)) >= {"checking", "false", "refuted"}
    assert Surge.objects.filter(status=Surge.Status.PROPOSED).exists()
    assert ModerationReport.objects.filter(period_kind="day").exists()
    # The demo executor's hospital has a recommendation to answer.
    assert Recommendation.objects.filter(organisation__short_name="ГБУ РО «Шацкая районная больница»").exists()
    assert IncomingMessage.objects.filter(status=IncomingMessage.Status.APPEAL, appeal__isnull=False).count() == 3
