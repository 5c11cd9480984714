"""Fill a PostgreSQL database with a realistic Рязанская область: `python -m bench.generate --appeals 1000000`.

The directory (territories, organisations, responsible persons) comes from the demo seed; topics
from the migrations. Appeals are made inside PostgreSQL by INSERT … SELECT over generate_series —
no row passes through Python — in chunks, with the secondary indexes dropped during the load and
rebuilt after it (much faster than maintaining eight B-trees and a GIN index row by row).

What makes the data realistic:
- volume per day grows year to year, peaks in winter, dips at weekends and the New Year holidays;
- sector blocks by season: ЖКХ (heating) in the cold months, roads in spring (potholes) and winter
  (snow), public spaces in summer, education in August–September; topics within a block by season
  too (snow and ice in winter only, hogweed and children's camps in summer);
- territories by population, Рязань about 45 %; channels: ПОС about 60 %;
- the executor is an organisation of the appeal's block in its territory (else a regional one);
- statuses follow the age of the appeal: recent ones are new or in work, old ones answered and
  closed; ~5 % answered late (overdue marks and escalations as the sweep would have set them), a
  few are stuck open and overdue, some rejected, some reopened after a low satisfaction score;
- answer quality and satisfaction are correlated (a formal answer gets worse scores).
"""

import argparse
import datetime
import hashlib
import math
import threading
import time
from zoneinfo import ZoneInfo

from bench import n, require_postgresql, setup

MOSCOW = ZoneInfo("Europe/Moscow")
CHUNK = 100_000

# Rough population by OKTMO (thousands): districts and city okrugs of Рязанская область.
POPULATION = {
    "61602000": 6.5, "61604000": 6.5, "61606000": 6.0, "61608000": 25, "61610000": 20, "61612000": 21,
    "61615000": 11, "61617000": 28, "61620000": 10, "61623000": 6.0, "61625000": 31, "61626000": 6.0,
    "61627000": 34, "61630000": 21, "61634000": 57, "61637000": 9.0, "61640000": 13, "61642000": 12,
    "61644000": 17, "61646000": 24, "61650000": 13, "61652000": 9.0, "61654000": 6.5, "61656000": 17,
    "61658000": 30, "61705000": 28, "61710000": 25, "61715000": 26,
}  # fmt: skip
RYAZAN_OKTMO, RYAZAN_SHARE = "61701000", 0.45

CHANNELS = {"pos": 0.60, "phone": 0.10, "email": 0.08, "social": 0.08, "letter": 0.05, "messenger": 0.04,
            "web": 0.03, "reception": 0.02}  # fmt: skip

# Share of appeals per sector block, and its multipliers by month (1–12).
BLOCK_SHARE = {
    "housing": 0.24, "public_spaces": 0.13, "roads": 0.12, "health": 0.10, "waste": 0.07, "transport": 0.06,
    "social": 0.06, "education": 0.05, "energy": 0.05, "other": 0.04, "ecology": 0.015, "labour": 0.015,
    "business": 0.01, "culture": 0.01, "sport": 0.01,
}  # fmt: skip
WINTER, COLD, SPRING, SUMMER = {12, 1, 2}, {10, 11, 12, 1, 2, 3, 4}, {3, 4, 5}, {6, 7, 8}
BLOCK_SEASON = {
    "housing": lambda m: 1.45 if m in COLD else 0.85,
    "roads": lambda m: 1.8 if m in SPRING else 1.3 if m in WINTER else 1.0,
    "public_spaces": lambda m: 1.35 if m in SUMMER | {5, 9} else 1.1 if m in WINTER else 1.0,
    "waste": lambda m: 1.2 if m in SUMMER else 1.0,
    "energy": lambda m: 1.3 if m in {11, 12, 1, 2} else 1.0,
    "health": lambda m: 1.3 if m in {1, 2} else 1.15 if m in {10, 11, 12} else 1.0,
    "education": lambda m: 1.6 if m in {8, 9} else 0.6 if m in {6, 7} else 1.0,
    "ecology": lambda m: 1.8 if m in SUMMER else 1.0,
    "sport": lambda m: 1.3 if m in SUMMER else 1.0,
}
# Topic multipliers by keyword of the topic name and month.
TOPIC_SEASON = [
    ("отоплен", lambda m: 4.0 if m in COLD else 0.3),
    ("снег", lambda m: 5.0 if m in WINTER | {3, 11} else 0.03),
    ("налед", lambda m: 5.0 if m in WINTER | {3, 11} else 0.03),
    ("ям", lambda m: 3.0 if m in SPRING | {6} else 1.0),
    ("покрыт", lambda m: 3.0 if m in SPRING | {6} else 1.0),
    ("горяч", lambda m: 2.5 if m in SUMMER else 1.0),
    ("борщевик", lambda m: 4.0 if m in SUMMER else 0.1),
    ("лагер", lambda m: 4.0 if m in {5, 6, 7, 8} else 0.2),
    ("подтоплен", lambda m: 3.0 if m in {3, 4} else 0.5),
    ("коронавирус", lambda m: 0.05),
    ("вакцин", lambda m: 0.1),
    ("qr", lambda m: 0.05),
]
# Appeals per day by month (the New Year holidays are damped separately).
MONTH_VOLUME = {1: 1.25, 2: 1.2, 3: 1.15, 4: 1.05, 5: 0.85, 6: 0.9, 7: 0.9, 8: 0.9, 9: 1.0, 10: 1.1, 11: 1.15,
                12: 1.1}  # fmt: skip

