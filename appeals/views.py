"""Pages of appeals: the operator's triage queue, the lists, the appeal page and its actions,
the executor's list, incidents and exports.

Each view does three steps (DESIGN §5): a scoped fetch through `appeals.selectors` (an appeal
outside `appeals_visible_to(user)` is a 404), validation by a form, one call of
`appeals.services`. A refusal of the service (`DomainError`) becomes a flash message.
"""

import datetime
from dataclasses import dataclass, field

from django import forms
from django.contrib import messages
from django.core.exceptions import FieldDoesNotExist, PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Case, Count, F, IntegerField, Q, QuerySet, Value, When
from django.db.models.functions import Coalesce
from django.http import Http404, QueryDict
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.views import View
from django.views.generic import FormView, TemplateView

from cur.errors import DomainError
from cur.models import User
from cur.permissions import HasCapability
from cur.roles import Role, can
from cur.services import notify
from cur.widgets import speed_up

from . import exports, selectors, services
from . import forms as f
from .filters import AppealFilter
from .models import Appeal, AppealEvent, Incident

S = Appeal.Status
PAGE_SIZE = 50
# Offset pagination with a cap instead of COUNT(*): deeper than this, refine the filter.
MAX_PAGE = 200


# --- errors and scoping --------------------------------------------------------------------


def _error_text(exc: Exception) -> str:
    if isinstance(exc, DomainError):
        return exc.message
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    raise exc  # pragma: no cover - callers catch only the two kinds above


def _appeal_or_404(user, pk: int) -> Appeal:
    try:
        return selectors.appeal_for(user, pk)
    except Appeal.DoesNotExist:
        raise Http404("Обращение не найдено.") from None


def _open_incidents(user) -> QuerySet[Incident]:
    return selectors.incidents_visible_to(user).exclude(status=Incident.Status.CLOSED).order_by("-created_at", "-pk")


# --- deadlines as the pages show them ----------------------------------------------------


@dataclass(frozen=True)
class Deadline:
    due_at: datetime.datetime | None
    days: int | None
    label: str
    css: str  # Bootstrap badge colour

    @property
    def overdue(self) -> bool:
        return self.css == "danger"


def deadline_of(appeal: Appeal, now: datetime.datetime | None = None) -> Deadline:
    """The due date with days left, red when overdue; none for a finished appeal."""
    days = selectors.days_left(appeal, now)
    if appeal.due_at is None or not appeal.is_open:
        return Deadline(appeal.due_at, None, "", "")
    if appeal.status == S.INFO_REQUESTED:
        return Deadline(appeal.due_at, days, "срок приостановлен", "info")
    if days < 0 or appeal.overdue_at is not None:
        return Deadline(appeal.due_at, days, f"просрочено на {abs(days)} дн." if days < 0 else "просрочено", "danger")
    if days == 0:
        return Deadline(appeal.due_at, days, "истекает сегодня", "warning")
    return Deadline(appeal.due_at, days, f"осталось {days} дн.", "warning" if days <= 3 else "secondary")


# --- lists: the queue, all appeals, the executor's ---------------------------------------


STATUS_ORDER = Case(*(When(status=s, then=Value(i)) for i, s in enumerate(S.values)), output_field=IntegerField())
DUE = Coalesce("due_at", "registered_at")  # a new appeal has no due date yet: its registration counts

SORTS: dict[str, tuple[str, tuple]] = {
    "due": ("Срок: ближайшие сначала", (DUE.asc(), "id")),
    "-due": ("Срок: дальние сначала", (DUE.desc(), "-id")),
    "-registered_at": ("Регистрация: новые сначала", ("-registered_at", "-id")),
    "registered_at": ("Регистрация: старые сначала", ("registered_at", "id")),
    "status": ("Статус", (STATUS_ORDER.asc(), DUE.asc(), "id")),
    "-status": ("Статус в обратном порядке", (STATUS_ORDER.desc(), DUE.asc(), "id")),
    "open": (
        "Сначала открытые, по сроку",
        (
            Case(When(status__in=Appeal.OPEN_STATUSES, then=Value(0)), default=Value(1), output_field=IntegerField()),
            F("due_at").asc(nulls_last=True),
            "-registered_at",
            "-id",
        ),
    ),
}


