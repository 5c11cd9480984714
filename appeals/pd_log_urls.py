from django.urls import path

from . import pd_log_views

app_name = "pd_log"

urlpatterns = [
    path("", pd_log_views.AccessLogView.as_view(), name="index"),
    path("export.csv", pd_log_views.AccessLogExportView.as_view(), name="export-csv"),
]
