from django.contrib import admin

from cur.web.admin import DateRangeMixin

from .models import BestPractice, Indicator, IndicatorValue, Report, ReportVersion, Roadmap, RoadmapMeasure, Training


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    list_display = ["__str__", "status", "period_start", "approved_at"]
    list_filter = ["status", "period_kind", "sector_block"]
    list_select_related = ["sector_block"]
    # Writes go through the services (versions, audit, notifications): the admin only reads.
    readonly_fields = [f.name for f in Report._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(ReportVersion)
class ReportVersionAdmin(admin.ModelAdmin):
    list_display = ["report", "number", "submitted_at", "decision"]
    list_select_related = ["report__sector_block"]
    readonly_fields = [f.name for f in ReportVersion._meta.fields]


@admin.register(Indicator)
class IndicatorAdmin(DateRangeMixin, admin.ModelAdmin):
    list_display = ["code", "name", "kind", "source", "status", "sector_block"]
    list_filter = ["kind", "status", "source"]


@admin.register(IndicatorValue)
class IndicatorValueAdmin(DateRangeMixin, admin.ModelAdmin):
    pass


class MeasureInline(DateRangeMixin, admin.TabularInline):
    model = RoadmapMeasure
    extra = 0
    raw_id_fields = ["responsible"]


@admin.register(Roadmap)
class RoadmapAdmin(DateRangeMixin, admin.ModelAdmin):
    list_display = ["title", "status", "sector_block", "starts_on"]
    list_filter = ["status", "sector_block"]
    raw_id_fields = ["problem_point", "topic", "territory"]
    inlines = [MeasureInline]


@admin.register(BestPractice)
class BestPracticeAdmin(admin.ModelAdmin):
    list_display = ["title", "organisation", "sector_block", "status"]
    list_filter = ["status", "sector_block"]


@admin.register(Training)
class TrainingAdmin(DateRangeMixin, admin.ModelAdmin):
    list_display = ["title", "kind", "starts_on", "ends_on"]
    filter_horizontal = ["organisations", "participants"]
