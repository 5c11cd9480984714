"""Incidents (several appeals about one problem): the list, a new incident, its page with its
appeals, and its status."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.views import View
from django.views.generic import FormView, TemplateView

from cur.errors import DomainError
from cur.permissions import HasCapability
from cur.roles import can
from cur.web.pagination import page_of
from cur.web.views import error_text, errors_text

from .. import selectors, services
from ..models import Incident
from . import forms as f
from .base import deadline_of


def incident_or_404(user, pk: int) -> Incident:
    incident = selectors.incidents_visible_to(user).filter(pk=pk).first()
    if incident is None:
        raise Http404("Инцидент не найден.")
    return incident


class IncidentListView(HasCapability, TemplateView):
    capability = "appeals.view"
    template_name = "appeals/incident_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        status = self.request.GET.get("status", "")
        incidents = selectors.incidents_visible_to(self.request.user).annotate(appeal_count=Count("appeals"))
        if status in Incident.Status.values:
            incidents = incidents.filter(status=status)
        page = page_of(self.request, incidents.order_by("-created_at", "-pk"))
        context.update(
            page_obj=page,
            status=status,
            statuses=Incident.Status.choices,
            can_triage=can(self.request.user, "appeals.triage"),
        )
        return context


class IncidentCreateView(HasCapability, FormView):
    capability = "appeals.triage"
    template_name = "appeals/incident_form.html"
    form_class = f.IncidentForm

    def form_valid(self, form):
        try:
            incident = services.create_incident(by=self.request.user, **form.cleaned_data)
        except (DomainError, ValidationError) as exc:
            form.add_error(None, error_text(exc))
            return self.form_invalid(form)
        messages.success(self.request, "Инцидент создан.")
        return redirect("appeals:incident-detail", pk=incident.pk)


INCIDENT_APPEALS_LIMIT = 500


class IncidentDetailView(HasCapability, View):
    capability = "appeals.view"

    def get(self, request, pk: int):
        incident = incident_or_404(request.user, pk)
        appeals = list(
            selectors.with_list_relations(selectors.appeals_visible_to(request.user))
            .filter(incident=incident)
            .order_by("-registered_at", "-id")[: INCIDENT_APPEALS_LIMIT + 1]
        )
        now = timezone.now()
        context = {
            "incident": incident,
            "rows": [(a, deadline_of(a, now)) for a in appeals[:INCIDENT_APPEALS_LIMIT]],
            "truncated": len(appeals) > INCIDENT_APPEALS_LIMIT,
            "limit": INCIDENT_APPEALS_LIMIT,
            "can_triage": can(request.user, "appeals.triage"),
            "status_form": f.IncidentStatusForm(initial={"status": incident.status}),
        }
        return TemplateResponse(request, "appeals/incident_detail.html", context)


class IncidentStatusView(HasCapability, View):
    capability = "appeals.triage"
    http_method_names = ["post"]

    def post(self, request, pk: int):
        incident = incident_or_404(request.user, pk)
        form = f.IncidentStatusForm(request.POST)
        if not form.is_valid():
            messages.error(request, errors_text(form))
        else:
            try:
                services.set_incident_status(incident, status=form.cleaned_data["status"], by=request.user)
            except (DomainError, ValidationError) as exc:
                messages.error(request, error_text(exc))
            else:
                messages.success(request, "Статус инцидента изменён.")
        return redirect("appeals:incident-detail", pk=incident.pk)
