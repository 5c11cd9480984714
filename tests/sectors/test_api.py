"""The directory's REST API as the admin and the staff use it: writes go through the services
(data + audit log), reads are filtered and have a fixed number of queries, bad input is a 400."""

import datetime
import json

import pytest

from cur.models import AuditEvent
from sectors.models import Organisation, ResponsiblePerson, SectorBlock, Territory
from tests.factories import (
    OrganisationFactory,
    RegionFactory,
    ResponsiblePersonFactory,
    SectorBlockFactory,
    TerritoryFactory,
)

API = "/api/v1"
SQUARE = {"type": "Polygon", "coordinates": [[[39.0, 54.0], [40.0, 54.0], [40.0, 55.0], [39.0, 54.0]]]}


@pytest.fixture
def admin_api(admin_user, api_client_for):
    return api_client_for(admin_user)


@pytest.fixture
def operator_api(operator, api_client_for):
    return api_client_for(operator)


def results(response):
    assert response.status_code == 200, response.content
    return response.json()["results"]


# --- Sector blocks ----------------------------------------------------------------------------


def test_a_sector_block_is_looked_up_by_its_code(operator_api):
    response = operator_api.get(f"{API}/sector-blocks/health/")

    assert response.status_code == 200
    assert response.json()["name"] == "Здравоохранение"
    assert response.json()["is_mandatory"] is True


def test_admin_adds_a_sector_block_and_the_audit_log_records_it(admin_api, admin_user):
    response = admin_api.post(
        f"{API}/sector-blocks/", {"code": "tourism", "name": "Туризм", "position": 200}, format="json"
    )

    assert response.status_code == 201, response.content
    block = SectorBlock.objects.get(code="tourism")
    assert block.name == "Туризм" and block.is_mandatory is False
    event = AuditEvent.objects.get(action="sector_block.create")
    assert event.actor == admin_user and event.object_id == str(block.pk)


def test_admin_renames_a_block_by_code_and_the_change_is_audited(admin_api):
    response = admin_api.patch(f"{API}/sector-blocks/roads/", {"name": "Дороги и мосты"}, format="json")

    assert response.status_code == 200, response.content
    assert SectorBlock.objects.get(code="roads").name == "Дороги и мосты"
    assert AuditEvent.objects.get(action="sector_block.update").changes == {"name": ["Дороги", "Дороги и мосты"]}


def test_the_code_of_a_block_cannot_be_changed(admin_api):
    block = {"code": "roads2", "name": "Дороги", "description": "", "is_active": True, "position": 10}

    response = admin_api.put(f"{API}/sector-blocks/roads/", block, format="json")

    assert response.status_code == 409
    assert "Код отраслевого блока менять нельзя" in response.json()["detail"]
    assert SectorBlock.objects.filter(code="roads").exists()


def test_a_mandatory_block_cannot_be_switched_off(admin_api):
    response = admin_api.patch(f"{API}/sector-blocks/health/", {"is_active": False}, format="json")

    assert response.status_code == 409
    assert SectorBlock.objects.get(code="health").is_active


def test_a_duplicate_block_code_is_a_400_in_russian(admin_api):
    response = admin_api.post(f"{API}/sector-blocks/", {"code": "health", "name": "Другое"}, format="json")

    assert response.status_code == 400
    assert "code" in response.json()
    assert "уже существует" in response.json()["code"][0]


# --- Territories ------------------------------------------------------------------------------


def test_the_territory_list_is_light_and_the_detail_has_the_boundary(operator_api):
    territory = TerritoryFactory(boundary=SQUARE)

    listed = next(t for t in results(operator_api.get(f"{API}/territories/")) if t["id"] == territory.pk)
    detail = operator_api.get(f"{API}/territories/{territory.pk}/").json()
    with_boundary = results(operator_api.get(f"{API}/territories/", {"include": "boundary"}))

    assert "boundary" not in listed
    assert listed["parent_name"] == "Рязанская область"
    assert detail["boundary"] == SQUARE
    assert next(t for t in with_boundary if t["id"] == territory.pk)["boundary"] == SQUARE


