"""The moderation queue (keyboard-friendly, bulk decisions), all messages, one message and its actions."""

from django.contrib import messages
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.views import View

from cur.errors import DomainError
from cur.permissions import HasCapability
from cur.web.pagination import slice_page
from cur.web.views import ActionView, error_text, errors_text, or_404

from .. import forms as f
from .. import selectors, services
from ..models import IncomingMessage
from .base import Page

S = IncomingMessage.Status


def _rows(page, now):
    page.rows = [(m, m.is_open and m.due_at < now) for m in page.object_list]
    return page


class QueueView(Page):
    template_name = "moderation/queue.html"

    def get_context_data(self, **kwargs):
        form = f.QueueFilterForm(self.request.GET or None)
        qs = selectors.queue(self.request.user, **form.values())
        page = _rows(slice_page(qs, self.request.GET.get("page")), timezone.now())
        bulk = f.BulkForm(initial={"return_query": self.request.GET.urlencode()})
        return super().get_context_data(filter_form=form, page_obj=page, bulk_form=bulk, **kwargs)


class MessageListView(Page):
    template_name = "moderation/message_list.html"

    def get_context_data(self, **kwargs):
        form = f.MessageFilterForm(self.request.GET or None)
        page = _rows(
            slice_page(selectors.message_list(self.request.user, **form.values()), self.request.GET.get("page")),
            timezone.now(),
        )
        return super().get_context_data(filter_form=form, page_obj=page, **kwargs)


class MessageDetailView(Page):
    template_name = "moderation/message_detail.html"

    def get_context_data(self, pk: int, **kwargs):
        message = or_404(selectors.message_for, self.request.user, pk)
        return super().get_context_data(
            message=message,
            overdue=message.is_open and message.due_at < timezone.now(),
            timeline=list(selectors.message_timeline(message)),
            decision_form=f.DecisionForm(),
            assign_form=f.AssignForm(initial={"moderator": message.assigned_to_id}),
            theme_form=f.ThemeForm(
                initial={"sector_block": message.sector_block_id, "territory": message.territory_id}
            ),
            reopen_form=f.ReopenForm(),
            mine=message.assigned_to_id == self.request.user.pk,
            **kwargs,
        )


class MessageAction(ActionView):
    capability = "moderation.work"

    def fetch(self, user, pk):
        return selectors.message_for(user, pk)

    def back(self, message):
        return reverse("moderation:message-detail", args=[message.pk])


class TakeView(MessageAction):
    success = "Сообщение взято в работу."

    def run(self, message, data):
        services.assign_message(message, to=self.request.user, by=self.request.user)


class AssignView(MessageAction):
    form_class = f.AssignForm
    success = "Сообщение назначено."

    def run(self, message, data):
        services.assign_message(message, to=data["moderator"], by=self.request.user)


class ReleaseView(MessageAction):
    success = "Сообщение возвращено в общую очередь."

    def run(self, message, data):
        services.release_message(message, by=self.request.user)


class DecideView(MessageAction):
    form_class = f.DecisionForm
    success = "Решение принято."

    def post(self, request, pk: int):
        self._form = f.DecisionForm(request.POST)
        return super().post(request, pk)

    def run(self, message, data):
        self._form.is_valid()
        decided = services.decide_message(message, by=self.request.user, **self._form.kwargs())
        if decided.appeal_id:
            self.success = f"Зарегистрировано обращение № {decided.appeal.number}."


class ThemeView(MessageAction):
    form_class = f.ThemeForm
    success = "Тема и территория сохранены."

    def run(self, message, data):
        services.set_theme(message, by=self.request.user, **data)


class ReopenView(MessageAction):
    form_class = f.ReopenForm
    success = "Сообщение возвращено в работу."

    def run(self, message, data):
        services.reopen_message(message, by=self.request.user, comment=data["comment"])


class BulkView(HasCapability, View):
    """One action for the selected messages of the queue."""

    capability = "moderation.work"
    http_method_names = ["post"]

    def post(self, request):
        form = f.BulkForm(request.POST)
        back = reverse("moderation:queue")
        if not form.is_valid():
            messages.error(request, errors_text(form))
            return redirect(back)
        data = form.cleaned_data
        query = data.get("return_query", "")
        if query and "\n" not in query and "\r" not in query:
            back = f"{back}?{query}"
        chosen = list(selectors.messages_visible_to(request.user).filter(pk__in=data["ids"]).order_by("due_at", "pk"))
        try:
            if data["action"] == "take":
                result = services.bulk_assign(chosen, to=request.user, by=request.user)
            elif data["action"] == "assign":
                if data.get("moderator") is None:
                    messages.error(request, "Выберите модератора.")
                    return redirect(back)
                result = services.bulk_assign(chosen, to=data["moderator"], by=request.user)
            else:
                result = services.bulk_decide(chosen, by=request.user, **form.kwargs())
        except DomainError as exc:
            messages.error(request, error_text(exc))
            return redirect(back)
        level = messages.WARNING if result.failed else messages.SUCCESS
        messages.add_message(request, level, result.summary)
        return redirect(back)
