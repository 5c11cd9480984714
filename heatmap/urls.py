from django.urls import path
from django.views.generic.base import RedirectView as GoTo

from . import views, views_problems

app_name = "heatmap"

urlpatterns = [
    path("", GoTo.as_view(pattern_name="heatmap:map"), name="index"),
    path("map/", views.MapView.as_view(), name="map"),
    path("map/municipalities.geojson", views.GeoJsonView.as_view(), name="geojson"),
    path("focus/", views.FocusView.as_view(), name="focus"),
    path("problems/", views_problems.ProblemListView.as_view(), name="problems"),
    path("problems/<int:pk>/", views_problems.ProblemDetailView.as_view(), name="problem-detail"),
    path("problems/<int:pk>/<slug:action>/", views_problems.ProblemActionView.as_view(), name="problem-action"),
    path("problems/list/", views_problems.RegionalProblemsView.as_view(), name="regional-problems"),
    path("problems/list.csv", views_problems.RegionalProblemsView.as_view(fmt="csv"), name="regional-problems-csv"),
    path("problems/list.xlsx", views_problems.RegionalProblemsView.as_view(fmt="xlsx"), name="regional-problems-xlsx"),
    path("priorities/", views.PrioritiesView.as_view(), name="priorities"),
    path("priorities.csv", views.PrioritiesView.as_view(fmt="csv"), name="priorities-csv"),
    path("priorities.xlsx", views.PrioritiesView.as_view(fmt="xlsx"), name="priorities-xlsx"),
    path("priorities/polls/", views_problems.PollListView.as_view(), name="polls"),
    path("priorities/polls/import/", views_problems.PollImportView.as_view(), name="poll-import"),
    path("priorities/polls/import/<int:pk>/", views_problems.PollImportDetailView.as_view(), name="poll-import-detail"),
    path("dashboard/block/", views.BlockDashboardView.as_view(), name="block-dashboard"),
    path("dashboard/region/", views.RegionDashboardView.as_view(), name="region-dashboard"),
]
