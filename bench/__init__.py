"""Benchmarks and the data generator of a realistic region (DESIGN §6). Not tests: they print figures.

Run them against a dedicated PostgreSQL database (see bench/README.md):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cur_bench python -m bench.generate --appeals 1000000
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cur_bench python -m bench
"""

import os
import statistics
import time
from collections.abc import Callable


def setup() -> None:
    """Configure Django for a benchmark script (the test settings: PostgreSQL, DEBUG off)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cur.settings_test")
    import django

    django.setup()


def require_postgresql() -> str:
    """The name of the database, or SystemExit when it is not PostgreSQL (the figures are about it)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        raise SystemExit("Бенчмарки рассчитаны на PostgreSQL: задайте DATABASE_URL=postgres://…")
    return connection.settings_dict["NAME"]


def web_client(user):
    """A django.test.Client logged in as `user`, for timing whole pages.

    Not setup_test_environment(): it instruments template rendering so that the client keeps a
    copy of every template context (a third of a list page's time, and most of its p95).
    """
    from django.conf import settings
    from django.test import Client

    if "testserver" not in settings.ALLOWED_HOSTS:
        settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    client = Client()
    client.force_login(user)
    return client


def n(value: float) -> str:
    """A count with thousands separated by spaces, as Russian text writes it: 1 000 000."""
    return f"{value:,.0f}".replace(",", " ")


def percentile(values: list[float], p: float) -> float:
    """The p-th percentile (0–100) by linear interpolation between the closest ranks."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = (len(ordered) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def timed(fn: Callable[[], object], runs: int, warmup: int = 2) -> dict[str, float]:
    """Milliseconds of `fn` over `runs` runs after `warmup` ones: p50, p95, mean, max."""
    for _ in range(warmup):
        fn()
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return {
        "p50": percentile(samples, 50),
        "p95": percentile(samples, 95),
        "mean": statistics.fmean(samples),
        "max": max(samples),
    }


def print_table(rows: list[tuple[str, ...]], header: tuple[str, ...]) -> None:
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    line = "  ".join("-" * w for w in widths)
    print("  ".join(str(h).ljust(w) for h, w in zip(header, widths, strict=True)))
    print(line)
    for row in rows:
        print("  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)))


# --- the one table of `python -m bench` ---------------------------------------------------------------

TABLE_HEADER = ("раздел", "операция", "p50", "p95", "пропускная способность", "строк", "примечание")


def row(
    section: str,
    operation: str,
    *,
    p50_ms: float | None = None,
    p95_ms: float | None = None,
    seconds: float | None = None,
    per_second: float | None = None,
    unit: str = "",
    rows: int | None = None,
    note: str = "",
) -> tuple[str, ...]:
    """One row of the common table. A latency is p50/p95 in ms; a one-off operation is its time in s
    (in the p50 column); throughput is `per_second` `unit`/s (for latencies: one client, 1000 / mean)."""
    p50 = f"{seconds:.3f} с" if seconds is not None else f"{p50_ms:.1f} мс" if p50_ms is not None else ""
    p95 = f"{p95_ms:.1f} мс" if p95_ms is not None else ""
    rate = f"{n(per_second) if per_second >= 10 else f'{per_second:.1f}'} {unit}/с".strip() if per_second else ""
    return (section, operation, p50, p95, rate, n(rows) if rows is not None else "", note)


def timing_row(section: str, operation: str, t: dict[str, float], *, rows: int | None = None, note: str = ""):
    """A row from timed(): p50, p95 and requests per second of one client."""
    return row(section, operation, p50_ms=t["p50"], p95_ms=t["p95"], per_second=1000 / t["mean"], unit="запр.",
               rows=rows, note=note)  # fmt: skip
