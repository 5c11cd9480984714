"""The directory pages: what they show, how they filter, and how the admin's forms write."""

import datetime
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cur.models import AuditEvent
from cur.roles import Role
from sectors.models import Organisation, ResponsiblePerson, SectorBlock, Territory
from tests.factories import (
    OrganisationFactory,
    RegionFactory,
    ResponsiblePersonFactory,
    SectorBlockFactory,
    TerritoryFactory,
)

Kind = Organisation.Kind
PRole = ResponsiblePerson.Role


def text(response) -> str:
    return response.content.decode()


def block(code: str) -> SectorBlock:
    return SectorBlock.objects.get(code=code)


def logged_in(user) -> Client:
    # Each persona gets its own client: the shared `client_for` fixture logs one client in and out.
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def viewer(make_user):
    """An operator of the ЦУР: reads the whole directory, edits nothing."""
    return logged_in(make_user(Role.OPERATOR))


@pytest.fixture
def admin(admin_user):
    return logged_in(admin_user)


@pytest.fixture
def ryazan_district(db):
    return TerritoryFactory(name="Рязанский район", oktmo="61630000", population=58210)


# --- Sector blocks --------------------------------------------------------------------


def test_the_block_directory_lists_every_active_block_with_its_people_and_organisations(viewer):
    health = block("health")
    ResponsiblePersonFactory(role=PRole.BLOCK_RESPONSIBLE, last_name="Соколова", sector_block=health)
    ResponsiblePersonFactory(role=PRole.BLOCK_HEAD, last_name="Кузнецов", sector_block=health)
    ResponsiblePersonFactory(
        role=PRole.BLOCK_HEAD, last_name="Бывший", sector_block=health, until=datetime.date(2025, 2, 1)
    )
    OrganisationFactory.create_batch(3, sector_blocks=[health])
    OrganisationFactory(sector_blocks=[health], is_active=False)

    page = text(viewer.get(reverse("sectors:block-list")))

    for name in ("Здравоохранение", "Образование", "Энергетика", "Культура и туризм"):
        assert name in page
    health_row = re.search(r"<tr>\s*<td>\s*<a href=\"/sectors/blocks/health/\">.*?</tr>", page, re.S).group(0)
    assert "Соколова Иван Иванович" in health_row
    assert "Кузнецов Иван Иванович" in health_row
    assert "Бывший" not in page
    assert '<td class="text-end">3</td>' in health_row  # the inactive organisation is not counted
    assert "обязательный" in health_row
    assert "не назначен" in page  # blocks without people say so
    assert page.index("Здравоохранение") < page.index("Образование") < page.index("Энергетика") < page.index("Культура")


def test_the_block_directory_shows_the_current_curator_and_executive(viewer):
    ResponsiblePersonFactory(
        role=PRole.CURATOR, last_name="Губернаторов", sector_block=None, position="Заместитель Губернатора"
    )
    ResponsiblePersonFactory(
        role=PRole.EXECUTIVE, last_name="Исполнителев", sector_block=None, since=datetime.date(2025, 3, 4)
    )

    page = text(viewer.get(reverse("sectors:block-list")))

    officials = page[page.index('data-testid="region-officials"') :]
    assert "Губернаторов Иван Иванович" in officials
    assert "Заместитель Губернатора" in officials
    assert "Исполнителев Иван Иванович" in officials
    assert "с 04.03.2025" in officials


def test_a_block_page_shows_its_people_history_and_organisations(viewer):
    roads = block("roads")
    ResponsiblePersonFactory(
        role=PRole.BLOCK_HEAD, last_name="Новиков", sector_block=roads, since=datetime.date(2025, 5, 1)
    )
    ResponsiblePersonFactory(
        role=PRole.BLOCK_HEAD,
        last_name="Старов",
        sector_block=roads,
        since=datetime.date(2023, 1, 1),
        until=datetime.date(2025, 4, 30),
    )
    OrganisationFactory(name="Министерство транспорта и автомобильных дорог", sector_blocks=[roads])
    OrganisationFactory(name="Больница № 1", sector_blocks=[block("health")])

    page = text(viewer.get(reverse("sectors:block-detail", args=["roads"])))

    assert "<h1" in page and "Дороги" in page
    history = page[page.index('data-testid="history"') :]
    current = page[: page.index('data-testid="history"')]
    assert "Новиков" in current and "01.05.2025" in current
    assert "Старов" in history and "30.04.2025" in history
    assert "Министерство транспорта и автомобильных дорог" in page
    assert "Больница № 1" not in page
    assert "Изменить" not in page  # no edit buttons for an operator


