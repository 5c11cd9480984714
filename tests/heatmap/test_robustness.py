"""Garbage in the query string or the form never makes a page fail: bad values are ignored or reported."""

import pytest
from django.urls import reverse

from cur.roles import Role

from .test_pages import filled  # noqa: F401 — the shared fixture

pytestmark = pytest.mark.django_db

GARBAGE = [
    {"period": "999999999999"}, {"period": "custom", "since": "2026-99-01", "until": "вчера"},
    {"period": "custom", "since": "2030-01-01", "until": "1900-01-01"}, {"since": "0001-01-01", "until": "9999-12-31"},
    {"sector": "<script>", "topic": "' OR 1=1 --", "channel": "телепатия", "metric": "__class__"},
    {"metric": "per_1000", "min_count": "-5", "block": "nope", "page": "-1"},
    {"status": "../../etc", "kind": "\x00", "territory": "99999999999999999999", "sector": "1e9"},
    {"territory": "abc", "topic": "x" * 5000},
]  # fmt: skip
PAGES = ["heatmap:map", "heatmap:priorities", "heatmap:problems", "heatmap:regional-problems", "heatmap:polls",
         "heatmap:region-dashboard", "heatmap:priorities-csv", "heatmap:priorities-xlsx"]  # fmt: skip


@pytest.mark.parametrize("params", GARBAGE)
def test_garbage_filters_never_fail_a_page(params, filled, people, client_for):  # noqa: F811
    client = client_for(people[Role.ADMIN])
    for name in PAGES:
        assert client.get(reverse(name), params).status_code == 200, (name, params)
    head = client_for(people[Role.BLOCK_HEAD])
    assert head.get(reverse("heatmap:block-dashboard"), params).status_code == 200


def test_a_focus_on_nothing_is_a_404_not_a_500(filled, people, client_for, world):  # noqa: F811
    client = client_for(people[Role.ADMIN])
    focus = reverse("heatmap:focus")
    health = world.topic("health").code
    cases = [{}, {"territory": "x", "topic": "y"}, {"territory": world.region.pk, "topic": health},
             {"territory": "9" * 30, "topic": health},
             {"territory": world.districts[0].pk, "topic": "nope"}]  # fmt: skip
    for params in cases:
        assert client.get(focus, params).status_code == 404, params
    ok = client.get(focus, {"territory": world.districts[0].pk, "topic": world.topic("health").code, "period": "zzz"})
    assert ok.status_code == 200


def test_bad_posts_never_fail(filled, people, client_for):  # noqa: F811
    client = client_for(people[Role.ADMIN])
    point = filled["health"].pk
    assert (
        client.post(reverse("heatmap:problem-action", args=[point, "confirm"]), {"comment": "x" * 6000}).status_code
        == 302
    )
    assert client.post(reverse("heatmap:problem-action", args=[999999, "confirm"])).status_code == 404
    assert client.get(reverse("heatmap:problem-action", args=[point, "confirm"])).status_code == 405
    assert client.post(reverse("heatmap:poll-import"), {}).status_code == 200
    assert client.get(reverse("heatmap:poll-import-detail", args=[424242])).status_code == 404
