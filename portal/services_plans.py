"""Writes of indicators, roadmaps, best practices and trainings: one transaction each, an audit row."""

import datetime
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from cur import audit
from cur.errors import NotPermitted
from cur.roles import BLOCK_ROLES, Role, can
from cur.services import notify
from heatmap.models import ProblemPoint
from ratings import periods

from .errors import PortalError
from .models import BestPractice, Indicator, IndicatorValue, Roadmap, RoadmapMeasure, Training
from .selectors import may_write_roadmap
from .services import curators, period_of, require

IS, R, M = Indicator.Status, Roadmap.Status, RoadmapMeasure.Status


def _own_block(by, block) -> None:
    if by.role in BLOCK_ROLES and (block is None or not by.sector_blocks.filter(pk=block.pk).exists()):
        raise NotPermitted("Это не ваш отраслевой блок.", code="forbidden")


# --- indicators ---------------------------------------------------------------------------------------


def _new_indicator(by, status: str, kind: str, fields: dict) -> Indicator:
    try:
        with transaction.atomic():
            indicator = Indicator.objects.create(status=status, kind=kind, **fields)
    except IntegrityError:
        raise PortalError("Показатель с таким кодом уже есть.", code="duplicate") from None
    return indicator


@transaction.atomic
def create_indicator(*, by, kind: str, **fields) -> Indicator:
    """A basic or additional indicator set by the ЦУР (approved at once)."""
    require(by, "portal.indicators.manage")
    indicator = _new_indicator(by, IS.APPROVED, kind, {**fields, "decided_by": by, "decided_at": timezone.now()})
    audit.record(by, "indicator.create", indicator, {"kind": kind})
    return indicator


@transaction.atomic
def propose_indicator(*, by, **fields) -> Indicator:
    """An additional indicator proposed by the executive or a block responsible; the curator decides."""
    require(by, "portal.indicators.propose")
    _own_block(by, fields.get("sector_block"))
    indicator = _new_indicator(by, IS.PROPOSED, Indicator.Kind.ADDITIONAL, {**fields, "proposed_by": by})
    audit.record(by, "indicator.propose", indicator)
    notify(
        curators(), title=f"Предложен дополнительный показатель: {indicator.name}", url=reverse("portal:indicator-list")
    )
    return indicator


@transaction.atomic
def decide_indicator(indicator: Indicator, *, by, approve: bool, comment: str = "") -> Indicator:
    """The curator approves or rejects a proposed indicator."""
    require(by, "portal.approve")
    indicator = Indicator.objects.select_for_update().get(pk=indicator.pk)
    if indicator.status != IS.PROPOSED:
        raise PortalError(f"Решение уже принято: показатель «{indicator.get_status_display()}».", code="bad_transition")
    to = IS.APPROVED if approve else IS.REJECTED
    changes = audit.apply_changes(
        indicator,
        {
            "status": to,
            "decided_by": by,
            "decided_at": timezone.now(),
            "decision_comment": (comment or "").strip()[:5000],
        },
    )
    indicator.save()
    audit.record(by, f"indicator.{to}", indicator, changes)
    if indicator.proposed_by_id:
        notify(
            [indicator.proposed_by],
            title=f"Показатель «{indicator.name}»: {indicator.get_status_display().lower()}",
            body=indicator.decision_comment,
            url=reverse("portal:indicator-list"),
        )
    return indicator


def _may_set_values(by, indicator: Indicator) -> bool:
    if can(by, "portal.indicators.manage"):
        return True
    return (
        by.role == Role.BLOCK_RESPONSIBLE
        and indicator.sector_block_id is not None
        and (by.sector_blocks.filter(pk=indicator.sector_block_id).exists())
    )


