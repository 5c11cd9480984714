"""The appeals admin: every page opens; appeals are read-only but for the problem's location."""

import pytest
from django.urls import reverse

from appeals.models import Appeal, AppealEvent, AppealImport, DeadlineNotice, DeadlineRule, IntegrationSource, Topic
from cur.models import AuditEvent

from .factories import IncidentFactory, appeal_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client_(client_for, admin_user):
    return client_for(admin_user)


@pytest.fixture
def rows():
    appeal = appeal_in(Appeal.Status.NEW, incident=IncidentFactory())
    AppealEvent.objects.create(appeal=appeal, kind=AppealEvent.Kind.REGISTERED, comment="Зарегистрировано")
    return {
        "appeal": appeal,
        "incident": appeal.incident,
        "topic": Topic.objects.first(),
        "topicgroup": Topic.objects.first().group,
        "deadlinerule": DeadlineRule.objects.create(name="Дороги — 10 рабочих дней", days=10, day_kind="working"),
        "integrationsource": IntegrationSource.objects.create(name="ПОС", channel="pos", key_hash="0" * 64),
        "appealimport": AppealImport.objects.create(
            original_name="pos.csv", format="pos", channel="pos", file="imports/pos.csv"
        ),  # fmt: skip
        "deadlinenotice": DeadlineNotice.objects.create(
            appeal=appeal, kind="reminder", level=3, due_at=appeal.received_at
        ),
    }


@pytest.mark.parametrize(
    "model",
    [
        "appeal",
        "incident",
        "topic",
        "topicgroup",
        "deadlinerule",
        "integrationsource",
        "appealimport",
        "deadlinenotice",
    ],
)
def test_every_appeals_admin_page_opens(admin_client_, rows, model):
    obj = rows[model]
    assert admin_client_.get(reverse(f"admin:appeals_{model}_changelist")).status_code == 200
    assert admin_client_.get(reverse(f"admin:appeals_{model}_change", args=[obj.pk])).status_code == 200


def test_an_appeal_is_found_by_its_number(admin_client_, rows):
    appeal = rows["appeal"]
    other = appeal_in(Appeal.Status.NEW)

    response = admin_client_.get(reverse("admin:appeals_appeal_changelist"), {"q": appeal.number})

    assert list(response.context["cl"].result_list) == [appeal]
    assert other not in response.context["cl"].result_list


def test_an_appeal_cannot_be_added_or_deleted_and_only_its_location_is_editable(admin_client_, rows):
    appeal = rows["appeal"]
    assert admin_client_.get(reverse("admin:appeals_appeal_add")).status_code == 403
    assert admin_client_.get(reverse("admin:appeals_appeal_delete", args=[appeal.pk])).status_code == 403

    response = admin_client_.post(
        reverse("admin:appeals_appeal_change", args=[appeal.pk]),
        {"address": "г. Рязань, ул. Гагарина, д. 12", "latitude": "54.6200", "longitude": "39.7400",
         "status": "closed", "text": "Подмена текста",
         "events-TOTAL_FORMS": "1", "events-INITIAL_FORMS": "1", "events-MIN_NUM_FORMS": "0",
         "events-MAX_NUM_FORMS": "0"},
    )  # fmt: skip

    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    appeal.refresh_from_db()
    assert appeal.address == "г. Рязань, ул. Гагарина, д. 12"
    assert (appeal.status, appeal.text) == (Appeal.Status.NEW, rows["appeal"].text)
    assert AuditEvent.objects.get(action="appeal.admin_edit").changes["address"] == appeal.address


def test_opening_an_appeal_in_the_admin_logs_the_personal_data_view(admin_client_, admin_user, rows):
    appeal = rows["appeal"]
    admin_client_.get(reverse("admin:appeals_appeal_change", args=[appeal.pk]))
    event = AppealEvent.objects.get(appeal=appeal, kind=AppealEvent.Kind.PERSONAL_DATA_VIEWED)
    assert event.actor == admin_user


def test_the_incident_status_changes_through_the_audited_action(admin_client_, rows):
    incident = rows["incident"]

    admin_client_.post(
        reverse("admin:appeals_incident_changelist"),
        {"action": "set_status_resolved", "_selected_action": [incident.pk]},
    )

    incident.refresh_from_db()
    assert incident.status == "resolved"
    assert AuditEvent.objects.filter(action="incident.status", object_id=str(incident.pk)).exists()
