"""Beat runs twice: the deadline sweep is sent twice and two workers run it at the same moment.
No reminder, overdue notice, escalation, in-app notification or e-mail is produced twice.

To make the two runs overlap for certain, the test holds a row lock on the first overdue appeal
until both sweeps wait on it (pg_stat_activity shows two sessions waiting on a lock), then lets
them go at once. The sweep's statements are their own gates (appeals.workflow.sweep): the UPDATE that
marks overdue re-checks `overdue_at IS NULL` after the other sweep commits, and the notices are
INSERT … ON CONFLICT DO NOTHING on a unique key, so only one sweep gets rows back to notify."""

import datetime
import re
import time

import psycopg
import pytest
from django.db import connection
from django.db.models import Count
from django.utils import timezone

from appeals.models import Appeal, AppealEvent, DeadlineNotice
from appeals.tasks import sweep_deadlines
from cur.models import Notification
from cur.roles import Role
from tests.appeals.sweep_factories import RunningAppealFactory, block_person, executor_of
from tests.factories import OrganisationFactory

from .servers import wait_until

pytestmark = [pytest.mark.faults, pytest.mark.django_db(transaction=True)]

K = AppealEvent.Kind
N = DeadlineNotice.Kind
SOON, LATE, VERY_LATE = 200, 200, 100  # due tomorrow; overdue by an hour; overdue by four days


def waiting_on_locks() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0]


def finished(worker, task_id: str) -> str:
    """'succeeded' or 'raised' once the worker's log says so about the task, else ''."""
    found = re.search(rf"Task appeals\.tasks\.sweep_deadlines\[{task_id}\] (succeeded|raised)", worker.output())
    return found.group(1) if found else ""


def recipients(folder) -> list[str]:
    """The To: address of every e-mail the workers wrote (the file backend: one file per batch)."""
    if not folder.exists():
        return []
    return [to for path in folder.iterdir() for to in re.findall(r"^To: (.+)$", path.read_text(), re.MULTILINE)]


def test_two_deadline_sweeps_at_once_send_every_reminder_and_escalation_once(servers, start_worker, tmp_path):
    now = timezone.now()
    organisation = OrganisationFactory()
    people = [
        executor_of(organisation, "executor-1"),
        executor_of(organisation, "executor-2"),
        block_person(Role.BLOCK_HEAD, "health", "block-head"),
        block_person(Role.BLOCK_RESPONSIBLE, "health", "block-responsible"),
    ]
    for person in people:
        person.email = f"{person.username}@example.ru"
        person.save(update_fields=["email"])
    RunningAppealFactory.create_batch(SOON, organisation=organisation, due_at=now + datetime.timedelta(hours=20))
    RunningAppealFactory.create_batch(LATE, organisation=organisation, due_at=now - datetime.timedelta(hours=1))
    RunningAppealFactory.create_batch(VERY_LATE, organisation=organisation, due_at=now - datetime.timedelta(days=4))
    first_overdue = Appeal.objects.order_by("due_at").first()

    worker_a = start_worker("worker-a", queues="celery,beat-a")
    worker_b = start_worker("worker-b", queues="celery,beat-b")
    db = connection.settings_dict
    with psycopg.connect(host=db["HOST"], port=db["PORT"], user=db["USER"], dbname=db["NAME"]) as lock:
        lock.execute("SELECT id FROM appeals_appeal WHERE id = %s FOR UPDATE", [first_overdue.pk])
        # When: beat's task arrives twice, once at each worker.
        a = sweep_deadlines.apply_async(queue="beat-a").id
        b = sweep_deadlines.apply_async(queue="beat-b").id
        wait_until(lambda: waiting_on_locks() == 2, "обе проверки сроков ждут блокировку", 60, 0.05)
        lock.rollback()  # both go at once
    released = time.monotonic()

    def outcomes() -> list[str] | None:
        found = [finished(worker_a, a), finished(worker_b, b)]
        return found if all(found) else None

    outcome = wait_until(outcomes, "обе проверки сроков завершились", 60)
    both_done = time.monotonic() - released
    redis = servers.redis.client()
    wait_until(lambda: redis.llen("celery") == 0 and redis.hlen("unacked") == 0, "письма отправлены", 60, 0.1)

    # Then: everything once.
    assert outcome == ["succeeded", "succeeded"]
    overdue = LATE + VERY_LATE
    notices = DeadlineNotice.objects.values("appeal", "kind", "level").annotate(n=Count("pk"))
    assert {row["n"] for row in notices} == {1}
    assert DeadlineNotice.objects.filter(kind=N.REMINDER).count() == SOON
    assert DeadlineNotice.objects.filter(kind=N.ESCALATION, level=1).count() == overdue
    assert DeadlineNotice.objects.filter(kind=N.ESCALATION, level=2).count() == VERY_LATE
    events = dict(AppealEvent.objects.values_list("kind").annotate(n=Count("pk")).values_list("kind", "n"))
    assert events == {K.REMINDER: SOON, K.OVERDUE: overdue, K.ESCALATED: overdue + VERY_LATE}
    per_appeal = AppealEvent.objects.values("appeal", "kind", "changes").annotate(n=Count("pk"))
    assert {row["n"] for row in per_appeal} == {1}
    assert sorted(Notification.objects.values_list("user__username", flat=True)) == sorted(p.username for p in people)
    sent = recipients(tmp_path / "mail")
    print(
        f"\nдве проверки сроков одновременно: {SOON + LATE + VERY_LATE} обращений, обе завершились за "
        f"{both_done:.2f} с после снятия блокировки; {len(sent)} писем, {Notification.objects.count()} уведомлений"
    )
    assert sorted(sent) == sorted(p.email for p in people)
