"""The Django admin of the moderation center: read-only — writes go through `moderation.services`."""

from django.contrib import admin

from cur.web.admin import ReadOnlyAdmin

from .models import IncomingMessage, MessageImport, ModerationReport, Surge


@admin.register(IncomingMessage)
class IncomingMessageAdmin(ReadOnlyAdmin):
    list_display = ("pk", "network", "author", "posted_at", "status", "assigned_to", "due_at")
    list_filter = ("status", "network", "source")
    search_fields = ("external_id", "author")
    list_select_related = ("assigned_to",)
    show_full_result_count = False  # no COUNT(*) over the whole table on every page


@admin.register(Surge)
class SurgeAdmin(ReadOnlyAdmin):
    list_display = ("pk", "sector_block", "territory", "count", "baseline", "status", "detected_at")
    list_filter = ("status",)


@admin.register(ModerationReport)
class ModerationReportAdmin(ReadOnlyAdmin):
    list_display = ("pk", "period_kind", "period_start", "period_end", "built_at")
    list_filter = ("period_kind",)


@admin.register(MessageImport)
class MessageImportAdmin(ReadOnlyAdmin):
    list_display = ("original_name", "created_at", "created_by", "created_count", "existing_count", "error_count")
