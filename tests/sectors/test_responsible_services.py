import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from cur.errors import DomainError
from cur.models import AuditEvent
from sectors import services
from sectors.errors import SectorsError
from sectors.models import ResponsiblePerson, SectorBlock
from sectors.services import appoint_responsible, end_appointment

from ..factories import ResponsiblePersonFactory, TerritoryFactory

pytestmark = pytest.mark.django_db

Role = ResponsiblePerson.Role
D = datetime.date


@pytest.fixture
def health():
    return SectorBlock.objects.get(code="health")


def appoint(by, last_name: str, since: datetime.date, *, role=Role.BLOCK_RESPONSIBLE, **fields):
    fields.setdefault("first_name", "Иван")
    fields.setdefault("position", "Министр здравоохранения Рязанской области")
    fields.setdefault("act_number", f"{since:%j}-рп")
    fields.setdefault("act_date", since - datetime.timedelta(days=3))
    return appoint_responsible(by=by, role=role, since=since, last_name=last_name, **fields)


def test_appointing_a_new_holder_relieves_the_previous_one_the_day_before(admin_user, health):
    old = appoint(admin_user, "Волков", D(2022, 4, 11), sector_block=health)

    new = appoint(admin_user, "Морозов", D(2024, 10, 1), sector_block=health)

    old.refresh_from_db()
    assert old.until == D(2024, 9, 30)
    assert new.until is None
    current = ResponsiblePerson.objects.filter(role=Role.BLOCK_RESPONSIBLE, sector_block=health, until__isnull=True)
    assert list(current) == [new]


def test_appointing_to_another_block_or_role_leaves_the_current_holder_in_office(admin_user, health):
    holder = appoint(admin_user, "Волков", D(2022, 4, 11), sector_block=health)

    appoint(admin_user, "Попова", D(2023, 3, 15), sector_block=health, role=Role.BLOCK_HEAD)
    appoint(admin_user, "Васильева", D(2023, 6, 1), sector_block=SectorBlock.objects.get(code="education"))

    holder.refresh_from_db()
    assert holder.until is None


def test_a_new_curator_relieves_the_current_curator(admin_user):
    old = appoint(admin_user, "Соколов", D(2023, 3, 1), role=Role.CURATOR)

    appoint(admin_user, "Орлов", D(2025, 1, 20), role=Role.CURATOR)

    old.refresh_from_db()
    assert old.until == D(2025, 1, 19)
    assert ResponsiblePerson.objects.filter(role=Role.CURATOR, until__isnull=True).count() == 1


def test_a_second_current_block_responsible_cannot_be_saved_even_directly_through_the_orm(health):
    ResponsiblePersonFactory(role=Role.BLOCK_RESPONSIBLE, sector_block=health)

    with pytest.raises(IntegrityError, match="one_current_block_person_per_role"), transaction.atomic():
        ResponsiblePersonFactory(role=Role.BLOCK_RESPONSIBLE, sector_block=health)

    assert ResponsiblePerson.objects.filter(role=Role.BLOCK_RESPONSIBLE).count() == 1


def test_a_relieved_holder_does_not_block_a_new_current_one_in_the_database(health):
    ResponsiblePersonFactory(role=Role.BLOCK_RESPONSIBLE, sector_block=health, until=D(2025, 1, 31))

    ResponsiblePersonFactory(role=Role.BLOCK_RESPONSIBLE, sector_block=health, since=D(2025, 2, 1))

    assert ResponsiblePerson.objects.filter(role=Role.BLOCK_RESPONSIBLE, sector_block=health).count() == 2


def test_a_racing_second_appointment_becomes_a_domain_error_not_a_500(admin_user, health, monkeypatch):
    # Two transactions that both saw no current holder: model validation and the lookup of the
    # holder pass, and only the partial unique index stops the second one.
    appoint(admin_user, "Волков", D(2022, 4, 11), sector_block=health)
    monkeypatch.setattr(services, "_current_holder", lambda *args, **kwargs: None)
    monkeypatch.setattr(ResponsiblePerson, "validate_constraints", lambda self, exclude=None: None)

    with pytest.raises(SectorsError, match="уже назначено действующее лицо"):
        appoint(admin_user, "Морозов", D(2024, 10, 1), sector_block=health)

    assert ResponsiblePerson.objects.filter(sector_block=health).count() == 1


def test_an_mcu_role_without_a_territory_is_rejected(admin_user):
    with pytest.raises(ValidationError) as exc:
        appoint(admin_user, "Никитин", D(2023, 5, 2), role=Role.MCU_CURATOR, position="Заместитель главы")

    assert "Для роли в МЦУ укажите муниципальное образование." in exc.value.messages
    assert not ResponsiblePerson.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="responsible.").exists()


def test_an_mcu_role_with_a_territory_is_appointed_per_territory(admin_user):
    ryazan, kasimov = TerritoryFactory(), TerritoryFactory()

    appoint(admin_user, "Никитин", D(2023, 5, 2), role=Role.MCU_HEAD, territory=ryazan)
    appoint(admin_user, "Орлов", D(2023, 5, 2), role=Role.MCU_HEAD, territory=kasimov)

    assert ResponsiblePerson.objects.filter(role=Role.MCU_HEAD, until__isnull=True).count() == 2


def test_a_block_role_without_a_block_is_rejected(admin_user):
    with pytest.raises(ValidationError) as exc:
        appoint(admin_user, "Попова", D(2023, 3, 15), role=Role.BLOCK_HEAD)

    assert "Для роли в отраслевом блоке укажите блок." in exc.value.messages


def test_ending_an_appointment_twice_is_a_domain_error(admin_user, health):
    person = appoint(admin_user, "Волков", D(2022, 4, 11), sector_block=health)
    end_appointment(person, until=D(2024, 9, 30), by=admin_user)

    with pytest.raises(DomainError, match="уже прекращены"):
        end_appointment(person, until=D(2024, 10, 31), by=admin_user)

    person.refresh_from_db()
    assert person.until == D(2024, 9, 30)


def test_an_end_date_before_the_start_is_rejected(admin_user, health):
    person = appoint(admin_user, "Волков", D(2022, 4, 11), sector_block=health)

    with pytest.raises(SectorsError, match="раньше даты назначения"):
        end_appointment(person, until=D(2022, 4, 10), by=admin_user)

    person.refresh_from_db()
    assert person.until is None


@pytest.mark.parametrize("since", [D(2022, 4, 11), D(2021, 1, 1)], ids=["same-day", "earlier"])
def test_a_successor_appointed_not_after_the_holder_is_rejected(admin_user, health, since):
    holder = appoint(admin_user, "Волков", D(2022, 4, 11), sector_block=health)

    with pytest.raises(SectorsError, match="должна быть позже"):
        appoint(admin_user, "Морозов", since, sector_block=health)

    holder.refresh_from_db()
    assert holder.until is None
    assert ResponsiblePerson.objects.count() == 1


def test_every_appointment_writes_an_audit_event_by_its_author(admin_user, health):
    first = appoint(admin_user, "Волков", D(2022, 4, 11), sector_block=health)
    second = appoint(admin_user, "Морозов", D(2024, 10, 1), sector_block=health)

    events = AuditEvent.objects.filter(object_type="sectors.responsibleperson").order_by("id")
    assert [(e.action, e.object_id, e.actor) for e in events] == [
        ("responsible.appoint", str(first.pk), admin_user),
        ("responsible.end", str(first.pk), admin_user),
        ("responsible.appoint", str(second.pk), admin_user),
    ]
    assert events[1].changes == {"until": [None, "2024-09-30"]}
    assert events[2].changes["last_name"][1] == "Морозов"
