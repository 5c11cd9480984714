"""Pages and selectors answer with a fixed number of queries, whatever the amount of data."""

import datetime

import pytest
from django.urls import reverse

from cur.roles import Role
from heatmap import rollup, selectors
from heatmap.scope import Scope
from heatmap.selectors import HeatQuery

from .world import register

pytestmark = pytest.mark.django_db


def _fill(world, clock, n: int) -> None:
    for i in range(n):
        register(world, territory=world.districts[i % 3], block=("health", "waste")[i % 2], topic=i % 3)
        clock.advance(hours=7)
    rollup.rebuild_all()


@pytest.mark.parametrize("n", [3, 30])
def test_selectors_use_one_or_two_queries(n, world, clock, django_assert_num_queries):
    _fill(world, clock, n)
    everything = Scope(everything=True)
    today = clock.today()
    with django_assert_num_queries(1):  # days only: HeatCell
        selectors.aggregate(everything, HeatQuery(today - datetime.timedelta(days=20), today), ("territory", "sector"))
    with django_assert_num_queries(2):  # whole months from HeatMonth, the edges from HeatCell
        selectors.aggregate(everything, HeatQuery(datetime.date(2025, 12, 15), today), ("territory",))
    with django_assert_num_queries(1):  # a topic: HeatCell only
        topic = world.topic("health").pk
        selectors.aggregate(everything, HeatQuery(datetime.date(2025, 12, 15), today, topic_id=topic), ("territory",),
                            bucket="week")  # fmt: skip


def test_months_and_days_sum_to_the_same_numbers(world, clock):
    _fill(world, clock, 30)
    everything = Scope(everything=True)
    q = HeatQuery(datetime.date(2026, 2, 20), clock.today())
    by_months = selectors.aggregate(everything, q, ("territory", "sector"))
    by_days = selectors.aggregate(everything, q, ("territory", "sector"), bucket="day")
    summed = {}
    for (_day, territory, sector), counts in by_days.items():
        summed[(territory, sector)] = summed.get((territory, sector), 0) + counts["received"]
    assert {k: v["received"] for k, v in by_months.items()} == summed


# Queries per page: session and user (2), then the page's own. The same for 3 appeals and for 30.
PAGE_QUERIES = [
    (Role.CURATOR, "heatmap:map", {}, 10),
    (Role.CURATOR, "heatmap:map", {"period": "365"}, 13),  # whole months from HeatMonth: one more per read
    (Role.BLOCK_HEAD, "heatmap:map", {"period": "90"}, 14),
    (Role.MUNICIPAL_OPERATOR, "heatmap:map", {}, 13),
    (Role.CURATOR, "heatmap:priorities", {}, 7),
    (Role.CURATOR, "heatmap:region-dashboard", {}, 12),
    (Role.BLOCK_HEAD, "heatmap:block-dashboard", {}, 17),
    (Role.CURATOR, "heatmap:problems", {}, 6),
    (Role.CURATOR, "heatmap:regional-problems", {}, 4),
]


@pytest.mark.parametrize("n", [3, 30])
def test_pages_use_a_fixed_number_of_queries(n, world, people, clock, django_assert_num_queries):
    from django.test import Client

    _fill(world, clock, n)
    for role, name, params, queries in PAGE_QUERIES:
        client = Client()
        client.force_login(people[role])
        with django_assert_num_queries(queries):
            assert client.get(reverse(name), params).status_code == 200
