"""The audit log: services call `record` once per write, inside their transaction."""

import datetime
import decimal
from contextvars import ContextVar
from typing import Any

from django.core.files import File
from django.db import models

from .models import AuditEvent

request_ip: ContextVar[str | None] = ContextVar("request_ip", default=None)


def record(actor, action: str, obj: models.Model, changes: dict | None = None) -> AuditEvent:
    """Write one audit row for `action` done by `actor` on `obj`."""
    return AuditEvent.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk or ""),
        object_repr=str(obj)[:255],
        changes=changes or {},
        ip_address=request_ip.get(),
    )


def jsonable(value: Any) -> Any:
    """A value as the audit log stores it: model instances by pk, dates as ISO strings, files by name."""
    if isinstance(value, File):  # an upload or a FileField's file
        return value.name or ""
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, datetime.date | datetime.datetime):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, list | tuple | set | frozenset) or hasattr(value, "all"):
        items = value.all() if hasattr(value, "all") else value
        return sorted(jsonable(v) for v in items)
    return value


def apply_changes(obj: models.Model, fields: dict[str, Any]) -> dict[str, list]:
    """Set plain fields on `obj` and return {field: [before, after]} for those that changed."""
    changes = {}
    for name, value in fields.items():
        before = getattr(obj, name)
        if before != value:
            changes[name] = [jsonable(before), jsonable(value)]
            setattr(obj, name, value)
    return changes
