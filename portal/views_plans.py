"""Pages of indicators, roadmaps, best practices and trainings."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from cur.errors import DomainError
from cur.roles import can
from ratings import periods

from . import charts, selectors
from . import services_plans as plans
from .forms import (
    BestPracticeForm,
    CommentForm,
    IndicatorForm,
    IndicatorValueForm,
    MeasureForm,
    MeasureUpdateForm,
    PeriodField,
    PracticeStatusForm,
    RoadmapForm,
    TrainingForm,
)
from .models import BestPractice, Roadmap, RoadmapMeasure
from .views import PAGE_SIZE, capability, fetch, run


def _errors(request, form) -> None:
    messages.error(request, "; ".join(e for errors in form.errors.values() for e in errors))


# --- indicators ---------------------------------------------------------------------------------------


@capability("portal.web")
def indicator_dashboard(request):
    period = periods.previous_month()
    raw = request.GET.get("period", "")
    if raw:
        try:
            period = PeriodField().clean(raw)
        except ValidationError:  # a bad period: the default, with a note
            messages.warning(request, "Неверный период: показан прошлый месяц.")
    rows = selectors.indicator_dashboard(request.user, period.kind, period.start, period.end)
    return render(request, "portal/indicator_dashboard.html", {"rows": rows, "period": period})


@capability("portal.web")
def indicator_list(request):
    indicators = selectors.indicators_visible_to(request.user)
    may_create = can(request.user, "portal.indicators.manage") or can(request.user, "portal.indicators.propose")
    return render(
        request,
        "portal/indicator_list.html",
        {
            "indicators": indicators,
            "may_create": may_create,
            "may_decide": can(request.user, "portal.approve"),
            "form": IndicatorForm(user=request.user) if may_create else None,
            "value_form": IndicatorValueForm(),
        },
    )


@capability("portal.web")
@require_POST
def indicator_create(request):
    form = IndicatorForm(request.POST, user=request.user)
    if not form.is_valid():
        _errors(request, form)
        return redirect("portal:indicator-list")
    data = form.cleaned_data
    if can(request.user, "portal.indicators.manage"):
        run(request, lambda: plans.create_indicator(by=request.user, **data), "Показатель добавлен.")
    else:
        run(request, lambda: plans.propose_indicator(by=request.user, **data), "Показатель предложен куратору.")
    return redirect("portal:indicator-list")


@capability("portal.approve")
@require_POST
def indicator_decide(request, pk: int):
    indicator = fetch(lambda u, k: selectors.indicators_visible_to(u).get(pk=k), request.user, pk)
    form = CommentForm(request.POST)
    comment = form.cleaned_data["comment"] if form.is_valid() else ""
    approve = request.POST.get("decision") == "approve"
    run(
        request,
        lambda: plans.decide_indicator(indicator, by=request.user, approve=approve, comment=comment),
        "Решение принято.",
    )
    return redirect("portal:indicator-list")


@capability("portal.web")
@require_POST
def indicator_value(request, pk: int):
    indicator = fetch(lambda u, k: selectors.indicators_visible_to(u).get(pk=k), request.user, pk)
    form = IndicatorValueForm(request.POST)
    if not form.is_valid():
        _errors(request, form)
        return redirect("portal:indicator-list")
    d = form.cleaned_data
    run(
        request,
        lambda: plans.set_indicator_value(
            indicator,
            by=request.user,
            period_kind=d["period"].kind,
            period_start=d["period"].start,
            target=d["target"],
            actual=d["actual"],
        ),
        "Значение сохранено.",
    )
    return redirect("portal:indicator-list")


# --- roadmaps -----------------------------------------------------------------------------------------


@capability("portal.web")
def roadmap_list(request):
    qs = selectors.roadmaps_visible_to(request.user)
    status = request.GET.get("status", "")
    if status in Roadmap.Status.values:
        qs = qs.filter(status=status)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    form = RoadmapForm(user=request.user) if can(request.user, "portal.roadmaps.write") else None
    return render(
        request,
        "portal/roadmap_list.html",
        {"page_obj": page, "form": form, "status": status, "statuses": Roadmap.Status.choices},
    )


@capability("portal.roadmaps.write")
@require_POST
def roadmap_create(request):
    form = RoadmapForm(request.POST, user=request.user)
    if not form.is_valid():
        _errors(request, form)
        return redirect("portal:roadmap-list")
    try:
        roadmap = plans.create_roadmap(by=request.user, **form.cleaned_data)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("portal:roadmap-list")
    messages.success(request, "Дорожная карта создана: добавьте мероприятия.")
    return redirect("portal:roadmap-detail", roadmap.pk)


@capability("portal.web")
def roadmap_detail(request, pk: int):
    roadmap = fetch(selectors.roadmap_for, request.user, pk)
    today = periods.today()
    measures = selectors.roadmap_measures(roadmap)
    for measure in measures:
        measure.overdue = selectors.is_overdue(measure, today)
    effect = selectors.roadmap_effect(roadmap, today=today)
    may_write = selectors.may_write_roadmap(request.user, roadmap)
    return render(
        request,
        "portal/roadmap_detail.html",
        {
            "roadmap": roadmap,
            "measures": measures,
            "effect": effect,
            "chart": charts.roadmap_effect_json(effect),
            "may_write": may_write,
            "may_decide": can(request.user, "portal.approve"),
            "measure_form": MeasureForm() if may_write else None,
            "comment_form": CommentForm(),
            "statuses": RoadmapMeasure.Status.choices,
        },
    )


def _roadmap_action(request, pk: int, action, success: str):
    roadmap = fetch(selectors.roadmap_for, request.user, pk)
    run(request, lambda: action(roadmap), success)
    return redirect("portal:roadmap-detail", roadmap.pk)


@capability("portal.roadmaps.write")
@require_POST
def roadmap_measure_add(request, pk: int):
    roadmap = fetch(selectors.roadmap_for, request.user, pk)  # scoped first: a foreign roadmap is a 404
    form = MeasureForm(request.POST)
    if not form.is_valid():
        _errors(request, form)
        return redirect("portal:roadmap-detail", roadmap.pk)
    return _roadmap_action(
        request, pk, lambda r: plans.add_measure(r, by=request.user, **form.cleaned_data), "Мероприятие добавлено."
    )


@capability("portal.roadmaps.write")
@require_POST
def roadmap_measure_update(request, pk: int):
    measure = get_object_or_404(RoadmapMeasure.objects.select_related("roadmap"), pk=pk)
    fetch(selectors.roadmap_for, request.user, measure.roadmap_id)  # a foreign roadmap is a 404
    form = MeasureUpdateForm(request.POST)
    if not form.is_valid():
        _errors(request, form)
    else:
        run(request, lambda: plans.update_measure(measure, by=request.user, **form.cleaned_data), "Сохранено.")
    return redirect("portal:roadmap-detail", measure.roadmap_id)


@capability("portal.roadmaps.write")
@require_POST
def roadmap_submit(request, pk: int):
    return _roadmap_action(
        request, pk, lambda r: plans.submit_roadmap(r, by=request.user), "Дорожная карта направлена куратору."
    )


@capability("portal.approve")
@require_POST
def roadmap_decide(request, pk: int):
    form = CommentForm(request.POST)
    comment = form.cleaned_data["comment"] if form.is_valid() else ""
    approve = request.POST.get("decision") == "approve"
    return _roadmap_action(
        request,
        pk,
        lambda r: plans.decide_roadmap(r, by=request.user, approve=approve, comment=comment),
        "Решение принято.",
    )


@capability("portal.roadmaps.write")
@require_POST
def roadmap_complete(request, pk: int):
    return _roadmap_action(
        request, pk, lambda r: plans.complete_roadmap(r, by=request.user), "Дорожная карта исполнена."
    )


# --- best practices and trainings ---------------------------------------------------------------------


@capability("portal.web")
def practice_list(request):
    status = request.GET.get("status", "")
    qs = selectors.best_practices(status=status if status in BestPractice.Status.values else "")
    form = BestPracticeForm(request.POST or None) if can(request.user, "portal.registry.write") else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied("Недостаточно прав.")
        if form.is_valid():
            run(
                request, lambda: plans.create_best_practice(by=request.user, **form.cleaned_data), "Практика добавлена."
            )
            return redirect("portal:practice-list")
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "portal/practice_list.html",
        {"page_obj": page, "form": form, "status": status, "statuses": BestPractice.Status.choices},
    )


@capability("portal.registry.write")
@require_POST
def practice_status(request, pk: int):
    practice = get_object_or_404(BestPractice, pk=pk)
    form = PracticeStatusForm(request.POST)
    if form.is_valid():
        run(
            request,
            lambda: plans.set_best_practice_status(practice, by=request.user, status=form.cleaned_data["status"]),
            "Статус изменён.",
        )
    return redirect("portal:practice-list")


@capability("portal.web")
def training_list(request):
    form = TrainingForm(request.POST or None) if can(request.user, "portal.registry.write") else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied("Недостаточно прав.")
        if form.is_valid():
            data = dict(form.cleaned_data)
            organisations, participants = list(data.pop("organisations")), list(data.pop("participants"))
            run(
                request,
                lambda: plans.create_training(
                    by=request.user, organisations=organisations, participants=participants, **data
                ),
                "Мероприятие добавлено.",
            )
            return redirect("portal:training-list")
    page = Paginator(selectors.trainings(), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "portal/training_list.html", {"page_obj": page, "form": form})