@dataclass(frozen=True)
class ListKind:
    """One list page: who opens it, which appeals it starts from, its default order."""

    name: str
    capability: str
    default_sort: str
    title: str

    def base(self, user) -> QuerySet[Appeal]:
        if self.name == "queue":
            return selectors.triage_queue(user)
        return selectors.with_list_relations(selectors.appeals_visible_to(user))

    @property
    def sorts(self) -> list[tuple[str, str]]:
        keys = ["due", "-due", "-registered_at", "registered_at", "status", "-status"]
        if self.name == "my":
            keys.insert(0, "open")
        return [(key, SORTS[key][0]) for key in keys]


LISTS = {
    "queue": ListKind("queue", "appeals.triage", "due", "Очередь на распределение"),
    "list": ListKind("list", "appeals.view", "-registered_at", "Обращения"),
    "my": ListKind("my", "appeals.answer", "open", "Обращения нашей организации"),
}


@dataclass
class SlicePage:
    """A page without a COUNT(*): one extra row tells whether there is a next page."""

    object_list: list
    number: int
    has_next: bool
    capped: bool = False
    rows: list = field(default_factory=list)

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_other_pages(self) -> bool:
        return self.has_next or self.has_previous

    @property
    def next_page_number(self) -> int:
        return self.number + 1

    @property
    def previous_page_number(self) -> int:
        return self.number - 1

    @property
    def start_index(self) -> int:
        return (self.number - 1) * PAGE_SIZE + 1 if self.object_list else 0


def slice_page(queryset: QuerySet, page: str | None, size: int | None = None) -> SlicePage:
    size = size or PAGE_SIZE
    try:
        number = min(max(int(page or 1), 1), MAX_PAGE)
    except (TypeError, ValueError):
        number = 1
    offset = (number - 1) * size
    rows = list(queryset[offset : offset + size + 1])
    has_next = len(rows) > size
    return SlicePage(rows[:size], number, has_next and number < MAX_PAGE, capped=has_next and number >= MAX_PAGE)


def filtered_appeals(request, kind: ListKind) -> tuple[AppealFilter, QuerySet[Appeal], str]:
    """The list's appeals after the filters and the order of the query string."""
    filterset = AppealFilter(request.GET or None, queryset=kind.base(request.user), request=request)
    sort = request.GET.get("sort", "")
    if sort not in dict(kind.sorts):
        sort = kind.default_sort
    return filterset, filterset.qs.order_by(*SORTS[sort][1]), sort


def _style_filter_form(form) -> None:
    for name, fld in form.fields.items():
        widget = speed_up(fld.widget)
        if isinstance(widget, forms.SelectMultiple):
            widget.attrs.update({"class": "form-select form-select-sm", "size": 3})
        elif isinstance(widget, forms.NullBooleanSelect):
            widget.choices = [("unknown", "все"), ("true", "да"), ("false", "нет")]
            widget.attrs["class"] = "form-select form-select-sm"
        elif isinstance(widget, forms.Select):
            widget.attrs["class"] = "form-select form-select-sm"
        else:
            widget.attrs["class"] = "form-control form-control-sm"
        if name.startswith("registered_"):
            widget.attrs["placeholder"] = "дд.мм.гггг"


class AppealListView(HasCapability, TemplateView):
    """All appeals the user may see, with the filters and the exports."""

    kind = LISTS["list"]
    capability = kind.capability
    template_name = "appeals/list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        filterset, queryset, sort = filtered_appeals(self.request, self.kind)
        _style_filter_form(filterset.form)
        page = slice_page(queryset, self.request.GET.get("page"))
        now = timezone.now()
        page.rows = [(appeal, deadline_of(appeal, now)) for appeal in page.object_list]
        context.update(
            kind=self.kind,
            filter=filterset,
            sort=sort,
            page_obj=page,
            can_export=True,
            export_limit=exports.EXPORT_LIMIT,
            can_register=can(self.request.user, "appeals.register"),
        )
        return context


