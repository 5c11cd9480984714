"""The deadline sweep: reminders before the due date, overdue marks and escalation, each exactly
once — when the sweep runs twice, when two sweeps race, and through a real Celery worker."""

import datetime
import threading
import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from appeals import services
from appeals.models import Appeal, AppealEvent, DeadlineNotice
from appeals.tasks import sweep_deadlines as sweep_deadlines_task
from appeals.workflow import sweep
from appeals.workflow.sweep import sweep_deadlines
from cur.models import Notification
from cur.roles import Role
from tests.factories import OrganisationFactory
from tests.worker import celery_worker

from .sweep_factories import NOW, RunningAppealFactory, at, block_person, end_of_day, executor_of

S = Appeal.Status
K = AppealEvent.Kind
D = datetime.date


def days(n: float) -> datetime.timedelta:
    return datetime.timedelta(days=n)


def notices(appeal, kind=DeadlineNotice.Kind.REMINDER) -> list[int]:
    return sorted(DeadlineNotice.objects.filter(appeal=appeal, kind=kind).values_list("level", flat=True))


def events(appeal, kind) -> int:
    return AppealEvent.objects.filter(appeal=appeal, kind=kind).count()


def inbox(user) -> list[Notification]:
    return list(Notification.objects.filter(user=user).order_by("id"))


@pytest.fixture
def clock(monkeypatch):
    """Freeze timezone.now() (services and auto_now fields) at a settable moment."""

    class Clock:
        now = NOW

    frozen = Clock()
    monkeypatch.setattr(timezone, "now", lambda: frozen.now)
    return frozen


@pytest.fixture
def organisation(db):
    return OrganisationFactory(name="ГБУ РО «Городская клиническая больница № 11»")


@pytest.fixture
def executor(organisation):
    return executor_of(organisation, "executor-gkb11")


# --- reminders ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_executor_is_reminded_three_days_and_one_day_before_the_due_date_once_each(organisation, executor):
    # given an appeal due on Friday 13 March
    appeal = RunningAppealFactory(organisation=organisation, due_at=end_of_day(D(2026, 3, 13)))

    # when the sweep runs twice a day from Tuesday to Friday
    moments = [(day, hour) for day in (10, 11, 12, 13) for hour in (10, 16)]
    sweeps = [(day, sweep_deadlines(at(D(2026, 3, day), hour))["reminders"]) for day, hour in moments]

    # then the 3-day reminder came on Tuesday, the 1-day one on Thursday, nothing else
    assert sweeps == [(10, 1), (10, 0), (11, 0), (11, 0), (12, 1), (12, 0), (13, 0), (13, 0)]
    assert notices(appeal) == [1, 3]
    assert events(appeal, K.REMINDER) == 2
    assert [n.title for n in inbox(executor)] == [f"Контроль сроков: обращение № {appeal.number}"] * 2
    assert "13.03.2026" in inbox(executor)[0].body
    appeal.refresh_from_db()
    assert appeal.overdue_at is None and appeal.escalation_level == 0


@pytest.mark.django_db
def test_an_appeal_assigned_the_day_before_its_deadline_gets_only_the_one_day_reminder(organisation, executor):
    appeal = RunningAppealFactory(organisation=organisation, due_at=end_of_day(D(2026, 3, 11)))

    assert sweep_deadlines(NOW)["reminders"] == 1

    assert notices(appeal) == [1]
    assert len(inbox(executor)) == 1


@pytest.mark.django_db
@pytest.mark.parametrize("offsets", [[5, 2], [7]])
def test_reminder_offsets_come_from_the_settings(settings, organisation, executor, offsets):
    settings.APPEAL_REMINDER_DAYS = offsets
    appeal = RunningAppealFactory(organisation=organisation, due_at=end_of_day(D(2026, 3, 17)))

    for day in range(10, 18):
        sweep_deadlines(at(D(2026, 3, day)))

    assert notices(appeal) == sorted(offsets)


