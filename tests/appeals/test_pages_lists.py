"""The triage queue, the list of all appeals and the executor's list: filters, order, pages, queries."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from appeals.models import Appeal
from cur.roles import Role
from cur.web import pagination

from .page_factories import appeal_in, block, build_region, topic_of

S = Appeal.Status


@pytest.fixture
def region(db):
    return build_region()


def numbers_in(response) -> list[str]:
    """Appeal numbers in the order the table shows them."""
    return [row.number for row, _ in response.context["page_obj"].rows]


# --- the queue ------------------------------------------------------------------------------


def test_the_queue_shows_new_and_reopened_appeals_only(region, operator, client_for):
    reopened = appeal_in(S.REOPENED, organisation=region.org_a)

    response = client_for(operator).get(reverse("appeals:queue"))

    assert response.status_code == 200
    shown = numbers_in(response)
    assert region.new_a.number in shown and reopened.number in shown
    assert region.health_a.number not in shown  # assigned: no longer waiting for an operator


def test_the_queue_puts_the_nearest_deadline_first_and_new_appeals_by_registration(db, operator, client_for):
    now = timezone.now()
    old_new = appeal_in(S.NEW, registered_at=now - datetime.timedelta(days=3))
    fresh_new = appeal_in(S.NEW, registered_at=now - datetime.timedelta(hours=1))
    reopened_soon = appeal_in(S.REOPENED, due_at=now - datetime.timedelta(days=5))

    shown = numbers_in(client_for(operator).get(reverse("appeals:queue")))

    assert shown == [reopened_soon.number, old_new.number, fresh_new.number]


@pytest.mark.parametrize(
    ("sort", "expected"),
    [("registered_at", ["old", "fresh"]), ("-registered_at", ["fresh", "old"]), ("-due", ["fresh", "old"])],
)
def test_the_queue_can_be_sorted_by_registration_and_due_date(db, operator, client_for, sort, expected):
    now = timezone.now()
    appeals = {
        "old": appeal_in(S.NEW, registered_at=now - datetime.timedelta(days=3)),
        "fresh": appeal_in(S.NEW, registered_at=now - datetime.timedelta(hours=1)),
    }

    shown = numbers_in(client_for(operator).get(reverse("appeals:queue"), {"sort": sort}))

    assert shown == [appeals[key].number for key in expected]


def test_an_unknown_sort_falls_back_to_the_default(region, operator, client_for):
    response = client_for(operator).get(reverse("appeals:queue"), {"sort": "password; drop table"})
    assert response.status_code == 200
    assert response.context["sort"] == "due"


def test_sorting_by_status_follows_the_workflow_order(db, operator, client_for):
    reopened = appeal_in(S.REOPENED)
    new = appeal_in(S.NEW)

    shown = numbers_in(client_for(operator).get(reverse("appeals:queue"), {"sort": "status"}))

    assert shown == [new.number, reopened.number]


def test_the_queue_filters_by_sector_channel_territory_and_text(region, operator, client_for):
    client = client_for(operator)
    phone = appeal_in(
        S.NEW,
        channel=Appeal.Channel.PHONE,
        sector_block=block("waste"),
        territory=region.territory_b,
        text="Контейнерная площадка переполнена, мусор не вывозят неделю.",
    )

    assert numbers_in(client.get(reverse("appeals:queue"), {"sector": "waste"})) == [phone.number]
    assert numbers_in(client.get(reverse("appeals:queue"), {"channel": ["phone"]})) == [phone.number]
    assert numbers_in(client.get(reverse("appeals:queue"), {"territory": region.territory_b.pk})) == [phone.number]
    assert numbers_in(client.get(reverse("appeals:queue"), {"q": "контейнерная площадка"})) == [phone.number]
    assert numbers_in(client.get(reverse("appeals:queue"), {"q": phone.number})) == [phone.number]


def test_the_filters_are_kept_in_the_page_links_and_the_export_buttons(db, operator, client_for):
    for _ in range(3):
        appeal_in(S.NEW, channel=Appeal.Channel.PHONE)

    response = client_for(operator).get(reverse("appeals:queue"), {"channel": "phone", "sort": "registered_at"})
    views_page_size = pagination.PAGE_SIZE
    assert views_page_size > 3
    html = response.content.decode()
    assert 'href="/appeals/export.csv?channel=phone&amp;sort=registered_at&amp;source=queue"' in html
    assert '<option value="registered_at" selected>' in html


def test_garbage_filter_values_show_the_page_with_errors_not_a_500(region, operator, client_for):
    response = client_for(operator).get(
        reverse("appeals:queue"),
        {
            "status": "nope",
            "sector": "nope",
            "territory": "x",
            "due_within": "-5",
            "registered_from": "32.13.2025",
            "page": "abc",
            "overdue": "maybe",
        },
    )
    assert response.status_code == 200
    assert response.context["filter"].form.errors


def test_the_overdue_filter_shows_appeals_past_their_deadline(region, operator, client_for):
    late = appeal_in(S.ASSIGNED, organisation=region.org_a, due_at=timezone.now() - datetime.timedelta(days=2))

    shown = numbers_in(client_for(operator).get(reverse("appeals:list"), {"overdue": "true"}))

    assert shown == [late.number]


def test_an_overdue_appeal_is_marked_red_with_the_days_it_is_late(region, operator, client_for):
    appeal_in(S.ASSIGNED, organisation=region.org_a, due_at=timezone.now() - datetime.timedelta(days=2))

    html = client_for(operator).get(reverse("appeals:list")).content.decode()

    assert 'class="table-danger"' in html
    assert "просрочено на 2 дн." in html


# --- pagination without COUNT(*) -------------------------------------------------------------


def test_pages_have_no_count_and_know_whether_there_is_a_next_one(db, operator, client_for, monkeypatch):
    monkeypatch.setattr(pagination, "PAGE_SIZE", 2)
    for _ in range(5):
        appeal_in(S.NEW)
    client = client_for(operator)

    with CaptureQueriesContext(connection) as queries:
        first = client.get(reverse("appeals:queue"), {"page": 1})
    last = client.get(reverse("appeals:queue"), {"page": 3})

    assert not any("COUNT(" in q["sql"].upper() and "appeals_appeal" in q["sql"] for q in queries.captured_queries)
    assert first.context["page_obj"].has_next and not first.context["page_obj"].has_previous
    assert len(first.context["page_obj"].rows) == 2
    assert not last.context["page_obj"].has_next and len(last.context["page_obj"].rows) == 1


def test_a_page_beyond_the_cap_shows_the_last_allowed_page(db, operator, client_for):
    response = client_for(operator).get(reverse("appeals:queue"), {"page": "100000000"})
    assert response.status_code == 200
    assert response.context["page_obj"].number == pagination.MAX_PAGE


# --- fixed number of queries ------------------------------------------------------------------


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def _make_appeals(count: int, **kwargs):
    for _ in range(count):
        appeal_in(**kwargs)


@pytest.mark.parametrize(
    ("role", "url_name", "status"),
    [
        (Role.OPERATOR, "appeals:queue", S.NEW),
        (Role.OPERATOR, "appeals:list", S.ASSIGNED),
        (Role.BLOCK_HEAD, "appeals:list", S.ASSIGNED),
        (Role.MUNICIPAL_OPERATOR, "appeals:queue", S.NEW),
        (Role.EXECUTOR, "appeals:my", S.IN_PROGRESS),
    ],
)
def test_a_list_takes_the_same_number_of_queries_for_3_and_30_appeals(
    region, make_user, client_for, django_assert_num_queries, role, url_name, status
):
    user = make_user(role, organisation=region.org_a) if role == Role.EXECUTOR else make_user(role)
    if role == Role.MUNICIPAL_OPERATOR:
        user.territory = region.territory_a
        user.save()
    client = client_for(user)
    # Every appeal has every relation set, so a missing select_related would show.
    kwargs = {
        "status": status,
        "organisation": region.org_a,
        "territory": region.territory_a,
        "suggested_sector_block": block("health"),
        "suggested_topic": topic_of("health"),
    }
    _make_appeals(3, **kwargs)
    url = reverse(url_name)
    few = _queries(client, url)

    _make_appeals(27, **kwargs)
    with django_assert_num_queries(few):
        response = client.get(url)

    assert len(response.context["page_obj"].rows) >= 30


# --- the executor's list ------------------------------------------------------------------------


def test_the_executor_list_puts_open_appeals_first_by_due_date(region, make_user, client_for):
    now = timezone.now()
    executor = make_user(Role.EXECUTOR, organisation=region.org_a)
    closed = appeal_in(S.CLOSED, organisation=region.org_a, due_at=now - datetime.timedelta(days=30))
    later = appeal_in(S.IN_PROGRESS, organisation=region.org_a, due_at=now + datetime.timedelta(days=15))
    sooner = appeal_in(S.ASSIGNED, organisation=region.org_a, due_at=now + datetime.timedelta(days=2))
    region.health_a.delete()

    response = client_for(executor).get(reverse("appeals:my"))

    assert numbers_in(response) == [sooner.number, later.number, closed.number]
    html = response.content.decode()
    assert "осталось 2 дн." in html and "осталось 15 дн." in html


def test_the_list_shows_no_personal_data(region, operator, client_for):
    html = client_for(operator).get(reverse("appeals:list")).content.decode()
    assert region.health_a.applicant_phone not in html
    assert region.health_a.applicant_name not in html
