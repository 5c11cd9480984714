from rest_framework.routers import SimpleRouter

from .api.viewsets import AppealViewSet

router = SimpleRouter()
router.register("appeals", AppealViewSet, basename="appeal")

urlpatterns = router.urls