@pytest.mark.django_db
def test_one_notification_per_user_lists_all_their_appeals(organisation, executor):
    # given 45 appeals of one hospital (two executors) and one of another organisation
    colleague = executor_of(organisation, "executor-gkb11-2")
    due = end_of_day(D(2026, 3, 12))
    ours = RunningAppealFactory.create_batch(45, organisation=organisation, due_at=due)
    other_org = OrganisationFactory()
    other_executor = executor_of(other_org, "executor-other")
    theirs = RunningAppealFactory(organisation=other_org, due_at=due)

    counts = sweep_deadlines(NOW)

    # then every executor gets one notification: the hospital's list 20 numbers and the rest
    assert counts == {"reminders": 46, "overdue": 0, "escalations": 0, "notifications": 3}
    for user in (executor, colleague):
        [note] = inbox(user)
        assert note.title == "Контроль сроков: 45 обращений"
        assert f"№ {ours[0].number}" in note.body
        assert "… и ещё 25" in note.body
    [note] = inbox(other_executor)
    assert note.title == f"Контроль сроков: обращение № {theirs.number}"
    assert ours[0].number not in note.body


@pytest.mark.django_db
def test_the_sweep_makes_the_same_number_of_queries_for_3_and_for_60_appeals(organisation, executor):
    def queries_for(n: int, day: int) -> int:
        RunningAppealFactory.create_batch(n, organisation=organisation, due_at=end_of_day(D(2026, 3, day)))
        with CaptureQueriesContext(connection) as ctx:
            assert sweep_deadlines(at(D(2026, 3, day - 1)))["reminders"] == n
        return len(ctx.captured_queries)

    few = queries_for(3, 12)
    Appeal.objects.update(status=S.CLOSED)
    assert queries_for(60, 22) == few


# --- overdue and escalation ------------------------------------------------------------------------


@pytest.mark.django_db
def test_an_appeal_past_its_due_date_is_marked_overdue_once(organisation, executor):
    appeal = RunningAppealFactory(organisation=organisation, due_at=end_of_day(D(2026, 3, 9)))

    first = sweep_deadlines(NOW)
    second = sweep_deadlines(NOW + datetime.timedelta(hours=1))

    assert (first["overdue"], second["overdue"]) == (1, 0)
    appeal.refresh_from_db()
    assert appeal.overdue_at == NOW
    assert events(appeal, K.OVERDUE) == 1
    [note] = inbox(executor)
    assert "Просрочен срок ответа" in note.body and appeal.number in note.body


@pytest.mark.django_db
def test_overdue_marking_goes_through_every_batch_of_candidates(organisation):
    late = RunningAppealFactory.create_batch(5, organisation=organisation, due_at=end_of_day(D(2026, 3, 9)))
    RunningAppealFactory(organisation=organisation, due_at=end_of_day(D(2026, 3, 10)))

    assert sorted(sweep.mark_overdue(NOW, batch=2)) == sorted(a.pk for a in late)
    assert sweep.mark_overdue(NOW, batch=2) == []


