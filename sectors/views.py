"""Pages of the directory: sector blocks, organisations, territories, responsible persons.

Each view does three steps (DESIGN §5): a scoped fetch through `sectors.selectors` (an object
outside the user's queryset is a 404), validation by a form, one call of `sectors.services`.
"""

import copy

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.views.generic import DetailView, FormView, TemplateView
from django_filters.views import FilterView

from cur.errors import DomainError
from cur.permissions import HasCapability
from cur.roles import can

from . import selectors, services
from .filters import OrganisationFilter, PersonFilter, TerritoryListFilter
from .forms import (
    AppointForm,
    EndAppointmentForm,
    OrganisationForm,
    PersonEditForm,
    SectorBlockForm,
    TerritoryForm,
    add_service_error,
)
from .models import ResponsiblePerson

PAGE_SIZE = 50


def _page(request, queryset, size: int = PAGE_SIZE):
    """A page of the queryset; a page number out of range or not a number shows the nearest page."""
    return Paginator(queryset, size).get_page(request.GET.get("page"))


class DirectoryMixin(HasCapability):
    capability = "directory.view"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["can_edit"] = can(self.request.user, "directory.edit")
        context["sees_inactive"] = selectors.sees_inactive(self.request.user)
        return context


class FilteredListView(DirectoryMixin, FilterView):
    paginate_by = PAGE_SIZE

    def paginate_queryset(self, queryset, page_size):
        page = _page(self.request, queryset, page_size)
        return page.paginator, page, page.object_list, page.has_other_pages()


# --- Sector blocks ------------------------------------------------------------------


def _holders_by_role(persons) -> dict[str, ResponsiblePerson]:
    return {person.role: person for person in persons}


class BlockListView(DirectoryMixin, TemplateView):
    template_name = "sectors/block_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        rows = []
        # Meta.ordering does not apply to a GROUP BY query: order explicitly.
        for block in selectors.sector_block_directory(self.request.user).order_by("position", "name"):
            holders = _holders_by_role(block.current_persons)
            rows.append(
                {
                    "block": block,
                    "responsible": holders.get(ResponsiblePerson.Role.BLOCK_RESPONSIBLE),
                    "head": holders.get(ResponsiblePerson.Role.BLOCK_HEAD),
                }
            )
        officials = _holders_by_role(selectors.region_officials())
        context.update(
            rows=rows,
            curator=officials.get(ResponsiblePerson.Role.CURATOR),
            executive=officials.get(ResponsiblePerson.Role.EXECUTIVE),
        )
        return context


class BlockDetailView(DirectoryMixin, DetailView):
    template_name = "sectors/block_detail.html"
    context_object_name = "sector_block"

    def get_object(self, queryset=None):
        return get_object_or_404(selectors.sector_blocks_visible_to(self.request.user), code=self.kwargs["code"])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        appointments = list(selectors.block_appointments(self.request.user, self.object))
        organisations = selectors.organisations_visible_to(self.request.user).filter(sector_blocks=self.object)
        context.update(
            current_persons=[p for p in appointments if p.is_current],
            past_persons=[p for p in appointments if not p.is_current],
            page_obj=_page(self.request, organisations.order_by("name", "pk")),
        )
        return context


# --- Organisations ------------------------------------------------------------------


class OrganisationListView(FilteredListView):
    template_name = "sectors/organisation_list.html"
    filterset_class = OrganisationFilter

    def get_queryset(self):
        return selectors.organisations_visible_to(self.request.user).order_by("name", "pk")


