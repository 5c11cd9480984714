"""Appeal factories for the workflow, REST API and Open311 tests: an appeal put straight into any
status, with the fields a real appeal in that status would have (as if it had gone through the
services), incidents and integration sources."""

import datetime

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from appeals.intake.integration import create_integration_source
from appeals.models import Appeal, Incident, Topic
from sectors.models import SectorBlock

S = Appeal.Status


class AppealFactory(DjangoModelFactory):
    class Meta:
        model = Appeal

    channel = Appeal.Channel.POS
    external_id = factory.Sequence(lambda n: f"ext-{n}")
    received_at = factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(days=10, hours=2))
    registered_at = factory.LazyAttribute(lambda o: o.received_at + datetime.timedelta(hours=1))
    text = "Во дворе дома № 5 по ул. Ленина третью неделю не вывозят мусор, контейнеры переполнены."
    address = "г. Рязань, ул. Ленина, д. 5"
    applicant_name = "Смирнов Пётр Алексеевич"
    applicant_phone = "+7 910 123-45-67"
    applicant_email = "smirnov@example.ru"
    applicant_address = "г. Рязань, ул. Есенина, д. 1, кв. 2"
    sector_block = factory.LazyFunction(lambda: SectorBlock.objects.get(code="waste"))
    topic = factory.LazyFunction(lambda: Topic.objects.get(code="uborka-vyvoz-musora"))
    status = S.NEW


class IncidentFactory(DjangoModelFactory):
    class Meta:
        model = Incident

    title = factory.Sequence(lambda n: f"Не вывозят мусор с площадки № {n}")
    sector_block = factory.LazyFunction(lambda: SectorBlock.objects.get(code="waste"))


def status_fields(status: str, *, organisation=None, now: datetime.datetime | None = None) -> dict:
    """The fields of an appeal that reached `status` the ordinary way (registered 10 days ago)."""
    now = now or timezone.now()
    assigned = {
        "organisation": organisation,
        "assigned_at": now - datetime.timedelta(days=9),
        "due_at": now + datetime.timedelta(days=20),
    }
    answered = {**assigned, "answer_text": "Мусор вывезен, график вывоза восстановлен.",
                "answered_at": now - datetime.timedelta(days=1)}  # fmt: skip
    return {
        S.NEW: {},
        S.ASSIGNED: assigned,
        S.IN_PROGRESS: assigned,
        S.INFO_REQUESTED: {**assigned, "clock_paused_at": now - datetime.timedelta(days=2)},
        S.ANSWERED: answered,
        S.RETURNED: {**answered, "answered_at": None, "answer_quality": Appeal.AnswerQuality.FORMAL},
        # Reopened: back in triage, the clock stopped until it is assigned again.
        S.REOPENED: {
            "organisation": organisation,
            "assigned_at": now - datetime.timedelta(days=9),
            "answer_text": answered["answer_text"],
            "satisfaction": 1,
        },
        S.CLOSED: {**answered, "answer_quality": Appeal.AnswerQuality.ON_MERITS, "closed_at": now},
        S.REJECTED: {"reject_reason": Appeal.RejectReason.SPAM, "closed_at": now - datetime.timedelta(days=9)},
    }[status]


def appeal_in(status: str, *, organisation=None, **overrides) -> Appeal:
    """An appeal in `status` (assigned to `organisation` where the status implies an executor)."""
    return AppealFactory(status=status, **{**status_fields(status, organisation=organisation), **overrides})


def health_topic() -> Topic:
    return Topic.objects.get(code="dispanserizatsiya")


def integration_source(name: str = "Портал ПОС", channel: str = Appeal.Channel.POS):
    """A source system and its raw key."""
    return create_integration_source(name, channel, by=None)