@pytest.mark.django_db
def test_escalation_goes_to_the_block_head_of_the_right_block_then_to_the_block_responsible(organisation, executor):
    # given the people of two blocks and an appeal of the health block due on 9 March
    head = block_person(Role.BLOCK_HEAD, "health", "head-health")
    other_head = block_person(Role.BLOCK_HEAD, "education", "head-education")
    responsible = block_person(Role.BLOCK_RESPONSIBLE, "health", "responsible-health")
    other_responsible = block_person(Role.BLOCK_RESPONSIBLE, "education", "responsible-education")
    appeal = RunningAppealFactory(organisation=organisation, due_at=end_of_day(D(2026, 3, 9)))

    # when it becomes overdue: level 1, the health block head only
    assert sweep_deadlines(NOW)["escalations"] == 1
    appeal.refresh_from_db()
    assert appeal.escalation_level == 1
    assert [len(inbox(u)) for u in (head, other_head, responsible, other_responsible)] == [1, 0, 0, 0]
    assert "руководителю отраслевого блока" in inbox(head)[0].body

    # two days later nothing more; three days overdue: level 2, the block responsible
    assert sweep_deadlines(at(D(2026, 3, 12)))["escalations"] == 0
    assert sweep_deadlines(at(D(2026, 3, 13), 1))["escalations"] == 1
    assert sweep_deadlines(at(D(2026, 3, 13), 2))["escalations"] == 0
    appeal.refresh_from_db()
    assert appeal.escalation_level == 2
    assert [len(inbox(u)) for u in (head, other_head, responsible, other_responsible)] == [1, 0, 1, 0]
    assert "ответственному за отраслевой блок" in inbox(responsible)[0].body
    assert notices(appeal, DeadlineNotice.Kind.ESCALATION) == [1, 2]
    assert events(appeal, K.ESCALATED) == 2
    assert len(inbox(executor)) == 1  # the overdue notice; escalations are not the executor's


@pytest.mark.django_db
def test_an_appeal_found_long_overdue_is_escalated_to_both_levels_in_one_sweep(organisation):
    head = block_person(Role.BLOCK_HEAD, "health", "head-health")
    responsible = block_person(Role.BLOCK_RESPONSIBLE, "health", "responsible-health")
    appeal = RunningAppealFactory(organisation=organisation, due_at=end_of_day(D(2026, 3, 1)))

    assert sweep_deadlines(NOW) == {"reminders": 0, "overdue": 1, "escalations": 2, "notifications": 2}

    appeal.refresh_from_db()
    assert appeal.escalation_level == 2
    assert (len(inbox(head)), len(inbox(responsible))) == (1, 1)


@pytest.mark.django_db
def test_escalation_days_come_from_the_settings(settings, organisation):
    settings.APPEAL_ESCALATION_DAYS = [1, 5]
    head = block_person(Role.BLOCK_HEAD, "health", "head-health")
    appeal = RunningAppealFactory(organisation=organisation, due_at=end_of_day(D(2026, 3, 9)))

    assert sweep_deadlines(NOW)["escalations"] == 0  # overdue for 10 hours only
    assert sweep_deadlines(at(D(2026, 3, 11)))["escalations"] == 1
    assert sweep_deadlines(at(D(2026, 3, 14)))["escalations"] == 0
    assert sweep_deadlines(at(D(2026, 3, 15)))["escalations"] == 1
    assert notices(appeal, DeadlineNotice.Kind.ESCALATION) == [1, 2]
    assert len(inbox(head)) == 1


# --- appeals without a running clock ----------------------------------------------------------------


@pytest.mark.django_db
def test_a_paused_clock_gets_no_reminder_no_overdue_mark_and_no_escalation(clock, organisation, executor, make_user):
    block_person(Role.BLOCK_HEAD, "health", "head-health")
    due_soon = RunningAppealFactory(organisation=organisation, due_at=end_of_day(D(2026, 3, 11)))
    later = RunningAppealFactory(organisation=organisation, due_at=end_of_day(D(2026, 3, 12)))
    operator = make_user(Role.OPERATOR)
    clock.now = at(D(2026, 3, 9))
    for appeal in (due_soon, later):
        services.request_info(appeal, by=operator, comment="Уточните номер дома.")

    assert sweep_deadlines(NOW) == {"reminders": 0, "overdue": 0, "escalations": 0, "notifications": 0}
    assert sweep_deadlines(at(D(2026, 3, 20))) == {"reminders": 0, "overdue": 0, "escalations": 0, "notifications": 0}
    assert not DeadlineNotice.objects.exists()
    assert not Notification.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("status", [S.NEW, S.ANSWERED, S.CLOSED, S.REJECTED, S.INFO_REQUESTED])
