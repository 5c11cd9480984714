"""Recommendations to bodies and organisations: issued by the center, accepted and done (or
declined) by the body, withdrawn by the center; overdue ones escalate once, by a beat sweep."""

import datetime

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from cur import audit
from cur.models import User
from cur.roles import Role
from cur.services import notify

from ..errors import InformingError, TransitionNotAllowed
from ..models import EventHistory, InformationEvent, Recommendation
from . import events as event_services
from .common import event_url, history, lock_event, need_text, require_body_or_manager, require_manager

R = Recommendation.Status
S = InformationEvent.Status
K = EventHistory.Kind
# Events in which recommendations may be issued.
ISSUE_STATUSES = (S.ANALYSIS, S.RECOMMENDED, S.ACTIVITIES)


def recommendation_url(rec: Recommendation) -> str:
    return reverse("informing:recommendation-detail", args=[rec.pk])


def organisation_staff(organisation_id: int) -> list[User]:
    return list(User.objects.filter(organisation_id=organisation_id, role=Role.EXECUTOR, is_active=True))


def _lock(rec: Recommendation) -> Recommendation:
    return Recommendation.objects.select_for_update().select_related("event", "organisation").get(pk=rec.pk)


def _require(rec: Recommendation, allowed, action: str) -> None:
    if rec.status not in allowed:
        raise TransitionNotAllowed(
            f"Нельзя {action}: рекомендация в статусе «{rec.get_status_display()}».", code="transition_not_allowed"
        )


def _step(rec: Recommendation, by, *, comment: str = "", **fields) -> Recommendation:
    before = rec.status
    changes = audit.apply_changes(rec, fields)
    rec.save()
    history(
        rec.event,
        K.RECOMMENDATION_STATUS,
        by,
        recommendation=rec,
        changes={"recommendation": rec.pk, "status": [before, rec.status], **changes},
        comment=comment,
    )
    return rec


@transaction.atomic
def issue_recommendation(
    event: InformationEvent,
    *,
    by,
    organisation,
    text: str,
    due_at: datetime.datetime,
    channel: str = "official_page",
    where: str = "",
) -> Recommendation:
    """Recommend a body what to publish, where and by when; the first one moves an analysed event on."""
    require_manager(by)
    event = lock_event(event)
    if event.status not in ISSUE_STATUSES:
        raise TransitionNotAllowed(
            f"Рекомендации выдаются по поводу на анализе или в работе; повод в статусе «{event.get_status_display()}».",
            code="transition_not_allowed",
        )
    if not organisation.is_active:
        raise InformingError("Организация не действует: выберите другую.", code="inactive_organisation")
    if due_at <= timezone.now():
        raise InformingError("Срок исполнения рекомендации должен быть в будущем.", code="due_in_past")
    rec = Recommendation.objects.create(
        event=event,
        organisation=organisation,
        text=need_text(text, "что опубликовать"),
        channel=channel,
        where=(where or "").strip()[:500],
        due_at=due_at,
        created_by=by if getattr(by, "pk", None) else None,
    )
    history(
        event,
        K.RECOMMENDATION,
        by,
        recommendation=rec,
        changes={"recommendation": rec.pk, "organisation": organisation.pk, "due_at": due_at.isoformat()},
    )
    if event.status == S.ANALYSIS:
        event_services.mark_recommended(event, by=by)
    notify(
        organisation_staff(organisation.pk),
        title=f"Рекомендация ЦУР: {event.title}",
        body=f"Срок: {timezone.localtime(due_at):%d.%m.%Y %H:%M}. {rec.text[:500]}",
        url=recommendation_url(rec),
    )
    return rec


@transaction.atomic
def accept_recommendation(rec: Recommendation, *, by, comment: str = "") -> Recommendation:
    """The body takes the recommendation into work."""
    rec = _lock(rec)
    require_body_or_manager(rec, by)
    _require(rec, (R.ISSUED,), "принять рекомендацию")
    return _step(
        rec,
        by,
        comment=comment,
        status=R.ACCEPTED,
        accepted_at=timezone.now(),
        answered_by=by if getattr(by, "pk", None) else None,
    )


