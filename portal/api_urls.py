from rest_framework.routers import SimpleRouter

from . import api

# SimpleRouter: several apps share /api/v1/, so no app's router owns its root.
router = SimpleRouter()
router.register("portal/reports", api.ReportViewSet, basename="portal-report")
router.register("portal/indicators", api.IndicatorViewSet, basename="portal-indicator")
router.register("portal/roadmaps", api.RoadmapViewSet, basename="portal-roadmap")

urlpatterns = router.urls
