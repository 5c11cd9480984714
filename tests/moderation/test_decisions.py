"""Moderators take messages and decide them: an appeal (through appeals' service, linked back and waiting in
the operator's queue), a signal of an information event, disinformation or noise — one by one or in bulk."""

import pytest
from django.urls import reverse

from appeals.models import Appeal
from appeals.selectors import triage_queue
from cur.errors import DomainError
from cur.roles import Role
from informing import services as informing
from informing.models import EventHistory, InformationEvent
from moderation import services
from moderation.models import IncomingMessage, MessageEvent
from tests.factories import TerritoryFactory
from tests.moderation.factories import MessageFactory

S = IncomingMessage.Status
pytestmark = pytest.mark.django_db


def test_a_message_turned_into_an_appeal_waits_in_the_operators_queue_with_its_link(moderator, operator, client_for):
    territory = TerritoryFactory(name="Сасовский район")
    message = MessageFactory(network="telegram", territory=territory, url="https://t.me/sasovo/77", author="@anna")

    services.decide_message(message, decision=S.APPEAL, by=moderator, comment="Конкретная жалоба")

    message.refresh_from_db()
    appeal = message.appeal
    assert message.status == S.APPEAL and message.decided_by == moderator and message.reacted_at
    assert appeal.channel == Appeal.Channel.MESSENGER and appeal.territory == territory
    assert appeal.external_id == f"telegram:{message.external_id}"
    assert "https://t.me/sasovo/77" in appeal.text and message.text in appeal.text
    assert appeal in triage_queue(operator)
    page = client_for(operator).get(reverse("appeals:queue")).content.decode()
    assert appeal.number in page
    detail = client_for(operator).get(reverse("appeals:appeal-detail", args=[appeal.pk])).content.decode()
    assert "https://t.me/sasovo/77" in detail
    with pytest.raises(DomainError, match="уже принято решение"):
        services.decide_message(message, decision=S.NOISE, by=moderator)


def test_a_social_network_message_becomes_an_appeal_of_the_social_channel_once(moderator):
    first, second = MessageFactory(network="vk"), MessageFactory(network="ok")

    services.decide_message(first, decision=S.APPEAL, by=moderator)
    services.decide_message(second, decision=S.APPEAL, by=moderator)

    assert Appeal.objects.filter(channel=Appeal.Channel.SOCIAL).count() == 2


def test_a_signal_opens_a_new_event_or_joins_an_existing_one(moderator):
    first, second = MessageFactory(territory=TerritoryFactory()), MessageFactory()

    services.decide_message(first, decision=S.EVENT, by=moderator, new_event={"title": "Мусор во дворах"})
    first.refresh_from_db()
    event = first.event
    services.decide_message(second, decision=S.EVENT, by=moderator, event=event)

    assert event.origin == InformationEvent.Origin.MESSAGES and list(event.territories.all()) == [first.territory]
    assert set(event.messages.values_list("pk", flat=True)) == {first.pk, second.pk}
    assert EventHistory.objects.filter(event=event, kind="messages").count() == 2
    with pytest.raises(DomainError, match="Выберите информационный повод"):
        services.decide_message(MessageFactory(), decision=S.EVENT, by=moderator)


def test_a_closed_event_takes_no_more_signals(moderator):
    event = informing.create_event(by=moderator, title="Закрытый", essence="Суть")
    informing.close_event(event, outcome="no_action", by=moderator)

    with pytest.raises(DomainError, match="закрыт"):
        services.decide_message(MessageFactory(), decision=S.EVENT, by=moderator, event=event)


def test_disinformation_opens_a_case_and_records_where_it_spread(moderator):
    message = MessageFactory(reach=4000, url="https://vk.com/wall-9_9")

    services.decide_message(message, decision=S.DISINFORMATION, by=moderator, new_case={"title": "Фейк о льготах"})

    message.refresh_from_db()
    case = message.disinformation
    assert case.claim == message.text and case.total_reach == 4000
    assert list(case.spread.values_list("url", flat=True)) == ["https://vk.com/wall-9_9"]


def test_a_taken_message_is_decided_only_by_its_moderator_or_an_admin(moderator, make_user, admin_user):
    other = make_user(Role.MODERATOR, username="moderator-2")
    message = MessageFactory()
    services.assign_message(message, to=moderator, by=moderator)

    with pytest.raises(DomainError, match="у другого модератора"):
        services.decide_message(message, decision=S.NOISE, by=other)
    services.decide_message(message, decision=S.NOISE, by=admin_user)

    message.refresh_from_db()
    assert message.status == S.NOISE
    kinds = list(MessageEvent.objects.filter(message=message).values_list("kind", flat=True))
    assert kinds == ["assigned", "decided"]


def test_noise_by_mistake_returns_to_the_queue_with_a_reason(moderator):
    message = MessageFactory()
    services.decide_message(message, decision=S.NOISE, by=moderator)

    with pytest.raises(DomainError, match="почему"):
        services.reopen_message(message, by=moderator, comment="")
    services.reopen_message(message, by=moderator, comment="Это жалоба")

    message.refresh_from_db()
    assert message.status == S.ASSIGNED and message.decided_at is None and message.assigned_to == moderator


def test_only_the_moderation_center_decides(make_user):
    with pytest.raises(DomainError, match="центра модерации"):
        services.decide_message(MessageFactory(), decision=S.NOISE, by=make_user(Role.OPERATOR))


def test_bulk_decisions_open_one_event_for_all_and_report_refusals(moderator, make_user):
    other = make_user(Role.MODERATOR, username="moderator-2")
    messages = [MessageFactory() for _ in range(3)]
    taken = MessageFactory()
    services.assign_message(taken, to=other, by=other)

    result = services.bulk_decide(
        [*messages, taken], decision=S.EVENT, by=moderator, new_event={"title": "Общий повод"}
    )

    assert result.done == [m.pk for m in messages]
    assert list(result.failed) == [taken.pk]
    assert InformationEvent.objects.filter(title="Общий повод").count() == 1
    assert IncomingMessage.objects.filter(event__title="Общий повод").count() == 3


def test_the_bulk_form_of_the_queue_takes_and_decides_selected_messages(moderator, client_for):
    client = client_for(moderator)
    first, second = MessageFactory(), MessageFactory()

    client.post(reverse("moderation:bulk"), {"action": "take", "ids": [first.pk, second.pk]})
    response = client.post(reverse("moderation:bulk"), {"action": "noise", "ids": [first.pk, "999999"]}, follow=True)

    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == S.NOISE and second.status == S.ASSIGNED and second.assigned_to == moderator
    assert "Выполнено: 1." in response.content.decode()


def test_the_message_page_decides_into_an_appeal_and_links_to_it(moderator, client_for):
    message = MessageFactory()
    client = client_for(moderator)

    response = client.post(reverse("moderation:message-decide", args=[message.pk]), {"decision": "appeal"}, follow=True)

    message.refresh_from_db()
    assert "Зарегистрировано обращение №" in response.content.decode()
    assert reverse("appeals:appeal-detail", args=[message.appeal_id]) in response.content.decode()