class OrganisationDetailView(DirectoryMixin, DetailView):
    template_name = "sectors/organisation_detail.html"
    context_object_name = "organisation"

    def get_object(self, queryset=None):
        return get_object_or_404(selectors.organisations_visible_to(self.request.user), pk=self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context.update(
            subordinates=selectors.organisations_visible_to(user).filter(parent=self.object).order_by("name", "pk"),
            persons=selectors.responsible_persons_visible_to(user)
            .filter(organisation=self.object)
            .order_by("until", "role", "last_name"),
        )
        return context


# --- Territories --------------------------------------------------------------------


class TerritoryListView(FilteredListView):
    template_name = "sectors/territory_list.html"
    filterset_class = TerritoryListFilter

    def get_queryset(self):
        return selectors.territories_visible_to(self.request.user).order_by("name", "pk")


class TerritoryDetailView(DirectoryMixin, DetailView):
    template_name = "sectors/territory_detail.html"
    context_object_name = "territory"

    def get_object(self, queryset=None):
        return get_object_or_404(selectors.territories_visible_to(self.request.user), pk=self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        organisations = selectors.organisations_visible_to(user).filter(territory=self.object).order_by("name", "pk")
        context.update(
            children=selectors.territories_visible_to(user).filter(parent=self.object).order_by("name", "pk"),
            page_obj=_page(self.request, organisations),
            mcu_persons=selectors.responsible_persons_visible_to(user)
            .filter(territory=self.object)
            .order_by("until", "role", "-since"),
        )
        return context


# --- Responsible persons ------------------------------------------------------------


class PersonListView(FilteredListView):
    template_name = "sectors/person_list.html"
    filterset_class = PersonFilter

    def get_queryset(self):
        return selectors.responsible_persons_visible_to(self.request.user).order_by(
            "last_name", "first_name", "-since", "pk"
        )


class PersonDetailView(DirectoryMixin, DetailView):
    template_name = "sectors/person_detail.html"
    context_object_name = "person"

    def get_object(self, queryset=None):
        return get_object_or_404(selectors.responsible_persons_visible_to(self.request.user), pk=self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["history"] = selectors.post_appointments(self.request.user, self.object)
        if context["can_edit"] and self.object.is_current:
            context.setdefault("end_form", EndAppointmentForm(initial={"until": timezone.localdate()}))
        return context


class PersonEndView(PersonDetailView):
    """Relieves a person of the post (POST only); a refused date shows the person's page with the error."""

    capability = "directory.edit"
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        form = EndAppointmentForm(request.POST)
        if form.is_valid():
            try:
                services.end_appointment(self.object, until=form.cleaned_data["until"], by=request.user)
            except (DomainError, ValidationError) as exc:
                add_service_error(form, exc)
            else:
                messages.success(request, "Полномочия прекращены.")
                return redirect("sectors:person-detail", pk=self.object.pk)
        return self.render_to_response(self.get_context_data(end_form=form))


# --- Writes -------------------------------------------------------------------------


class ServiceFormView(DirectoryMixin, FormView):
    """Validate a form, call one service; a refusal of the service becomes a form error."""

    capability = "directory.edit"
    success_message = "Сохранено."
    object = None

    def get_object(self):
        return None

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        return super().post(request, *args, **kwargs)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        if issubclass(self.get_form_class(), forms.BaseModelForm):
            # The form writes cleaned values into its instance; the service must see the
            # stored ones to record what changed, so the form gets a copy.
            kwargs["instance"] = copy.copy(self.object)
        return kwargs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["object"] = self.object
        return context

    def form_valid(self, form):
        try:
            saved = self.perform(dict(form.cleaned_data))
        except (DomainError, ValidationError) as exc:
            add_service_error(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, self.success_message)
        return redirect(self.detail_url(saved))

    def perform(self, data: dict):
        raise NotImplementedError

    def detail_url(self, obj) -> str:
        raise NotImplementedError


class BlockCreateView(ServiceFormView):
    template_name = "sectors/block_form.html"
    form_class = SectorBlockForm
    success_message = "Отраслевой блок сохранён."

    def perform(self, data):
        return services.save_sector_block(self.object, by=self.request.user, **data)

    def detail_url(self, obj):
        return reverse("sectors:block-detail", args=[obj.code])


class BlockEditView(BlockCreateView):
    def get_object(self):
        return get_object_or_404(selectors.sector_blocks_visible_to(self.request.user), code=self.kwargs["code"])


class OrganisationCreateView(ServiceFormView):
    template_name = "sectors/organisation_form.html"
    form_class = OrganisationForm
    success_message = "Организация сохранена."

    def perform(self, data):
        blocks = data.pop("sector_blocks")
        return services.save_organisation(self.object, by=self.request.user, sector_blocks=blocks, **data)

    def detail_url(self, obj):
        return reverse("sectors:organisation-detail", args=[obj.pk])


class OrganisationEditView(OrganisationCreateView):
    def get_object(self):
        return get_object_or_404(selectors.organisations_visible_to(self.request.user), pk=self.kwargs["pk"])


class TerritoryCreateView(ServiceFormView):
    template_name = "sectors/territory_form.html"
    form_class = TerritoryForm
    success_message = "Территория сохранена."

    def perform(self, data):
        return services.save_territory(self.object, by=self.request.user, **data)

    def detail_url(self, obj):
        return reverse("sectors:territory-detail", args=[obj.pk])


class TerritoryEditView(TerritoryCreateView):
    def get_object(self):
        return get_object_or_404(selectors.territories_visible_to(self.request.user), pk=self.kwargs["pk"])


class PersonAppointView(ServiceFormView):
    template_name = "sectors/person_form.html"
    form_class = AppointForm
    success_message = "Назначение сохранено."

    def get_initial(self):
        # The "appoint" buttons of a block's or a territory's page pre-fill the post.
        initial = {"since": timezone.localdate()}
        role = self.request.GET.get("role")
        if role in ResponsiblePerson.Role.values:
            initial["role"] = role
        block = self.request.GET.get("sector_block")
        if block:
            initial["sector_block"] = (
                selectors.sector_blocks_visible_to(self.request.user)
                .filter(code=block)
                .values_list("pk", flat=True)
                .first()
            )
        territory = self.request.GET.get("territory")
        if territory and territory.isdigit():
            initial["territory"] = int(territory)
        return initial

    def perform(self, data):
        return services.appoint_responsible(by=self.request.user, **data)

    def detail_url(self, obj):
        return reverse("sectors:person-detail", args=[obj.pk])


class PersonEditView(PersonAppointView):
    form_class = PersonEditForm
    success_message = "Сведения о назначении сохранены."

    def get_initial(self):
        return {}

    def get_object(self):
        return get_object_or_404(selectors.responsible_persons_visible_to(self.request.user), pk=self.kwargs["pk"])

    def perform(self, data):
        return services.update_responsible(self.object, by=self.request.user, **data)