BLOCK_PHRASES = {
    "housing": ["Управляющая компания не реагирует на заявки.", "Проблема повторяется уже не первый месяц.",
                "В квартире холодно, батареи едва тёплые.", "Прошу провести проверку и сделать перерасчёт."],
    "roads": ["На дороге глубокие ямы, машины объезжают по встречной.", "Тротуар не чистят, люди падают.",
              "Прошу включить участок в план ремонта.", "Ремонт делали в прошлом году, покрытие снова разрушилось."],
    "public_spaces": ["Двор в ужасном состоянии.", "Детская площадка сломана, дети могут пострадать.",
                      "Прошу навести порядок и благоустроить территорию.", "Освещение не работает уже месяц."],
    "health": ["Записаться к врачу невозможно, талонов нет.", "В поликлинике очереди по несколько часов.",
               "Прошу разобраться и принять меры.", "Лекарства по льготе не выдают."],
    "waste": ["Контейнеры переполнены, мусор не вывозят неделю.", "Вокруг площадки свалка, бегают крысы.",
              "Прошу восстановить график вывоза."],
    "transport": ["Автобус ходит с большими интервалами, люди не могут уехать на работу.",
                  "Водитель нарушает правила, грубит пассажирам.", "Прошу вернуть маршрут."],
    "social": ["Выплату задерживают второй месяц.", "Прошу оказать помощь многодетной семье.",
               "Нам отказали без объяснения причин."],
    "education": ["В школе не хватает учителей.", "В детском саду нет мест.", "Прошу разобраться с ситуацией."],
    "energy": ["Свет отключают несколько раз в неделю.", "Напряжение в сети скачет, сгорела техника.",
               "Газ так и не провели, хотя сроки прошли."],
}  # fmt: skip
DEFAULT_PHRASES = ["Прошу разобраться и принять меры.", "Ответа до сих пор нет.", "Прошу сообщить о принятых мерах."]
OPENINGS = ["Здравствуйте!", "Добрый день.", "Уважаемые специалисты!", "Обращаюсь повторно.", "Прошу помочь."]
ANSWERS = [
    "Ваше обращение рассмотрено. Работы выполнены, ситуация взята на контроль.",
    "По вашему обращению проведена проверка, нарушения устранены.",
    "Работы включены в план на текущий год, о сроках сообщим дополнительно.",
    "Разъясняем: вопрос не относится к компетенции учреждения, обращение направлено по принадлежности.",
    "Специалисты выехали на место, неисправность устранена.",
]
STREETS = ["ул. Ленина", "ул. Советская", "ул. Первомайская", "ул. Садовая", "ул. Мира", "ул. Пушкина",
           "ул. Гагарина", "ул. Есенина", "ул. Новая", "ул. Школьная", "Московское ш.", "ул. Каширина",
           "ул. Октябрьская", "ул. Молодёжная", "ул. Полевая", "ул. Зубковой"]  # fmt: skip
SURNAMES = ["Иванов", "Смирнов", "Кузнецов", "Попов", "Васильев", "Петров", "Соколов", "Михайлов", "Новиков",
            "Фёдоров", "Морозов", "Волков", "Алексеев", "Лебедев", "Семёнов", "Егоров", "Павлов", "Козлов",
            "Степанов", "Николаев", "Орлов", "Андреев", "Макаров", "Никитин", "Захаров", "Зайцев", "Соловьёв",
            "Борисов", "Яковлев", "Григорьев", "Романов", "Воробьёв", "Сергеев", "Кузьмин", "Фролов"]  # fmt: skip
MALE = ["Александр", "Сергей", "Дмитрий", "Андрей", "Алексей", "Иван", "Михаил", "Николай", "Владимир", "Евгений"]
FEMALE = ["Елена", "Татьяна", "Ольга", "Наталья", "Ирина", "Светлана", "Анна", "Марина", "Юлия", "Галина"]
FATHERS = ["Александров", "Сергеев", "Иванов", "Николаев", "Владимиров", "Петров", "Михайлов", "Викторов"]
TRANSLIT = str.maketrans("абвгдеёжзийклмнопрстуфхцчшщъыьэюя", "abvgdeezziyklmnoprstufhccss_y_eua")
QUALITY_SCORES = {  # lower bounds of the scores 1..5 in a uniform draw
    "on_merits": [0.0, 0.05, 0.12, 0.25, 0.55],
    "formal": [0.0, 0.2, 0.4, 0.7, 0.9],
    "no_answer": [0.0, 0.6, 0.9, 0.999, 0.9999],
}


def _bounds(weights: list[float]) -> list[float]:
    """Lower bounds of buckets for width_bucket(random(), bounds): [0, w0, w0+w1, …] normalised."""
    total = sum(weights)
    out, acc = [], 0.0
    for w in weights:
        out.append(acc / total)
        acc += w
    return out


def _stable(text: str) -> float:
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:4], "big") / 2**32


# --- the directory ----------------------------------------------------------------------------------


