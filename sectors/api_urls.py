from rest_framework.routers import SimpleRouter

from . import api

# SimpleRouter, not DefaultRouter: several apps share /api/v1/, so no app's router owns its root.
router = SimpleRouter()
router.register("sector-blocks", api.SectorBlockViewSet, basename="sector-block")
router.register("territories", api.TerritoryViewSet, basename="territory")
router.register("organisations", api.OrganisationViewSet, basename="organisation")
router.register("responsible-persons", api.ResponsiblePersonViewSet, basename="responsible-person")

urlpatterns = router.urls
