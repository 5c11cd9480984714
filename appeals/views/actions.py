"""The actions on one appeal (POST only): scoped fetch, validate a form, call ONE service, flash
message, back to the appeal page. Who may act: the operator (triage), the executor of the appeal's
organisation, or either."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.views import View

from cur.errors import DomainError
from cur.roles import can
from cur.web.views import error_text, errors_text

from .. import services
from ..models import Appeal
from ..workflow import transitions
from . import forms as f
from .base import appeal_or_404, open_incidents


class AppealActionView(View):
    """POST only: scoped fetch, validate a form, call ONE service, flash, back to the appeal page.

    `who` says who may act: "triage" (appeals.triage), "executor" (appeals.answer and the
    appeal is of the user's organisation), or "either".
    """

    http_method_names = ["post"]
    who = "triage"
    form_class = f.EmptyForm
    success_message = "Сохранено."

    def permitted(self, user) -> bool:
        triage, executor = can(user, "appeals.triage"), can(user, "appeals.answer")
        return {"triage": triage, "executor": executor, "either": triage or executor}[self.who]

    def dispatch(self, request, *args, **kwargs):
        from django.contrib.auth.views import redirect_to_login

        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not self.permitted(request.user):
            raise PermissionDenied("Недостаточно прав.")
        return super().dispatch(request, *args, **kwargs)

    def get_form(self, appeal: Appeal):
        kwargs = {"appeal": appeal, "user": self.request.user}
        if self.form_class is f.EmptyForm:
            return f.EmptyForm(self.request.POST)
        return self.form_class(self.request.POST, **kwargs)

    def post(self, request, pk: int):
        user = request.user
        appeal = appeal_or_404(user, pk)
        if self.who == "executor" and not transitions.is_own_executor(user, appeal):
            raise Http404("Обращение не найдено.")
        if self.who == "either" and not can(user, "appeals.triage") and not transitions.is_own_executor(user, appeal):
            raise Http404("Обращение не найдено.")
        form = self.get_form(appeal)
        if not form.is_valid():
            messages.error(request, errors_text(form))
        else:
            try:
                self.perform(appeal, form.cleaned_data, user)
            except (DomainError, ValidationError) as exc:
                messages.error(request, error_text(exc))
            else:
                messages.success(request, self.success_message)
        return redirect("appeals:appeal-detail", pk=appeal.pk)

    def perform(self, appeal: Appeal, data: dict, user) -> None:
        raise NotImplementedError


class AcceptSuggestionView(AppealActionView):
    success_message = "Предложенная классификация принята."

    def perform(self, appeal, data, user):
        services.accept_suggestion(appeal, by=user)


class ClassifyView(AppealActionView):
    form_class = f.ClassificationForm
    success_message = "Классификация сохранена."

    def perform(self, appeal, data, user):
        services.set_classification(
            appeal, by=user, sector_block=data["sector_block"], topic=data["topic"], territory=data["territory"]
        )


class AssignView(AppealActionView):
    form_class = f.AssignForm
    success_message = "Исполнитель назначен."

    def perform(self, appeal, data, user):
        services.assign_appeal(appeal, organisation=data["organisation"], by=user, comment=data["comment"])


class RedirectView(AppealActionView):
    form_class = f.RedirectForm
    success_message = "Обращение перенаправлено."

    def perform(self, appeal, data, user):
        services.redirect_appeal(appeal, organisation=data["organisation"], by=user, comment=data["comment"])


class StartWorkView(AppealActionView):
    who = "executor"
    success_message = "Обращение принято в работу."

    def perform(self, appeal, data, user):
        services.start_work(appeal, by=user)


class RequestInfoView(AppealActionView):
    who = "executor"
    form_class = f.RequestInfoForm
    success_message = "Запрос сведений записан, срок приостановлен."

    def perform(self, appeal, data, user):
        services.request_info(appeal, by=user, comment=data["comment"])


class ReceiveInfoView(AppealActionView):
    who = "either"
    form_class = f.CommentForm
    success_message = "Получение сведений отмечено, срок возобновлён."

    def perform(self, appeal, data, user):
        services.receive_info(appeal, by=user, comment=data["comment"])


class ExtendView(AppealActionView):
    form_class = f.ExtendForm
    success_message = "Срок продлён."

    def perform(self, appeal, data, user):
        services.extend_deadline(appeal, due_date=data["due_date"], by=user, reason=data["reason"])


class RequestExtensionView(AppealActionView):
    """The executor asks for an extension; the operators decide (an extension is theirs, and it is
    the extension, not the request, that changes the appeal and writes its event)."""

    who = "executor"
    form_class = f.ExtendForm
    success_message = "Запрос на продление срока отправлен операторам ЦУР."

    def perform(self, appeal, data, user):
        services.request_extension(appeal, due_date=data["due_date"], reason=data["reason"], by=user)


class AnswerView(AppealActionView):
    who = "executor"
    form_class = f.AnswerForm
    success_message = "Ответ записан."

    def perform(self, appeal, data, user):
        services.answer_appeal(appeal, text=data["text"], by=user)


class CheckQualityView(AppealActionView):
    form_class = f.QualityForm
    success_message = "Качество ответа оценено."

    def perform(self, appeal, data, user):
        services.check_answer_quality(appeal, quality=data["quality"], by=user, comment=data["comment"])


class ReturnView(AppealActionView):
    form_class = f.ReturnForm
    success_message = "Обращение возвращено на доработку."

    def perform(self, appeal, data, user):
        services.return_appeal(appeal, by=user, comment=data["comment"])


class CloseView(AppealActionView):
    form_class = f.CommentForm
    success_message = "Обращение закрыто."

    def perform(self, appeal, data, user):
        services.close_appeal(appeal, by=user, comment=data["comment"])


class SatisfactionView(AppealActionView):
    form_class = f.SatisfactionForm
    success_message = "Оценка заявителя записана."

    def perform(self, appeal, data, user):
        services.record_satisfaction(appeal, score=data["score"], by=user, comment=data["comment"])


class ReopenView(AppealActionView):
    form_class = f.ReopenForm
    success_message = "Обращение возобновлено."

    def perform(self, appeal, data, user):
        services.reopen_appeal(appeal, by=user, reason=data["comment"])


class RejectView(AppealActionView):
    form_class = f.RejectForm
    success_message = "Обращение отклонено."

    def perform(self, appeal, data, user):
        duplicate_of = data["duplicate_of"] if data["reason"] == Appeal.RejectReason.DUPLICATE else None
        services.reject_appeal(
            appeal, reason=data["reason"], by=user, comment=data["comment"], duplicate_of=duplicate_of
        )


class LinkIncidentView(AppealActionView):
    form_class = f.IncidentLinkForm
    success_message = "Обращение привязано к инциденту."

    def get_form(self, appeal):
        return f.IncidentLinkForm(self.request.POST, incidents=open_incidents(self.request.user))

    def perform(self, appeal, data, user):
        services.link_to_incident(appeal, incident=data["incident"], by=user)


class UnlinkIncidentView(AppealActionView):
    success_message = "Обращение отвязано от инцидента."

    def perform(self, appeal, data, user):
        services.unlink_from_incident(appeal, by=user)
