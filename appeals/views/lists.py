"""The lists of appeals: all appeals the user may see, the operator's triage queue with its bulk
actions, the executor's list — with their filters, orders and pages without a COUNT(*).

Each view does three steps (DESIGN §5): a scoped fetch through `appeals.selectors` (an appeal
outside `appeals_visible_to(user)` is a 404), validation by a form, one call of
`appeals.services`. A refusal of the service (`DomainError`) becomes a flash message.
"""

from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Case, F, IntegerField, QuerySet, Value, When
from django.db.models.functions import Coalesce
from django.http import QueryDict
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.views import View
from django.views.generic import TemplateView

from cur.errors import DomainError
from cur.permissions import HasCapability
from cur.roles import can
from cur.web.dates import date_errors
from cur.web.pagination import slice_page
from cur.web.views import error_text, errors_text, rejected
from cur.widgets import speed_up

from .. import selectors, services
from ..filters import AppealFilter
from ..models import Appeal
from . import exports
from . import forms as f
from .base import deadline_of, open_incidents

S = Appeal.Status


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
            incidents=open_incidents(self.request.user),
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
        filterset, queryset, _ = filtered_appeals(request, kind)
        if date_errors(filterset.form):  # other bad filters are ignored, as on the list page
            return rejected(filterset.form)
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
        form = f.BulkActionForm(request.POST, user=user, incidents=open_incidents(user))
        back = reverse("appeals:queue") + _safe_query(request.POST.get("return_query", ""))
        if not form.is_valid():
            messages.error(request, errors_text(form))
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
                failed.append(f"№ {appeal.number}: {error_text(exc)}")
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
