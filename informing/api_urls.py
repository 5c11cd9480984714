from rest_framework.routers import SimpleRouter

from . import api, api_content, api_watch

# SimpleRouter: several apps share /api/v1/, no app's router owns its root.
router = SimpleRouter()
router.register("information-events", api.InformationEventViewSet, basename="information-event")
router.register("information-recommendations", api.RecommendationViewSet, basename="information-recommendation")
router.register("information-activities", api_content.ActivityViewSet, basename="information-activity")
router.register("information-materials", api_content.MaterialViewSet, basename="information-material")
router.register("disinformation-cases", api_watch.DisinformationViewSet, basename="disinformation-case")
router.register("official-pages", api_watch.OfficialPageViewSet, basename="official-page")

urlpatterns = router.urls
