"""The lifecycle of an information event: every step through a service, each with a history row;
invalid steps are refused in Russian; only the moderation center may move an event."""

import datetime

import pytest
from django.utils import timezone

from cur.errors import DomainError, NotPermitted
from cur.models import AuditEvent
from informing import services
from informing.errors import TransitionNotAllowed
from informing.models import EventHistory, InformationEvent
from tests.factories import OrganisationFactory, TerritoryFactory

S = InformationEvent.Status
pytestmark = pytest.mark.django_db


@pytest.fixture
def event(moderator):
    return services.create_event(
        by=moderator,
        title="Холодные батареи в Касимове",
        priority="high",
        essence="Посты о холодных батареях в школах Касимова.",
        territories=[TerritoryFactory(name="Касимов")],
    )


def kinds(event):
    return list(EventHistory.objects.filter(event=event).order_by("pk").values_list("kind", "from_status", "to_status"))


def test_an_event_goes_from_detection_to_closing_with_a_history_row_per_step(event, moderator):
    org = OrganisationFactory()

    services.start_analysis(event, by=moderator)
    rec = services.issue_recommendation(
        event,
        by=moderator,
        organisation=org,
        text="Разъяснить сроки ремонта",
        due_at=timezone.now() + datetime.timedelta(days=1),
    )
    services.complete_recommendation(rec, by=moderator, response="Опубликовано")
    services.save_activity(
        None,
        by=moderator,
        event=event,
        title="Пост-разъяснение",
        channel="official_page",
        published_at=timezone.now(),
        reach=5000,
    )
    services.mark_worked_off(event, by=moderator)
    services.close_event(event, outcome="neutralised", by=moderator, comment="Негатив снят")

    event.refresh_from_db()
    assert event.status == S.CLOSED
    assert event.outcome == "neutralised" and event.outcome_comment == "Негатив снят"
    assert event.reacted_at and event.worked_off_at and event.closed_at
    statuses = [(f, t) for k, f, t in kinds(event) if k == "status"]
    assert statuses == [
        (S.DETECTED, S.ANALYSIS),
        (S.ANALYSIS, S.RECOMMENDED),
        (S.RECOMMENDED, S.ACTIVITIES),
        (S.ACTIVITIES, S.WORKED_OFF),
        (S.WORKED_OFF, S.CLOSED),
    ]
    assert [k for k, _, _ in kinds(event)][0] == "created"
    assert AuditEvent.objects.filter(object_type="informing.informationevent", object_id=str(event.pk)).count() >= 8


def test_the_deadlines_follow_the_priority(event):
    assert event.work_off_by - event.created_at == datetime.timedelta(hours=24)
    assert event.react_by - event.created_at == datetime.timedelta(hours=2)


def test_whoever_takes_a_detected_event_into_analysis_becomes_responsible(event, moderator):
    services.start_analysis(event, by=moderator)

    event.refresh_from_db()
    assert event.responsible == moderator


@pytest.mark.parametrize(
    ("step", "message"),
    [
        (lambda e, u: services.mark_worked_off(e, by=u), "«Выявлен» в статус «Отработан»"),
        (lambda e, u: services.start_activities(e, by=u), "«Выявлен» в статус «Проводятся мероприятия»"),
        (lambda e, u: services.move_event(e, to="recommended", by=u), "первая рекомендация"),
    ],
)
def test_a_step_the_status_does_not_allow_is_refused_in_russian(event, moderator, step, message):
    with pytest.raises(TransitionNotAllowed) as exc:
        step(event, moderator)

    assert message in exc.value.message
    event.refresh_from_db()
    assert event.status == S.DETECTED


def test_an_event_without_anything_done_cannot_be_worked_off(event, moderator):
    services.start_analysis(event, by=moderator)
    services.start_activities(event, by=moderator)

    with pytest.raises(TransitionNotAllowed, match="нет ни опубликованного мероприятия"):
        services.mark_worked_off(event, by=moderator)


def test_closing_needs_an_outcome_and_an_unworked_event_closes_only_as_needing_no_reaction(event, moderator):
    with pytest.raises(DomainError, match="итог"):
        services.close_event(event, outcome="", by=moderator)
    with pytest.raises(TransitionNotAllowed, match="Не потребовал реакции"):
        services.close_event(event, outcome="resolved", by=moderator)

    services.close_event(event, outcome="no_action", by=moderator, comment="Ложная тревога")

    event.refresh_from_db()
    assert event.status == S.CLOSED and event.reacted_at is not None


def test_a_closed_event_reopens_into_analysis_with_a_reason(event, moderator):
    services.close_event(event, outcome="no_action", by=moderator)
    with pytest.raises(DomainError, match="причину"):
        services.reopen_event(event, by=moderator, comment=" ")

    services.reopen_event(event, by=moderator, comment="Аудитория снова растёт")

    event.refresh_from_db()
    assert event.status == S.ANALYSIS and event.outcome == "" and event.closed_at is None


@pytest.mark.parametrize("role", ["curator", "executive", "block_head", "operator", "executor"])
def test_only_the_moderation_center_moves_an_event(event, make_user, role):
    user = make_user(role)

    with pytest.raises(NotPermitted):
        services.start_analysis(event, by=user)


def test_only_moderators_and_admins_can_be_responsible(event, moderator, make_user):
    with pytest.raises(DomainError, match="центра модерации"):
        services.assign_event(event, responsible=make_user("operator"), by=moderator)

    other = make_user("moderator", username="moderator-2")
    services.assign_event(event, responsible=other, by=moderator)

    event.refresh_from_db()
    assert event.responsible == other
    assert other.notifications.filter(title__contains=event.title).exists()


def test_audience_measurements_give_the_reach_and_growth_of_the_event(event, moderator):
    now = timezone.now()
    services.record_audience(event, by=moderator, measured_at=now - datetime.timedelta(hours=24), reach=1000)
    services.record_audience(event, by=moderator, measured_at=now, reach=2500)
    # The same moment again corrects the measurement instead of adding one.
    services.record_audience(event, by=moderator, measured_at=now, reach=3000)

    event.refresh_from_db()
    assert event.audience.count() == 2
    assert event.reach == 3000
    assert event.growth == 200.0


def test_a_measurement_in_the_future_is_refused(event, moderator):
    with pytest.raises(DomainError, match="будущем"):
        services.record_audience(event, by=moderator, measured_at=timezone.now() + datetime.timedelta(days=1), reach=1)


def test_a_source_is_added_once_per_url(event, moderator):
    services.add_source(event, by=moderator, network="vk", url="https://vk.com/wall-1_1", reach=300)

    with pytest.raises(DomainError, match="уже добавлен"):
        services.add_source(event, by=moderator, network="vk", url="https://vk.com/wall-1_1")


def test_the_overdue_sweep_marks_an_event_once_and_tells_its_moderator(event, moderator):
    services.start_analysis(event, by=moderator)
    later = event.work_off_by + datetime.timedelta(minutes=1)

    assert services.mark_overdue_events(now=later) == 1
    assert services.mark_overdue_events(now=later) == 0

    event.refresh_from_db()
    assert event.overdue_at == later
    assert EventHistory.objects.filter(event=event, kind="overdue").count() == 1
    assert moderator.notifications.filter(title__startswith="Просрочена отработка").count() == 1


def test_a_new_priority_moves_the_deadlines_of_an_open_event(event, moderator):
    services.update_event(event, by=moderator, priority="low", title="Холодные батареи в школах Касимова")

    event.refresh_from_db()
    assert event.work_off_by - event.created_at == datetime.timedelta(hours=120)
    assert EventHistory.objects.filter(event=event, kind="updated").exists()