def test_territories_are_filtered_by_kind_parent_and_oktmo(operator_api):
    region = RegionFactory()
    district = TerritoryFactory(oktmo="61602000")
    settlement = TerritoryFactory(kind=Territory.Kind.RURAL_SETTLEMENT, parent=district, oktmo="61602410")

    assert [t["id"] for t in results(operator_api.get(f"{API}/territories/", {"kind": "region"}))] == [region.pk]
    assert [t["id"] for t in results(operator_api.get(f"{API}/territories/", {"parent": district.pk}))] == [
        settlement.pk
    ]
    assert [t["id"] for t in results(operator_api.get(f"{API}/territories/", {"oktmo": "61602000"}))] == [district.pk]


def test_admin_creates_a_territory_with_a_boundary(admin_api, admin_user):
    region = RegionFactory()
    payload = {"name": "Шацкий район", "kind": "municipal_district", "parent": region.pk, "oktmo": "61656000"}

    response = admin_api.post(f"{API}/territories/", {**payload, "boundary": SQUARE}, format="json")

    assert response.status_code == 201, response.content
    territory = Territory.objects.get(oktmo="61656000")
    assert territory.parent == region and territory.boundary == SQUARE
    assert response.json()["boundary"] == SQUARE
    assert AuditEvent.objects.filter(action="territory.create", actor=admin_user, object_id=str(territory.pk)).exists()


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"oktmo": "6165"}, "oktmo", "Код ОКТМО состоит из 8 или 11 цифр."),
        ({"oktmo": "61000000"}, "oktmo", "уже существует"),
        ({"kind": "district"}, "kind", "нет среди допустимых вариантов"),
        ({"parent": 10**9}, "parent", "Недопустимый первичный ключ"),
        ({"boundary": {"kind": "square"}}, "boundary", "GeoJSON"),
        ({"population": -5}, "population", "больше либо равно 0"),
    ],
)
def test_bad_territory_input_is_a_400_with_a_russian_field_error(admin_api, change, field, message):
    region = RegionFactory()
    payload = {"name": "Шацкий район", "kind": "municipal_district", "parent": region.pk, "oktmo": "61656000"}

    response = admin_api.post(f"{API}/territories/", {**payload, **change}, format="json")

    assert response.status_code == 400
    assert message in " ".join(map(str, response.json()[field]))


def test_a_second_region_violates_the_model_constraint_as_a_400(admin_api):
    region = RegionFactory()

    response = admin_api.post(
        f"{API}/territories/",
        {"name": "Район", "kind": "region", "parent": region.pk, "oktmo": "61656000"},
        format="json",
    )

    assert response.status_code == 400
    assert "Только субъект РФ не входит в другую территорию." in json.dumps(response.json(), ensure_ascii=False)


def test_a_territory_cannot_be_put_inside_its_own_child(admin_api):
    district = TerritoryFactory()
    settlement = TerritoryFactory(kind=Territory.Kind.RURAL_SETTLEMENT, parent=district)

    response = admin_api.patch(f"{API}/territories/{district.pk}/", {"parent": settlement.pk}, format="json")

    assert response.status_code == 409
    assert district.parent_id != settlement.pk


# --- Organisations ----------------------------------------------------------------------------


def organisation_payload(**overrides):
    payload = {
        "name": "Министерство здравоохранения Рязанской области",
        "short_name": "Минздрав",
        "kind": "regional_body",
        "inn": "6231000123",
        "territory": RegionFactory().pk,
        "sector_blocks": ["health"],
        "phone": "+7 (4912) 00-00-00",
        "email": "minzdrav@example.ru",
    }
    return {**payload, **overrides}


def test_admin_creates_an_organisation_with_blocks_by_code_and_it_is_audited(admin_api, admin_user):
    response = admin_api.post(f"{API}/organisations/", organisation_payload(), format="json")

    assert response.status_code == 201, response.content
    organisation = Organisation.objects.get(inn="6231000123")
    assert [b.code for b in organisation.sector_blocks.all()] == ["health"]
    assert response.json()["sector_blocks"] == ["health"]
    assert response.json()["territory_name"] == "Рязанская область"
    event = AuditEvent.objects.get(action="organisation.create")
    assert event.actor == admin_user
    assert event.changes["sector_blocks"] == [[], [SectorBlock.objects.get(code="health").pk]]


