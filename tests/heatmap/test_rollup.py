"""The rollup equals a direct GROUP BY over the appeals, whatever the appeals services did to them: the
incremental updates (on appeals_changed) and the rebuilds give the same cells."""

import datetime
import random

import pytest
from django.db import connection

from appeals import services as s
from appeals.models import Appeal
from appeals.workflow.sweep import sweep_deadlines
from heatmap import rollup
from heatmap.models import HeatCellMonth, HeatFootprint, HeatFootprintDay, HeatTopicDay

from .reference import actual_cells, actual_months, expected_cells, months_from_cells
from .world import register

S = Appeal.Status
pytestmark = pytest.mark.django_db


def _step(rng: random.Random, world, appeal: Appeal) -> None:
    """One random service call that the appeal's status allows (a refusal of the service is fine too)."""
    org = world.organisations["health" if appeal.sector_block.code == "health" else "waste"]
    territories = [*world.districts, world.settlement, None]
    options = {
        S.NEW: ["assign"] * 6 + ["classify", "repeat", "reject"],
        S.REOPENED: ["assign"] * 3 + ["classify", "reject"],
        S.ASSIGNED: ["start", "answer", "answer", "extend", "info", "redirect"],
        S.IN_PROGRESS: ["answer", "answer", "info", "extend"],
        S.RETURNED: ["start", "answer"],
        S.INFO_REQUESTED: ["receive"],
        S.ANSWERED: ["quality", "quality", "close", "return", "score", "reopen"],
        S.CLOSED: ["score", "reopen"],
        S.REJECTED: [],
    }[appeal.status]
    if not options:
        return
    action, by = rng.choice(options), world.operator
    other = world.organisations["waste" if org is world.organisations["health"] else "health"]
    calls = {
        "assign": lambda: s.assign_appeal(appeal, organisation=org, by=by),
        "reject": lambda: s.reject_appeal(appeal, reason=Appeal.RejectReason.SPAM, by=by),
        "classify": lambda: s.set_classification(
            appeal,
            by=by,
            topic=rng.choice(world.topics[rng.choice(["health", "waste"])]),
            territory=rng.choice(territories[:-1]),
        ),  # fmt: skip
        "repeat": lambda: s.mark_repeat(
            appeal, original=Appeal.objects.exclude(pk=appeal.pk).order_by("?").first(), by=by
        ),  # fmt: skip
        "start": lambda: s.start_work(appeal, by=by),
        "answer": lambda: s.answer_appeal(appeal, text="Ответ по существу: работы выполнены.", by=by),
        "extend": lambda: s.extend_deadline(
            appeal,
            due_date=(appeal.due_at + datetime.timedelta(days=5)).date(),
            by=by,
            reason="Нужна выездная проверка.",
        ),  # fmt: skip
        "info": lambda: s.request_info(appeal, by=by, comment="Уточните адрес."),
        "receive": lambda: s.receive_info(appeal, by=by),
        "redirect": lambda: s.redirect_appeal(appeal, organisation=other, by=by, comment="Не наша компетенция."),
        "quality": lambda: s.check_answer_quality(appeal, quality=rng.choice(Appeal.AnswerQuality.values), by=by),
        "close": lambda: s.close_appeal(appeal, by=by),
        "return": lambda: s.return_appeal(appeal, by=by, comment="Ответ формальный."),
        "score": lambda: s.record_satisfaction(appeal, score=rng.randint(1, 5), by=by),
        "reopen": lambda: s.reopen_appeal(appeal, by=by, reason="Проблема не решена."),
    }
    try:
        calls[action]()
    except Exception as exc:  # a domain refusal (e.g. closing before a quality check) changes nothing
        from cur.errors import DomainError

        if not isinstance(exc, DomainError):
            raise


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_incremental_rollup_equals_group_by_after_random_service_calls(
    seed, world, clock, django_capture_on_commit_callbacks
):
    rng = random.Random(seed)
    territories = [*world.districts, world.settlement, None]
    appeals = []
    # Given appeals registered over two weeks, on every territory (a settlement and none included)
    for _ in range(40):
        clock.advance(hours=rng.randint(1, 14))
        with django_capture_on_commit_callbacks(execute=True):
            appeals.append(register(world, territory=rng.choice(territories), block=rng.choice(["health", "waste"]),
                                    topic=rng.randint(0, 2), channel=rng.choice(Appeal.Channel.values)))  # fmt: skip
    # When the services move them around for weeks, the deadline sweep marking the late ones
    for step in range(320):
        clock.advance(hours=rng.randint(0, 30))
        appeal = Appeal.objects.select_related("sector_block").get(pk=rng.choice(appeals).pk)
        with django_capture_on_commit_callbacks(execute=True):
            _step(rng, world, appeal)
            if step % 25 == 24:
                sweep_deadlines(clock.now)
    # Then the rollup is the GROUP BY over the appeals, cell by cell, and the months are the cells summed
    assert actual_cells() == expected_cells()
    assert actual_months() == months_from_cells()
    assert HeatTopicDay.objects.filter(answered__gt=0).exists() and HeatTopicDay.objects.filter(overdue__gt=0).exists()
    # And a full rebuild changes nothing
    incremental = actual_cells()
    rollup.rebuild_all()
    assert actual_cells() == incremental
    assert actual_months() == months_from_cells()


