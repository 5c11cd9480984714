"""Rows of ИНФОЦУР for tests, written through the services where the services are what is tested
elsewhere, and directly where a test only needs the row to exist."""

import datetime

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from informing.models import (
    DisinformationCase,
    InformationActivity,
    InformationEvent,
    Material,
    OfficialPage,
    Recommendation,
)
from tests.factories import OrganisationFactory


class EventFactory(DjangoModelFactory):
    class Meta:
        model = InformationEvent
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Повод № {n}: жалобы на отопление")
    essence = "В районных пабликах растёт число постов о холодных батареях."
    first_seen_at = factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(hours=3))
    react_by = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(hours=1))
    work_off_by = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=2))

    @factory.post_generation
    def territories(self, create, extracted, **kwargs):
        if create and extracted:
            self.territories.set(extracted)


class RecommendationFactory(DjangoModelFactory):
    class Meta:
        model = Recommendation

    event = factory.SubFactory(EventFactory, status=InformationEvent.Status.RECOMMENDED)
    organisation = factory.SubFactory(OrganisationFactory)
    text = "Опубликовать разъяснение о сроках подключения отопления."
    due_at = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=1))


class ActivityFactory(DjangoModelFactory):
    class Meta:
        model = InformationActivity

    title = factory.Sequence(lambda n: f"Пост-разъяснение № {n}")
    channel = "official_page"
    published_at = factory.LazyFunction(timezone.now)
    reach = 1000


class MaterialFactory(DjangoModelFactory):
    class Meta:
        model = Material

    title = factory.Sequence(lambda n: f"Памятка № {n}")
    body = "Куда звонить, если нет отопления."


class CaseFactory(DjangoModelFactory):
    class Meta:
        model = DisinformationCase

    title = factory.Sequence(lambda n: f"Фейк № {n}")
    claim = "В области отменят бесплатный проезд для пенсионеров."
    detected_at = factory.LazyFunction(timezone.now)


class OfficialPageFactory(DjangoModelFactory):
    class Meta:
        model = OfficialPage

    organisation = factory.SubFactory(OrganisationFactory)
    network = "vk"
    url = factory.Sequence(lambda n: f"https://vk.com/gov_page_{n}")
