"""Time the heat map over the generated region: the full rollup rebuild, the selectors and the pages
(p50/p95), and the incremental update after one appeal change.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cur_bench python -m bench.bench_heatmap

Everything happens in one transaction that is rolled back (the heat map tables are created inside it if
missing), so the database is left as it was and the figures repeat; --keep commits the rebuilt rollup
instead (then the heat map pages of that database have data).

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


def _ensure_tables() -> str:
    from django.core.management import call_command
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    plan = executor.migration_plan([key for key in executor.loader.graph.leaf_nodes() if key[0] == "heatmap"])
    if not plan:
        return "таблицы тепловой карты в актуальной схеме"
    call_command("migrate", "heatmap", verbosity=0)  # inside the transaction: rolled back with it
    return f"миграции тепловой карты применены на время замера ({len(plan)})"


def _today() -> datetime.date:
    from django.db.models import Max
    from django.utils import timezone

    from appeals.models import Appeal

    newest = Appeal.objects.aggregate(last=Max("registered_at"))["last"]
    if newest is None:
        raise SystemExit("В базе нет обращений: сначала python -m bench.generate --appeals 1000000")
    return timezone.localtime(newest).date()


def _ms(t: dict) -> tuple[str, str]:
    return f"{t['p50']:.1f} мс", f"{t['p95']:.1f} мс"


def _selectors(runs: int, today: datetime.date) -> list[tuple]:
    from appeals.selectors import territory_and_descendants
    from heatmap import dashboards, reports, selectors
    from heatmap.models import ProblemPoint
    from heatmap.scope import Scope
    from heatmap.selectors import HeatQuery
    from sectors.models import SectorBlock, Territory

    everything = Scope(everything=True)
    health = SectorBlock.objects.get(code="health")
    ryazan = Territory.objects.get(oktmo="61701000")
    topic = selectors.aggregate(everything, HeatQuery(today - datetime.timedelta(days=29), today), ("topic",))
    top_topic = max((k for k in topic if k[0]), key=lambda k: topic[k]["received"])[0]
    problems = ProblemPoint.objects.select_related("territory", "topic", "sector_block")

    def q(days: int, **kw) -> HeatQuery:
        return HeatQuery(today - datetime.timedelta(days=days - 1), today, **kw)

    def hm(query: HeatQuery, code: str = "appeals", scope: Scope = everything):
        return lambda: reports.heat_map(scope, query, code, sector_codes={}, topic_code=None)

    mcu = Scope(territories=tuple(territory_and_descendants(ryazan)))
    cases = [
        ("карта: 30 дней, вся область", hm(q(30))),
        ("карта: 90 дней, на 1 000 жителей", hm(q(90), "per_1000")),
        ("карта: 365 дней, рост", hm(q(365), "growth")),
        ("карта: 365 дней, блок «Здравоохранение»", hm(q(365, sector_id=health.pk))),
        ("карта: 365 дней, одна тема", hm(q(365, topic_id=top_topic))),
        ("карта: 365 дней, руководитель блока", hm(q(365), scope=Scope(blocks=(health.pk,)))),
        ("карта: 365 дней, МЦУ Рязани", hm(q(365), scope=mcu)),
        ("heat_cells: 365 дней по территориям", lambda: selectors.aggregate(everything, q(365), ("territory",))),
        ("приоритеты: 90 дней", lambda: reports.priority_rows(everything, q(90), None, min_count=10)),
        ("дашборд ЦУР: 30 дней", lambda: dashboards.region_dashboard(everything, q(30), problems)),
        ("дашборд блока: 30 дней",
         lambda: dashboards.block_dashboard(Scope(blocks=(health.pk,)), q(30), [health], problems)),
        ("ряды для проблемных точек (9 недель)", lambda: selectors.weekly_series(today, 9)),
    ]  # fmt: skip
    rows = []
    for label, fn in cases:
        p50, p95 = _ms(timed(fn, runs))
        rows.append(("селекторы", label, p50, p95, "цель < 300 мс"))
    return rows


def _pages(runs: int) -> list[tuple]:
    from cur.models import User
    from cur.roles import Role

    curator = User.objects.create(username="bench-heatmap-curator", role=Role.CURATOR)
    head = User.objects.filter(username="bench-head-health").first() or User.objects.create(
        username="bench-heatmap-head", role=Role.BLOCK_HEAD
    )
    cases = [
        (curator, "/heatmap/map/"), (curator, "/heatmap/map/?period=365&metric=growth"),
        (curator, "/heatmap/priorities/"), (curator, "/heatmap/dashboard/region/"),
        (head, "/heatmap/dashboard/block/"), (head, "/heatmap/map/?period=90"),
    ]  # fmt: skip
    rows = []
    for user, url in cases:
        client = web_client(user)
        response = client.get(url)
        if response.status_code != 200:
            raise SystemExit(f"{url}: HTTP {response.status_code}")
        p50, p95 = _ms(timed(lambda client=client, url=url: client.get(url), runs))
        rows.append(("страницы", f"{user.get_role_display()}: {url}", p50, p95, f"{n(len(response.content))} байт"))
    return rows


def _incremental(runs: int) -> list[tuple]:
    from appeals.models import Appeal
    from heatmap import rollup

    ids = list(Appeal.objects.order_by("?").values_list("pk", flat=True)[: runs + 200])
    rng = random.Random(1)
    single = timed(lambda: rollup.refresh_appeals([rng.choice(ids)]), runs, warmup=3)
    batch = timed(lambda: rollup.refresh_appeals(rng.sample(ids, 200)), max(3, runs // 10), warmup=1)
    p50, p95 = _ms(single)
    rows = [("обновление", "одно обращение изменилось", p50, p95, "цель < 50 мс")]
    p50, p95 = _ms(batch)
    rows.append(("обновление", "пакет из 200 обращений", p50, p95, "импорт/обход сроков: задачей Celery"))
    return rows


def run(*, runs: int = 30, keep: bool = False) -> list[tuple]:
    from django.db import transaction

    from appeals.models import Appeal
    from heatmap import rollup

    rows: list[tuple] = []
    try:
        with transaction.atomic():
            note = _ensure_tables()
            today = _today()
            rows.append(("данные", f"{n(Appeal.objects.count())} обращений, последнее {today:%d.%m.%Y}", "", "", note))
            started = time.perf_counter()
            counts = rollup.rebuild_all()
            elapsed = time.perf_counter() - started
            rows.append(("пересборка", "вся свёртка из таблицы обращений", f"{elapsed:.1f} с", "",
                         f"ячеек {n(counts['cells'])}, месяцев {n(counts['months'])}, "
                         f"следов {n(counts['footprints'])}"))  # fmt: skip
            rows += _selectors(runs, today)
            rows += _pages(runs)
            rows += _incremental(runs)
            if not keep:
                raise _Rollback
    except _Rollback:
        pass
    return rows


HEADER = ("раздел", "замер", "p50 / время", "p95", "примечание")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.bench_heatmap", description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30, help="повторов для p50/p95")
    parser.add_argument("--keep", action="store_true", help="сохранить пересобранную свёртку (не откатывать)")
    args = parser.parse_args(argv)
    setup()
    name = require_postgresql()
    print(f"База {name}")
    print_table(run(runs=args.runs, keep=args.keep), HEADER)


if __name__ == "__main__":
    main()
