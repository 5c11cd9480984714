"""Time a monthly rating run at each level over the generated region, and the ratings API (p50/p95).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cur_bench python -m bench.bench_ratings

Everything happens in one transaction that is rolled back, so the database is left as it was and the
figures repeat: if the ratings tables are missing they are created inside it (PostgreSQL DDL is
transactional); with --organisations N (default 500) the month's appeals are first spread over at
least N organisations, extra ones created for the purpose (the target: ≥ 500 organisations); when the
generator wrote no appeal events, hand-over events (assigned, 1 in 12 redirected) are added so that
the redirect indicator reads a realistic events table.

Targets (issue 5): a monthly run under 10 s at 1M appeals; the API's p95 under 50 ms.
"""

import argparse
import datetime
import time

from bench import TABLE_HEADER, print_table, require_postgresql, row, setup, timed, timing_row


class _Rollback(Exception):
    pass


def _ensure_ratings_tables() -> str:
    from django.core.management import call_command
    from django.db import connection

    if "ratings_ratingrun" in connection.introspection.table_names():
        return "таблицы рейтингов уже есть"
    call_command("migrate", "ratings", verbosity=0)  # inside the transaction: rolled back with it
    return "таблицы рейтингов созданы на время замера"


def _month_with_data():
    """The last full month before the newest appeal (the generator writes up to «now»)."""
    from django.db.models import Max

    from appeals.models import Appeal
    from ratings import periods

    newest = Appeal.objects.aggregate(last=Max("registered_at"))["last"]
    if newest is None:
        raise SystemExit("В базе нет обращений: сначала python -m bench.generate --appeals 1000000")
    day = min(newest.astimezone(periods.MOSCOW).date(), periods.today())
    return periods.previous_month(day)


SPREAD = """
UPDATE appeals_appeal SET organisation_id = (%(orgs)s::bigint[])[1 + (id %% %(n)s)]
WHERE organisation_id IS NOT NULL AND registered_at >= %(since)s AND registered_at < %(cutoff)s
"""


def _spread(period, target: int) -> tuple[int, int]:
    """At least `target` organisations, the appeals around the month shared out among them."""
    from django.db import connection

    from ratings import periods
    from sectors.models import Organisation, Territory

    have = Organisation.objects.count()
    if have < target:
        territories = list(Territory.objects.filter(kind__in=Territory.MUNICIPAL_KINDS).values_list("pk", flat=True))
        Organisation.objects.bulk_create(
            Organisation(name=f"Бенчмарк: учреждение № {i}", kind=Organisation.Kind.SUBORDINATE,
                         territory_id=territories[i % len(territories)])
            for i in range(target - have)
        )  # fmt: skip
    orgs = list(Organisation.objects.values_list("pk", flat=True))
    start, cutoff = periods.bounds(period.start, period.end)
    with connection.cursor() as cursor:
        cursor.execute(SPREAD, {"orgs": orgs, "n": len(orgs), "since": start - datetime.timedelta(days=90),
                                "cutoff": cutoff})  # fmt: skip
        moved = cursor.rowcount
        cursor.execute("ANALYZE appeals_appeal")
    return len(orgs), moved


EVENTS = """
INSERT INTO appeals_appealevent (appeal_id, created_at, kind, from_status, to_status, changes, comment)
SELECT id, assigned_at, 'assigned', 'new', 'assigned',
       jsonb_build_object('organisation', jsonb_build_array(NULL, organisation_id)), ''
FROM appeals_appeal WHERE organisation_id IS NOT NULL AND assigned_at IS NOT NULL
UNION ALL
SELECT id, assigned_at + interval '1 day', 'redirected', 'assigned', 'assigned',
       jsonb_build_object('organisation', jsonb_build_array((%(orgs)s::bigint[])[1 + ((id + 1) %% %(n)s)],
                                                            organisation_id)), 'Не по компетенции'
FROM appeals_appeal WHERE organisation_id IS NOT NULL AND assigned_at IS NOT NULL AND id %% 12 = 0
"""


def _events() -> str:
    """Hand-over events as the services write them, when the generator wrote none: an «assigned» event per
    assigned appeal and a redirect for one in twelve (the redirect indicator reads them)."""
    from django.db import connection

    from appeals.models import AppealEvent
    from sectors.models import Organisation

    if AppealEvent.objects.exists():
        return "события из генератора"
    orgs = list(Organisation.objects.values_list("pk", flat=True))
    with connection.cursor() as cursor:
        cursor.execute(EVENTS, {"orgs": orgs, "n": len(orgs)})
        added = cursor.rowcount
        cursor.execute("ANALYZE appeals_appealevent")
    return f"добавлено событий передачи {added:,}".replace(",", " ")


