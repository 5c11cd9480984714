"""Seeding the demo appeals: incidents and repeat appeals among the simulated ones, the rows written in
bulk (appeals, events, deadline notices), and `seed_appeals_demo`, which runs it all."""

import datetime
import json
from contextlib import contextmanager

from django.db import connection, transaction

from appeals.models import Appeal, AppealEvent, DeadlineNotice, Incident
from appeals.signals import appeals_changed
from cur.demo.sectors import seed_sectors_demo
from sectors.models import Organisation

from . import texts as T
from .distributions import COVERAGE, EXTERNAL_PREFIX, LATE_COVERAGE
from .plan import Plan
from .simulation import Context, Ref, Sim, in_hours, new_sim, reopen_values, resolve_refs, status_for_age

S = Appeal.Status
K = AppealEvent.Kind
Q = Appeal.AnswerQuality


# --- one appeal ------------------------------------------------------------------------------------


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
            moment = min(start + in_hours(rng.uniform(0, 72) if k else 0), ctx.now - datetime.timedelta(minutes=30))
            house = rng.randint(place["house"], place["house2"])
            street = place["street"]
            neighbour = {
                **place,
                "house": house,
                "addr": f"{street}, д. {house}",
                "dom": f"№ {house} по {street}",
                "days": rng.choice(T.DAYS),
            }
            members.append(new_sim(ctx, index, moment, topic=topic, territory=territory, place=neighbour))
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
            created_at=min(members[0].f["registered_at"] + in_hours(rng.uniform(0.5, 3)), ctx.now),
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
    sim = new_sim(
        ctx,
        index,
        moment,
        topic=original.topic,
        territory=original.territory,
        place=original.place,
        applicant=original.applicant,
        text=text,
    )
    final = status_for_age(rng, _age_days(ctx, moment))
    _simulate(ctx, sim, S.IN_PROGRESS if final == S.REJECTED else final)
    marked = min(sim.events[1]["created_at"] + in_hours(rng.uniform(0.1, 2)), ctx.now - datetime.timedelta(minutes=1))
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
        **reopen_values(),
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
            events.append({**e, "appeal_id": sim.obj.pk, "changes": resolve_refs(e["changes"]), "comment": comment})
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
        sim = new_sim(ctx, index, moment)
        index += 1
        sims.append(sim)
        return sim

    # One appeal per status first (a small demo still shows every state), then the usual mix.
    for i, (final, age) in enumerate(COVERAGE):
        _simulate(ctx, new(ctx.registered_at(age_days=age)), final, late=i == LATE_COVERAGE, detours=False)
    for _ in range(max(0, count - len(COVERAGE) - len(incident_sims) - n_repeats)):
        moment = ctx.registered_at()
        final = status_for_age(rng, _age_days(ctx, moment))
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
            final = status_for_age(rng, age)
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
        _simulate(ctx, new(moment), status_for_age(rng, _age_days(ctx, moment)))

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
