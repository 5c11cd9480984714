"""Runs: immutable, reproducible, computed once; the schedule; a real worker computes a run."""

import datetime
import time

import pytest
from django.utils import timezone

from appeals.models import Appeal
from cur.errors import NotPermitted
from cur.roles import Role
from ratings import compute as compute_module
from ratings import periods, services
from ratings.errors import RatingsError
from ratings.models import Level, RatingEntry, RatingMethodology, RatingRun
from tests.worker import celery_worker

from .helpers import compute, entry, numbers
from .world import OCTOBER, at

pytestmark = pytest.mark.django_db
OCTOBER_PERIOD = periods.Period("month", *OCTOBER)


def snapshot(run: RatingRun) -> list[tuple]:
    return list(run.entries.order_by("subject_id").values_list("subject_id", "values", "score", "rank", "received"))


def test_the_same_data_and_methodology_give_identical_numbers(world):
    for level in Level.values:
        first, second = compute(level), compute(level)

        assert first.pk != second.pk
        assert snapshot(first) == snapshot(second)


def test_a_recomputation_is_a_new_run_and_the_old_one_keeps_its_numbers(world):
    old = compute(Level.ORGANISATION)
    before = snapshot(old)
    # After the first run, org_a's late a4 turns out to have been answered on time.
    Appeal.objects.filter(pk=world.a4.pk).update(status=Appeal.Status.ANSWERED, answered_at=at(10, 14))

    new = compute(Level.ORGANISATION)

    assert numbers(entry(new, world.org_a))["on_time"] == (0.75, 6, 8)
    assert numbers(entry(old, world.org_a))["on_time"] == (0.625, 5, 8)
    assert snapshot(old) == before
    assert RatingRun.objects.filter(level=Level.ORGANISATION).count() == 2


def test_computing_a_computed_run_again_changes_nothing(world):
    run = compute(Level.ORGANISATION)
    entries, computed_at = snapshot(run), run.computed_at
    Appeal.objects.filter(pk=world.a4.pk).update(answered_at=at(10, 14))

    services.compute_run(run.pk)
    run.refresh_from_db()

    assert snapshot(run) == entries
    assert run.computed_at == computed_at
    assert RatingEntry.objects.filter(run=run).count() == run.subject_count


def test_a_run_of_a_missing_id_is_ignored(db):
    assert services.compute_run(10**12) is None


def test_a_failing_computation_marks_the_run_failed_without_entries(world, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("сбой базы")

    monkeypatch.setattr(compute_module, "aggregates", broken)
    run = services.request_run(level=Level.ORGANISATION, period=OCTOBER_PERIOD, by=None, queue=False)

    services.compute_run(run.pk)
    run.refresh_from_db()

    assert run.status == RatingRun.Status.FAILED
    assert "сбой базы" in run.error
    assert not run.entries.exists()


def test_a_run_uses_only_an_approved_methodology(db, v1):
    draft = RatingMethodology.objects.create(version=2, name="Черновик")

    with pytest.raises(RatingsError, match="утверждённой"):
        services.request_run(level=Level.ORGANISATION, period=OCTOBER_PERIOD, methodology=draft, by=None)


def test_a_period_that_has_not_ended_is_refused(db, v1):
    today = periods.today()
    this_month = periods.month(today.year, today.month)

    with pytest.raises(RatingsError, match="не закончился"):
        services.request_run(level=Level.ORGANISATION, period=this_month, by=None)


def test_only_the_curator_and_the_admin_may_request_a_run(db, v1, make_user):
    with pytest.raises(NotPermitted):
        services.request_run(level=Level.ORGANISATION, period=OCTOBER_PERIOD, by=make_user(Role.OPERATOR))
    run = services.request_run(level=Level.ORGANISATION, period=OCTOBER_PERIOD, by=make_user(Role.CURATOR), queue=False)
    assert run.status == RatingRun.Status.PENDING


@pytest.fixture
def sent(monkeypatch):
    calls = []

    def record(task, *args):  # a task or its name
        calls.append((getattr(task, "name", task), args))
        return True

    monkeypatch.setattr(services, "send_on_commit", record)
    monkeypatch.setattr(services, "send", record)
    return calls


def test_the_schedule_requests_the_previous_month_of_every_level_once(db, v1, sent):
    created = services.ensure_previous_month_runs(on=datetime.date(2025, 11, 1))

    assert sorted(r.level for r in created) == sorted(Level.values)
    assert {(r.period_start, r.period_end, r.period_kind) for r in created} == {(*OCTOBER, "month")}
    assert [name for name, _ in sent] == ["ratings.tasks.compute_rating_run"] * 3
    assert services.ensure_previous_month_runs(on=datetime.date(2025, 11, 2)) == []


def test_runs_left_pending_by_a_lost_task_are_sent_again(db, v1, sent):
    old = services.request_run(level=Level.ORGANISATION, period=OCTOBER_PERIOD, by=None, queue=False)
    fresh = services.request_run(level=Level.MUNICIPALITY, period=OCTOBER_PERIOD, by=None, queue=False)
    RatingRun.objects.filter(pk=old.pk).update(created_at=timezone.now() - datetime.timedelta(hours=1))

    assert services.requeue_stale_runs() == 1
    assert sent == [("ratings.tasks.compute_rating_run", (old.pk,))]
    assert fresh.pk not in [args[0] for _, args in sent]


@pytest.mark.worker
def test_a_real_worker_computes_a_requested_run_once(transactional_db):
    from .world import build

    w = build()
    with celery_worker():  # it purges the queue when it starts: request the run after
        from ratings.tasks import compute_rating_run

        run = services.request_run(level=Level.ORGANISATION, period=OCTOBER_PERIOD, by=None)  # sent on commit
        deadline = time.monotonic() + 30
        while not RatingRun.objects.filter(pk=run.pk, status=RatingRun.Status.DONE).exists():
            assert time.monotonic() < deadline, "the worker did not compute the run in 30 s"
            time.sleep(0.2)
        computed_at = RatingRun.objects.get(pk=run.pk).computed_at
        compute_rating_run.delay(run.pk)  # a second delivery: skipped
        time.sleep(1.5)

    run.refresh_from_db()
    assert run.computed_at == computed_at
    assert numbers(entry(run, w.org_a))["on_time"] == (0.625, 5, 8)
    assert run.entries.count() == run.subject_count
