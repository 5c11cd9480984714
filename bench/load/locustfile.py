"""200 operators browse the triage queue and the list of appeals; 20 source systems post appeals.

Run by bench/load/run.sh (headless, bounded by --run-time). Needs BENCH_LOAD_SETUP: the JSON that
`python -m bench.load.prepare` wrote (operator accounts, their password, the integration key).

- Operator: logs in once (the real login form, CSRF included), then every 1–5 s one of: the queue
  with a filter, the list of all appeals with a filter, the next page of the last list, an appeal's
  page picked from the last list.
- Source: every 1–3 s POST /api/v1/appeals/ (one appeal) or, one time in four, POST
  /api/v1/appeals/batch/ with 20, as a ПОС gateway does; each with an external id of this run, so
  every appeal is new. A response that is not 201/200 with every item created is a failure.
"""

import itertools
import json
import os
import random
import re
import time
import uuid
from pathlib import Path

from locust import HttpUser, between, task

SETUP = json.loads(open(os.environ["BENCH_LOAD_SETUP"], encoding="utf-8").read())  # noqa: SIM115
RUN = os.environ.get("BENCH_LOAD_RUN") or uuid.uuid4().hex[:8]  # the prefix of this run's external ids
OPERATOR_NUMBERS = itertools.count()
LOGINS = itertools.count(1)
STARTED = time.monotonic()
EXTERNAL_IDS = itertools.count(1)
BATCH = 20

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
APPEAL_LINK = re.compile(r'href="/appeals/(\d+)/"')
SECTORS = ["housing", "roads", "public_spaces", "health", "waste", "transport", "social", "education", "energy"]
STATUSES = ["new", "assigned", "in_progress", "answered", "closed", "reopened"]
CHANNELS = ["pos", "phone", "email", "social", "letter"]
SEARCHES = ["отопление", "яма", "мусор", "освещение", "автобус"]
TEXTS = [
    "Во дворе дома не вывозят мусор уже {n} дней, контейнеры переполнены.",
    "На дороге по улице образовалась яма глубиной {n} см. Прошу отремонтировать.",
    "Нет горячей воды в доме с {n} числа, управляющая компания не отвечает.",
    "В квартире холодно, батареи едва тёплые, температура {n} градусов.",
    "Не работает уличное освещение на участке длиной {n} метров.",
    "Автобус № {n} не соблюдает расписание, интервал больше часа.",
    "Записаться к врачу невозможно, талонов нет уже {n} дней.",
]
STREETS = ["ул. Ленина", "ул. Есенина", "ул. Садовая", "ул. Школьная", "Московское ш.", "ул. Гагарина"]


def queue_filter() -> str:
    return random.choice([
        "", "", f"sector={random.choice(SECTORS)}", f"channel={random.choice(CHANNELS)}",
        f"territory={random.choice(SETUP['territories'])}", f"q={random.choice(SEARCHES)}",
    ])  # fmt: skip


def list_filter() -> str:
    return random.choice([
        "", f"status={random.choice(STATUSES)}", f"sector={random.choice(SECTORS)}",
        f"territory={random.choice(SETUP['territories'])}&status=closed", "overdue=true", "due_within=3",
        f"q={random.choice(SEARCHES)}", "sort=due&status=assigned&status=in_progress",
    ])  # fmt: skip


