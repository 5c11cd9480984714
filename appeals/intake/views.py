"""Pages of intake: the operator registers an appeal by hand; the file import — the upload form, the
import's status page with a progress bar, the JSON status it polls, and the generic template as a CSV
download (capability `appeals.import`)."""

import csv
import io

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.views import View
from django.views.generic import DetailView, FormView

from cur.errors import DomainError
from cur.permissions import HasCapability

from .. import services
from ..models import AppealImport
from . import forms as f
from .formats import FORMATS, GENERIC_TEMPLATE_ROWS
from .importing import create_import

# --- registration by hand ------------------------------------------------------------------


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


# --- the file import ----------------------------------------------------------------------

RECENT_IMPORTS = 10


class ImportMixin(HasCapability):
    capability = "appeals.import"


def _imports():
    # Every user with the capability sees every import: imports are the ЦУР's shared intake.
    return AppealImport.objects.select_related("created_by")


class ImportUploadView(ImportMixin, FormView):
    template_name = "appeals/import_upload.html"
    form_class = f.ImportForm

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["recent_imports"] = _imports()[:RECENT_IMPORTS]
        context["formats"] = FORMATS.values()
        context["max_upload_mb"] = settings.UPLOAD_MAX_SIZE // (1024 * 1024)
        return context

    def form_valid(self, form):
        data = form.cleaned_data
        imp = create_import(
            uploaded_file=data["file"],
            fmt=data["format"],
            channel=data["channel"],
            dry_run=data["dry_run"],
            by=self.request.user,
        )
        return redirect("appeals:import-detail", pk=imp.pk)


def status_payload(imp: AppealImport) -> dict:
    return {
        "id": imp.pk,
        "status": imp.status,
        "status_display": imp.get_status_display(),
        "finished": imp.status in (AppealImport.Status.DONE, AppealImport.Status.FAILED),
        "dry_run": imp.dry_run,
        "total_rows": imp.total_rows,
        "processed_rows": imp.processed_rows,
        "percent": 100 if imp.status == AppealImport.Status.DONE else imp.progress_percent,
        "created_count": imp.created_count,
        "existing_count": imp.existing_count,
        "error_count": imp.error_count,
        "message": imp.message,
    }


class ImportDetailView(ImportMixin, DetailView):
    template_name = "appeals/import_detail.html"
    context_object_name = "import"

    def get_object(self, queryset=None):
        return get_object_or_404(_imports(), pk=self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        problems = self.object.errors or []
        context.update(
            errors=[p for p in problems if "error" in p],
            warnings=[p for p in problems if "warning" in p],
            status=status_payload(self.object),
        )
        return context


class ImportStatusView(ImportMixin, View):
    def get(self, request, pk: int):
        imp = get_object_or_404(AppealImport.objects.defer("errors"), pk=pk)
        return JsonResponse(status_payload(imp))


class ImportTemplateView(ImportMixin, View):
    """The generic template as CSV: UTF-8 with a BOM and «;», as Excel in a Russian locale expects."""

    def get(self, request):
        buffer = io.StringIO()
        writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
        writer.writerows(GENERIC_TEMPLATE_ROWS)
        response = HttpResponse("\ufeff" + buffer.getvalue(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="cur-appeals-template.csv"'
        return response
