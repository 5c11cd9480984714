"""Writes of the directory. Each is one transaction that also writes the audit log."""

import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Model

from cur import audit

from .errors import SectorsError
from .models import Organisation, ResponsiblePerson, SectorBlock, Territory


def _save(obj: Model, fields: dict[str, Any], m2m: dict[str, Any] | None, *, by, action: str) -> dict:
    """Set fields, validate, save, set many-to-many fields; returns the changes."""
    creating = obj.pk is None
    if creating:
        # A new row has no "before"; reading an unset required foreign key (Organisation.territory)
        # would raise RelatedObjectDoesNotExist inside apply_changes.
        for name, value in fields.items():
            setattr(obj, name, value)
        changes = {name: [None, audit.jsonable(value)] for name, value in fields.items()}
    else:
        changes = audit.apply_changes(obj, fields)
    obj.full_clean()
    obj.save()
    for name, values in (m2m or {}).items():
        manager = getattr(obj, name)
        before = audit.jsonable(manager.all()) if not creating else []
        manager.set(values)
        after = audit.jsonable(values)
        if before != after:
            changes[name] = [before, after]
    if creating or changes:
        audit.record(by, action, obj, changes)
    return changes


def _check_no_cycle(obj: Model, parent: Model | None, message: str) -> None:
    ancestor = parent
    while obj.pk and ancestor is not None:
        if ancestor.pk == obj.pk:
            raise SectorsError(message)
        ancestor = ancestor.parent


@transaction.atomic
def save_sector_block(block: SectorBlock | None, *, by, **fields) -> SectorBlock:
    """Create a sector block (block=None) or change one; the codes of DESIGN §3 stay fixed."""
    block = block or SectorBlock()
    if block.pk and block.is_mandatory and fields.get("is_active") is False:
        raise SectorsError("Обязательный отраслевой блок нельзя отключить.")
    if block.pk and "code" in fields and fields["code"] != block.code:
        raise SectorsError("Код отраслевого блока менять нельзя: на него ссылаются данные и API.")
    _save(block, fields, None, by=by, action="sector_block.create" if block.pk is None else "sector_block.update")
    return block


@transaction.atomic
def save_territory(territory: Territory | None, *, by, **fields) -> Territory:
    """Create or change a territory."""
    territory = territory or Territory()
    _check_no_cycle(territory, fields.get("parent"), "Территория не может входить сама в себя.")
    _save(territory, fields, None, by=by, action="territory.create" if territory.pk is None else "territory.update")
    return territory


@transaction.atomic
def save_organisation(organisation: Organisation | None, *, by, sector_blocks=None, **fields) -> Organisation:
    """Create or change an organisation; `sector_blocks` replaces its blocks when given."""
    organisation = organisation or Organisation()
    _check_no_cycle(organisation, fields.get("parent"), "Организация не может подчиняться сама себе.")
    m2m = {"sector_blocks": list(sector_blocks)} if sector_blocks is not None else None
    action = "organisation.create" if organisation.pk is None else "organisation.update"
    _save(organisation, fields, m2m, by=by, action=action)
    return organisation


def _current_holder(role: str, *, sector_block=None, territory=None):
    qs = ResponsiblePerson.objects.select_for_update().filter(role=role, until__isnull=True)
    if role in ResponsiblePerson.BLOCK_ROLES:
        qs = qs.filter(sector_block=sector_block)
    elif role in ResponsiblePerson.MCU_ROLES:
        qs = qs.filter(territory=territory)
    elif role not in (ResponsiblePerson.Role.CURATOR, ResponsiblePerson.Role.EXECUTIVE):
        return None
    return qs.first()


@transaction.atomic
def appoint_responsible(*, by, role: str, since: datetime.date, **fields) -> ResponsiblePerson:
    """Appoint an official to a ЦУР role. The current holder of the same post, if any, is
    relieved the day before `since`; the partial unique constraints keep one current holder
    even if two appointments race (the loser gets a SectorsError)."""
    current = _current_holder(role, sector_block=fields.get("sector_block"), territory=fields.get("territory"))
    if current is not None:
        if since <= current.since:
            raise SectorsError(
                f"Дата назначения должна быть позже назначения текущего лица ({current.since:%d.%m.%Y})."
            )
        end_appointment(current, until=since - datetime.timedelta(days=1), by=by)
    person = ResponsiblePerson(role=role, since=since)
    try:
        with transaction.atomic():
            _save(person, fields, None, by=by, action="responsible.appoint")
    except IntegrityError as exc:
        raise SectorsError("На эту должность уже назначено действующее лицо.") from exc
    return person


@transaction.atomic
def update_responsible(person: ResponsiblePerson, *, by, **fields) -> ResponsiblePerson:
    """Correct an appointment's details (contacts, act, position); the post itself is not changed here."""
    for frozen in ("role", "sector_block", "territory"):
        if frozen in fields and fields[frozen] != getattr(person, frozen):
            raise SectorsError("Чтобы сменить должность, назначьте лицо заново: история назначений сохранится.")
    _save(person, fields, None, by=by, action="responsible.update")
    return person


@transaction.atomic
def end_appointment(person: ResponsiblePerson, *, until: datetime.date, by) -> ResponsiblePerson:
    """Relieve an official of the post as of `until` (inclusive)."""
    person = ResponsiblePerson.objects.select_for_update().get(pk=person.pk)
    if person.until is not None:
        raise SectorsError("Полномочия этого лица уже прекращены.")
    if until < person.since:
        raise SectorsError("Дата прекращения полномочий раньше даты назначения.")
    _save(person, {"until": until}, None, by=by, action="responsible.end")
    return person
