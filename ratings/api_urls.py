from rest_framework.routers import SimpleRouter

from . import api

# SimpleRouter, not DefaultRouter: several apps share /api/v1/, so no app's router owns its root.
router = SimpleRouter()
router.register("ratings", api.RatingRunViewSet, basename="rating-run")
router.register("rating-methodologies", api.RatingMethodologyViewSet, basename="rating-methodology")

urlpatterns = router.urls
