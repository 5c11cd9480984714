"""Pages of problem points, «Перечень региональных проблем» and poll results: a scoped fetch (a point
outside the user's scope is a 404), a form, one service call; a refusal of the service is a message."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views import View
from django.views.generic import FormView

from appeals.selectors import incidents_visible_to
from cur.errors import DomainError
from cur.permissions import HasCapability
from cur.roles import can
from sectors.models import SectorBlock

from . import exports, reports, selectors, services
from .forms import PollImportForm, ProblemActionForm
from .models import PollImport, ProblemPoint
from .polls import TEMPLATE_HEADER
from .scope import scope_for
from .selectors import HeatQuery
from .views import ScopedPage

PAGE_SIZE = 50
ACTIONS = {
    "confirm": ("Подтвердить", services.confirm_problem_point),
    "roadmap": ("Включить в дорожную карту", services.add_to_roadmap),
    "resolve": ("Отметить решённой", services.resolve_problem_point),
    "dismiss": ("Отклонить", services.dismiss_problem_point),
}
# The actions offered in each status.
OFFERED = {
    ProblemPoint.Status.NEW: ("confirm", "dismiss"),
    ProblemPoint.Status.CONFIRMED: ("roadmap", "resolve"),
    ProblemPoint.Status.ROADMAP: ("resolve",),
}


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() and len(value) < 12 else None


class ProblemListView(ScopedPage):
    """Problem points with their status and who confirmed them; filters by status, kind, territory, block."""

    template_name = "heatmap/problems.html"
    section = "problems"

    def get_context_data(self, **kwargs):
        get = self.request.GET
        qs = selectors.problem_points_visible_to(self.request.user)
        status = get.get("status", "open")
        if status == "open":
            qs = qs.filter(status__in=ProblemPoint.OPEN_STATUSES)
        elif status in ProblemPoint.Status.values:
            qs = qs.filter(status=status)
        else:
            status = "all"
        kind = get.get("kind", "")
        if kind in ProblemPoint.Kind.values:
            qs = qs.filter(kind=kind)
        territory, block = _int(get.get("territory")), _int(get.get("sector"))
        if territory:
            qs = qs.filter(territory_id=territory)
        if block:
            qs = qs.filter(sector_block_id=block)
        page = Paginator(qs.order_by("-last_detected_at", "-id"), PAGE_SIZE).get_page(get.get("page"))
        blocks = self.allowed_blocks or list(SectorBlock.objects.filter(is_active=True))
        municipal = [p for p in selectors.places().municipal if self.scope.allows_territory(p.id)]
        return super().get_context_data(
            page_obj=page, status=status, kind=kind, territory=territory, block=block, blocks=blocks,
            territories=municipal, statuses=[("open", "Открытые"), *ProblemPoint.Status.choices, ("all", "Все")],
            kinds=ProblemPoint.Kind.choices, **kwargs,
        )  # fmt: skip


def _point_or_404(user, pk: int) -> ProblemPoint:
    return get_object_or_404(selectors.problem_points_visible_to(user), pk=pk)


class ProblemDetailView(ScopedPage):
    template_name = "heatmap/problem_detail.html"
    section = "problems"

    def get_context_data(self, **kwargs):
        point = _point_or_404(self.request.user, kwargs["pk"])
        window = HeatQuery(point.window_start, point.window_end)
        incidents = incidents_visible_to(self.request.user).filter(topic_id=point.topic_id,
                                                                   territory_id=point.territory_id)  # fmt: skip
        polls = selectors.poll_results_by_pair(self.request.user, [(point.territory_id, point.topic_id)])
        offered = OFFERED.get(point.status, ()) if can_act(self.request.user) else ()
        return super().get_context_data(
            point=point, actions=[(a, ACTIONS[a][0]) for a in offered], form=ProblemActionForm(),
            appeals_url=reports.appeals_url(window, territory_id=point.territory_id, topic_code=point.topic.code),
            focus_url=f"{reverse('heatmap:focus')}?territory={point.territory_id}&topic={point.topic.code}",
            incidents=list(incidents[:10]), polls=polls.get((point.territory_id, point.topic_id), []), **kwargs,
        )  # fmt: skip


def can_act(user) -> bool:
    return can(user, "heatmap.problems.confirm")


class ProblemActionView(HasCapability, View):
    """POST: confirm, take into a roadmap, resolve or dismiss a point (heatmap.problems.confirm)."""

    capability = "heatmap.problems.confirm"

    def post(self, request, pk: int, action: str):
        if action not in ACTIONS:
            raise Http404("Нет такого действия.")
        point = _point_or_404(request.user, pk)
        form = ProblemActionForm(request.POST)
        if not form.is_valid():
            messages.error(request, "Проверьте комментарий: " + "; ".join(e for es in form.errors.values() for e in es))
            return redirect("heatmap:problem-detail", pk=point.pk)
        label, service = ACTIONS[action]
        data = form.cleaned_data
        try:
            if action == "roadmap":
                service(point, by=request.user, roadmap_note=data["roadmap_note"])
            else:
                service(point, by=request.user, comment=data["comment"])
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"Готово: {label.lower()}.")
        return redirect("heatmap:problem-detail", pk=point.pk)


class RegionalProblemsView(ScopedPage):
    """«Перечень региональных проблем» (Правила, п. 15): the confirmed problem points; CSV and XLSX."""

    template_name = "heatmap/regional_problems.html"
    section = "problems"
    fmt = ""

    def get(self, request, *args, **kwargs):
        if not self.fmt:
            return super().get(request, *args, **kwargs)
        points = selectors.regional_problems(request.user)
        return exports.respond(
            self.fmt, exports.PROBLEM_HEADERS, exports.problem_rows(points),
            filename="perechen-regionalnyh-problem", title="Перечень региональных проблем",
        )  # fmt: skip

    def get_context_data(self, **kwargs):
        points = list(selectors.regional_problems(self.request.user)[:500])
        return super().get_context_data(points=points, **kwargs)


class PollListView(ScopedPage):
    """Results of polls, votes and public discussions in the user's scope, and the imports."""

    template_name = "heatmap/polls.html"
    section = "priorities"

    def get_context_data(self, **kwargs):
        results = selectors.poll_results_visible_to(self.request.user).order_by("-held_on", "-id")
        page = Paginator(results, PAGE_SIZE).get_page(self.request.GET.get("page"))
        imports = PollImport.objects.filter(created_by=self.request.user)[:10]
        return super().get_context_data(page_obj=page, imports=list(imports), form=PollImportForm(),
                                        template_header=";".join(TEMPLATE_HEADER), **kwargs)  # fmt: skip


class PollImportView(HasCapability, FormView):
    """Upload a CSV of results: bad rows are listed with their line numbers, good ones imported once."""

    capability = "heatmap.problems.confirm"
    form_class = PollImportForm
    template_name = "heatmap/poll_import.html"

    def form_valid(self, form):
        upload = form.cleaned_data["file"]
        try:
            batch = services.import_poll_results(upload.read(), name=upload.name, by=self.request.user,
                                                 scope=scope_for(self.request.user))  # fmt: skip
        except DomainError as exc:
            form.add_error("file", exc.message)
            return self.form_invalid(form)
        return redirect("heatmap:poll-import-detail", pk=batch.pk)

    def get_context_data(self, **kwargs):
        kwargs.setdefault("template_header", ";".join(TEMPLATE_HEADER))
        kwargs.setdefault("section", "priorities")
        return super().get_context_data(**kwargs)


class PollImportDetailView(ScopedPage):
    template_name = "heatmap/poll_import_detail.html"
    section = "priorities"

    def get_context_data(self, **kwargs):
        batch = get_object_or_404(PollImport, pk=kwargs["pk"], created_by=self.request.user)
        return super().get_context_data(batch=batch, **kwargs)
