"""Importing results of polls, votes and public discussions: bad rows with their line numbers, nothing
imported twice, results shown beside the appeals of their topic and territory."""

import pytest
from django.urls import reverse

from cur.roles import Role
from heatmap import services
from heatmap.errors import HeatmapError
from heatmap.models import PollImport, PollResult
from heatmap.scope import scope_for

pytestmark = pytest.mark.django_db


def _csv(world, *rows: str) -> bytes:
    header = "вид;название;дата;территория;тема;участников;поддержали, %;итог;ссылка"
    return ("\n".join([header, *rows]) + "\n").encode("utf-8")


def test_good_rows_are_imported_and_bad_ones_reported_with_line_numbers(world, people):
    health, waste = world.topic("health"), world.topic("waste")
    raw = _csv(
        world,
        f"опрос;Качество работы поликлиники;12.02.2026;{world.districts[0].oktmo};{health.code};1 240;61,5;Большинство за;https://example.ru/p/1",
        f"голосование;Площадки для мусора;2026-02-20;{world.districts[1].name};{waste.name};300;;;",
        f"митинг;Что-то;12.02.2026;{world.districts[0].oktmo};{health.code};;;;",  # line 4: unknown kind
        f"опрос;Без даты;;{world.districts[0].oktmo};{health.code};;;;",  # line 5
        f"опрос;Нет территории;12.02.2026;Атлантида;{health.code};;;;",  # line 6
        f"опрос;Плохой процент;12.02.2026;{world.districts[0].oktmo};{health.code};-3;140;;javascript:alert(1)",  # 7
        "",
        f"обсуждение;Благоустройство;01.03.2026;{world.districts[2].oktmo};{waste.code};45;;;",
    )  # fmt: skip
    batch = services.import_poll_results(raw, name="итоги.csv", by=people[Role.CURATOR])
    assert (batch.total_rows, batch.created_count, batch.existing_count, batch.error_count) == (7, 3, 0, 4)
    assert [e["line"] for e in batch.errors] == [4, 5, 6, 7]
    assert "вид «митинг»" in batch.errors[0]["error"]
    assert "ДД.ММ.ГГГГ" in batch.errors[1]["error"] and "«Атлантида» не найдена" in batch.errors[2]["error"]
    assert "не целое число" in batch.errors[3]["error"] and "не процент" in batch.errors[3]["error"]
    assert "не адрес http(s)" in batch.errors[3]["error"]
    poll = PollResult.objects.get(title="Качество работы поликлиники")
    assert (poll.participants, str(poll.support_percent), poll.territory) == (1240, "61.50", world.districts[0])
    # The same file again adds nothing
    again = services.import_poll_results(raw, name="итоги.csv", by=people[Role.CURATOR])
    assert (again.created_count, again.existing_count) == (0, 3)
    assert PollResult.objects.count() == 3


def test_an_unreadable_file_is_refused_whole(world, people):
    for raw in (b"", b"\xff\xfe\x00garbage", "название;дата\nx;y\n".encode(), b"x" * (3 * 1024 * 1024)):
        with pytest.raises(HeatmapError):
            services.import_poll_results(raw, name="x.csv", by=people[Role.CURATOR])
    assert not PollImport.objects.exists()


def test_a_block_responsible_imports_only_within_their_block(world, people):
    raw = _csv(world, f"опрос;Мусор;12.02.2026;{world.districts[1].oktmo};{world.topic('waste').code};;;;",
               f"опрос;Поликлиника;12.02.2026;{world.districts[0].oktmo};{world.topic('health').code};;;;")  # fmt: skip
    user = people[Role.BLOCK_RESPONSIBLE]
    batch = services.import_poll_results(raw, name="x.csv", by=user, scope=scope_for(user))
    assert batch.created_count == 1 and batch.errors == [
        {"line": 2, "error": "территория или тема вне вашей зоны ответственности"}
    ]


def test_the_import_page_reports_the_errors_and_results_show_beside_the_appeals(world, people, client_for):
    client = client_for(people[Role.CURATOR])
    from django.core.files.uploadedfile import SimpleUploadedFile

    raw = _csv(world, f"опрос;Поликлиника;12.02.2026;{world.districts[0].oktmo};{world.topic('health').code};10;;;",
               "опрос;;;;;;;;")  # fmt: skip
    response = client.post(reverse("heatmap:poll-import"), {"file": SimpleUploadedFile("itogi.csv", raw)})
    assert response.status_code == 302
    detail = client.get(response["Location"])
    assert "добавлено: 1" in detail.text and "<td>3</td>" in detail.text
    bad = client.post(reverse("heatmap:poll-import"), {"file": SimpleUploadedFile("itogi.xlsx", b"PK\x03\x04")})
    assert bad.status_code == 200 and "Можно загрузить: .csv, .txt" in bad.text
    focus = client.get(
        reverse("heatmap:focus"), {"territory": world.districts[0].pk, "topic": world.topic("health").code}
    )
    assert "Поликлиника" in focus.text
    # Somebody else's import report is not shown
    other = client_for(people[Role.EXECUTIVE]).get(response["Location"])
    assert other.status_code == 404
    # Roles that may not import are refused
    assert client_for(people[Role.OPERATOR]).get(reverse("heatmap:poll-import")).status_code == 403
