"""The appeal page: what it shows (the applicant masked unless revealed and logged, the timeline in
words, related appeals, the deadline) and which actions it offers for the user's capabilities and the
appeal's status."""

import datetime

from django.core.exceptions import FieldDoesNotExist
from django.template.response import TemplateResponse
from django.utils import timezone
from django.views import View

from cur.permissions import HasCapability
from cur.roles import can

from .. import selectors, services
from ..models import Appeal, AppealEvent
from ..workflow import transitions
from . import forms as f
from .base import appeal_or_404, deadline_of, open_incidents

S = Appeal.Status


def available_actions(user, appeal: Appeal) -> set[str]:
    """The actions the page offers: the transition table's (capability, organisation, status), less the
    ones with nothing to act on; revealing personal data is not a transition."""
    actions = transitions.actions_for(user, appeal)
    if appeal.suggested_sector_block_id is None and appeal.suggested_topic_id is None:
        actions.discard("accept_suggestion")
    if appeal.incident_id is None:
        actions.discard("unlink_incident")
    if can(user, "appeals.personal_data"):
        actions.add("reveal")
    return actions


APPLICANT_FIELDS = ("applicant_name", "applicant_phone", "applicant_email", "applicant_address", "applicant_legal_name")


def applicant_rows(appeal: Appeal, *, reveal: bool) -> list[tuple[str, str]]:
    """The applicant's data as (label, value): masked unless revealed (and the reveal is logged)."""
    rows = []
    for name in APPLICANT_FIELDS:
        value = getattr(appeal, name)
        if name == "applicant_legal_name" and not appeal.applicant_is_legal:
            continue
        label = str(Appeal._meta.get_field(name).verbose_name)
        rows.append((label, value if reveal else selectors.mask(value)))
    return rows


CHOICE_LABELS = {
    "status": dict(S.choices),
    "channel": dict(Appeal.Channel.choices),
    "answer_quality": dict(Appeal.AnswerQuality.choices),
    "reject_reason": dict(Appeal.RejectReason.choices),
    "classification_source": dict(Appeal.ClassificationSource.choices),
}


def _change_value(name: str, value) -> str:
    if value in (None, ""):
        return "—"
    if name in CHOICE_LABELS:
        return CHOICE_LABELS[name].get(value, str(value))
    if isinstance(value, str) and len(value) >= 19 and value[4] == "-" and "T" in value:
        try:
            return f"{timezone.localtime(datetime.datetime.fromisoformat(value)):%d.%m.%Y %H:%M}"
        except ValueError:
            return value
    return str(value)


def _field(name: str):
    try:
        return Appeal._meta.get_field(name)
    except FieldDoesNotExist:  # an old event may name a field that is gone
        return None


def _related_names(events: list[AppealEvent]) -> dict[str, dict]:
    """Names of the objects the events' changes refer to by id: one query per related model."""
    wanted: dict = {}
    for event in events:
        for name, pair in (event.changes or {}).items():
            model_field = _field(name)
            if model_field is None or not model_field.is_relation or not isinstance(pair, list | tuple):
                continue
            ids = wanted.setdefault(model_field.related_model, set())
            ids.update(v for v in pair if isinstance(v, int))
    names = {}
    for model, ids in wanted.items():
        if model is Appeal:
            objects = {
                obj.pk: f"№ {obj.number}" for obj in Appeal.objects.filter(pk__in=ids).only("pk", "registered_at")
            }
        else:
            objects = {obj.pk: str(obj) for obj in model._default_manager.filter(pk__in=ids)}
        names[model] = objects
    return names


def timeline_rows(appeal: Appeal) -> list[tuple[AppealEvent, list[tuple[str, str, str]]]]:
    events = list(selectors.appeal_timeline(appeal))
    names = _related_names(events)
    rows = []
    for event in events:
        changes = []
        for name, pair in (event.changes or {}).items():
            model_field = _field(name)
            label = str(model_field.verbose_name) if model_field is not None else name

            def shown(value, model_field=model_field, name=name):
                if model_field is not None and model_field.is_relation and isinstance(value, int):
                    return names.get(model_field.related_model, {}).get(value, f"#{value}")
                return _change_value(name, value)

            if isinstance(pair, list | tuple) and len(pair) == 2:
                changes.append((label, shown(pair[0]), shown(pair[1])))
            else:
                changes.append((label, "", shown(pair)))
        rows.append((event, changes))
    return rows


def detail_context(request, appeal: Appeal, *, reveal: bool = False) -> dict:
    user = request.user
    actions = available_actions(user, appeal)
    form_kwargs = {"appeal": appeal, "user": user}
    builders = {
        "classify": lambda kw: f.ClassificationForm(**kw),
        "assign": lambda kw: f.AssignForm(**kw),
        "redirect": lambda kw: f.RedirectForm(**kw),
        "extend": lambda kw: f.ExtendForm(**kw),
        "request_extension": lambda kw: f.ExtendForm(**kw),
        "receive_info": lambda kw: f.CommentForm(**kw),
        "check_quality": lambda kw: f.QualityForm(**kw, initial={"quality": appeal.answer_quality or None}),
        "return": lambda kw: f.ReturnForm(**kw),
        "close": lambda kw: f.CommentForm(**kw),
        "satisfaction": lambda kw: f.SatisfactionForm(**kw, initial={"score": appeal.satisfaction}),
        "reopen": lambda kw: f.ReopenForm(**kw),
        "reject": lambda kw: f.RejectForm(**kw),
        "link_incident": lambda kw: f.IncidentLinkForm(**kw, incidents=open_incidents(user)),
        "request_info": lambda kw: f.RequestInfoForm(**kw),
        "answer": lambda kw: f.AnswerForm(**kw),
    }
    # Many small forms on one page: each gets its own element ids (the field names stay plain).
    action_forms = {
        name: build({**form_kwargs, "auto_id": f"{name}_%s"}) for name, build in builders.items() if name in actions
    }
    confidence = round(appeal.confidence * 100) if appeal.confidence is not None else None
    return {
        "appeal": appeal,
        "actions": actions,
        "forms": action_forms,
        "reveal": reveal,
        "applicant": applicant_rows(appeal, reveal=reveal),
        "has_applicant": any(getattr(appeal, name) for name in APPLICANT_FIELDS),
        "confidence": confidence,
        "has_suggestion": appeal.suggested_sector_block_id is not None or appeal.suggested_topic_id is not None,
        "deadline": deadline_of(appeal),
        "days_left": selectors.days_left(appeal),
        "timeline": timeline_rows(appeal),
        "related": selectors.related_appeals(user, appeal),
        "is_executor": transitions.is_own_executor(user, appeal),
        "can_triage": can(user, "appeals.triage"),
    }


class AppealDetailView(HasCapability, View):
    capability = "appeals.view"

    def get(self, request, pk: int):
        appeal = appeal_or_404(request.user, pk)
        return TemplateResponse(request, "appeals/detail.html", detail_context(request, appeal))


class RevealPersonalDataView(HasCapability, View):
    """Shows the applicant's personal data unmasked in this one response; the view is logged."""

    capability = "appeals.personal_data"
    http_method_names = ["post"]

    def post(self, request, pk: int):
        appeal = appeal_or_404(request.user, pk)
        services.log_personal_data_view(appeal, by=request.user)
        response = TemplateResponse(request, "appeals/detail.html", detail_context(request, appeal, reveal=True))
        response["Cache-Control"] = "no-store"
        return response