@transaction.atomic
def complete_recommendation(rec: Recommendation, *, by, response: str, result_url: str = "") -> Recommendation:
    """The body reports the recommendation done (what was published, and where)."""
    rec = _lock(rec)
    require_body_or_manager(rec, by)
    _require(rec, Recommendation.OPEN_STATUSES, "отметить выполнение")
    now = timezone.now()
    rec = _step(
        rec,
        by,
        status=R.DONE,
        done_at=now,
        accepted_at=rec.accepted_at or now,
        response=need_text(response, "что сделано"),
        result_url=(result_url or "").strip(),
        answered_by=by if getattr(by, "pk", None) else None,
    )
    if rec.event.responsible_id:
        notify(
            [rec.event.responsible],
            title=f"Рекомендация выполнена: {rec.organisation}",
            body=rec.response[:500],
            url=event_url(rec.event),
        )
    return rec


@transaction.atomic
def decline_recommendation(rec: Recommendation, *, by, reason: str) -> Recommendation:
    """The body declines (not its competence, already published…) with a reason."""
    rec = _lock(rec)
    require_body_or_manager(rec, by)
    _require(rec, Recommendation.OPEN_STATUSES, "отклонить рекомендацию")
    reason = need_text(reason, "причину отказа")
    rec = _step(
        rec, by, comment=reason, status=R.DECLINED, response=reason, answered_by=by if getattr(by, "pk", None) else None
    )
    if rec.event.responsible_id:
        notify(
            [rec.event.responsible],
            title=f"Рекомендация отклонена: {rec.organisation}",
            body=reason,
            url=event_url(rec.event),
        )
    return rec


@transaction.atomic
def cancel_recommendation(rec: Recommendation, *, by, reason: str) -> Recommendation:
    """The center withdraws a recommendation it no longer needs."""
    require_manager(by)
    rec = _lock(rec)
    _require(rec, Recommendation.OPEN_STATUSES, "отозвать рекомендацию")
    return _step(rec, by, comment=need_text(reason, "причину отзыва"), status=R.CANCELLED)


def escalate_overdue_recommendations(now: datetime.datetime | None = None, *, limit: int = 500) -> int:
    """Beat: open recommendations past their due date escalate exactly once — the body's staff and
    the event's responsible moderator (or every moderator) are told, and the event's timeline says so.
    The conditional UPDATE (escalated_at IS NULL) is the gate: two racing sweeps escalate each once."""
    now = now or timezone.now()
    # Served by recommendation_open_due_idx.
    candidates = list(
        Recommendation.objects.filter(status__in=Recommendation.OPEN_STATUSES, escalated_at=None, due_at__lt=now)
        .order_by("due_at")
        .values_list("pk", flat=True)[:limit]
    )
    escalated = 0
    for pk in candidates:
        with transaction.atomic():
            gate = Recommendation.objects.filter(
                pk=pk, status__in=Recommendation.OPEN_STATUSES, escalated_at=None, due_at__lt=now
            )
            if gate.update(escalated_at=now) != 1:
                continue
            rec = Recommendation.objects.select_related("event", "event__responsible", "organisation").get(pk=pk)
            history(
                rec.event,
                K.RECOMMENDATION_ESCALATED,
                None,
                recommendation=rec,
                changes={"recommendation": rec.pk, "due_at": rec.due_at.isoformat()},
            )
            center = (
                [rec.event.responsible]
                if rec.event.responsible_id
                else list(User.objects.filter(role=Role.MODERATOR, is_active=True))
            )
            title = f"Просрочена рекомендация ЦУР: {rec.event.title}"
            body = f"{rec.organisation}: срок {timezone.localtime(rec.due_at):%d.%m.%Y %H:%M} истёк."
            notify(organisation_staff(rec.organisation_id), title=title, body=body, url=recommendation_url(rec))
            notify(center, title=title, body=body, url=event_url(rec.event))
            escalated += 1
    return escalated
