"""Demo appeals for development: a few thousand plausible appeals of Рязанская область over the last
18 months, in every status, with their timelines, a few incidents and repeat appeals.

Each appeal is simulated the way the services would have moved it (register → classify → assign → …
→ close, with the deadline sweep's reminders, overdue marks and escalations in between), then the
rows are written with bulk_create — 3,000 appeals in a few seconds instead of minutes through the
services. The seed data sets fields directly; the simulation keeps the same invariants as the
services (one AppealEvent per change with from/to status and before/after values).

Idempotent: demo appeals carry external_id «demo-N»; if any exists, nothing is created.
"""

import datetime
import json
import random
from collections import defaultdict
from collections.abc import Callable
from contextlib import contextmanager
from decimal import Decimal

from django.db import connection, transaction
from django.utils import timezone
from faker import Faker

from cur.models import User
from cur.roles import Role
from sectors.models import Organisation, SectorBlock, Territory

from . import deadlines
from . import demo_texts as T
from .models import Appeal, AppealEvent, DeadlineNotice, DeadlineRule, Incident, Topic
from .signals import appeals_changed

S = Appeal.Status
K = AppealEvent.Kind
Q = Appeal.AnswerQuality
R = Appeal.RejectReason

EXTERNAL_PREFIX = "demo-"
MODEL_VERSION = "demo-tfidf-2025.1"
AUTO_ROUTE_CONFIDENCE = 0.8  # above it the classifier's suggestion is routed without an operator
HISTORY_DAYS = 548  # 18 months
REGION_OKTMO, RYAZAN_OKTMO, RYAZAN_DISTRICT_OKTMO = "61000000", "61701000", "61634000"
# Mirrors the sweep's defaults (appeals.sweep): reminders 3 and 1 days before the due date;
# escalation to level 1 when overdue, to level 2 three days later.
REMINDER_DAYS = (3, 1)
ESCALATION_AFTER_DAYS = {1: 0, 2: 3}
ESCALATION_ROLE = {1: Role.BLOCK_HEAD, 2: Role.BLOCK_RESPONSIBLE}

CHANNEL_WEIGHTS = {
    Appeal.Channel.POS: 38,
    Appeal.Channel.SOCIAL: 17,
    Appeal.Channel.PHONE: 14,
    Appeal.Channel.EMAIL: 8,
    Appeal.Channel.MESSENGER: 8,
    Appeal.Channel.WEB: 7,
    Appeal.Channel.LETTER: 5,
    Appeal.Channel.RECEPTION: 3,
}
# Channels an operator types in (registered_by is set); the others arrive through integrations.
OPERATOR_CHANNELS = {Appeal.Channel.PHONE, Appeal.Channel.EMAIL, Appeal.Channel.LETTER, Appeal.Channel.RECEPTION}
# How often citizens write about each topic group (relative); topics with their own texts weigh more.
GROUP_WEIGHTS = {
    "zhkh": 24,
    "dorogi": 16,
    "blagoustroystvo": 16,
    "musor-svalki-tko": 10,
    "zdravoohranenie-meditsina": 9,
    "obschestvennyy-transport": 5,
    "obrazovanie": 5,
    "sotsialnoe-obsluzhivanie-i-zaschita": 3,
    "elektrosnabzhenie": 2,
    "gaz-i-toplivo": 2,
    "bezopasnost": 2,
    "trud-i-zanyatost": 1,
    "ekologiya": 1,
    "kultura": 1,
    "torgovlya": 0.6,
    "fizicheskaya-kultura-i-sport": 0.6,
    "rospotrebnadzor": 0.6,
    "svyaz-i-televidenie": 0.6,
    "stroitelstvo-i-arhitektura": 0.5,
    "pogrebenie-i-pohoronnoe-delo": 0.4,
    "mfts-moi-dokumenty": 0.4,
    "ekonomika-i-biznes": 0.3,
    "pamyatniki-i-obekty-kulturnogo-naslediya": 0.3,
    "mobilizatsiya": 0.2,
    "gosudarstvennaya-sobstvennost": 0.1,
    "spetsproekty": 0.1,
    "koronavirus": 0.05,
}
WINTER, SUMMER = {11, 12, 1, 2, 3}, {6, 7, 8}
HEATING_SEASON = {10, 11, 12, 1, 2, 3, 4}
# Topic code → months when it is written about (outside them: rare or never).
SEASONS: dict[str, tuple[set[int], float]] = {
    "nenadlezhaschee-kachestvo-ili-otsutstvie-otopleniya": (HEATING_SEASON, 0.05),
    "problemy-s-otopleniem-detskih-sadov-i-shkol": (HEATING_SEASON, 0.0),
    "narushenie-pravil-ochistki-dorog-ot-snega-i-naledi-obraschen": (WINTER, 0.0),
    "narushenie-pravil-uborki-ot-snega-i-naledi-vnutridvorovogo-p": (WINTER, 0.0),
    "narushenie-pravil-uborki-ot-snega-i-naledi-territorii-parka": (WINTER, 0.0),
    "narushenie-pravil-uborki-ot-snega-i-naledi-detskoy-igrovoy-i": (WINTER, 0.0),
    "naled-i-sosulki-na-krovle": ({12, 1, 2, 3}, 0.0),
    "otsutstvie-goryachey-vody": ({5, 6, 7, 8}, 0.4),
    "yamy-i-vyboiny-na-doroge": ({3, 4, 5}, 0.6),
    "borschevik-sosnovskogo": ({6, 7, 8}, 0.0),
    "nenadlezhaschee-soderzhanie-zelenyh-nasazhdeniy-gazonov-dere": ({5, 6, 7, 8, 9}, 0.2),
    "podtoplenie-territorii": ({3, 4, 10}, 0.3),
    "podtoplenie-avtomobilnyh-dorog": ({3, 4}, 0.2),
    "detskie-ozdorovitelnye-lagerya": ({4, 5, 6, 7}, 0.0),
    "ege-oge": ({5, 6}, 0.0),
    "bezopasnost-obrazovatelnogo-protsessa": ({9, 10, 11, 12, 1, 2, 3, 4, 5}, 0.1),
}
# Relative volume of appeals by month (more in the heating season and the spring thaw).
MONTH_VOLUME = {
    1: 1.15,
    2: 1.1,
    3: 1.15,
    4: 1.1,
    5: 0.95,
    6: 0.85,
    7: 0.85,
    8: 0.9,
    9: 0.95,
    10: 1.05,
    11: 1.1,
    12: 1.1,
}
WEEKDAY_VOLUME = (1.0, 1.0, 0.95, 0.95, 0.9, 0.6, 0.55)
# By hour of the day (Moscow), 0–23.
HOUR_WEIGHTS = (1, 1, 0.5, 0.5, 0.5, 1, 2, 4, 7, 9, 10, 10, 9, 9, 9, 9, 9, 8, 8, 8, 7, 6, 4, 2)
# Final status by the appeal's age in days: (upper bound of age, {status: weight}).
STATUS_BY_AGE = (
    (1, {S.NEW: 60, S.ASSIGNED: 30, S.REJECTED: 10}),
    (3, {S.NEW: 25, S.ASSIGNED: 35, S.IN_PROGRESS: 25, S.INFO_REQUESTED: 5, S.ANSWERED: 5, S.REJECTED: 5}),
    (
        10,
        {
            S.NEW: 5,
            S.ASSIGNED: 12,
            S.IN_PROGRESS: 38,
            S.INFO_REQUESTED: 8,
            S.ANSWERED: 17,
            S.RETURNED: 4,
            S.CLOSED: 10,
            S.REJECTED: 6,
        },
    ),
    (
        30,
        {
            S.NEW: 2,
            S.ASSIGNED: 4,
            S.IN_PROGRESS: 25,
            S.INFO_REQUESTED: 6,
            S.ANSWERED: 13,
            S.RETURNED: 5,
            S.CLOSED: 37,
            S.REJECTED: 5,
            S.REOPENED: 3,
        },
    ),
    (
        90,
        {
            S.ASSIGNED: 2,
            S.IN_PROGRESS: 6,
            S.INFO_REQUESTED: 1,
            S.ANSWERED: 4,
            S.RETURNED: 1,
            S.REOPENED: 4,
            S.CLOSED: 76,
            S.REJECTED: 6,
        },
    ),
    (HISTORY_DAYS + 1, {S.IN_PROGRESS: 1, S.REOPENED: 2, S.ANSWERED: 1, S.CLOSED: 89, S.REJECTED: 7}),
)
# One appeal per status (at a fitting age in days) so that even a small demo shows every state,
# plus an overdue one and one answered late.
COVERAGE = (
    (S.NEW, 0.4),
    (S.ASSIGNED, 2),
    (S.IN_PROGRESS, 8),
    (S.INFO_REQUESTED, 12),
    (S.ANSWERED, 15),
    (S.RETURNED, 18),
    (S.REOPENED, 40),
    (S.CLOSED, 60),
    (S.REJECTED, 20),
    (S.IN_PROGRESS, 50),
    (S.CLOSED, 120),
)
OVERDUE_COVERAGE, LATE_COVERAGE = 9, 10  # indexes in COVERAGE