def _compute(level: str, period) -> tuple[float, object]:
    from ratings import services

    run = services.request_run(level=level, period=period, by=None, queue=False)
    start = time.perf_counter()
    services.compute_run(run.pk)
    elapsed = time.perf_counter() - start
    run.refresh_from_db()
    if not run.is_done:
        raise SystemExit(f"Расчёт не удался: {run.error}")
    return elapsed, run


def _api(runs: int, run_id: int) -> list[tuple]:
    from django.conf import settings
    from django.test import Client, override_settings
    from django.test.utils import setup_test_environment
    from rest_framework.authtoken.models import Token

    from cur.models import User
    from cur.roles import Role

    setup_test_environment()
    user = User.objects.create(username="bench-competence-center", role=Role.COMPETENCE_CENTER)
    client = Client(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    rates = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"ratings": "1000000/min"}}
    cases = [
        ("GET /api/v1/ratings/?level=organisation", "/api/v1/ratings/?level=organisation", {}),
        (f"GET /api/v1/ratings/{run_id}/ (100 строк)", f"/api/v1/ratings/{run_id}/", {}),
        (f"GET /api/v1/ratings/{run_id}/?page=2", f"/api/v1/ratings/{run_id}/?page=2", {}),
        ("GET /api/v1/ratings/latest/?level=organisation", "/api/v1/ratings/latest/?level=organisation", {}),
        ("GET /api/v1/rating-methodologies/", "/api/v1/rating-methodologies/", {}),
    ]
    rows = []
    with override_settings(REST_FRAMEWORK=rates):
        for label, url, headers in cases:
            first = client.get(url, **headers)
            if first.status_code != 200:
                raise SystemExit(f"{url}: HTTP {first.status_code} {first.content[:200]!r}")
            t = timed(lambda url=url: client.get(url), runs)
            size = f"{len(first.content):,} байт; цель p95 < 50 мс".replace(",", " ")
            rows.append(timing_row("рейтинги: API", label, t, note=size))
            etag = first["ETag"]
            t = timed(lambda url=url, etag=etag: client.get(url, HTTP_IF_NONE_MATCH=etag), runs)
            rows.append(timing_row("рейтинги: API", f"{label}, If-None-Match → 304", t))
    return rows


def run(*, runs: int = 50, organisations: int = 500, repeat: int = 3) -> list[tuple]:
    from django.db import transaction

    from appeals.models import Appeal
    from ratings.models import Level

    rows: list[tuple] = []
    try:
        with transaction.atomic():
            note = _ensure_ratings_tables()
            period = _month_with_data()
            total = Appeal.objects.count()
            org_count, moved = _spread(period, organisations) if organisations else (0, 0)
            events = _events()
            facts = f"{note}; организаций {org_count}, переназначено {moved:,}; {events}".replace(",", " ")
            rows.append(row("рейтинги", f"данные: месяц {period.label}", rows=total, note=facts))
            org_run = None
            for level in Level.values:
                samples = []
                for _ in range(repeat):
                    elapsed, computed = _compute(level, period)
                    samples.append(elapsed)
                org_run = computed if level == Level.ORGANISATION else org_run
                rows.append(row("рейтинги", f"расчёт: месяц, {computed.get_level_display().lower()}",
                                seconds=min(samples), rows=computed.subject_count,
                                note=f"лучший из {repeat}, худший {max(samples):.2f} с; с местом "
                                     f"{computed.ranked_count}; цель < 10 с"))  # fmt: skip
            rows += _api(runs, org_run.pk)
            raise _Rollback
    except _Rollback:
        pass
    from django.db import connection

    with connection.cursor() as cursor:  # rolled-back writes leave dead row versions behind
        cursor.execute("VACUUM (ANALYZE) appeals_appeal")
        cursor.execute("VACUUM (ANALYZE) appeals_appealevent")
    return rows


table_rows = run  # its rows are already those of the common table (python -m bench)

HEADER = TABLE_HEADER


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.bench_ratings", description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=50, help="запросов API на замер (p50/p95)")
    parser.add_argument("--repeat", type=int, default=3, help="расчётов каждого уровня")
    parser.add_argument("--organisations", type=int, default=500, help="не меньше стольких организаций (0 — как есть)")
    args = parser.parse_args(argv)
    setup()
    require_postgresql()
    print_table(run(runs=args.runs, organisations=args.organisations, repeat=args.repeat), HEADER)


if __name__ == "__main__":
    main()
