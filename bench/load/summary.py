"""The figures of a load test run: `python -m bench.load.summary OUT RUN SECONDS` (called by run.sh).

Per request type from locust's CSV: requests, failures, p50/p95/p99, requests/s; then the appeals the
run's sources created (external id `load-RUN-…`), how many the Celery worker classified, appeals/s,
and the load average during the run.
"""

import csv
import json
import sys
from pathlib import Path

from bench import n, print_table, setup


def request_rows(out: Path) -> list[tuple]:
    rows = []
    with open(out / "locust_stats.csv", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            name = "всего" if r["Name"] == "Aggregated" else f"{r['Type']} {r['Name']}"
            rows.append((name, n(int(r["Request Count"])), r["Failure Count"], r["50%"], r["95%"], r["99%"],
                         f"{float(r['Requests/s']):.1f}"))  # fmt: skip
    return rows


def ingested(run: str, last_id: int) -> tuple[int, int]:
    from appeals.models import Appeal

    mine = Appeal.objects.filter(pk__gt=last_id, external_id__startswith=f"load-{run}-")
    return mine.count(), mine.exclude(classified_at=None).count()


def main(argv: list[str] | None = None) -> None:
    out, run, seconds = (argv or sys.argv[1:])[:3]
    out, seconds = Path(out), float(seconds)
    setup()
    login = out / "login.json"
    if login.exists():
        phase = json.loads(login.read_text())
        print(f"Фаза входа (все операторы входят сразу, пароли PBKDF2): {phase['seconds']:.0f} с")
        print_table(
            [
                (name, n(r["count"]), r["failures"], r["p50"], r["p95"], r["p99"])
                for name, r in phase["requests"].items()
            ],  # fmt: skip
            ("запрос", "запросов", "ошибок", "p50, мс", "p95, мс", "p99, мс"),
        )
        print("\nПосле входа всех операторов (статистика сброшена в конце фазы входа):")
    else:
        print("Не все операторы успели войти: таблица — с начала прогона.")
    print_table(request_rows(out), ("запрос", "запросов", "ошибок", "p50, мс", "p95, мс", "p99, мс", "запросов/с"))
    failures = out / "locust_failures.csv"
    if failures.exists():
        with open(failures, encoding="utf-8") as f:
            for r in csv.DictReader(f):
                print(f"ошибка ×{r['Occurrences']}: {r['Method']} {r['Name']}: {r['Error'][:300]}")
    created, classified = ingested(run, json.loads((out / "setup.json").read_text())["last_id"])
    print(f"Обращений принято через API: {n(created)} за {seconds:.0f} с — {created / seconds:.1f} в секунду; "
          f"классифицировано worker'ом к концу: {n(classified)}")  # fmt: skip
    samples = [float(line.split()[1]) for line in (out / "loadavg.log").read_text().splitlines() if line.strip()]
    if samples:
        mean = sum(samples) / len(samples)
        print(f"Load average (1 мин) во время прогона: среднее {mean:.1f}, max {max(samples):.1f}")


if __name__ == "__main__":
    main()