@transaction.atomic
def set_indicator_value(
    indicator: Indicator,
    *,
    by,
    period_kind: str,
    period_start: datetime.date,
    target: Decimal | None = None,
    actual: Decimal | None = None,
) -> IndicatorValue:
    """Set the target (and, for a manual indicator, the actual) of one period; None leaves a value as it is."""
    if not _may_set_values(by, indicator):
        raise NotPermitted("Недостаточно прав для этого действия.", code="forbidden")
    if indicator.status != IS.APPROVED:
        raise PortalError("Значения задаются только утверждённым показателям.", code="not_approved")
    if actual is not None and indicator.is_computed:
        raise PortalError("Фактическое значение этого показателя считается из данных.", code="computed")
    period = period_of(period_kind, period_start)
    value, created = IndicatorValue.objects.select_for_update().get_or_create(
        indicator=indicator,
        period_kind=period.kind,
        period_start=period.start,
        defaults={"period_end": period.end, "updated_by": by},
    )
    fields = {"updated_by": by}
    if target is not None:
        fields["target"] = target
    if actual is not None:
        fields["actual"] = actual
    changes = audit.apply_changes(value, fields)
    if created or set(changes) - {"updated_by"}:  # setting the same values again records nothing
        value.save()
        audit.record(by, "indicator.value", indicator, {"period": period.start.isoformat(), **changes})
    return value


# --- roadmaps -----------------------------------------------------------------------------------------


def _roadmap_url(roadmap: Roadmap) -> str:
    return reverse("portal:roadmap-detail", args=[roadmap.pk])


@transaction.atomic
def create_roadmap(
    *, by, title: str, starts_on: datetime.date, description: str = "", problem_point=None, topic=None, territory=None
) -> Roadmap:
    """A roadmap for a confirmed problem point, or for a topic × territory."""
    require(by, "portal.roadmaps.write")
    if problem_point is not None:
        point = ProblemPoint.objects.select_related("topic", "territory").get(pk=problem_point.pk)
        if point.status not in (ProblemPoint.Status.CONFIRMED, ProblemPoint.Status.ROADMAP):
            raise PortalError("Дорожная карта составляется по подтверждённой проблемной точке.", code="not_confirmed")
        topic, territory = point.topic, point.territory
    if topic is None or territory is None:
        raise PortalError("Укажите проблемную точку или тему и территорию.", code="no_problem")
    if topic.sector_block_id is None:
        raise PortalError("У темы нет отраслевого блока.", code="no_block")
    _own_block(by, topic.sector_block)
    title = (title or "").strip()[:500]
    if not title:
        raise PortalError("Укажите название дорожной карты.", code="no_title")
    roadmap = Roadmap.objects.create(
        title=title,
        problem_point=problem_point,
        topic=topic,
        territory=territory,
        sector_block_id=topic.sector_block_id,
        description=description.strip(),
        starts_on=starts_on,
        created_by=by,
    )
    audit.record(by, "roadmap.create", roadmap)
    return roadmap


def _locked_roadmap(roadmap: Roadmap, by, statuses, action: str) -> Roadmap:
    roadmap = Roadmap.objects.select_for_update().get(pk=roadmap.pk)
    if roadmap.status not in statuses:
        raise PortalError(
            f"Нельзя {action}: дорожная карта в статусе «{roadmap.get_status_display()}».", code="bad_transition"
        )
    return roadmap


@transaction.atomic
def add_measure(roadmap: Roadmap, *, by, title: str, responsible, due_date: datetime.date) -> RoadmapMeasure:
    """A measure of a draft, returned or running roadmap."""
    if not may_write_roadmap(by, roadmap):
        raise NotPermitted("Недостаточно прав для этого действия.", code="forbidden")
    roadmap = _locked_roadmap(roadmap, by, (*Roadmap.EDITABLE, R.APPROVED), "добавить мероприятие")
    title = (title or "").strip()[:500]
    if not title:
        raise PortalError("Укажите мероприятие.", code="no_title")
    if responsible.until is not None:
        raise PortalError("Ответственный больше не занимает должность.", code="not_current")
    measure = RoadmapMeasure.objects.create(roadmap=roadmap, title=title, responsible=responsible, due_date=due_date)
    audit.record(by, "roadmap.measure_add", roadmap, {"measure": measure.pk, "due_date": due_date.isoformat()})
    return measure


