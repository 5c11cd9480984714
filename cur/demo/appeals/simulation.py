"""One demo appeal as a simulation: its fields and timeline built step by step at moments in the past
(`Sim`), the demo region it happens in (`Context`: directories, people, places, the clock), and the
texts, answers and fields of a new appeal."""

import datetime
import random
from collections import defaultdict
from collections.abc import Callable
from decimal import Decimal

from django.utils import timezone
from faker import Faker

from appeals.models import Appeal, AppealEvent, Incident, Topic
from appeals.workflow import deadlines
from appeals.workflow.policy import DeadlinePolicy
from cur.demo import sectors as sectors_demo  # district centres and city names
from cur.models import User
from cur.roles import Role
from sectors.models import Organisation, SectorBlock, Territory

from . import texts as T
from .distributions import (
    CHANNEL_WEIGHTS,
    ESCALATION_AFTER_DAYS,
    ESCALATION_ROLE,
    EXTERNAL_PREFIX,
    GROUP_WEIGHTS,
    HISTORY_DAYS,
    HOUR_WEIGHTS,
    MONTH_VOLUME,
    OPERATOR_CHANNELS,
    REGION_OKTMO,
    REMINDER_DAYS,
    RYAZAN_DISTRICT_OKTMO,
    RYAZAN_OKTMO,
    SEASONS,
    STATUS_BY_AGE,
    WEEKDAY_VOLUME,
)

S = Appeal.Status
K = AppealEvent.Kind
Q = Appeal.AnswerQuality


def in_hours(value: float) -> datetime.timedelta:
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


def resolve_refs(value):
    if isinstance(value, Ref):
        return value.pk
    if isinstance(value, list):
        return [resolve_refs(v) for v in value]
    if isinstance(value, dict):
        return {k: resolve_refs(v) for k, v in value.items()}
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
            t += in_hours(gap)
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
        self.policy = DeadlinePolicy()  # the deadline rules, read once
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
        return self.policy.due_at(channel, block_id, topic_id, start)

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


def status_for_age(rng: random.Random, age_days: float) -> str:
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


def answer_text(ctx: Context, block_code: str, quality: str, at: datetime.datetime) -> str:
    rng = ctx.rng
    if quality == Q.FORMAL:
        return rng.choice(T.FORMAL_ANSWERS)
    if quality == Q.NO_ANSWER:
        return rng.choice(T.NO_ANSWERS)
    done = at - datetime.timedelta(days=rng.randint(0, 3))
    return rng.choice(T.ANSWERS_BY_BLOCK.get(block_code, T.GENERIC_ANSWERS)).format(date=_moscow_date(done))


def new_sim(
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
        "received_at": registered - in_hours(lag),
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


def reopen_values() -> dict:
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
