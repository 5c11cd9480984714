"""REST intake on the embedded default of `make run`: SQLite in VAR_DIR, the file Celery broker, no DATABASE_URL
or REDIS_URL (DESIGN §5). Prints, each with the load average (1 min) beside it:

(a) register → classified: POST /api/v1/appeals/, then GET the card until the classifier's result shows
    (target ≤ 2 s);
(b) p50/p95 of a single POST while the worker is busy classifying a big batch (target ≤ 200 ms);
(c) a batch of 1,000 appeals (POST /api/v1/appeals/batch/, BATCH_MAX_ITEMS per request): total time and the
    status of every response (target: a few seconds, no 500); then how long the worker takes to classify it;
and the «database is locked» errors and 500s in the logs of the web server and the worker.

    python -m bench.bench_embedded --var-dir /tmp/cur-embedded [--appeals 3000]

An empty VAR_DIR is migrated and seeded first (seed_demo --appeals N). Unless --url is given, the script
starts gunicorn (-w 2) and a Celery worker (--concurrency=2) on that VAR_DIR, as `make run` would, and stops
them at the end; their logs stay in VAR_DIR. Not a test: it prints figures.
"""

import argparse
import os
import socket
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path

import requests

from bench import percentile

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
TEXTS = [
    ("Во дворе дома не вывозят мусор уже неделю, контейнеры переполнены.", "г. Рязань, ул. Есенина, д. 13"),
    ("В поликлинике невозможно записаться к терапевту, телефон регистратуры не отвечает.", "г. Рязань, ул. Советская"),
    ("На дороге огромная яма, машины объезжают её по встречной полосе.", "Шацкий район, г. Шацк, ул. Ленина"),
    ("В квартире нет горячей воды третий день, управляющая компания не отвечает.", "г. Скопин, ул. Карла Маркса"),
    ("Не горят фонари уличного освещения на всей улице, вечером опасно ходить.", "г. Касимов, ул. Набережная"),
]


def load() -> str:
    return f"load {os.getloadavg()[0]:.2f}"


def embedded_env(var_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE")}
    env.update(VAR_DIR=str(var_dir), DEBUG="1", PYTHONPATH=str(ROOT), PYTHONUNBUFFERED="1")  # whole logs
    return env


def manage(env: dict, *args: str) -> None:
    subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True)


def shell(env: dict, code: str) -> str:
    """The last line `code` prints, run by `manage.py shell` on the embedded database."""
    done = subprocess.run([sys.executable, "manage.py", "shell", "-c", code], cwd=ROOT, env=env, check=True,
                          capture_output=True, text=True)  # fmt: skip
    return done.stdout.strip().splitlines()[-1]


def operator_token(env: dict) -> tuple[str, int]:
    """A DRF token of the demo operator (a role allowed to register: cur.roles, «appeals.register») and the
    largest batch the API takes."""
    code = ("from rest_framework.authtoken.models import Token; from cur.models import User; "
            "from appeals.api.viewsets import BATCH_MAX_ITEMS; user = User.objects.get(username='operator'); "
            "print(Token.objects.get_or_create(user=user)[0].key, BATCH_MAX_ITEMS)")  # fmt: skip
    token, batch_max = shell(env, code).split()
    return token, int(batch_max)


def registered(env: dict, prefix: str) -> int:
    """Appeals saved whose external id starts with `prefix` (a batch that failed may have saved some)."""
    code = (
        f"from appeals.models import Appeal; print(Appeal.objects.filter(external_id__startswith={prefix!r}).count())"
    )
    return int(shell(env, code))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(env: dict, var_dir: Path, processes: list[subprocess.Popen]) -> str:
    """Start gunicorn and the worker (added to `processes` at once, to be stopped whatever happens next);
    the server's URL once it answers."""
    port = free_port()
    web_log, worker_log = (var_dir / "gunicorn.log").open("w"), (var_dir / "worker.log").open("w")
    gunicorn = [BIN / "gunicorn", "cur.wsgi", "-w", "2", "-b", f"127.0.0.1:{port}", "--timeout", "60",
                "--access-logfile", "-"]  # fmt: skip
    processes.append(subprocess.Popen(gunicorn, cwd=ROOT, env=env, stdout=web_log, stderr=subprocess.STDOUT))
    celery = [BIN / "celery", "-A", "cur", "worker", "--concurrency=2", "--loglevel=INFO"]
    processes.append(subprocess.Popen(celery, cwd=ROOT, env=env, stdout=worker_log, stderr=subprocess.STDOUT))
    url = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            if requests.get(f"{url}/health/", timeout=10).status_code < 500:
                return url
        except requests.RequestException:  # not listening yet, or its workers still loading
            pass
        time.sleep(0.2)
    raise SystemExit(f"gunicorn не ответил; журнал: {var_dir / 'gunicorn.log'}")


