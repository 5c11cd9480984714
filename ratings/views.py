"""Pages of ratings: the newest ratings, runs, a rating table, a subject, the appeals behind a number,
the methodology, computing a period, exports.

Three steps per view (DESIGN §5): a fetch through `ratings.selectors` (a missing run or subject is a
404; the appeals behind a number are scoped by `appeals_visible_to`), validation by a form, one call
of `ratings.services`; a refusal of the service (`DomainError`) becomes a form error or a message.
"""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.functional import cached_property
from django.views import View
from django.views.generic import FormView, TemplateView

from cur.errors import DomainError
from cur.permissions import HasCapability
from cur.roles import can
from sectors.models import SectorBlock

from . import charts, exports, indicators, selectors, services
from .forms import ComputeForm, MethodologyForm, TableForm
from .models import Level, PeriodKind, RatingEntry, RatingMethodology, RatingRun

DRILL_PAGE_SIZE = 50
PARTS = {"numerator": "числитель", "denominator": "знаменатель"}


def _run_or_404(pk: int) -> RatingRun:
    return get_object_or_404(RatingRun.objects.select_related("methodology", "created_by"), pk=pk)


def _entry_or_404(run: RatingRun, subject_id: int) -> RatingEntry:
    try:
        return selectors.entry_of(run, subject_id)
    except RatingEntry.DoesNotExist:
        raise Http404("Субъекта нет в этом рейтинге.") from None


def _specs_with_weights(run: RatingRun) -> list[tuple]:
    """(spec, the run methodology's indicator row) in the published order."""
    rows = {i.code: i for i in run.methodology.indicators.all()}
    return [(spec, rows.get(spec.code)) for spec in indicators.SPECS]


def _columns(sort: str) -> list[dict]:
    """Sortable headers: a click sorts by the column, a second click reverses."""
    columns = [("rank", "Место", True), ("name", "Субъект", False), ("score", "Балл", True)]
    columns += [(spec.code, spec.name, True) for spec in indicators.SPECS]
    return [
        {"key": key, "label": label, "numeric": numeric, "next": f"-{key}" if sort == key else key,
         "arrow": "↑" if sort == key else "↓" if sort == f"-{key}" else ""}
        for key, label, numeric in columns
    ]  # fmt: skip


class NavContext:
    # What the section's own menu (ratings/_nav.html) needs.
    def get_context_data(self, **kwargs):
        kwargs.setdefault("can_compute", can(self.request.user, "ratings.compute"))
        return super().get_context_data(**kwargs)


class Page(NavContext, HasCapability, TemplateView):
    # Every page of the section that staff read.
    capability = "ratings.web"


class IndexView(Page):
    """The newest rating of each level, its leaders, and the way to everything else."""

    template_name = "ratings/index.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            levels=selectors.newest_runs(), methodology=selectors.methodology_to_show(), **kwargs
        )


class RunListView(Page):
    template_name = "ratings/run_list.html"

    def get_context_data(self, **kwargs):
        level = self.request.GET.get("level", "")
        kind = self.request.GET.get("period_kind", "")
        level = level if level in Level.values else ""
        kind = kind if kind in PeriodKind.values else ""
        page = Paginator(selectors.runs(level=level, period_kind=kind), 50).get_page(self.request.GET.get("page"))
        return super().get_context_data(
            page_obj=page, level=level, period_kind=kind, levels=Level.choices, period_kinds=PeriodKind.choices,
            **kwargs,
        )  # fmt: skip


def _table(request, run: RatingRun) -> tuple[list[selectors.Row], selectors.RatingRun | None, dict, list]:
    query = TableForm(request.GET).values()
    rows, previous = selectors.table_rows(run)
    choices = selectors.filter_choices(rows)
    shown = selectors.filter_rows(rows, sector=query["sector"], territory=query["territory"], kind=query["kind"])
    return selectors.sort_rows(shown, query["sort"]), previous, query, choices


