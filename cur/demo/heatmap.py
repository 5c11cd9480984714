"""The heat map of the demo: population, the rollup of the demo appeals, problem points found in them
(a few confirmed, so that «Перечень региональных проблем» is not empty), a few poll results.

Idempotent: the population loader and the rollup rebuild change nothing the second time; detection
updates the points it finds again; confirmations and poll results are added only once."""

import datetime

from django.db import transaction
from django.utils import timezone

from cur.models import User
from cur.roles import Role
from heatmap import services
from heatmap.models import PollResult, ProblemPoint
from heatmap.population import load_population
from heatmap.reports import priority_rows
from heatmap.scope import Scope
from heatmap.selectors import HeatQuery

WEEKS_BACK = 12  # detection as if it had run every week of the last quarter
CONFIRM = 3


def _say(stdout, message: str) -> None:
    if stdout is not None:
        stdout.write(message)


def seed_heatmap_demo(*, stdout=None) -> dict:
    """Population, the rollup of the demo appeals and problem points; returns counts."""
    population = load_population()
    rollup = services.rebuild_all()
    _say(stdout, f"Тепловая карта: следов обращений {rollup['footprints']}, строк по месяцам {rollup['months']}.")
    today = timezone.localdate()
    found = {"created": 0, "updated": 0}
    for weeks_ago in range(WEEKS_BACK, -1, -1):
        counts = services.detect_problem_points(today - datetime.timedelta(days=7 * weeks_ago))
        found["created"] += counts["created"]
        found["updated"] += counts["updated"]
    confirmed = _confirm_some()
    polls = _polls()
    _say(stdout, f"Проблемных точек: новых {found['created']}, подтверждено {confirmed}; итогов опросов {polls}.")
    return {"population": population, "rollup": rollup, "points": found, "confirmed": confirmed, "polls": polls}


def _confirm_some() -> int:
    if ProblemPoint.objects.filter(status__in=ProblemPoint.LISTED_STATUSES).exists():
        return 0
    curator = User.objects.filter(role=Role.CURATOR, is_active=True).order_by("pk").first()
    if curator is None:
        return 0
    done = 0
    for point in ProblemPoint.objects.filter(status=ProblemPoint.Status.NEW).order_by("-score")[:CONFIRM]:
        services.confirm_problem_point(point, by=curator, comment="Подтверждено на демо-данных.")
        done += 1
    return done


@transaction.atomic
def _polls() -> int:
    if PollResult.objects.exists():
        return 0
    today = timezone.localdate()
    q = HeatQuery(today - datetime.timedelta(days=89), today)
    rows = priority_rows(Scope(everything=True), q, None, min_count=5, limit=3)
    kinds = [(PollResult.Kind.POLL, "Опрос", 1240, 61), (PollResult.Kind.VOTE, "Голосование", 3870, 74),
             (PollResult.Kind.DISCUSSION, "Обсуждение", 215, None)]  # fmt: skip
    held_on = today - datetime.timedelta(days=20)
    results = [
        PollResult(kind=kind, title=f"{label}: {row.topic.name} ({row.place.name})", held_on=held_on,
                   territory_id=row.place.id, topic=row.topic, participants=participants, support_percent=support,
                   result="Демо: итог загружен для показа рядом с обращениями.")
        for row, (kind, label, participants, support) in zip([r for r in rows if r.place], kinds, strict=False)
    ]  # fmt: skip
    PollResult.objects.bulk_create(results, ignore_conflicts=True)
    return len(results)
