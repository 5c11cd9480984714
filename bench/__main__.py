"""`python -m bench`: every benchmark over the database in DATABASE_URL, one table.

Fill the database first with `python -m bench.generate --appeals 1000000` (see bench/README.md).
"""

import argparse
import subprocess
import sys
import time

from bench import n, print_table, require_postgresql, setup

HEADER = ("раздел", "замер", "p50 / время", "p95", "примечание")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30, help="повторов для p50/p95")
    parser.add_argument(
        "--open-all", action="store_true", help="sweep: ещё и сценарий «все обращения открыты» (~5 мин)"
    )
    parser.add_argument("--with-import", action="store_true", help="ещё и python -m bench.import_bench")
    args = parser.parse_args(argv)
    setup()
    name = require_postgresql()

    from appeals.models import Appeal

    from . import bench_api, bench_queue, bench_sweep

    print(f"База {name}: {n(Appeal.objects.count())} обращений")
    started = time.perf_counter()
    rows = []
    for case, data, seconds, changes in bench_sweep.run(runs=3, open_all_appeals=args.open_all):
        rows.append(("sweep", case, seconds, "", f"{data}; {changes}"))
    for case, q50, q95, p50, p95 in bench_queue.run(runs=args.runs):
        rows.append(("списки", f"{case}: запрос", f"{q50} мс", f"{q95} мс", ""))
        rows.append(("списки", f"{case}: страница", f"{p50} мс", f"{p95} мс", ""))
    for case, p50, p95, count in bench_api.run(runs=args.runs):
        rows.append(("API", case, f"{p50} мс", f"{p95} мс", f"строк {count}"))
    print_table(rows, HEADER)
    print(f"({time.perf_counter() - started:.0f} с)")
    if args.with_import:
        subprocess.run([sys.executable, "-m", "bench.import_bench"], check=True)


if __name__ == "__main__":
    main()