def ensure_directory(stdout=print) -> None:
    """Territories, organisations and responsible persons: the demo seed if it exists, else a minimal set."""
    from sectors.models import Organisation

    if Organisation.objects.exists():
        return
    try:
        from cur.demo.sectors import seed_sectors_demo
    except ImportError:
        seed_sectors_demo = None
    if seed_sectors_demo is not None:
        stdout("Справочник: cur.demo.sectors.seed_sectors_demo() …")
        seed_sectors_demo()
        return
    _minimal_directory(stdout)


def _minimal_directory(stdout) -> None:
    from sectors.models import Organisation, SectorBlock, Territory
    from sectors.services_geo import load_region_territories

    stdout("Справочник: территории и по одной организации на блок и муниципалитет …")
    load_region_territories()
    region = Territory.objects.get(kind=Territory.Kind.REGION)
    blocks = list(SectorBlock.objects.all())
    for block in blocks:
        org = Organisation.objects.create(
            name=f"Министерство ({block.name})", kind=Organisation.Kind.REGIONAL_BODY, territory=region
        )
        org.sector_blocks.set([block])
    for territory in Territory.objects.exclude(kind=Territory.Kind.REGION):
        org = Organisation.objects.create(
            name=f"Администрация: {territory.name}", kind=Organisation.Kind.LOCAL_GOVERNMENT, territory=territory
        )
        org.sector_blocks.set(blocks)


def ensure_users() -> dict[str, int]:
    """Bench users (no usable password): an executor per organisation, a head and a responsible per
    block (so the sweep has people to notify), an operator for the queue page."""
    from cur.models import User
    from cur.roles import Role
    from sectors.models import Organisation, SectorBlock

    def user(username: str, role: str, **fields) -> User:
        u = User(username=username, role=role, last_name="Бенчмарк", first_name=username, **fields)
        u.set_unusable_password()
        return u

    users = [user("bench-operator", Role.OPERATOR)]
    users += [user(f"bench-exec-{o.pk}", Role.EXECUTOR, organisation_id=o.pk) for o in Organisation.objects.all()]
    blocks = list(SectorBlock.objects.all())
    for block in blocks:
        users += [
            user(f"bench-head-{block.code}", Role.BLOCK_HEAD),
            user(f"bench-resp-{block.code}", Role.BLOCK_RESPONSIBLE),
        ]
    User.objects.bulk_create(users, ignore_conflicts=True)
    by_name = dict(User.objects.filter(username__startswith="bench-").values_list("username", "pk"))
    Link = User.sector_blocks.through
    links = [Link(user_id=by_name[f"bench-{kind}-{b.code}"], sectorblock_id=b.pk) for b in blocks
             for kind in ("head", "resp")]  # fmt: skip
    Link.objects.bulk_create(links, ignore_conflicts=True)
    return {"users": len(by_name)}


# --- lookup tables for the SQL --------------------------------------------------------------------------


def _centroid(boundary) -> tuple[float, float] | None:
    if not boundary:
        return None
    points = []

    def walk(coords):
        if coords and isinstance(coords[0], int | float):
            points.append(coords)
        else:
            for c in coords:
                walk(c)

    walk(boundary.get("coordinates", []))
    if not points:
        return None
    return sum(p[1] for p in points) / len(points), sum(p[0] for p in points) / len(points)


def _places() -> dict[str, str]:
    try:
        from cur.demo.sectors import CITIES, DISTRICTS
    except ImportError:
        return {}
    places = {oktmo: centre for oktmo, (_, centre) in DISTRICTS.items()}
    places.update({oktmo: f"г. {city}" for oktmo, (city, _) in CITIES.items()})
    return places


def territory_arrays() -> dict:
    from sectors.models import Territory

    territories = list(Territory.objects.exclude(kind=Territory.Kind.REGION).filter(is_active=True))
    if not territories:
        raise SystemExit("Нет муниципальных образований: загрузите территории (manage.py load_territories).")
    others = sum(POPULATION.get(t.oktmo, 5.0) for t in territories if t.oktmo != RYAZAN_OKTMO)
    has_ryazan = any(t.oktmo == RYAZAN_OKTMO for t in territories)
    places = _places()
    weights, ids, names, lats, lons = [], [], [], [], []
    for t in territories:
        if t.oktmo == RYAZAN_OKTMO:
            weights.append(RYAZAN_SHARE)
        else:
            weights.append((1 - RYAZAN_SHARE if has_ryazan else 1) * POPULATION.get(t.oktmo, 5.0) / others)
        ids.append(t.pk)
        names.append(places.get(t.oktmo, t.name if t.kind != Territory.Kind.CITY_OKRUG else f"г. {t.name}"))
        lat, lon = _centroid(t.boundary) or (54.62, 39.74)
        lats.append(lat)
        lons.append(lon)
    return {"terr_bounds": _bounds(weights), "terr_ids": ids, "terr_places": names, "terr_lat": lats,
            "terr_lon": lons}  # fmt: skip


