from django.contrib import admin

from cur.web.admin import DateRangeMixin

from .models import Organisation, ResponsiblePerson, SectorBlock, Territory


@admin.register(SectorBlock)
class SectorBlockAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "is_mandatory", "is_active", "position")
    list_filter = ("is_mandatory", "is_active")
    search_fields = ("name", "code")


@admin.register(Territory)
class TerritoryAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "oktmo", "parent", "population", "is_active")
    list_filter = ("kind", "is_active")
    search_fields = ("name", "oktmo")
    list_select_related = ("parent",)
    exclude = ("boundary",)


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ("__str__", "kind", "territory", "inn", "is_active")
    list_filter = ("kind", "is_active", "sector_blocks", "territory")
    search_fields = ("name", "short_name", "inn")
    list_select_related = ("territory",)
    autocomplete_fields = ("territory", "parent")
    filter_horizontal = ("sector_blocks",)


@admin.register(ResponsiblePerson)
class ResponsiblePersonAdmin(DateRangeMixin, admin.ModelAdmin):
    list_display = ("full_name", "role", "sector_block", "territory", "organisation", "since", "until")
    list_filter = ("role", "sector_block")
    search_fields = ("last_name", "first_name", "position")
    list_select_related = ("sector_block", "territory", "organisation")
    autocomplete_fields = ("organisation", "territory", "user")
