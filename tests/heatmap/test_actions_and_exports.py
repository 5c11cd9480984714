"""Problem point decisions (who may take them, what they record) and the exports of the list of regional
problems and of the priorities proposal."""

import datetime
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from cur.models import AuditEvent
from cur.roles import Role
from heatmap import services
from heatmap.errors import HeatmapError
from heatmap.models import ProblemPoint

from .test_pages import filled  # noqa: F401 — the shared fixture

pytestmark = pytest.mark.django_db
S = ProblemPoint.Status


def test_a_curator_confirms_then_takes_into_a_roadmap_then_resolves(filled, people, client_for):  # noqa: F811
    point = filled["waste"]
    client = client_for(people[Role.CURATOR])
    url = lambda action: reverse("heatmap:problem-action", args=[point.pk, action])  # noqa: E731
    client.post(url("confirm"), {"comment": "Подтверждаю по итогам выезда."})
    point.refresh_from_db()
    assert point.status == S.CONFIRMED and point.confirmed_by == people[Role.CURATOR] and point.confirmed_at
    page = client.get(reverse("heatmap:problem-detail", args=[point.pk])).text
    assert "Подтвердил" in page and str(people[Role.CURATOR]) in page
    assert client.post(url("roadmap"), {"roadmap_note": ""}).status_code == 302
    point.refresh_from_db()
    assert point.status == S.CONFIRMED  # the note is required
    client.post(url("roadmap"), {"roadmap_note": "ДК «Чистый район», мероприятие 4"})
    client.post(url("resolve"), {"comment": "Площадки оборудованы."})
    point.refresh_from_db()
    assert point.status == S.RESOLVED and point.resolved_at and point.roadmap_note.startswith("ДК")
    assert AuditEvent.objects.filter(action__startswith="problem_point.").count() == 3


def test_a_block_responsible_decides_only_within_their_block(filled, people, client_for):  # noqa: F811
    client = client_for(people[Role.BLOCK_RESPONSIBLE])
    assert client.post(reverse("heatmap:problem-action", args=[filled["waste"].pk, "confirm"])).status_code == 404
    client.post(reverse("heatmap:problem-action", args=[filled["health"].pk, "confirm"]))
    assert ProblemPoint.objects.get(pk=filled["health"].pk).status == S.CONFIRMED


@pytest.mark.parametrize("role", [Role.BLOCK_HEAD, Role.OPERATOR, Role.MUNICIPAL_OPERATOR, Role.EXECUTOR])
def test_roles_without_the_capability_cannot_decide(role, filled, people, client_for):  # noqa: F811
    response = client_for(people[role]).post(reverse("heatmap:problem-action", args=[filled["health"].pk, "confirm"]))
    assert response.status_code == 403
    assert ProblemPoint.objects.get(pk=filled["health"].pk).status == S.NEW


def test_a_wrong_transition_is_refused_with_a_message(filled, people, client_for):  # noqa: F811
    point = filled["health"]
    with pytest.raises(HeatmapError):
        services.resolve_problem_point(point, by=people[Role.CURATOR], comment="Решено.")
    response = client_for(people[Role.CURATOR]).post(
        reverse("heatmap:problem-action", args=[point.pk, "resolve"]), {"comment": "Решено."}, follow=True
    )
    assert "Нельзя отметить решённой" in response.text
    assert (
        client_for(people[Role.CURATOR]).post(reverse("heatmap:problem-action", args=[point.pk, "drop"])).status_code
        == 404
    )


def test_the_list_of_regional_problems_holds_the_confirmed_ones_and_exports_safely(filled, people, client_for):  # noqa: F811
    curator = people[Role.CURATOR]
    services.confirm_problem_point(filled["waste"], by=curator, comment='=HYPERLINK("http://evil")')
    client = client_for(curator)
    page = client.get(reverse("heatmap:regional-problems"))
    assert [p.pk for p in page.context["points"]] == [filled["waste"].pk]
    csv_text = client.get(reverse("heatmap:regional-problems-csv")).content.decode("utf-8-sig")
    lines = csv_text.splitlines()
    assert lines[0].startswith("№;Территория;Отраслевой блок;Тема")
    assert len(lines) == 2 and "'=HYPERLINK" in lines[1]
    book = load_workbook(io.BytesIO(client.get(reverse("heatmap:regional-problems-xlsx")).content))
    rows = list(book.active.iter_rows(values_only=True))
    assert rows[1][1] == filled["waste"].territory.name
    assert rows[1][-1].startswith("'=HYPERLINK")
    # A block head's export holds only their blocks' problems
    services.confirm_problem_point(filled["health"], by=curator)
    head_csv = client_for(people[Role.BLOCK_HEAD]).get(reverse("heatmap:regional-problems-csv")).content
    assert len(head_csv.decode("utf-8-sig").splitlines()) == 2


def test_the_priorities_export_is_a_proposal_with_reasons(filled, people, client_for, world):  # noqa: F811
    client = client_for(people[Role.CURATOR])
    response = client.get(reverse("heatmap:priorities-xlsx"), {"min_count": 3, "period": "30"})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = list(load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    assert rows[0][:3] == ("Место", "Территория", "Тема")
    assert [r[1] for r in rows[1:]] == [world.districts[0].name, world.districts[1].name]
    assert all(r[9] for r in rows[1:])  # the reasons in words
    csv_lines = client.get(reverse("heatmap:priorities-csv"), {"min_count": 3}).content.decode("utf-8-sig").splitlines()
    assert len(csv_lines) == 3


def test_detection_finds_a_spike_in_the_rollup_and_updates_it_on_a_second_run(
    world, clock, django_capture_on_commit_callbacks
):
    from .world import register

    with django_capture_on_commit_callbacks(execute=True):
        for _week in range(8):  # one appeal a week…
            register(world, territory=world.districts[1], block="waste")
            clock.advance(days=7)
        for _ in range(9):  # …then nine in a few days
            register(world, territory=world.districts[1], block="waste")
            clock.advance(hours=6)
    counts = services.detect_problem_points(clock.today())
    assert counts["created"] == 1 and counts["spikes"] == 1
    point = ProblemPoint.objects.get()
    assert (point.kind, point.territory, point.topic, point.observed) == (
        ProblemPoint.Kind.SPIKE,
        world.districts[1],
        world.topic("waste"),
        9,
    )
    assert point.window_end == clock.today() and "9 обращ." in point.explanation
    assert services.detect_problem_points(clock.today() + datetime.timedelta(days=1))["created"] == 0
    point.refresh_from_db()
    assert point.detections == 2


def test_the_admin_lists_problem_points_and_poll_results_read_only(filled, people, client_for):  # noqa: F811
    client = client_for(people[Role.ADMIN])
    for url in ("/admin/heatmap/problempoint/", "/admin/heatmap/pollresult/", "/admin/heatmap/pollimport/",
                f"/admin/heatmap/problempoint/{filled['health'].pk}/change/"):  # fmt: skip
        assert client.get(url).status_code == 200, url
    assert client.get("/admin/heatmap/problempoint/add/").status_code == 403