def create_lookup_tables(cursor) -> None:
    """Temporary tables the INSERT joins: blocks by month, topics by (month, block), executors by
    (block, territory), phrases by block."""
    from appeals.models import Topic
    from sectors.models import Organisation, SectorBlock, Territory

    topics: dict[int, list[Topic]] = {}
    for topic in Topic.objects.filter(is_active=True).order_by("code"):
        topics.setdefault(topic.sector_block_id, []).append(topic)
    blocks = [b for b in SectorBlock.objects.filter(is_active=True) if b.pk in topics]
    cursor.execute("""
        DROP TABLE IF EXISTS bench_block_month, bench_topic, bench_route, bench_text;
        CREATE TEMP TABLE bench_block_month (month int PRIMARY KEY, bounds float8[], block_ids bigint[]);
        CREATE TEMP TABLE bench_topic (month int, block_id bigint, bounds float8[], topic_ids bigint[],
                                       names text[], PRIMARY KEY (month, block_id));
        CREATE TEMP TABLE bench_route (block_id bigint, territory_id bigint, org_ids bigint[],
                                       PRIMARY KEY (block_id, territory_id));
        CREATE TEMP TABLE bench_text (block_id bigint PRIMARY KEY, phrases text[]);
    """)  # fmt: skip
    for month in range(1, 13):
        weights = [BLOCK_SHARE.get(b.code, 0.005) * BLOCK_SEASON.get(b.code, lambda m: 1.0)(month) for b in blocks]
        cursor.execute("INSERT INTO bench_block_month VALUES (%s, %s, %s)",
                       [month, _bounds(weights), [b.pk for b in blocks]])  # fmt: skip
        for block in blocks:
            ranked = sorted(topics[block.pk], key=lambda t: _stable(t.code))
            weights = []
            for rank, topic in enumerate(ranked, start=1):
                w = 1 / rank**0.8
                name = topic.name.lower()
                for keyword, season in TOPIC_SEASON:
                    if keyword in name:
                        w *= season(month)
                weights.append(w)
            row = [month, block.pk, _bounds(weights), [t.pk for t in ranked], [t.name for t in ranked]]
            cursor.execute("INSERT INTO bench_topic VALUES (%s, %s, %s, %s, %s)", row)

    region_ids = set(Territory.objects.filter(kind=Territory.Kind.REGION).values_list("pk", flat=True))
    orgs = list(Organisation.objects.filter(is_active=True).prefetch_related("sector_blocks"))
    by_block: dict[int, list[Organisation]] = {}
    for org in orgs:
        for b in org.sector_blocks.all():
            by_block.setdefault(b.pk, []).append(org)
    local = {}
    for org in orgs:
        if org.kind == Organisation.Kind.LOCAL_GOVERNMENT:
            local.setdefault(org.territory_id, []).append(org.pk)
    territories = list(Territory.objects.exclude(kind=Territory.Kind.REGION).values_list("pk", flat=True))
    rows = []
    for block in blocks:
        candidates = by_block.get(block.pk, [])
        regional = [o.pk for o in candidates if o.territory_id in region_ids]
        for territory_id in territories:
            here = [o.pk for o in candidates if o.territory_id == territory_id]
            chosen = here or regional or [o.pk for o in candidates] or local.get(territory_id) or [orgs[0].pk]
            rows.append((block.pk, territory_id, chosen))
    cursor.executemany("INSERT INTO bench_route VALUES (%s, %s, %s)", rows)
    cursor.executemany(
        "INSERT INTO bench_text VALUES (%s, %s)", [(b.pk, BLOCK_PHRASES.get(b.code, DEFAULT_PHRASES)) for b in blocks]
    )
    cursor.execute("ANALYZE bench_block_month, bench_topic, bench_route, bench_text")


def day_arrays(now: datetime.datetime, years: float) -> dict:
    """Every day of the period and the lower bounds of its share of appeals."""
    today = now.astimezone(MOSCOW).date()
    first = today - datetime.timedelta(days=round(365.25 * years) - 1)
    weights = []
    day = first
    while day <= today:
        w = MONTH_VOLUME[day.month] * (1 + 0.12 * (day - first).days / 365.25)  # growing year to year
        w *= {5: 0.7, 6: 0.55}.get(day.weekday(), 1.0)
        if day.month == 1 and day.day <= 8:
            w *= 0.6
        if day == today:  # only the hours gone by
            w *= max(0.05, (now.astimezone(MOSCOW).hour + 1) / 24)
        weights.append(w)
        day += datetime.timedelta(days=1)
    return {"first_day": first, "day_bounds": _bounds(weights)}


def _names() -> dict:
    logins = [name.lower().translate(TRANSLIT).replace("_", "") for name in SURNAMES]
    return {"surnames": SURNAMES, "logins": logins, "male": MALE, "female": FEMALE, "fathers": FATHERS}


# --- the INSERT … SELECT ------------------------------------------------------------------------------

