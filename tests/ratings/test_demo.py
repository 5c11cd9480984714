"""The demo ratings: the last 12 full months at every level, computed at once; a second call adds nothing."""

import datetime

import pytest
from django.db import transaction

from cur.demo.appeals import seed_appeals_demo
from cur.demo.ratings import seed_ratings_demo
from cur.demo.sectors import seed_sectors_demo
from ratings import periods
from ratings.models import Level, RatingRun

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        seed_sectors_demo()
        seed_appeals_demo(count=400)
        result = seed_ratings_demo()
        yield result
        transaction.set_rollback(True)


def test_twelve_months_of_three_levels_are_computed(demo):
    assert demo == {"runs": 36, "skipped": 0}
    runs = RatingRun.objects.all()
    assert runs.count() == 36 and not runs.exclude(status=RatingRun.Status.DONE).exists()
    assert set(runs.values_list("level", flat=True)) == set(Level.values)
    newest = runs.order_by("-period_start").first()
    today = periods.today()
    assert newest.period_end < today.replace(day=1)
    assert newest.period_end >= (today.replace(day=1) - datetime.timedelta(days=1))


def test_the_demo_ratings_rank_somebody_at_every_level(demo):
    for level in Level.values:
        newest = RatingRun.objects.filter(level=level).order_by("-period_start").first()
        assert newest.ranked_count > 0, level


def test_seeding_again_adds_nothing(demo):
    assert seed_ratings_demo() == {"runs": 0, "skipped": 36}
