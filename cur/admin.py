from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from .models import AuditEvent, User, WorkerHeartbeat
from .roles import can
from .web.admin import DateRangeMixin, ReadOnlyAdmin


def _admin_role_only(request) -> bool:
    return can(request.user, "admin.site") and request.user.is_staff


admin.site.has_permission = _admin_role_only


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ("username", "last_name", "first_name", "role", "organisation", "territory", "is_active")
    list_filter = ("role", "is_active", "sector_blocks")
    search_fields = ("username", "last_name", "first_name", "email")
    autocomplete_fields = ("organisation", "territory")
    filter_horizontal = ("sector_blocks", "groups", "user_permissions")
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        ("ЦУР", {"fields": ("patronymic", "position", "phone", "role", "sector_blocks", "organisation", "territory")}),
    )
    add_fieldsets = (
        *BaseUserAdmin.add_fieldsets,
        ("ЦУР", {"fields": ("last_name", "first_name", "patronymic", "role", "organisation", "territory")}),
    )


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    """Read-only: the audit log is written by services, never edited."""

    list_display = ("created_at", "actor", "action", "object_type", "object_repr", "ip_address")
    list_filter = ("action", "object_type")
    search_fields = ("object_repr", "object_id", "actor__username")
    date_hierarchy = "created_at"
    list_select_related = ("actor",)


@admin.register(WorkerHeartbeat)
class WorkerHeartbeatAdmin(DateRangeMixin, admin.ModelAdmin):
    list_display = ("worker", "seen_at")
