"""The personal-data access log: the administrator's page and CSV, the entries that viewing and
exporting write, the filters, pagination without COUNT(*)."""

import csv
import datetime
import io
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from appeals import services
from appeals.models import Appeal
from appeals.privacy import access_log
from appeals.views import exports
from cur.models import AuditEvent
from cur.navigation import menu_for
from cur.roles import Role
from tests.appeals.factories import appeal_in

S = Appeal.Status
IP = "10.20.30.40"
MOSCOW = ZoneInfo("Europe/Moscow")


@pytest.fixture
def appeal(db):
    return appeal_in(S.NEW)


def log_rows(response) -> list[dict]:
    text = b"".join(response.streaming_content).decode("utf-8")
    return list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff")), delimiter=";"))


def viewed(appeal: Appeal, user, *, at: datetime.datetime | None = None) -> AuditEvent:
    services.log_personal_data_view(appeal, by=user)
    event = AuditEvent.objects.filter(action=access_log.VIEWED).latest("id")
    if at is not None:
        AuditEvent.objects.filter(pk=event.pk).update(created_at=at)
    return event


@pytest.mark.parametrize("role", list(Role))
def test_only_the_administrator_opens_the_log_and_its_csv(role, make_user, client_for):
    client = client_for(make_user(role))
    expected = 200 if role == Role.ADMIN else 403

    assert client.get(reverse("pd_log:index")).status_code == expected
    assert client.get(reverse("pd_log:export-csv")).status_code == expected


def test_an_anonymous_visitor_is_sent_to_the_login_page(client, db):
    assert client.get(reverse("pd_log:index"))["Location"].startswith(reverse("login"))


def test_the_log_is_in_the_administrators_menu_only(make_user):
    for role in Role:
        labels = [item.label for item in menu_for(make_user(role))]
        assert ("Журнал доступа к ПДн" in labels) == (role == Role.ADMIN), role


def test_revealing_personal_data_on_the_appeal_page_is_in_the_log_with_the_ip(appeal, make_user, client_for):
    operator, admin = make_user(Role.OPERATOR, last_name="Орлова", first_name="Вера"), make_user(Role.ADMIN)
    client_for(operator).post(reverse("appeals:reveal-personal-data", args=[appeal.pk]), REMOTE_ADDR=IP)

    response = client_for(admin).get(reverse("pd_log:index"))

    [event] = response.context["page_obj"].object_list
    assert (event.actor, event.object_id, event.ip_address) == (operator, str(appeal.pk), IP)
    page = response.content.decode()
    assert "Орлова Вера" in page and appeal.number in page and IP in page
    assert "Просмотр персональных данных" in page


def test_an_unmasked_csv_export_writes_one_entry_with_the_filter_and_row_count(make_user, client_for):
    appeal_in(S.NEW), appeal_in(S.NEW), appeal_in(S.CLOSED)
    operator = make_user(Role.OPERATOR)

    response = client_for(operator).get(reverse("appeals:export-csv"), {"status": ["new"]}, REMOTE_ADDR=IP)
    body = b"".join(response.streaming_content).decode()

    [event] = AuditEvent.objects.filter(action=access_log.EXPORTED)
    assert body.count("\n") == 3  # the header and two appeals
    assert event.actor == operator and event.ip_address == IP
    assert event.changes == {"format": "csv", "filters": {"status": ["new"]}, "rows": 2, "complete": True}


def test_an_unmasked_xlsx_export_is_logged_too(make_user, client_for):
    appeal_in(S.NEW)
    response = client_for(make_user(Role.ADMIN)).get(reverse("appeals:export-xlsx"), {"sector": "waste"})

    rows = list(load_workbook(io.BytesIO(response.content), read_only=True).active.iter_rows(values_only=True))
    [event] = AuditEvent.objects.filter(action=access_log.EXPORTED)
    assert len(rows) == 2
    assert event.changes == {"format": "xlsx", "filters": {"sector": ["waste"]}, "rows": 1, "complete": True}