@transaction.atomic
def update_measure(measure: RoadmapMeasure, *, by, status: str, progress: int, result: str = "") -> RoadmapMeasure:
    """Progress of a measure of an approved roadmap; «выполнено» means 100 %."""
    if not may_write_roadmap(by, measure.roadmap):
        raise NotPermitted("Недостаточно прав для этого действия.", code="forbidden")
    _locked_roadmap(measure.roadmap, by, (R.APPROVED,), "отметить ход исполнения")
    measure = RoadmapMeasure.objects.select_for_update().get(pk=measure.pk)
    if status not in M.values or not 0 <= int(progress) <= 100:
        raise PortalError("Неверный статус или процент выполнения.", code="bad_input")
    progress = 100 if status == M.DONE else int(progress)
    fields = {
        "status": status,
        "progress": progress,
        "result": (result or "").strip()[:5000],
        "completed_at": timezone.now() if status == M.DONE else None,
    }
    changes = audit.apply_changes(measure, fields)
    measure.save()
    audit.record(by, "roadmap.measure_update", measure.roadmap, {"measure": measure.pk, **changes})
    return measure


@transaction.atomic
def submit_roadmap(roadmap: Roadmap, *, by) -> Roadmap:
    if not may_write_roadmap(by, roadmap):
        raise NotPermitted("Недостаточно прав для этого действия.", code="forbidden")
    roadmap = _locked_roadmap(roadmap, by, Roadmap.EDITABLE, "направить на утверждение")
    if not roadmap.measures.exists():
        raise PortalError("Добавьте хотя бы одно мероприятие.", code="no_measures")
    before, roadmap.status = roadmap.status, R.SUBMITTED
    roadmap.save(update_fields=["status"])
    audit.record(by, "roadmap.submit", roadmap, {"status": [before, R.SUBMITTED]})
    notify(curators(), title=f"Дорожная карта на утверждение: {roadmap}", url=_roadmap_url(roadmap))
    return roadmap


@transaction.atomic
def decide_roadmap(roadmap: Roadmap, *, by, approve: bool, comment: str = "") -> Roadmap:
    """The curator approves a submitted roadmap (its problem point goes «в дорожную карту») or returns it."""
    require(by, "portal.approve")
    roadmap = _locked_roadmap(roadmap, by, (R.SUBMITTED,), "принять решение")
    comment = (comment or "").strip()[:5000]
    if not approve and not comment:
        raise PortalError("Укажите, что нужно доработать.", code="comment_required")
    to = R.APPROVED if approve else R.RETURNED
    fields = {"status": to, "review_comment": comment}
    if approve:
        fields |= {"approved_at": timezone.now(), "approved_by": by}
    changes = audit.apply_changes(roadmap, fields)
    roadmap.save()
    audit.record(by, f"roadmap.{to}", roadmap, changes)
    if approve and roadmap.problem_point_id:
        from heatmap.services import add_to_roadmap

        point = ProblemPoint.objects.get(pk=roadmap.problem_point_id)
        if point.status == ProblemPoint.Status.CONFIRMED:
            add_to_roadmap(point, by=by, roadmap_note=f"Дорожная карта № {roadmap.pk}: {roadmap.title}")
    if roadmap.created_by_id:
        notify(
            [roadmap.created_by],
            title=f"Дорожная карта «{roadmap}»: {roadmap.get_status_display().lower()}",
            body=comment,
            url=_roadmap_url(roadmap),
        )
    return roadmap


