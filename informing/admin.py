"""The Django admin of ИНФОЦУР: every row is shown read-only — writes go through `informing.services`,
so each change has its history row and audit record (DESIGN §5)."""

from django.contrib import admin

from cur.web.admin import ReadOnlyAdmin

from .models import (
    DisinformationCase,
    EventHistory,
    InformationActivity,
    InformationEvent,
    Material,
    OfficialPage,
    Recommendation,
)


class HistoryInline(admin.TabularInline):
    model = EventHistory
    fields = ("created_at", "kind", "from_status", "to_status", "actor", "comment")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(InformationEvent)
class InformationEventAdmin(ReadOnlyAdmin):
    list_display = ("title", "status", "priority", "sector_block", "first_seen_at", "responsible", "work_off_by")
    list_filter = ("status", "priority", "origin", "sector_block")
    search_fields = ("title", "essence")
    list_select_related = ("sector_block", "responsible")
    inlines = [HistoryInline]


@admin.register(Recommendation)
class RecommendationAdmin(ReadOnlyAdmin):
    list_display = ("pk", "event", "organisation", "status", "due_at", "escalated_at")
    list_filter = ("status", "channel")
    list_select_related = ("event", "organisation")


@admin.register(InformationActivity)
class InformationActivityAdmin(ReadOnlyAdmin):
    list_display = ("title", "channel", "format", "organisation", "published_at", "reach")
    list_filter = ("channel", "format")
    list_select_related = ("organisation",)


@admin.register(Material)
class MaterialAdmin(ReadOnlyAdmin):
    list_display = ("title", "kind", "sector_block", "is_archived", "created_at")
    list_filter = ("kind", "is_archived")
    search_fields = ("title",)


@admin.register(DisinformationCase)
class DisinformationCaseAdmin(ReadOnlyAdmin):
    list_display = ("title", "status", "detected_at", "total_reach")
    list_filter = ("status",)
    search_fields = ("title", "claim")


@admin.register(OfficialPage)
class OfficialPageAdmin(ReadOnlyAdmin):
    list_display = ("organisation", "network", "url", "status", "verified", "last_activity_at")
    list_filter = ("network", "status", "verified")
    search_fields = ("url", "organisation__name")
    list_select_related = ("organisation",)
