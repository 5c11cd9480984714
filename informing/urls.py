from django.urls import path

from .views import content, events, recommendations, watch

app_name = "informing"

urlpatterns = [
    path("", events.EventListView.as_view(), name="event-list"),
    path("events/new/", events.EventFormView.as_view(), name="event-create"),
    path("events/<int:pk>/", events.EventDetailView.as_view(), name="event-detail"),
    path("events/<int:pk>/edit/", events.EventFormView.as_view(), name="event-edit"),
    path("events/<int:pk>/transition/", events.TransitionView.as_view(), name="event-transition"),
    path("events/<int:pk>/assign/", events.AssignView.as_view(), name="event-assign"),
    path("events/<int:pk>/sources/", events.SourceView.as_view(), name="event-source"),
    path("events/<int:pk>/audience/", events.AudienceView.as_view(), name="event-audience"),
    path("events/<int:pk>/recommend/", events.RecommendView.as_view(), name="event-recommend"),
    path("recommendations/", recommendations.RecommendationListView.as_view(), name="recommendation-list"),
    path("recommendations/<int:pk>/", recommendations.RecommendationDetailView.as_view(), name="recommendation-detail"),
    path("recommendations/<int:pk>/accept/", recommendations.AcceptView.as_view(), name="recommendation-accept"),
    path("recommendations/<int:pk>/done/", recommendations.DoneView.as_view(), name="recommendation-done"),
    path("recommendations/<int:pk>/decline/", recommendations.DeclineView.as_view(), name="recommendation-decline"),
    path("recommendations/<int:pk>/cancel/", recommendations.CancelView.as_view(), name="recommendation-cancel"),
    path("activities/", content.ActivityListView.as_view(), name="activity-list"),
    path("activities/new/", content.ActivityFormView.as_view(), name="activity-create"),
    path("activities/<int:pk>/", content.ActivityDetailView.as_view(), name="activity-detail"),
    path("activities/<int:pk>/edit/", content.ActivityFormView.as_view(), name="activity-edit"),
    path("materials/", content.MaterialListView.as_view(), name="material-list"),
    path("materials/new/", content.MaterialFormView.as_view(), name="material-create"),
    path("materials/<int:pk>/", content.MaterialDetailView.as_view(), name="material-detail"),
    path("materials/<int:pk>/edit/", content.MaterialFormView.as_view(), name="material-edit"),
    path("materials/<int:pk>/versions/", content.VersionView.as_view(), name="material-version"),
    path("disinformation/", watch.CaseListView.as_view(), name="case-list"),
    path("disinformation/new/", watch.CaseCreateView.as_view(), name="case-create"),
    path("disinformation/<int:pk>/", watch.CaseDetailView.as_view(), name="case-detail"),
    path("disinformation/<int:pk>/mark-false/", watch.MarkFalseView.as_view(), name="case-mark-false"),
    path("disinformation/<int:pk>/dismiss/", watch.DismissView.as_view(), name="case-dismiss"),
    path("disinformation/<int:pk>/refute/", watch.RefuteView.as_view(), name="case-refute"),
    path("disinformation/<int:pk>/spread/", watch.SpreadView.as_view(), name="case-spread"),
    path("disinformation/<int:pk>/warning/", watch.WarningView.as_view(), name="case-warning"),
    path("pages/", watch.PageListView.as_view(), name="page-list"),
    path("pages/new/", watch.PageFormView.as_view(), name="page-create"),
    path("pages/<int:pk>/edit/", watch.PageFormView.as_view(), name="page-edit"),
    path("without-page/", watch.WithoutPageView.as_view(), name="without-page"),
]
