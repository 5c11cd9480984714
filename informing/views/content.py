"""Pages of information activities and of the materials library."""

from django.contrib import messages
from django.db.models import Prefetch
from django.shortcuts import redirect
from django.urls import reverse
from django.views.generic import FormView

from cur.errors import DomainError
from cur.permissions import HasCapability
from cur.web.pagination import page_of
from cur.web.views import error_text, or_404

from .. import forms as f
from .. import selectors, services
from ..models import Channel, MaterialVersion, audience_labels
from .base import ActionView, Page, SectionMixin


class ActivityListView(Page):
    template_name = "informing/activity_list.html"

    def get_context_data(self, **kwargs):
        channel = self.request.GET.get("channel", "")
        channel = channel if channel in Channel.values else ""
        published = {"1": True, "0": False}.get(self.request.GET.get("published", ""))
        page = page_of(self.request, selectors.activity_list(self.request.user, channel=channel, published=published))
        return super().get_context_data(
            page_obj=page,
            channel=channel,
            channels=Channel.choices,
            published=self.request.GET.get("published", ""),
            **kwargs,
        )


def _activity(user, pk):
    return selectors.activity_list(user).get(pk=pk)


class ActivityDetailView(Page):
    template_name = "informing/activity_detail.html"

    def get_context_data(self, pk: int, **kwargs):
        activity = or_404(_activity, self.request.user, pk)
        return super().get_context_data(activity=activity, groups=audience_labels(activity.audience_groups), **kwargs)


class ActivityFormView(SectionMixin, HasCapability, FormView):
    """Plan or record an activity (for an event with ?event=id), or edit one and record its results."""

    capability = "informing.manage"
    template_name = "informing/form.html"
    form_class = f.ActivityForm
    activity = event = None

    def dispatch(self, request, *args, pk: int | None = None, **kwargs):
        if request.user.is_authenticated:
            if pk is not None:
                self.activity = or_404(_activity, request.user, pk)
            elif request.GET.get("event", "").isdigit() and len(request.GET["event"]) < 19:
                self.event = or_404(selectors.event_for, request.user, int(request.GET["event"]))
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": self.activity}

    def get_context_data(self, **kwargs):
        if self.activity:
            title, back = (
                f"Мероприятие «{self.activity.title}»",
                reverse("informing:activity-detail", args=[self.activity.pk]),
            )
        elif self.event:
            title, back = (
                f"Мероприятие по поводу «{self.event.title}»",
                reverse("informing:event-detail", args=[self.event.pk]),
            )
        else:
            title, back = "Новое информационное мероприятие", reverse("informing:activity-list")
        return super().get_context_data(title=title, back=back, **kwargs)

    def form_valid(self, form):
        data = dict(form.cleaned_data)
        territories = data.pop("territories")
        try:
            activity = services.save_activity(
                self.activity, by=self.request.user, event=self.event, territories=territories, **data
            )
        except DomainError as exc:
            form.add_error(None, error_text(exc))
            return self.form_invalid(form)
        messages.success(self.request, "Мероприятие сохранено.")
        return redirect("informing:activity-detail", activity.pk)


# --- materials ---------------------------------------------------------------------------------


class MaterialListView(Page):
    template_name = "informing/material_list.html"

    def get_context_data(self, **kwargs):
        q = self.request.GET.get("q", "")[:200].replace("\x00", "")
        archived = self.request.GET.get("archived") == "1"
        page = page_of(self.request, selectors.material_list(self.request.user, q=q, archived=archived))
        return super().get_context_data(page_obj=page, q=q, archived=archived, **kwargs)


def _material(user, pk):
    versions = MaterialVersion.objects.prefetch_related("territories").order_by("pk")
    return (
        selectors.materials_visible_to(user)
        .select_related("sector_block", "event", "created_by")
        .prefetch_related(Prefetch("versions", versions))
        .get(pk=pk)
    )


class MaterialDetailView(Page):
    template_name = "informing/material_detail.html"

    def get_context_data(self, pk: int, **kwargs):
        material = or_404(_material, self.request.user, pk)
        versions = [(v, audience_labels(v.audience_groups)) for v in material.versions.all()]
        activities = list(material.activities.select_related("event").order_by("-created_at")[:20])
        return super().get_context_data(
            material=material, versions=versions, activities=activities, version_form=f.VersionForm(), **kwargs
        )


class MaterialFormView(SectionMixin, HasCapability, FormView):
    capability = "informing.manage"
    template_name = "informing/form.html"
    form_class = f.MaterialForm
    material = None

    def dispatch(self, request, *args, pk: int | None = None, **kwargs):
        if pk is not None and request.user.is_authenticated:
            self.material = or_404(_material, request.user, pk)
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": self.material}

    def get_context_data(self, **kwargs):
        back = (
            reverse("informing:material-detail", args=[self.material.pk])
            if self.material
            else reverse("informing:material-list")
        )
        title = f"Материал «{self.material.title}»" if self.material else "Новый материал"
        return super().get_context_data(title=title, back=back, multipart=True, **kwargs)

    def form_valid(self, form):
        data = {k: v for k, v in form.cleaned_data.items() if not (k == "file" and v is None)}
        if data.get("file") is False:  # «очистить» ticked
            data["file"] = ""
        try:
            material = services.save_material(self.material, by=self.request.user, **data)
        except DomainError as exc:
            form.add_error(None, error_text(exc))
            return self.form_invalid(form)
        messages.success(self.request, "Материал сохранён.")
        return redirect("informing:material-detail", material.pk)


class VersionView(ActionView):
    form_class = f.VersionForm
    success = "Версия добавлена."

    def fetch(self, user, pk):
        return _material(user, pk)

    def back(self, material):
        return reverse("informing:material-detail", args=[material.pk])

    def run(self, material, data):
        data = {k: v for k, v in data.items() if v is not None}
        services.add_material_version(material, by=self.request.user, **data)
