import socket

import pytest
from django.urls import reverse

from cur.roles import Role
from tests.conftest import PASSWORD


@pytest.fixture(autouse=True)
def _clean_cache():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


def test_anonymous_user_is_sent_to_the_login_page(client, db):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_staff_user_logs_in_with_the_right_password_and_lands_on_home(client, operator):
    response = client.post(reverse("login"), {"username": operator.username, "password": PASSWORD})
    assert response.status_code == 302
    assert response.url == reverse("home")
    page = client.get(reverse("home"))
    assert "Оператор ЦУР" in page.content.decode()


def test_wrong_password_shows_a_russian_error(client, operator):
    response = client.post(reverse("login"), {"username": operator.username, "password": "не тот"})
    assert response.status_code == 200
    assert "Неверное имя пользователя или пароль" in response.content.decode()


def test_repeated_failures_lock_the_login_even_for_the_right_password(client, operator, settings):
    settings.LOGIN_FAILURE_LIMIT = 3
    for _ in range(3):
        client.post(reverse("login"), {"username": operator.username, "password": "не тот"})

    response = client.post(reverse("login"), {"username": operator.username, "password": PASSWORD})

    assert response.status_code == 200
    assert "Слишком много неудачных попыток" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_lock_is_per_username_so_other_users_still_log_in(client, make_user, settings):
    settings.LOGIN_FAILURE_LIMIT = 2
    victim = make_user(Role.OPERATOR, username="victim")
    other = make_user(Role.CURATOR, username="other")
    for _ in range(2):
        client.post(reverse("login"), {"username": victim.username, "password": "не тот"})

    response = client.post(reverse("login"), {"username": other.username, "password": PASSWORD})

    assert response.status_code == 302


def test_a_successful_login_clears_earlier_failures(client, operator, settings):
    settings.LOGIN_FAILURE_LIMIT = 3
    for _ in range(2):
        client.post(reverse("login"), {"username": operator.username, "password": "не тот"})
    client.post(reverse("login"), {"username": operator.username, "password": PASSWORD})
    client.post(reverse("logout"))
    for _ in range(2):
        client.post(reverse("login"), {"username": operator.username, "password": "не тот"})

    response = client.post(reverse("login"), {"username": operator.username, "password": PASSWORD})

    assert response.status_code == 302


def test_inactive_user_cannot_log_in(client, make_user):
    user = make_user(Role.OPERATOR, is_active=False)
    response = client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_logout_requires_post_and_ends_the_session(client_for, operator):
    client = client_for(operator)
    assert client.get(reverse("logout")).status_code == 405
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 302


@pytest.fixture
def redis_down(settings):
    """The cache pointed at a Redis port nobody listens on: a real outage, not a stand-in."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{port}/0",
            "OPTIONS": {"socket_connect_timeout": 1},
        }
    }


def test_login_works_and_is_still_throttled_while_redis_is_down(client, make_user, settings, redis_down):
    settings.LOGIN_FAILURE_LIMIT = 2
    user = make_user(Role.OPERATOR, username="during-outage")
    other = make_user(Role.CURATOR, username="also-during-outage")

    assert client.post(reverse("login"), {"username": other.username, "password": PASSWORD}).status_code == 302
    client.post(reverse("logout"))
    for _ in range(2):
        assert client.post(reverse("login"), {"username": user.username, "password": "не тот"}).status_code == 200
    response = client.post(reverse("login"), {"username": user.username, "password": PASSWORD})

    assert "Слишком много неудачных попыток" in response.content.decode()
