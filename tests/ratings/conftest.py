import pytest

from ratings.models import RatingMethodology

from . import world as world_module


@pytest.fixture
def world(db):
    return world_module.build()


@pytest.fixture
def v1(db):
    return RatingMethodology.objects.get(version=1)
