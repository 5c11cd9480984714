import io

import pytest
from django.core.management import call_command
from django.db import transaction

from cur.models import User
from cur.roles import Role


@pytest.fixture(scope="module")
def demo_world(django_db_setup, django_db_blocker):
    """The demo region (seed_demo: every model, one user per role with its scope), built once per
    module inside a transaction that is rolled back at the end; each test runs in a savepoint."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("seed_demo", force=True, appeals=400, stdout=io.StringIO())
        users = {role: User.objects.get(username=role.value) for role in Role}
        yield users
        transaction.set_rollback(True)