INSERT = """
WITH c AS MATERIALIZED (
    -- the constants, parsed once (an array literal cast in an expression is parsed again per row)
    SELECT %(now)s::timestamptz AS now, %(first_day)s::date AS first_day, %(day_bounds)s::float8[] AS day_bounds,
           %(terr_bounds)s::float8[] AS terr_bounds, %(terr_ids)s::bigint[] AS terr_ids,
           %(terr_places)s::text[] AS terr_places, %(terr_lat)s::float8[] AS terr_lat,
           %(terr_lon)s::float8[] AS terr_lon, %(chan_codes)s::text[] AS chan_codes,
           %(chan_bounds)s::float8[] AS chan_bounds, %(sat_on_merits)s::float8[] AS sat_on_merits,
           %(sat_formal)s::float8[] AS sat_formal, %(sat_no_answer)s::float8[] AS sat_no_answer,
           %(openings)s::text[] AS openings, %(streets)s::text[] AS streets, %(answers)s::text[] AS answers,
           %(surnames)s::text[] AS surnames, %(logins)s::text[] AS logins, %(male)s::text[] AS male,
           %(female)s::text[] AS female, %(fathers)s::text[] AS fathers
), r AS MATERIALIZED (
    SELECT g, %(base)s::bigint + g AS id,
           random() AS r_day, random() AS r_time, random() AS r_terr, random() AS r_block, random() AS r_topic,
           random() AS r_org, random() AS r_chan, random() AS r_kind, random() AS r_assign, random() AS r_delay,
           random() AS r_late, random() AS r_close, random() AS r_sub, random() AS r_quality, random() AS r_sat,
           random() AS r_text, random() AS r_addr, random() AS r_name, random() AS r_conf, random() AS r_misc,
           random() AS r_geo1, random() AS r_geo2
    FROM generate_series(%(lo)s::bigint, %(hi)s::bigint) AS g
), w AS MATERIALIZED (
    SELECT r.*,
           c.first_day + width_bucket(r_day, c.day_bounds) - 1 AS day,
           width_bucket(r_terr, c.terr_bounds) AS tk,
           c.chan_codes[width_bucket(r_chan, c.chan_bounds)] AS channel
    FROM r CROSS JOIN c
), b AS (
    SELECT w.*, c.terr_ids[tk] AS territory_id,
           bm.block_ids[width_bucket(r_block, bm.bounds)] AS block_id, extract(month FROM day)::int AS month,
           LEAST(((day + make_interval(secs => 25200 + 55800 * r_time)) AT TIME ZONE 'Europe/Moscow'),
                 c.now - make_interval(secs => 300 + 3600 * r_misc)) AS registered_at
    FROM w CROSS JOIN c JOIN bench_block_month bm ON bm.month = extract(month FROM w.day)::int
), t AS MATERIALIZED (
    SELECT b.*, tp.topic_ids[k] AS topic_id, tp.names[k] AS topic_name,
           rt.org_ids[1 + floor(r_org * cardinality(rt.org_ids))::int] AS org_id,
           tx.phrases[1 + floor(r_text * cardinality(tx.phrases))::int] AS phrase,
           registered_at + make_interval(secs => 3600 * (0.2 + 30 * r_assign ^ 2)) AS assign_at,
           (((registered_at AT TIME ZONE 'Europe/Moscow')::date + 30) + time '23:59:59')
               AT TIME ZONE 'Europe/Moscow' AS due,
           CASE WHEN r_late < 0.004 THEN NULL                          -- stuck: never answered
                WHEN r_late < 0.054 THEN 30.5 + 25 * r_delay            -- answered late (~5 %%)
                ELSE 0.5 + 27 * r_delay ^ 1.6 END AS delay_days
    FROM b
    JOIN bench_topic tp ON tp.month = b.month AND tp.block_id = b.block_id
    JOIN bench_route rt ON rt.block_id = b.block_id AND rt.territory_id = b.territory_id
    JOIN bench_text tx ON tx.block_id = b.block_id
    CROSS JOIN LATERAL (SELECT width_bucket(r_topic, tp.bounds) AS k) AS kk
), s AS MATERIALIZED (
    SELECT t.*,
           t.assign_at + make_interval(secs => 86400 * delay_days) AS answer_at,
           CASE WHEN r_quality < 0.75 THEN 'on_merits' WHEN r_quality < 0.95 THEN 'formal' ELSE 'no_answer' END
               AS quality
    FROM t
), u AS MATERIALIZED (
    SELECT s.*,
           s.answer_at + make_interval(secs => 86400 * (0.5 + 6 * r_close)) AS close_at,
           CASE WHEN r_sat < 0.4 THEN width_bucket(r_sat / 0.4, CASE quality
                    WHEN 'on_merits' THEN c.sat_on_merits
                    WHEN 'formal' THEN c.sat_formal ELSE c.sat_no_answer END) END AS score,
           CASE WHEN r_kind < 0.04 THEN 'rejected'
                WHEN s.assign_at > c.now THEN 'new'
                WHEN s.answer_at IS NULL OR s.answer_at > c.now THEN
                    CASE WHEN r_sub < 0.04 THEN 'info_requested' WHEN r_sub < 0.07 THEN 'returned'
                         WHEN r_sub < 0.6 THEN 'in_progress' ELSE 'assigned' END
                ELSE 'done' END AS phase
    FROM s CROSS JOIN c
), v AS MATERIALIZED (
    SELECT u.*,
           CASE WHEN phase <> 'done' THEN phase
                WHEN close_at > c.now THEN 'answered'
                WHEN score <= 2 AND close_at > c.now - interval '20 days' AND r_misc < 0.7
                    THEN 'reopened'
                ELSE 'closed' END AS status,
           CASE WHEN phase = 'info_requested'
                THEN GREATEST(assign_at, c.now - make_interval(days => 12) * r_misc) END AS paused_at
    FROM u CROSS JOIN c
), x AS (
    SELECT v.*,
           -- the moment the clock was last looked at: now for running ones, the pause or the answer
           CASE WHEN status IN ('assigned', 'in_progress', 'returned') THEN c.now
                WHEN status = 'info_requested' THEN paused_at
                WHEN status IN ('answered', 'closed') THEN answer_at END AS seen_at
    FROM v CROSS JOIN c
)
INSERT INTO appeals_appeal (
    id, channel, external_id, received_at, registered_at, text, address, latitude, longitude,
    applicant_name, applicant_phone, applicant_email, applicant_address, applicant_is_legal, applicant_legal_name,
    territory_id, sector_block_id, topic_id, suggested_sector_block_id, suggested_topic_id, suggested_territory_id,
    confidence, model_version, classification_source, classified_at,
    status, organisation_id, assigned_at, due_at, clock_paused_at, overdue_at, escalation_level,
    answered_at, answer_text, answer_quality, satisfaction, satisfaction_comment, closed_at, reject_reason,
    repeat_of_id, incident_id, registered_by_id, updated_at
)
SELECT
    id, channel,
    CASE channel WHEN 'pos' THEN 'pos-' || id WHEN 'email' THEN 'mail-' || id WHEN 'web' THEN 'web-' || id
                 ELSE '' END,
    registered_at - make_interval(secs => 60 * CASE channel WHEN 'letter' THEN 1440 * (1 + 4 * r_misc)
                                                            WHEN 'email' THEN 600 * r_misc ELSE 1 + 30 * r_misc END),
    registered_at,
    c.openings[1 + floor(r_addr * 5)::int] || ' ' || topic_name || '. ' || phrase
        || ' Адрес: ' || c.terr_places[tk] || ', '
        || c.streets[1 + floor(r_geo1 * cardinality(c.streets))::int]
        || ', д. ' || (1 + floor(r_geo2 * 90)::int) || '.',
    c.terr_places[tk] || ', '
        || c.streets[1 + floor(r_geo1 * cardinality(c.streets))::int]
        || ', д. ' || (1 + floor(r_geo2 * 90)::int),
    CASE WHEN channel IN ('pos', 'web', 'messenger')
         THEN round((c.terr_lat[tk] + (r_geo1 - 0.5) * 0.08)::numeric, 6) END,
    CASE WHEN channel IN ('pos', 'web', 'messenger')
         THEN round((c.terr_lon[tk] + (r_geo2 - 0.5) * 0.12)::numeric, 6) END,
    CASE WHEN r_name < 0.5
         THEN c.surnames[1 + floor(r_name * 2 * cardinality(c.surnames))::int] || ' '
              || c.male[1 + floor(r_geo1 * cardinality(c.male))::int] || ' '
              || c.fathers[1 + floor(r_geo2 * cardinality(c.fathers))::int] || 'ич'
         ELSE c.surnames[1 + floor((r_name - 0.5) * 2 * cardinality(c.surnames))::int] || 'а '
              || c.female[1 + floor(r_geo1 * cardinality(c.female))::int] || ' '
              || c.fathers[1 + floor(r_geo2 * cardinality(c.fathers))::int] || 'на' END,
    '+7 9' || lpad(floor(r_name * 1e9)::bigint::text, 9, '0'),
    CASE WHEN channel IN ('email', 'pos', 'web') OR r_misc < 0.3
         THEN c.logins[1 + floor((r_name * 2 - floor(r_name * 2)) * cardinality(c.logins))::int]
              || (id %% 1000) || '@mail.example' ELSE '' END,
    CASE WHEN channel IN ('letter', 'reception') THEN c.terr_places[tk] || ', '
         || c.streets[1 + floor(r_addr * cardinality(c.streets))::int] ELSE '' END,
    r_misc < 0.03,
    CASE WHEN r_misc < 0.03 THEN 'ООО «Рязанская компания № ' || (id %% 500) || '»' ELSE '' END,
    territory_id,
    CASE WHEN status = 'new' THEN NULL ELSE block_id END,
    CASE WHEN status = 'new' THEN NULL ELSE topic_id END,
    CASE WHEN status = 'new' AND r_conf < 0.05 THEN NULL ELSE block_id END,
    CASE WHEN status = 'new' AND r_conf < 0.05 THEN NULL ELSE topic_id END,
    CASE WHEN status = 'new' AND r_conf < 0.05 THEN NULL ELSE territory_id END,
    CASE WHEN status = 'new' AND r_conf < 0.05 THEN NULL
         WHEN status = 'new' THEN 0.25 + 0.35 * r_conf ELSE 0.6 + 0.39 * r_conf END,
    CASE WHEN status = 'new' AND r_conf < 0.05 THEN '' ELSE 'bench-1' END,
    CASE WHEN status = 'new' THEN '' WHEN r_conf > 0.25 THEN 'auto' ELSE 'manual' END,
    CASE WHEN status = 'new' AND r_conf < 0.05 THEN NULL ELSE registered_at + interval '40 seconds' END,
    status,
    CASE WHEN status IN ('new', 'rejected') THEN NULL ELSE org_id END,
    CASE WHEN status IN ('new', 'rejected') THEN NULL ELSE assign_at END,
    CASE WHEN status IN ('new', 'rejected', 'reopened') THEN NULL ELSE due END,
    paused_at,
    CASE WHEN seen_at > due + interval '5 minutes' THEN due + interval '3 minutes' END,
    CASE WHEN seen_at > due + interval '3 days 5 minutes' THEN 2 WHEN seen_at > due + interval '5 minutes' THEN 1
         ELSE 0 END,
    CASE WHEN status IN ('answered', 'closed') THEN answer_at END,
    CASE WHEN status IN ('answered', 'closed', 'reopened', 'returned')
         THEN c.answers[1 + floor(r_quality * 1000)::int %% cardinality(c.answers)] ELSE '' END,
    CASE WHEN status = 'closed' THEN quality WHEN status = 'returned' THEN 'formal' ELSE '' END,
    CASE WHEN status IN ('closed', 'reopened') THEN score END,
    CASE WHEN status IN ('closed', 'reopened') AND score <= 2 THEN 'Проблема не решена.' ELSE '' END,
    CASE WHEN status = 'closed' THEN close_at
         WHEN status = 'rejected' THEN registered_at + make_interval(hours => 1 + floor(23 * r_close)::int) END,
    CASE WHEN status <> 'rejected' THEN ''
         ELSE (ARRAY['spam', 'duplicate', 'not_in_competence', 'no_essence'])[1 + floor(r_sub * 4)::int] END,
    CASE WHEN (status = 'rejected' AND r_sub >= 0.25 AND r_sub < 0.5) OR r_misc > 0.98
         THEN CASE WHEN g > 20000 THEN id - 1 - floor(r_delay * 20000)::bigint END END,
    NULL, NULL,
    LEAST(c.now, GREATEST(registered_at, CASE WHEN status NOT IN ('new', 'rejected') THEN assign_at END,
          CASE WHEN status IN ('answered', 'closed') THEN answer_at END,
          CASE WHEN status = 'closed' THEN close_at END, paused_at))
FROM x CROSS JOIN c
"""


