"""The Django admin of appeals: directories (topics, deadline rules, integration sources) are edited
here; appeals, imports and notices are shown read-only — their writes go through `appeals.services`
so that every change has its AppealEvent (DESIGN §4.5)."""

from django.contrib import admin
from django.core.paginator import Paginator
from django.db.models import Count
from django.utils.functional import cached_property

from cur import audit
from cur.web.admin import ReadOnlyAdmin

from . import services
from .filters import NUMBER_RE
from .models import (
    Appeal,
    AppealEvent,
    AppealImport,
    DeadlineNotice,
    DeadlineRule,
    Incident,
    IntegrationSource,
    RoutingRule,
    Topic,
    TopicGroup,
)


class CappedCountPaginator(Paginator):
    """Counts at most CAP rows: an exact COUNT(*) over the whole appeals table on every changelist
    page grows with the table (DESIGN §6). Beyond the cap the admin shows «10000» and pages to it;
    narrower filters count exactly."""

    CAP = 10_000

    @cached_property
    def count(self) -> int:
        return self.object_list[: self.CAP].count()


# --- directories ----------------------------------------------------------------------------


@admin.register(TopicGroup)
class TopicGroupAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "sector_block", "topic_count")
    list_filter = ("sector_block",)
    search_fields = ("name", "code")
    list_select_related = ("sector_block",)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(topic_count=Count("topics"))

    @admin.display(description="тем", ordering="topic_count")
    def topic_count(self, obj) -> int:
        return obj.topic_count


@admin.register(Topic)
class TopicAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "group", "sector_block", "severity", "is_active")
    list_filter = ("is_active", "sector_block", "severity", "group")
    search_fields = ("name", "code")
    list_select_related = ("group", "sector_block")
    raw_id_fields = ("group",)


@admin.register(DeadlineRule)
class DeadlineRuleAdmin(admin.ModelAdmin):
    """Editable: the most specific active rule wins (topic > sector block > channel); with none
    the accelerated mechanism applies (30 calendar days). A change affects later assignments only."""

    list_display = ("name", "channel", "sector_block", "topic", "days", "day_kind", "is_active")
    list_filter = ("is_active", "day_kind", "channel", "sector_block")
    search_fields = ("name", "topic__name")
    list_select_related = ("sector_block", "topic")
    raw_id_fields = ("topic",)


@admin.register(IntegrationSource)
class IntegrationSourceAdmin(admin.ModelAdmin):
    """Sources are created with their key by `appeals.intake.integration.create_integration_source` (the key
    is shown once); here they can be renamed or switched off. The key hash is never edited."""

    list_display = ("name", "channel", "is_active", "created_at")
    list_filter = ("channel", "is_active")
    search_fields = ("name",)
    readonly_fields = ("key_hash", "created_at")

    def has_add_permission(self, request):
        return False


# --- incidents ------------------------------------------------------------------------------


class IncidentAppealInline(admin.TabularInline):
    model = Appeal
    fk_name = "incident"
    fields = ("number", "registered_at", "status", "organisation", "due_at")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True
    verbose_name_plural = "обращения инцидента (привязка — на странице обращения)"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("organisation")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description="номер")
    def number(self, obj) -> str:
        return obj.number


def _status_action(status: str):
    @admin.action(description=f"Перевести в статус «{Incident.Status(status).label}»")
    def action(modeladmin, request, queryset):
        for incident in queryset:
            services.set_incident_status(incident, status=status, by=request.user)

    action.__name__ = f"set_status_{status}"
    return action


@admin.register(Incident)
class IncidentAdmin(admin.ModelAdmin):
    """The status changes through the actions (the service audits it); the description is editable."""

    list_display = ("title", "status", "sector_block", "topic", "territory", "appeal_count", "created_at")
    list_filter = ("status", "sector_block")
    search_fields = ("title", "description")
    date_hierarchy = "created_at"
    list_select_related = ("sector_block", "topic", "territory")
    raw_id_fields = ("sector_block", "topic", "territory")
    readonly_fields = ("status", "created_at", "created_by")
    inlines = (IncidentAppealInline,)
    actions = [_status_action(s) for s in Incident.Status.values]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(appeal_count=Count("appeals"))

    @admin.display(description="обращений", ordering="appeal_count")
    def appeal_count(self, obj) -> int:
        return obj.appeal_count

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)
        changes = {name: audit.jsonable(form.cleaned_data.get(name)) for name in form.changed_data}
        audit.record(request.user, "incident.update" if change else "incident.create", obj, changes)


# --- appeals ----------------------------------------------------------------------------------


class AppealEventInline(admin.TabularInline):
    """The timeline, read-only."""

    model = AppealEvent
    fields = ("created_at", "kind", "actor", "from_status", "to_status", "changes", "comment")
    readonly_fields = fields
    extra = 0
    can_delete = False
    ordering = ("created_at", "id")
    verbose_name_plural = "ход рассмотрения"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


INTAKE_FIELDS = ("channel", "external_id", "received_at", "registered_at", "registered_by")
ESSENCE_FIELDS = ("text", "address", "latitude", "longitude", "territory", "sector_block", "topic")
APPLICANT_FIELDS = ("applicant_name", "applicant_phone", "applicant_email", "applicant_address",
                    "applicant_is_legal", "applicant_legal_name")  # fmt: skip
CLASSIFICATION_FIELDS = ("suggested_sector_block", "suggested_topic", "suggested_territory", "confidence",
                         "model_version", "classification_source", "classified_at")  # fmt: skip