def test_admin_replaces_the_blocks_of_an_organisation(admin_api):
    organisation = OrganisationFactory(sector_blocks=[SectorBlock.objects.get(code="health")])

    response = admin_api.patch(
        f"{API}/organisations/{organisation.pk}/", {"sector_blocks": ["social", "education"]}, format="json"
    )

    assert response.status_code == 200, response.content
    assert sorted(response.json()["sector_blocks"]) == ["education", "social"]
    assert sorted(organisation.sector_blocks.values_list("code", flat=True)) == ["education", "social"]
    assert AuditEvent.objects.filter(action="organisation.update", object_id=str(organisation.pk)).exists()


def test_admin_deactivates_an_organisation_with_put(admin_api):
    organisation = OrganisationFactory()
    payload = {"name": organisation.name, "kind": organisation.kind, "territory": organisation.territory_id}

    response = admin_api.put(f"{API}/organisations/{organisation.pk}/", {**payload, "is_active": False}, format="json")

    assert response.status_code == 200, response.content
    organisation.refresh_from_db()
    assert organisation.is_active is False


def test_a_duplicate_inn_is_a_400_not_a_500(admin_api):
    OrganisationFactory(inn="6231000123")

    response = admin_api.post(f"{API}/organisations/", organisation_payload(), format="json")

    assert response.status_code == 400
    assert response.json()["inn"] == ["Организация с таким ИНН уже есть."] or "уже существует" in str(
        response.json()["inn"]
    )
    assert Organisation.objects.filter(inn="6231000123").count() == 1


def test_organisations_without_an_inn_do_not_collide(admin_api):
    OrganisationFactory(inn="")

    response = admin_api.post(f"{API}/organisations/", organisation_payload(inn=""), format="json")

    assert response.status_code == 201, response.content


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"inn": "12345"}, "inn", "ИНН состоит из 10 или 12 цифр."),
        ({"phone": "звоните"}, "phone", "Телефон: цифры, пробелы, скобки, дефис"),
        ({"email": "не почта"}, "email", "Введите правильный адрес электронной почты."),
        ({"sector_blocks": ["nope"]}, "sector_blocks", "не существует"),
        ({"territory": None}, "territory", "не может быть пустым"),
        ({"name": "я" * 501}, "name", "не более 500 символов"),
    ],
)
def test_bad_organisation_input_is_a_400_with_a_russian_field_error(admin_api, change, field, message):
    response = admin_api.post(f"{API}/organisations/", organisation_payload(**change), format="json")

    assert response.status_code == 400
    assert message in " ".join(map(str, response.json()[field]))


def test_an_organisation_cannot_be_its_own_parent(admin_api):
    organisation = OrganisationFactory()

    response = admin_api.patch(f"{API}/organisations/{organisation.pk}/", {"parent": organisation.pk}, format="json")

    assert response.status_code == 409


def test_organisations_are_filtered_by_kind_territory_block_search_and_activity(admin_api):
    health = SectorBlock.objects.get(code="health")
    district = TerritoryFactory()
    hospital = OrganisationFactory(
        name="Областная клиническая больница", inn="6229000001", sector_blocks=[health], territory=district
    )
    ministry = OrganisationFactory(name="Министерство образования", kind=Organisation.Kind.REGIONAL_BODY)
    closed = OrganisationFactory(name="Закрытая больница", is_active=False)

    def ids(**params):
        return {o["id"] for o in results(admin_api.get(f"{API}/organisations/", params))}

    assert ids(kind="regional_body") == {ministry.pk}
    assert ids(territory=district.pk) == {hospital.pk}
    assert ids(sector_block="health") == {hospital.pk}
    assert ids(search="больница") == {hospital.pk, closed.pk}
    assert ids(search="6229") == {hospital.pk}
    assert ids(is_active="false") == {closed.pk}


# --- Responsible persons ----------------------------------------------------------------------


def appointment(**overrides):
    payload = {
        "role": "block_head",
        "sector_block": "health",
        "last_name": "Сидорова",
        "first_name": "Мария",
        "patronymic": "Петровна",
        "position": "Министр здравоохранения",
        "act_number": "120-рп",
        "act_date": "2025-03-01",
        "since": "2025-03-03",
        "phone": "+7 4912 11-22-33",
    }
    return {**payload, **overrides}