def queued(var_dir: Path) -> int:
    """Messages waiting in the file broker (celery tasks not yet taken by the worker)."""
    folder = var_dir / "broker" / "queue"
    return sum(1 for _ in folder.glob("*.msg")) if folder.exists() else 0


def wait_idle(var_dir: Path, limit: float = 1800) -> float:
    """Seconds until the broker's queue stays empty for a second (the worker took every task)."""
    started = time.perf_counter()
    empty_since = None
    while time.perf_counter() - started < limit:
        if queued(var_dir):
            empty_since = None
        elif empty_since is None:
            empty_since = time.perf_counter()
        elif time.perf_counter() - empty_since >= 1:
            return empty_since - started
        time.sleep(0.1)
    raise SystemExit(f"очередь не опустела за {limit:.0f} с")


class Api:
    def __init__(self, url: str, token: str):
        self.url = url
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Token {token}"
        self.run = uuid.uuid4().hex[:8]
        self.count = 0

    def item(self, tag: str = "") -> dict:
        self.count += 1
        text, address = TEXTS[self.count % len(TEXTS)]
        return {"channel": "email", "external_id": f"bench-{self.run}-{tag}{self.count}", "address": address,
                "text": f"{text} Обращение {self.count}.", "applicant_name": "Иванов Иван Иванович"}  # fmt: skip

    def post(self) -> tuple[float, requests.Response]:
        started = time.perf_counter()
        response = self.session.post(f"{self.url}/api/v1/appeals/", json=self.item(), timeout=120)
        return time.perf_counter() - started, response

    def classified(self, appeal_id: int) -> bool:
        card = self.session.get(f"{self.url}/api/v1/appeals/{appeal_id}/", timeout=60).json()
        return bool(card.get("classification_source")) or card.get("confidence") is not None


def created(response: requests.Response) -> None:
    if response.status_code != 201:
        raise SystemExit(f"POST /api/v1/appeals/: HTTP {response.status_code} {response.text[:300]}")


def register_to_classified(api: Api, runs: int) -> None:
    totals, posts = [], []
    for _ in range(runs):
        started = time.perf_counter()
        post_time, response = api.post()
        created(response)
        appeal_id = response.json()["id"]
        while not api.classified(appeal_id):
            if time.perf_counter() - started > 120:
                raise SystemExit(f"обращение {appeal_id} не классифицировано за 2 мин")
            time.sleep(0.05)
        totals.append(time.perf_counter() - started)
        posts.append(post_time)
        time.sleep(0.5)
    print(f"(a) регистрация → классификация: p50 {statistics.median(totals):.2f} с, max {max(totals):.2f} с "
          f"(POST p50 {statistics.median(posts) * 1000:.0f} мс), {runs} обращений по одному [{load()}] "
          "— цель ≤ 2 с")  # fmt: skip


