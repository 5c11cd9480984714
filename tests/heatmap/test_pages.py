"""Every page for every role: who may open it, and whose numbers it shows (DESIGN §3: the scope of the
appeals applies to the rollup too)."""

import datetime
import json
import re

import pytest
from django.urls import reverse

from cur.roles import Role
from heatmap import rollup
from heatmap.models import ProblemPoint

from .world import register

pytestmark = pytest.mark.django_db

PAGES = ["heatmap:map", "heatmap:problems", "heatmap:regional-problems", "heatmap:priorities", "heatmap:polls",
         "heatmap:block-dashboard", "heatmap:region-dashboard", "heatmap:geojson", "heatmap:regional-problems-csv",
         "heatmap:priorities-xlsx"]  # fmt: skip
STAFF = [r for r in Role if r != Role.COMPETENCE_CENTER]
ALLOWED = {
    "heatmap:block-dashboard": {Role.BLOCK_HEAD, Role.BLOCK_RESPONSIBLE},
    "heatmap:region-dashboard": {Role.ADMIN, Role.CURATOR, Role.EXECUTIVE},
}


@pytest.fixture
def filled(world, people, clock, django_capture_on_commit_callbacks):
    """Health appeals in the first district (one in its settlement), waste appeals in the second; a problem
    point of each block."""
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(4):
            register(world, territory=world.districts[0], block="health")
        register(world, territory=world.settlement, block="health")
        for _ in range(3):
            register(world, territory=world.districts[1], block="waste")
    rollup.rebuild_all()
    today = clock.today()
    points = {}
    for block, territory in (("health", world.districts[0]), ("waste", world.districts[1])):
        points[block] = ProblemPoint.objects.create(
            kind=ProblemPoint.Kind.SPIKE, territory=territory, topic=world.topic(block),
            sector_block=world.blocks[block], window_start=today - datetime.timedelta(days=6), window_end=today,
            observed=9, expected=1.5, score=5.0, explanation="Всплеск.", first_detected_at=clock.now,
            last_detected_at=clock.now,
        )  # fmt: skip
    return points


@pytest.mark.parametrize("role", list(Role))
def test_who_may_open_each_page(role, filled, people, client_for):
    client = client_for(people[role])
    for name in PAGES:
        allowed = role in ALLOWED.get(name, set(STAFF))
        assert client.get(reverse(name)).status_code == (200 if allowed else 403), (name, role)
    point = filled["health"].pk
    for url in (reverse("heatmap:problem-detail", args=[point]), reverse("heatmap:problems") + "?status=all"):
        assert client.get(url).status_code == (200 if role in STAFF else 403), (url, role)


def test_anonymous_visitors_are_sent_to_log_in(client, filled):
    for name in PAGES:
        assert client.get(reverse(name)).status_code == 302


def _figure(response, element: str) -> dict:
    match = re.search(rf'<script id="{element}-figure" type="application/json">(.*?)</script>', response.text, re.S)
    return json.loads(match.group(1))


def test_the_region_sees_every_territory_and_block(filled, people, client_for, world):
    response = client_for(people[Role.CURATOR]).get(reverse("heatmap:map"))
    figure = _figure(response, "heat-map")["data"][0]
    # The settlement's appeal is counted in its district
    values = dict(zip(figure["locations"], figure["z"], strict=True))
    assert [values[str(d.pk)] for d in world.districts] == [5, 3, 0]
    assert sum(values.values()) == 8
    matrix = _figure(response, "matrix")["data"][0]
    assert sum(map(sum, matrix["z"])) == 8


def test_a_block_head_sees_only_their_blocks_numbers(filled, people, client_for, world):
    client = client_for(people[Role.BLOCK_HEAD])
    response = client.get(reverse("heatmap:map"))
    figure = _figure(response, "heat-map")["data"][0]
    assert dict(zip(figure["locations"], figure["z"], strict=True))[str(world.districts[1].pk)] == 0
    assert sum(figure["z"]) == 5
    matrix = _figure(response, "matrix")["data"][0]
    assert matrix["x"] == ["Здравоохранение"]
    # Another block as a filter is not offered and counts nothing
    response = client.get(reverse("heatmap:map"), {"sector": "waste"})
    assert sum(_figure(response, "heat-map")["data"][0]["z"]) == 5
    # Problem points of another block are not listed, and their page is a 404
    listed = client.get(reverse("heatmap:problems")).text
    assert f'data-point="{filled["health"].pk}"' in listed and f'data-point="{filled["waste"].pk}"' not in listed
    assert client.get(reverse("heatmap:problem-detail", args=[filled["waste"].pk])).status_code == 404
    board = client.get(reverse("heatmap:block-dashboard")).text
    assert 'data-block="health"' in board and 'data-block="waste"' not in board