WORKFLOW_FIELDS = ("status", "organisation", "assigned_at", "due_at", "clock_paused_at", "overdue_at",
                   "escalation_level", "answered_at", "answer_text", "answer_quality", "satisfaction",
                   "satisfaction_comment", "closed_at", "reject_reason")  # fmt: skip


@admin.register(Appeal)
class AppealAdmin(admin.ModelAdmin):
    """Read-only but for the location of the problem (address and coordinates, which no transition
    depends on): an edit here would bypass the workflow and the timeline. Opening an appeal shows
    the applicant's personal data, so it is logged like an unmasking on the appeal page."""

    EDITABLE = ("address", "latitude", "longitude")

    list_display = ("number", "registered_at", "channel", "status", "sector_block", "topic", "territory",
                    "organisation", "due_at", "overdue_at")  # fmt: skip
    list_filter = ("status", "channel", "sector_block", "answer_quality", "classification_source", "reject_reason",
                   "applicant_is_legal")  # fmt: skip
    # Number («2025-001234» or the id) is matched exactly in get_search_results; the rest by substring.
    search_fields = ("text", "external_id", "address")
    list_select_related = ("sector_block", "topic", "territory", "organisation")
    raw_id_fields = ("registered_by", "territory", "sector_block", "topic", "suggested_sector_block",
                     "suggested_topic", "suggested_territory", "organisation", "repeat_of", "incident")  # fmt: skip
    paginator = CappedCountPaginator
    show_full_result_count = False
    inlines = (AppealEventInline,)
    fieldsets = (
        ("Поступление", {"fields": INTAKE_FIELDS}),
        ("Суть", {"fields": ESSENCE_FIELDS}),
        ("Заявитель (персональные данные)", {"fields": APPLICANT_FIELDS}),
        ("Классификация", {"classes": ("collapse",), "fields": CLASSIFICATION_FIELDS}),
        ("Исполнение", {"fields": WORKFLOW_FIELDS}),
        ("Связи", {"fields": ("repeat_of", "incident", "updated_at")}),
    )

    @admin.display(description="номер", ordering="pk")
    def number(self, obj) -> str:
        return obj.number

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in Appeal._meta.fields if f.name not in self.EDITABLE and f.name != "id"]

    def has_add_permission(self, request):
        return False  # intake goes through register_appeal (form, API, import)

    def has_delete_permission(self, request, obj=None):
        return False

    def get_search_results(self, request, queryset, search_term):
        match = NUMBER_RE.match(search_term or "")
        if match:
            return queryset.filter(pk=int(match.group(1))), False
        return super().get_search_results(request, queryset, search_term)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if request.method == "GET":
            appeal = self.get_object(request, object_id)
            if appeal is not None and (appeal.applicant_name or appeal.applicant_phone or appeal.applicant_email):
                services.log_personal_data_view(appeal, by=request.user)
        return super().change_view(request, object_id, form_url, extra_context)

    def save_model(self, request, obj, form, change):
        # Only the EDITABLE fields reach the form; save just those and put them in the audit log.
        changes = {name: audit.jsonable(form.cleaned_data.get(name)) for name in form.changed_data}
        obj.save(update_fields=[*form.changed_data, "updated_at"])
        if changes:
            audit.record(request.user, "appeal.admin_edit", obj, changes)


# --- rows written by tasks -------------------------------------------------------------------------


@admin.register(AppealImport)
class AppealImportAdmin(ReadOnlyAdmin):
    list_display = ("original_name", "format", "channel", "dry_run", "status", "total_rows", "created_count",
                    "existing_count", "error_count", "created_by", "created_at", "finished_at")  # fmt: skip
    list_filter = ("status", "format", "channel", "dry_run")
    search_fields = ("original_name",)
    date_hierarchy = "created_at"
    list_select_related = ("created_by",)


@admin.register(DeadlineNotice)
class DeadlineNoticeAdmin(ReadOnlyAdmin):
    list_display = ("appeal", "kind", "level", "due_at", "created_at")
    list_filter = ("kind", "level")
    search_fields = ("=appeal__id",)  # the appeal's number: see get_search_results
    date_hierarchy = "created_at"
    list_select_related = ("appeal",)
    raw_id_fields = ("appeal",)

    def get_search_results(self, request, queryset, search_term):
        match = NUMBER_RE.match(search_term or "")
        if match:
            return queryset.filter(appeal_id=int(match.group(1))), False
        return queryset.none(), False


# --- routing rules (appeals.classification.pipeline routes confident classifications by them) ----------------------


@admin.register(RoutingRule)
class RoutingRuleAdmin(admin.ModelAdmin):
    """Sector block × territory → organisation. A rule without a territory covers the whole region;
    a territory's own rule (or its parent's) wins. One active rule per block and territory."""

    list_display = ("sector_block", "territory_label", "organisation", "is_active")
    list_filter = ("is_active", "sector_block")
    search_fields = ("organisation__name", "organisation__short_name", "territory__name")
    list_select_related = ("sector_block", "territory", "organisation")
    raw_id_fields = ("territory", "organisation")

    @admin.display(description="территория", ordering="territory__name")
    def territory_label(self, obj) -> str:
        return str(obj.territory) if obj.territory_id else "вся область"

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        changes = {name: audit.jsonable(form.cleaned_data.get(name)) for name in form.changed_data}
        audit.record(request.user, "routing_rule.update" if change else "routing_rule.create", obj, changes)

    def delete_model(self, request, obj):
        audit.record(request.user, "routing_rule.delete", obj)
        super().delete_model(request, obj)
