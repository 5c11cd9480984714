"""The operator's registration form."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from appeals.models import Appeal, AppealEvent
from cur.roles import Role

from .page_factories import block, build_region, topic_of


@pytest.fixture
def region(db):
    return build_region()


def _received(delta=datetime.timedelta(hours=-2)) -> str:
    return f"{timezone.localtime() + delta:%d.%m.%Y %H:%M}"


def valid(**overrides) -> dict:
    data = {
        "channel": "phone",
        "received_at": _received(),
        "text": "Не работает уличное освещение на ул. Есенина, темно и опасно.",
        "address": "г. Рязань, ул. Есенина",
        "applicant_name": "Орлов Игорь Петрович",
        "applicant_phone": "+7 (4912) 25-00-00",
        "applicant_email": "orlov@example.ru",
    }
    data.update(overrides)
    return data


def test_the_form_opens_with_the_current_time(operator, client_for):
    response = client_for(operator).get(reverse("appeals:create"))
    assert response.status_code == 200
    assert f'value="{timezone.localtime():%d.%m.%Y}' in response.content.decode()


def test_an_operator_registers_an_appeal_and_lands_on_its_page(region, operator, client_for):
    response = client_for(operator).post(reverse("appeals:create"), valid(topic=topic_of("energy").pk))

    appeal = Appeal.objects.get(applicant_name="Орлов Игорь Петрович")
    assert response.status_code == 302
    assert response["Location"] == reverse("appeals:appeal-detail", args=[appeal.pk])
    assert appeal.channel == "phone" and appeal.registered_by == operator
    assert appeal.topic == topic_of("energy")
    assert appeal.sector_block == block("energy")  # taken from the topic
    assert timezone.now() - appeal.received_at < datetime.timedelta(hours=3)
    assert AppealEvent.objects.filter(appeal=appeal, kind=AppealEvent.Kind.REGISTERED, actor=operator).exists()


def test_the_same_external_id_twice_is_one_appeal(region, operator, client_for):
    client = client_for(operator)
    client.post(reverse("appeals:create"), valid(external_id="T-100"))
    response = client.post(reverse("appeals:create"), valid(external_id="T-100"))

    assert Appeal.objects.filter(external_id="T-100").count() == 1
    assert response.status_code == 302


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"channel": ""}, "channel", "Выберите канал поступления."),
        ({"channel": "pigeon"}, "channel", None),
        ({"received_at": "вчера утром"}, "received_at", "Введите дату и время в формате дд.мм.гггг чч:мм."),
        ({"received_at": "31.02.2025 10:00"}, "received_at", "Введите дату и время в формате дд.мм.гггг чч:мм."),
        (
            {"received_at": _received(datetime.timedelta(days=2))},
            "received_at",
            "Дата поступления не может быть в будущем.",
        ),
        ({"received_at": "01.01.1990 10:00"}, "received_at", None),  # the range of cur.web.dates
        ({"text": "   "}, "text", "Введите текст обращения."),
        ({"applicant_email": "not-an-email"}, "applicant_email", "Введите правильный адрес электронной почты."),
        ({"applicant_phone": "звоните"}, "applicant_phone", None),
        ({"applicant_is_legal": "on"}, "applicant_legal_name", "Укажите наименование юридического лица."),
        ({"topic": "999999"}, "topic", None),
    ],
)
def test_a_bad_form_is_shown_again_with_a_russian_message(region, operator, client_for, overrides, field, message):
    response = client_for(operator).post(reverse("appeals:create"), valid(**overrides))

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors
    if message:
        assert message in errors[field]
    assert not Appeal.objects.filter(applicant_name="Орлов Игорь Петрович").exists()


def test_a_topic_of_another_block_is_refused(region, operator, client_for):
    data = valid(sector_block=block("waste").pk, topic=topic_of("health").pk)

    response = client_for(operator).post(reverse("appeals:create"), data)

    assert "Тема не относится к выбранному отраслевому блоку." in response.context["form"].errors["topic"]


def test_a_municipal_operator_registers_within_their_territory_only(region, make_user, client_for):
    municipal = make_user(Role.MUNICIPAL_OPERATOR, territory=region.territory_a)
    client = client_for(municipal)

    foreign = client.post(reverse("appeals:create"), valid(territory=region.territory_b.pk))
    missing = client.post(reverse("appeals:create"), valid())
    own = client.post(reverse("appeals:create"), valid(territory=region.settlement_a.pk))

    assert foreign.status_code == 200 and "territory" in foreign.context["form"].errors
    assert missing.status_code == 200 and "territory" in missing.context["form"].errors
    assert own.status_code == 302
    appeal = Appeal.objects.get(applicant_name="Орлов Игорь Петрович")
    assert client.get(own["Location"]).status_code == 200
    assert appeal.territory == region.settlement_a


def test_roles_without_registration_cannot_post_the_form(region, make_user, client_for):
    for role in (Role.EXECUTOR, Role.BLOCK_HEAD, Role.CURATOR, Role.COMPETENCE_CENTER):
        assert client_for(make_user(role)).post(reverse("appeals:create"), valid()).status_code == 403
    assert not Appeal.objects.filter(applicant_name="Орлов Игорь Петрович").exists()
