from rest_framework.permissions import SAFE_METHODS, BasePermission

from .roles import can


class ReadForStaffWriteForAdmin(BasePermission):
    """Directory endpoints: any authenticated role reads, only `directory.edit` writes."""

    message = "Недостаточно прав для этого действия."

    def has_permission(self, request, view) -> bool:
        if not can(request.user, "api.use"):
            return False
        return request.method in SAFE_METHODS or can(request.user, "directory.edit")


class HasCapability:
    """Mixin for HTML views: `capability = "directory.view"` → 403 for roles without it."""

    capability: str

    def dispatch(self, request, *args, **kwargs):
        from django.contrib.auth.views import redirect_to_login
        from django.core.exceptions import PermissionDenied

        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not can(request.user, self.capability):
            raise PermissionDenied("Недостаточно прав.")
        return super().dispatch(request, *args, **kwargs)