def test_an_appeal_whose_clock_does_not_run_is_left_alone(organisation, executor, status):
    appeal = RunningAppealFactory(organisation=organisation, status=status, due_at=end_of_day(D(2026, 3, 1)))
    soon = RunningAppealFactory(organisation=organisation, status=status, due_at=end_of_day(D(2026, 3, 11)))

    assert sweep_deadlines(NOW) == {"reminders": 0, "overdue": 0, "escalations": 0, "notifications": 0}

    appeal.refresh_from_db()
    assert appeal.overdue_at is None
    assert not DeadlineNotice.objects.filter(appeal__in=[appeal, soon]).exists()
    assert not AppealEvent.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("status", [S.IN_PROGRESS, S.RETURNED])
def test_the_clock_runs_in_progress_and_after_a_return(organisation, executor, status):
    appeal = RunningAppealFactory(organisation=organisation, status=status, due_at=end_of_day(D(2026, 3, 9)))

    assert sweep_deadlines(NOW)["overdue"] == 1
    appeal.refresh_from_db()
    assert appeal.overdue_at == NOW


# --- extension and the clock resuming ------------------------------------------------------------------


@pytest.mark.django_db
def test_an_extension_brings_new_reminders_for_the_new_date(clock, organisation, executor, make_user):
    operator = make_user(Role.OPERATOR)
    appeal = RunningAppealFactory(organisation=organisation, due_at=end_of_day(D(2026, 3, 11)))
    assert sweep_deadlines(NOW)["reminders"] == 1

    services.extend_deadline(appeal, due_date=D(2026, 3, 20), by=operator, reason="Нужна выездная проверка.")

    assert sweep_deadlines(at(D(2026, 3, 11)))["reminders"] == 0
    assert sweep_deadlines(at(D(2026, 3, 17)))["reminders"] == 1
    assert sweep_deadlines(at(D(2026, 3, 19)))["reminders"] == 1
    assert sweep_deadlines(at(D(2026, 3, 19), 18))["reminders"] == 0
    new_due = end_of_day(D(2026, 3, 20))
    assert list(DeadlineNotice.objects.filter(appeal=appeal).order_by("id").values_list("level", "due_at")) == [
        (1, end_of_day(D(2026, 3, 11))),
        (3, new_due),
        (1, new_due),
    ]
    assert len(inbox(executor)) == 3


@pytest.mark.django_db
def test_an_overdue_appeal_extended_is_overdue_and_escalated_again_only_after_the_new_date(
    clock, organisation, executor, make_user
):
    head = block_person(Role.BLOCK_HEAD, "health", "head-health")
    operator = make_user(Role.OPERATOR)
    appeal = RunningAppealFactory(organisation=organisation, due_at=end_of_day(D(2026, 3, 9)))
    assert sweep_deadlines(NOW)["overdue"] == 1

    services.extend_deadline(appeal, due_date=D(2026, 3, 20), by=operator, reason="Продлено письмом министра.")
    appeal.refresh_from_db()
    assert (appeal.overdue_at, appeal.escalation_level) == (None, 0)

    assert sweep_deadlines(at(D(2026, 3, 12)))["overdue"] == 0
    assert sweep_deadlines(at(D(2026, 3, 21))) == {"reminders": 0, "overdue": 1, "escalations": 1, "notifications": 2}
    assert len(inbox(head)) == 2


@pytest.mark.django_db
def test_when_the_citizen_answers_the_clock_resumes_with_the_due_date_moved_by_the_pause(
    clock, organisation, executor, make_user
):
    operator = make_user(Role.OPERATOR)
    appeal = RunningAppealFactory(organisation=organisation, due_at=end_of_day(D(2026, 3, 11)))
    clock.now = at(D(2026, 3, 5))
    services.request_info(appeal, by=operator, comment="Уточните адрес.")
    assert sweep_deadlines(at(D(2026, 3, 12)))["overdue"] == 0

    clock.now = at(D(2026, 3, 12))  # paused for 7 days
    services.receive_info(appeal, by=operator)

    appeal.refresh_from_db()
    assert appeal.due_at == end_of_day(D(2026, 3, 18))
    assert sweep_deadlines(at(D(2026, 3, 15)))["reminders"] == 1
    assert sweep_deadlines(at(D(2026, 3, 19)))["overdue"] == 1


