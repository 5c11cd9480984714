"""URLs of the file import, included by appeals/urls.py under the app namespace «appeals»:
`path("import/", include("appeals.intake.urls"))` — no app_name here, so the names stay `appeals:import-*`."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.ImportUploadView.as_view(), name="import-upload"),
    path("template.csv", views.ImportTemplateView.as_view(), name="import-template"),
    path("<int:pk>/", views.ImportDetailView.as_view(), name="import-detail"),
    path("<int:pk>/status.json", views.ImportStatusView.as_view(), name="import-status"),
]