def test_appointing_through_the_api_relieves_the_current_holder(admin_api, admin_user):
    current = ResponsiblePersonFactory(since=datetime.date(2025, 1, 15))

    response = admin_api.post(f"{API}/responsible-persons/", appointment(), format="json")

    assert response.status_code == 201, response.content
    assert response.json()["is_current"] is True
    assert response.json()["sector_block"] == "health"
    current.refresh_from_db()
    assert current.until == datetime.date(2025, 3, 2)
    new = ResponsiblePerson.objects.get(pk=response.json()["id"])
    assert new.until is None and new.last_name == "Сидорова"
    assert set(AuditEvent.objects.filter(actor=admin_user).values_list("action", flat=True)) == {
        "responsible.end",
        "responsible.appoint",
    }


def test_an_appointment_before_the_current_one_is_a_409(admin_api):
    ResponsiblePersonFactory(since=datetime.date(2025, 5, 1))

    response = admin_api.post(f"{API}/responsible-persons/", appointment(since="2025-04-01"), format="json")

    assert response.status_code == 409
    assert "Дата назначения должна быть позже" in response.json()["detail"]


def test_a_block_role_needs_a_block_and_an_mcu_role_a_territory(admin_api):
    no_block = admin_api.post(f"{API}/responsible-persons/", appointment(sector_block=None), format="json")
    no_territory = admin_api.post(f"{API}/responsible-persons/", appointment(role="mcu_head"), format="json")

    assert no_block.status_code == 400 and "sector_block" in no_block.json()
    assert no_territory.status_code == 400 and "territory" in no_territory.json()


def test_admin_corrects_the_contacts_of_an_appointment(admin_api):
    person = ResponsiblePersonFactory()

    response = admin_api.patch(
        f"{API}/responsible-persons/{person.pk}/", {"phone": "+7 900 000-00-00", "role": "block_head"}, format="json"
    )

    assert response.status_code == 200, response.content
    person.refresh_from_db()
    assert person.phone == "+7 900 000-00-00"
    assert AuditEvent.objects.get(action="responsible.update").changes == {"phone": ["", "+7 900 000-00-00"]}


def test_changing_the_post_of_an_appointment_is_refused(admin_api):
    person = ResponsiblePersonFactory()

    response = admin_api.patch(f"{API}/responsible-persons/{person.pk}/", {"sector_block": "social"}, format="json")

    assert response.status_code == 409
    assert "назначьте лицо заново" in response.json()["detail"]


def test_until_is_not_edited_directly(admin_api):
    person = ResponsiblePersonFactory()

    admin_api.patch(f"{API}/responsible-persons/{person.pk}/", {"until": "2025-12-31"}, format="json")

    person.refresh_from_db()
    assert person.until is None


def test_the_end_action_relieves_an_official(admin_api, admin_user):
    person = ResponsiblePersonFactory(since=datetime.date(2025, 1, 15))

    response = admin_api.post(f"{API}/responsible-persons/{person.pk}/end/", {"until": "2025-06-30"}, format="json")

    assert response.status_code == 200, response.content
    assert response.json()["until"] == "2025-06-30"
    assert response.json()["is_current"] is False
    person.refresh_from_db()
    assert person.until == datetime.date(2025, 6, 30)
    assert AuditEvent.objects.get(action="responsible.end").actor == admin_user


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"until": "2024-12-31"}, 409),  # before the appointment
        ({"until": "2025-02-30"}, 400),
        ({"until": "завтра"}, 400),
        ({}, 400),
        ([], 400),
    ],
)
def test_the_end_action_refuses_bad_dates(admin_api, body, status):
    person = ResponsiblePersonFactory(since=datetime.date(2025, 1, 15))

    response = admin_api.post(f"{API}/responsible-persons/{person.pk}/end/", body, format="json")

    assert response.status_code == status
    person.refresh_from_db()
    assert person.until is None


def test_ending_an_ended_appointment_is_a_409(admin_api):
    person = ResponsiblePersonFactory(until=datetime.date(2025, 2, 1))

    response = admin_api.post(f"{API}/responsible-persons/{person.pk}/end/", {"until": "2025-06-30"}, format="json")

    assert response.status_code == 409
    assert response.json()["detail"] == "Полномочия этого лица уже прекращены."


