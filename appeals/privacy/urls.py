from django.urls import path

from . import views

app_name = "pd_log"

urlpatterns = [
    path("", views.AccessLogView.as_view(), name="index"),
    path("export.csv", views.AccessLogExportView.as_view(), name="export-csv"),
]