def test_a_block_page_paginates_its_organisations_by_fifty(viewer):
    OrganisationFactory.create_batch(52, sector_blocks=[block("waste")])
    url = reverse("sectors:block-detail", args=["waste"])

    first, second = text(viewer.get(url)), text(viewer.get(url, {"page": 2}))

    assert len(re.findall(r'href="/sectors/organisations/\d+/"', first)) == 50
    assert "Страница 2 из 2" in second
    assert viewer.get(url, {"page": "много"}).status_code == 200


def test_the_admin_sees_edit_buttons_and_others_do_not(admin, viewer):
    url = reverse("sectors:block-detail", args=["health"])
    assert reverse("sectors:block-edit", args=["health"]) in text(admin.get(url))
    assert reverse("sectors:block-edit", args=["health"]) not in text(viewer.get(url))
    assert reverse("sectors:organisation-create") in text(admin.get(reverse("sectors:organisation-list")))
    assert reverse("sectors:organisation-create") not in text(viewer.get(reverse("sectors:organisation-list")))


# --- Organisations --------------------------------------------------------------------


@pytest.fixture
def organisations(ryazan_district):
    settlement = TerritoryFactory(
        name="Дядьковское сельское поселение", kind=Territory.Kind.RURAL_SETTLEMENT, parent=ryazan_district
    )
    other = TerritoryFactory(name="Шиловский район")
    return {
        "ministry": OrganisationFactory(
            name="Министерство здравоохранения Рязанской области",
            short_name="Минздрав",
            kind=Kind.REGIONAL_BODY,
            inn="6231012345",
            territory=ryazan_district,
            sector_blocks=[block("health")],
        ),
        "school": OrganisationFactory(
            name="Дядьковская средняя школа",
            kind=Kind.SUBORDINATE,
            territory=settlement,
            sector_blocks=[block("education")],
        ),
        "admin": OrganisationFactory(
            name="Администрация Шиловского района", kind=Kind.LOCAL_GOVERNMENT, territory=other, inn="6213001111"
        ),
    }


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, {"ministry", "school", "admin"}),
        ({"q": "минздрав"}, {"ministry"}),
        ({"q": "школа"}, {"school"}),
        ({"q": "6213001111"}, {"admin"}),
        ({"kind": Kind.LOCAL_GOVERNMENT}, {"admin"}),
        ({"sector_block": "health"}, {"ministry"}),
        ({"q": "рязанской", "kind": Kind.SUBORDINATE}, set()),
    ],
)
def test_the_organisation_list_filters(params, expected, organisations, viewer):
    if "sector_block" in params:
        params = {**params, "sector_block": block(params["sector_block"]).pk}

    page = text(viewer.get(reverse("sectors:organisation-list"), params))

    for key, organisation in organisations.items():
        assert (f'href="/sectors/organisations/{organisation.pk}/"' in page) is (key in expected), key
    if not expected:
        assert "не найдено" in page


def test_filtering_by_a_district_includes_its_settlements(organisations, ryazan_district, viewer):
    page = text(viewer.get(reverse("sectors:organisation-list"), {"territory": ryazan_district.pk}))

    assert "Министерство здравоохранения" in page
    assert "Дядьковская средняя школа" in page
    assert "Администрация Шиловского района" not in page


def test_a_bad_filter_value_shows_an_error_not_a_crash(organisations, viewer):
    response = viewer.get(reverse("sectors:organisation-list"), {"territory": "abc", "kind": "ничего"})
    assert response.status_code == 200
    assert "Выберите корректный вариант" in text(response)


def test_the_organisation_list_is_ordered_by_name_and_paginated_keeping_the_filters(viewer):
    district = TerritoryFactory()
    for n in range(55):
        OrganisationFactory(name=f"Учреждение {n:02d}", kind=Kind.SUBORDINATE, territory=district)
    OrganisationFactory(name="Орган власти", kind=Kind.REGIONAL_BODY, territory=district)

    first = text(viewer.get(reverse("sectors:organisation-list"), {"kind": Kind.SUBORDINATE}))
    second = text(viewer.get(reverse("sectors:organisation-list"), {"kind": Kind.SUBORDINATE, "page": 2}))

    assert first.index("Учреждение 00") < first.index("Учреждение 01") < first.index("Учреждение 49")
    assert "Учреждение 50" not in first
    assert "Орган власти" not in first
    assert "?kind=subordinate&amp;page=2" in first
    assert "Найдено: 55" in first
    assert "Учреждение 54" in second and "Учреждение 49" not in second
    assert "?kind=subordinate&amp;page=1" in second


