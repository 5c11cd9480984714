"""The Django admin of the heat map: read-only. Problem point statuses change on their pages (the services
record who and when); the rollup is derived data and is not shown (millions of rows, rebuilt nightly)."""

from django.contrib import admin

from cur.web.admin import ReadOnlyAdmin

from .models import PollImport, PollResult, ProblemPoint


@admin.register(ProblemPoint)
class ProblemPointAdmin(ReadOnlyAdmin):
    list_display = ("id", "territory", "topic", "kind", "status", "observed", "expected", "window_end",
                    "confirmed_by", "confirmed_at")  # fmt: skip
    list_filter = ("status", "kind", "sector_block")
    list_select_related = ("territory", "topic", "confirmed_by")
    search_fields = ("topic__name", "territory__name")


@admin.register(PollResult)
class PollResultAdmin(ReadOnlyAdmin):
    list_display = ("held_on", "kind", "title", "territory", "topic", "participants", "support_percent")
    list_filter = ("kind",)
    list_select_related = ("territory", "topic")
    search_fields = ("title",)

    def has_delete_permission(self, request, obj=None):
        return True  # a wrongly imported result is removed here


@admin.register(PollImport)
class PollImportAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "original_name", "created_by", "total_rows", "created_count", "error_count")
    list_select_related = ("created_by",)
