"""Schemathesis against our OpenAPI schema: every operation, as every role (token authentication),
in-process through the WSGI application on the test database. No response may be a server error or
differ from the documented schema. Bounded: a few schema-valid examples per operation (generated once,
sent as each role), a fixed seed; each request runs in a savepoint that is rolled back, so no write
leaks into the next one."""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, transaction
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, Phase, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from cur.roles import Role

pytestmark = pytest.mark.django_db

EXAMPLES_PER_OPERATION = 2

schema = schemathesis.openapi.from_dict(SchemaGenerator().get_schema(request=None, public=True))
schema.app = get_wsgi_application()
# Valid requests only (the permission matrix covers refusals), the schema's own examples plus generated
# ones; no coverage phase (it enumerates every boundary value and would take minutes per role).
schema.config.generation.update(modes=["positive"], deterministic=True, no_shrink=True)
schema.config.phases.update(phases=["examples", "fuzzing"])


@pytest.fixture(scope="module")
def tokens(demo_world, django_db_blocker):
    """API tokens of the demo users (one per role, with its scope) in the demo region: lists answer
    with real rows, so their documented schemas are checked against real data."""
    with django_db_blocker.unblock():
        return {role: Token.objects.create(user=user).key for role, user in demo_world.items()}


@pytest.fixture(autouse=True)
def _one_connection_for_the_wsgi_app():
    """Django's handler closes the connection after each request; the test's transaction needs it open
    (the Django test client does the same)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@schema.parametrize()
@settings(
    max_examples=EXAMPLES_PER_OPERATION,
    derandomize=True,
    deadline=None,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_the_api_answers_every_role_without_errors_and_as_documented(case, tokens):
    for role in Role:
        with transaction.atomic():
            response = case.call(headers={"Authorization": f"Token {tokens[role]}"})
            transaction.set_rollback(True)
        try:
            case.validate_response(response, checks=[not_a_server_error, response_schema_conformance])
        except Exception as exc:
            raise AssertionError(f"as {role.value}: {exc}") from exc