def test_an_organisation_page_shows_contacts_territory_blocks_parent_subordinates_and_people(viewer, ryazan_district):
    ministry = OrganisationFactory(
        name="Министерство образования Рязанской области",
        kind=Kind.REGIONAL_BODY,
        inn="6230000001",
        territory=ryazan_district,
        sector_blocks=[block("education"), block("sport")],
        address="г. Рязань, ул. Ленина, д. 1",
        phone="+7 (4912) 51-00-00",
        email="minobr@ryazan.gov.ru",
        website="https://minobr.ryazan.gov.ru",
    )
    school = OrganisationFactory(name="Школа № 5", parent=ministry, territory=ryazan_district)
    OrganisationFactory(name="Закрытая школа", parent=ministry, is_active=False)
    ResponsiblePersonFactory(last_name="Учителева", sector_block=block("education"), organisation=ministry)

    page = text(viewer.get(reverse("sectors:organisation-detail", args=[ministry.pk])))
    child = text(viewer.get(reverse("sectors:organisation-detail", args=[school.pk])))

    for fact in (
        "6230000001",
        "г. Рязань, ул. Ленина, д. 1",
        "+7 (4912) 51-00-00",
        "minobr@ryazan.gov.ru",
        "https://minobr.ryazan.gov.ru",
        "Рязанский район",
        "Образование",
        "Физическая культура и спорт",
        "Исполнительный орган субъекта РФ",
        "Школа № 5",
        "Учителева Иван Иванович",
        "15.01.2025",
    ):
        assert fact in page, fact
    assert "Закрытая школа" not in page
    assert f'href="/sectors/organisations/{ministry.pk}/"' in child


# --- Territories ----------------------------------------------------------------------


def test_the_territory_list_filters_by_search_and_kind(viewer, ryazan_district):
    rybnoe = TerritoryFactory(
        name="Рыбновское городское поселение", kind=Territory.Kind.URBAN_SETTLEMENT, parent=ryazan_district
    )
    url = reverse("sectors:territory-list")

    def shown(params) -> set[str]:
        page = text(viewer.get(url, params))
        return {
            name
            for name, territory in (
                ("district", ryazan_district),
                ("rybnoe", rybnoe),
                ("region", ryazan_district.parent),
            )
            if f'href="/sectors/territories/{territory.pk}/"' in page
        }

    assert shown({}) == {"district", "rybnoe", "region"}
    assert shown({"q": "рыбнов"}) == {"rybnoe"}
    assert shown({"q": "6163"}) == {"district"}
    assert shown({"kind": Territory.Kind.URBAN_SETTLEMENT}) == {"rybnoe"}
    assert shown({"kind": Territory.Kind.REGION}) == {"region"}
    assert re.search(r"58(\xa0|&nbsp;| )210", text(viewer.get(url))), "population with a thousands separator"


def test_a_territory_page_shows_children_organisations_and_mcu_people(viewer, ryazan_district):
    TerritoryFactory(
        name="Рыбновское городское поселение", kind=Territory.Kind.URBAN_SETTLEMENT, parent=ryazan_district
    )
    TerritoryFactory(
        name="Упразднённое поселение", kind=Territory.Kind.RURAL_SETTLEMENT, parent=ryazan_district, is_active=False
    )
    OrganisationFactory(name="Администрация Рязанского района", territory=ryazan_district)
    ResponsiblePersonFactory(role=PRole.MCU_HEAD, last_name="Муниципалов", sector_block=None, territory=ryazan_district)

    page = text(viewer.get(reverse("sectors:territory-detail", args=[ryazan_district.pk])))

    assert "Рыбновское городское поселение" in page
    assert "Упразднённое поселение" not in page
    assert "Администрация Рязанского района" in page
    assert "Муниципалов Иван Иванович" in page and "Руководитель МЦУ" in page
    assert "61630000" in page
    assert "Рязанская область" in page  # the parent


# --- Responsible persons -------------------------------------------------------------