class RunDetailView(Page):
    """A rating table: sortable by any indicator, filtered, with the change against the previous period."""

    template_name = "ratings/run_detail.html"

    def get_context_data(self, pk: int, **kwargs):
        run = _run_or_404(pk)
        context = {"run": run, "specs": _specs_with_weights(run), "parts": PARTS}
        if can(self.request.user, "ratings.compute"):  # «Пересчитать»: the same period, the current methodology
            current = services.current_methodology()
            context |= {"current_version": current.version if current else "",
                        "run_quarter": (run.period_start.month - 1) // 3 + 1}  # fmt: skip
        if run.is_done:
            rows, previous, query, choices = _table(self.request, run)
            names = dict(SectorBlock.objects.filter(code__in=choices["sector"]).values_list("code", "name"))
            choices["sector"] = [(code, names.get(code, code)) for code in choices["sector"]]
            context.update(rows=rows, previous=previous, query=query, choices=choices, total=run.subject_count,
                           columns=_columns(query["sort"]))  # fmt: skip
        return super().get_context_data(**context, **kwargs)


class ExportView(HasCapability, View):
    capability = "ratings.web"
    fmt = "csv"

    def get(self, request, pk: int):
        run = _run_or_404(pk)
        if not run.is_done:
            raise Http404("Рейтинг ещё не рассчитан.")
        rows, _, _, _ = _table(request, run)
        filename = f"rating-{run.level}-{run.period_start:%Y%m%d}-{run.period_end:%Y%m%d}-{run.pk}"
        if self.fmt == "xlsx":
            return exports.xlsx_response(run, rows, filename=filename)
        return exports.csv_response(run, rows, filename=filename)


class SubjectView(Page):
    """One subject of a run: every indicator with its numbers, its place and score over time."""

    template_name = "ratings/subject.html"

    def get_context_data(self, pk: int, subject_id: int, **kwargs):
        run = _run_or_404(pk)
        entry = _entry_or_404(run, subject_id)
        history = selectors.subject_history(run, subject_id)
        context = {
            "run": run, "entry": entry, "specs": _specs_with_weights(run), "parts": PARTS, "history": history,
            "figure": charts.rank_and_score_figure(history),
        }  # fmt: skip
        if run.level == Level.SECTOR_BLOCK:
            context["current_holders"] = selectors.current_block_holders(subject_id)
        return super().get_context_data(**context, **kwargs)


class DrilldownView(Page):
    """The appeals behind one number of a subject, among those the user may see."""

    template_name = "ratings/drilldown.html"

    def get_context_data(self, pk: int, subject_id: int, code: str, **kwargs):
        run = _run_or_404(pk)
        entry = _entry_or_404(run, subject_id)
        part = self.request.GET.get("part", "numerator")
        if code not in indicators.CODES or part not in PARTS:
            raise Http404("Нет такого показателя.")
        qs = selectors.appeals_behind(self.request.user, run, entry, code, part)
        page = Paginator(qs, DRILL_PAGE_SIZE).get_page(self.request.GET.get("page"))
        return super().get_context_data(
            run=run, entry=entry, spec=indicators.spec(code), part=part, part_name=PARTS[part], page_obj=page,
            counted=selectors.counted_in(entry, code, part), **kwargs,
        )  # fmt: skip


class MethodologyView(Page):
    """The methodology in plain Russian: every indicator's definition, weight, direction; all versions."""

    template_name = "ratings/methodology.html"

    def get_context_data(self, version: int | None = None, **kwargs):
        versions = list(selectors.methodologies())
        if version is None:
            shown = selectors.methodology_to_show()
        else:
            shown = next((m for m in versions if m.version == version), None)
            if shown is None:
                raise Http404("Нет такой версии методики.")
        user = self.request.user
        rows = {i.code: i for i in shown.indicators.all()} if shown else {}
        return super().get_context_data(
            methodology=shown, versions=versions, specs=[(spec, rows.get(spec.code)) for spec in indicators.SPECS],
            period_note=indicators.PERIOD_NOTE, subject_note=indicators.SUBJECT_NOTE,
            can_edit=can(user, "ratings.methodology.edit"), can_approve=can(user, "ratings.methodology.approve"),
            **kwargs,
        )  # fmt: skip


class MethodologyEditView(NavContext, HasCapability, FormView):
    """Edit the draft, or start a new version from the newest one (an approved version never changes)."""

    capability = "ratings.methodology.edit"
    template_name = "ratings/methodology_form.html"
    form_class = MethodologyForm

    @cached_property
    def base(self) -> RatingMethodology | None:
        return selectors.draft_methodology() or selectors.methodologies().first()

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "methodology": self.base}

    def get_context_data(self, **kwargs):
        return super().get_context_data(base=self.base, **kwargs)

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            methodology = services.save_methodology(
                by=self.request.user, name=data["name"], description=data["description"],
                min_appeals=data["min_appeals"], indicator_settings=form.indicator_settings,
            )  # fmt: skip
        except DomainError as exc:
            form.add_error(None, exc.message)
            return self.form_invalid(form)
        messages.success(self.request, f"Сохранён черновик версии {methodology.version}. Его утверждает куратор.")
        return redirect("ratings:methodology-version", version=methodology.version)


class MethodologyApproveView(HasCapability, View):
    capability = "ratings.methodology.approve"
    http_method_names = ["post"]

    def post(self, request, version: int):
        methodology = get_object_or_404(RatingMethodology, version=version)
        try:
            services.approve_methodology(methodology, by=request.user)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, f"Версия {version} утверждена: новые расчёты рейтинга используют её.")
        return redirect("ratings:methodology-version", version=version)


class ComputeView(NavContext, HasCapability, FormView):
    """«Рассчитать»: any ended period, one level or all three; the computation runs in the background."""

    capability = "ratings.compute"
    template_name = "ratings/compute.html"
    form_class = ComputeForm

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            created = services.request_runs(
                levels=form.levels, period=data["period"], methodology=data["methodology"], by=self.request.user
            )
        except DomainError as exc:
            form.add_error(None, exc.message)
            return self.form_invalid(form)
        messages.success(
            self.request, f"Расчёт поставлен в очередь: {data['period'].label}, уровней — {len(created)}. "
            "Прежние расчёты этого периода сохраняются.",
        )  # fmt: skip
        if len(created) == 1:
            return redirect("ratings:run-detail", pk=created[0].pk)
        return redirect(reverse("ratings:run-list"))
