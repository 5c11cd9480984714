from django.urls import path
from django.views.generic import RedirectView

app_name = "heatmap"
# Replaced by the heat map issue's pages.
urlpatterns = [
    path(f"{name}/", RedirectView.as_view(url="/"), name=name)
    for name in ("map", "problems", "priorities", "block-dashboard", "region-dashboard")
]
