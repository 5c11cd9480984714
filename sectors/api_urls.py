from rest_framework.routers import DefaultRouter

from . import api

router = DefaultRouter()
router.register("sector-blocks", api.SectorBlockViewSet, basename="sector-block")
router.register("territories", api.TerritoryViewSet, basename="territory")
router.register("organisations", api.OrganisationViewSet, basename="organisation")
router.register("responsible-persons", api.ResponsiblePersonViewSet, basename="responsible-person")

urlpatterns = router.urls