def batch(api: Api, env: dict, total: int, size: int) -> list[int]:
    started, statuses, ids = time.perf_counter(), [], []
    prefix = f"bench-{api.run}-b"  # the batch's external ids: counted in the database, a lost response too
    for _ in range(0, total, size):
        response = api.session.post(f"{api.url}/api/v1/appeals/batch/", json=[api.item("b") for _ in range(size)],
                                    timeout=300)  # fmt: skip
        statuses.append(response.status_code)
        if response.status_code == 200:
            body = response.json()
            ids += [r["id"] for r in body["results"] if r["id"]]
    elapsed = time.perf_counter() - started
    saved = registered(env, prefix)
    print(f"(c) пакет {total} обращений ({total // size} × POST /batch/ по {size}): {elapsed:.2f} с, "
          f"{saved / elapsed:.0f} обращ./с, ответы {sorted(set(statuses))}, сохранено {saved} [{load()}] "
          "— цель несколько секунд, без 500")  # fmt: skip
    return ids


def single_posts_while_busy(api: Api, var_dir: Path, runs: int) -> None:
    before = queued(var_dir)
    times = []
    for _ in range(runs):
        elapsed, response = api.post()
        created(response)
        times.append(elapsed * 1000)
        time.sleep(0.1)
    after = queued(var_dir)
    print(f"(b) одиночный POST при занятом обработчике: p50 {percentile(times, 50):.0f} мс, "
          f"p95 {percentile(times, 95):.0f} мс, max {max(times):.0f} мс, {runs} запросов; задач в очереди "
          f"{before} → {after} [{load()}] — цель p95 ≤ 200 мс")  # fmt: skip
    if not after:
        print("    (очередь опустела во время замера: обработчик был занят не всё время)")


def log_problems(var_dir: Path) -> None:
    for name in ("gunicorn.log", "worker.log"):
        path = var_dir / name
        if not path.exists():
            continue
        text = path.read_text(errors="replace")
        locked = text.count("database is locked")
        errors = sum(1 for line in text.splitlines() if '" 500 ' in line or "Traceback" in line)
        fatal = text.count("Unrecoverable error")
        print(f"    {name}: «database is locked» {locked}, ответов 500 / трассировок {errors}, "
              f"аварийных остановок {fatal}")  # fmt: skip


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.bench_embedded", description=__doc__.splitlines()[0])
    parser.add_argument("--var-dir", type=Path, required=True, help="VAR_DIR встроенной установки (SQLite, брокер)")
    parser.add_argument("--appeals", type=int, default=3000, help="демо-обращений, если VAR_DIR пуст (3000)")
    parser.add_argument("--url", help="уже запущенный сервер на этом VAR_DIR (иначе скрипт запустит gunicorn и worker)")
    parser.add_argument("--batch", type=int, default=1000, help="обращений в пакете (1000)")
    parser.add_argument("--runs", type=int, default=30, help="одиночных POST для p50/p95 (30)")
    args = parser.parse_args(argv)
    var_dir = args.var_dir.resolve()
    var_dir.mkdir(parents=True, exist_ok=True)
    env = embedded_env(var_dir)
    if not (var_dir / "cur.sqlite3").exists():
        started = time.perf_counter()
        manage(env, "migrate", "--noinput", "-v0")
        manage(env, "seed_demo", "--appeals", str(args.appeals))
        print(f"миграции и seed_demo --appeals {args.appeals}: {time.perf_counter() - started:.0f} с [{load()}]")
    token, batch_max = operator_token(env)
    processes = []
    try:
        url = args.url or start(env, var_dir, processes)
        api = Api(url, token)
        drained = wait_idle(var_dir)
        print(f"SQLite {var_dir / 'cur.sqlite3'}, {url}; очередь после запуска разобрана за {drained:.0f} с [{load()}]")
        register_to_classified(api, runs=5)
        ids = batch(api, env, args.batch, min(args.batch, batch_max))
        single_posts_while_busy(api, var_dir, args.runs)
        started = time.perf_counter()
        wait_idle(var_dir)
        while any(not api.classified(i) for i in ids[-5:]) and time.perf_counter() - started < 1800:
            time.sleep(0.5)
        left = sum(1 for i in ids[::50] if not api.classified(i))
        print(f"    обработчик классифицировал пакет ещё за {time.perf_counter() - started:.0f} с после замера (b); "
              f"не классифицировано из каждого 50-го: {left} [{load()}]")  # fmt: skip
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=60)
    log_problems(var_dir)


if __name__ == "__main__":
    main()