def test_an_export_the_client_stops_reading_is_logged_as_interrupted(make_user):
    for _ in range(3):
        appeal_in(S.NEW)
    operator = make_user(Role.OPERATOR)
    stream = exports.rows(Appeal.objects.all(), operator, exports.start_log(operator, "csv", {}))
    next(stream)  # one appeal sent

    stream.close()  # what the server does when the client goes away

    [event] = AuditEvent.objects.filter(action=access_log.EXPORTED)
    assert (event.changes["rows"], event.changes["complete"]) == (1, False)


def test_a_masked_export_is_not_personal_data_and_is_not_logged(make_user, client_for):
    appeal_in(S.NEW)
    block_head = make_user(Role.BLOCK_HEAD)

    b"".join(client_for(block_head).get(reverse("appeals:export-csv")).streaming_content)

    assert not AuditEvent.objects.filter(action=access_log.EXPORTED).exists()


@pytest.fixture
def history(appeal, make_user):
    """Three views by two operators on two days, and another appeal's view."""
    anna, boris = make_user(Role.OPERATOR, username="anna"), make_user(Role.CURATOR, username="boris")
    other = appeal_in(S.NEW)
    day = datetime.datetime(2026, 3, 10, 12, 0, tzinfo=MOSCOW)
    return {
        "anna": anna,
        "boris": boris,
        "other": other,
        "a1": viewed(appeal, anna, at=day),
        "a2": viewed(other, anna, at=day + datetime.timedelta(days=2)),
        "b1": viewed(appeal, boris, at=day + datetime.timedelta(days=2, hours=3)),
    }


def shown(client, **query) -> list[int]:
    return [event.pk for event in client.get(reverse("pd_log:index"), query).context["page_obj"].object_list]


def test_the_filters_select_by_user_period_and_appeal_number(history, appeal, admin_user, client_for):
    client = client_for(admin_user)
    a1, a2, b1 = history["a1"].pk, history["a2"].pk, history["b1"].pk

    assert shown(client) == [b1, a2, a1]
    assert shown(client, actor=history["anna"].pk) == [a2, a1]
    assert shown(client, since="12.03.2026") == [b1, a2]
    assert shown(client, until="10.03.2026") == [a1]
    assert shown(client, appeal=appeal.number) == [b1, a1]
    assert shown(client, appeal=str(history["other"].pk)) == [a2]
    assert shown(client, actor=history["boris"].pk, since="11.03.2026", until="12.03.2026", appeal=appeal.number) == [
        b1
    ]


def test_a_bad_filter_is_an_error_on_the_form_not_a_500(history, admin_user, client_for):
    response = client_for(admin_user).get(reverse("pd_log:index"), {"appeal": "abc", "since": "31.02.2026"})

    assert response.status_code == 200
    assert response.context["page_obj"].object_list == []
    assert set(response.context["filter_form"].errors) == {"appeal", "since"}


def test_the_csv_of_the_log_follows_the_filters(history, appeal, admin_user, client_for):
    rows = log_rows(client_for(admin_user).get(reverse("pd_log:export-csv"), {"actor": history["anna"].pk}))

    assert [row["Обращение"] for row in rows] == [str(history["other"]), str(appeal)]
    assert rows[-1]["Время"] == "10.03.2026 12:00:00"
    assert {row["Логин"] for row in rows} == {"anna"}
    assert {row["Действие"] for row in rows} == {"Просмотр персональных данных"}


def test_pages_have_a_fixed_number_of_queries_and_no_count(appeal, admin_user, client_for, make_user):
    client = client_for(admin_user)
    viewers = [make_user(Role.OPERATOR, username=f"op{i}") for i in range(3)]
    AuditEvent.objects.bulk_create(
        AuditEvent(actor=viewers[i % 3], action=access_log.VIEWED, object_type="appeals.appeal",
                   object_id=str(appeal.pk), object_repr=str(appeal))
        for i in range(120)
    )  # fmt: skip

    with CaptureQueriesContext(connection) as first:
        response = client.get(reverse("pd_log:index"))
    with CaptureQueriesContext(connection) as third:
        last = client.get(reverse("pd_log:index"), {"page": 3})

    assert len(response.context["page_obj"].object_list) == 50 and response.context["page_obj"].has_next
    assert len(last.context["page_obj"].object_list) == 20 and not last.context["page_obj"].has_next
    assert len(first) == len(third)
    assert not [q for q in first.captured_queries if "COUNT(" in q["sql"] and "cur_auditevent" in q["sql"]]
