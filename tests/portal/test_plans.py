"""Indicators (targets, actuals, proposals, traffic lights) and roadmaps (workflow, effect, overdue sweep)."""

import datetime
import time
from decimal import Decimal

import pytest

from appeals.models import Appeal
from cur.errors import DomainError, NotPermitted
from cur.models import Notification
from heatmap.models import ProblemPoint
from portal import selectors
from portal import services_plans as plans
from portal.models import Indicator, Roadmap, RoadmapMeasure
from portal.tasks import sweep_overdue_measures as sweep_task
from ratings import periods
from tests.worker import celery_worker

from .conftest import appeal_in, health_topic

pytestmark = pytest.mark.django_db
D = datetime.date


def indicator(by, code="on_time", source=Indicator.Source.ON_TIME, block=None, name="Доля ответов в срок"):
    return plans.create_indicator(
        by=by,
        kind=Indicator.Kind.BASIC,
        code=code,
        name=name,
        unit="%",
        source=source,
        direction=Indicator.Direction.HIGHER,
        sector_block=block,
    )


def test_the_dashboard_shows_computed_actuals_against_targets_with_traffic_lights(month_data, curator, health):
    computed = indicator(curator, block=health)
    manual = indicator(curator, code="trained", source=Indicator.Source.MANUAL, name="Обучено сотрудников")
    plans.set_indicator_value(
        computed, by=curator, period_kind="month", period_start=month_data.start, target=Decimal("90")
    )
    plans.set_indicator_value(
        manual,
        by=curator,
        period_kind="month",
        period_start=month_data.start,
        target=Decimal("10"),
        actual=Decimal("9.5"),
    )

    rows = {
        r.indicator.code: r for r in selectors.indicator_dashboard(curator, "month", month_data.start, month_data.end)
    }
    assert rows["on_time"].actual == 66.7 and rows["on_time"].light == "red"
    assert rows["trained"].actual == 9.5 and rows["trained"].light == "yellow"


def test_traffic_lights_follow_the_direction():
    lower = Indicator(direction=Indicator.Direction.LOWER)
    assert selectors.traffic_light(lower, 10, 9) == "green"
    assert selectors.traffic_light(lower, 10, 10.5) == "yellow"
    assert selectors.traffic_light(lower, 10, 12) == "red"
    assert selectors.traffic_light(lower, None, 12) == "grey"


def test_a_computed_indicators_actual_cannot_be_typed_in(curator, last_month):
    computed = indicator(curator)
    with pytest.raises(DomainError, match="считается из данных"):
        plans.set_indicator_value(
            computed, by=curator, period_kind="month", period_start=last_month.start, actual=Decimal(1)
        )


def test_a_block_responsible_proposes_and_the_curator_approves(block_responsible, curator, block_head, health):
    proposed = plans.propose_indicator(
        by=block_responsible,
        code="visits",
        name="Выезды на место",
        unit="шт.",
        source=Indicator.Source.MANUAL,
        direction=Indicator.Direction.HIGHER,
        sector_block=health,
    )
    assert proposed.status == Indicator.Status.PROPOSED and proposed.kind == Indicator.Kind.ADDITIONAL
    assert Notification.objects.filter(user=curator).count() == 1
    with pytest.raises(NotPermitted):
        plans.decide_indicator(proposed, by=block_head, approve=True)
    with pytest.raises(NotPermitted):
        plans.propose_indicator(by=block_head, code="x", name="x", unit="x", source="manual", sector_block=health)

    plans.decide_indicator(proposed, by=curator, approve=True)

    proposed.refresh_from_db()
    assert proposed.status == Indicator.Status.APPROVED
    assert Notification.objects.filter(user=block_responsible).count() == 1
    with pytest.raises(DomainError, match="уже принято"):
        plans.decide_indicator(proposed, by=curator, approve=False)


def test_a_block_responsible_cannot_propose_for_a_foreign_block(block_responsible, roads):
    with pytest.raises(NotPermitted):
        plans.propose_indicator(by=block_responsible, code="x", name="x", unit="x", source="manual", sector_block=roads)


# --- roadmaps ---------------------------------------------------------------------------------------------


@pytest.fixture
def roadmap(block_head, territory):
    return plans.create_roadmap(
        by=block_head,
        title="Диспансеризация в районе",
        topic=health_topic(),
        territory=territory,
        starts_on=periods.today() - datetime.timedelta(days=10),
    )


def test_a_roadmap_goes_to_the_curator_and_back_and_is_approved(roadmap, block_head, curator, person):
    with pytest.raises(DomainError, match="хотя бы одно"):
        plans.submit_roadmap(roadmap, by=block_head)
    plans.add_measure(
        roadmap,
        by=block_head,
        title="Выездные бригады",
        responsible=person,
        due_date=periods.today() + datetime.timedelta(days=30),
    )
    plans.submit_roadmap(roadmap, by=block_head)
    with pytest.raises(NotPermitted):
        plans.decide_roadmap(roadmap, by=block_head, approve=True)
    with pytest.raises(DomainError, match="доработать"):
        plans.decide_roadmap(roadmap, by=curator, approve=False)
    plans.decide_roadmap(roadmap, by=curator, approve=False, comment="Уточните сроки")
    plans.submit_roadmap(roadmap, by=block_head)
    plans.decide_roadmap(roadmap, by=curator, approve=True)

    roadmap.refresh_from_db()
    assert roadmap.status == Roadmap.Status.APPROVED and roadmap.approved_by == curator
    assert Notification.objects.filter(user=block_head).count() == 2


