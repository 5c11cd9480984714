"""What every ИНФОЦУР page shares: the capability check, the section's menu, and the capability of its
POST action views (`cur.web.views.ActionView`: scoped fetch → form → one service call → message → redirect)."""

from django.core.exceptions import PermissionDenied
from django.views.generic import TemplateView

from cur.permissions import HasCapability
from cur.roles import can
from cur.web import views as web

from .. import selectors

SECTION = (
    ("Информационные поводы", "informing:event-list", "/informing/events", "informing.view"),
    ("Рекомендации", "informing:recommendation-list", "/informing/recommendations/", None),
    ("Мероприятия", "informing:activity-list", "/informing/activities/", "informing.view"),
    ("Материалы", "informing:material-list", "/informing/materials/", "informing.view"),
    ("Дезинформация", "informing:case-list", "/informing/disinformation/", "informing.view"),
    ("Госпаблики", "informing:page-list", "/informing/pages/", "informing.view"),
    ("Органы без госпаблика", "informing:without-page", "/informing/without-page/", "informing.view"),
)


class SectionMixin:
    # The section's own menu, and what the user may do, for every template of the section.
    def get_context_data(self, **kwargs):
        user = self.request.user
        path = self.request.path
        nav = []
        for label, url_name, prefix, capability in SECTION:
            allowed = can(user, capability) if capability else selectors.may_see_recommendations(user)
            if allowed:
                active = path.startswith(prefix) or (url_name == "informing:event-list" and path == "/informing/")
                nav.append({"label": label, "url_name": url_name, "active": active})
        kwargs.setdefault("section_nav", nav)
        kwargs.setdefault("can_manage", can(user, "informing.manage"))
        return super().get_context_data(**kwargs)


class Page(SectionMixin, HasCapability, TemplateView):
    capability = "informing.view"


class RecommendationAccess:
    # Staff of ИНФОЦУР, and executors for the recommendations to their organisation.
    def dispatch(self, request, *args, **kwargs):
        from django.contrib.auth.views import redirect_to_login

        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not selectors.may_see_recommendations(request.user):
            raise PermissionDenied("Недостаточно прав.")
        return super().dispatch(request, *args, **kwargs)


class ActionView(web.ActionView):
    """ИНФОЦУР's POST actions: `informing.manage` unless the view says otherwise."""

    capability = "informing.manage"