def _constant_params() -> dict:
    return {
        "chan_codes": list(CHANNELS),
        "chan_bounds": _bounds(list(CHANNELS.values())),
        "sat_on_merits": QUALITY_SCORES["on_merits"],
        "sat_formal": QUALITY_SCORES["formal"],
        "sat_no_answer": QUALITY_SCORES["no_answer"],
        "openings": OPENINGS,
        "streets": STREETS,
        "answers": ANSWERS,
        **_names(),
    }


# Definitions of the indexes dropped for a load, kept in the database itself so that a load that
# fails or is interrupted gets them back at the next run (or with --restore-indexes).


def drop_secondary_indexes(cursor) -> int:
    """Drop every index of the appeals table but the primary key, parking its definition."""
    cursor.execute("CREATE TABLE IF NOT EXISTS bench_parked_index (name text PRIMARY KEY, definition text NOT NULL)")
    cursor.execute(
        """INSERT INTO bench_parked_index
            SELECT i.indexname, i.indexdef FROM pg_indexes i
            WHERE i.tablename = 'appeals_appeal' AND i.schemaname = current_schema()
              AND i.indexname NOT IN (SELECT conname FROM pg_constraint WHERE contype IN ('p', 'u', 'x'))
            ON CONFLICT (name) DO NOTHING"""
    )
    cursor.execute("SELECT name FROM bench_parked_index")
    names = [row[0] for row in cursor.fetchall()]
    for name in names:
        cursor.execute(f'DROP INDEX IF EXISTS "{name}"')
    return len(names)


