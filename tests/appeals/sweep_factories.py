"""Factories for the deadline tests: appeals whose clock runs, set up directly in the state
assign_appeal would leave them in (assigned to an organisation, with a due date)."""

import datetime

import factory
from factory.django import DjangoModelFactory

from appeals.models import Appeal
from appeals.workflow.deadlines import MOSCOW
from cur.roles import Role
from sectors.models import SectorBlock
from tests.factories import OrganisationFactory, SectorBlockFactory, UserFactory

S = Appeal.Status
# A fixed "now" for the tests: Tuesday 10 March 2026, 10:00 Moscow.
NOW = datetime.datetime(2026, 3, 10, 10, 0, tzinfo=MOSCOW)


def end_of_day(day: datetime.date) -> datetime.datetime:
    """A due moment as the services compute it: 23:59:59 Moscow of that day."""
    return datetime.datetime.combine(day, datetime.time(23, 59, 59), tzinfo=MOSCOW)


def at(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=MOSCOW)


class RunningAppealFactory(DjangoModelFactory):
    """An assigned appeal with a running clock; pass `due_at` (and `organisation` to share one)."""

    class Meta:
        model = Appeal

    channel = Appeal.Channel.POS
    external_id = factory.Sequence(lambda n: f"sweep-{n}")
    received_at = factory.LazyAttribute(lambda o: o.due_at - datetime.timedelta(days=30, hours=2))
    registered_at = factory.LazyAttribute(lambda o: o.received_at + datetime.timedelta(hours=1))
    text = "На остановке «Театральная площадь» третий день не убран снег, пройти невозможно."
    address = "г. Рязань, пл. Театральная"
    applicant_name = "Кузнецова Ольга Петровна"
    applicant_phone = "+7 910 555-12-34"
    sector_block = factory.LazyFunction(lambda: block("health"))
    status = S.ASSIGNED
    organisation = factory.SubFactory(OrganisationFactory)
    assigned_at = factory.LazyAttribute(lambda o: o.registered_at + datetime.timedelta(hours=3))
    due_at = factory.LazyFunction(lambda: end_of_day(NOW.date() + datetime.timedelta(days=20)))


BLOCK_NAMES = {"health": "Здравоохранение", "education": "Образование", "roads": "Дороги"}


def block(code: str) -> SectorBlock:
    """A sector block by code; created when a transactional test's flush removed the migrated rows."""
    return SectorBlockFactory(code=code, name=BLOCK_NAMES.get(code, code))


def executor_of(organisation, username: str):
    return UserFactory(username=username, role=Role.EXECUTOR, organisation=organisation)


def block_person(role: str, block_code: str, username: str):
    return UserFactory(username=username, role=role, sector_blocks=[block(block_code)])