@transaction.atomic
def complete_roadmap(roadmap: Roadmap, *, by) -> Roadmap:
    """Close an approved roadmap whose measures are all done or cancelled."""
    if not may_write_roadmap(by, roadmap):
        raise NotPermitted("Недостаточно прав для этого действия.", code="forbidden")
    roadmap = _locked_roadmap(roadmap, by, (R.APPROVED,), "завершить")
    if roadmap.measures.filter(status__in=RoadmapMeasure.OPEN).exists():
        raise PortalError("Не все мероприятия выполнены или отменены.", code="open_measures")
    roadmap.status = R.COMPLETED
    roadmap.save(update_fields=["status"])
    audit.record(by, "roadmap.completed", roadmap, {"status": [R.APPROVED, R.COMPLETED]})
    return roadmap


def sweep_overdue_measures(today: datetime.date | None = None) -> int:
    """Mark and notify open measures of running roadmaps past their date — each exactly once: a conditional
    UPDATE claims the row, so two sweeps racing notify once. Returns how many were notified."""
    today = today or periods.today()
    candidates = RoadmapMeasure.objects.filter(
        overdue_notified_at=None, status__in=RoadmapMeasure.OPEN, due_date__lt=today, roadmap__status=R.APPROVED
    ).values_list("pk", flat=True)
    notified = 0
    for pk in list(candidates[:1000]):
        with transaction.atomic():
            if not RoadmapMeasure.objects.filter(pk=pk, overdue_notified_at=None).update(
                overdue_notified_at=timezone.now()
            ):
                continue
            measure = RoadmapMeasure.objects.select_related("roadmap", "responsible__user").get(pk=pk)
            users = {u.pk: u for u in (measure.responsible.user, measure.roadmap.created_by) if u is not None}
            notify(
                users.values(),
                title=f"Просрочено мероприятие дорожной карты: {measure.title}",
                body=f"Срок — {measure.due_date:%d.%m.%Y}. Дорожная карта: {measure.roadmap}.",
                url=_roadmap_url(measure.roadmap),
            )
            audit.record(None, "roadmap.measure_overdue", measure.roadmap, {"measure": pk})
            notified += 1
    return notified


# --- best practices and trainings ---------------------------------------------------------------------


@transaction.atomic
def create_best_practice(*, by, **fields) -> BestPractice:
    require(by, "portal.registry.write")
    practice = BestPractice.objects.create(created_by=by, **fields)
    audit.record(by, "best_practice.create", practice)
    return practice


@transaction.atomic
def set_best_practice_status(practice: BestPractice, *, by, status: str) -> BestPractice:
    """Confirming, replicating or archiving a practice is the curator's (or the executive's) decision."""
    if by.role not in (Role.CURATOR, Role.EXECUTIVE, Role.ADMIN):
        raise NotPermitted("Статус практики меняет куратор или ответственный исполнитель.", code="forbidden")
    if status not in BestPractice.Status.values:
        raise PortalError("Неизвестный статус.", code="bad_input")
    practice = BestPractice.objects.select_for_update().get(pk=practice.pk)
    changes = audit.apply_changes(practice, {"status": status})
    practice.save()
    audit.record(by, "best_practice.status", practice, changes)
    return practice


@transaction.atomic
def create_training(*, by, organisations=(), participants=(), **fields) -> Training:
    require(by, "portal.registry.write")
    if fields["ends_on"] < fields["starts_on"]:
        raise PortalError("Дата окончания раньше даты начала.", code="bad_dates")
    training = Training.objects.create(created_by=by, **fields)
    training.organisations.set(organisations)
    training.participants.set(participants)
    audit.record(
        by,
        "training.create",
        training,
        {"organisations": audit.jsonable(list(organisations)), "participants": audit.jsonable(list(participants))},
    )
    notify(
        [u for u in participants if u.pk != by.pk],
        title=f"Вы включены в участники: {training}",
        body=f"{training.get_kind_display()}, {training.starts_on:%d.%m.%Y}.",
        url=reverse("portal:training-list"),
    )
    return training