@pytest.fixture
def people(ryazan_district):
    return {
        "head": ResponsiblePersonFactory(last_name="Текущий", sector_block=block("health")),
        "former": ResponsiblePersonFactory(
            last_name="Прежний",
            sector_block=block("health"),
            since=datetime.date(2022, 1, 1),
            until=datetime.date(2025, 1, 14),
        ),
        "responsible": ResponsiblePersonFactory(
            role=PRole.BLOCK_RESPONSIBLE, last_name="Образцова", sector_block=block("education")
        ),
        "mcu": ResponsiblePersonFactory(
            role=PRole.MCU_ADMIN, last_name="Районов", sector_block=None, territory=ryazan_district
        ),
    }


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, {"head", "responsible", "mcu"}),
        ({"status": "all"}, {"head", "former", "responsible", "mcu"}),
        ({"status": "current"}, {"head", "responsible", "mcu"}),
        ({"role": PRole.BLOCK_RESPONSIBLE}, {"responsible"}),
        ({"sector_block": "health", "status": "all"}, {"head", "former"}),
        ({"territory": "district"}, {"mcu"}),
        ({"q": "образц"}, {"responsible"}),
    ],
)
def test_the_person_list_filters_and_shows_current_appointments_by_default(
    params, expected, people, ryazan_district, viewer
):
    if params.get("sector_block"):
        params = {**params, "sector_block": block(params["sector_block"]).pk}
    if params.get("territory"):
        params = {**params, "territory": ryazan_district.pk}

    page = text(viewer.get(reverse("sectors:person-list"), params))

    for key, person in people.items():
        assert (f'href="/sectors/persons/{person.pk}/"' in page) is (key in expected), key


def test_a_person_page_shows_the_appointment_and_the_history_of_the_post(people, viewer):
    page = text(viewer.get(reverse("sectors:person-detail", args=[people["head"].pk])))

    assert "Текущий Иван Иванович" in page
    assert "Руководитель отраслевого блока" in page
    assert "Здравоохранение" in page
    assert "10.01.2025" in page  # act date
    history = page[page.index('data-testid="history"') :]
    assert "Прежний" in history and "14.01.2025" in history
    assert "Образцова" not in history
    assert "Прекратить полномочия" not in page  # an operator cannot end it


# --- Admin forms: organisations -------------------------------------------------------


def organisation_data(territory, **overrides):
    data = {
        "name": "Государственная жилищная инспекция Рязанской области",
        "short_name": "ГЖИ",
        "kind": Kind.REGIONAL_BODY,
        "inn": "6229000000",
        "territory": territory.pk,
        "sector_blocks": [block("housing").pk],
        "address": "г. Рязань",
        "phone": "+7 4912 00-00-00",
        "email": "gzhi@ryazan.gov.ru",
        "website": "https://gzhi.ryazan.gov.ru",
        "is_active": "on",
    }
    return {**data, **overrides}


def test_the_admin_creates_an_organisation_and_the_audit_log_records_it(admin, admin_user, ryazan_district):
    response = admin.post(reverse("sectors:organisation-create"), organisation_data(ryazan_district))

    organisation = Organisation.objects.get(inn="6229000000")
    assert response.status_code == 302
    assert response["Location"] == reverse("sectors:organisation-detail", args=[organisation.pk])
    assert list(organisation.sector_blocks.values_list("code", flat=True)) == ["housing"]
    event = AuditEvent.objects.get(action="organisation.create")
    assert event.actor == admin_user
    assert event.object_id == str(organisation.pk)
    assert "Организация сохранена." in text(admin.get(response["Location"]))


def test_the_admin_edits_an_organisation_and_the_audit_log_records_the_changes(admin, admin_user, ryazan_district):
    organisation = OrganisationFactory(
        name="Старое название", territory=ryazan_district, sector_blocks=[block("health")]
    )

    form_page = text(admin.get(reverse("sectors:organisation-edit", args=[organisation.pk])))
    response = admin.post(
        reverse("sectors:organisation-edit", args=[organisation.pk]),
        organisation_data(ryazan_district, name="Новое название", inn="", sector_blocks=[block("social").pk]),
    )

    assert 'value="Старое название"' in form_page
    assert response.status_code == 302
    organisation.refresh_from_db()
    assert organisation.name == "Новое название"
    event = AuditEvent.objects.get(action="organisation.update", object_id=str(organisation.pk))
    assert event.actor == admin_user
    assert event.changes["name"] == ["Старое название", "Новое название"]
    assert event.changes["sector_blocks"] == [[block("health").pk], [block("social").pk]]


