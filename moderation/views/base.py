"""The section menu and the common page base of the moderation center."""

from django.views.generic import TemplateView

from cur.permissions import HasCapability
from cur.roles import can

from .. import selectors

SECTION = (
    ("Очередь", "moderation:queue", "/moderation/queue", "moderation.work"),
    ("Все сообщения", "moderation:message-list", "/moderation/messages/", "moderation.work"),
    ("Всплески", "moderation:surge-list", "/moderation/surges/", "moderation.work"),
    ("Импорт", "moderation:import", "/moderation/import/", "moderation.work"),
    ("Показатели", "moderation:dashboard", "/moderation/dashboard/", "moderation.work"),
    ("Отчёты", "moderation:report-list", "/moderation/reports/", None),
)


class SectionMixin:
    def get_context_data(self, **kwargs):
        user, path = self.request.user, self.request.path
        nav = []
        for label, url_name, prefix, capability in SECTION:
            if can(user, capability) if capability else selectors.may_see_reports(user):
                active = path.startswith(prefix) or (url_name == "moderation:queue" and path == "/moderation/")
                nav.append({"label": label, "url_name": url_name, "active": active})
        kwargs.setdefault("section_nav", nav)
        kwargs.setdefault("can_work", can(user, "moderation.work"))
        return super().get_context_data(**kwargs)


class Page(SectionMixin, HasCapability, TemplateView):
    capability = "moderation.work"
