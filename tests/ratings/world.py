"""A small region with hand-countable appeals in October 2025 (the expected values are in the tests).

Times are Moscow; each appeal is written straight into the state it would have reached, with the
events the indicators read (assigned, redirected, reopened)."""

import datetime
from types import SimpleNamespace
from zoneinfo import ZoneInfo

from appeals.models import Appeal, AppealEvent
from sectors.models import SectorBlock, Territory
from tests.factories import OrganisationFactory, RegionFactory, TerritoryFactory

MSK = ZoneInfo("Europe/Moscow")
S, K, Q = Appeal.Status, AppealEvent.Kind, Appeal.AnswerQuality
OCTOBER = (datetime.date(2025, 10, 1), datetime.date(2025, 10, 31))


def at(month: int, day: int, hour: int = 10, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(2025, month, day, hour, minute, tzinfo=MSK)


def appeal(org, territory, block, registered, *, status=S.IN_PROGRESS, **fields) -> Appeal:
    assigned = {"assigned_at": registered + datetime.timedelta(hours=1)} if org is not None else {}
    return Appeal.objects.create(
        channel=Appeal.Channel.POS, text="Текст обращения для рейтинга.", received_at=registered,
        registered_at=registered, organisation=org, territory=territory, sector_block=block, status=status,
        **{**assigned, **fields},
    )  # fmt: skip


def event(appeal_: Appeal, kind: str, when: datetime.datetime, **changes) -> AppealEvent:
    created = AppealEvent.objects.create(appeal=appeal_, kind=kind, changes=changes)
    AppealEvent.objects.filter(pk=created.pk).update(created_at=when)  # auto_now_add: set it afterwards
    return created


def closed(answered, quality, satisfaction=None) -> dict:
    return {"status": S.CLOSED, "answered_at": answered, "closed_at": answered + datetime.timedelta(days=1),
            "answer_quality": quality, "satisfaction": satisfaction}  # fmt: skip


def build() -> SimpleNamespace:
    region = RegionFactory()
    a = TerritoryFactory(name="Район А", parent=region)
    a1 = TerritoryFactory(name="Поселение А-1", kind=Territory.Kind.RURAL_SETTLEMENT, parent=a)
    b = TerritoryFactory(name="Район Б", parent=region)
    c = TerritoryFactory(name="Городской округ В", kind=Territory.Kind.CITY_OKRUG, parent=region)
    health, roads = SectorBlock.objects.get(code="health"), SectorBlock.objects.get(code="roads")
    org_a = OrganisationFactory(name="Больница А", territory=a1, sector_blocks=[health])
    org_b = OrganisationFactory(name="Дорожная служба Б", territory=b, sector_blocks=[roads])
    org_c = OrganisationFactory(name="Поликлиника В", territory=a, sector_blocks=[health])
    org_d = OrganisationFactory(name="Учреждение Г без обращений", territory=c)
    w = SimpleNamespace(**locals())

    due = lambda month, day, hour=23, minute=59: at(month, day, hour, minute)  # noqa: E731
    # --- org_a (health): 11 received in October
    w.a1 = appeal(org_a, a1, health, at(10, 2), due_at=due(10, 10), **closed(at(10, 5), Q.ON_MERITS, 5))
    event(w.a1, K.ASSIGNED, at(10, 2, 11), organisation=[None, org_a.pk])
    # Answered on the deadline day, hours after the deadline's time of day: still on time.
    w.a2 = appeal(org_a, a1, health, at(10, 3), due_at=due(10, 12, 10, 0), **closed(at(10, 12, 18), Q.FORMAL, 3))
    w.a3 = appeal(org_a, a1, health, at(10, 4), due_at=due(10, 14), **closed(at(10, 20), Q.ON_MERITS, 4))
    w.a4 = appeal(org_a, a1, health, at(10, 5), due_at=due(10, 15))  # open past the deadline: late, overdue
    w.a5 = appeal(org_a, a1, health, at(10, 20), due_at=due(11, 19))  # open within the deadline: not late
    w.a6 = appeal(org_a, a1, health, at(10, 6), status=S.REOPENED, satisfaction=1)
    event(w.a6, K.REOPENED, at(10, 25))
    # Assigned to org_b, redirected by competence to org_a.
    w.a7 = appeal(org_a, a1, health, at(10, 7), due_at=due(10, 17), **closed(at(10, 9), Q.ON_MERITS))
    event(w.a7, K.ASSIGNED, at(10, 7, 11), organisation=[None, org_b.pk])
    event(w.a7, K.REDIRECTED, at(10, 8), organisation=[org_b.pk, org_a.pk])
    w.a8 = appeal(org_a, a, health, at(10, 8), status=S.REJECTED, due_at=due(10, 18),
                  reject_reason=Appeal.RejectReason.SPAM, closed_at=at(10, 9))  # fmt: skip
    w.a9 = appeal(org_a, a, health, at(9, 15), due_at=due(10, 5), **closed(at(10, 3), Q.ON_MERITS))
    w.a10 = appeal(org_a, a, health, at(9, 20), status=S.ASSIGNED, due_at=due(9, 30))
    w.a11 = appeal(org_a, a, health, at(10, 10), status=S.INFO_REQUESTED, due_at=due(10, 20),
                   clock_paused_at=at(10, 15))  # fmt: skip
    w.a12 = appeal(org_a, a, health, at(10, 12), due_at=due(10, 22), **closed(at(10, 14), Q.NO_ANSWER))
    w.a13 = appeal(org_a, a, health, at(10, 28), due_at=due(11, 27), repeat_of=w.a12)
    w.a14 = appeal(org_a, a, health, at(10, 10), due_at=due(10, 25), status=S.ANSWERED, answered_at=at(11, 3))
    # A duplicate rejected with repeat_of: not a repeat of a1 for the rating.
    w.a15 = appeal(None, a, health, at(10, 9), status=S.REJECTED, repeat_of=w.a1,
                   reject_reason=Appeal.RejectReason.DUPLICATE, closed_at=at(10, 9, 12))  # fmt: skip
    # Assigned to org_a, redirected from org_a to org_b.
    w.a16 = appeal(org_b, a1, health, at(10, 10), due_at=due(11, 9))
    event(w.a16, K.ASSIGNED, at(10, 10, 11), organisation=[None, org_a.pk])
    event(w.a16, K.REDIRECTED, at(10, 11, 9), organisation=[org_a.pk, org_b.pk])
    # --- org_b (roads): everything overdue
    w.b_appeals = [
        appeal(org_b, b, roads, at(10, day), status=S.ASSIGNED, due_at=due(10, day + 5)) for day in range(1, 6)
    ]
    # --- org_c: below the threshold
    w.c1 = appeal(org_c, a, health, at(10, 5), due_at=due(10, 15), status=S.ANSWERED, answered_at=at(10, 6))
    w.c2 = appeal(org_c, a, health, at(10, 6), due_at=due(10, 16))
    return w
