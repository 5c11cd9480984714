"""Open311 GeoReport v2, JSON only (XML may come later): /open311/v2/…"""

from django.urls import path, re_path

from . import open311

urlpatterns = [
    path("services.json", open311.ServicesView.as_view(), name="open311-services"),
    path("requests.json", open311.RequestsView.as_view(), name="open311-requests"),
    re_path(r"^requests/(?P<request_id>[0-9-]{1,24})\.json$", open311.RequestView.as_view(), name="open311-request"),
]
