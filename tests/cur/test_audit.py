from cur import audit
from cur.models import AuditEvent
from sectors import services
from tests.factories import TerritoryFactory


def test_a_service_write_records_who_what_and_the_changes(admin_user):
    territory = TerritoryFactory(name="Шацкий район")

    services.save_territory(territory, by=admin_user, name="Шацкий муниципальный район")

    event = AuditEvent.objects.get(action="territory.update")
    assert event.actor == admin_user
    assert event.object_type == "sectors.territory"
    assert event.object_id == str(territory.pk)
    assert event.changes == {"name": ["Шацкий район", "Шацкий муниципальный район"]}


def test_a_write_that_changes_nothing_records_nothing(admin_user):
    territory = TerritoryFactory(name="Шацкий район")
    services.save_territory(territory, by=admin_user, name="Шацкий район")
    assert not AuditEvent.objects.filter(action="territory.update").exists()


def test_the_request_ip_is_recorded_when_a_request_is_in_flight(admin_user):
    territory = TerritoryFactory()
    token = audit.request_ip.set("10.1.2.3")
    try:
        services.save_territory(territory, by=admin_user, name="Новое имя")
    finally:
        audit.request_ip.reset(token)
    assert AuditEvent.objects.get(action="territory.update").ip_address == "10.1.2.3"


def test_an_admin_site_edit_lands_in_the_audit_log_with_the_ip(admin_user, client_for):
    territory = TerritoryFactory(name="Сасовский район")
    client = client_for(admin_user)

    response = client.post(f"/admin/sectors/territory/{territory.pk}/delete/", {"post": "yes"}, REMOTE_ADDR="10.9.8.7")

    assert response.status_code == 302
    event = AuditEvent.objects.get(action="admin.delete")
    assert event.actor == admin_user
    assert (event.object_type, event.object_id, event.object_repr) == (
        "sectors.territory",
        str(territory.pk),
        "Сасовский район",
    )
    assert event.ip_address == "10.9.8.7"
