"""Benchmark of the moderation queue (issue: 100k messages, p95 < 200 ms): a data generator and the timing of
the queue's first page — the selector's rows and the whole HTML page — for its default view and filters.

Not a test: it prints figures. The lead hooks `run` into `python -m bench`; alone:

    DATABASE_URL=postgres://…/cur_bench python -m moderation.benchmark --messages 100000
"""

import argparse
import datetime
import random

CASES = ["", "mine=on", "network=telegram", "unassigned=on&overdue=on", "q=мусор"]
TEXTS = [
    "Во дворе не вывозят мусор третий день",
    "Нет горячей воды в доме",
    "Яма на дороге у остановки",
    "Не работает уличное освещение",
    "Очереди в поликлинике",
    "Отменили автобус до села",
    "Прорвало трубу",
]


def generate(count: int, *, seed: int = 7) -> int:
    """Add `count` messages (a quarter of them decided, the rest in the queue); returns how many were added."""
    from django.utils import timezone

    from informing.models import Network
    from moderation.models import IncomingMessage
    from sectors.models import SectorBlock, Territory

    rnd = random.Random(seed)  # noqa: S311 — synthetic data, not secrets
    now = timezone.now()
    territories = list(Territory.objects.values_list("pk", flat=True)) or [None]
    blocks = list(SectorBlock.objects.values_list("pk", flat=True)) or [None]
    start = IncomingMessage.objects.filter(external_id__startswith="bench-").count()
    rows = []
    for i in range(start, start + count):
        posted = now - datetime.timedelta(minutes=rnd.randint(0, 60 * 24 * 30))
        decided = rnd.random() < 0.25
        rows.append(
            IncomingMessage(
                network=rnd.choice(Network.values),
                external_id=f"bench-{i}",
                text=f"{rnd.choice(TEXTS)} (№ {i})",
                author=f"id{rnd.randint(1, 10**6)}",
                posted_at=posted,
                received_at=posted,
                due_at=posted + datetime.timedelta(hours=4),
                territory_id=rnd.choice(territories),
                sector_block_id=rnd.choice(blocks),
                reach=rnd.randint(0, 5000),
                status=rnd.choice(["noise", "appeal", "event"]) if decided else "new",
                decided_at=posted + datetime.timedelta(hours=1) if decided else None,
                source="demo",
            )
        )
        if len(rows) == 5000:
            IncomingMessage.objects.bulk_create(rows)
            rows = []
    IncomingMessage.objects.bulk_create(rows)
    return count


def _moderator():
    from cur.models import User
    from cur.roles import Role

    user = User.objects.filter(username="bench-moderator").first()
    if user is None:
        user = User(username="bench-moderator", role=Role.MODERATOR, last_name="Бенчмарк")
        user.set_unusable_password()
        user.save()
    return user


def run(*, runs: int = 30, timed=None, web_client=None) -> list[tuple[str, float, float, float, float]]:
    """(case, query p50, query p95, page p50, page p95) in milliseconds for each case of the queue."""
    from urllib.parse import parse_qsl

    from django.test import Client

    from appeals.views import slice_page
    from moderation import forms, selectors

    if timed is None:
        from bench import timed
    user = _moderator()
    client = web_client(user) if web_client else Client()
    if web_client is None:
        client.force_login(user)
    out = []
    for case in CASES:
        params = dict(parse_qsl(case))

        def query(params=params):
            form = forms.QueueFilterForm(params or None)
            return slice_page(selectors.queue(user, **form.values()), "1").object_list

        def page(case=case):
            if client.get(f"/moderation/?{case}").status_code != 200:
                raise RuntimeError(f"Очередь [{case}] не открылась")

        q, p = timed(query, runs), timed(page, runs)
        out.append((case or "по умолчанию", q["p50"], q["p95"], p["p50"], p["p95"]))
    return out


def main() -> None:  # pragma: no cover - a command-line entry
    parser = argparse.ArgumentParser(prog="python -m moderation.benchmark")
    parser.add_argument("--messages", type=int, default=0, help="сколько сообщений добавить перед замером")
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    from bench import require_postgresql, setup, web_client

    setup()
    require_postgresql()
    if args.messages:
        generate(args.messages)
    for case, q50, q95, p50, p95 in run(runs=args.runs, web_client=web_client):
        print(f"очередь [{case}]: запрос {q50:.1f}/{q95:.1f} мс, страница {p50:.1f}/{p95:.1f} мс (p50/p95)")


if __name__ == "__main__":  # pragma: no cover
    main()