def test_an_organisation_with_bad_input_is_not_saved_and_the_errors_are_russian(admin, ryazan_district):
    OrganisationFactory(inn="6229000000")
    url = reverse("sectors:organisation-create")

    bad_inn = admin.post(url, organisation_data(ryazan_district, inn="12345"))
    duplicate = admin.post(url, organisation_data(ryazan_district))
    missing = admin.post(url, {"short_name": "Без имени"})
    bad_contacts = admin.post(url, organisation_data(ryazan_district, inn="", phone="звоните", email="не почта"))

    assert bad_inn.status_code == duplicate.status_code == missing.status_code == bad_contacts.status_code == 200
    assert "ИНН состоит из 10 или 12 цифр." in text(bad_inn)
    assert "Организация с таким ИНН уже есть." in text(duplicate)
    assert "Обязательное поле." in text(missing)
    assert "Телефон: цифры, пробелы, скобки, дефис" in text(bad_contacts)
    assert "Введите правильный адрес электронной почты." in text(bad_contacts)
    assert Organisation.objects.count() == 1
    assert not AuditEvent.objects.exists()


def test_a_refusal_of_the_service_is_shown_as_a_form_error(admin, ryazan_district):
    parent = OrganisationFactory(name="Министерство", territory=ryazan_district)
    child = OrganisationFactory(name="Учреждение", territory=ryazan_district, parent=parent)

    response = admin.post(
        reverse("sectors:organisation-edit", args=[parent.pk]),
        organisation_data(ryazan_district, name="Министерство", inn="", parent=child.pk),
    )

    assert response.status_code == 200
    assert "Организация не может подчиняться сама себе." in text(response)
    parent.refresh_from_db()
    assert parent.parent is None


# --- Admin forms: territories and blocks ---------------------------------------------


def test_the_admin_creates_and_edits_a_territory(admin):
    region = RegionFactory()
    create = admin.post(
        reverse("sectors:territory-create"),
        {
            "name": "Спасский район",
            "kind": Territory.Kind.MUNICIPAL_DISTRICT,
            "parent": region.pk,
            "oktmo": "61640000",
            "is_active": "on",
        },
    )
    territory = Territory.objects.get(oktmo="61640000")
    edit = admin.post(
        reverse("sectors:territory-edit", args=[territory.pk]),
        {
            "name": "Спасский муниципальный район",
            "kind": Territory.Kind.MUNICIPAL_DISTRICT,
            "parent": region.pk,
            "oktmo": "61640000",
            "population": "26000",
            "is_active": "on",
        },
    )

    assert create.status_code == edit.status_code == 302
    territory.refresh_from_db()
    assert territory.name == "Спасский муниципальный район"
    assert territory.population == 26000
    assert AuditEvent.objects.filter(object_type="sectors.territory", object_id=str(territory.pk)).count() == 2


def test_a_territory_with_bad_input_is_not_saved(admin):
    RegionFactory()
    response = admin.post(
        reverse("sectors:territory-create"),
        {"name": "Район без родителя", "kind": Territory.Kind.MUNICIPAL_DISTRICT, "oktmo": "12ab", "population": "-3"},
    )

    page = text(response)
    assert response.status_code == 200
    assert "Код ОКТМО состоит из 8 или 11 цифр." in page
    assert "Убедитесь, что это значение больше либо равно 0." in page
    assert not Territory.objects.filter(name="Район без родителя").exists()


def test_a_territory_cannot_be_put_inside_its_own_child(admin, ryazan_district):
    settlement = TerritoryFactory(kind=Territory.Kind.RURAL_SETTLEMENT, parent=ryazan_district)

    response = admin.post(
        reverse("sectors:territory-edit", args=[ryazan_district.pk]),
        {
            "name": "Рязанский район",
            "kind": Territory.Kind.MUNICIPAL_DISTRICT,
            "parent": settlement.pk,
            "oktmo": "61630000",
        },
    )

    assert response.status_code == 200
    assert "Территория не может входить сама в себя." in text(response)


def test_the_admin_adds_a_block_and_cannot_change_its_code_later(admin):
    created = admin.post(
        reverse("sectors:block-create"), {"code": "tourism", "name": "Туризм", "position": "200", "is_active": "on"}
    )
    new = SectorBlock.objects.get(code="tourism")
    edited = admin.post(
        reverse("sectors:block-edit", args=["tourism"]),
        {"code": "hacked", "name": "Туризм и отдых", "position": "210", "is_active": "on"},
    )

    assert created.status_code == edited.status_code == 302
    assert edited["Location"] == reverse("sectors:block-detail", args=["tourism"])
    new.refresh_from_db()
    assert (new.code, new.name, new.is_mandatory) == ("tourism", "Туризм и отдых", False)
    assert AuditEvent.objects.filter(action="sector_block.create").count() == 1


