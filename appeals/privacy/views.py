"""The personal-data access log page and its CSV (the administrator only: `pd.audit`)."""

import csv
from collections.abc import Iterator

from django import forms
from django.http import StreamingHttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone
from django.views import View

from cur.models import AuditEvent, User
from cur.permissions import HasCapability
from cur.web.dates import DateField, validate_period
from cur.web.exports import CSV_DELIMITER, Echo, neutralise
from cur.web.pagination import slice_page
from cur.web.views import rejected
from cur.widgets import speed_up

from . import access_log

CSV_LIMIT = 100_000
CSV_HEADERS = ["Время", "Пользователь", "Логин", "Действие", "Обращение", "Подробности", "IP-адрес"]


class AccessLogFilter(forms.Form):
    actor = forms.ModelChoiceField(
        label="Пользователь", required=False, queryset=User.objects.order_by("last_name", "first_name", "username")
    )
    since = DateField(label="С", required=False)
    until = DateField(label="По", required=False)
    appeal = forms.CharField(label="Номер обращения", required=False, max_length=32)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, fld in self.fields.items():
            speed_up(fld.widget).attrs["class"] = (
                "form-select form-select-sm" if name == "actor" else "form-control form-control-sm"
            )
        self.fields["since"].widget.attrs["placeholder"] = self.fields["until"].widget.attrs["placeholder"] = (
            "дд.мм.гггг"
        )

    def clean_appeal(self) -> int | None:
        text = self.cleaned_data["appeal"].strip()
        if not text:
            return None
        appeal_id = access_log.appeal_id_from_number(text)
        if appeal_id is None:
            raise forms.ValidationError("Номер обращения вида 2025-000123 или 123.")
        return appeal_id

    def clean(self):
        data = super().clean()
        if data.get("since") and data.get("until"):
            # Order only: the page reads a slice and the CSV at most CSV_LIMIT rows, whatever the length.
            validate_period(data["since"], data["until"], max_days=None)
        return data


def _entries(request) -> tuple[AccessLogFilter, object]:
    form = AccessLogFilter(request.GET or None)
    if form.is_bound and not form.is_valid():
        return form, AuditEvent.objects.none()
    data = form.cleaned_data if form.is_bound else {}
    qs = access_log.access_log(
        actor=data.get("actor"), since=data.get("since"), until=data.get("until"), appeal_id=data.get("appeal")
    )
    return form, qs


def details(event: AuditEvent) -> str:
    """What was seen or exported, in words."""
    changes = event.changes or {}
    if event.action == access_log.EXPORTED:
        rows = changes.get("rows")
        filters = "; ".join(
            f"{k}={','.join(v) if isinstance(v, list) else v}" for k, v in changes.get("filters", {}).items()
        )
        text = f"{event.object_repr}: {'число строк неизвестно' if rows is None else f'строк {rows}'}"
        if rows is not None and not changes.get("complete"):
            text += " (прервана)"
        return f"{text}; фильтр: {filters or 'нет'}"
    if event.action == access_log.ERASED:
        return f"обезличено обращений: {changes.get('appeals', 0)}, завершённых до {changes.get('cutoff', '')[:10]}"
    return ""


class AccessLogView(HasCapability, View):
    capability = "pd.audit"

    def get(self, request):
        form, qs = _entries(request)
        page = slice_page(qs, request.GET.get("page"))
        page.rows = [
            (event, access_log.ACTIONS.get(event.action, event.action), details(event)) for event in page.object_list
        ]
        return TemplateResponse(request, "appeals/pd_log.html", {"filter_form": form, "page_obj": page})


def _csv_lines(qs) -> Iterator[str]:
    writer = csv.writer(Echo(), delimiter=CSV_DELIMITER)
    yield "\ufeff"
    yield writer.writerow(CSV_HEADERS)
    for event in qs[:CSV_LIMIT].iterator(chunk_size=2_000):
        actor = event.actor
        row = [
            f"{timezone.localtime(event.created_at):%d.%m.%Y %H:%M:%S}",
            actor.full_name if actor else "",
            actor.username if actor else "",
            access_log.ACTIONS.get(event.action, event.action),
            event.object_repr if event.object_id else "",
            details(event),
            event.ip_address or "",
        ]
        yield writer.writerow([neutralise(value) for value in row])


class AccessLogExportView(HasCapability, View):
    capability = "pd.audit"

    def get(self, request):
        form, qs = _entries(request)
        if form.is_bound and not form.is_valid():
            return rejected(form)
        response = StreamingHttpResponse(_csv_lines(qs), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="pd-log-{timezone.localtime():%Y%m%d-%H%M}.csv"'
        return response
