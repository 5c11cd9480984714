"""Garbage input — wrong types, NUL characters, huge numbers, broken JSON, unknown ids — is a 4xx or a
form error, never a 500."""

import pytest
from django.urls import reverse

from tests.informing.factories import (
    CaseFactory,
    MaterialFactory,
    OfficialPageFactory,
    RecommendationFactory,
)

pytestmark = pytest.mark.django_db

GARBAGE = [
    None,
    [],
    "",
    "\x00",
    "строка",
    -1,
    2**70,
    1.5,
    True,
    {"$gt": ""},
    ["a", {"b": None}],
    "9" * 400,
    "2026-13-45T99:99",
]
# An unpaired surrogate can only come as a JSON escape (PostgreSQL refuses to store it).
SURROGATES = b'{"title": "\\ud800", "essence": "\\udfff", "text": "\\ud800", "url": "https://x.ru/\\ud800"}'
FIELDS = [
    "title",
    "essence",
    "status",
    "priority",
    "sector",
    "territories",
    "topics",
    "responsible",
    "outcome",
    "comment",
    "organisation",
    "event",
    "text",
    "due_at",
    "channel",
    "measured_at",
    "reach",
    "url",
    "network",
    "audience_groups",
    "material",
    "links",
    "evidence",
    "verified",
    "followers",
    "kind",
    "published_at",
]


@pytest.fixture
def objects(db):
    rec = RecommendationFactory()
    return {
        "event": rec.event,
        "rec": rec,
        "case": CaseFactory(),
        "material": MaterialFactory(),
        "page": OfficialPageFactory(),
    }


def api_targets(o):
    e, r, c, m, p = o["event"].pk, o["rec"].pk, o["case"].pk, o["material"].pk, o["page"].pk
    return [
        ("post", "/api/v1/information-events/"),
        ("patch", f"/api/v1/information-events/{e}/"),
        ("post", f"/api/v1/information-events/{e}/transition/"),
        ("post", f"/api/v1/information-events/{e}/assign/"),
        ("post", f"/api/v1/information-events/{e}/sources/"),
        ("post", f"/api/v1/information-events/{e}/audience/"),
        ("post", "/api/v1/information-recommendations/"),
        ("post", f"/api/v1/information-recommendations/{r}/done/"),
        ("post", "/api/v1/information-activities/"),
        ("post", "/api/v1/information-materials/"),
        ("post", f"/api/v1/information-materials/{m}/versions/"),
        ("post", "/api/v1/disinformation-cases/"),
        ("post", f"/api/v1/disinformation-cases/{c}/mark-false/"),
        ("post", f"/api/v1/disinformation-cases/{c}/spread/"),
        ("post", f"/api/v1/disinformation-cases/{c}/warnings/"),
        ("post", f"/api/v1/disinformation-cases/{c}/refute/"),
        ("post", "/api/v1/official-pages/"),
        ("patch", f"/api/v1/official-pages/{p}/"),
    ]


def test_garbage_json_bodies_never_fail_the_api(objects, moderator, api_client_for):
    api = api_client_for(moderator)
    for method, url in api_targets(objects):
        for value in GARBAGE:
            body = dict.fromkeys(FIELDS, value)
            response = getattr(api, method)(url, body, format="json")
            assert response.status_code < 500, (url, value, response.content[:300])
        for raw in (b"{", b"[1,2", b"null", b'"x"', b"[" * 5000, b"\xff\xfe", SURROGATES):
            response = getattr(api, method)(url, raw, content_type="application/json")
            assert response.status_code < 500, (url, raw[:10])


def test_garbage_query_strings_never_fail_the_api_lists(objects, moderator, api_client_for):
    api = api_client_for(moderator)
    params = {
        "status": "\x00",
        "priority": "x",
        "sector": "\x00" * 3,
        "territory": "9" * 30,
        "responsible": "-1",
        "event": "abc",
        "organisation": "1.5",
        "page": "99999",
        "page_size": "-5",
        "ordering": "nonsense",
        "channel": "?",
        "published": "maybe",
        "verified": "2",
        "network": "\x00",
    }
    for url in (
        "/api/v1/information-events/",
        "/api/v1/information-recommendations/",
        "/api/v1/information-activities/",
        "/api/v1/official-pages/",
        "/api/v1/disinformation-cases/",
    ):
        assert api.get(url, params).status_code < 500, url
    assert api.get("/api/v1/information-events/99999999999999999999/").status_code == 404


def test_garbage_forms_never_fail_the_pages(objects, moderator, client_for):
    client = client_for(moderator)
    e, r, c, m = objects["event"].pk, objects["rec"].pk, objects["case"].pk, objects["material"].pk
    posts = [
        reverse("informing:event-create"),
        reverse("informing:event-edit", args=[e]),
        reverse("informing:event-transition", args=[e]),
        reverse("informing:event-assign", args=[e]),
        reverse("informing:event-source", args=[e]),
        reverse("informing:event-audience", args=[e]),
        reverse("informing:event-recommend", args=[e]),
        reverse("informing:recommendation-done", args=[r]),
        reverse("informing:activity-create"),
        reverse("informing:material-create"),
        reverse("informing:material-version", args=[m]),
        reverse("informing:case-create"),
        reverse("informing:case-mark-false", args=[c]),
        reverse("informing:case-spread", args=[c]),
        reverse("informing:case-warning", args=[c]),
        reverse("informing:case-refute", args=[c]),
        reverse("informing:page-create"),
    ]
    junk = {name: ["\x00", "9" * 300] for name in FIELDS}
    junk["next"] = "https://evil.example/"
    for url in posts:
        response = client.post(url, junk)
        assert response.status_code in (200, 302), url
        if response.status_code == 302:
            assert not response["Location"].startswith("https://evil"), url
    gets = {
        "q": "\x00",
        "status": "zzz",
        "priority": "\x00",
        "sector_block": "abc",
        "page": "-3",
        "open_only": "x",
        "channel": "\x00",
        "published": "7",
        "kind": "\x00",
        "archived": "2",
        "network": "q",
    }
    for name in (
        "event-list",
        "recommendation-list",
        "activity-list",
        "material-list",
        "case-list",
        "page-list",
        "without-page",
    ):
        assert client.get(reverse(f"informing:{name}"), gets).status_code == 200, name
    assert client.get(reverse("informing:activity-create"), {"event": "9" * 40}).status_code in (200, 404)