def _hours(value: float) -> datetime.timedelta:
    return datetime.timedelta(hours=value)


def _moscow_date(value: datetime.datetime) -> str:
    return timezone.localtime(value, deadlines.MOSCOW).strftime("%d.%m.%Y")


def _day_start(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=deadlines.MOSCOW)


class Ref:
    """A link to another demo appeal (repeat_of), resolved to its id once the appeals are inserted."""

    def __init__(self, sim: "Sim"):
        self.sim = sim

    @property
    def pk(self) -> int:
        return self.sim.obj.pk


def _json(value):
    if isinstance(value, datetime.datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def _resolve(value):
    if isinstance(value, Ref):
        return value.pk
    if isinstance(value, list):
        return [_resolve(v) for v in value]
    if isinstance(value, dict):
        return {k: _resolve(v) for k, v in value.items()}
    return value


class Sim:
    """One appeal on its way: its fields (foreign keys as <name>_id) and its timeline so far."""

    def __init__(self, ctx: "Context", fields: dict):
        self.ctx = ctx
        self.f = fields
        self.events: list[dict] = []
        self.notices: set[tuple[str, int, datetime.datetime]] = set()
        self.obj: Appeal | None = None
        self.checked_until = fields["registered_at"]
        self.topic: Topic | None = None
        self.territory: Territory | None = None
        self.place: dict = {}
        self.applicant: dict = {}
        self.incident: Incident | None = None

    # --- the timeline -------------------------------------------------------------------------

    def event(self, kind: str, at, actor=None, *, comment="", transition=True, changes=None, **values) -> None:
        """Like services._transition: apply values, record {field: [before, after]} and the statuses."""
        before = self.f["status"]
        recorded = dict(changes or {})
        for name, value in values.items():
            old = self.f.get(name)
            if old is not value and old != value:
                recorded[name.removesuffix("_id")] = [_json(old), _json(value)]
                self.f[name] = value
        self.events.append(
            {
                "kind": kind,
                "created_at": at,
                "actor_id": actor,
                "comment": comment,
                "changes": recorded,
                "from_status": before if transition else "",
                "to_status": self.f["status"] if transition else "",
            }
        )

    def sweep_until(self, until: datetime.datetime) -> None:
        """What the deadline sweep would have done between the last step and `until`, in the state
        the appeal was in: reminders, the overdue mark, escalations (each once per due date)."""
        start, self.checked_until = self.checked_until, until
        f = self.f
        if f["status"] not in Appeal.CLOCK_STATUSES or f.get("clock_paused_at") or not f.get("due_at"):
            return
        due = f["due_at"]
        moments = []
        for d in REMINDER_DAYS:
            at = _day_start(timezone.localtime(due, deadlines.MOSCOW).date() - datetime.timedelta(days=d))
            moments.append((at + datetime.timedelta(minutes=4), "reminder", d))
        overdue_at = f.get("overdue_at") or due + datetime.timedelta(minutes=self.ctx.rng.randint(2, 9))
        moments.append((overdue_at, "overdue", 0))
        for level, days in ESCALATION_AFTER_DAYS.items():
            moments.append((overdue_at + datetime.timedelta(days=days, seconds=1), "escalation", level))
        for at, kind, level in sorted(moments):
            if not start < at <= until:
                continue
            if kind == "reminder" and ("reminder", level, due) not in self.notices and at < due:
                self.notices.add(("reminder", level, due))
                left = "1 дня" if level == 1 else f"{level} дней"
                self.event(
                    K.REMINDER,
                    at,
                    transition=False,
                    changes={"days_left": level, "due_at": due.isoformat()},
                    comment=f"Напоминание исполнителю: до срока ответа {_moscow_date(due)} не более {left}.",
                )
            elif kind == "overdue" and not f.get("overdue_at"):
                self.event(
                    K.OVERDUE, at, transition=False, overdue_at=at, comment=f"Срок ответа {_moscow_date(due)} истёк."
                )
            elif kind == "escalation" and f.get("overdue_at") and f.get("escalation_level", 0) < level:
                self.notices.add(("escalation", level, due))
                whom = Role(ESCALATION_ROLE[level]).label.lower()
                f["escalation_level"] = level
                self.event(
                    K.ESCALATED,
                    at,
                    transition=False,
                    changes={"escalation_level": level},
                    comment=f"Эскалация (уровень {level}): {whom}.",
                )

    def run(self, plan: list[tuple[float, float, Callable]], start: datetime.datetime, end: datetime.datetime) -> None:
        """Do the steps at increasing times after `start`, squeezed into `end` if they would not fit."""
        rng = self.ctx.rng
        gaps = [rng.uniform(lo, hi) for lo, hi, _ in plan]
        total, budget = sum(gaps), (end - start).total_seconds() / 3600
        if total > budget:
            gaps = [g * budget / total for g in gaps]
        t = start
        for gap, (_lo, _hi, step) in zip(gaps, plan, strict=True):
            t += _hours(gap)
            self.sweep_until(t)
            step(t)
        self.sweep_until(self.ctx.now)


class Context:
    """Everything the generator looks up once: territories, topics, organisations, users, Faker."""

    def __init__(self, seed: int):
        self.rng = random.Random(seed)  # noqa: S311 — demo data, not security
        self.fake = Faker("ru_RU")
        self.fake.seed_instance(seed)
        self.now = timezone.now()
        self.territories = {t.oktmo: t for t in Territory.objects.filter(is_active=True).defer("boundary")}
        self.boxes = _bounding_boxes()
        self.region = self.territories.get(REGION_OKTMO)
        municipal = [t for t in self.territories.values() if t.kind in Territory.MUNICIPAL_KINDS]
        # Рязань gets ~45% of appeals, the Рязанский district and the other cities more than the rest.
        weights = {RYAZAN_OKTMO: 45.0, RYAZAN_DISTRICT_OKTMO: 5.0}
        self.municipal = municipal
        self.municipal_weights = [
            weights.get(t.oktmo, 3.0 if t.kind == Territory.Kind.CITY_OKRUG else self.rng.uniform(0.8, 2.2))
            for t in municipal
        ]
        self.topics = list(Topic.objects.filter(is_active=True).select_related("group"))
        self.blocks = {b.pk: b for b in SectorBlock.objects.all()}
        self.topic_weights = self._topic_weights()
        self.rules = list(DeadlineRule.objects.filter(is_active=True))
        self._load_organisations()
        self.operators = list(User.objects.filter(role=Role.OPERATOR, is_active=True).values_list("pk", flat=True))
        self.executors: dict[int, list[int]] = defaultdict(list)
        for org_id, user_id in User.objects.filter(role=Role.EXECUTOR, is_active=True).values_list(
            "organisation_id", "pk"
        ):
            self.executors[org_id].append(user_id)
        self.applicants = [self._applicant() for _ in range(400)]
        self.frequent = self.applicants[:25]
        self.by_topic_territory: dict[tuple, list[Sim]] = defaultdict(list)
        from sectors import demo as sectors_demo  # district centres and city names; demo code reaches right

        self.centres = getattr(sectors_demo, "DISTRICTS", {})
        self.cities = getattr(sectors_demo, "CITIES", {})

    # --- directories ------------------------------------------------------------------------------

    def _topic_weights(self) -> dict[int, list[float]]:
        """Per month (1–12): a weight for each topic of self.topics."""
        in_group = defaultdict(int)
        for topic in self.topics:
            in_group[topic.group.code] += 1
        result = {}
        for month in range(1, 13):
            weights = []
            for topic in self.topics:
                w = GROUP_WEIGHTS.get(topic.group.code, 0.2) / in_group[topic.group.code]
                w *= 6 if topic.code in T.TOPIC_TEXTS else 1
                if topic.code in SEASONS:
                    months, off = SEASONS[topic.code]
                    w *= 3 if month in months else off
                weights.append(w)
            result[month] = weights
        return result

    def _load_organisations(self) -> None:
        orgs = list(Organisation.objects.filter(is_active=True).prefetch_related("sector_blocks"))
        self.organisations = {o.pk: o for o in orgs}
        self.local: dict[tuple[int, int], list[int]] = defaultdict(list)  # (block, territory) → orgs
        self.regional: dict[int, list[int]] = defaultdict(list)  # block → region-wide institutions
        self.ministries: dict[int, list[int]] = defaultdict(list)  # block → regional bodies
        self.government: list[int] = []
        for org in orgs:
            blocks = [b.pk for b in org.sector_blocks.all()]
            if org.kind == Organisation.Kind.REGIONAL_BODY:
                for block in blocks:
                    self.ministries[block].append(org.pk)
                if not blocks:
                    self.government.append(org.pk)
            elif self.region is not None and org.territory_id == self.region.pk:
                for block in blocks:
                    self.regional[block].append(org.pk)
            else:
                for block in blocks:
                    self.local[(block, org.territory_id)].append(org.pk)
        self.fallback = self.government or [o.pk for o in orgs if o.kind == Organisation.Kind.REGIONAL_BODY]
        self.fallback = self.fallback or list(self.organisations)

    def executor_for(self, block_id: int | None, territory_id: int | None, *, exclude: int | None = None) -> int:
        """An organisation of the block on the territory; else a region-wide one; else the ministry."""
        rng = self.rng
        local = [o for o in self.local.get((block_id, territory_id), []) if o != exclude]
        wider = [o for o in self.regional.get(block_id, []) + self.ministries.get(block_id, []) if o != exclude]
        if local and (not wider or rng.random() < 0.85):
            return rng.choice(local)
        if wider:
            return rng.choice(wider)
        return rng.choice([o for o in self.fallback if o != exclude] or self.fallback)

    def operator(self) -> int | None:
        return self.rng.choice(self.operators) if self.operators else None

    def executor_user(self, org_id: int | None) -> int | None:
        users = self.executors.get(org_id)
        return self.rng.choice(users) if users else None

    def due_at(self, channel: str, block_id, topic_id, start: datetime.datetime) -> datetime.datetime:
        """services.compute_due_at over the rules loaded once."""
        rules = [
            r
            for r in self.rules
            if r.channel in ("", channel) and r.sector_block_id in (None, block_id) and r.topic_id in (None, topic_id)
        ]
        if not rules:
            return deadlines.add_days(start, deadlines.ACCELERATED_DAYS, working=False)
        rule = max(
            rules, key=lambda r: (r.topic_id is not None, r.sector_block_id is not None, r.channel != "", -r.days)
        )
        return deadlines.add_days(start, rule.days, working=rule.day_kind == DeadlineRule.DayKind.WORKING)

    # --- people and places --------------------------------------------------------------------------

    def _applicant(self) -> dict:
        fake, rng = self.fake, self.rng
        if rng.random() < 0.5:
            name = f"{fake.last_name_male()} {fake.first_name_male()} {fake.middle_name_male()}"
        else:
            name = f"{fake.last_name_female()} {fake.first_name_female()} {fake.middle_name_female()}"
        legal = rng.random() < 0.03
        return {
            "applicant_name": name,
            "applicant_phone": f"+7 ({rng.choice(['910', '915', '920', '930', '950', '953', '960', '980'])}) "
            f"{rng.randint(100, 999)}-{rng.randint(10, 99)}-{rng.randint(10, 99)}",
            "applicant_email": fake.free_email() if rng.random() < 0.7 else "",
            "applicant_is_legal": legal,
            "applicant_legal_name": fake.company() if legal else "",
        }

    def applicant(self) -> dict:
        pool = self.frequent if self.rng.random() < 0.12 else self.applicants
        if pool is self.applicants and self.rng.random() < 0.6:
            return self._applicant()
        return self.rng.choice(pool)

    def territory(self) -> Territory:
        return self.rng.choices(self.municipal, weights=self.municipal_weights)[0]

    def place(self, territory: Territory, *, rural: bool | None = None) -> dict:
        """A street address on the territory: Рязань streets, or the district centre or a village."""
        rng = self.rng
        centres, cities = self.centres, self.cities
        house, house2 = rng.randint(1, 120), rng.randint(1, 120)
        village = rng.choice(T.VILLAGES)
        if territory.oktmo == RYAZAN_OKTMO:
            street, street2 = rng.sample(T.RYAZAN_STREETS, 2)
            place = "г. Рязань"
        else:
            street, street2 = rng.sample(T.TOWN_STREETS, 2)
            house, house2 = rng.randint(1, 60), rng.randint(1, 60)
            if territory.oktmo in cities:
                place = f"г. {cities[territory.oktmo][0]}"
            elif rural or territory.oktmo == RYAZAN_DISTRICT_OKTMO or territory.oktmo not in centres:
                # The Рязанский district's centre is Рязань itself: its appeals come from its villages.
                place = f"с. {village}"
            elif rural is None and rng.random() < 0.3:
                place = f"с. {village}"
            else:
                place = centres[territory.oktmo][1]
        lo, hi = sorted((house, house2))
        return {
            "place": place,
            "street": street,
            "street2": street2,
            "house": lo,
            "house2": max(hi, lo + 2),
            "addr": f"{street}, д. {lo}",
            "dom": f"№ {lo} по {street}",
            "village": village if not place.startswith("с. ") else place[3:],
            "flat": rng.randint(1, 180),
            "n": rng.randint(1, 70),
            "route": rng.randint(1, 95),
            "days": rng.choice(T.DAYS),
            "hours": rng.choice(T.HOURS),
        }

    def coordinates(self, territory: Territory) -> tuple[Decimal, Decimal] | tuple[None, None]:
        box = self.boxes.get(territory.pk)
        if box is None:
            return None, None
        (x0, y0), (x1, y1) = box
        # Around the middle of the bounding box: most of it is inside the municipality.
        lon = (x0 + x1) / 2 + self.rng.uniform(-0.2, 0.2) * (x1 - x0)
        lat = (y0 + y1) / 2 + self.rng.uniform(-0.2, 0.2) * (y1 - y0)
        return Decimal(f"{lat:.6f}"), Decimal(f"{lon:.6f}")

    def registered_at(self, age_days: float | None = None) -> datetime.datetime:
        """A plausible registration moment: seasonal volume, fewer on weekends, mostly in the daytime."""
        rng, now = self.rng, self.now
        today = timezone.localtime(now, deadlines.MOSCOW).date()
        while True:
            age = (
                age_days
                if age_days is not None
                else (rng.uniform(0, 45) if rng.random() < 0.3 else rng.uniform(0, HISTORY_DAYS))
            )
            day = today - datetime.timedelta(days=int(age))
            if age_days is None and rng.random() > MONTH_VOLUME[day.month] * WEEKDAY_VOLUME[day.weekday()] / 1.2:
                continue
            hour = rng.choices(range(24), weights=HOUR_WEIGHTS)[0]
            moment = datetime.datetime.combine(
                day, datetime.time(hour, rng.randint(0, 59), rng.randint(0, 59)), tzinfo=deadlines.MOSCOW
            )
            if moment > now - datetime.timedelta(minutes=20):
                moment = now - datetime.timedelta(minutes=rng.uniform(20, 600))
            return moment.astimezone(datetime.UTC)

    def topic_for(self, moment: datetime.datetime) -> Topic:
        month = timezone.localtime(moment, deadlines.MOSCOW).month
        return self.rng.choices(self.topics, weights=self.topic_weights[month])[0]


def _bounding_boxes() -> dict[int, tuple[tuple[float, float], tuple[float, float]]]:
    boxes = {}
    for pk, boundary in Territory.objects.exclude(boundary=None).values_list("pk", "boundary"):
        points = list(_points((boundary or {}).get("coordinates", [])))
        if points:
            xs, ys = [p[0] for p in points], [p[1] for p in points]
            boxes[pk] = ((min(xs), min(ys)), (max(xs), max(ys)))
    return boxes


def _points(coordinates):
    if coordinates and isinstance(coordinates[0], int | float):
        yield coordinates
        return
    for item in coordinates:
        yield from _points(item)


# --- one appeal ------------------------------------------------------------------------------------


def _status_for_age(rng: random.Random, age_days: float) -> str:
    for limit, weights in STATUS_BY_AGE:
        if age_days < limit:
            return rng.choices(list(weights), weights=list(weights.values()))[0]
    return S.CLOSED


def _templates(topic: Topic) -> tuple[str, ...]:
    return T.TOPIC_TEXTS.get(topic.code) or T.GROUP_TEXTS.get(topic.group.code) or T.GENERIC_TEXTS


def _text(ctx: Context, topic: Topic, place: dict) -> str:
    rng = ctx.rng
    templates = _templates(topic)
    rural = place["place"].startswith("с. ")
    fitting = [t for t in templates if ("{village}" in t) == rural] or list(templates)
    name = topic.name if topic.name[1:2].isupper() else topic.name[:1].lower() + topic.name[1:]  # keep «ЕГЭ»
    body = rng.choice(fitting).format(topic=name, **place)
    body = body[0].upper() + body[1:]
    return f"{rng.choice(T.GREETINGS)}{body}{rng.choice(T.CLOSINGS)}".strip()


def _answer(ctx: Context, block_code: str, quality: str, at: datetime.datetime) -> str:
    rng = ctx.rng
    if quality == Q.FORMAL:
        return rng.choice(T.FORMAL_ANSWERS)
    if quality == Q.NO_ANSWER:
        return rng.choice(T.NO_ANSWERS)
    done = at - datetime.timedelta(days=rng.randint(0, 3))
    return rng.choice(T.ANSWERS_BY_BLOCK.get(block_code, T.GENERIC_ANSWERS)).format(date=_moscow_date(done))


def _new_sim(
    ctx: Context,
    index: int,
    registered: datetime.datetime,
    *,
    topic=None,
    territory=None,
    place=None,
    applicant=None,
    text=None,
) -> Sim:
    rng = ctx.rng
    channel = rng.choices(list(CHANNEL_WEIGHTS), weights=list(CHANNEL_WEIGHTS.values()))[0]
    territory = territory or ctx.territory()
    topic = topic or ctx.topic_for(registered)
    rural_only = all("{village}" in t for t in _templates(topic))
    if rural_only and territory.kind == Territory.Kind.CITY_OKRUG:
        territory = ctx.territories.get(RYAZAN_DISTRICT_OKTMO, territory)
    place = place or ctx.place(territory, rural=True if rural_only else None)
    lag = {
        Appeal.Channel.LETTER: rng.uniform(24, 120),
        Appeal.Channel.EMAIL: rng.uniform(0.1, 20),
        Appeal.Channel.RECEPTION: 0,
        Appeal.Channel.PHONE: rng.uniform(0, 0.05),
    }.get(channel, rng.uniform(0.02, 1.5))
    lat, lon = ctx.coordinates(territory) if channel in ("pos", "web", "messenger") else (None, None)
    applicant = applicant or ctx.applicant()
    fields = {
        "channel": channel,
        "external_id": f"{EXTERNAL_PREFIX}{index}",
        "status": S.NEW,
        "received_at": registered - _hours(lag),
        "registered_at": registered,
        "registered_by_id": ctx.operator() if channel in OPERATOR_CHANNELS else None,
        "text": text or _text(ctx, topic, place),
        "address": f"{place['place']}, {place['addr']}",
        "latitude": lat,
        "longitude": lon,
        **applicant,
        "applicant_address": (f"{rng.randint(390000, 391999)}, {place['place']}, {place['addr']}, кв. {place['flat']}")
        if channel == "letter" or rng.random() < 0.2
        else "",
        "escalation_level": 0,
    }
    sim = Sim(ctx, fields)
    sim.topic, sim.territory, sim.place, sim.applicant = topic, territory, place, applicant
    sim.event(
        K.REGISTERED,
        registered,
        fields["registered_by_id"],
        transition=False,
        changes={"channel": channel, "external_id": fields["external_id"]},
    )
    return sim


def _reopen_values() -> dict:
    """What services._reopen clears."""
    return {
        "status": S.REOPENED,
        "answered_at": None,
        "closed_at": None,
        "answer_quality": "",
        "due_at": None,
        "overdue_at": None,
        "escalation_level": 0,
        "clock_paused_at": None,
    }


class Plan:
    """The steps that take one appeal to its final status, as (min hours, max hours, step)."""

    def __init__(self, ctx: Context, sim: Sim):
        self.ctx, self.sim, self.rng = ctx, sim, ctx.rng
        self.steps: list[tuple[float, float, Callable]] = []
        self.org: int | None = sim.f.get("organisation_id")

    def add(self, lo: float, hi: float, step: Callable) -> None:
        self.steps.append((lo, hi, step))

    # --- the services' steps --------------------------------------------------------------------

    def classify(self, *, auto: bool, triage: bool = False) -> None:
        """The classifier's suggestion; above the threshold it also sets the classification."""
        sim, rng, ctx = self.sim, self.rng, self.ctx
        topic, territory = sim.topic, sim.territory
        low, high = (AUTO_ROUTE_CONFIDENCE, 0.99) if auto else (0.3, AUTO_ROUTE_CONFIDENCE - 0.01)
        confidence = round(rng.uniform(low, high), 3)
        suggested = topic if auto or rng.random() < 0.7 else rng.choice(ctx.topics)
        suggested_territory = territory if rng.random() < 0.93 else ctx.territory()

        def step(t):
            values = {
                "suggested_sector_block_id": suggested.sector_block_id,
                "suggested_topic_id": suggested.pk,
                "suggested_territory_id": suggested_territory.pk,
                "confidence": confidence,
                "model_version": MODEL_VERSION,
                "classified_at": t,
                "classification_source": Appeal.ClassificationSource.AUTO,
            }
            if auto and not triage:
                values.update(sector_block_id=topic.sector_block_id, topic_id=topic.pk, territory_id=territory.pk)
            sim.event(K.CLASSIFIED, t, **values)

        self.add(0.01, 0.2, step)
        if not auto and not triage:
            self.add(
                0.3,
                20,
                lambda t: sim.event(
                    K.RECLASSIFIED,
                    t,
                    ctx.operator(),
                    sector_block_id=topic.sector_block_id,
                    topic_id=topic.pk,
                    territory_id=territory.pk,
                    classification_source=Appeal.ClassificationSource.MANUAL,
                ),
            )

    def assign(self, *, auto: bool = False) -> None:
        sim, ctx = self.sim, self.ctx
        org = self.org = ctx.executor_for(sim.topic.sector_block_id, sim.territory.pk)

        def step(t):
            values = {"organisation_id": org, "assigned_at": t}
            if sim.f.get("due_at") is None:
                # The clock runs from registration; for a reopened appeal from its new assignment.
                start = sim.f["registered_at"] if sim.f["status"] == S.NEW else t
                due = ctx.due_at(sim.f["channel"], sim.topic.sector_block_id, sim.topic.pk, start)
                values.update(due_at=due, overdue_at=None, escalation_level=0)
            sim.event(
                K.ASSIGNED,
                t,
                None if auto else ctx.operator(),
                status=S.ASSIGNED,
                comment="Автоматическая маршрутизация по правилам." if auto else "",
                **values,
            )

        if auto:
            self.add(0.01, 0.1, step)
        else:
            self.add(0.5, 30, step)

    def redirect(self) -> None:
        sim, ctx = self.sim, self.ctx
        new = ctx.executor_for(sim.topic.sector_block_id, sim.territory.pk, exclude=self.org)
        if new == self.org:
            return
        self.org = new
        reason = self.rng.choice(T.REDIRECT_REASONS)
        self.add(
            10,
            96,
            lambda t: sim.event(
                K.REDIRECTED, t, ctx.operator(), status=S.ASSIGNED, comment=reason, organisation_id=new, assigned_at=t
            ),
        )

    def start(self) -> None:
        org = self.org
        self.add(2, 72, lambda t: self.sim.event(K.STARTED, t, self.ctx.executor_user(org), status=S.IN_PROGRESS))

    def request_info(self) -> None:
        org, comment = self.org, self.rng.choice(T.INFO_REQUESTS)
        self.add(
            12,
            120,
            lambda t: self.sim.event(
                K.INFO_REQUESTED,
                t,
                self.ctx.executor_user(org),
                status=S.INFO_REQUESTED,
                comment=comment,
                clock_paused_at=t,
            ),
        )

    def receive_info(self) -> None:
        sim, comment = self.sim, self.rng.choice(T.INFO_RECEIVED)

        def step(t):
            # services.receive_info: the due date moves by the pause.
            values = {"clock_paused_at": None}
            due, paused = sim.f.get("due_at"), sim.f.get("clock_paused_at")
            if due is not None and paused is not None:
                values["due_at"] = due + (t - paused)
                if values["due_at"] > t:
                    values["overdue_at"] = None
            sim.event(K.INFO_RECEIVED, t, self.ctx.operator(), status=S.IN_PROGRESS, comment=comment, **values)

        self.add(24, 240, step)

    def extend(self) -> None:
        sim, days, reason = self.sim, self.rng.randint(7, 20), self.rng.choice(T.EXTENSION_REASONS)

        def step(t):
            day = timezone.localtime(max(sim.f["due_at"], t), deadlines.MOSCOW).date() + datetime.timedelta(days=days)
            new_due = datetime.datetime.combine(day, datetime.time(23, 59, 59), tzinfo=deadlines.MOSCOW)
            sim.event(
                K.EXTENDED, t, self.ctx.operator(), comment=reason, due_at=new_due, overdue_at=None, escalation_level=0
            )

        self.add(24, 300, step)

    def answer(self, *, late: bool = False, quality: str = Q.ON_MERITS) -> None:
        sim, org = self.sim, self.org
        block = self.ctx.blocks[sim.topic.sector_block_id].code

        def step(t):
            sim.event(
                K.ANSWERED,
                t,
                self.ctx.executor_user(org),
                status=S.ANSWERED,
                answer_quality="",
                answer_text=_answer(self.ctx, block, quality, t),
                answered_at=t,
            )

        if late:  # past the 30 days: the sweep marks it overdue first
            self.add(745, 1000, step)
        else:
            self.add(30, 500, step)

    def quality(self, quality: str) -> None:
        comment = self.rng.choice(T.QUALITY_COMMENTS) if quality == Q.ON_MERITS else ""
        self.add(
            2,
            72,
            lambda t: self.sim.event(
                K.QUALITY_CHECKED, t, self.ctx.operator(), comment=comment, answer_quality=quality
            ),
        )

    def return_(self) -> None:
        reason = self.rng.choice(T.RETURN_REASONS)
        self.add(
            1,
            24,
            lambda t: self.sim.event(
                K.RETURNED, t, self.ctx.operator(), status=S.RETURNED, comment=reason, answered_at=None
            ),
        )

    def close(self) -> None:
        self.add(1, 72, lambda t: self.sim.event(K.CLOSED, t, self.ctx.operator(), status=S.CLOSED, closed_at=t))

    def satisfaction(self, score: int) -> None:
        sim = self.sim
        feedback = T.NEGATIVE_FEEDBACK if score <= 2 else T.NEUTRAL_FEEDBACK if score == 3 else T.POSITIVE_FEEDBACK
        comment = self.rng.choice(feedback)

        def step(t):
            operator = self.ctx.operator()
            sim.event(K.SATISFACTION, t, operator, comment=comment, satisfaction=score, satisfaction_comment=comment)
            if score <= 2:  # services.record_satisfaction reopens the case
                sim.event(
                    K.REOPENED,
                    t,
                    operator,
                    comment=f"Заявитель не удовлетворён ответом (оценка {score}).",
                    **_reopen_values(),
                )

        self.add(12, 240, step)

    def reopen(self) -> None:
        reason = self.rng.choice(T.REOPEN_REASONS)
        self.add(
            24, 480, lambda t: self.sim.event(K.REOPENED, t, self.ctx.operator(), comment=reason, **_reopen_values())
        )

    def reject(self, reason: str, duplicate_of: Sim | None = None) -> None:
        values = {"reject_reason": reason}
        if duplicate_of is not None:
            values["repeat_of_id"] = Ref(duplicate_of)
        comment = self.rng.choice(T.REJECT_COMMENTS[reason])
        self.add(
            0.5,
            48,
            lambda t: self.sim.event(
                K.REJECTED, t, self.ctx.operator(), status=S.REJECTED, comment=comment, closed_at=t, **values
            ),
        )

    def link(self, incident: Incident) -> None:
        self.add(0.5, 24, lambda t: self.sim.event(K.INCIDENT_LINKED, t, self.ctx.operator(), incident_id=incident.pk))

    # --- whole paths ------------------------------------------------------------------------------------

    def to(self, final: str, *, late: bool = False, detours: bool = True, duplicate_of: Sim | None = None) -> None:
        """The steps to `final`, with the usual detours (redirects, information requests, extensions,
        returns, dissatisfaction) unless `detours` is off; the sweep marks a long-open appeal overdue."""
        rng, sim = self.rng, self.sim

        def maybe(p: float) -> bool:
            return detours and rng.random() < p

        if final == S.NEW:
            self.classify(auto=False, triage=True)
            if sim.incident is not None:
                self.link(sim.incident)
            return
        if final == S.REJECTED and duplicate_of is None and rng.random() < 0.45:
            # Spam or a message without essence: rejected in triage, never classified by an operator.
            reason = rng.choice([R.SPAM, R.NO_ESSENCE])
            sim.f["text"] = rng.choice(T.SPAM_TEXTS if reason == R.SPAM else T.NO_ESSENCE_TEXTS)
            sim.f["address"] = ""
            self.classify(auto=False, triage=True)
            return self.reject(reason)
        auto = rng.random() < 0.55
        self.classify(auto=auto)
        if sim.incident is not None:
            self.link(sim.incident)
        if final == S.REJECTED:
            if duplicate_of is not None:
                return self.reject(R.DUPLICATE, duplicate_of)
            if rng.random() < 0.25:
                self.assign(auto=auto)
            return self.reject(R.NOT_IN_COMPETENCE)
        self.assign(auto=auto)
        if maybe(0.08):
            self.redirect()
        if final == S.ASSIGNED:
            return
        self.start()
        if final == S.INFO_REQUESTED:
            return self.request_info()
        if maybe(0.1):
            self.request_info()
            self.receive_info()
        if maybe(0.06):
            self.extend()
        if final == S.IN_PROGRESS:
            return
        if final == S.RETURNED or (final == S.CLOSED and maybe(0.1)):
            self.answer(quality=Q.FORMAL)
            if rng.random() < 0.6:
                self.quality(Q.FORMAL)
            self.return_()
            if final == S.RETURNED:
                return
            if rng.random() < 0.5:
                self.start()
        quality = rng.choices([Q.ON_MERITS, Q.FORMAL, Q.NO_ANSWER], weights=[76, 20, 4])[0]
        self.answer(late=late or maybe(0.07), quality=quality)
        if final == S.ANSWERED:
            if rng.random() < 0.3:
                self.quality(quality)
            return
        self.quality(quality)
        self.close()
        if final == S.REOPENED:
            return self.satisfaction(rng.choice([1, 2])) if rng.random() < 0.6 else self.reopen()
        if maybe(0.06):  # dissatisfied, reopened, answered again
            self.satisfaction(rng.choice([1, 2]))
            self.assign()
            self.start()
            self.answer(quality=Q.ON_MERITS)
            self.quality(Q.ON_MERITS)
            self.close()
        if rng.random() < 0.55:
            self.satisfaction(rng.choices([5, 4, 3], weights=[45, 35, 20])[0])


def _simulate(ctx: Context, sim: Sim, final: str, **kwargs) -> None:
    plan = Plan(ctx, sim)
    plan.to(final, **kwargs)
    sim.run(plan.steps, sim.f["registered_at"], ctx.now - datetime.timedelta(minutes=ctx.rng.uniform(1, 15)))


def _age_days(ctx: Context, moment: datetime.datetime) -> float:
    return (ctx.now - moment).total_seconds() / 86400


# --- incidents and repeats -----------------------------------------------------------------------------


def _incidents(ctx: Context, count: int, index: int) -> tuple[list[Incident], list[Sim]]:
    """Incidents (saved) and their appeals (not yet simulated): 3–10 neighbours within three days."""
    rng = ctx.rng
    topics = {t.code: t for t in ctx.topics}
    codes = [c for c in T.INCIDENT_TITLES if c in topics]
    incidents, sims = [], []
    for _ in range(count):
        code = rng.choice(codes)
        topic, territory = topics[code], ctx.territory()
        start = ctx.registered_at()
        place = ctx.place(territory, rural=False)
        members = []
        for k in range(rng.randint(3, 10)):
            moment = min(start + _hours(rng.uniform(0, 72) if k else 0), ctx.now - datetime.timedelta(minutes=30))
            house = rng.randint(place["house"], place["house2"])
            street = place["street"]
            neighbour = {
                **place,
                "house": house,
                "addr": f"{street}, д. {house}",
                "dom": f"№ {house} по {street}",
                "days": rng.choice(T.DAYS),
            }
            members.append(_new_sim(ctx, index, moment, topic=topic, territory=territory, place=neighbour))
            index += 1
        members.sort(key=lambda s: s.f["registered_at"])
        age = _age_days(ctx, start)
        status = (
            Incident.Status.OPEN
            if age < 3
            else Incident.Status.IN_WORK
            if age < 20
            else rng.choice([Incident.Status.RESOLVED, Incident.Status.CLOSED])
        )
        incident = Incident.objects.create(
            title=T.INCIDENT_TITLES[code].format(**place),
            description=f"Обращения жителей: {topic.name.lower()}.",
            status=status,
            sector_block_id=topic.sector_block_id,
            topic=topic,
            territory=territory,
            created_by_id=ctx.operator(),
            created_at=min(members[0].f["registered_at"] + _hours(rng.uniform(0.5, 3)), ctx.now),
        )
        for sim in members:
            sim.incident = incident
        incident.lead = members[0]
        incidents.append(incident)
        sims += members
    return incidents, sims


def _repeat(ctx: Context, original: Sim, index: int) -> Sim | None:
    """services.mark_repeat: a repeat of a closed appeal (same applicant, place, topic) reopens it."""
    rng = ctx.rng
    last = max(e["created_at"] for e in original.events)
    moment = last + datetime.timedelta(days=rng.uniform(2, 20))
    if moment > ctx.now - datetime.timedelta(hours=3):
        return None
    text = rng.choice(T.REPEAT_PREFIXES) + original.f["text"]
    sim = _new_sim(
        ctx,
        index,
        moment,
        topic=original.topic,
        territory=original.territory,
        place=original.place,
        applicant=original.applicant,
        text=text,
    )
    final = _status_for_age(rng, _age_days(ctx, moment))
    _simulate(ctx, sim, S.IN_PROGRESS if final == S.REJECTED else final)
    marked = min(sim.events[1]["created_at"] + _hours(rng.uniform(0.1, 2)), ctx.now - datetime.timedelta(minutes=1))
    operator = ctx.operator()
    sim.event(
        K.RECLASSIFIED,
        marked,
        operator,
        repeat_of_id=Ref(original),
        comment=lambda: f"Повторное к № {original.obj.number}",
    )
    sim.events.sort(key=lambda e: e["created_at"])
    _restate(sim)
    original.checked_until = marked
    original.event(
        K.REOPENED,
        marked,
        operator,
        comment=lambda: f"Поступило повторное обращение № {sim.obj.number}.",
        **_reopen_values(),
    )
    days_since = _age_days(ctx, marked)
    if days_since >= 3:  # back to an executor, and answered again if there was time
        plan = Plan(ctx, original)
        plan.assign()
        plan.start()
        if days_since >= 20:
            plan.answer(quality=Q.ON_MERITS)
            plan.quality(Q.ON_MERITS)
            plan.close()
        original.run(plan.steps, marked, ctx.now - datetime.timedelta(minutes=5))
    return sim


def _restate(sim: Sim) -> None:
    """After an event was put in between others: a status-keeping event gets the status around it."""
    status = S.NEW
    for event in sim.events:
        if not (event["from_status"] or event["to_status"]):
            continue
        if "status" not in event["changes"]:
            event["from_status"] = event["to_status"] = status
        status = event["to_status"]


# --- writing ------------------------------------------------------------------------------------------


@contextmanager
def _own_timestamps(*fields):
    """Seed rows carry their historical times: switch auto_now/auto_now_add off while inserting."""
    saved = [(f, f.auto_now, f.auto_now_add) for f in fields]
    for f in fields:
        f.auto_now = f.auto_now_add = False
    try:
        yield
    finally:
        for f, auto_now, auto_now_add in saved:
            f.auto_now, f.auto_now_add = auto_now, auto_now_add


APPEAL_FIELDS = {f.attname for f in Appeal._meta.concrete_fields} - {"id", "updated_at", "repeat_of_id"}


EVENT_COLUMNS = ("appeal_id", "created_at", "actor_id", "kind", "from_status", "to_status", "changes", "comment")


def _insert_events(events: list[dict]) -> None:
    """The timelines: COPY on PostgreSQL (25,000 rows in well under a second; bulk_create's UNNEST
    arrays take seconds), bulk_create elsewhere."""
    columns = ", ".join(connection.ops.quote_name(AppealEvent._meta.get_field(c).column) for c in EVENT_COLUMNS)
    table = connection.ops.quote_name(AppealEvent._meta.db_table)
    with connection.cursor() as cursor:
        copy = getattr(cursor.cursor, "copy", None) if connection.vendor == "postgresql" else None  # psycopg 3
        if copy is None:
            AppealEvent.objects.bulk_create([AppealEvent(**e) for e in events], batch_size=2000)
            return
        with copy(f"COPY {table} ({columns}) FROM STDIN") as rows:
            for e in events:
                rows.write_row(
                    [json.dumps(e[c], ensure_ascii=False) if c == "changes" else e[c] for c in EVENT_COLUMNS]
                )


def _write(ctx: Context, sims: list[Sim]) -> tuple[int, int]:
    """bulk_create the appeals (in order of registration, so numbers follow it), then their events."""
    sims.sort(key=lambda s: (s.f["registered_at"], s.f["external_id"]))
    for sim in sims:
        values = {k: v for k, v in sim.f.items() if k in APPEAL_FIELDS}
        sim.obj = Appeal(**values, updated_at=max(e["created_at"] for e in sim.events))
    Appeal.objects.bulk_create([s.obj for s in sims], batch_size=500)
    repeats = [s for s in sims if isinstance(s.f.get("repeat_of_id"), Ref)]
    for sim in repeats:
        sim.obj.repeat_of_id = sim.f["repeat_of_id"].pk
    Appeal.objects.bulk_update([s.obj for s in repeats], ["repeat_of"], batch_size=500)
    events, notices = [], []
    for sim in sims:
        for e in sim.events:
            comment = e["comment"]() if callable(e["comment"]) else e["comment"]
            events.append({**e, "appeal_id": sim.obj.pk, "changes": _resolve(e["changes"]), "comment": comment})
        for kind, level, due in sim.notices:
            notices.append(
                DeadlineNotice(appeal_id=sim.obj.pk, kind=kind, level=level, due_at=due, created_at=min(due, ctx.now))
            )
    _insert_events(events)
    DeadlineNotice.objects.bulk_create(notices, batch_size=2000, ignore_conflicts=True)
    return len(events), len(notices)


# --- entry point ------------------------------------------------------------------------------------------


def demo_appeals_exist() -> bool:
    return Appeal.objects.filter(external_id__startswith=EXTERNAL_PREFIX).exists()


@transaction.atomic
def seed_appeals_demo(*, count: int = 3000, seed: int = 42, stdout=None) -> dict:
    """Create `count` demo appeals with timelines, incidents and repeats; idempotent. Returns counts."""

    def say(message: str) -> None:
        if stdout is not None:
            stdout.write(message)

    if demo_appeals_exist():
        say("Демо-обращения уже есть — ничего не создано.")
        return {"appeals": 0, "events": 0, "incidents": 0, "repeats": 0, "notices": 0}
    if not Organisation.objects.exists():
        from sectors.demo import seed_sectors_demo  # appeals are routed in the demo directory

        say("Справочник пуст: создаю демо-справочник…")
        seed_sectors_demo(stdout=stdout)

    say(f"Демо-обращения ({count})…")
    ctx = Context(seed)
    rng = ctx.rng
    with _own_timestamps(Incident._meta.get_field("created_at")):
        incidents, incident_sims = _incidents(ctx, max(2, count // 250), index=1)
    index = len(incident_sims) + 1
    n_repeats = max(3, count // 120)
    sims: list[Sim] = []

    def new(moment: datetime.datetime) -> Sim:
        nonlocal index
        sim = _new_sim(ctx, index, moment)
        index += 1
        sims.append(sim)
        return sim

    # One appeal per status first (a small demo still shows every state), then the usual mix.
    for i, (final, age) in enumerate(COVERAGE):
        _simulate(ctx, new(ctx.registered_at(age_days=age)), final, late=i == LATE_COVERAGE, detours=False)
    for _ in range(max(0, count - len(COVERAGE) - len(incident_sims) - n_repeats)):
        moment = ctx.registered_at()
        final = _status_for_age(rng, _age_days(ctx, moment))
        sim = new(moment)
        duplicate_of = None
        similar = ctx.by_topic_territory[(sim.topic.pk, sim.territory.pk)]
        if final == S.REJECTED and rng.random() < 0.3:
            earlier = [s for s in similar if s.f["registered_at"] < moment]
            duplicate_of = rng.choice(earlier) if earlier else None
        _simulate(ctx, sim, final, duplicate_of=duplicate_of)
        similar.append(sim)
    # Incident appeals: some later ones are rejected as duplicates of the first.
    for incident in incidents:
        for sim in (s for s in incident_sims if s.incident is incident):
            age = _age_days(ctx, sim.f["registered_at"])
            final = _status_for_age(rng, age)
            if sim is not incident.lead and age > 0.5 and (final == S.REJECTED or rng.random() < 0.3):
                _simulate(ctx, sim, S.REJECTED, duplicate_of=incident.lead)
            else:  # an incident's appeals are not spam: the lead is worked on
                _simulate(ctx, sim, final if final != S.REJECTED else S.IN_PROGRESS if age < 30 else S.CLOSED)
    # Repeats of closed appeals (not of the coverage or incident ones).
    closed = [s for s in sims[len(COVERAGE) :] if s.f["status"] == S.CLOSED]
    repeats = []
    for original in rng.sample(closed, min(len(closed), n_repeats * 3)):
        if len(repeats) == n_repeats:
            break
        repeat = _repeat(ctx, original, index)
        if repeat is not None:
            index += 1
            repeats.append(repeat)
    sims += incident_sims + repeats
    while len(sims) < count:  # when some repeats found no room in time
        moment = ctx.registered_at()
        _simulate(ctx, new(moment), _status_for_age(rng, _age_days(ctx, moment)))

    say("Запись в базу…")
    fields = (
        Appeal._meta.get_field("updated_at"),
        AppealEvent._meta.get_field("created_at"),
        DeadlineNotice._meta.get_field("created_at"),
    )
    with _own_timestamps(*fields):
        events, notices = _write(ctx, sims)
    ids = [s.obj.pk for s in sims]
    # Listeners (heat map, ratings) roll the new appeals up, as after any service call.
    transaction.on_commit(lambda: appeals_changed.send(Appeal, appeal_ids=ids, kind=K.REGISTERED))
    result = {
        "appeals": len(sims),
        "events": events,
        "incidents": len(incidents),
        "repeats": len(repeats),
        "notices": notices,
    }
    say(
        f"Создано обращений: {len(sims)}, событий: {events}, инцидентов: {len(incidents)}, "
        f"повторных обращений: {len(repeats)}."
    )
    return result
