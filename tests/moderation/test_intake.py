"""Intake of messages: the REST batch (up to 1,000 items, a result per item) and CSV/XLSX files (an error per
bad row with its line number); both idempotent on (network, external id)."""

import io

import pytest
from openpyxl import Workbook

from moderation.intake import MAX_BATCH, import_file
from moderation.models import IncomingMessage, MessageEvent
from sectors.models import SectorBlock
from tests.factories import TerritoryFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/moderation-messages/batch/"


@pytest.fixture
def shatsk(db):
    return TerritoryFactory(name="Шацкий район", oktmo="61656000")


def item(n: int, **extra) -> dict:
    return {
        "network": "vk",
        "external_id": f"wall-1_{n}",
        "text": f"Нет воды в доме {n}",
        "author": f"id{n}",
        "url": f"https://vk.com/wall-1_{n}",
        "posted_at": "15.03.2026 10:30",
        "reach": 100 + n,
        **extra,
    }


def test_a_batch_is_idempotent_with_a_result_per_item(moderator, api_client_for, shatsk):
    api = api_client_for(moderator)
    items = [item(1, territory="61656000", sector="housing"), item(2, territory="Шацкий район"), item(1)]

    first = api.post(URL, {"items": items}, format="json").json()
    second = api.post(URL, {"items": items}, format="json").json()

    assert (first["created"], first["existing"], first["errors"]) == (2, 1, 0)
    assert [r["status"] for r in first["results"]] == ["created", "created", "existing"]
    assert first["results"][0]["id"] == first["results"][2]["id"]
    assert (second["created"], second["existing"]) == (0, 3)
    assert [r["id"] for r in second["results"]] == [r["id"] for r in first["results"]]
    assert IncomingMessage.objects.count() == 2
    assert MessageEvent.objects.filter(kind="received").count() == 2
    message = IncomingMessage.objects.get(external_id="wall-1_1")
    assert message.territory == shatsk and message.sector_block == SectorBlock.objects.get(code="housing")
    assert message.due_at > message.received_at and message.status == IncomingMessage.Status.NEW


def test_bad_items_are_reported_by_index_and_good_ones_still_come_in(moderator, api_client_for):
    items = [
        item(1),
        {"network": "myspace", "text": "x"},
        {"network": "vk", "text": "  "},
        item(4, url="not a link", reach=-5, posted_at="31.02.2026"),
        item(5, territory="Атлантида", sector="nope"),
        "строка вместо объекта",
        item(7, text={"nested": True}),
        item(8, external_id="x" * 200),
        item(9, reach="1e30"),
    ]

    body = api_client_for(moderator).post(URL, {"items": items}, format="json").json()

    assert body["created"] == 1 and body["errors"] == 8
    errors = {r["index"]: r["errors"] for r in body["results"] if r["status"] == "error"}
    assert "Неизвестная сеть" in errors[1]["network"]
    assert "Пустой текст" in errors[2]["text"]
    assert set(errors[3]) == {"url", "reach", "posted_at"}
    assert set(errors[4]) == {"territory", "sector"}
    assert "item" in errors[5]
    assert "text" in errors[6] and "external_id" in errors[7] and "reach" in errors[8]


def test_an_item_without_an_id_gets_a_stable_one_from_its_content(moderator, api_client_for):
    raw = {
        "network": "Одноклассники",
        "text": "Сломан лифт",
        "author": "Нина",
        "posted_at": "2026-03-01T09:00:00+03:00",
    }
    api = api_client_for(moderator)

    api.post(URL, {"items": [raw]}, format="json")
    again = api.post(URL, {"items": [raw]}, format="json").json()

    assert again["existing"] == 1
    assert IncomingMessage.objects.get().external_id.startswith("sha1:")
    assert IncomingMessage.objects.get().network == "ok"


def test_a_batch_over_the_limit_or_empty_is_refused_whole(moderator, api_client_for):
    api = api_client_for(moderator)

    assert api.post(URL, {"items": [item(n) for n in range(MAX_BATCH + 1)]}, format="json").status_code == 400
    assert api.post(URL, {"items": []}, format="json").status_code == 400
    assert api.post(URL, {"items": "x"}, format="json").status_code == 400
    assert IncomingMessage.objects.count() == 0


def test_a_full_batch_of_1000_is_taken_in_one_request(moderator, api_client_for, django_assert_max_num_queries):
    items = [item(n) for n in range(MAX_BATCH)]

    with django_assert_max_num_queries(60):  # chunked INSERTs; SQLite needs smaller chunks
        body = api_client_for(moderator).post(URL, {"items": items}, format="json").json()

    assert body["created"] == MAX_BATCH


CSV = (
    "Сеть;ID;Дата публикации;Автор;Ссылка;Текст;Территория;Отраслевой блок;Охват\r\n"
    "ВКонтакте;wall-5_1;15.03.2026 10:30;id1;https://vk.com/wall-5_1;Нет света;Шацкий район;energy;120\r\n"
    "Телеграм;42;15.03.2026 11:00;@kanal;;Очереди в поликлинике;;health;abc\r\n"
    "vk;wall-5_3;завтра;id3;;Текст;;;\r\n"
    ";wall-5_4;15.03.2026;id4;;Без сети;;;\r\n"
    "ok;wall-5_5;15.03.2026;id5;;Ремонт дороги затянулся;Шацкий район;roads;5000\r\n"
)


def test_a_csv_file_imports_good_rows_and_reports_bad_ones_by_line(moderator, shatsk):
    first = import_file(CSV.encode("cp1251"), "messages.csv", by=moderator)
    second = import_file(CSV.encode("cp1251"), "messages.csv", by=moderator)

    assert (first.total_rows, first.created_count, first.error_count) == (5, 2, 3)
    assert [e["line"] for e in first.errors] == [3, 4, 5]
    assert "Охват" in first.errors[0]["error"] and "дата" in first.errors[1]["error"].lower()
    assert "сеть" in first.errors[2]["error"].lower()
    assert (second.created_count, second.existing_count) == (0, 2)
    assert IncomingMessage.objects.filter(source="file").count() == 2


def test_an_xlsx_file_is_imported_like_a_csv(moderator, shatsk):
    book = Workbook()
    sheet = book.active
    sheet.append(["network", "external_id", "text", "territory", "reach"])
    sheet.append(["max", "m-1", "Нет газа в Шацке", "61656000", 10])
    sheet.append(["max", "m-2", "", "", ""])
    buffer = io.BytesIO()
    book.save(buffer)

    imp = import_file(buffer.getvalue(), "messages.xlsx", by=moderator)

    assert (imp.created_count, imp.error_count) == (1, 1)
    assert imp.errors[0]["line"] == 3
    assert IncomingMessage.objects.get().territory == shatsk


def test_the_import_page_uploads_a_file_and_shows_its_errors(moderator, client_for, shatsk):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    client = client_for(moderator)
    upload = SimpleUploadedFile("messages.csv", CSV.encode("utf-8"), content_type="text/csv")

    response = client.post(reverse("moderation:import"), {"file": upload}, follow=True)

    assert response.status_code == 200
    assert "строк с ошибками: 3" in response.content.decode()
    broken = SimpleUploadedFile("x.csv", b"foo;bar\r\n1;2\r\n", content_type="text/csv")
    page = client.post(reverse("moderation:import"), {"file": broken})
    assert page.status_code == 200 and "обязательного столбца" in page.content.decode()
    wrong = SimpleUploadedFile("x.exe", b"MZ", content_type="application/octet-stream")
    assert "Можно загрузить: .csv, .xlsx" in client.post(reverse("moderation:import"), {"file": wrong}).content.decode()
