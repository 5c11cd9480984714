"""Writes of information activities, the materials library, disinformation cases and official pages.
Each is one transaction with an audit row; an activity of an event also writes the event's timeline
(and the first one moves the event to «проводятся мероприятия»)."""

import datetime
from collections.abc import Iterable

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from cur import audit

from ..errors import InformingError, TransitionNotAllowed
from ..models import (
    AudienceGroup,
    DisinformationCase,
    DisinformationSpread,
    DisinformationWarning,
    EventHistory,
    InformationActivity,
    InformationEvent,
    Material,
    MaterialVersion,
    OfficialPage,
)
from . import events as event_services
from .common import actor, history, lock_event, need_text, require_manager

S = InformationEvent.Status
D = DisinformationCase.Status
K = EventHistory.Kind

# Events that may get new activities, and those that the first activity moves on.
ACTIVITY_STATUSES = (S.ANALYSIS, S.RECOMMENDED, S.ACTIVITIES, S.WORKED_OFF)
MOVED_BY_ACTIVITY = (S.ANALYSIS, S.RECOMMENDED)


def _groups(codes: Iterable[str]) -> list[str]:
    codes = list(dict.fromkeys(codes or ()))
    unknown = [c for c in codes if c not in AudienceGroup.values]
    if unknown:
        raise InformingError(f"Неизвестные группы аудитории: {', '.join(unknown)}.", code="bad_audience")
    return codes


def _set_m2m(obj, name: str, values, changes: dict) -> None:
    if values is None:
        return
    manager = getattr(obj, name)
    before = sorted(manager.values_list("pk", flat=True))
    manager.set(values)
    after = sorted(v.pk for v in values)
    if before != after:
        changes[name] = [before, after]


# --- activities ------------------------------------------------------------------------------


ACTIVITY_FIELDS = {
    "title",
    "channel",
    "format",
    "network",
    "official_page",
    "organisation",
    "audience_groups",
    "audience_note",
    "material",
    "material_version",
    "planned_at",
    "published_at",
    "url",
    "reach",
    "reactions",
    "comments",
    "shares",
    "feedback",
    "recommendation",
}


def _check_activity(fields: dict, event: InformationEvent | None) -> None:
    if "title" in fields:
        fields["title"] = need_text(fields["title"], "название мероприятия", limit=255)
    if "audience_groups" in fields:
        fields["audience_groups"] = _groups(fields["audience_groups"])
    version, material = fields.get("material_version"), fields.get("material")
    if version is not None:
        if material is not None and version.material_id != material.pk:
            raise InformingError("Версия относится к другому материалу.", code="version_mismatch")
        fields["material"] = version.material
    rec = fields.get("recommendation")
    if rec is not None and (event is None or rec.event_id != event.pk):
        raise InformingError("Рекомендация относится к другому поводу.", code="recommendation_mismatch")
    published = fields.get("published_at")
    if published is not None and published > timezone.now() + datetime.timedelta(minutes=10):
        raise InformingError(
            "Дата публикации не может быть в будущем: укажите её как запланированную.", code="future_publication"
        )


@transaction.atomic
def save_activity(
    activity: InformationActivity | None,
    *,
    by,
    event: InformationEvent | None = None,
    territories: Iterable | None = None,
    **fields,
) -> InformationActivity:
    """Plan or record an information activity (and later its results: reach, feedback)."""
    require_manager(by)
    unknown = set(fields) - ACTIVITY_FIELDS
    if unknown:
        raise InformingError(f"Неизвестные поля: {', '.join(sorted(unknown))}.", code="bad_fields")
    if activity is not None:
        activity = InformationActivity.objects.select_for_update().get(pk=activity.pk)
        event = activity.event
    if event is not None:
        event = lock_event(event)
        if activity is None and event.status not in ACTIVITY_STATUSES:
            raise TransitionNotAllowed(
                f"Мероприятие по поводу в статусе «{event.get_status_display()}» не проводится: "
                f"{'сначала возьмите повод на анализ' if event.status == S.DETECTED else 'повод закрыт'}.",
                code="transition_not_allowed",
            )
    _check_activity(fields, event)
    created = activity is None
    if created:
        activity = InformationActivity(event=event, created_by=actor(by))
        changes = audit.apply_changes(activity, fields)
        activity.save()
    else:
        changes = audit.apply_changes(activity, fields)
        activity.save()
    _set_m2m(activity, "territories", list(territories) if territories is not None else None, changes)
    audit.record(by, "information_activity.create" if created else "information_activity.update", activity, changes)
    if event is not None:
        history(event, K.ACTIVITY, by, changes={"activity": activity.pk, "created": created, **changes})
        if created and event.status in MOVED_BY_ACTIVITY:
            event_services._move(event, S.ACTIVITIES, by, comment=f"Мероприятие «{activity.title}»")
    return activity


