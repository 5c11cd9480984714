from django.urls import path

from . import views, views_plans

app_name = "portal"

urlpatterns = [
    path("reports/", views.report_list, name="report-list"),
    path("reports/new/", views.report_create, name="report-create"),
    path("reports/<int:pk>/", views.report_detail, name="report-detail"),
    path("reports/<int:pk>/edit/", views.report_edit, name="report-edit"),
    path("reports/<int:pk>/submit/", views.report_submit, name="report-submit"),
    path("reports/<int:pk>/approve/", views.report_approve, name="report-approve"),
    path("reports/<int:pk>/return/", views.report_return, name="report-return"),
    path("reports/<int:pk>/versions/<int:number>/", views.report_diff, name="report-diff"),
    path("reports/<int:pk>/export.pdf", views.report_export, {"fmt": "pdf"}, name="report-pdf"),
    path("reports/<int:pk>/export.xlsx", views.report_export, {"fmt": "xlsx"}, name="report-xlsx"),
    path("indicators/", views_plans.indicator_dashboard, name="indicator-dashboard"),
    path("indicators/all/", views_plans.indicator_list, name="indicator-list"),
    path("indicators/new/", views_plans.indicator_create, name="indicator-create"),
    path("indicators/<int:pk>/decide/", views_plans.indicator_decide, name="indicator-decide"),
    path("indicators/<int:pk>/value/", views_plans.indicator_value, name="indicator-value"),
    path("roadmaps/", views_plans.roadmap_list, name="roadmap-list"),
    path("roadmaps/new/", views_plans.roadmap_create, name="roadmap-create"),
    path("roadmaps/<int:pk>/", views_plans.roadmap_detail, name="roadmap-detail"),
    path("roadmaps/<int:pk>/measures/", views_plans.roadmap_measure_add, name="roadmap-measure-add"),
    path("roadmaps/measures/<int:pk>/", views_plans.roadmap_measure_update, name="roadmap-measure-update"),
    path("roadmaps/<int:pk>/submit/", views_plans.roadmap_submit, name="roadmap-submit"),
    path("roadmaps/<int:pk>/decide/", views_plans.roadmap_decide, name="roadmap-decide"),
    path("roadmaps/<int:pk>/complete/", views_plans.roadmap_complete, name="roadmap-complete"),
    path("practices/", views_plans.practice_list, name="practice-list"),
    path("practices/<int:pk>/status/", views_plans.practice_status, name="practice-status"),
    path("trainings/", views_plans.training_list, name="training-list"),
]