class Operator(HttpUser):
    fixed_count = 200
    wait_time = between(1, 5)

    def on_start(self) -> None:
        username = SETUP["usernames"][next(OPERATOR_NUMBERS) % len(SETUP["usernames"])]
        form = self.client.get("/login/", name="вход: форма")
        token = CSRF.search(form.text)
        with self.client.post(
            "/login/",
            data={"username": username, "password": SETUP["password"], "next": "/appeals/queue/",
                  "csrfmiddlewaretoken": token.group(1) if token else ""},
            headers={"Referer": f"{self.host}/login/"}, name="вход", catch_response=True,
        ) as response:  # fmt: skip
            if "/login/" in response.url:
                response.failure(f"вход не удался: {username}")
        self.last_list, self.last_page, self.appeal_ids = "/appeals/queue/", 1, []
        self._remember(response)
        if next(LOGINS) == self.fixed_count:
            self._login_phase_over()

    def _login_phase_over(self) -> None:
        """All operators are in: keep the figures of the login phase (every password hashed at once) in
        login.json and start the steady-state statistics afresh."""
        stats = self.environment.stats
        phase = {"seconds": time.monotonic() - STARTED, "requests": {}}
        for (name, method), entry in stats.entries.items():
            phase["requests"][f"{method} {name}"] = {
                "count": entry.num_requests, "failures": entry.num_failures,
                "p50": entry.get_response_time_percentile(0.5), "p95": entry.get_response_time_percentile(0.95),
                "p99": entry.get_response_time_percentile(0.99),
            }  # fmt: skip
        Path(os.environ["BENCH_LOAD_SETUP"]).with_name("login.json").write_text(json.dumps(phase))
        stats.reset_all()

    def _get_page(self, url: str, name: str):
        with self.client.get(url, name=name, catch_response=True) as response:
            if "/login/" in response.url:
                response.failure("сессия потеряна")
            self._remember(response)
        return response

    def _remember(self, response) -> None:
        ids = APPEAL_LINK.findall(response.text or "")
        if ids:
            self.appeal_ids = ids

    @task(4)
    def queue(self) -> None:
        query = queue_filter()
        self.last_list, self.last_page = "/appeals/queue/" + (f"?{query}" if query else ""), 1
        self._get_page(self.last_list, "очередь" + (f" ?{query.split('=')[0]}=…" if query else ""))

    @task(3)
    def appeals(self) -> None:
        query = list_filter()
        self.last_list, self.last_page = "/appeals/list/" + (f"?{query}" if query else ""), 1
        self._get_page(self.last_list, "все обращения" + (f" ?{query.split('=')[0]}=…" if query else ""))

    @task(2)
    def next_page(self) -> None:
        self.last_page = min(self.last_page + 1, 5)
        separator = "&" if "?" in self.last_list else "?"
        self._get_page(f"{self.last_list}{separator}page={self.last_page}", "следующая страница списка")

    @task(3)
    def appeal(self) -> None:
        if self.appeal_ids:
            self._get_page(f"/appeals/{random.choice(self.appeal_ids)}/", "карточка обращения")


def appeal_item() -> dict:
    number = next(EXTERNAL_IDS)
    street = random.choice(STREETS)
    return {
        "external_id": f"load-{RUN}-{number}",
        "text": random.choice(TEXTS).format(n=random.randint(2, 40)) + f" Адрес: г. Рязань, {street}.",
        "address": f"г. Рязань, {street}, д. {random.randint(1, 120)}",
        "applicant_name": "Иванова Анна Сергеевна",
        "applicant_phone": f"+7 910 {random.randint(1000000, 9999999)}",
    }


class Source(HttpUser):
    fixed_count = 20
    wait_time = between(1, 3)

    def on_start(self) -> None:
        self.client.headers["Authorization"] = f"Integration {SETUP['key']}"

    @task(3)
    def single(self) -> None:
        with self.client.post("/api/v1/appeals/", json=appeal_item(), name="API: POST /appeals/",
                              catch_response=True) as response:  # fmt: skip
            if response.status_code != 201:
                response.failure(f"HTTP {response.status_code}: {response.text[:200]}")

    @task(1)
    def batch(self) -> None:
        items = [appeal_item() for _ in range(BATCH)]
        with self.client.post("/api/v1/appeals/batch/", json=items, name=f"API: POST /appeals/batch/ ({BATCH})",
                              catch_response=True) as response:  # fmt: skip
            if response.status_code != 200 or response.json().get("created") != BATCH:
                response.failure(f"HTTP {response.status_code}: {response.text[:200]}")
