"""Time GET /api/v1/appeals/ (cursor-paginated list, 50 per page) as an operator: p50/p95 over N runs.

Cases: the first page, a filtered first page, and a deep page reached through the `next` cursor.
"""

import argparse
from urllib.parse import quote

from bench import print_table, require_postgresql, setup, timed, timing_row, web_client

CASES = ["", "status=in_progress", "sector=housing&channel=pos", "overdue=true", "q=отопление"]
DEEP_PAGES = 20


def _get(client, url: str):
    response = client.get(url)
    if response.status_code != 200:
        raise SystemExit(f"{url}: HTTP {response.status_code} {response.content[:200]!r}")
    return response


def measure(*, runs: int = 30) -> list[tuple]:
    """(request, timing, rows) per case; [] when the API is missing."""
    from django.urls import NoReverseMatch, reverse

    try:
        url = reverse("appeal-list")
    except NoReverseMatch:
        return []

    from bench.bench_queue import _operator

    client = web_client(_operator())
    out = []
    for query in CASES:
        full = f"{url}?{quote(query, safe='=&')}" if query else url
        t = timed(lambda full=full: _get(client, full), runs)
        out.append((f"GET {full}", t, len(_get(client, full).json()["results"])))
    # A deep page: follow `next` DEEP_PAGES times, then time that page.
    deep = url
    for _ in range(DEEP_PAGES):
        deep = _get(client, deep).json()["next"] or deep
    t = timed(lambda: _get(client, deep), runs)
    out.append((f"GET {url} (страница {DEEP_PAGES + 1} по курсору)", t, len(_get(client, deep).json()["results"])))
    return out


def run(*, runs: int = 30) -> list[tuple]:
    """This module's own table."""
    measured = measure(runs=runs)
    if not measured:
        return [("GET /api/v1/appeals/", "нет такого адреса", "", "")]
    return [(label, f"{t['p50']:.1f}", f"{t['p95']:.1f}", count) for label, t, count in measured]


def table_rows(*, runs: int = 30) -> list[tuple]:
    """Rows of the common table (python -m bench)."""
    return [timing_row("API", label, t, rows=count) for label, t, count in measure(runs=runs)]


HEADER = ("запрос", "p50, мс", "p95, мс", "строк")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.bench_api", description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args(argv)
    setup()
    require_postgresql()
    print_table(run(runs=args.runs), HEADER)


if __name__ == "__main__":
    main()