# --- races and the real worker --------------------------------------------------------------------------


def _sweep_in_thread(barrier: threading.Barrier, results: list, errors: list) -> None:
    try:
        barrier.wait()
        results.append(sweep_deadlines(NOW))
    except Exception as exc:  # reported by the test
        errors.append(exc)
    finally:
        connection.close()


@pytest.mark.django_db(transaction=True)
def test_two_sweeps_racing_send_every_reminder_and_escalation_once(monkeypatch):
    # given 15 appeals due in two days and 15 overdue ones of one organisation (all listed: ≤ 20)
    organisation = OrganisationFactory()
    executor = executor_of(organisation, "executor-race")
    head = block_person(Role.BLOCK_HEAD, "health", "head-race")
    soon = RunningAppealFactory.create_batch(15, organisation=organisation, due_at=end_of_day(D(2026, 3, 12)))
    late = RunningAppealFactory.create_batch(15, organisation=organisation, due_at=end_of_day(D(2026, 3, 8)))

    # when two workers sweep at the same moment, each holding its transaction open a while
    # after every statement, so the second one's statements meet the first one's locks
    fetch = sweep._fetch

    def slow_fetch(sql, params):
        rows = fetch(sql, params)
        time.sleep(0.2)
        return rows

    monkeypatch.setattr(sweep, "_fetch", slow_fetch)
    results, errors = [], []
    barrier = threading.Barrier(2)
    threads = [threading.Thread(target=_sweep_in_thread, args=(barrier, results, errors)) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    # then together they did everything once
    assert errors == []
    total = {key: sum(r[key] for r in results) for key in ("reminders", "overdue", "escalations")}
    assert total == {"reminders": 15, "overdue": 15, "escalations": 15}
    assert DeadlineNotice.objects.filter(kind=DeadlineNotice.Kind.REMINDER, level=3).count() == 15
    assert DeadlineNotice.objects.filter(kind=DeadlineNotice.Kind.ESCALATION, level=1).count() == 15
    assert AppealEvent.objects.filter(kind=K.REMINDER).count() == 15
    assert AppealEvent.objects.filter(kind=K.OVERDUE).count() == 15
    assert AppealEvent.objects.filter(kind=K.ESCALATED).count() == 15
    assert set(Appeal.objects.filter(pk__in=[a.pk for a in late]).values_list("overdue_at", flat=True)) == {NOW}
    # every appeal is listed once across the notifications the two sweeps sent
    listed = "\n".join(n.body for n in Notification.objects.filter(user__in=[executor, head]))
    for appeal in soon + late:
        assert listed.count(f"№ {appeal.number} ") == (1 if appeal in soon else 2)  # overdue + escalation


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_the_beat_task_run_by_a_real_worker_marks_overdue_appeals():
    organisation = OrganisationFactory()
    executor = executor_of(organisation, "executor-worker")
    appeal = RunningAppealFactory(organisation=organisation, due_at=timezone.now() - datetime.timedelta(hours=1))

    with celery_worker():
        sweep_deadlines_task.delay()

        deadline = time.monotonic() + 20
        while not Appeal.objects.filter(pk=appeal.pk, overdue_at__isnull=False).exists():
            assert time.monotonic() < deadline, "the worker did not sweep in 20 s"
            time.sleep(0.2)

    assert AppealEvent.objects.filter(appeal=appeal, kind=K.OVERDUE).count() == 1
    assert Notification.objects.filter(user=executor).count() == 1
