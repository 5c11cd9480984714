import datetime
import os
import re
import time

import pytest
from rest_framework.test import APIClient

from cur.roles import Role
from sectors.models import SectorBlock

from .factories import OrganisationFactory, TerritoryFactory, UserFactory

PASSWORD = "пароль-для-тестов"


# --- The clock and shared state ------------------------------------------------------------------


def pytest_addoption(parser):
    parser.addoption(
        "--clock",
        default=os.environ.get("CUR_TEST_CLOCK", ""),
        help="Run the session with the clock moved to HH:MM UTC of the day it starts, or to an ISO date and "
        "time (UTC unless it names a zone), ticking on from there; also $CUR_TEST_CLOCK. E.g. --clock=23:30: "
        "Moscow already has the next day (until 24:00 UTC, so the run must take under 30 minutes).",
    )


def pytest_configure(config):
    from django.conf import settings

    # Hypothesis (schemathesis) keeps its example database under the current directory by default.
    from hypothesis.configuration import set_hypothesis_home_dir

    set_hypothesis_home_dir(os.path.join(settings.VAR_DIR, "hypothesis"))
    config.clock_at = _clock_at(config.getoption("--clock"))


def _clock_at(value: str) -> datetime.datetime | None:
    if not value:
        return None
    if re.fullmatch(r"\d{1,2}:\d{2}", value):
        hour, minute = map(int, value.split(":"))
        today = datetime.datetime.now(datetime.UTC).date()
        return datetime.datetime.combine(today, datetime.time(hour, minute), tzinfo=datetime.UTC)
    moment = datetime.datetime.fromisoformat(value)
    return moment if moment.tzinfo else moment.replace(tzinfo=datetime.UTC)


def pytest_report_header(config):
    if config.clock_at:
        return f"clock: the session starts at {config.clock_at.isoformat()} and ticks on"
    return None


@pytest.fixture(scope="session", autouse=True)
def _clock(request):
    """With --clock, the session runs from that moment on, ticking: fixtures of every scope and the
    tests see one clock that never goes back. The processes a test starts (a Celery worker,
    manage.py) are moved by the same offset: cur/settings_test.py reads CUR_TEST_CLOCK_OFFSET.
    PostgreSQL's now() is not moved. (Not for the fault tests: a session of their own.)"""
    moment = request.config.clock_at
    if moment is None or all(item.get_closest_marker("faults") for item in request.session.items):
        yield
        return
    import time_machine

    os.environ["CUR_TEST_CLOCK_OFFSET"] = str(moment.timestamp() - time.time())
    try:
        with time_machine.travel(moment, tick=True):
            yield
    finally:
        del os.environ["CUR_TEST_CLOCK_OFFSET"]


@pytest.fixture(autouse=True)
def _empty_cache(request):
    """Each test starts with an empty cache: login failure counters and DRF's throttle history live
    there (Redis, or the process's fallback while Redis is down), and would carry over to the next
    test. (The fault tests run on servers of their own.)"""
    if request.node.get_closest_marker("faults"):
        return
    from django.core.cache import cache

    from cur import services

    cache.clear()
    services._fallback_cache.clear()


def _flushes(item) -> bool:
    """Whether the test runs in a transactional database, which pytest-django flushes at its end."""
    marker = item.get_closest_marker("django_db")
    return bool({"transactional_db", "live_server"} & set(item.fixturenames)) or bool(
        marker and marker.kwargs.get("transaction")
    )


def restore_reference_data() -> None:
    """The rows of the data migrations (sector blocks, topics, rating methodology v1), when a flush
    took them. (Serialized rollback would do it, but Playwright's event loop gives the browser tests
    another connection object, which lacks the serialized copy.)"""
    import importlib

    from django.apps import apps

    from ratings.models import RatingMethodology

    if not SectorBlock.objects.exists():
        importlib.import_module("sectors.migrations.0002_sector_blocks").create_blocks(apps, None)
        importlib.import_module("appeals.migrations.0002_topics").load_topics(apps, None)
    if not RatingMethodology.objects.filter(version=1).exists():
        importlib.import_module("ratings.migrations.0002_methodology_v1").create_v1(apps, None)


_FLUSHED = pytest.StashKey[bool]()


@pytest.fixture(autouse=True)
def _reference_data(request, django_db_blocker):
    """Before a transactional test: the data migrations' rows are there (see the teardown below)."""
    if not _flushes(request.node):
        return
    request.getfixturevalue("transactional_db")
    request.node.stash[_FLUSHED] = True
    with django_db_blocker.unblock():
        restore_reference_data()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item, nextitem):
    """After a transactional test's flush (its fixtures' teardown), the data migrations' rows go back
    at once: every test, whatever ran before it (random order, xdist's --dist loadfile), finds the
    database as the migrations left it — not only the transactional ones pytest-django sorts last."""
    result = yield
    # The session's last test: its teardown has dropped the test database, nothing to restore.
    if nextitem is not None and item.stash.get(_FLUSHED, False) and not item.get_closest_marker("faults"):
        from pytest_django.plugin import blocking_manager_key

        with item.config.stash[blocking_manager_key].unblock():
            restore_reference_data()
    return result


@pytest.fixture
def make_user(db):
    """A user of a role, with the scope that role needs (block, organisation or territory)."""

    def make(role: str, **kwargs):
        if role == Role.EXECUTOR:
            kwargs.setdefault("organisation", OrganisationFactory())
        if role == Role.MUNICIPAL_OPERATOR:
            kwargs.setdefault("territory", TerritoryFactory())
        if role in (Role.BLOCK_HEAD, Role.BLOCK_RESPONSIBLE):
            kwargs.setdefault("sector_blocks", [SectorBlock.objects.get(code="health")])
        if role == Role.ADMIN:
            kwargs.setdefault("is_staff", True)
            kwargs.setdefault("is_superuser", True)
        return UserFactory(username=kwargs.pop("username", f"{role}-user"), role=role, **kwargs)

    return make


@pytest.fixture
def admin_user(make_user):
    return make_user(Role.ADMIN)


@pytest.fixture
def operator(make_user):
    return make_user(Role.OPERATOR)


@pytest.fixture
def competence_center(make_user):
    return make_user(Role.COMPETENCE_CENTER)


@pytest.fixture
def client_for(client):
    """A Django test client logged in as the given user."""

    def login(user):
        client.force_login(user)
        return client

    return login


@pytest.fixture
def api_client_for():
    def login(user):
        api = APIClient()
        api.force_authenticate(user)
        return api

    return login


# --- Browser tests (Playwright driving Debian's Chromium) --------------------------------------

# Playwright's sync API runs an event loop in this thread; Django's ORM calls made by the
# test itself (fixtures) are still synchronous and safe here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.fail("Нет /usr/bin/chromium: установите пакет Debian chromium (это делает .ci/run).")
    from playwright.sync_api import expect, sync_playwright

    # As long as an action may wait (the page fixture): a loaded 2-core machine renders slowly.
    expect.set_options(timeout=15_000)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="ru-RU", timezone_id="Europe/Moscow")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def log_in(page, live_server):
    def log_in(username: str, password: str):
        page.goto(f"{live_server.url}/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", password)
        page.click("button[type=submit]")
        page.wait_for_selector("[data-testid=current-user]")
        return page

    return log_in
