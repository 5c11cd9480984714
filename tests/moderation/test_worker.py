"""The beat's tasks run by a real Celery worker through Redis: the deadline sweep of ИНФОЦУР escalates an
overdue recommendation exactly once (two sweeps in a row), and the report task builds the previous periods."""

import datetime
import time

import pytest
from django.utils import timezone

from informing.models import EventHistory, InformationEvent, Recommendation
from informing.tasks import sweep_deadlines
from moderation.models import ModerationReport
from moderation.tasks import build_due_reports, detect_surges
from tests.informing.factories import EventFactory, RecommendationFactory
from tests.worker import celery_worker

pytestmark = pytest.mark.worker


def wait_for(condition, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "the worker did not finish in time"
        time.sleep(0.2)


def test_the_real_worker_runs_the_sweep_once_and_builds_the_reports(transactional_db, make_user):
    executor = make_user("executor")
    event = EventFactory(
        status=InformationEvent.Status.RECOMMENDED, work_off_by=timezone.now() - datetime.timedelta(hours=1)
    )
    rec = RecommendationFactory(
        event=event, organisation=executor.organisation, due_at=timezone.now() - datetime.timedelta(hours=2)
    )

    with celery_worker():
        sweep_deadlines.delay()
        sweep_deadlines.delay()
        build_due_reports.delay()
        detect_surges.delay()
        wait_for(lambda: ModerationReport.objects.count() == 3)
        wait_for(lambda: EventHistory.objects.filter(event=event, kind="overdue").exists())

    rec.refresh_from_db()
    event.refresh_from_db()
    assert rec.escalated_at is not None and rec.status == Recommendation.Status.ISSUED
    assert EventHistory.objects.filter(recommendation=rec, kind="recommendation_escalated").count() == 1
    assert executor.notifications.filter(title__startswith="Просрочена рекомендация").count() == 1
    assert event.overdue_at is not None
    assert set(ModerationReport.objects.values_list("period_kind", flat=True)) == {"day", "week", "month"}
