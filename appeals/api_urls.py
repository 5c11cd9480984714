from rest_framework.routers import SimpleRouter

from . import api

router = SimpleRouter()
router.register("appeals", api.AppealViewSet, basename="appeal")

urlpatterns = router.urls