class TriageQueueView(AppealListView):
    """New and reopened appeals waiting for an operator; bulk actions on the selected ones."""

    kind = LISTS["queue"]
    capability = kind.capability
    template_name = "appeals/queue.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["bulk_form"] = f.BulkActionForm(
            user=self.request.user,
            incidents=_open_incidents(self.request.user),
            initial={"return_query": self.request.GET.urlencode()},
        )
        return context


class MyAppealsView(AppealListView):
    """The executor's list: appeals of their organisation, open ones first by due date."""

    kind = LISTS["my"]
    capability = kind.capability
    template_name = "appeals/my.html"


class ExportView(HasCapability, View):
    """A filtered list as CSV or XLSX: `?source=queue|list|my` and the list's own query string."""

    capability = "appeals.view"
    fmt = "csv"

    def get(self, request):
        kind = LISTS.get(request.GET.get("source", "list"), LISTS["list"])
        if not can(request.user, kind.capability):
            raise PermissionDenied("Недостаточно прав.")
        _, queryset, _ = filtered_appeals(request, kind)
        filename = f"appeals-{timezone.localtime():%Y%m%d-%H%M}"
        if self.fmt == "xlsx":
            return exports.xlsx_response(queryset, request.user, filename=filename, filters=request.GET)
        return exports.csv_response(queryset, request.user, filename=filename, filters=request.GET)


def _safe_query(raw: str) -> str:
    """A query string from a form, re-encoded (it only ever follows our own path)."""
    query = QueryDict(raw or "", mutable=True)
    query.pop("page", None)
    encoded = query.urlencode()
    return f"?{encoded}" if encoded else ""


class BulkActionView(HasCapability, View):
    """The queue's bulk action: one service call per selected appeal, each success or refusal reported."""

    capability = "appeals.triage"
    http_method_names = ["post"]

    def post(self, request):
        user = request.user
        form = f.BulkActionForm(request.POST, user=user, incidents=_open_incidents(user))
        back = reverse("appeals:queue") + _safe_query(request.POST.get("return_query", ""))
        if not form.is_valid():
            messages.error(request, f.errors_text(form))
            return redirect(back)
        data = form.cleaned_data
        found = {a.pk: a for a in selectors.appeals_visible_to(user).filter(pk__in=data["ids"])}
        done, failed = [], []
        for pk in data["ids"]:
            appeal = found.get(pk)
            if appeal is None:
                failed.append(f"обращение {pk} не найдено")
                continue
            try:
                self.perform(data, appeal, user)
            except (DomainError, ValidationError) as exc:
                failed.append(f"№ {appeal.number}: {_error_text(exc)}")
            else:
                done.append(f"№ {appeal.number}")
        label = dict(form.ACTIONS)[data["action"]]
        if done:
            messages.success(request, f"{label}: выполнено для {len(done)} — {', '.join(done)}.")
        if failed:
            messages.error(request, f"{label}: не выполнено для {len(failed)}. " + "; ".join(failed) + ".")
        return redirect(back)

    @staticmethod
    def perform(data: dict, appeal: Appeal, user) -> None:
        action = data["action"]
        if action == f.BulkActionForm.ASSIGN:
            services.assign_appeal(appeal, organisation=data["organisation"], by=user)
        elif action == f.BulkActionForm.CLASSIFY:
            services.set_classification(appeal, by=user, sector_block=data["sector_block"], topic=data["topic"])
        elif action == f.BulkActionForm.LINK_INCIDENT:
            services.link_to_incident(appeal, incident=data["incident"], by=user)
        elif action == f.BulkActionForm.REJECT_DUPLICATE:
            services.reject_appeal(
                appeal, reason=Appeal.RejectReason.DUPLICATE, by=user, duplicate_of=data["duplicate_of"]
            )