def test_a_mandatory_block_cannot_be_switched_off(admin):
    response = admin.post(reverse("sectors:block-edit", args=["health"]), {"name": "Здравоохранение", "position": "10"})

    assert response.status_code == 200
    assert "Обязательный отраслевой блок нельзя отключить." in text(response)
    assert block("health").is_active


def test_a_block_code_must_be_a_slug_and_not_reserved(admin):
    url = reverse("sectors:block-create")
    bad = admin.post(url, {"code": "блок с пробелами", "name": "Плохой", "position": "1"})
    reserved = admin.post(url, {"code": "new", "name": "Новый", "position": "1"})
    taken = admin.post(url, {"code": "roads", "name": "Дороги-2", "position": "1"})

    assert bad.status_code == reserved.status_code == taken.status_code == 200
    assert "Этот код зарезервирован" in text(reserved)
    assert "уже существует" in text(taken)
    assert not SectorBlock.objects.filter(name__in=["Плохой", "Новый", "Дороги-2"]).exists()


# --- Admin forms: appointments -------------------------------------------------------


def appointment_data(**overrides):
    data = {
        "role": PRole.BLOCK_HEAD,
        "sector_block": block("health").pk,
        "last_name": "Новикова",
        "first_name": "Мария",
        "patronymic": "Петровна",
        "position": "Министр здравоохранения Рязанской области",
        "phone": "+7 4912 11-22-33",
        "email": "novikova@ryazan.gov.ru",
        "act_number": "125-рг",
        "act_date": "01.09.2025",
        "since": "02.09.2025",
    }
    return {**data, **overrides}


def test_appointing_a_new_block_head_relieves_the_previous_one_and_both_stay_in_the_history(admin, admin_user, viewer):
    previous = ResponsiblePersonFactory(
        last_name="Петров", sector_block=block("health"), since=datetime.date(2024, 3, 1)
    )

    response = admin.post(reverse("sectors:person-appoint"), appointment_data())

    new = ResponsiblePerson.objects.get(last_name="Новикова")
    previous.refresh_from_db()
    assert response.status_code == 302
    assert response["Location"] == reverse("sectors:person-detail", args=[new.pk])
    assert previous.until == datetime.date(2025, 9, 1)
    assert new.is_current and new.since == datetime.date(2025, 9, 2)
    assert AuditEvent.objects.filter(action="responsible.end", actor=admin_user).count() == 1
    assert AuditEvent.objects.filter(action="responsible.appoint", actor=admin_user).count() == 1

    page = text(viewer.get(reverse("sectors:block-detail", args=["health"])))
    history = page[page.index('data-testid="history"') :]
    assert "Новикова Мария Петровна" in page[: page.index('data-testid="history"')]
    assert "Петров Иван Иванович" in history and "01.09.2025" in history
    person_page = text(viewer.get(reverse("sectors:person-detail", args=[new.pk])))
    assert "Петров Иван Иванович" in person_page[person_page.index('data-testid="history"') :]


def test_an_appointment_before_the_current_holder_is_refused_with_the_services_message(admin):
    ResponsiblePersonFactory(last_name="Петров", sector_block=block("health"), since=datetime.date(2025, 10, 1))

    response = admin.post(reverse("sectors:person-appoint"), appointment_data())

    assert response.status_code == 200
    assert "Дата назначения должна быть позже назначения текущего лица (01.10.2025)." in text(response)
    assert not ResponsiblePerson.objects.filter(last_name="Новикова").exists()
    assert ResponsiblePerson.objects.get(last_name="Петров").until is None


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"sector_block": ""}, "Для роли в отраслевом блоке укажите отраслевой блок."),
        ({"role": PRole.MCU_HEAD, "sector_block": ""}, "Для роли в МЦУ укажите муниципальное образование."),
        ({"role": PRole.CURATOR}, "Отраслевой блок указывается только для ролей отраслевого блока."),
        ({"since": "31.02.2025"}, "Введите дату в формате дд.мм.гггг."),
        ({"act_date": "вчера"}, "Введите дату в формате дд.мм.гггг."),
        ({"since": "01.01.1900"}, "Дата должна быть не раньше 01.01.2000"),
        ({"last_name": "", "position": ""}, "Обязательное поле."),
        ({"role": "boss"}, "Выберите корректный вариант."),
        ({"phone": "телефон"}, "Телефон: цифры, пробелы, скобки, дефис"),
    ],
)
def test_an_invalid_appointment_is_not_saved_and_the_errors_are_russian(overrides, message, admin):
    response = admin.post(reverse("sectors:person-appoint"), appointment_data(**overrides))

    assert response.status_code == 200
    assert message in text(response)
    assert not ResponsiblePerson.objects.exists()