# --- materials ---------------------------------------------------------------------------------


@transaction.atomic
def save_material(material: Material | None, *, by, **fields) -> Material:
    """Add a material to the library or correct it."""
    require_manager(by)
    if "title" in fields:
        fields["title"] = need_text(fields["title"], "название материала", limit=255)
    created = material is None
    material = Material(created_by=actor(by)) if created else Material.objects.select_for_update().get(pk=material.pk)
    changes = audit.apply_changes(material, fields)
    if not (material.body.strip() or material.url or material.file):
        raise InformingError("У материала должен быть текст, ссылка или файл.", code="empty_material")
    material.save()
    audit.record(by, "material.create" if created else "material.update", material, changes)
    return material


@transaction.atomic
def add_material_version(
    material: Material,
    *,
    by,
    title: str,
    channel: str,
    territories: Iterable = (),
    audience_groups: Iterable[str] = (),
    **fields,
) -> MaterialVersion:
    """A version of the material adapted to an audience and a channel."""
    require_manager(by)
    material = Material.objects.select_for_update().get(pk=material.pk)
    if material.is_archived:
        raise InformingError("Материал в архиве: верните его из архива, чтобы добавить версию.", code="archived")
    version = MaterialVersion(
        material=material,
        title=need_text(title, "название версии", limit=255),
        channel=channel,
        audience_groups=_groups(audience_groups),
        created_by=actor(by),
        **fields,
    )
    version.save()
    version.territories.set(territories)
    audit.record(by, "material.version", material, {"version": version.pk, "channel": channel})
    return version


# --- disinformation --------------------------------------------------------------------------


def _lock_case(case: DisinformationCase) -> DisinformationCase:
    return DisinformationCase.objects.select_for_update().get(pk=case.pk)


def _case_step(case: DisinformationCase, by, action: str, **fields) -> DisinformationCase:
    changes = audit.apply_changes(case, fields)
    case.save()
    audit.record(by, f"disinformation.{action}", case, changes)
    if case.event_id:
        history(case.event, K.UPDATED, by, changes={"disinformation": case.pk, "action": action, **changes})
    return case


@transaction.atomic
def create_case(
    *, by, title: str, claim: str, detected_at: datetime.datetime | None = None, event=None, sector_block=None
) -> DisinformationCase:
    """Register a claim to check."""
    require_manager(by)
    case = DisinformationCase.objects.create(
        title=need_text(title, "краткое название", limit=255),
        claim=need_text(claim, "утверждение"),
        event=event,
        sector_block=sector_block,
        detected_at=detected_at or timezone.now(),
        created_by=actor(by),
    )
    audit.record(by, "disinformation.create", case)
    return case


@transaction.atomic
def mark_false(case: DisinformationCase, *, by, evidence: str, links: Iterable[str] = ()) -> DisinformationCase:
    """The claim is false: the evidence is recorded."""
    require_manager(by)
    case = _lock_case(case)
    if case.status != D.CHECKING:
        raise TransitionNotAllowed(
            f"Утверждение уже в статусе «{case.get_status_display()}».", code="transition_not_allowed"
        )
    return _case_step(
        case,
        by,
        "false",
        status=D.FALSE,
        evidence=need_text(evidence, "доказательства"),
        evidence_links=list(links),
        marked_false_at=timezone.now(),
        marked_false_by=actor(by),
    )