# --- registration ----------------------------------------------------------------------------


class AppealCreateView(HasCapability, FormView):
    """The operator registers an appeal received by phone, letter, in person…"""

    capability = "appeals.register"
    template_name = "appeals/create.html"
    form_class = f.AppealCreateForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def get_initial(self):
        return {"received_at": timezone.localtime().replace(second=0, microsecond=0)}

    def form_valid(self, form):
        data = {k: v for k, v in form.cleaned_data.items() if v not in (None, "")}
        try:
            appeal, created = services.register_appeal(by=self.request.user, **data)
        except DomainError as exc:
            form.add_error(None, exc.message)
            return self.form_invalid(form)
        except ValidationError as exc:
            errors = exc.error_dict if hasattr(exc, "error_dict") else {None: exc.error_list}
            for name, errs in errors.items():
                form.add_error(name if name in form.fields else None, errs)
            return self.form_invalid(form)
        if created:
            messages.success(self.request, f"Обращение № {appeal.number} зарегистрировано.")
        else:
            messages.info(self.request, f"Это сообщение уже зарегистрировано: обращение № {appeal.number}.")
        return redirect("appeals:appeal-detail", pk=appeal.pk)


# --- the appeal page ------------------------------------------------------------------------


OPEN = Appeal.OPEN_STATUSES
TRIAGE_ACTIONS: dict[str, tuple[str, ...]] = {
    "accept_suggestion": OPEN,
    "classify": OPEN,
    "assign": (S.NEW, S.REOPENED),
    "redirect": (S.ASSIGNED, S.IN_PROGRESS, S.RETURNED),
    "extend": services.EXTENDABLE_STATUSES,
    "receive_info": (S.INFO_REQUESTED,),
    "check_quality": (S.ANSWERED, S.CLOSED),
    "return": (S.ANSWERED,),
    "close": (S.ANSWERED,),
    "satisfaction": (S.ANSWERED, S.CLOSED),
    "reopen": (S.ANSWERED, S.CLOSED),
    "reject": (S.NEW, S.REOPENED, S.ASSIGNED),
    "link_incident": tuple(S.values),
    "unlink_incident": tuple(S.values),
}
EXECUTOR_ACTIONS: dict[str, tuple[str, ...]] = {
    "start": (S.ASSIGNED, S.RETURNED),
    "request_info": (S.ASSIGNED, S.IN_PROGRESS, S.RETURNED),
    "receive_info": (S.INFO_REQUESTED,),
    "answer": (S.ASSIGNED, S.IN_PROGRESS, S.RETURNED),
    "request_extension": services.EXTENDABLE_STATUSES,
}


def is_own_executor(user, appeal: Appeal) -> bool:
    return (
        can(user, "appeals.answer")
        and user.organisation_id is not None
        and appeal.organisation_id == user.organisation_id
    )


def available_actions(user, appeal: Appeal) -> set[str]:
    """The actions the page offers: by the user's capabilities and the appeal's status."""
    actions: set[str] = set()
    if can(user, "appeals.triage"):
        actions |= {name for name, statuses in TRIAGE_ACTIONS.items() if appeal.status in statuses}
        if appeal.suggested_sector_block_id is None and appeal.suggested_topic_id is None:
            actions.discard("accept_suggestion")
        if appeal.incident_id is None:
            actions.discard("unlink_incident")
    if is_own_executor(user, appeal):
        actions |= {name for name, statuses in EXECUTOR_ACTIONS.items() if appeal.status in statuses}
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
        "link_incident": lambda kw: f.IncidentLinkForm(**kw, incidents=_open_incidents(user)),
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
        "is_executor": is_own_executor(user, appeal),
        "can_triage": can(user, "appeals.triage"),
    }


class AppealDetailView(HasCapability, View):
    capability = "appeals.view"

    def get(self, request, pk: int):
        appeal = _appeal_or_404(request.user, pk)
        return TemplateResponse(request, "appeals/detail.html", detail_context(request, appeal))


