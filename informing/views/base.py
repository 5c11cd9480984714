"""What every ИНФОЦУР page shares: the capability check, the section's menu, a 404 for a foreign
object, and the POST action view (scoped fetch → form → one service call → message → redirect)."""

from django.contrib import messages
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View
from django.views.generic import TemplateView

from cur.errors import DomainError
from cur.permissions import HasCapability
from cur.roles import can

from .. import selectors

PAGE_SIZE = 50

SECTION = (
    ("Информационные поводы", "informing:event-list", "/informing/events", "informing.view"),
    ("Рекомендации", "informing:recommendation-list", "/informing/recommendations/", None),
    ("Мероприятия", "informing:activity-list", "/informing/activities/", "informing.view"),
    ("Материалы", "informing:material-list", "/informing/materials/", "informing.view"),
    ("Дезинформация", "informing:case-list", "/informing/disinformation/", "informing.view"),
    ("Госпаблики", "informing:page-list", "/informing/pages/", "informing.view"),
    ("Органы без госпаблика", "informing:without-page", "/informing/without-page/", "informing.view"),
)


def errors_text(form) -> str:
    """All errors of a form in one line, for a flash message."""
    parts = []
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        text = " ".join(str(e) for e in errors)
        parts.append(f"{str(label).capitalize()}: {text}" if label else text)
    return " ".join(parts)


def error_text(exc: Exception) -> str:
    if isinstance(exc, DomainError):
        return exc.message
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    raise exc


def or_404(fetch, *args):
    try:
        return fetch(*args)
    except ObjectDoesNotExist:
        raise Http404("Не найдено.") from None


def page_of(request, queryset, size: int = PAGE_SIZE):
    return Paginator(queryset, size).get_page(request.GET.get("page"))


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


class ActionView(HasCapability, View):
    """A POST that does one thing to one object: `fetch(user, pk)`, `form_class`, `run(obj, data)`."""

    capability = "informing.manage"
    form_class = None
    success = "Сохранено."
    http_method_names = ["post"]

    def fetch(self, user, pk):
        raise NotImplementedError

    def run(self, obj, data: dict):
        raise NotImplementedError

    def back(self, obj) -> str:
        raise NotImplementedError

    def post(self, request, pk: int):
        obj = or_404(self.fetch, request.user, pk)
        data = {}
        if self.form_class is not None:
            form = self.form_class(request.POST, request.FILES)
            if not form.is_valid():
                messages.error(request, errors_text(form))
                return self._redirect(request, obj)
            data = form.cleaned_data
        try:
            self.run(obj, data)
        except (DomainError, ValidationError) as exc:
            messages.error(request, error_text(exc))
        else:
            messages.success(request, self.success)
        return self._redirect(request, obj)

    def _redirect(self, request, obj):
        target = request.POST.get("next", "")
        if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
            return redirect(target)
        return redirect(self.back(obj))
