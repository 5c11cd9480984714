import pytest
from django.core.management import call_command

from cur.demo.portal import seed_portal_demo
from cur.roles import Role
from portal.models import Report, Roadmap, RoadmapMeasure
from sectors.models import SectorBlock
from tests.factories import OrganisationFactory, ResponsiblePersonFactory

pytestmark = pytest.mark.django_db


def test_the_demo_has_reports_in_every_state_and_runs_twice_without_duplicates(make_user):
    OrganisationFactory.create_batch(3)
    ResponsiblePersonFactory()
    for role in (Role.CURATOR, Role.EXECUTIVE, Role.BLOCK_HEAD):
        make_user(role, username=role.value)
    make_user(
        Role.BLOCK_RESPONSIBLE, username="block_responsible", sector_blocks=[SectorBlock.objects.get(code="housing")]
    )

    first = seed_portal_demo()
    second = seed_portal_demo()

    assert first == second
    assert set(Report.objects.values_list("status", flat=True)) == set(Report.Status.values)
    assert Roadmap.objects.count() == 2
    assert RoadmapMeasure.objects.filter(overdue_notified_at__isnull=False).count() == 1
    call_command("check")
