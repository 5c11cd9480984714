import datetime

import pytest
from django.utils import timezone

from appeals.models import Appeal, Topic
from cur.roles import Role
from ratings import periods
from sectors.models import SectorBlock
from tests.appeals.factories import AppealFactory
from tests.factories import ResponsiblePersonFactory, TerritoryFactory

A = Appeal.Status


@pytest.fixture
def health():
    return SectorBlock.objects.get(code="health")


@pytest.fixture
def roads():
    return SectorBlock.objects.get(code="roads")


@pytest.fixture
def curator(make_user):
    return make_user(Role.CURATOR)


@pytest.fixture
def executive(make_user):
    return make_user(Role.EXECUTIVE)


@pytest.fixture
def block_head(make_user):
    return make_user(Role.BLOCK_HEAD)


@pytest.fixture
def block_responsible(make_user):
    return make_user(Role.BLOCK_RESPONSIBLE)


@pytest.fixture
def foreign_head(make_user, roads):
    return make_user(Role.BLOCK_HEAD, username="roads-head", sector_blocks=[roads])


@pytest.fixture
def last_month() -> periods.Period:
    return periods.previous_month()


def health_topic() -> Topic:
    return Topic.objects.filter(sector_block__code="health", is_active=True).order_by("code").first()


def appeal_in(block, day: datetime.date, **fields) -> Appeal:
    """An appeal registered at noon (Moscow) of `day` in `block`."""
    registered = datetime.datetime.combine(day, datetime.time(12), tzinfo=periods.MOSCOW)
    topic = (
        fields.pop("topic", None) or Topic.objects.filter(sector_block=block, is_active=True).order_by("code").first()
    )
    return AppealFactory(sector_block=block, topic=topic, received_at=registered, registered_at=registered, **fields)


def answered(block, day, *, on_time=True, quality=Appeal.AnswerQuality.ON_MERITS, satisfaction=5, **fields):
    registered = datetime.datetime.combine(day, datetime.time(12), tzinfo=periods.MOSCOW)
    due = registered + datetime.timedelta(days=10)
    answered_at = registered + datetime.timedelta(days=5 if on_time else 15)
    return appeal_in(
        block,
        day,
        status=A.CLOSED,
        due_at=due,
        answered_at=answered_at,
        answer_quality=quality,
        satisfaction=satisfaction,
        answer_text="Ответ",
        **fields,
    )


@pytest.fixture
def month_data(health, roads, last_month):
    """Last month in health: 3 answered (2 on time, 1 late and formal), 1 open; 1 in roads."""
    day = last_month.start + datetime.timedelta(days=3)
    answered(health, day)
    answered(health, day, satisfaction=2)
    answered(health, day, on_time=False, quality=Appeal.AnswerQuality.FORMAL, satisfaction=None)
    appeal_in(health, day)
    appeal_in(roads, day)
    return last_month


@pytest.fixture
def person(health):
    return ResponsiblePersonFactory(sector_block=health)


@pytest.fixture
def territory():
    return TerritoryFactory()


@pytest.fixture
def now():
    return timezone.now()
