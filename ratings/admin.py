"""The Django admin of ratings: read-only. Methodology versions are written on the methodology pages
(an approved version never changes; an edit starts a new draft), runs by the computation only."""

from django.contrib import admin

from cur.web.admin import ReadOnlyAdmin, ReadOnlyMixin

from .models import RatingEntry, RatingIndicator, RatingMethodology, RatingRun


class IndicatorInline(ReadOnlyMixin, admin.TabularInline):
    model = RatingIndicator
    fields = ("code", "name", "weight", "direction", "normalisation", "position")
    extra = 0


@admin.register(RatingMethodology)
class RatingMethodologyAdmin(ReadOnlyAdmin):
    list_display = ("version", "name", "status", "min_appeals", "approved_at", "approved_by")
    list_filter = ("status",)
    inlines = [IndicatorInline]


@admin.register(RatingRun)
class RatingRunAdmin(ReadOnlyAdmin):
    list_display = ("pk", "level", "period_kind", "period_start", "period_end", "methodology", "status",
                    "computed_at", "ranked_count", "subject_count", "created_by")  # fmt: skip
    list_filter = ("level", "period_kind", "status")
    list_select_related = ("methodology", "created_by")
    date_hierarchy = "period_start"


@admin.register(RatingEntry)
class RatingEntryAdmin(ReadOnlyAdmin):
    list_display = ("subject_name", "run", "rank", "score", "received", "has_enough_data")
    list_filter = ("run__level", "has_enough_data")
    search_fields = ("subject_name",)
    list_select_related = ("run",)
    raw_id_fields = ("run",)
