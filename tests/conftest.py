import os

import pytest
from rest_framework.test import APIClient

from cur.roles import Role
from sectors.models import SectorBlock

from .factories import OrganisationFactory, TerritoryFactory, UserFactory

PASSWORD = "пароль-для-тестов"


@pytest.fixture(autouse=True)
def _reference_data(request, django_db_blocker):
    """Transactional tests end by flushing every table, data migrations' rows (sector blocks,
    topics) included: put them back before each such test. (Serialized rollback would do it,
    but Playwright's event loop gives the browser tests another connection object, which lacks
    the serialized copy.)"""
    marker = request.node.get_closest_marker("django_db")
    if {"transactional_db", "live_server"} & set(request.fixturenames):
        request.getfixturevalue("transactional_db")
    elif not (marker and marker.kwargs.get("transaction")):
        return
    import importlib

    from django.apps import apps

    with django_db_blocker.unblock():
        if not SectorBlock.objects.exists():
            importlib.import_module("sectors.migrations.0002_sector_blocks").create_blocks(apps, None)
            importlib.import_module("appeals.migrations.0002_topics").load_topics(apps, None)


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
    from playwright.sync_api import sync_playwright

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
