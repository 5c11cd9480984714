"""What the Django admins of several apps share: rows written by services or tasks are shown, never
added, changed or deleted in the admin — their writes go through the services, so that every change
has its history row and audit record (DESIGN §5); rows edited here take dates of the supported range."""

from django.contrib import admin
from django.db import models

from cur.web.dates import validate_in_range


class DateRangeMixin:
    """For a ModelAdmin or an inline whose rows are edited here: a date typed in the admin is checked
    against the range of cur.web.dates, like one typed in any other form."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if isinstance(db_field, models.DateField) and field is not None:  # DateTimeField is a DateField
            field.validators.append(validate_in_range)
        return field


class ReadOnlyMixin:
    """For a ModelAdmin or an inline: no add, change or delete."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyAdmin(ReadOnlyMixin, admin.ModelAdmin):
    """Rows written by services or tasks: viewable, never added, changed or deleted here."""