class RevealPersonalDataView(HasCapability, View):
    """Shows the applicant's personal data unmasked in this one response; the view is logged."""

    capability = "appeals.personal_data"
    http_method_names = ["post"]

    def post(self, request, pk: int):
        appeal = _appeal_or_404(request.user, pk)
        services.log_personal_data_view(appeal, by=request.user)
        response = TemplateResponse(request, "appeals/detail.html", detail_context(request, appeal, reveal=True))
        response["Cache-Control"] = "no-store"
        return response


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
        appeal = _appeal_or_404(user, pk)
        if self.who == "executor" and not is_own_executor(user, appeal):
            raise Http404("Обращение не найдено.")
        if self.who == "either" and not can(user, "appeals.triage") and not is_own_executor(user, appeal):
            raise Http404("Обращение не найдено.")
        form = self.get_form(appeal)
        if not form.is_valid():
            messages.error(request, f.errors_text(form))
        else:
            try:
                self.perform(appeal, form.cleaned_data, user)
            except (DomainError, ValidationError) as exc:
                messages.error(request, _error_text(exc))
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


def extension_recipients(appeal: Appeal) -> list[User]:
    """Who decides on an extension: the ЦУР operators and the МЦУ operators of the appeal's territory."""
    operators = Q(role=Role.OPERATOR)
    if appeal.territory_id:
        operators |= Q(role=Role.MUNICIPAL_OPERATOR, territory_id=appeal.territory_id)
    return list(User.objects.filter(operators, is_active=True))


class RequestExtensionView(AppealActionView):
    """The executor asks for an extension; the operators decide (an extension is theirs, and it is
    the extension, not the request, that changes the appeal and writes its event)."""

    who = "executor"
    form_class = f.ExtendForm
    success_message = "Запрос на продление срока отправлен операторам ЦУР."

    def perform(self, appeal, data, user):
        if appeal.status not in EXECUTOR_ACTIONS["request_extension"]:
            raise DomainError(
                f"Нельзя запросить продление: обращение № {appeal.number} в статусе «{appeal.get_status_display()}»."
            )
        notify(
            extension_recipients(appeal),
            title=f"Запрос продления срока по обращению № {appeal.number}",
            body=f"{user.organisation} просит продлить срок до {data['due_date']:%d.%m.%Y}. Причина: {data['reason']}",
            url=reverse("appeals:appeal-detail", args=[appeal.pk]),
        )


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
        return f.IncidentLinkForm(self.request.POST, incidents=_open_incidents(self.request.user))

    def perform(self, appeal, data, user):
        services.link_to_incident(appeal, incident=data["incident"], by=user)


class UnlinkIncidentView(AppealActionView):
    success_message = "Обращение отвязано от инцидента."

    def perform(self, appeal, data, user):
        services.unlink_from_incident(appeal, by=user)


# --- incidents -----------------------------------------------------------------------------


def _incident_or_404(user, pk: int) -> Incident:
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
        page = Paginator(incidents.order_by("-created_at", "-pk"), PAGE_SIZE).get_page(self.request.GET.get("page"))
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
            form.add_error(None, _error_text(exc))
            return self.form_invalid(form)
        messages.success(self.request, "Инцидент создан.")
        return redirect("appeals:incident-detail", pk=incident.pk)


INCIDENT_APPEALS_LIMIT = 500


class IncidentDetailView(HasCapability, View):
    capability = "appeals.view"

    def get(self, request, pk: int):
        incident = _incident_or_404(request.user, pk)
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
        incident = _incident_or_404(request.user, pk)
        form = f.IncidentStatusForm(request.POST)
        if not form.is_valid():
            messages.error(request, f.errors_text(form))
        else:
            try:
                services.set_incident_status(incident, status=form.cleaned_data["status"], by=request.user)
            except (DomainError, ValidationError) as exc:
                messages.error(request, _error_text(exc))
            else:
                messages.success(request, "Статус инцидента изменён.")
        return redirect("appeals:incident-detail", pk=incident.pk)
