"""Surge detection on a synthetic series: a theme and territory whose messages grow far beyond their baseline
becomes a proposed information event; a steady stream does not; a surge is proposed once."""

import datetime

import pytest
from django.utils import timezone

from moderation import services
from moderation.models import IncomingMessage, Surge
from moderation.surge import detect_surges, is_surge
from sectors.models import SectorBlock
from tests.factories import TerritoryFactory
from tests.moderation.factories import MessageFactory

pytestmark = pytest.mark.django_db
NOW = timezone.now()


def series(*, block, territory, per_day_before: int, in_window: int, days: int = 7):
    """`per_day_before` messages a day over the baseline days, then `in_window` within the last 6 hours."""
    for day in range(1, days + 1):
        for n in range(per_day_before):
            at = (
                NOW
                - datetime.timedelta(hours=6)
                - datetime.timedelta(days=day - 1, hours=1 + n * 24 / max(per_day_before, 1))
            )
            MessageFactory(sector_block=block, territory=territory, posted_at=at)
    for n in range(in_window):
        MessageFactory(
            sector_block=block, territory=territory, posted_at=NOW - datetime.timedelta(minutes=10 + n * 15), reach=100
        )


def test_the_rule_alone():
    assert is_surge(12, 1.0, min_count=5, ratio=3.0)
    assert not is_surge(4, 0.0, min_count=5, ratio=3.0)  # too few
    assert not is_surge(12, 5.0, min_count=5, ratio=3.0)  # a busy theme as busy as usual
    assert is_surge(5, 0.2, min_count=5, ratio=3.0)  # a quiet theme counts as one a window


def test_a_growing_theme_is_proposed_and_a_steady_one_is_not(moderator):
    waste, roads = SectorBlock.objects.get(code="waste"), SectorBlock.objects.get(code="roads")
    pronsk, ryazan = TerritoryFactory(name="Пронский район"), TerritoryFactory(name="Рязань")
    series(block=waste, territory=pronsk, per_day_before=1, in_window=12)
    series(block=roads, territory=ryazan, per_day_before=40, in_window=10)

    found = detect_surges(now=NOW)

    assert [(s.sector_block, s.territory) for s in found] == [(waste, pronsk)]
    surge = found[0]
    assert surge.count == 12 and surge.baseline == pytest.approx(0.25)
    assert surge.reach == 1200 and len(surge.sample) == 10
    assert moderator.notifications.filter(title__startswith="Всплеск сообщений").count() == 1


def test_a_surge_is_proposed_once_and_updated_by_later_sweeps(moderator):
    waste, pronsk = SectorBlock.objects.get(code="waste"), TerritoryFactory()
    series(block=waste, territory=pronsk, per_day_before=0, in_window=6)
    detect_surges(now=NOW)
    MessageFactory(sector_block=waste, territory=pronsk, posted_at=NOW)

    detect_surges(now=NOW + datetime.timedelta(minutes=15))

    surge = Surge.objects.get()
    assert surge.count == 7
    assert moderator.notifications.filter(title__startswith="Всплеск").count() == 1


def test_accepting_a_surge_opens_an_event_with_its_open_messages(moderator):
    waste, pronsk = SectorBlock.objects.get(code="waste"), TerritoryFactory(name="Пронский район")
    series(block=waste, territory=pronsk, per_day_before=0, in_window=6)
    surge = detect_surges(now=NOW)[0]

    event = services.accept_surge(surge, by=moderator)

    surge.refresh_from_db()
    assert surge.status == Surge.Status.ACCEPTED and surge.event == event
    assert event.origin == "surge" and event.responsible == moderator and list(event.territories.all()) == [pronsk]
    assert IncomingMessage.objects.filter(event=event, status="event").count() == 6
    with pytest.raises(Exception, match="уже принято решение"):
        services.dismiss_surge(surge, by=moderator)