@transaction.atomic
def dismiss_case(case: DisinformationCase, *, by, comment: str) -> DisinformationCase:
    """The check found the claim true: not disinformation."""
    require_manager(by)
    case = _lock_case(case)
    if case.status != D.CHECKING:
        raise TransitionNotAllowed(
            f"Утверждение уже в статусе «{case.get_status_display()}».", code="transition_not_allowed"
        )
    return _case_step(case, by, "dismiss", status=D.DISMISSED, evidence=need_text(comment, "результат проверки"))


@transaction.atomic
def refute_case(case: DisinformationCase, *, by, material=None, url: str = "") -> DisinformationCase:
    """The refutation is published (a material of the library and/or its link)."""
    require_manager(by)
    case = _lock_case(case)
    if case.status not in (D.FALSE, D.REFUTED):
        raise TransitionNotAllowed(
            "Опровергнуть можно только утверждение, признанное недостоверным.", code="transition_not_allowed"
        )
    if material is None and not url:
        raise InformingError("Укажите материал опровержения или ссылку на него.", code="refutation_required")
    return _case_step(
        case,
        by,
        "refute",
        status=D.REFUTED,
        refutation_material=material,
        refutation_url=url,
        refuted_at=case.refuted_at or timezone.now(),
    )


@transaction.atomic
def add_spread(
    case: DisinformationCase, *, by, network: str, url: str, found_at=None, territory=None, reach: int = 0
) -> DisinformationSpread:
    """Where the claim spread; the case's total reach and territories follow."""
    require_manager(by)
    case = _lock_case(case)
    if case.spread.filter(url=url).exists():
        raise InformingError("Это место распространения уже отмечено.", code="duplicate_spread")
    spot = DisinformationSpread.objects.create(
        case=case, network=network, url=url, territory=territory, found_at=found_at or timezone.now(), reach=reach or 0
    )
    total = case.spread.aggregate(total=Sum("reach"))["total"] or 0
    _case_step(case, by, "spread", total_reach=total)
    return spot


@transaction.atomic
def issue_warning(
    case: DisinformationCase, *, by, text: str, organisation=None, addressee: str = "", channel: str = "mailing"
) -> DisinformationWarning:
    """A warning about the false claim to a body, an outlet or the public."""
    require_manager(by)
    case = _lock_case(case)
    if case.status not in (D.FALSE, D.REFUTED):
        raise TransitionNotAllowed(
            "Предупреждения выдаются по утверждению, признанному недостоверным.", code="transition_not_allowed"
        )
    if organisation is None and not (addressee or "").strip():
        raise InformingError("Укажите, кому выдано предупреждение.", code="addressee_required")
    warning = DisinformationWarning.objects.create(
        case=case,
        organisation=organisation,
        addressee=addressee.strip(),
        channel=channel,
        text=need_text(text, "текст предупреждения"),
        issued_by=actor(by),
    )
    audit.record(by, "disinformation.warning", case, {"warning": warning.pk})
    return warning


# --- official pages ------------------------------------------------------------------------------


@transaction.atomic
def save_official_page(page: OfficialPage | None, *, by, **fields) -> OfficialPage:
    """Add or correct an official page of a body; confirming it stamps verified_at."""
    require_manager(by)
    created = page is None
    if created:
        fields["verified_at"] = timezone.now() if fields.get("verified") else None
        page = OfficialPage(**fields)  # a new row: every field is a change (the FK cannot be read before it is set)
        changes = {name: [None, audit.jsonable(value)] for name, value in fields.items()}
    else:
        page = OfficialPage.objects.select_for_update().get(pk=page.pk)
        if fields.get("verified") and not page.verified:
            fields["verified_at"] = timezone.now()
        elif "verified" in fields and not fields["verified"]:
            fields["verified_at"] = None
        changes = audit.apply_changes(page, fields)
    if OfficialPage.objects.filter(url=page.url).exclude(pk=page.pk).exists():
        raise InformingError("Страница с таким адресом уже есть в реестре.", code="duplicate_page")
    page.save()
    audit.record(by, "official_page.create" if created else "official_page.update", page, changes)
    return page