def test_the_appoint_form_is_prefilled_from_a_block_page(admin):
    page = text(admin.get(reverse("sectors:person-appoint"), {"role": "block_head", "sector_block": "roads"}))

    assert '<option value="block_head" selected>' in page
    assert f'<option value="{block("roads").pk}" selected>' in page
    assert 'placeholder="дд.мм.гггг"' in page


def test_the_admin_appoints_an_mcu_head(admin, ryazan_district):
    response = admin.post(
        reverse("sectors:person-appoint"),
        appointment_data(role=PRole.MCU_HEAD, sector_block="", territory=ryazan_district.pk),
    )

    assert response.status_code == 302
    person = ResponsiblePerson.objects.get()
    assert (person.role, person.territory, person.sector_block) == (PRole.MCU_HEAD, ryazan_district, None)


def test_the_admin_corrects_an_appointment_but_not_its_post(admin):
    person = ResponsiblePersonFactory(last_name="Опечаткин", sector_block=block("health"))
    url = reverse("sectors:person-edit", args=[person.pk])

    form_page = text(admin.get(url))
    response = admin.post(
        url,
        {
            "last_name": "Опечаткина",
            "first_name": "Ирина",
            "position": "Заместитель министра",
            "act_number": person.act_number,
            "act_date": "10.01.2025",
            "since": "15.01.2025",
            # Fields of the post are not in the form and are ignored.
            "role": PRole.CURATOR,
            "sector_block": block("roads").pk,
        },
    )

    assert 'value="10.01.2025"' in form_page
    assert response.status_code == 302
    person.refresh_from_db()
    assert (person.last_name, person.role, person.sector_block.code) == ("Опечаткина", PRole.BLOCK_HEAD, "health")
    assert AuditEvent.objects.get(action="responsible.update").changes["last_name"] == ["Опечаткин", "Опечаткина"]


def test_an_appointment_cannot_end_before_it_started_and_a_correct_end_is_saved(admin):
    person = ResponsiblePersonFactory(sector_block=block("health"), since=datetime.date(2025, 1, 15))
    url = reverse("sectors:person-end", args=[person.pk])

    early = admin.post(url, {"until": "14.01.2025"})
    garbage = admin.post(url, {"until": "конец"})
    ok = admin.post(url, {"until": "30.06.2025"})
    again = admin.post(url, {"until": "01.07.2025"})

    assert early.status_code == garbage.status_code == 200
    assert "Дата прекращения полномочий раньше даты назначения." in text(early)
    assert "Введите дату в формате дд.мм.гггг." in text(garbage)
    assert ok.status_code == 302
    person.refresh_from_db()
    assert person.until == datetime.date(2025, 6, 30)
    assert again.status_code == 200
    assert "Полномочия этого лица уже прекращены." in text(again)
    person.refresh_from_db()
    assert person.until == datetime.date(2025, 6, 30)


# --- Garbage never becomes a 500 -----------------------------------------------------

GARBAGE = [
    {},
    {"name": "x" * 5000, "code": "x" * 500, "inn": "abc", "oktmo": "x", "population": "-1"},
    {"territory": "99999999999999999999", "parent": "-1", "sector_blocks": ["abc", "0"], "kind": "nope"},
    {"role": "curator", "since": "99.99.9999", "act_date": "00.00.0000", "until": "01.01.99999"},
    {"name": "\x00", "last_name": "\x00", "email": "@", "website": "javascript:alert(1)", "position": "1e309"},
    {"role": ["block_head", "curator"], "sector_block": ["1", "2"], "territory": "1.5", "user": "me"},
]


