"""Time the heat map over the generated region: the full rollup rebuild, the selectors and the pages
(p50/p95), and the incremental update after one appeal change.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cur_bench python -m bench.bench_heatmap [--runs N]

The heat map migrations are applied and the rollup is rebuilt for real (committed: it is derived data, and
the pages of that database then have it); the reads, the pages and the incremental updates run in one
transaction that is rolled back, so the appeals and the users are left as they were. --no-rebuild times the
reads over the rollup already there.

Targets (issue 6): every heat map and dashboard request under 300 ms at p95; a full rebuild under 2 minutes
at 10M appeals; the rollup update after one appeal change under 50 ms.
"""

import argparse
import datetime
import random
import time

from bench import n, print_table, require_postgresql, setup, timed, web_client


class _Rollback(Exception):
    pass


def _ensure_tables() -> None:
    from django.core.management import call_command
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    if executor.migration_plan([key for key in executor.loader.graph.leaf_nodes() if key[0] == "heatmap"]):
        call_command("migrate", "heatmap", verbosity=0)


def _today() -> datetime.date:
    from django.db.models import Max
    from django.utils import timezone

    from appeals.models import Appeal

    newest = Appeal.objects.aggregate(last=Max("registered_at"))["last"]
    if newest is None:
        raise SystemExit("В базе нет обращений: сначала python -m bench.generate --appeals 1000000")
    return timezone.localtime(newest).date()


Row = tuple[str, float, float | None, float | None, int | None]  # operation, p50_ms, p95_ms, throughput, rows


def _row(operation: str, fn, runs: int, *, rows: int | None = None, warmup: int = 2) -> Row:
    t = timed(fn, runs, warmup=warmup)
    return (operation, round(t["p50"], 1), round(t["p95"], 1), round(1000 / t["p50"], 1), rows)


def _selectors(runs: int, today: datetime.date) -> list[Row]:
    from appeals.selectors import territory_and_descendants
    from heatmap import dashboards, reports, selectors
    from heatmap.models import ProblemPoint
    from heatmap.scope import Scope
    from heatmap.selectors import HeatQuery
    from sectors.models import SectorBlock, Territory

    everything = Scope(everything=True)
    health = SectorBlock.objects.get(code="health")
    head = Scope(blocks=(health.pk,))
    ryazan = Territory.objects.get(oktmo="61701000")
    topic = selectors.aggregate(everything, HeatQuery(today - datetime.timedelta(days=29), today), ("topic",))
    top_topic = max((k for k in topic if k[0]), key=lambda k: topic[k]["received"])[0]
    problems = ProblemPoint.objects.select_related("territory", "topic", "sector_block")
    names = {b.pk: b.name for b in selectors.sector_blocks()}

    def q(days: int, **kw) -> HeatQuery:
        return HeatQuery(today - datetime.timedelta(days=days - 1), today, **kw)

    def hm(query: HeatQuery, code: str = "appeals", scope: Scope = everything):
        return lambda: reports.heat_map(scope, query, code, sector_codes={}, topic_code=None)

    mcu = Scope(territories=tuple(territory_and_descendants(ryazan)))
    cases = [
        ("карта: 30 дней, вся область", hm(q(30))),
        ("карта: 90 дней, на 1 000 жителей", hm(q(90), "per_1000")),
        ("карта: 365 дней, рост", hm(q(365), "growth")),
        ("карта: 30 дней, руководитель блока", hm(q(30), scope=head)),
        ("карта: 90 дней, руководитель блока", hm(q(90), scope=head)),
        ("карта: 365 дней, руководитель блока", hm(q(365), scope=head)),
        ("карта: 365 дней, блок «Здравоохранение»", hm(q(365, sector_id=health.pk))),
        ("карта: 365 дней, одна тема", hm(q(365, topic_id=top_topic))),
        ("карта: 365 дней, канал ПОС", hm(q(365, channel="pos"))),
        ("карта: 365 дней, МЦУ Рязани", hm(q(365), scope=mcu)),
        ("матрица территория × блок: 365 дней",
         lambda: selectors.aggregate(everything, q(365), ("territory", "sector"))),
        ("динамика: 90 дней по неделям", lambda: reports.trend(everything, q(90), names)),
        ("динамика: 365 дней по месяцам", lambda: reports.trend(everything, q(365), names)),
        ("приоритеты: 90 дней", lambda: reports.priority_rows(everything, q(90), None, min_count=10)),
        ("дашборд ЦУР: 30 дней", lambda: dashboards.region_dashboard(everything, q(30), problems)),
        ("дашборд блока: 30 дней", lambda: dashboards.block_dashboard(head, q(30), [health], problems)),
        ("ряды для проблемных точек (9 недель)", lambda: selectors.weekly_series(today, 9)),
    ]  # fmt: skip
    return [_row(f"тепловая карта: {label}", fn, runs) for label, fn in cases]


def _busiest(today: datetime.date) -> tuple:
    """(the organisation with the most appeals in the last year, its biggest topic, the region's biggest
    municipality and topic), read from the rollup."""
    from django.db.models import Sum

    from heatmap.models import HeatMonth, HeatTopicMonth

    year = today - datetime.timedelta(days=365)
    by = HeatMonth.objects.filter(month__gte=year, organisation__isnull=False).values("organisation_id")
    organisation = by.annotate(n=Sum("received")).order_by("-n")[0]["organisation_id"]
    topics = HeatTopicMonth.objects.filter(month__gte=year, topic__isnull=False)
    pair = topics.values("territory_id", "topic_id").annotate(n=Sum("received")).order_by("-n")[0]
    return organisation, pair["territory_id"], pair["topic_id"]


