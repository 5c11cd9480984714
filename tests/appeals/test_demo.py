"""The demo appeals: every state, valid rows, coherent timelines, idempotent."""

from collections import Counter

import pytest
from django.db import transaction
from django.utils import timezone

from appeals.models import Appeal, AppealEvent, Incident
from cur.demo.appeals import seed_appeals_demo
from cur.demo.sectors import seed_sectors_demo
from sectors.models import Organisation

S = Appeal.Status
K = AppealEvent.Kind

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """Seeded once for the module inside a transaction that is rolled back at its end."""
    with django_db_blocker.unblock(), transaction.atomic():
        seed_sectors_demo()
        result = seed_appeals_demo(count=500)
        yield result
        transaction.set_rollback(True)


def test_the_demo_has_the_requested_number_of_appeals_in_every_status(demo):
    assert demo["appeals"] == Appeal.objects.count() == 500
    assert set(Appeal.objects.values_list("status", flat=True)) == set(S)


def test_some_open_appeals_are_overdue_and_some_were_answered_late(demo):
    now = timezone.now()
    overdue = Appeal.objects.filter(status__in=Appeal.CLOCK_STATUSES, due_at__lt=now, overdue_at__isnull=False)
    assert overdue.exists()
    late = [a for a in Appeal.objects.exclude(answered_at=None).exclude(due_at=None) if a.answered_at > a.due_at]
    assert late
    assert all(a.overdue_at is not None for a in late)


def test_every_demo_appeal_passes_full_validation(demo):
    for appeal in Appeal.objects.all():
        appeal.full_clean(validate_constraints=True)


def test_closed_appeals_have_a_quality_and_were_answered_before_closing(demo):
    closed = list(Appeal.objects.filter(status=S.CLOSED))
    assert closed
    for appeal in closed:
        assert appeal.answer_quality, appeal.number
        assert appeal.answer_text
        assert appeal.registered_at < appeal.answered_at <= appeal.closed_at, appeal.number
    satisfaction = Counter(a.satisfaction for a in closed)
    assert satisfaction[None] < len(closed)
    assert set(satisfaction) - {None} <= {1, 2, 3, 4, 5}


def test_deadlines_and_times_are_in_order(demo):
    now = timezone.now()
    for appeal in Appeal.objects.all():
        assert appeal.received_at <= appeal.registered_at <= now
        if appeal.due_at is not None:
            assert appeal.due_at > appeal.registered_at, appeal.number
        if appeal.status in Appeal.CLOCK_STATUSES and appeal.status != S.REOPENED:
            assert appeal.due_at is not None and appeal.organisation_id is not None, appeal.number
        if appeal.status == S.REJECTED:
            assert appeal.reject_reason and appeal.closed_at


def test_every_timeline_is_a_chain_of_statuses_ending_in_the_appeals_status(demo):
    events = AppealEvent.objects.order_by("appeal_id", "created_at", "id").values(
        "appeal_id", "kind", "from_status", "to_status", "created_at"
    )
    timelines = {}
    for event in events:
        timelines.setdefault(event["appeal_id"], []).append(event)
    appeals = {a.pk: a for a in Appeal.objects.all()}
    assert set(timelines) == set(appeals)
    now = timezone.now()
    for pk, timeline in timelines.items():
        appeal = appeals[pk]
        assert timeline[0]["kind"] == K.REGISTERED
        assert timeline[0]["created_at"] == appeal.registered_at
        assert timeline[-1]["created_at"] <= now
        status = S.NEW
        for event in timeline:
            if event["from_status"] or event["to_status"]:
                assert event["from_status"] == status, (appeal.number, event)
                status = event["to_status"]
        assert status == appeal.status, appeal.number


def test_new_appeals_wait_in_triage_with_a_classifier_suggestion(demo):
    new = list(Appeal.objects.filter(status=S.NEW))
    assert new
    for appeal in new:
        assert appeal.suggested_topic_id and appeal.suggested_sector_block_id
        assert 0 < appeal.confidence < 0.8
        assert appeal.organisation_id is None


def test_executors_are_of_the_appeals_block_or_its_ministry(demo):
    appeals = Appeal.objects.exclude(organisation=None).select_related("organisation")
    blocks = {
        o.pk: {b.pk for b in o.sector_blocks.all()} for o in Organisation.objects.prefetch_related("sector_blocks")
    }
    for appeal in appeals:
        organisation = appeal.organisation
        assert (
            appeal.sector_block_id in blocks[organisation.pk] or organisation.kind == Organisation.Kind.REGIONAL_BODY
        ), (appeal.number, str(organisation))


def test_rjazan_gets_the_most_appeals(demo):
    territories = Counter(Appeal.objects.exclude(territory=None).values_list("territory__name", flat=True))
    assert territories.most_common(1)[0][0] == "Рязань"


def test_incidents_group_a_few_appeals_and_repeats_reopen_their_originals(demo):
    incidents = Incident.objects.all()
    assert incidents.count() >= 2
    for incident in incidents:
        assert 3 <= incident.appeals.count() <= 10
    repeats = Appeal.objects.exclude(repeat_of=None).exclude(status=S.REJECTED)
    assert repeats.exists()
    for repeat in repeats.select_related("repeat_of"):
        assert repeat.repeat_of.registered_at < repeat.registered_at
        assert repeat.repeat_of.events.filter(kind=K.REOPENED, comment__contains=repeat.number).exists()
    duplicates = Appeal.objects.filter(reject_reason=Appeal.RejectReason.DUPLICATE)
    assert all(d.repeat_of_id for d in duplicates)


def test_a_second_run_creates_nothing(demo):
    appeals, events = Appeal.objects.count(), AppealEvent.objects.count()

    again = seed_appeals_demo(count=500)

    assert again["appeals"] == 0
    assert (Appeal.objects.count(), AppealEvent.objects.count()) == (appeals, events)
