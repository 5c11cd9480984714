"""`python -m bench`: every benchmark over the database in DATABASE_URL, one table.

Fill the database first with `python -m bench.generate --appeals 1000000` (see bench/README.md).
Sections, in order: sweep, queue pages and lists, API, import (CSV and XLSX), classifier, ratings, and
the heat map when bench/bench_heatmap.py has its run(). Each bench module also runs on its own.
"""

import argparse
import sys
import time
import traceback

from bench import TABLE_HEADER, n, print_table, require_postgresql, row, setup

SECTIONS = ("sweep", "lists", "api", "import", "classifier", "ratings", "heatmap")


def _heatmap_rows(runs: int, rebuild: bool) -> list[tuple]:
    from bench import bench_heatmap

    if not hasattr(bench_heatmap, "run"):
        return [row("тепловая карта", "нет bench_heatmap.run()")]
    out = []
    # bench_heatmap.run() rows: (operation, p50 ms, p95 ms, per second, rows); a one-off has no p95.
    for operation, p50, p95, per_second, rows in bench_heatmap.run(runs=runs, rebuild=rebuild):
        operation = operation.removeprefix("тепловая карта: ")
        if p95 is None and p50 is not None:
            out.append(row("тепловая карта", operation, seconds=p50 / 1000, per_second=per_second, unit="обращ.",
                           rows=rows, note="цель < 2 мин при 10M"))  # fmt: skip
        else:
            goal = "цель < 50 мс" if operation.startswith("обновление") else "цель p95 < 300 мс"
            out.append(row("тепловая карта", operation, p50_ms=p50, p95_ms=p95, per_second=per_second,
                           unit="запр.", rows=rows, note=goal))  # fmt: skip
    return out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30, help="повторов для p50/p95")
    parser.add_argument("--skip", nargs="*", default=[], choices=SECTIONS, help="пропустить разделы")
    parser.add_argument(
        "--open-all", action="store_true", help="sweep: ещё и сценарий «все обращения открыты» (переписывает таблицу)"
    )
    parser.add_argument("--import-rows", type=int, default=20_000, help="строк в файле импорта")
    parser.add_argument(
        "--ratings-organisations",
        type=int,
        default=500,
        help="рейтинги: не меньше стольких организаций (0 — как есть; при 10M их раздача — десятки минут)",
    )
    parser.add_argument(
        "--heatmap-rebuild", action="store_true", help="тепловая карта: пересобрать свёртку (иначе — читать имеющуюся)"
    )
    args = parser.parse_args(argv)
    setup()
    name = require_postgresql()

    from appeals.models import Appeal

    from . import bench_api, bench_classifier, bench_queue, bench_ratings, bench_sweep, import_bench

    sections = {
        "sweep": lambda: bench_sweep.table_rows(runs=3, open_all_appeals=args.open_all),
        "lists": lambda: bench_queue.table_rows(runs=args.runs),
        "api": lambda: bench_api.table_rows(runs=args.runs),
        "import": lambda: import_bench.table_rows(args.import_rows),
        "classifier": lambda: bench_classifier.table_rows(),
        "ratings": lambda: bench_ratings.table_rows(runs=args.runs, organisations=args.ratings_organisations),
        "heatmap": lambda: _heatmap_rows(args.runs, args.heatmap_rebuild),
    }
    print(f"База {name}: {n(Appeal.objects.count())} обращений")
    started = time.perf_counter()
    rows = []
    for section, measure in sections.items():
        if section in args.skip:
            continue
        begin = time.perf_counter()
        try:
            measured = measure()
        except Exception as exc:  # one broken section must not lose the figures of the others
            traceback.print_exc()
            measured = [row(section, "ошибка", note=f"{type(exc).__name__}: {exc}"[:200])]
        rows += measured
        # As it goes, so that an interrupted run keeps what it measured.
        print(f"… {section}: {time.perf_counter() - begin:.0f} с", *measured, sep="\n", file=sys.stderr, flush=True)
    print_table(rows, TABLE_HEADER)
    print(f"({time.perf_counter() - started:.0f} с)")


if __name__ == "__main__":
    main()
