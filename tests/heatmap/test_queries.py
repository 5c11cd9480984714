"""Pages and selectors answer with a fixed number of queries, whatever the amount of data."""

import datetime
import random

import pytest
from django.urls import reverse

from appeals import services as s
from cur.roles import Role
from heatmap import rollup, selectors
from heatmap.models import COUNTERS
from heatmap.scope import Scope
from heatmap.selectors import HeatQuery

from .world import register

pytestmark = pytest.mark.django_db


def summed_periods(scope, dims, periods) -> list[dict]:
    """The net sums of `selectors.period_reads` added up per period, key and counter."""
    results = [{} for _ in periods]
    for qs in selectors.period_reads(scope, dims, periods):
        names, rows = selectors._fetch(qs)
        for row in rows:
            for name, value in zip(names[len(dims) :], row[len(dims) :], strict=True):
                period, counter = name[1:].split("_", 1)
                target = results[int(period)].setdefault(row[: len(dims)], dict.fromkeys(periods[int(period)][1], 0))
                target[counter] += value or 0
    return [{k: v for k, v in r.items() if any(v.values())} for r in results]


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
    with django_assert_num_queries(1):  # days inside one past month: the day table only
        selectors.aggregate(everything, HeatQuery(datetime.date(2026, 2, 3), datetime.date(2026, 2, 16)),
                            ("territory", "sector"))  # fmt: skip
    with django_assert_num_queries(2):  # whole months from the month table, the edges from the day table
        selectors.aggregate(everything, HeatQuery(datetime.date(2025, 12, 15), today), ("territory",))
    with django_assert_num_queries(1):  # a topic by week: the topic day table only
        topic = world.topic("health").pk
        selectors.aggregate(everything, HeatQuery(datetime.date(2025, 12, 15), today, topic_id=topic), ("territory",),
                            bucket="week")  # fmt: skip


def test_any_period_read_through_months_equals_its_days_summed(world, clock):
    # Given appeals over two and a half months, some answered days later
    for i in range(60):
        appeal = register(world, territory=world.districts[i % 3], block=("health", "waste")[i % 2], topic=i % 3)
        if i % 4 == 0:
            s.assign_appeal(appeal, organisation=world.organisations["health"], by=world.operator)
            clock.advance(days=2)
            s.answer_appeal(appeal, text="Ответ по существу.", by=world.operator)
        clock.advance(hours=29)
    rollup.rebuild_all()
    everything, today = Scope(everything=True), clock.today()
    rng = random.Random(7)
    periods = [(datetime.date(2026, 3, 1), today), (datetime.date(2026, 3, 2), datetime.date(2026, 4, 30)),
               (datetime.date(2026, 3, 31), datetime.date(2026, 4, 1))]  # fmt: skip
    for _ in range(12):
        since = datetime.date(2026, 2, 20) + datetime.timedelta(days=rng.randint(0, 80))
        periods.append((since, since + datetime.timedelta(days=rng.randint(0, 60))))
    for since, until in periods:
        for dims, scope in ((("territory", "sector"), everything), (("topic",), everything),
                            (("organisation",), Scope(blocks=(world.blocks["health"].pk,)))):  # fmt: skip
            q = HeatQuery(since, until)
            summed: dict = {}
            for (_day, *key), counts in selectors.aggregate(scope, q, dims, bucket="day").items():
                target = summed.setdefault(tuple(key), dict.fromkeys(counts, 0))
                for name, value in counts.items():
                    target[name] += value
            # Then reading whole months and the edges gives the same numbers as the days summed
            assert dict(selectors.aggregate(scope, q, dims)) == summed, (since, until, dims)
            # And reading the period with the one before it in one pass gives what each read alone gives
            both = summed_periods(scope, dims, [(q, COUNTERS), (q.previous(), ("received",))])
            assert both == [summed, dict(selectors.aggregate(scope, q.previous(), dims,
                                                                                counters=("received",)))]  # fmt: skip


def test_a_period_reads_whole_months_and_the_cheaper_side_of_each_end():
    today = datetime.date(2026, 11, 23)
    plan = selectors.plan_period(datetime.date(2025, 11, 24), today, today)  # 365 days
    # the last 7 days of November 2025; this month whole less the days after today (there is nothing)
    assert plan.months == (datetime.date(2025, 12, 1), datetime.date(2026, 11, 1))
    assert plan.add == [(datetime.date(2025, 11, 24), datetime.date(2025, 11, 30))]
    assert plan.subtract == [(datetime.date(2026, 11, 24), datetime.date(2026, 11, 30))]
    plan = selectors.plan_period(datetime.date(2025, 11, 5), datetime.date(2026, 10, 31), today)
    # November 2025 less its first 4 days
    assert plan.months == (datetime.date(2025, 11, 1), datetime.date(2026, 10, 1))
    assert (plan.add, plan.subtract) == ([], [(datetime.date(2025, 11, 1), datetime.date(2025, 11, 4))])
    plan = selectors.plan_period(datetime.date(2026, 8, 26), datetime.date(2026, 10, 25), today)
    assert plan.months == (datetime.date(2026, 9, 1), datetime.date(2026, 10, 1))
    assert plan.add == [(datetime.date(2026, 8, 26), datetime.date(2026, 8, 31))]
    assert plan.subtract == [(datetime.date(2026, 10, 26), datetime.date(2026, 10, 31))]
    plan = selectors.plan_period(datetime.date(2026, 10, 3), datetime.date(2026, 10, 9), today)
    assert (plan.months, plan.add, plan.subtract) == (
        None,
        [(datetime.date(2026, 10, 3), datetime.date(2026, 10, 9))],
        [],
    )


# Queries per page: session and user (2), then the page's own. The same for 3 appeals and for 30.
PAGE_QUERIES = [  # each rollup read is one query, or two when it reads whole months and days
    (Role.CURATOR, "heatmap:map", {}, 12),
    (Role.CURATOR, "heatmap:map", {"period": "365"}, 13),
    (Role.BLOCK_HEAD, "heatmap:map", {"period": "90"}, 14),
    (Role.MUNICIPAL_OPERATOR, "heatmap:map", {}, 15),
    (Role.CURATOR, "heatmap:priorities", {}, 7),
    (Role.CURATOR, "heatmap:region-dashboard", {}, 14),
    (Role.BLOCK_HEAD, "heatmap:block-dashboard", {}, 22),
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
        with django_assert_num_queries(queries, info=f"{role} {name} {params}"):
            assert client.get(reverse(name), params).status_code == 200