def test_a_roadmap_for_a_confirmed_problem_point_moves_it_into_the_roadmap(block_head, curator, person, territory, now):
    point = ProblemPoint.objects.create(
        kind="spike",
        status="new",
        territory=territory,
        topic=health_topic(),
        window_start=D(2026, 1, 1),
        window_end=D(2026, 1, 7),
        observed=10,
        expected=2,
        score=4,
        first_detected_at=now,
        last_detected_at=now,
    )
    with pytest.raises(DomainError, match="подтверждённой"):
        plans.create_roadmap(by=block_head, title="Карта", problem_point=point, starts_on=periods.today())
    ProblemPoint.objects.filter(pk=point.pk).update(status="confirmed")
    roadmap = plans.create_roadmap(by=block_head, title="Карта", problem_point=point, starts_on=periods.today())
    plans.add_measure(roadmap, by=block_head, title="Мера", responsible=person, due_date=periods.today())
    plans.submit_roadmap(roadmap, by=block_head)
    plans.decide_roadmap(roadmap, by=curator, approve=True)

    point.refresh_from_db()
    assert roadmap.topic == point.topic and roadmap.territory == point.territory
    assert point.status == ProblemPoint.Status.ROADMAP and f"№ {roadmap.pk}" in point.roadmap_note


def test_a_foreign_block_cannot_make_a_roadmap_on_a_health_topic(foreign_head, territory):
    with pytest.raises(NotPermitted):
        plans.create_roadmap(
            by=foreign_head, title="Карта", topic=health_topic(), territory=territory, starts_on=periods.today()
        )


def test_the_effect_compares_appeals_per_month_before_and_after(block_head, territory, health):
    topic = health_topic()
    start = D(2026, 4, 15)
    roadmap = plans.create_roadmap(by=block_head, title="Карта", topic=topic, territory=territory, starts_on=start)
    for day in (D(2026, 1, 10), D(2026, 2, 10), D(2026, 3, 10), D(2026, 3, 11)):
        appeal_in(health, day, topic=topic, territory=territory)
    appeal_in(health, D(2026, 5, 3), topic=topic, territory=territory)
    appeal_in(
        health,
        D(2026, 5, 3),
        territory=territory,
        topic=Appeal.objects.first().topic.__class__.objects.exclude(pk=topic.pk).filter(sector_block=health).first(),
    )  # another topic: not counted

    effect = selectors.roadmap_effect(roadmap, today=D(2026, 5, 31), months=4)

    assert [n for _, n in effect["before"]] == [0, 1, 1, 2]  # December … March
    assert [n for _, n in effect["after"]] == [0, 1]
    assert effect["before_avg"] == 1.0 and effect["after_avg"] == 0.5 and effect["change_pct"] == -50.0


@pytest.fixture
def running(roadmap, block_head, curator, person, make_user):
    person.user = make_user("block_head", username="person-user")
    person.save()
    overdue = plans.add_measure(
        roadmap,
        by=block_head,
        title="Просроченная",
        responsible=person,
        due_date=periods.today() - datetime.timedelta(days=1),
    )
    plans.add_measure(
        roadmap,
        by=block_head,
        title="В срок",
        responsible=person,
        due_date=periods.today() + datetime.timedelta(days=5),
    )
    plans.submit_roadmap(roadmap, by=block_head)
    plans.decide_roadmap(roadmap, by=curator, approve=True)
    Notification.objects.all().delete()
    return overdue


def test_the_sweep_notifies_an_overdue_measure_exactly_once(running, block_head):
    assert plans.sweep_overdue_measures() == 1
    assert plans.sweep_overdue_measures() == 0

    running.refresh_from_db()
    assert running.overdue_notified_at is not None
    titles = list(Notification.objects.values_list("user__username", flat=True))
    assert sorted(titles) == sorted(["person-user", block_head.username])


def test_measures_progress_and_done_means_full(running, block_head):
    measure = plans.update_measure(running, by=block_head, status=RoadmapMeasure.Status.DONE, progress=30)
    assert measure.progress == 100 and measure.completed_at is not None
    with pytest.raises(DomainError, match="Не все"):
        plans.complete_roadmap(running.roadmap, by=block_head)
    with pytest.raises(DomainError, match="Неверный"):
        plans.update_measure(running, by=block_head, status="bogus", progress=1)


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_runs_the_overdue_sweep_once(block_head, curator, person, territory, make_user):
    roadmap = plans.create_roadmap(
        by=block_head, title="Карта", topic=health_topic(), territory=territory, starts_on=periods.today()
    )
    measure = plans.add_measure(
        roadmap,
        by=block_head,
        title="Просроченная",
        responsible=person,
        due_date=periods.today() - datetime.timedelta(days=2),
    )
    plans.submit_roadmap(roadmap, by=block_head)
    plans.decide_roadmap(roadmap, by=curator, approve=True)

    with celery_worker():
        sweep_task.delay()
        sweep_task.delay()
        deadline = time.monotonic() + 20
        while not RoadmapMeasure.objects.filter(pk=measure.pk, overdue_notified_at__isnull=False).exists():
            assert time.monotonic() < deadline, "the worker did not sweep in 20 s"
            time.sleep(0.2)
        time.sleep(1)

    assert Notification.objects.filter(user=block_head, title__startswith="Просрочено").count() == 1
