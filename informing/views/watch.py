"""Pages of disinformation cases and of official pages of bodies (госпаблики), with the bodies that have none."""

from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.views.generic import FormView

from cur.errors import DomainError
from cur.permissions import HasCapability
from cur.web.pagination import page_of
from cur.web.views import error_text, or_404
from sectors.models import Organisation

from .. import forms as f
from .. import selectors, services
from ..models import DisinformationCase, Network, OfficialPage
from .base import ActionView, Page, SectionMixin

D = DisinformationCase.Status


class CaseListView(Page):
    template_name = "informing/case_list.html"

    def get_context_data(self, **kwargs):
        status = self.request.GET.get("status", "")
        status = status if status in D.values else ""
        page = page_of(
            self.request, selectors.case_list(self.request.user, status=status).order_by("-detected_at", "-pk")
        )
        return super().get_context_data(page_obj=page, status=status, statuses=f.CASE_STATUSES, **kwargs)


def _case(user, pk):
    return selectors.cases_visible_to(user).select_related("event", "sector_block", "refutation_material").get(pk=pk)


class CaseDetailView(Page):
    template_name = "informing/case_detail.html"

    def get_context_data(self, pk: int, **kwargs):
        case = or_404(_case, self.request.user, pk)
        return super().get_context_data(
            case=case,
            spread=list(case.spread.select_related("territory").defer("territory__boundary")),
            warnings=list(case.warnings.select_related("organisation")),
            forms={
                "mark_false": f.MarkFalseForm(),
                "dismiss": f.DismissForm(),
                "refute": f.RefuteForm(),
                "spread": f.SpreadForm(),
                "warning": f.WarningForm(),
            },
            **kwargs,
        )


class CaseCreateView(SectionMixin, HasCapability, FormView):
    capability = "informing.manage"
    template_name = "informing/form.html"
    form_class = f.CaseForm

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            title="Новое утверждение для проверки", back=reverse("informing:case-list"), **kwargs
        )

    def form_valid(self, form):
        try:
            case = services.create_case(by=self.request.user, **form.cleaned_data)
        except DomainError as exc:
            form.add_error(None, error_text(exc))
            return self.form_invalid(form)
        messages.success(self.request, "Утверждение зарегистрировано.")
        return redirect("informing:case-detail", case.pk)


class CaseAction(ActionView):
    def fetch(self, user, pk):
        return _case(user, pk)

    def back(self, case):
        return reverse("informing:case-detail", args=[case.pk])


class MarkFalseView(CaseAction):
    form_class = f.MarkFalseForm
    success = "Утверждение признано недостоверным."

    def run(self, case, data):
        services.mark_false(case, by=self.request.user, evidence=data["evidence"], links=data["links"])


class DismissView(CaseAction):
    form_class = f.DismissForm
    success = "Проверка закрыта: сведения достоверны."

    def run(self, case, data):
        services.dismiss_case(case, by=self.request.user, comment=data["comment"])


class RefuteView(CaseAction):
    form_class = f.RefuteForm
    success = "Опровержение отмечено."

    def run(self, case, data):
        services.refute_case(case, by=self.request.user, material=data["material"], url=data["url"])


class SpreadView(CaseAction):
    form_class = f.SpreadForm
    success = "Место распространения добавлено."

    def run(self, case, data):
        services.add_spread(case, by=self.request.user, **{k: v for k, v in data.items() if v is not None})


class WarningView(CaseAction):
    form_class = f.WarningForm
    success = "Предупреждение записано."

    def run(self, case, data):
        services.issue_warning(case, by=self.request.user, **data)


# --- official pages --------------------------------------------------------------------------------


class PageListView(Page):
    template_name = "informing/page_list.html"

    def get_context_data(self, **kwargs):
        g = self.request.GET
        network = g.get("network", "") if g.get("network", "") in Network.values else ""
        status = g.get("status", "") if g.get("status", "") in OfficialPage.Status.values else ""
        q = g.get("q", "")[:200].replace("\x00", "")
        qs = selectors.official_page_list(self.request.user, network=network, status=status, q=q)
        return super().get_context_data(
            page_obj=page_of(self.request, qs),
            network=network,
            status=status,
            q=q,
            networks=Network.choices,
            statuses=OfficialPage.Status.choices,
            silent_since=selectors.silent_since(),
            **kwargs,
        )


class WithoutPageView(Page):
    template_name = "informing/without_page.html"

    def get_context_data(self, **kwargs):
        kind = self.request.GET.get("kind", "")
        kinds = [kind] if kind in Organisation.Kind.values else selectors.PAGE_REQUIRED_KINDS
        qs = selectors.organisations_without_page(self.request.user, kinds=kinds)
        return super().get_context_data(
            page_obj=page_of(self.request, qs), kind=kind, kinds=Organisation.Kind.choices, **kwargs
        )


class PageFormView(SectionMixin, HasCapability, FormView):
    capability = "informing.manage"
    template_name = "informing/form.html"
    form_class = f.OfficialPageForm
    page = None

    def dispatch(self, request, *args, pk: int | None = None, **kwargs):
        if pk is not None and request.user.is_authenticated:
            self.page = or_404(lambda u, k: selectors.official_pages_visible_to(u).get(pk=k), request.user, pk)
        return super().dispatch(request, *args, **kwargs)

    def get_initial(self):
        org = self.request.GET.get("organisation", "")
        return {"organisation": int(org)} if org.isdigit() and len(org) < 19 else {}

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": self.page}

    def get_context_data(self, **kwargs):
        title = f"Госпаблик: {self.page}" if self.page else "Новый госпаблик"
        return super().get_context_data(title=title, back=reverse("informing:page-list"), **kwargs)

    def form_valid(self, form):
        try:
            services.save_official_page(self.page, by=self.request.user, **form.cleaned_data)
        except DomainError as exc:
            form.add_error(None, error_text(exc))
            return self.form_invalid(form)
        messages.success(self.request, "Госпаблик сохранён.")
        return redirect("informing:page-list")