def test_responsible_persons_are_filtered_by_role_block_territory_and_currency(operator_api):
    district = TerritoryFactory()
    head = ResponsiblePersonFactory()
    former = ResponsiblePersonFactory(since=datetime.date(2024, 1, 1), until=datetime.date(2025, 1, 14))
    social = ResponsiblePersonFactory(sector_block=SectorBlock.objects.get(code="social"))
    mcu = ResponsiblePersonFactory(role=ResponsiblePerson.Role.MCU_HEAD, sector_block=None, territory=district)

    def ids(**params):
        return {p["id"] for p in results(operator_api.get(f"{API}/responsible-persons/", params))}

    assert ids(role="mcu_head") == {mcu.pk}
    assert ids(sector_block="health") == {head.pk, former.pk}
    assert ids(territory=district.pk) == {mcu.pk}
    assert ids(current="true") == {head.pk, social.pk, mcu.pk}
    assert ids(current="false") == {former.pk}


def test_persons_are_not_replaced_with_put(admin_api):
    person = ResponsiblePersonFactory()

    response = admin_api.put(f"{API}/responsible-persons/{person.pk}/", appointment(), format="json")

    assert response.status_code == 405


@pytest.mark.parametrize("kind", ["sector-blocks/health", "territories/{territory}", "organisations/{organisation}"])
def test_directory_rows_are_not_deleted(admin_api, kind):
    url = f"{API}/" + kind.format(territory=TerritoryFactory().pk, organisation=OrganisationFactory().pk) + "/"

    assert admin_api.delete(url).status_code == 405


def test_a_person_is_not_deleted_either(admin_api):
    person = ResponsiblePersonFactory()

    assert admin_api.delete(f"{API}/responsible-persons/{person.pk}/").status_code == 405
    assert ResponsiblePerson.objects.filter(pk=person.pk).exists()


# --- A fixed number of queries per list -------------------------------------------------------


def make_blocks(n):
    SectorBlockFactory.create_batch(n)


def make_territories(n):
    parent = TerritoryFactory()
    TerritoryFactory.create_batch(n, parent=parent, kind=Territory.Kind.RURAL_SETTLEMENT, boundary=SQUARE)


def make_organisations(n):
    blocks = list(SectorBlock.objects.filter(code__in=["health", "social"]))
    parent = OrganisationFactory()
    for _ in range(n):
        OrganisationFactory(sector_blocks=blocks, parent=parent)


def make_persons(n):
    organisation, territory = OrganisationFactory(), TerritoryFactory()
    ResponsiblePersonFactory.create_batch(
        n, until=datetime.date(2025, 2, 1), organisation=organisation, territory=territory
    )


@pytest.mark.parametrize(
    ("endpoint", "make", "queries"),
    [
        ("sector-blocks", make_blocks, 2),  # COUNT + page
        ("territories", make_territories, 2),  # COUNT + page with parents joined
        ("organisations", make_organisations, 3),  # COUNT + page + sector blocks prefetched
        ("responsible-persons", make_persons, 2),  # COUNT + page with all relations joined
    ],
)
@pytest.mark.parametrize("rows", [3, 30])
def test_a_list_takes_a_fixed_number_of_queries(operator_api, django_assert_num_queries, endpoint, make, queries, rows):
    make(rows)

    with django_assert_num_queries(queries):
        response = operator_api.get(f"{API}/{endpoint}/")

    assert response.status_code == 200
    assert response.json()["count"] >= rows


# --- Garbage in, never a 500 ------------------------------------------------------------------

