"""Edits made in the Django admin land in our audit log too.

Pages and the API write through services, which call `cur.audit.record`; the admin writes
through ModelAdmin, which logs a `LogEntry`. Each new LogEntry is copied into `AuditEvent`
(same transaction, same request IP), so one log answers «who changed what» for every path."""

from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry

from .audit import request_ip
from .models import AuditEvent

ACTIONS = {ADDITION: "admin.add", CHANGE: "admin.change", DELETION: "admin.delete"}


def copy_log_entry(sender, instance: LogEntry, created: bool, **kwargs) -> None:
    if not created or kwargs.get("raw"):
        return
    content_type = instance.content_type
    AuditEvent.objects.create(
        actor_id=instance.user_id,
        action=ACTIONS.get(instance.action_flag, "admin.other"),
        object_type=f"{content_type.app_label}.{content_type.model}" if content_type else "",
        object_id=str(instance.object_id or "")[:64],
        object_repr=instance.object_repr[:255],
        changes={"admin": instance.get_change_message()} if instance.change_message else {},
        ip_address=request_ip.get(),
    )
