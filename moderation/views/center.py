"""The center's own pages: file import, surges, the dashboard of deadlines and quality, reports."""

import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.views import View
from django.views.generic import TemplateView

from appeals.intake.formats import ImportFileError
from cur.errors import DomainError
from cur.pdf import PdfUnavailable
from cur.permissions import HasCapability
from cur.web.pagination import page_of
from cur.web.views import ActionView, error_text, errors_text, or_404

from .. import charts, exports, intake, reports, selectors, services
from .. import forms as f
from ..models import MessageImport, ModerationReport, Surge
from .base import Page, SectionMixin

DASHBOARD_PERIODS = {"today": ("Сегодня", 0), "7": ("7 дней", 6), "30": ("30 дней", 29)}


class ImportView(Page):
    template_name = "moderation/import.html"

    def get_context_data(self, **kwargs):
        kwargs.setdefault("form", f.UploadForm())
        imports = MessageImport.objects.select_related("created_by").order_by("-created_at", "-pk")[:20]
        return super().get_context_data(imports=imports, **kwargs)

    def post(self, request):
        form = f.UploadForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        upload = form.cleaned_data["file"]
        try:
            imp = intake.import_file(upload.read(), upload.name, by=request.user)
        except (ImportFileError, DomainError) as exc:
            form.add_error("file", error_text(exc))
            return self.render_to_response(self.get_context_data(form=form))
        messages.success(
            request,
            f"Создано сообщений: {imp.created_count}; уже были: {imp.existing_count}; "
            f"строк с ошибками: {imp.error_count}.",
        )
        return redirect("moderation:import-detail", imp.pk)


class ImportDetailView(Page):
    template_name = "moderation/import_detail.html"

    def get_context_data(self, pk: int, **kwargs):
        imp = or_404(lambda k: MessageImport.objects.select_related("created_by").get(pk=k), pk)
        return super().get_context_data(imp=imp, **kwargs)


class TemplateCsvView(HasCapability, View):
    capability = "moderation.work"

    def get(self, request):
        lines = [";".join(row) for row in intake.TEMPLATE_ROWS]
        response = HttpResponse("\ufeff" + "\r\n".join(lines) + "\r\n", content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="messages-template.csv"'
        return response


class SurgeListView(Page):
    template_name = "moderation/surge_list.html"

    def get_context_data(self, **kwargs):
        status = self.request.GET.get("status", Surge.Status.PROPOSED)
        status = status if status in Surge.Status.values else ""
        page = page_of(self.request, selectors.surge_list(self.request.user, status=status))
        return super().get_context_data(page_obj=page, status=status, statuses=Surge.Status.choices, **kwargs)


class SurgeAction(ActionView):
    capability = "moderation.work"

    def fetch(self, user, pk):
        return selectors.surges_visible_to(user).get(pk=pk)

    def back(self, surge):
        return reverse("moderation:surge-list")


class AcceptSurgeView(SurgeAction):
    success = "Открыт информационный повод."

    def run(self, surge, data):
        event = services.accept_surge(surge, by=self.request.user)
        self.back = lambda _surge: reverse("informing:event-detail", args=[event.pk])


class DismissSurgeView(SurgeAction):
    success = "Всплеск отклонён."

    def run(self, surge, data):
        services.dismiss_surge(surge, by=self.request.user)


class DashboardView(Page):
    """Deadlines and quality of the center: the same figures the reports freeze, for a recent period."""

    template_name = "moderation/dashboard.html"

    def get_context_data(self, **kwargs):
        period = self.request.GET.get("period", "7")
        period = period if period in DASHBOARD_PERIODS else "7"
        today = timezone.localdate()
        first = today - datetime.timedelta(days=DASHBOARD_PERIODS[period][1])
        start, end = selectors.day_bounds(first, today)
        figures = selectors.period_figures(start, end)
        daily = selectors.daily_counts(today - datetime.timedelta(days=29), today)
        return super().get_context_data(
            period=period,
            periods=[(k, v[0]) for k, v in DASHBOARD_PERIODS.items()],
            first=first,
            today=today,
            rows=reports.report_rows(figures),
            state=selectors.queue_state(),
            figure=charts.daily_figure(daily),
            **kwargs,
        )


class ReportAccess:
    def dispatch(self, request, *args, **kwargs):
        from django.contrib.auth.views import redirect_to_login

        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not selectors.may_see_reports(request.user):
            raise PermissionDenied("Недостаточно прав.")
        return super().dispatch(request, *args, **kwargs)


class ReportListView(ReportAccess, SectionMixin, TemplateView):
    template_name = "moderation/report_list.html"

    def get_context_data(self, **kwargs):
        kind = self.request.GET.get("period_kind", "")
        qs = selectors.reports_visible_to(self.request.user)
        if kind in ModerationReport.Period.values:
            qs = qs.filter(period_kind=kind)
        kwargs.setdefault("build_form", f.BuildReportForm(initial={"day": timezone.localdate()}))
        return super().get_context_data(
            page_obj=page_of(self.request, qs), kind=kind, kinds=ModerationReport.Period.choices, **kwargs
        )


class BuildReportView(HasCapability, View):
    capability = "moderation.work"
    http_method_names = ["post"]

    def post(self, request):
        form = f.BuildReportForm(request.POST)
        if not form.is_valid():
            messages.error(request, errors_text(form))
            return redirect("moderation:report-list")
        period = reports.period_of(form.cleaned_data["period_kind"], form.cleaned_data["day"])
        try:
            report = reports.build_report(period, by=request.user)
        except DomainError as exc:
            messages.error(request, error_text(exc))
            return redirect("moderation:report-list")
        messages.success(request, "Отчёт сформирован.")
        return redirect("moderation:report-detail", report.pk)


def _report(user, pk):
    return selectors.reports_visible_to(user).get(pk=pk)


class ReportDetailView(ReportAccess, SectionMixin, TemplateView):
    template_name = "moderation/report_detail.html"

    def get_context_data(self, pk: int, **kwargs):
        report = or_404(_report, self.request.user, pk)
        return super().get_context_data(report=report, rows=reports.report_rows(report.figures), **kwargs)


class ReportExportView(ReportAccess, View):
    fmt = "xlsx"

    def get(self, request, pk: int):
        report = or_404(_report, request.user, pk)
        try:
            return exports.response(report, self.fmt)
        except PdfUnavailable as exc:
            messages.error(request, exc.message)
            return redirect("moderation:report-detail", report.pk)