DEEP = "[" * 100_000 + "]" * 100_000
JUNK_VALUES = [
    None,
    True,
    -1,
    10**30,
    1.5,
    "",
    "я" * 100_000,
    "\x00",
    [],
    [1, {"a": [None]}],
    {"a": {"b": {"c": [1, 2, {"d": "e"}]}}},
    "2025-02-30",
    "99999-01-01",
    "abc",
]
RAW_BODIES = [
    ("application/json", b"{not json"),
    ("application/json", b"\xff\xfe\x00garbage"),
    ("application/json", DEEP.encode()),
    ("application/json", b"[1, 2, 3]"),
    ("application/json", b'"just a string"'),
    ("application/json", b"null"),
    ("application/json", b"NaN"),
    ("application/json", b'{"boundary": {"type": "Point", "coordinates": [1e999, 0]}}'),
    ("application/json", b'{"boundary": {"type": "Point", "\\u0000": "\\ud800"}}'),
    ("application/json", b'{"name": "\\ud800", "last_name": "\\udfff", "code": "\\ud800", "until": "\\ud800"}'),
    ("application/json", ('{"boundary": {"type": "Point", "coordinates": ' + "[" * 900 + "]" * 900 + "}}").encode()),
    ("application/x-www-form-urlencoded", b"name=%00&sector_blocks=nope&territory=1e30&&&=="),
    ("multipart/form-data; boundary=xyz", b"--xyz\r\nbroken"),
    ("text/plain", b"hello"),
]


def write_targets():
    """(method, url, a valid base payload, serializer fields) for every write endpoint."""
    region = RegionFactory()
    territory = TerritoryFactory()
    organisation = OrganisationFactory()
    person = ResponsiblePersonFactory()
    territory_fields = ["name", "kind", "parent", "oktmo", "population", "is_active", "boundary"]
    territory_base = {"name": "Район", "kind": "municipal_district", "parent": region.pk, "oktmo": "61999000"}
    org_fields = [*organisation_payload(), "parent", "address", "website", "is_active"]
    block_fields = ["code", "name", "description", "is_active", "position"]
    block_base = {"code": "garbage", "name": "Мусорный блок"}
    person_fields = [*appointment(), "organisation", "territory", "user", "email"]
    for method in ("post", "put", "patch"):
        yield method, f"{API}/sector-blocks/" + ("" if method == "post" else "transport/"), block_base, block_fields
        url = f"{API}/territories/" + ("" if method == "post" else f"{territory.pk}/")
        yield method, url, territory_base, territory_fields
        url = f"{API}/organisations/" + ("" if method == "post" else f"{organisation.pk}/")
        yield method, url, organisation_payload(inn="6200000000"), org_fields
    yield "post", f"{API}/responsible-persons/", appointment(since="2025-05-01"), person_fields
    yield "patch", f"{API}/responsible-persons/{person.pk}/", {}, person_fields
    yield "post", f"{API}/responsible-persons/{person.pk}/end/", {"until": "2025-12-31"}, ["until"]


def assert_handled(response):
    assert response.status_code < 500, response.content[:500]
    if response.status_code == 400:
        body = response.json()
        assert body and isinstance(body, dict | list)


def test_garbage_posted_to_every_write_endpoint_is_never_a_500(admin_api):
    for method, url, base, fields in write_targets():
        send = getattr(admin_api, method)
        for content_type, raw in RAW_BODIES:
            assert_handled(send(url, raw, content_type=content_type))
        for field in fields:
            for junk in JUNK_VALUES:
                assert_handled(send(url, {**base, field: junk}, format="json"))
        assert_handled(send(url, {**base, **dict.fromkeys(fields, {"nested": ["junk"]})}, format="json"))
        assert_handled(send(url, [base], format="json"))


@pytest.mark.parametrize(
    "url",
    [
        "sector-blocks/",
        "sector-blocks/no-such-block/",
        "territories/",
        "territories/99999999999999999999999/",
        "organisations/",
        "organisations/0/",
        "responsible-persons/",
        "responsible-persons/1/end/",
    ],
)
@pytest.mark.parametrize(
    "params",
    [
        {},
        {"page": "abc"},
        {"page": "99999"},
        {"ordering": "-nope,\x00"},
        {"kind": "nope", "parent": "1.5", "oktmo": "я" * 5000},
        {"territory": "99999999999999999999999", "sector_block": "\x00", "search": "\x00"},
        {"search": "я" * 5000, "is_active": "maybe"},
        {"role": "king", "current": "maybe", "territory": "-1"},
        {"include": "boundary,everything"},
    ],
)
def test_garbage_in_query_strings_and_urls_is_never_a_500(admin_api, url, params):
    assert_handled(admin_api.get(f"{API}/{url}", params))
