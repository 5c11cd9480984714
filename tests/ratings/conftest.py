import importlib

import pytest
from django.apps import apps

from ratings.models import RatingMethodology

from . import world as world_module


@pytest.fixture(autouse=True)
def _methodology_v1(request, django_db_blocker):
    """Transactional tests flush every table, the data migration's methodology too: put version 1 back."""
    marker = request.node.get_closest_marker("django_db")
    if "transactional_db" not in request.fixturenames and not (marker and marker.kwargs.get("transaction")):
        return
    with django_db_blocker.unblock():
        if not RatingMethodology.objects.filter(version=1).exists():
            importlib.import_module("ratings.migrations.0002_methodology_v1").create_v1(apps, None)


@pytest.fixture
def world(db):
    return world_module.build()


@pytest.fixture
def v1(db):
    return RatingMethodology.objects.get(version=1)
