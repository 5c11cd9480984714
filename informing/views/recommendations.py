"""Pages of recommendations: the center sees those of its events; a body's staff (executors) see and
answer those addressed to their organisation."""

from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.views.generic import TemplateView

from cur.roles import Role, can
from cur.web.pagination import page_of
from cur.web.views import or_404

from .. import forms as f
from .. import selectors, services
from ..models import Recommendation
from .base import ActionView, RecommendationAccess, SectionMixin

R = Recommendation.Status


class RecommendationListView(RecommendationAccess, SectionMixin, TemplateView):
    template_name = "informing/recommendation_list.html"

    def get_context_data(self, **kwargs):
        status = self.request.GET.get("status", "")
        status = status if status in R.values else ""
        open_only = self.request.GET.get("open") == "1"
        qs = selectors.recommendation_list(self.request.user, status=status, open_only=open_only)
        return super().get_context_data(
            page_obj=page_of(self.request, qs),
            status=status,
            open_only=open_only,
            statuses=f.RECOMMENDATION_STATUSES,
            **kwargs,
        )


def may_answer(user, rec: Recommendation) -> bool:
    """The body's own staff, and the center."""
    is_body = user.role == Role.EXECUTOR and user.organisation_id == rec.organisation_id
    return is_body or can(user, "informing.manage")


def _fetch(user, pk):
    return selectors.recommendations_visible_to(user).select_related("event", "organisation", "answered_by").get(pk=pk)


class RecommendationDetailView(RecommendationAccess, SectionMixin, TemplateView):
    template_name = "informing/recommendation_detail.html"

    def get_context_data(self, pk: int, **kwargs):
        rec = or_404(_fetch, self.request.user, pk)
        user = self.request.user
        return super().get_context_data(
            rec=rec,
            answer_form=f.AnswerForm(),
            can_answer=may_answer(user, rec) and rec.is_open,
            can_view_event=can(user, "informing.view"),
            history=list(rec.history.select_related("actor").order_by("created_at", "pk")),
            **kwargs,
        )


class RecommendationAction(RecommendationAccess, ActionView):
    capability = "api.use"  # every role passes here; RecommendationAccess and the service check the rest
    form_class = f.AnswerForm

    def fetch(self, user, pk):
        rec = _fetch(user, pk)
        if not may_answer(user, rec):
            raise PermissionDenied("Недостаточно прав.")
        return rec

    def back(self, rec):
        return reverse("informing:recommendation-detail", args=[rec.pk])


class AcceptView(RecommendationAction):
    success = "Рекомендация принята к исполнению."

    def run(self, rec, data):
        services.accept_recommendation(rec, by=self.request.user, comment=data["comment"])


class DoneView(RecommendationAction):
    success = "Выполнение отмечено."

    def run(self, rec, data):
        services.complete_recommendation(
            rec, by=self.request.user, response=data["comment"], result_url=data["result_url"]
        )


class DeclineView(RecommendationAction):
    success = "Рекомендация отклонена."

    def run(self, rec, data):
        services.decline_recommendation(rec, by=self.request.user, reason=data["comment"])


class CancelView(RecommendationAction):
    capability = "informing.manage"
    success = "Рекомендация отозвана."

    def run(self, rec, data):
        services.cancel_recommendation(rec, by=self.request.user, reason=data["comment"])