@pytest.mark.parametrize("payload", GARBAGE, ids=range(len(GARBAGE)))
def test_garbage_posted_to_any_form_never_becomes_a_server_error(payload, admin):
    person = ResponsiblePersonFactory(sector_block=block("health"))
    territory = TerritoryFactory()
    organisation = OrganisationFactory(territory=territory)
    urls = [
        reverse("sectors:block-create"),
        reverse("sectors:block-edit", args=["health"]),
        reverse("sectors:organisation-create"),
        reverse("sectors:organisation-edit", args=[organisation.pk]),
        reverse("sectors:territory-create"),
        reverse("sectors:territory-edit", args=[territory.pk]),
        reverse("sectors:person-appoint"),
        reverse("sectors:person-edit", args=[person.pk]),
        reverse("sectors:person-end", args=[person.pk]),
    ]
    events = AuditEvent.objects.count()

    for url in urls:
        response = admin.post(url, payload)
        assert response.status_code == 200, url
        assert "alert-danger" in text(response) or "invalid-feedback" in text(response), url

    assert AuditEvent.objects.count() == events


@pytest.mark.parametrize("url_name", ["sectors:organisation-list", "sectors:territory-list", "sectors:person-list"])
def test_garbage_in_a_list_query_string_never_becomes_a_server_error(url_name, viewer):
    for params in (
        {"page": "-1"},
        {"page": "99999999999999999999"},
        {"q": "\x00"},
        {"territory": "1" * 30},
        {"sector_block": "x", "role": "x", "kind": "x", "status": "x"},
    ):
        assert viewer.get(reverse(url_name), params).status_code == 200, params


# --- Fixed number of queries -----------------------------------------------------------


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def _more_organisations(count: int) -> None:
    blocks = [block("health"), block("roads")]
    for n in range(count):
        territory = TerritoryFactory()
        parent = OrganisationFactory(territory=territory, sector_blocks=blocks)
        OrganisationFactory(name=f"Филиал {n}", territory=territory, parent=parent, sector_blocks=blocks[:1])


def _more_people(count: int) -> None:
    for _ in range(count):
        extra = SectorBlockFactory()
        territory = TerritoryFactory()
        organisation = OrganisationFactory(territory=territory, sector_blocks=[extra])
        ResponsiblePersonFactory(sector_block=extra, organisation=organisation)
        ResponsiblePersonFactory(role=PRole.BLOCK_RESPONSIBLE, sector_block=extra, organisation=organisation)
        ResponsiblePersonFactory(
            role=PRole.MCU_CURATOR, sector_block=None, territory=territory, organisation=organisation
        )


@pytest.mark.parametrize(
    ("url_name", "grow"),
    [
        ("sectors:organisation-list", _more_organisations),
        ("sectors:territory-list", _more_organisations),
        ("sectors:person-list", _more_people),
        ("sectors:block-list", _more_people),
    ],
)
@pytest.mark.parametrize("role", [Role.ADMIN, Role.OPERATOR])
def test_a_list_page_makes_the_same_number_of_queries_for_3_and_30_rows(
    url_name, grow, role, make_user, client_for, django_assert_num_queries
):
    client = client_for(make_user(role))
    url = reverse(url_name)
    grow(3)
    few = _queries(client, url)

    grow(27)
    with django_assert_num_queries(few):
        response = client.get(url)

    assert response.status_code == 200


@pytest.mark.parametrize(
    "url_name", ["sectors:block-detail", "sectors:territory-detail", "sectors:organisation-detail"]
)
def test_a_detail_page_makes_the_same_number_of_queries_for_3_and_30_related_rows(
    url_name, make_user, client_for, django_assert_num_queries
):
    client = client_for(make_user(Role.OPERATOR))
    territory = TerritoryFactory()
    parent = OrganisationFactory(territory=territory, sector_blocks=[block("energy")])
    arg = {"sectors:block-detail": "energy", "sectors:territory-detail": territory.pk}.get(url_name, parent.pk)
    url = reverse(url_name, args=[arg])

    def grow(count):
        for _ in range(count):
            n = OrganisationFactory(
                territory=territory, parent=parent, sector_blocks=[block("energy"), block("roads")]
            ).pk
            TerritoryFactory(parent=territory, kind=Territory.Kind.RURAL_SETTLEMENT)
            past = {"since": datetime.date(2000, 1, 1) + datetime.timedelta(days=n), "until": datetime.date(2024, 1, 1)}
            ResponsiblePersonFactory(sector_block=block("energy"), organisation=parent, **past)
            ResponsiblePersonFactory(role=PRole.MCU_ADMIN, sector_block=None, territory=territory, **past)

    grow(3)
    few = _queries(client, url)
    grow(27)
    with django_assert_num_queries(few):
        client.get(url)
