"""Who may open the moderation center's pages and endpoints: moderation.work (admin, moderator) for the
queue and messages; reports also for those who read ИНФОЦУР. Garbage never fails a page or the API."""

import pytest
from django.urls import reverse
from django.utils import timezone

from cur.roles import Role
from moderation import reports
from moderation.models import IncomingMessage, Surge
from sectors.models import SectorBlock
from tests.factories import TerritoryFactory
from tests.moderation.factories import MessageFactory

pytestmark = pytest.mark.django_db
WORK = {Role.ADMIN, Role.MODERATOR}
REPORTS = WORK | {Role.CURATOR, Role.EXECUTIVE, Role.BLOCK_HEAD, Role.BLOCK_RESPONSIBLE}


@pytest.fixture
def world(db):
    message = MessageFactory()
    surge = Surge.objects.create(
        sector_block=SectorBlock.objects.get(code="waste"),
        territory=TerritoryFactory(),
        window_start=timezone.now(),
        window_end=timezone.now(),
        count=9,
        baseline=1,
    )
    report = reports.build_report(reports.period_of("day", timezone.localdate()))
    return {"message": message, "surge": surge, "report": report}


@pytest.mark.parametrize("role", list(Role))
def test_pages_by_role(role, world, make_user, client):
    client.force_login(make_user(role))
    work = 200 if role in WORK else 403
    read = 200 if role in REPORTS else 403
    pages = {
        reverse("moderation:queue"): work,
        reverse("moderation:message-list"): work,
        reverse("moderation:message-detail", args=[world["message"].pk]): work,
        reverse("moderation:surge-list"): work,
        reverse("moderation:import"): work,
        reverse("moderation:import-template"): work,
        reverse("moderation:dashboard"): work,
        reverse("moderation:report-list"): read,
        reverse("moderation:report-detail", args=[world["report"].pk]): read,
        reverse("moderation:report-xlsx", args=[world["report"].pk]): read,
    }
    assert {url: client.get(url).status_code for url in pages} == pages
    decided = client.post(reverse("moderation:message-decide", args=[world["message"].pk]), {"decision": "noise"})
    world["message"].refresh_from_db()
    if role in WORK:
        assert decided.status_code == 302 and world["message"].status == IncomingMessage.Status.NOISE
    else:
        assert decided.status_code == 403 and world["message"].status == IncomingMessage.Status.NEW


@pytest.mark.parametrize("role", list(Role))
def test_the_api_by_role(role, world, make_user, api_client_for):
    api = api_client_for(make_user(role))
    work = 200 if role in WORK else 403
    checks = {
        "/api/v1/moderation-messages/": work,
        f"/api/v1/moderation-messages/{world['message'].pk}/": work,
        "/api/v1/moderation-surges/": work,
        "/api/v1/moderation-reports/": 200 if role in REPORTS else 403,
    }
    assert {url: api.get(url).status_code for url in checks} == checks
    batch = api.post(
        "/api/v1/moderation-messages/batch/", {"items": [{"network": "vk", "text": "Текст"}]}, format="json"
    )
    assert batch.status_code == (200 if role in WORK else 403)


GARBAGE = [None, [], {}, "", "\x00", -1, 2**70, 1.5, True, "9" * 400, {"a": [1]}]


def test_garbage_never_fails_the_api(world, moderator, api_client_for):
    api = api_client_for(moderator)
    pk, surge = world["message"].pk, world["surge"].pk
    fields = [
        "items",
        "decision",
        "event",
        "case",
        "new_event_title",
        "new_event_priority",
        "new_case_title",
        "comment",
        "moderator",
        "ids",
        "period_kind",
        "day",
    ]
    targets = [
        "/api/v1/moderation-messages/batch/",
        f"/api/v1/moderation-messages/{pk}/decide/",
        f"/api/v1/moderation-messages/{pk}/assign/",
        "/api/v1/moderation-messages/bulk-decide/",
        "/api/v1/moderation-reports/build/",
        f"/api/v1/moderation-surges/{surge}/dismiss/",
    ]
    for url in targets:
        for value in GARBAGE:
            response = api.post(url, dict.fromkeys(fields, value), format="json")
            assert response.status_code < 500, (url, value, response.content[:200])
        for raw in (b"{", b"[]", b"null", b"[" * 5000, b'{"items": [{"network": "vk", "text": "\\ud800"}]}'):
            assert api.post(url, raw, content_type="application/json").status_code < 500, (url, raw[:20])
    garbage_items = {"items": list(GARBAGE) + [{"network": v, "text": v, "reach": v} for v in GARBAGE]}
    assert api.post(targets[0], garbage_items, format="json").status_code == 200
    for params in (
        {"status": "\x00"},
        {"network": "x"},
        {"territory": "9" * 30},
        {"cursor": "garbage"},
        {"open": "maybe"},
        {"page_size": "-1"},
    ):
        assert api.get("/api/v1/moderation-messages/", params).status_code < 500, params


def test_garbage_never_fails_the_pages(world, moderator, client_for):
    client = client_for(moderator)
    pk = world["message"].pk
    junk = {
        "decision": "\x00",
        "event": "abc",
        "case": "9" * 40,
        "comment": "x" * 9000,
        "moderator": "-1",
        "sector_block": "\x00",
        "territory": "1.5",
        "action": "explode",
        "ids": ["x", "9" * 40],
        "return_query": "a=1\r\nSet-Cookie: x",
        "period_kind": "year",
        "day": "31.02.2026",
        "next": "//evil.example",
    }
    for url in [
        reverse("moderation:bulk"),
        reverse("moderation:report-build"),
        *(reverse(f"moderation:message-{a}", args=[pk]) for a in ("decide", "assign", "theme", "reopen", "take")),
    ]:
        response = client.post(url, junk)
        assert response.status_code == 302, url
        assert "evil" not in response["Location"] and "\n" not in response["Location"]
    params = {
        "q": "\x00",
        "network": "?",
        "territory": "abc",
        "sector_block": "\x00",
        "page": "-1",
        "mine": "7",
        "status": "\x00",
        "period": "999",
        "period_kind": "x",
    }
    for name in ("queue", "message-list", "surge-list", "dashboard", "report-list"):
        assert client.get(reverse(f"moderation:{name}"), params).status_code == 200, name


@pytest.mark.parametrize("url", ["/moderation/", "/moderation/messages/", "/api/v1/moderation-messages/"])
def test_queue_and_lists_cost_the_same_for_3_and_for_30_messages(url, moderator, client_for, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    territory = TerritoryFactory()
    for _ in range(3):
        MessageFactory(territory=territory, sector_block=SectorBlock.objects.get(code="waste"), assigned_to=moderator)
    client = client_for(moderator)
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    for _ in range(27):
        MessageFactory(territory=territory, sector_block=SectorBlock.objects.get(code="roads"), assigned_to=moderator)
    with django_assert_num_queries(len(small.captured_queries)):
        assert client.get(url).status_code == 200
