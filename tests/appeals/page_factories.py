"""Appeals for the page tests: one put straight into any status, and a small region with two
territories, two sector blocks and two organisations, so scopes have something to tell apart."""

import datetime
from dataclasses import dataclass

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from appeals.models import Appeal, Incident, Topic
from cur.models import Notification
from sectors.models import Organisation, SectorBlock, Territory
from tests.factories import OrganisationFactory, TerritoryFactory

S = Appeal.Status
APPLICANT_PHONE = "+7 910 555-12-34"
APPLICANT_NAME = "Кузнецова Мария Ивановна"
APPLICANT_EMAIL = "kuznetsova@example.ru"


def block(code: str) -> SectorBlock:
    return SectorBlock.objects.get(code=code)


def topic_of(code: str) -> Topic:
    return Topic.objects.filter(sector_block__code=code, is_active=True).order_by("code").first()


class PageAppealFactory(DjangoModelFactory):
    class Meta:
        model = Appeal

    channel = Appeal.Channel.POS
    external_id = factory.Sequence(lambda n: f"page-{n}")
    received_at = factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(days=5, hours=2))
    registered_at = factory.LazyAttribute(lambda o: o.received_at + datetime.timedelta(hours=1))
    text = "В поликлинике № 3 невозможно записаться к терапевту: телефон регистратуры не отвечает."
    address = "г. Рязань, ул. Семашко, д. 3"
    applicant_name = APPLICANT_NAME
    applicant_phone = APPLICANT_PHONE
    applicant_email = APPLICANT_EMAIL
    applicant_address = "г. Рязань, ул. Почтовая, д. 1, кв. 2"
    sector_block = factory.LazyFunction(lambda: block("health"))
    topic = factory.LazyAttribute(lambda o: topic_of(o.sector_block.code) if o.sector_block else None)
    status = S.NEW


class PageIncidentFactory(DjangoModelFactory):
    class Meta:
        model = Incident

    title = factory.Sequence(lambda n: f"Не отвечает регистратура поликлиники № {n}")
    sector_block = factory.LazyFunction(lambda: block("health"))


def appeal_in(status: str, *, organisation: Organisation | None = None, **kwargs) -> Appeal:
    """An appeal that reached `status` the ordinary way (registered five days ago)."""
    now = timezone.now()
    fields: dict = {}
    if status not in (S.NEW,):
        fields.update(
            organisation=organisation or OrganisationFactory(),
            assigned_at=now - datetime.timedelta(days=4),
            due_at=now + datetime.timedelta(days=20),
        )
    if status == S.INFO_REQUESTED:
        fields["clock_paused_at"] = now - datetime.timedelta(days=1)
    if status in (S.ANSWERED, S.CLOSED, S.RETURNED):
        fields.update(
            answer_text="Запись к терапевту открыта через портал госуслуг.",
            answered_at=now - datetime.timedelta(days=1),
        )
    if status == S.CLOSED:
        fields.update(answer_quality=Appeal.AnswerQuality.ON_MERITS, closed_at=now)
    if status == S.RETURNED:
        fields["answered_at"] = None
    if status == S.REOPENED:
        fields.update(due_at=None, assigned_at=None)
    if status == S.REJECTED:
        fields.update(organisation=None, due_at=None, reject_reason=Appeal.RejectReason.SPAM, closed_at=now)
    fields.update(kwargs)
    return PageAppealFactory(status=status, **fields)


@dataclass
class Region:
    """Two districts (A with a settlement inside), health and waste blocks, one organisation each."""

    territory_a: Territory
    settlement_a: Territory
    territory_b: Territory
    org_a: Organisation  # health, in A
    org_b: Organisation  # waste, in B
    health_a: Appeal  # assigned to org A
    waste_b: Appeal  # assigned to org B
    new_a: Appeal  # new, in the settlement of A, with a classifier suggestion


def build_region() -> Region:
    territory_a = TerritoryFactory(name="Касимовский район")
    settlement_a = TerritoryFactory(name="Гусь-Железный", kind=Territory.Kind.URBAN_SETTLEMENT, parent=territory_a)
    territory_b = TerritoryFactory(name="Сасовский район")
    org_a = OrganisationFactory(name="Касимовская ЦРБ", territory=territory_a, sector_blocks=[block("health")])
    org_b = OrganisationFactory(name="Сасовский регоператор", territory=territory_b, sector_blocks=[block("waste")])
    return Region(
        territory_a=territory_a,
        settlement_a=settlement_a,
        territory_b=territory_b,
        org_a=org_a,
        org_b=org_b,
        health_a=appeal_in(S.ASSIGNED, organisation=org_a, territory=territory_a),
        waste_b=appeal_in(
            S.ASSIGNED,
            organisation=org_b,
            territory=territory_b,
            sector_block=block("waste"),
            text="Не вывозят мусор с контейнерной площадки у школы.",
        ),
        new_a=appeal_in(
            S.NEW,
            territory=settlement_a,
            sector_block=None,
            topic=None,
            suggested_sector_block=block("health"),
            suggested_topic=topic_of("health"),
            suggested_territory=settlement_a,
            confidence=0.62,
        ),
    )


def notification_for(user, **kwargs) -> Notification:
    kwargs.setdefault("title", "Новое обращение")
    return Notification.objects.create(user=user, **kwargs)


def flashes(response) -> list[str]:
    """The flash messages a redirect left for the next page."""
    return [str(m) for m in response.wsgi_request._messages]
