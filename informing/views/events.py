"""Pages of information events: the list, the card with its actions, create and edit."""

from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.views.generic import FormView

from cur.errors import DomainError
from cur.permissions import HasCapability
from cur.web.pagination import page_of
from cur.web.views import error_text, or_404

from .. import forms as f
from .. import metrics, selectors, services
from ..models import InformationEvent
from .base import ActionView, Page, SectionMixin

S = InformationEvent.Status


def deadline_state(event: InformationEvent, now=None) -> tuple[str, str]:
    """(label, Bootstrap colour) of the working-off deadline of an open event."""
    if not event.is_open:
        return "", ""
    now = now or timezone.now()
    hours = (event.work_off_by - now).total_seconds() / 3600
    if hours < 0:
        return (
            f"просрочен на {abs(hours):.0f} ч" if hours > -48 else f"просрочен на {abs(hours) / 24:.0f} дн.",
            "danger",
        )
    if hours < 24:
        return f"осталось {hours:.0f} ч", "warning"
    return f"осталось {hours / 24:.0f} дн.", "secondary"


class EventListView(Page):
    template_name = "informing/event_list.html"

    def get_context_data(self, **kwargs):
        form = f.EventFilterForm(self.request.GET or None)
        page = page_of(self.request, selectors.event_list(self.request.user, **form.values()))
        now = timezone.now()
        rows = [(event, deadline_state(event, now)) for event in page.object_list]
        return super().get_context_data(filter_form=form, page_obj=page, rows=rows, **kwargs)


class EventDetailView(Page):
    template_name = "informing/event_detail.html"

    def get_context_data(self, pk: int, **kwargs):
        user = self.request.user
        event = or_404(selectors.event_for, user, pk)
        series, growth = selectors.event_growth(event)
        statuses = services.TRANSITIONS[event.status]
        if event.status == S.ANALYSIS:
            statuses = tuple(s for s in statuses if s != S.RECOMMENDED)  # comes with the first recommendation
        transition = f.TransitionForm(initial={"status": statuses[0] if statuses else ""})
        transition.fields["status"].choices = [(s, S(s).label) for s in statuses]
        return super().get_context_data(
            event=event,
            deadline=deadline_state(event),
            growth=growth,
            figure=metrics.growth_figure(series) if len(series) > 1 else None,
            audience=list(event.audience.order_by("-measured_at")[:20]),
            sources=list(event.sources.all()),
            recommendations=list(event.recommendations.select_related("organisation").order_by("due_at", "pk")),
            activities=list(event.activities.select_related("organisation").order_by("-created_at")),
            messages_count=event.messages.count() if hasattr(event, "messages") else 0,
            timeline=list(selectors.event_timeline(event)),
            transition_form=transition if statuses else None,
            assign_form=f.AssignForm(initial={"responsible": event.responsible_id}),
            source_form=f.SourceForm(),
            audience_form=f.AudienceForm(),
            recommendation_form=f.RecommendationForm()
            if event.status in (S.ANALYSIS, S.RECOMMENDED, S.ACTIVITIES)
            else None,
            **kwargs,
        )


class EventFormView(SectionMixin, HasCapability, FormView):
    capability = "informing.manage"
    template_name = "informing/form.html"
    form_class = f.EventForm
    event = None

    def dispatch(self, request, *args, pk: int | None = None, **kwargs):
        if pk is not None and request.user.is_authenticated:
            self.event = or_404(selectors.event_for, request.user, pk)
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        if self.event is not None:
            e = self.event
            kwargs["editing"] = True
            kwargs["initial"] = {
                "title": e.title,
                "essence": e.essence,
                "first_seen_at": e.first_seen_at,
                "priority": e.priority,
                "sector_block": e.sector_block_id,
                "topics": list(e.topics.all()),
                "territories": list(e.territories.all()),
            }
        return kwargs

    def get_context_data(self, **kwargs):
        title = f"Повод «{self.event.title}»: изменить" if self.event else "Новый информационный повод"
        back = (
            reverse("informing:event-detail", args=[self.event.pk]) if self.event else reverse("informing:event-list")
        )
        return super().get_context_data(title=title, back=back, **kwargs)

    def form_valid(self, form):
        data = dict(form.cleaned_data)
        data["first_seen_at"] = data.get("first_seen_at") or (self.event.first_seen_at if self.event else None)
        try:
            if self.event is None:
                event = services.create_event(by=self.request.user, **data)
            else:
                if data["first_seen_at"] is None:
                    data.pop("first_seen_at")
                event = services.update_event(self.event, by=self.request.user, **data)
        except DomainError as exc:
            form.add_error(None, error_text(exc))
            return self.form_invalid(form)
        messages.success(self.request, "Повод сохранён.")
        return redirect("informing:event-detail", event.pk)


class EventAction(ActionView):
    def fetch(self, user, pk):
        return selectors.event_for(user, pk)

    def back(self, event):
        return reverse("informing:event-detail", args=[event.pk])


class TransitionView(EventAction):
    form_class = f.TransitionForm
    success = "Статус повода изменён."

    def run(self, event, data):
        services.move_event(
            event, to=data["status"], by=self.request.user, comment=data["comment"], outcome=data["outcome"]
        )


class AssignView(EventAction):
    form_class = f.AssignForm
    success = "Ответственный назначен."

    def run(self, event, data):
        services.assign_event(event, responsible=data["responsible"], by=self.request.user)


class SourceView(EventAction):
    form_class = f.SourceForm
    success = "Источник добавлен."

    def run(self, event, data):
        services.add_source(event, by=self.request.user, **{k: v for k, v in data.items() if v is not None})


class AudienceView(EventAction):
    form_class = f.AudienceForm
    success = "Замер аудитории записан."

    def run(self, event, data):
        data = {k: (v or 0) for k, v in data.items() if k != "measured_at"} | {
            "measured_at": data.get("measured_at") or timezone.now()
        }
        services.record_audience(event, by=self.request.user, **data)


class RecommendView(EventAction):
    form_class = f.RecommendationForm
    success = "Рекомендация выдана."

    def run(self, event, data):
        services.issue_recommendation(event, by=self.request.user, **data)
