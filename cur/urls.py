from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from . import views

admin.site.site_header = "ЦУР — администрирование"
admin.site.site_title = "ЦУР"

api_v1 = [
    path("", include("sectors.api_urls")),
    path("", include("appeals.api_urls")),
    path("", include("ratings.api_urls")),
    path("", include("heatmap.api_urls")),
    path("", include("informing.api_urls")),
    path("", include("moderation.api_urls")),
    path("", include("portal.api_urls")),
]

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("health/", views.health, name="health"),
    path("notifications/", views.notifications, name="notifications"),
    path("sectors/", include("sectors.urls")),
    path("appeals/", include("appeals.urls")),
    path("ratings/", include("ratings.urls")),
    path("heatmap/", include("heatmap.urls")),
    path("informing/", include("informing.urls")),
    path("moderation/", include("moderation.urls")),
    path("portal/", include("portal.urls")),
    path("open311/v2/", include("appeals.api.open311_urls")),
    path("audit/personal-data/", include("appeals.privacy.urls")),
    path("api/v1/", include(api_v1)),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="swagger-ui"),
    path("admin/", admin.site.urls),
]
