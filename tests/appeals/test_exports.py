"""CSV and XLSX exports of the filtered lists: content, scope, masking, formula neutralisation."""

import csv
import datetime
import io

import pytest
from django.http import StreamingHttpResponse
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from appeals.models import Appeal
from appeals.views import exports
from cur.roles import Role
from cur.web.exports import XLSX_CONTENT_TYPE, neutralise

from .page_factories import APPLICANT_EMAIL, APPLICANT_NAME, APPLICANT_PHONE, appeal_in, block, build_region

S = Appeal.Status


@pytest.fixture
def region(db):
    return build_region()


def csv_rows(response) -> list[dict]:
    assert isinstance(response, StreamingHttpResponse)
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text[1:]), delimiter=";"))


def xlsx_rows(response) -> list[dict]:
    sheet = load_workbook(io.BytesIO(response.content), read_only=True).active
    header, *rows = list(sheet.iter_rows(values_only=True))
    return [dict(zip(header, row, strict=True)) for row in rows]


def test_the_csv_has_every_visible_appeal_of_the_filtered_list(region, operator, client_for):
    response = client_for(operator).get(reverse("appeals:export-csv"), {"sector": "health"})

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="appeals-')
    rows = csv_rows(response)
    assert {r["Номер"] for r in rows} == {region.health_a.number}  # new_a has no block yet, waste_b is waste
    [row] = rows
    assert row["Статус"] == "Назначено исполнителю"
    assert row["Отраслевой блок"] == "Здравоохранение"
    assert row["Исполнитель"] == region.org_a.name
    assert row["Текст обращения"] == region.health_a.text


def test_an_operator_gets_personal_data_in_the_export(region, operator, client_for):
    [row] = csv_rows(client_for(operator).get(reverse("appeals:export-csv"), {"q": region.health_a.number}))

    assert row["ФИО заявителя"] == APPLICANT_NAME
    assert row["Телефон заявителя"] == "'" + APPLICANT_PHONE  # starts with «+»: neutralised
    assert row["E-mail заявителя"] == APPLICANT_EMAIL


def test_a_block_head_gets_the_personal_data_masked_in_csv_and_xlsx(region, make_user, client_for):
    client = client_for(make_user(Role.BLOCK_HEAD))

    csv_response = client.get(reverse("appeals:export-csv"))
    raw = b"".join(csv_response.streaming_content).decode("utf-8")
    xlsx = client.get(reverse("appeals:export-xlsx"))
    xlsx_text = repr(xlsx_rows(xlsx))

    for secret in (APPLICANT_PHONE, APPLICANT_NAME, APPLICANT_EMAIL, "Почтовая"):
        assert secret not in raw
        assert secret not in xlsx_text
    [row] = csv_rows(client.get(reverse("appeals:export-csv")))
    assert row["ФИО заявителя"] == "К********"


def test_the_export_keeps_the_scope_of_the_user(region, make_user, client_for):
    executor = make_user(Role.EXECUTOR, organisation=region.org_b)

    rows = csv_rows(client_for(executor).get(reverse("appeals:export-csv")))

    assert [r["Номер"] for r in rows] == [region.waste_b.number]


def test_the_export_of_the_queue_is_for_triage_roles(region, operator, make_user, client_for):
    queue = csv_rows(client_for(operator).get(reverse("appeals:export-csv"), {"source": "queue"}))
    assert [r["Номер"] for r in queue] == [region.new_a.number]

    response = client_for(make_user(Role.BLOCK_HEAD)).get(reverse("appeals:export-csv"), {"source": "queue"})
    assert response.status_code == 403


def test_the_executor_exports_their_list(region, make_user, client_for):
    executor = make_user(Role.EXECUTOR, organisation=region.org_a)
    rows = csv_rows(client_for(executor).get(reverse("appeals:export-csv"), {"source": "my"}))
    assert [r["Номер"] for r in rows] == [region.health_a.number]


FORMULAS = ['=HYPERLINK("http://evil","x")', "+1+1", "-2+3", "@SUM(A1)", "=cmd|' /C calc'!A0"]


@pytest.mark.parametrize("formula", FORMULAS)
def test_formulas_in_csv_become_plain_text(formula, db, operator, client_for):
    appeal_in(S.NEW, text=formula, address=formula, applicant_name=formula)

    [row] = csv_rows(client_for(operator).get(reverse("appeals:export-csv")))

    assert row["Текст обращения"] == "'" + formula
    assert row["Адрес проблемы"] == "'" + formula
    assert row["ФИО заявителя"] == "'" + formula


@pytest.mark.parametrize("formula", FORMULAS)
def test_formulas_in_xlsx_become_plain_text(formula, db, operator, client_for):
    appeal_in(S.NEW, text=formula, address=formula)

    response = client_for(operator).get(reverse("appeals:export-xlsx"))

    sheet = load_workbook(io.BytesIO(response.content)).active
    header = [c.value for c in sheet[1]]
    text_cell = sheet.cell(row=2, column=header.index("Текст обращения") + 1)
    assert text_cell.value == "'" + formula
    assert text_cell.data_type == "s"


def test_the_xlsx_has_the_same_rows_with_dates_and_numbers(region, operator, client_for):
    response = client_for(operator).get(reverse("appeals:export-xlsx"), {"sector": "health"})

    assert response["Content-Type"] == XLSX_CONTENT_TYPE
    [row] = xlsx_rows(response)
    assert row["Номер"] == region.health_a.number
    # The export writes Moscow wall time (Excel has no zones, and keeps milliseconds only); between
    # 21:00 and 24:00 UTC its date is a day ahead of the UTC one.
    moscow = timezone.localtime(region.health_a.registered_at).replace(tzinfo=None)
    assert abs(row["Зарегистрировано"] - moscow) < datetime.timedelta(milliseconds=1)
    assert isinstance(row["Дней до срока"], int)


def test_control_characters_do_not_break_the_xlsx(db, operator, client_for):
    appeal_in(S.NEW, text="Текст\x01с\x07управляющими\x1bсимволами")

    [row] = xlsx_rows(client_for(operator).get(reverse("appeals:export-xlsx")))

    assert row["Текст обращения"] == "Текстсуправляющимисимволами"


def test_the_export_is_capped(db, operator, client_for, monkeypatch):
    monkeypatch.setattr(exports, "EXPORT_LIMIT", 2)
    for _ in range(4):
        appeal_in(S.NEW, sector_block=block("roads"))

    assert len(csv_rows(client_for(operator).get(reverse("appeals:export-csv")))) == 2
    assert len(xlsx_rows(client_for(operator).get(reverse("appeals:export-xlsx")))) == 2


def test_garbage_filters_still_export(region, operator, client_for):
    response = client_for(operator).get(
        reverse("appeals:export-csv"), {"territory": "abc", "sort": "zzz", "source": "nope", "due_within": "x"}
    )
    assert response.status_code == 200
    assert len(csv_rows(response)) == 3


def test_neutralise_leaves_ordinary_text_alone():
    assert neutralise("Обычный текст") == "Обычный текст"
    assert neutralise("a=b") == "a=b"
    assert neutralise(5) == 5
    assert neutralise("=1") == "'=1"
