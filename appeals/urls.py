from django.urls import include, path
from django.views.generic.base import RedirectView as GoTo

from .classification import views as classifier
from .intake import views as intake_views
from .views import actions, appeal, incidents, lists

app_name = "appeals"

urlpatterns = [
    path("", GoTo.as_view(pattern_name="appeals:list"), name="index"),
    path("list/", lists.AppealListView.as_view(), name="list"),
    path("queue/", lists.TriageQueueView.as_view(), name="queue"),
    path("queue/bulk/", lists.BulkActionView.as_view(), name="bulk"),
    path("my/", lists.MyAppealsView.as_view(), name="my"),
    path("new/", intake_views.AppealCreateView.as_view(), name="create"),
    path("export.csv", lists.ExportView.as_view(fmt="csv"), name="export-csv"),
    path("export.xlsx", lists.ExportView.as_view(fmt="xlsx"), name="export-xlsx"),
    path("<int:pk>/", appeal.AppealDetailView.as_view(), name="appeal-detail"),
    path("<int:pk>/personal-data/", appeal.RevealPersonalDataView.as_view(), name="reveal-personal-data"),
    path("<int:pk>/accept-suggestion/", actions.AcceptSuggestionView.as_view(), name="accept-suggestion"),
    path("<int:pk>/classify/", actions.ClassifyView.as_view(), name="classify"),
    path("<int:pk>/assign/", actions.AssignView.as_view(), name="assign"),
    path("<int:pk>/redirect/", actions.RedirectView.as_view(), name="redirect"),
    path("<int:pk>/start/", actions.StartWorkView.as_view(), name="start"),
    path("<int:pk>/request-info/", actions.RequestInfoView.as_view(), name="request-info"),
    path("<int:pk>/receive-info/", actions.ReceiveInfoView.as_view(), name="receive-info"),
    path("<int:pk>/extend/", actions.ExtendView.as_view(), name="extend"),
    path("<int:pk>/request-extension/", actions.RequestExtensionView.as_view(), name="request-extension"),
    path("<int:pk>/answer/", actions.AnswerView.as_view(), name="answer"),
    path("<int:pk>/check-quality/", actions.CheckQualityView.as_view(), name="check-quality"),
    path("<int:pk>/return/", actions.ReturnView.as_view(), name="return"),
    path("<int:pk>/close/", actions.CloseView.as_view(), name="close"),
    path("<int:pk>/satisfaction/", actions.SatisfactionView.as_view(), name="satisfaction"),
    path("<int:pk>/reopen/", actions.ReopenView.as_view(), name="reopen"),
    path("<int:pk>/reject/", actions.RejectView.as_view(), name="reject"),
    path("<int:pk>/link-incident/", actions.LinkIncidentView.as_view(), name="link-incident"),
    path("<int:pk>/unlink-incident/", actions.UnlinkIncidentView.as_view(), name="unlink-incident"),
    path("incidents/", incidents.IncidentListView.as_view(), name="incident-list"),
    path("incidents/new/", incidents.IncidentCreateView.as_view(), name="incident-create"),
    path("incidents/<int:pk>/", incidents.IncidentDetailView.as_view(), name="incident-detail"),
    path("incidents/<int:pk>/status/", incidents.IncidentStatusView.as_view(), name="incident-status"),
    path("import/", include("appeals.intake.urls")),
    path("classifier/", classifier.ClassifierView.as_view(), name="classifier"),
    path("classifier/<int:pk>/activate/", classifier.ActivateView.as_view(), name="classifier-activate"),
    path("classifier/retrain/", classifier.RetrainView.as_view(), name="classifier-retrain"),
]
