"""The demo: the rollup of the demo appeals, problem points found in them, a few confirmed; idempotent."""

import pytest
from django.db import transaction

from cur.demo.appeals import seed_appeals_demo
from cur.demo.heatmap import seed_heatmap_demo
from cur.demo.sectors import seed_sectors_demo
from cur.demo.users import seed_demo_users
from heatmap.models import HeatCellMonth, PollResult, ProblemPoint
from sectors.models import Territory

from .reference import actual_cells, expected_cells

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        seed_sectors_demo()
        seed_demo_users()
        seed_appeals_demo(count=3000)  # the seed_demo default: spikes need its volume
        result = seed_heatmap_demo()
        yield result
        transaction.set_rollback(True)


def test_the_demo_rollup_equals_the_appeals(demo):
    assert demo["rollup"]["cell_months"] == HeatCellMonth.objects.count() > 0
    assert actual_cells() == expected_cells()


def test_the_demo_has_population_problem_points_and_poll_results(demo):
    assert not Territory.objects.filter(kind__in=Territory.MUNICIPAL_KINDS, population=None).exists()
    assert ProblemPoint.objects.exists()
    assert ProblemPoint.objects.filter(status=ProblemPoint.Status.CONFIRMED).count() == demo["confirmed"] > 0
    assert PollResult.objects.count() == demo["polls"] > 0


def test_seeding_again_adds_nothing(demo):
    points, polls = ProblemPoint.objects.count(), PollResult.objects.count()
    again = seed_heatmap_demo()
    assert again["points"]["created"] == 0 and again["confirmed"] == 0 and again["polls"] == 0
    assert (ProblemPoint.objects.count(), PollResult.objects.count()) == (points, polls)
