from django.urls import include, path
from django.views.generic.base import RedirectView as GoTo

from . import classifier_views, views

app_name = "appeals"

urlpatterns = [
    path("", GoTo.as_view(pattern_name="appeals:list"), name="index"),
    path("list/", views.AppealListView.as_view(), name="list"),
    path("queue/", views.TriageQueueView.as_view(), name="queue"),
    path("queue/bulk/", views.BulkActionView.as_view(), name="bulk"),
    path("my/", views.MyAppealsView.as_view(), name="my"),
    path("new/", views.AppealCreateView.as_view(), name="create"),
    path("export.csv", views.ExportView.as_view(fmt="csv"), name="export-csv"),
    path("export.xlsx", views.ExportView.as_view(fmt="xlsx"), name="export-xlsx"),
    path("<int:pk>/", views.AppealDetailView.as_view(), name="appeal-detail"),
    path("<int:pk>/personal-data/", views.RevealPersonalDataView.as_view(), name="reveal-personal-data"),
    path("<int:pk>/accept-suggestion/", views.AcceptSuggestionView.as_view(), name="accept-suggestion"),
    path("<int:pk>/classify/", views.ClassifyView.as_view(), name="classify"),
    path("<int:pk>/assign/", views.AssignView.as_view(), name="assign"),
    path("<int:pk>/redirect/", views.RedirectView.as_view(), name="redirect"),
    path("<int:pk>/start/", views.StartWorkView.as_view(), name="start"),
    path("<int:pk>/request-info/", views.RequestInfoView.as_view(), name="request-info"),
    path("<int:pk>/receive-info/", views.ReceiveInfoView.as_view(), name="receive-info"),
    path("<int:pk>/extend/", views.ExtendView.as_view(), name="extend"),
    path("<int:pk>/request-extension/", views.RequestExtensionView.as_view(), name="request-extension"),
    path("<int:pk>/answer/", views.AnswerView.as_view(), name="answer"),
    path("<int:pk>/check-quality/", views.CheckQualityView.as_view(), name="check-quality"),
    path("<int:pk>/return/", views.ReturnView.as_view(), name="return"),
    path("<int:pk>/close/", views.CloseView.as_view(), name="close"),
    path("<int:pk>/satisfaction/", views.SatisfactionView.as_view(), name="satisfaction"),
    path("<int:pk>/reopen/", views.ReopenView.as_view(), name="reopen"),
    path("<int:pk>/reject/", views.RejectView.as_view(), name="reject"),
    path("<int:pk>/link-incident/", views.LinkIncidentView.as_view(), name="link-incident"),
    path("<int:pk>/unlink-incident/", views.UnlinkIncidentView.as_view(), name="unlink-incident"),
    path("incidents/", views.IncidentListView.as_view(), name="incident-list"),
    path("incidents/new/", views.IncidentCreateView.as_view(), name="incident-create"),
    path("incidents/<int:pk>/", views.IncidentDetailView.as_view(), name="incident-detail"),
    path("incidents/<int:pk>/status/", views.IncidentStatusView.as_view(), name="incident-status"),
    path("import/", include("appeals.import_urls")),
    path("classifier/", classifier_views.ClassifierView.as_view(), name="classifier"),
    path("classifier/<int:pk>/activate/", classifier_views.ActivateView.as_view(), name="classifier-activate"),
    path("classifier/retrain/", classifier_views.RetrainView.as_view(), name="classifier-retrain"),
]
