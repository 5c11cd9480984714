"""Report pages: scoped fetch, validate, call the service; a DomainError becomes a flash message."""

import functools

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from cur.errors import DomainError
from cur.pdf import PdfUnavailable
from cur.roles import can

from . import charts, exports, selectors, services
from .figures import summary_rows
from .forms import CommentForm, ReportCreateForm, ReportTextForm
from .models import NARRATIVE_SECTIONS, Report

PAGE_SIZE = 30


def capability(name: str):
    """Login required, then the capability (403 without it)."""

    def decorate(view):
        @functools.wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not can(request.user, name):
                raise PermissionDenied("Недостаточно прав.")
            return view(request, *args, **kwargs)

        return wrapped

    return decorate


def fetch(getter, user, pk):
    try:
        return getter(user, pk)
    except (ObjectDoesNotExist, ValueError, OverflowError):
        raise Http404("Не найдено.") from None


def run(request, action, success: str) -> bool:
    try:
        action()
    except DomainError as exc:
        messages.error(request, exc.message)
        return False
    messages.success(request, success)
    return True


@capability("portal.web")
def report_list(request):
    qs = selectors.reports_visible_to(request.user)
    status = request.GET.get("status", "")
    if status in Report.Status.values:
        qs = qs.filter(status=status)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    form = ReportCreateForm(user=request.user) if can(request.user, "portal.reports.write") else None
    return render(
        request,
        "portal/report_list.html",
        {"page_obj": page, "form": form, "status": status, "statuses": Report.Status.choices},
    )


@capability("portal.reports.write")
@require_POST
def report_create(request):
    form = ReportCreateForm(request.POST, user=request.user)
    if form.is_valid():
        period = form.cleaned_data["period"]
        try:
            report = services.create_report(
                by=request.user, sector_block=form.block(), period_kind=period.kind, period_start=period.start
            )
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "Отчёт создан: заполните разделы и направьте куратору.")
            return redirect("portal:report-edit", report.pk)
    else:
        messages.error(request, "; ".join(e for errors in form.errors.values() for e in errors))
    return redirect("portal:report-list")


@capability("portal.web")
def report_detail(request, pk: int):
    report = fetch(selectors.report_for, request.user, pk)
    figures = selectors.report_figures(report)
    versions = selectors.report_versions(report)
    context = {
        "report": report,
        "figures": figures,
        "totals": summary_rows(figures),
        "versions": versions,
        "sections": [(label, report.narrative.get(code, "")) for code, label in NARRATIVE_SECTIONS],
        "chart": charts.daily_appeals_json(figures) if figures.get("daily") else None,
        "may_write": selectors.may_write_report(request.user, report) and report.status in Report.EDITABLE,
        "may_decide": can(request.user, "portal.approve") and report.status == Report.Status.SUBMITTED,
        "comment_form": CommentForm(),
    }
    return render(request, "portal/report_detail.html", context)


@capability("portal.reports.write")
def report_edit(request, pk: int):
    report = fetch(selectors.report_for, request.user, pk)
    if not selectors.may_write_report(request.user, report):
        raise PermissionDenied("Недостаточно прав.")
    form = ReportTextForm(request.POST or None, initial=report.narrative)
    if request.method == "POST" and form.is_valid():
        ok = run(
            request,
            lambda: services.update_report_text(report, by=request.user, narrative=form.cleaned_data),
            "Разделы сохранены.",
        )
        if ok and "submit" in request.POST:
            run(request, lambda: services.submit_report(report, by=request.user), "Отчёт направлен куратору.")
        return redirect("portal:report-detail", report.pk) if ok else redirect("portal:report-edit", report.pk)
    return render(request, "portal/report_edit.html", {"report": report, "form": form})


@capability("portal.reports.write")
@require_POST
def report_submit(request, pk: int):
    report = fetch(selectors.report_for, request.user, pk)
    run(request, lambda: services.submit_report(report, by=request.user), "Отчёт направлен куратору.")
    return redirect("portal:report-detail", report.pk)


@capability("portal.approve")
@require_POST
def report_approve(request, pk: int):
    report = fetch(selectors.report_for, request.user, pk)
    run(request, lambda: services.approve_report(report, by=request.user), "Отчёт утверждён.")
    return redirect("portal:report-detail", report.pk)


@capability("portal.approve")
@require_POST
def report_return(request, pk: int):
    report = fetch(selectors.report_for, request.user, pk)
    form = CommentForm(request.POST)
    comment = form.cleaned_data["comment"] if form.is_valid() else ""
    run(
        request,
        lambda: services.return_report(report, by=request.user, comment=comment),
        "Отчёт возвращён на доработку.",
    )
    return redirect("portal:report-detail", report.pk)


@capability("portal.web")
def report_diff(request, pk: int, number: int):
    report = fetch(selectors.report_for, request.user, pk)
    versions = {v.number: v for v in selectors.report_versions(report)}
    if number not in versions:
        raise Http404("Нет такой версии.")
    diff = selectors.version_diff(versions.get(number - 1), versions[number])
    return render(request, "portal/report_diff.html", {"report": report, **diff})


@capability("portal.web")
def report_export(request, pk: int, fmt: str):
    report = fetch(selectors.report_for, request.user, pk)
    try:
        return exports.response(report, fmt)
    except PdfUnavailable as exc:
        messages.error(request, exc.message)
        return redirect("portal:report-detail", report.pk)
