import pytest

from cur.roles import Role


@pytest.fixture
def moderator(make_user):
    return make_user(Role.MODERATOR)


@pytest.fixture
def curator(make_user):
    return make_user(Role.CURATOR)


@pytest.fixture
def executor(make_user):
    return make_user(Role.EXECUTOR)
