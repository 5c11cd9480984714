from django.urls import path
from django.views.generic import RedirectView

app_name = "ratings"
urlpatterns = [path("", RedirectView.as_view(url="/"), name="index")]
