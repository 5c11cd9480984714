"""The client address comes from the connection, or from the hop a trusted proxy appended to
X-Forwarded-For — never from what the client writes there (issue 22): the login lockout, the audit and
personal-data logs and the API/Open311 throttles all use it."""

import pytest
from django.core.cache import cache
from django.test import RequestFactory
from django.urls import reverse
from rest_framework.test import APIClient

from appeals.models import Appeal
from cur.middleware import client_ip
from cur.models import AuditEvent
from tests.appeals.factories import appeal_in
from tests.conftest import PASSWORD

SPOOFED = "203.0.113.7"


@pytest.fixture(autouse=True)
def _clean_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def one_proxy(settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "NUM_PROXIES": 1}


def ip_of(**meta) -> str | None:
    return client_ip(RequestFactory().get("/", **meta))


def test_a_direct_request_is_known_by_its_connection_whatever_it_writes_in_x_forwarded_for():
    assert ip_of(REMOTE_ADDR="192.0.2.10", HTTP_X_FORWARDED_FOR=f"{SPOOFED}, 127.0.0.1") == "192.0.2.10"


def test_behind_one_proxy_the_address_it_appended_counts_not_what_the_client_wrote(one_proxy):
    # The client sent "X-Forwarded-For: 203.0.113.7"; nginx appended the address it saw.
    meta = {"REMOTE_ADDR": "172.18.0.1", "HTTP_X_FORWARDED_FOR": f"{SPOOFED}, 198.51.100.23"}

    assert ip_of(**meta) == "198.51.100.23"
    assert ip_of(REMOTE_ADDR="172.18.0.1", HTTP_X_FORWARDED_FOR="198.51.100.23") == "198.51.100.23"


def test_garbage_from_a_proxy_is_no_address_rather_than_a_failed_write(one_proxy):
    assert ip_of(REMOTE_ADDR="172.18.0.1", HTTP_X_FORWARDED_FOR="<script>") is None


def test_the_login_lockout_holds_against_a_spoofed_header(client, operator, settings):
    settings.LOGIN_FAILURE_LIMIT = 3
    for n in range(3):  # a rotating header does not spread the guesses over "addresses"
        client.post(reverse("login"), {"username": operator.username, "password": "не тот"},
                    HTTP_X_FORWARDED_FOR=f"203.0.113.{n}")  # fmt: skip

    response = client.post(
        reverse("login"), {"username": operator.username, "password": PASSWORD}, HTTP_X_FORWARDED_FOR=SPOOFED
    )

    assert "Слишком много неудачных попыток" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_personal_data_log_records_the_connection_not_the_header(make_user, client_for, db):
    appeal = appeal_in(Appeal.Status.NEW)
    operator = make_user("operator")

    client_for(operator).post(
        reverse("appeals:reveal-personal-data", args=[appeal.pk]),
        REMOTE_ADDR="10.20.30.40",
        HTTP_X_FORWARDED_FOR="6.6.6.6, 127.0.0.1",
    )

    event = AuditEvent.objects.get(object_id=str(appeal.pk), actor=operator)
    assert event.ip_address == "10.20.30.40"


def test_the_open311_rate_limit_is_not_reset_by_a_rotating_header(db):
    anon = APIClient()
    statuses = [
        anon.get("/open311/v2/services.json", HTTP_X_FORWARDED_FOR=f"198.51.100.{n}").status_code for n in range(61)
    ]

    assert statuses[:60] == [200] * 60 and statuses[60] == 429