def test_a_municipal_operator_sees_only_their_territory(filled, people, client_for, world):
    client = client_for(people[Role.MUNICIPAL_OPERATOR])
    figure = _figure(client.get(reverse("heatmap:map")), "heat-map")["data"][0]
    assert figure["locations"] == [str(world.districts[0].pk)] and figure["z"] == [5]
    assert client.get(reverse("heatmap:problem-detail", args=[filled["waste"].pk])).status_code == 404
    focus = reverse("heatmap:focus")
    assert (
        client.get(focus, {"territory": world.districts[1].pk, "topic": world.topic("waste").code}).status_code == 404
    )
    assert (
        client.get(focus, {"territory": world.districts[0].pk, "topic": world.topic("health").code}).status_code == 200
    )


def test_an_executor_sees_only_their_organisations_appeals(filled, people, client_for, world,
                                                            django_capture_on_commit_callbacks):  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        from appeals import services

        appeal = register(world, territory=world.districts[0], block="health")
        services.assign_appeal(appeal, organisation=world.organisations["health"], by=world.operator)
    client = client_for(people[Role.EXECUTOR])
    figure = _figure(client.get(reverse("heatmap:map")), "heat-map")["data"][0]
    assert sum(figure["z"]) == 1
    # Their topics too: the map of one topic and the priorities count only the appeal of their organisation
    topic = _figure(client.get(reverse("heatmap:map"), {"topic": world.topic("health").code}), "heat-map")
    assert sum(topic["data"][0]["z"]) == 1
    rows = client.get(reverse("heatmap:priorities"), {"min_count": 1}).context["rows"]
    assert [(r.place.id, r.topic.pk, r.priority.stats.received) for r in rows] == [
        (world.districts[0].pk, world.topic("health").pk, 1)
    ]


def test_a_click_leads_to_the_appeals_behind_the_number(filled, people, client_for, world):
    client = client_for(people[Role.CURATOR])
    figure = _figure(client.get(reverse("heatmap:map")), "heat-map")["data"][0]
    url = figure["customdata"][figure["locations"].index(str(world.districts[1].pk))]
    listed = client.get(url)
    assert listed.status_code == 200
    assert len(listed.context["page_obj"].rows) == 3
    # The same link opened by a block head of another block shows none of them (the list applies the scope)
    head = client_for(people[Role.BLOCK_HEAD])
    assert len(head.get(url).context["page_obj"].rows) == 0


def test_the_region_dashboard_shows_what_needs_a_decision(filled, people, client_for):
    text = client_for(people[Role.CURATOR]).get(reverse("heatmap:region-dashboard")).text
    assert 'data-testid="new-points">2<' in text
    assert 'data-block="health"' in text and 'data-block="waste"' in text


def test_priorities_rank_the_pairs_with_reasons(filled, people, client_for, world):
    response = client_for(people[Role.CURATOR]).get(reverse("heatmap:priorities"), {"min_count": 3})
    rows = response.context["rows"]
    assert [(r.place.id, r.priority.stats.received) for r in rows] == [(world.districts[0].pk, 5),
                                                                      (world.districts[1].pk, 3)]  # fmt: skip
    assert all(r.priority.reasons for r in rows)


def test_priorities_count_every_channel(filled, people, client_for, world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        register(world, territory=world.districts[1], block="waste", channel="email")
    client = client_for(people[Role.CURATOR])
    response = client.get(reverse("heatmap:priorities"), {"min_count": 3, "channel": "pos"})
    assert 'name="channel"' not in response.text  # no channel filter is offered, and none is applied
    assert [r.priority.stats.received for r in response.context["rows"]] == [5, 4]
