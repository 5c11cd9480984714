import datetime

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from moderation.models import IncomingMessage


class MessageFactory(DjangoModelFactory):
    class Meta:
        model = IncomingMessage

    network = "vk"
    external_id = factory.Sequence(lambda n: f"wall-7_{n}")
    text = factory.Sequence(lambda n: f"Во дворе дома {n} по ул. Гагарина не вывозят мусор")
    author = factory.Sequence(lambda n: f"id{n}")
    url = factory.LazyAttribute(lambda o: f"https://vk.com/{o.external_id}")
    posted_at = factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(hours=1))
    received_at = factory.LazyFunction(timezone.now)
    due_at = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(hours=4))
    reach = 250