def test_moving_an_appeal_to_another_territory_fixes_both_cells(world, clock, django_capture_on_commit_callbacks):
    first, second = world.districts[:2]
    with django_capture_on_commit_callbacks(execute=True):
        appeal = register(world, territory=first)
    assert HeatTopicDay.objects.get(territory=first).received == 1
    with django_capture_on_commit_callbacks(execute=True):
        s.set_classification(appeal, by=world.operator, topic=world.topic("health"), territory=second)
    assert not HeatTopicDay.objects.filter(territory=first).exists()
    assert HeatTopicDay.objects.get(territory=second).received == 1
    assert HeatFootprint.objects.get(appeal_id=appeal.pk).territory_id == second.pk


def test_a_withdrawn_answer_leaves_its_answer_day(world, clock, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        appeal = register(world, territory=world.districts[0])
        s.assign_appeal(appeal, organisation=world.organisations["health"], by=world.operator)
    clock.advance(days=3)
    with django_capture_on_commit_callbacks(execute=True):
        s.answer_appeal(appeal, text="Ответ.", by=world.operator)
    answer_day = clock.today()
    assert HeatTopicDay.objects.get(day=answer_day).answered == 1
    clock.advance(days=2)
    with django_capture_on_commit_callbacks(execute=True):
        s.return_appeal(appeal, by=world.operator, comment="Ответ формальный.")
    assert not HeatTopicDay.objects.filter(day=answer_day).exists()
    assert actual_cells() == expected_cells()


def test_rebuilding_a_date_range_restores_drifted_cells(world, clock, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        for territory in world.districts:
            register(world, territory=territory)
            clock.advance(days=1)
    # Given drift: a lost update, a stray row and a footprint that no longer matches its appeal
    HeatTopicDay.objects.filter(territory=world.districts[0]).update(received=7)
    HeatTopicDay.objects.create(day=clock.today(), received=3)
    HeatFootprint.objects.filter(territory_id=world.districts[1].pk).update(channel="email")
    # When the range is rebuilt
    rollup.rebuild_range(clock.today() - datetime.timedelta(days=5), clock.today())
    # Then it equals the appeals again
    assert actual_cells() == expected_cells()
    assert actual_months() == months_from_cells()


def test_an_update_waits_for_no_one_when_another_writer_holds_the_lock(world, clock, django_capture_on_commit_callbacks,
                                                                       monkeypatch):  # fmt: skip
    queued = []
    monkeypatch.setattr("heatmap.receivers._queue", queued.append)
    monkeypatch.setattr(rollup, "_lock", lambda cursor, *, wait: wait)  # another transaction holds it
    with django_capture_on_commit_callbacks(execute=True):
        appeal = register(world, territory=world.districts[0])
    assert queued == [[appeal.pk]]
    assert not HeatTopicDay.objects.exists() and not HeatFootprintDay.objects.exists()


def test_a_failing_update_never_breaks_the_appeal_write(world, clock, django_capture_on_commit_callbacks,
                                                        monkeypatch):  # fmt: skip
    queued = []
    monkeypatch.setattr("heatmap.receivers._queue", queued.append)

    def broken(*args, **kwargs):
        raise RuntimeError("база недоступна")

    monkeypatch.setattr(rollup, "_apply", broken)
    with django_capture_on_commit_callbacks(execute=True):
        appeal = register(world, territory=world.districts[0])
    assert Appeal.objects.filter(pk=appeal.pk).exists()
    assert queued == [[appeal.pk]]


def test_a_big_batch_goes_to_the_queue(world, monkeypatch):
    from heatmap import receivers

    queued = []
    monkeypatch.setattr(receivers, "_queue", queued.append)
    receivers.on_appeals_changed(Appeal, appeal_ids=list(range(1, 502)), kind="registered")
    receivers.on_appeals_changed(Appeal, appeal_ids=[1], kind="pd_viewed")  # changes no counter
    assert queued == [list(range(1, 502))]


def test_one_appeal_change_rolls_up_quickly(world, clock, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        appeals = [register(world, territory=world.districts[i % 3]) for i in range(40)]
    import time

    rollup.refresh_appeals([appeals[0].pk])
    started = time.perf_counter()
    for appeal in appeals[:10]:
        rollup.refresh_appeals([appeal.pk])
    per_change = (time.perf_counter() - started) / 10
    assert per_change < 0.05, f"{per_change * 1000:.1f} мс на одно обращение"
    assert connection.vendor == "postgresql"


@pytest.mark.django_db(transaction=True)
def test_a_parallel_rebuild_swaps_in_tables_that_keep_their_names_and_take_updates(world, clock):
    # Given appeals rolled up as they came (committed: the rebuild's loaders read them on their own connections)
    appeals = [register(world, territory=world.districts[i % 3], block=("health", "waste")[i % 2], topic=i % 3)
               for i in range(12)]  # fmt: skip
    s.assign_appeal(appeals[0], organisation=world.organisations["health"], by=world.operator)
    HeatTopicDay.objects.filter(territory=world.districts[0]).update(received=9)  # drift
    # When the whole rollup is rebuilt by two connections and swapped in
    counts = rollup.rebuild_all(jobs=2)
    # Then it is the GROUP BY over the appeals, under the live names, with no table left behind
    assert counts["footprints"] == 12 and counts["cell_months"] == HeatCellMonth.objects.count()
    assert actual_cells() == expected_cells()
    assert actual_months() == months_from_cells()
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_class WHERE relname LIKE 'heatmap%%__new%%'")
        assert cursor.fetchone()[0] == 0
        cursor.execute("SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass ORDER BY 1",
                       ["heatmap_heatcellmonth"])  # fmt: skip
        assert [row[0] for row in cursor.fetchall()] == ["heatcellmonth_key", "heatmap_heatcellmonth_pkey"]
        cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'heatmap_heatfootprint' ORDER BY 1")
        assert [row[0] for row in cursor.fetchall()] == ["heatfootprint_answered", "heatfootprint_registered",
                                                         "heatmap_heatfootprint_pkey"]  # fmt: skip
    # And incremental updates go on: a new cell (the identity sequence), an upsert on the key constraint
    clock.advance(days=1)
    s.answer_appeal(appeals[0], text="Ответ по существу.", by=world.operator)
    register(world, territory=world.districts[1])
    assert actual_cells() == expected_cells()
    assert actual_months() == months_from_cells()
