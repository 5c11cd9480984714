from django.urls import path
from django.views.generic import RedirectView

app_name = "informing"
urlpatterns = [path("", RedirectView.as_view(url="/"), name="event-list")]
