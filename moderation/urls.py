from django.urls import path
from django.views.generic import RedirectView

app_name = "moderation"
urlpatterns = [path("", RedirectView.as_view(url="/"), name="queue")]
