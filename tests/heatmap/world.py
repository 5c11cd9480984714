"""A small region for the heat map tests: three districts (one with a settlement), two sector blocks with
their topics, executors, and an adjustable clock (the services read `timezone.now`)."""

import datetime
from dataclasses import dataclass, field

from django.utils import timezone

from appeals import services as appeal_services
from appeals.models import Appeal, Topic
from appeals.workflow.deadlines import MOSCOW
from cur.roles import Role
from sectors.models import SectorBlock, Territory
from tests.factories import OrganisationFactory, RegionFactory, UserFactory

START = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=MOSCOW)  # a Monday


class Clock:
    """`timezone.now` under the test's control (monkeypatched by the `clock` fixture)."""

    def __init__(self, start: datetime.datetime = START):
        self.now = start

    def __call__(self) -> datetime.datetime:
        return self.now

    def advance(self, **delta) -> datetime.datetime:
        self.now += datetime.timedelta(**delta)
        return self.now

    def today(self) -> datetime.date:
        return timezone.localtime(self.now, MOSCOW).date()


@dataclass
class World:
    region: Territory
    districts: list[Territory]
    settlement: Territory
    blocks: dict[str, SectorBlock]
    topics: dict[str, list[Topic]]
    organisations: dict[str, object]
    operator: object
    users: dict[str, object] = field(default_factory=dict)

    def topic(self, block: str, index: int = 0) -> Topic:
        return self.topics[block][index]


def build_world() -> World:
    region = RegionFactory()
    names = [("Шацкий район", "61656000", 19368), ("Ряжский район", "61630000", 27707), ("Рязань", "61701000", 528599)]
    districts = []
    for i, (name, oktmo, population) in enumerate(names):
        kind = Territory.Kind.CITY_OKRUG if name == "Рязань" else Territory.Kind.MUNICIPAL_DISTRICT
        square = [[41.0 + i, 54.0], [41.5 + i, 54.0], [41.5 + i, 54.5], [41.0 + i, 54.0]]
        district, _ = Territory.objects.get_or_create(
            oktmo=oktmo, defaults={"name": name, "kind": kind, "parent": region, "population": population,
                                   "boundary": {"type": "Polygon", "coordinates": [square]}},
        )  # fmt: skip
        districts.append(district)
    settlement = Territory.objects.create(name="Шацкое городское поселение", kind=Territory.Kind.URBAN_SETTLEMENT,
                                          parent=districts[0], oktmo="61656101")  # fmt: skip
    blocks = {code: SectorBlock.objects.get(code=code) for code in ("health", "waste")}
    topics = {code: list(Topic.objects.filter(sector_block=b, is_active=True).order_by("code")[:3])
              for code, b in blocks.items()}  # fmt: skip
    organisations = {
        "health": OrganisationFactory(name="ГБУ РО «Шацкая больница»", territory=districts[0],
                                      sector_blocks=[blocks["health"]]),
        "waste": OrganisationFactory(name="ООО «Эко-Пронск»", territory=region, sector_blocks=[blocks["waste"]]),
    }  # fmt: skip
    operator = UserFactory(username="hm-operator", role=Role.OPERATOR)
    return World(region, districts, settlement, blocks, topics, organisations, operator)


def register(world: World, *, territory=None, block: str = "health", topic: int = 0, channel=Appeal.Channel.POS,
             **fields) -> Appeal:  # fmt: skip
    """An appeal registered through the service, already classified by the operator (no classifier task)."""
    appeal, _ = appeal_services.register_appeal(
        channel=channel, text="Прошу разобраться с проблемой, она повторяется каждую неделю.", by=world.operator,
        territory=territory, sector_block=world.blocks[block], topic=world.topic(block, topic), **fields,
    )  # fmt: skip
    return appeal
