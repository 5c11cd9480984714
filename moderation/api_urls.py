from rest_framework.routers import SimpleRouter

from . import api

router = SimpleRouter()
router.register("moderation-messages", api.MessageViewSet, basename="moderation-message")
router.register("moderation-surges", api.SurgeViewSet, basename="moderation-surge")
router.register("moderation-reports", api.ReportViewSet, basename="moderation-report")

urlpatterns = router.urls
