from django.urls import path

from .views import center, queue

app_name = "moderation"

urlpatterns = [
    path("", queue.QueueView.as_view(), name="queue"),
    path("queue/bulk/", queue.BulkView.as_view(), name="bulk"),
    path("messages/", queue.MessageListView.as_view(), name="message-list"),
    path("messages/<int:pk>/", queue.MessageDetailView.as_view(), name="message-detail"),
    path("messages/<int:pk>/take/", queue.TakeView.as_view(), name="message-take"),
    path("messages/<int:pk>/assign/", queue.AssignView.as_view(), name="message-assign"),
    path("messages/<int:pk>/release/", queue.ReleaseView.as_view(), name="message-release"),
    path("messages/<int:pk>/decide/", queue.DecideView.as_view(), name="message-decide"),
    path("messages/<int:pk>/theme/", queue.ThemeView.as_view(), name="message-theme"),
    path("messages/<int:pk>/reopen/", queue.ReopenView.as_view(), name="message-reopen"),
    path("import/", center.ImportView.as_view(), name="import"),
    path("import/template.csv", center.TemplateCsvView.as_view(), name="import-template"),
    path("import/<int:pk>/", center.ImportDetailView.as_view(), name="import-detail"),
    path("surges/", center.SurgeListView.as_view(), name="surge-list"),
    path("surges/<int:pk>/accept/", center.AcceptSurgeView.as_view(), name="surge-accept"),
    path("surges/<int:pk>/dismiss/", center.DismissSurgeView.as_view(), name="surge-dismiss"),
    path("dashboard/", center.DashboardView.as_view(), name="dashboard"),
    path("reports/", center.ReportListView.as_view(), name="report-list"),
    path("reports/build/", center.BuildReportView.as_view(), name="report-build"),
    path("reports/<int:pk>/", center.ReportDetailView.as_view(), name="report-detail"),
    path("reports/<int:pk>/export.xlsx", center.ReportExportView.as_view(fmt="xlsx"), name="report-xlsx"),
    path("reports/<int:pk>/export.pdf", center.ReportExportView.as_view(fmt="pdf"), name="report-pdf"),
]