def restore_indexes(cursor, stdout=print, jobs: int = 1) -> int:
    """Create the parked indexes again (those that do not exist) and forget them, `jobs` at a time."""
    cursor.execute("SELECT to_regclass('bench_parked_index')")
    if cursor.fetchone()[0] is None:
        return 0
    # The GIN full-text index takes longest: start it first so that the builders finish together.
    cursor.execute("SELECT name, definition FROM bench_parked_index ORDER BY definition LIKE '%USING gin%' DESC, name")
    parked = cursor.fetchall()
    todo, lock, errors = list(parked), threading.Lock(), []

    def builder() -> None:
        # Each builder is its own connection: CREATE INDEX takes a SHARE lock, so several can build
        # on one table at once. One builder per core, without parallel workers on top.
        from django.db import connection

        try:
            with connection.cursor() as c:
                c.execute("SET maintenance_work_mem = '1GB'")
                if jobs > 1:
                    c.execute("SET max_parallel_maintenance_workers = 0")
                while not errors:
                    with lock:
                        if not todo:
                            return
                        name, definition = todo.pop(0)
                    c.execute("SELECT to_regclass(%s)", [name])
                    if c.fetchone()[0] is None:
                        begin = time.perf_counter()
                        c.execute(definition)
                        stdout(f"  индекс {name}: {time.perf_counter() - begin:.1f} с")
                    c.execute("DELETE FROM bench_parked_index WHERE name = %s", [name])
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=builder) for _ in range(max(1, jobs))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    cursor.execute("DROP TABLE bench_parked_index")
    return len(parked)


def _prepare_session(cursor, stdout) -> None:
    """Per connection: memory for the chunk's CTEs, the lookup tables, FK triggers off."""
    from django.db import DatabaseError, transaction

    cursor.execute("SET work_mem = '128MB'")
    create_lookup_tables(cursor)
    # The generated foreign keys are valid by construction; skip the FK triggers during the
    # load (superuser only; otherwise they run at each chunk's commit).
    try:
        with transaction.atomic():
            cursor.execute("SET session_replication_role = replica")
    except DatabaseError:  # not a superuser: keep the checks
        stdout("(проверки внешних ключей остаются включёнными)")


