"""Pages of the file import: the upload form, the import's status page with a progress bar, the
JSON status it polls, and the generic template as a CSV download (capability `appeals.import`)."""

import csv
import io

from django import forms
from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.views import View
from django.views.generic import DetailView, FormView

from cur.permissions import HasCapability
from cur.uploads import UploadValidator
from sectors.forms import BootstrapFormMixin

from .import_formats import FORMATS, GENERIC_TEMPLATE_ROWS, ImportFileError, read_header
from .importing import create_import
from .models import Appeal, AppealImport

RECENT_IMPORTS = 10


class ImportForm(BootstrapFormMixin, forms.Form):
    file = forms.FileField(
        label="файл",
        help_text=f"CSV (UTF-8 или Windows-1251; разделитель — запятая, точка с запятой или табуляция) "
        f"или XLSX, не больше {settings.UPLOAD_MAX_SIZE // (1024 * 1024)} МБ.",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
        validators=[UploadValidator(["csv", "xlsx"])],
        error_messages={"required": "Выберите файл.", "empty": "Файл пуст.", "invalid": "Выберите файл."},
    )
    format = forms.ChoiceField(label="формат", choices=AppealImport.Format.choices, initial=AppealImport.Format.POS)
    channel = forms.ChoiceField(label="канал", choices=Appeal.Channel.choices, initial=Appeal.Channel.POS)
    dry_run = forms.BooleanField(
        label="пробный прогон",
        required=False,
        help_text="Проверить файл и показать, что будет создано, ничего не записывая.",
    )

    def clean(self):
        data = super().clean()
        upload = data.get("file")  # size, extension and content: checked by UploadValidator
        if upload is None or "format" not in data:
            return data
        # Checking the header now turns a wrong format into a form error instead of a failed import.
        fmt = FORMATS[data["format"]]
        xlsx = upload.name.lower().endswith(".xlsx")
        try:
            header = read_header(upload.read() if xlsx else upload.read(65536), upload.name, fmt)
            fmt.resolve(header)
        except ImportFileError as exc:
            raise forms.ValidationError({"file": exc.message}) from exc
        finally:
            upload.seek(0)
        return data


class ImportMixin(HasCapability):
    capability = "appeals.import"


def _imports():
    # Every user with the capability sees every import: imports are the ЦУР's shared intake.
    return AppealImport.objects.select_related("created_by")


class ImportUploadView(ImportMixin, FormView):
    template_name = "appeals/import_upload.html"
    form_class = ImportForm

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
