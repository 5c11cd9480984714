"""Every indicator against values counted by hand on the small region of `world.py` (October 2025)."""

import datetime
from decimal import Decimal

import pytest

from ratings.models import Level
from tests.factories import ResponsiblePersonFactory

from .helpers import compute, entry, numbers

pytestmark = pytest.mark.django_db


@pytest.fixture
def organisations(world):
    return compute(Level.ORGANISATION)


def test_an_organisations_indicators_match_the_hand_count(world, organisations):
    got = numbers(entry(organisations, world.org_a))

    # Registered in October, not rejected: a1–a7, a11–a14 (a8 spam, a9/a10 September).
    assert got["received"] == (11, 11, None)
    # Deadline in October: a1, a2 (answered on the deadline day), a7, a9, a12 on time;
    # a3 answered late, a4 open past the deadline, a14 answered after the cut-off.
    # Not counted: a5 (open, deadline in November), a11 (clock paused), a6 (reopened, no deadline).
    assert got["on_time"] == (0.625, 5, 8)
    # Answered in October: 2, 2, 3, 9.33, 16, 18 days → (3 + 9.33) / 2; a14 answered in November.
    assert got["median_days"] == (6.17, None, 6)
    # Quality checked among October's: a1, a3, a7 on the merits; a2 formal; a12 no answer.
    assert got["on_merits"] == (0.6, 3, 5)
    # Rated: a1 (5), a2 (3), a3 (4), a6 (1).
    assert got["satisfied"] == (0.5, 2, 4)
    # a6 reopened, a12 got a repeat (a13); a1's "repeat" a15 is a rejected duplicate and does not count.
    assert got["reopened"] == (0.1818, 2, 11)
    # Handed to org_a in October: a1, a7 (redirected to it), a16; a16 then redirected away.
    assert got["redirected"] == (0.3333, 1, 3)
    # Open past the deadline at 24:00 on 31.10: a4, a10 (September's), a14 (answered only in November).
    assert got["open_overdue"] == (3, 3, None)


def test_all_overdue_gives_zero_on_time_and_undefined_answer_indicators(world, organisations):
    got = numbers(entry(organisations, world.org_b))

    assert got["received"] == (6, 6, None)  # five roads appeals and a16 (now with org_b)
    assert got["on_time"] == (0.0, 0, 5)
    assert got["median_days"] == (None, None, 0)
    assert got["on_merits"] == (None, 0, 0)
    assert got["satisfied"] == (None, 0, 0)
    assert got["reopened"] == (0.0, 0, 6)
    # a7 handed to org_b and redirected away; a16 handed to it (redirected from org_a).
    assert got["redirected"] == (0.5, 1, 2)
    assert got["open_overdue"] == (5, 5, None)


def test_a_subject_without_appeals_is_listed_unranked_with_empty_indicators(world, organisations):
    none = entry(organisations, world.org_d)

    assert none.received == 0
    assert not none.has_enough_data
    assert none.rank is None and none.score is None
    assert numbers(none)["on_time"] == (None, 0, 0)
    assert numbers(none)["open_overdue"] == (0, 0, None)


def test_a_subject_below_the_threshold_is_not_ranked(world, organisations):
    few = entry(organisations, world.org_c)

    assert few.received == 2 < organisations.methodology.min_appeals
    assert not few.has_enough_data
    assert few.rank is None and few.score is None
    # Its numbers are still shown.
    assert numbers(few)["on_time"] == (0.5, 1, 2)


def test_the_score_is_the_weighted_normalised_sum_and_ranks_follow_it(world, organisations):
    a, b = entry(organisations, world.org_a), entry(organisations, world.org_b)

    # org_a: 30×0.625 + 10×1 (the only median) + 20×0.6 + 20×0.5 + 10×(1−0.1818) + 5×(1−0.3333)
    #        + 5×1 (3 overdue is the best of 3 and 5) = 67.2655 of 100 weight.
    assert a.values["open_overdue"]["normalised"] == 1.0
    assert a.score == Decimal("67.27")
    # org_b: only on_time (0), reopened (1), redirected (0.5), open_overdue (0) are defined:
    # (0 + 10 + 2.5 + 0) / 50 of weight.
    assert b.values["median_days"]["normalised"] is None
    assert b.score == Decimal("25.00")
    assert (a.rank, b.rank) == (1, 2)
    assert organisations.ranked_count == 2


def test_a_municipality_collects_its_settlements_appeals(world):
    run = compute(Level.MUNICIPALITY)
    got = numbers(entry(run, world.a))

    # org_a's 11, a16 and org_c's two — registered in district А or its settlement А-1.
    assert got["received"] == (14, 14, None)
    assert got["on_time"] == (0.6, 6, 10)
    assert got["median_days"] == (3.0, None, 7)
    # Handed in October: a1, a7, a16; a7 and a16 were redirected afterwards.
    assert got["redirected"] == (0.6667, 2, 3)
    assert got["open_overdue"] == (4, 4, None)
    assert not run.entries.filter(subject_id=world.a1.pk).exists()  # a settlement is not rated on its own
    assert numbers(entry(run, world.b))["received"] == (5, 5, None)
    assert entry(run, world.c).received == 0 and entry(run, world.c).rank is None


def test_a_sector_block_is_rated_with_the_persons_who_held_its_posts_at_the_period_end(world):
    head = ResponsiblePersonFactory(last_name="Блоков", since=datetime.date(2025, 1, 15))
    ResponsiblePersonFactory(role="block_responsible", since=datetime.date(2025, 11, 5))  # appointed later
    ResponsiblePersonFactory(last_name="Прежний", since=datetime.date(2024, 1, 1), until=datetime.date(2025, 1, 14))

    run = compute(Level.SECTOR_BLOCK)
    health = entry(run, world.health)

    assert numbers(health)["received"] == (14, 14, None)
    assert numbers(entry(run, world.roads))["received"] == (5, 5, None)
    assert [p["id"] for p in health.subject_attrs["persons"]] == [head.pk]
