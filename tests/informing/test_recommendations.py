"""Recommendations to bodies: issued by the center, answered by the body they are addressed to (and only
by it), escalated exactly once when overdue."""

import datetime

import pytest
from django.utils import timezone

from cur.errors import DomainError, NotPermitted
from cur.models import Notification
from informing import selectors, services
from informing.errors import TransitionNotAllowed
from informing.models import EventHistory, InformationEvent, Recommendation
from tests.factories import OrganisationFactory

R = Recommendation.Status
pytestmark = pytest.mark.django_db


@pytest.fixture
def body(executor):
    return executor.organisation


@pytest.fixture
def event(moderator):
    event = services.create_event(by=moderator, title="Очереди в поликлинике", essence="Жалобы на запись к врачу.")
    return services.start_analysis(event, by=moderator)


@pytest.fixture
def rec(event, moderator, body):
    return services.issue_recommendation(
        event,
        by=moderator,
        organisation=body,
        text="Опубликовать график приёма",
        due_at=timezone.now() + datetime.timedelta(hours=12),
        where="госпаблик ВК",
    )


def test_issuing_the_first_recommendation_moves_an_analysed_event_and_tells_the_body(rec, event, executor):
    event.refresh_from_db()

    assert event.status == InformationEvent.Status.RECOMMENDED
    assert executor.notifications.filter(title__startswith="Рекомендация ЦУР").exists()
    assert EventHistory.objects.filter(event=event, kind="recommendation", recommendation=rec).exists()


def test_a_recommendation_is_not_issued_for_a_detected_event_or_in_the_past(moderator, body):
    fresh = services.create_event(by=moderator, title="Новый повод", essence="Суть")
    with pytest.raises(TransitionNotAllowed, match="на анализе"):
        services.issue_recommendation(
            fresh, by=moderator, organisation=body, text="x", due_at=timezone.now() + datetime.timedelta(days=1)
        )
    services.start_analysis(fresh, by=moderator)
    with pytest.raises(DomainError, match="в будущем"):
        services.issue_recommendation(
            fresh, by=moderator, organisation=body, text="x", due_at=timezone.now() - datetime.timedelta(days=1)
        )


def test_the_body_accepts_then_reports_done_with_a_link(rec, executor, moderator, event):
    services.assign_event(event, responsible=moderator, by=moderator)
    services.accept_recommendation(rec, by=executor)
    services.complete_recommendation(rec, by=executor, response="График опубликован", result_url="https://vk.com/x")

    rec.refresh_from_db()
    assert rec.status == R.DONE and rec.answered_by == executor and rec.accepted_at and rec.done_at
    assert moderator.notifications.filter(title__startswith="Рекомендация выполнена").exists()
    steps = EventHistory.objects.filter(recommendation=rec, kind="recommendation_status").values_list(
        "changes", flat=True
    )
    assert [c["status"] for c in steps] == [["issued", "accepted"], ["accepted", "done"]]


def test_another_body_cannot_answer_a_recommendation(rec, make_user):
    stranger = make_user("executor", username="stranger", organisation=OrganisationFactory())

    with pytest.raises(NotPermitted, match="другой организации"):
        services.accept_recommendation(rec, by=stranger)
    assert not selectors.recommendations_visible_to(stranger).filter(pk=rec.pk).exists()


def test_declining_needs_a_reason_and_a_declined_recommendation_is_final(rec, executor):
    with pytest.raises(DomainError, match="причину"):
        services.decline_recommendation(rec, by=executor, reason="")
    services.decline_recommendation(rec, by=executor, reason="Не наша компетенция")

    with pytest.raises(TransitionNotAllowed, match="Отклонена"):
        services.complete_recommendation(rec, by=executor, response="Всё же сделали")


def test_only_the_center_withdraws_a_recommendation(rec, executor, moderator):
    with pytest.raises(NotPermitted):
        services.cancel_recommendation(rec, by=executor, reason="Не хотим")

    services.cancel_recommendation(rec, by=moderator, reason="Повод исчерпан")
    rec.refresh_from_db()
    assert rec.status == R.CANCELLED


def test_an_overdue_recommendation_escalates_exactly_once(rec, executor, moderator, event):
    services.assign_event(event, responsible=moderator, by=moderator)
    later = rec.due_at + datetime.timedelta(minutes=5)

    assert services.escalate_overdue_recommendations(now=later) == 1
    assert services.escalate_overdue_recommendations(now=later) == 0
    assert services.escalate_overdue_recommendations(now=later + datetime.timedelta(days=3)) == 0

    rec.refresh_from_db()
    assert rec.escalated_at == later
    assert EventHistory.objects.filter(recommendation=rec, kind="recommendation_escalated").count() == 1
    assert Notification.objects.filter(user=executor, title__startswith="Просрочена рекомендация").count() == 1
    assert Notification.objects.filter(user=moderator, title__startswith="Просрочена рекомендация").count() == 1


def test_a_recommendation_answered_in_time_does_not_escalate(rec, executor):
    services.complete_recommendation(rec, by=executor, response="Сделано")

    assert services.escalate_overdue_recommendations(now=rec.due_at + datetime.timedelta(days=1)) == 0


def test_an_executor_sees_only_the_recommendations_to_their_organisation(rec, executor, event, moderator):
    other = services.issue_recommendation(
        event,
        by=moderator,
        organisation=OrganisationFactory(),
        text="Другим",
        due_at=timezone.now() + datetime.timedelta(days=1),
    )

    visible = set(selectors.recommendations_visible_to(executor).values_list("pk", flat=True))

    assert visible == {rec.pk}
    assert other.pk not in visible
    assert not selectors.events_visible_to(executor).exists()