def _load(chunks: list[tuple[int, int, int]], params: dict, seed: float | None, progress, stdout) -> None:
    """Insert these chunks (index, first g, last g) on this thread's own connection."""
    from django.db import connection, transaction

    try:
        with connection.cursor() as cursor:
            _prepare_session(cursor, stdout)
            for index, lo, hi in chunks:
                if seed is not None:  # the same data whichever loader gets the chunk
                    cursor.execute("SELECT setseed(%s)", [math.sin(seed * 1000 + index)])
                with transaction.atomic():
                    cursor.execute(INSERT, {**params, "lo": lo, "hi": hi})
                progress(hi - lo + 1)
    finally:
        connection.close()


def generate(
    appeals: int, years: float, *, seed: float | None, keep_indexes: bool, jobs: int = 2, stdout=print
) -> dict:
    """Add `appeals` appeals spread over the last `years` years with `jobs` parallel loaders; returns timings."""
    from django.db import connection
    from django.utils import timezone

    ensure_directory(stdout)
    ensure_users()
    now = timezone.now()
    params = {**_constant_params(), **territory_arrays(), **day_arrays(now, years), "now": now}
    timings = {}
    with connection.cursor() as cursor:
        restore_indexes(cursor, stdout, jobs)  # left over from an interrupted run
        cursor.execute("SELECT COALESCE(max(id), 0) FROM appeals_appeal")
        params["base"] = cursor.fetchone()[0]
        if not keep_indexes:
            drop_secondary_indexes(cursor)
    chunks = [(i, lo, min(lo + CHUNK - 1, appeals)) for i, lo in enumerate(range(1, appeals + 1, CHUNK))]
    lock, done, start = threading.Lock(), [0], time.perf_counter()

    def progress(count: int) -> None:
        with lock:
            done[0] += count
            elapsed = time.perf_counter() - start
            stdout(f"  {n(done[0]):>10} обращений  {elapsed:7.1f} с  {n(done[0] / elapsed)} строк/с")

    try:
        loaders = [threading.Thread(target=_load, args=(chunks[j::jobs], params, seed, progress, stdout))
                   for j in range(max(1, jobs))]  # fmt: skip
        for loader in loaders:
            loader.start()
        for loader in loaders:
            loader.join()
        timings["insert_s"] = time.perf_counter() - start
        if done[0] != appeals:
            raise SystemExit(f"Загружено {done[0]} из {appeals}: см. ошибку выше.")
    finally:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence('appeals_appeal', 'id'), "
                "(SELECT COALESCE(max(id), 1) FROM appeals_appeal))"
            )
            begin = time.perf_counter()
            restore_indexes(cursor, stdout, jobs)
            timings["indexes_s"] = time.perf_counter() - begin
    begin = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE) appeals_appeal")
    timings["analyze_s"] = time.perf_counter() - begin
    timings["appeals"] = appeals
    timings["rows_per_s"] = appeals / timings["insert_s"]
    timings["rows_per_s_with_indexes"] = appeals / (timings["insert_s"] + timings["indexes_s"])
    return timings


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.generate", description=__doc__.splitlines()[0])
    parser.add_argument("--appeals", type=int, default=1_000_000, help="сколько обращений добавить")
    parser.add_argument("--years", type=float, default=3.0, help="за сколько последних лет")
    parser.add_argument("--seed", type=float, default=0.42, help="зерно random() PostgreSQL (от -1 до 1)")
    parser.add_argument("--keep-indexes", action="store_true", help="не снимать индексы на время загрузки")
    parser.add_argument("--jobs", type=int, default=2, help="параллельных загрузчиков (соединений)")
    parser.add_argument("--restore-indexes", action="store_true", help="только вернуть индексы прерванной загрузки")
    args = parser.parse_args(argv)
    setup()
    name = require_postgresql()
    if args.restore_indexes:
        from django.db import connection

        with connection.cursor() as cursor:
            print(f"База {name}: возвращено индексов {restore_indexes(cursor, jobs=args.jobs)}")
        return
    print(f"База {name}: добавляю {n(args.appeals)} обращений за {args.years:g} г.")
    t = generate(args.appeals, args.years, seed=args.seed, keep_indexes=args.keep_indexes, jobs=args.jobs)
    print(
        f"Готово: вставка {t['insert_s']:.1f} с ({n(t['rows_per_s'])} строк/с), индексы {t['indexes_s']:.1f} с, "
        f"ANALYZE {t['analyze_s']:.1f} с; с индексами {n(t['rows_per_s_with_indexes'])} строк/с"
    )
    print_summary()


def print_summary() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT status, count(*) FROM appeals_appeal GROUP BY 1 ORDER BY 2 DESC")
        rows = cursor.fetchall()
        cursor.execute(
            """SELECT count(*) FILTER (WHERE overdue_at IS NOT NULL), count(*) FILTER (WHERE status IN
               ('assigned', 'in_progress', 'returned', 'reopened', 'info_requested') AND due_at < now()), count(*)
               FROM appeals_appeal"""
        )
        ever_overdue, open_overdue, total = cursor.fetchone()
    print("Статусы: " + ", ".join(f"{status} {n(count)}" for status, count in rows))
    print(f"Просрочено когда-либо: {ever_overdue / total:.1%}; открыто и просрочено сейчас: {n(open_overdue)}")


if __name__ == "__main__":
    main()
