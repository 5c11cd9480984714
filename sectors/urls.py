from django.urls import path

from . import views

app_name = "sectors"

urlpatterns = [
    path("blocks/", views.BlockListView.as_view(), name="block-list"),
    # "new" is before the code pattern; the block form refuses "new" as a code.
    path("blocks/new/", views.BlockCreateView.as_view(), name="block-create"),
    path("blocks/<slug:code>/", views.BlockDetailView.as_view(), name="block-detail"),
    path("blocks/<slug:code>/edit/", views.BlockEditView.as_view(), name="block-edit"),
    path("organisations/", views.OrganisationListView.as_view(), name="organisation-list"),
    path("organisations/new/", views.OrganisationCreateView.as_view(), name="organisation-create"),
    path("organisations/<int:pk>/", views.OrganisationDetailView.as_view(), name="organisation-detail"),
    path("organisations/<int:pk>/edit/", views.OrganisationEditView.as_view(), name="organisation-edit"),
    path("territories/", views.TerritoryListView.as_view(), name="territory-list"),
    path("territories/new/", views.TerritoryCreateView.as_view(), name="territory-create"),
    path("territories/<int:pk>/", views.TerritoryDetailView.as_view(), name="territory-detail"),
    path("territories/<int:pk>/edit/", views.TerritoryEditView.as_view(), name="territory-edit"),
    path("persons/", views.PersonListView.as_view(), name="person-list"),
    path("persons/appoint/", views.PersonAppointView.as_view(), name="person-appoint"),
    path("persons/<int:pk>/", views.PersonDetailView.as_view(), name="person-detail"),
    path("persons/<int:pk>/edit/", views.PersonEditView.as_view(), name="person-edit"),
    path("persons/<int:pk>/end/", views.PersonEndView.as_view(), name="person-end"),
]
