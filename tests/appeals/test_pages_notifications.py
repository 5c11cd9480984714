"""In-app notifications: the unread counter in the header and the notifications page."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cur.models import Notification
from cur.roles import Role

from .page_factories import flashes, notification_for


def test_the_header_shows_the_unread_count_with_one_query(operator, client_for):
    for _ in range(3):
        notification_for(operator)
    notification_for(operator, read_at="2025-01-01T00:00:00+03:00")

    with CaptureQueriesContext(connection) as queries:
        html = client_for(operator).get(reverse("home")).content.decode()

    assert 'data-testid="unread-count">3<' in html
    assert sum("cur_notification" in q["sql"] for q in queries.captured_queries) == 1


def test_no_counter_without_unread_notifications(operator, client_for):
    html = client_for(operator).get(reverse("home")).content.decode()
    assert 'data-testid="notifications-link"' in html
    assert 'data-testid="unread-count"' not in html


def test_the_page_lists_only_the_users_own_notifications(operator, make_user, client_for):
    notification_for(operator, title="Новое обращение № 2025-000001")
    notification_for(make_user(Role.CURATOR), title="Чужое уведомление")

    html = client_for(operator).get(reverse("notifications")).content.decode()

    assert "Новое обращение № 2025-000001" in html
    assert "Чужое уведомление" not in html


@pytest.mark.parametrize("role", list(Role), ids=str)
def test_every_role_opens_its_notifications(role, make_user, client_for):
    assert client_for(make_user(role)).get(reverse("notifications")).status_code == 200


def test_marking_the_checked_notifications_read(operator, make_user, client_for):
    first, second = notification_for(operator), notification_for(operator)
    foreign = notification_for(make_user(Role.CURATOR))

    response = client_for(operator).post(reverse("notifications"), {"ids": [first.pk, foreign.pk, "x"]})

    assert response.status_code == 302
    first.refresh_from_db()
    second.refresh_from_db()
    foreign.refresh_from_db()
    assert first.read_at is not None
    assert second.read_at is None
    assert foreign.read_at is None  # somebody else's: untouched
    assert "Отмечено прочитанными: 1." in flashes(response)


def test_marking_all_read(operator, client_for):
    for _ in range(2):
        notification_for(operator)

    client_for(operator).post(reverse("notifications"), {"all": "1"})

    assert not Notification.objects.filter(user=operator, read_at=None).exists()


def test_opening_a_notification_marks_it_read_and_follows_its_link(operator, client_for):
    note = notification_for(operator, url="/appeals/list/")

    response = client_for(operator).post(reverse("notifications"), {"open": note.pk})

    assert response["Location"] == "/appeals/list/"
    note.refresh_from_db()
    assert note.read_at is not None


def test_a_link_to_another_site_is_not_followed(operator, client_for):
    note = notification_for(operator, url="//evil.example/")

    response = client_for(operator).post(reverse("notifications"), {"open": note.pk})

    assert response["Location"] == reverse("notifications")


def test_an_empty_post_is_a_flash(operator, client_for):
    response = client_for(operator).post(reverse("notifications"), {"ids": ["", "abc"]})
    assert response.status_code == 302
    assert flashes(response) == ["Отметьте уведомления, которые прочитаны."]


def test_an_anonymous_visitor_is_sent_to_log_in(client):
    assert client.get(reverse("notifications")).status_code == 302
