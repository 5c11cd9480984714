import pytest
from django.utils import timezone

from cur.roles import Role

from .world import Clock, build_world


@pytest.fixture
def clock(monkeypatch):
    """Control `timezone.now` (the services, auto_now fields and the rollup's «today» read it)."""
    current = Clock()
    monkeypatch.setattr(timezone, "now", current)
    return current


@pytest.fixture
def world(db):
    return build_world()


@pytest.fixture
def people(world, make_user):
    """One user per role, scoped into the world: the block roles to «health», the municipal operator to
    the first district, the executor to the health organisation."""
    users = {
        role: make_user(role, username=f"hm-{role}")
        for role in (Role.ADMIN, Role.CURATOR, Role.EXECUTIVE, Role.OPERATOR, Role.MODERATOR, Role.COMPETENCE_CENTER)
    }
    users[Role.BLOCK_HEAD] = make_user(Role.BLOCK_HEAD, username="hm-head", sector_blocks=[world.blocks["health"]])
    users[Role.BLOCK_RESPONSIBLE] = make_user(Role.BLOCK_RESPONSIBLE, username="hm-resp",
                                              sector_blocks=[world.blocks["health"]])  # fmt: skip
    users[Role.MUNICIPAL_OPERATOR] = make_user(Role.MUNICIPAL_OPERATOR, username="hm-mcu",
                                               territory=world.districts[0])  # fmt: skip
    users[Role.EXECUTOR] = make_user(Role.EXECUTOR, username="hm-exec", organisation=world.organisations["health"])
    world.users = users
    return users
