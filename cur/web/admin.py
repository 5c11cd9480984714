"""What the Django admins of several apps share: rows written by services or tasks are shown, never
added, changed or deleted in the admin — their writes go through the services, so that every change
has its history row and audit record (DESIGN §5)."""

from django.contrib import admin


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
