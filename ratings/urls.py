from django.urls import path

from . import views

app_name = "ratings"

urlpatterns = [
    path("", views.IndexView.as_view(), name="index"),
    path("runs/", views.RunListView.as_view(), name="run-list"),
    path("runs/<int:pk>/", views.RunDetailView.as_view(), name="run-detail"),
    path("runs/<int:pk>/export.csv", views.ExportView.as_view(fmt="csv"), name="export-csv"),
    path("runs/<int:pk>/export.xlsx", views.ExportView.as_view(fmt="xlsx"), name="export-xlsx"),
    path("runs/<int:pk>/subjects/<int:subject_id>/", views.SubjectView.as_view(), name="subject"),
    path(
        "runs/<int:pk>/subjects/<int:subject_id>/appeals/<slug:code>/",
        views.DrilldownView.as_view(),
        name="drilldown",
    ),
    path("compute/", views.ComputeView.as_view(), name="compute"),
    path("methodology/", views.MethodologyView.as_view(), name="methodology"),
    path("methodology/edit/", views.MethodologyEditView.as_view(), name="methodology-edit"),
    path("methodology/<int:version>/", views.MethodologyView.as_view(), name="methodology-version"),
    path("methodology/<int:version>/approve/", views.MethodologyApproveView.as_view(), name="methodology-approve"),
]