def _pages(runs: int, today: datetime.date) -> list[Row]:
    from appeals.models import Topic
    from cur.models import User
    from cur.roles import Role
    from heatmap.services import detect_problem_points
    from sectors.models import Territory

    detect_problem_points()  # so that the problem point lists are not empty (rolled back with the rest)
    curator = User.objects.create(username="bench-heatmap-curator", role=Role.CURATOR)
    head = User.objects.filter(username="bench-head-health").first() or User.objects.create(
        username="bench-heatmap-head", role=Role.BLOCK_HEAD
    )
    organisation, territory, topic_id = _busiest(today)
    executor = User.objects.create(username="bench-heatmap-executor", role=Role.EXECUTOR, organisation_id=organisation)
    mcu = User.objects.create(username="bench-heatmap-mcu", role=Role.MUNICIPAL_OPERATOR,
                              territory=Territory.objects.get(oktmo="61701000"))  # fmt: skip
    topic = Topic.objects.get(pk=topic_id).code
    focus = f"/heatmap/focus/?territory={territory}&topic={topic}"
    cases = [
        (curator, "/heatmap/map/"), (curator, "/heatmap/map/?period=90"),
        (curator, "/heatmap/map/?period=365&metric=growth"),
        (curator, f"/heatmap/map/?period=365&topic={topic}&channel=pos"),
        (curator, "/heatmap/priorities/"), (curator, "/heatmap/priorities/?period=365"), (curator, focus),
        (curator, "/heatmap/dashboard/region/"), (curator, "/heatmap/problems/"),
        (curator, "/heatmap/problems/list/"), (head, "/heatmap/dashboard/block/"), (head, "/heatmap/map/?period=90"),
        (head, "/heatmap/map/?period=365"), (head, "/heatmap/priorities/"),
        (mcu, "/heatmap/map/?period=365"), (mcu, "/heatmap/priorities/"),
        (executor, "/heatmap/map/?period=365"), (executor, f"/heatmap/map/?period=365&topic={topic}"),
        (executor, "/heatmap/priorities/"), (executor, "/heatmap/priorities/?period=365"),
    ]  # fmt: skip
    rows = []
    for user, url in cases:
        client = web_client(user)
        response = client.get(url)
        if response.status_code != 200:
            raise SystemExit(f"{url}: HTTP {response.status_code}")
        rows.append(_row(f"страница: {user.get_role_display()} {url}", lambda c=client, u=url: c.get(u), runs,
                         rows=len(response.content)))  # fmt: skip
    return rows


def _incremental(runs: int) -> list[Row]:
    from appeals.models import Appeal
    from heatmap import rollup

    ids = list(Appeal.objects.order_by("?").values_list("pk", flat=True)[: runs + 200])
    rng = random.Random(1)
    single = _row("тепловая карта: обновление после изменения одного обращения",
                  lambda: rollup.refresh_appeals([rng.choice(ids)]), runs, rows=1, warmup=3)  # fmt: skip
    batch = _row("тепловая карта: обновление пакета из 200 обращений",
                 lambda: rollup.refresh_appeals(rng.sample(ids, 200)), max(3, runs // 10), rows=200,
                 warmup=1)  # fmt: skip
    return [single, batch]


def run(*, runs: int = 30, rebuild: bool = True, jobs: int = 2) -> list[Row]:
    """The heat map rows of the common table: (operation, p50_ms, p95_ms, throughput per second, rows)."""
    from django.db import transaction

    from appeals.models import Appeal
    from heatmap import rollup

    _ensure_tables()
    today = _today()
    appeals = Appeal.objects.count()
    rows: list[Row] = []
    if rebuild:
        started = time.perf_counter()
        counts = rollup.rebuild_all(jobs=jobs)
        elapsed = time.perf_counter() - started
        rows.append((f"тепловая карта: полная пересборка ({jobs} соединения; месяцев ячеек {n(counts['cell_months'])}, "
                     f"месяцев {n(counts['months'])}, следов {n(counts['footprints'])})",
                     round(elapsed * 1000), None, round(appeals / elapsed), appeals))  # fmt: skip
    try:
        with transaction.atomic():
            rows += _selectors(runs, today)
            rows += _pages(runs, today)
            rows += _incremental(runs)
            raise _Rollback
    except _Rollback:
        pass
    return rows


HEADER = ("операция", "p50, мс", "p95, мс", "в секунду", "строк")


def _cell(value) -> str:
    return "" if value is None else n(value) if isinstance(value, int) else f"{value:.1f}"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.bench_heatmap", description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30, help="повторов для p50/p95")
    parser.add_argument("--no-rebuild", action="store_true", help="не пересобирать свёртку, мерить чтение имеющейся")
    parser.add_argument("--jobs", type=int, default=2, help="соединений пересборки")
    args = parser.parse_args(argv)
    setup()
    name = require_postgresql()
    from appeals.models import Appeal

    print(f"База {name}: {n(Appeal.objects.count())} обращений, последнее {_today():%d.%m.%Y}")
    rows = run(runs=args.runs, rebuild=not args.no_rebuild, jobs=args.jobs)
    print_table([(op, *(_cell(v) for v in rest)) for op, *rest in rows], HEADER)


if __name__ == "__main__":
    main()
