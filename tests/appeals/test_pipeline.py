"""The classification pipeline: an appeal is classified after registration, routed by the routing
rules when the model is confident, left in triage with the suggestion when it is not; garbage never
crashes it; a second run changes nothing; the sweep re-queues what a lost task left."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from appeals import services
from appeals.classification import Example, confirmed_examples, pipeline
from appeals.intake.bulk import CHUNK_SIZE, register_appeals_bulk
from appeals.models import Appeal, AppealEvent, ClassifierVersion, RoutingRule, Topic
from cur.roles import Role
from sectors.models import SectorBlock
from tests.factories import OrganisationFactory, TerritoryFactory

from .pipeline_helpers import (
    EXAMPLES,
    GARBAGE_TEXTS,
    HOT_WATER,
    HOUSING,
    HOUSING_TEXT,
    POTHOLES,
    ROADS,
    ROADS_TEXT,
    register,
    ryazan_territories,
    train_model,
)

pytestmark = pytest.mark.django_db

S = Appeal.Status
K = AppealEvent.Kind


@pytest.fixture
def model():
    return train_model()


@pytest.fixture
def places():
    return ryazan_territories()


@pytest.fixture
def sent(monkeypatch):
    """Tasks sent to the broker, captured instead of sent."""
    calls = []

    def fake_send(task, *args, **kwargs):
        calls.append((getattr(task, "name", task), args))
        return True

    monkeypatch.setattr("cur.queue.send", fake_send)
    monkeypatch.setattr("appeals.classification.pipeline.send", fake_send)
    monkeypatch.setattr("appeals.classification.views.send", fake_send)
    return calls


def block(code: str) -> SectorBlock:
    return SectorBlock.objects.get(code=code)


def rule(code: str, territory=None, **kwargs) -> RoutingRule:
    organisation = kwargs.pop("organisation", None) or OrganisationFactory()
    return RoutingRule.objects.create(sector_block=block(code), territory=territory, organisation=organisation)


# --- confident: classified and routed -----------------------------------------------------------


def test_a_confident_appeal_gets_block_topic_territory_and_goes_by_the_territorys_own_rule(model, places):
    regional = rule(ROADS)
    local = rule(ROADS, places["shatsk"])
    appeal = register(ROADS_TEXT, address="Шацкий р-н, г. Шацк, ул. Красная, 3")

    counts = pipeline.classify_appeals([appeal.pk])

    appeal.refresh_from_db()
    assert counts["classified"] == counts["routed"] == 1
    assert appeal.confidence >= pipeline.auto_route_threshold()
    assert (appeal.suggested_sector_block.code, appeal.sector_block.code) == (ROADS, ROADS)
    assert appeal.topic.code == appeal.suggested_topic.code == POTHOLES
    assert appeal.territory == appeal.suggested_territory == places["shatsk"]
    assert appeal.classification_source == Appeal.ClassificationSource.AUTO
    assert appeal.model_version == model.version
    assert appeal.classified_at is not None
    assert (appeal.status, appeal.organisation) == (S.ASSIGNED, local.organisation)
    assert appeal.organisation != regional.organisation
    assert appeal.due_at is not None  # assignment started the clock
    kinds = list(appeal.events.values_list("kind", "actor"))
    assert kinds == [(K.REGISTERED, None), (K.CLASSIFIED, None), (K.ASSIGNED, None)]
    classified = appeal.events.get(kind=K.CLASSIFIED)
    assert classified.changes["sector_block"] == [None, block(ROADS).pk]


def test_without_a_territory_rule_the_parents_and_then_the_regional_rule_route(model, places):
    village = TerritoryFactory(name="Елатьма", oktmo="61608101", parent=places["kasimov_district"])
    parent_rule = rule(ROADS, places["kasimov_district"])
    regional = rule(ROADS)
    in_village = register(ROADS_TEXT, address="Касимовский р-н")
    in_village.territory = village  # an operator's territory is kept
    in_village.save()
    in_ryazan = register(ROADS_TEXT, address="г. Рязань, ул. Есенина, 1")

    pipeline.classify_appeals([in_village.pk, in_ryazan.pk])

    in_village.refresh_from_db()
    in_ryazan.refresh_from_db()
    assert in_village.territory == village
    assert in_village.organisation == parent_rule.organisation
    assert (in_ryazan.territory, in_ryazan.organisation) == (places["ryazan"], regional.organisation)


def test_a_confident_appeal_without_a_matching_rule_waits_in_triage_with_its_classification(model, places):
    rule(HOUSING)  # another block's rule
    inactive = rule(ROADS, organisation=OrganisationFactory(is_active=False))
    appeal = register(ROADS_TEXT, address="г. Шацк")

    counts = pipeline.classify_appeals([appeal.pk])

    appeal.refresh_from_db()
    assert (counts["routed"], counts["queued"]) == (0, 1)
    assert (appeal.status, appeal.organisation) == (S.NEW, None)
    assert appeal.sector_block.code == ROADS
    assert inactive.organisation != appeal.organisation


# --- not confident: the suggestion waits for the operator ------------------------------------


def test_an_unconfident_appeal_waits_in_triage_with_the_suggestion(model, places, settings):
    settings.CLASSIFIER_AUTO_ROUTE_THRESHOLD = 1.01  # nothing is confident enough
    rule(ROADS)
    appeal = register(ROADS_TEXT, address="г. Шацк")

    counts = pipeline.classify_appeals([appeal.pk])

    appeal.refresh_from_db()
    assert (counts["classified"], counts["queued"], counts["routed"]) == (1, 1, 0)
    assert (appeal.status, appeal.organisation) == (S.NEW, None)
    assert appeal.suggested_sector_block.code == ROADS
    assert appeal.suggested_territory == places["shatsk"]
    assert (appeal.sector_block, appeal.topic, appeal.territory) == (None, None, None)
    assert appeal.classified_at is not None
    assert "ждёт оператора" in appeal.events.get(kind=K.CLASSIFIED).comment


@pytest.mark.parametrize("kind", list(GARBAGE_TEXTS))
def test_garbage_never_crashes_and_ends_in_triage_with_low_confidence(model, kind):
    rule(ROADS)
    appeal = Appeal.objects.create(
        channel=Appeal.Channel.WEB, text=GARBAGE_TEXTS[kind], received_at=timezone.now(), registered_at=timezone.now()
    )

    counts = pipeline.classify_appeals([appeal.pk])

    appeal.refresh_from_db()
    assert counts["classified"] == 1
    assert appeal.confidence < pipeline.auto_route_threshold()
    assert (appeal.status, appeal.sector_block, appeal.organisation) == (S.NEW, None, None)
    assert appeal.classified_at is not None and appeal.model_version == model.version


def test_a_model_failing_on_one_text_fails_only_that_text(model, monkeypatch):
    from appeals.classification import predict as real_predict

    def flaky(texts):
        if any("сломай" in t for t in texts):
            raise ValueError("boom")
        return real_predict(texts)

    monkeypatch.setattr("appeals.classification.predict", flaky)
    good = register(ROADS_TEXT)
    bad = register("Яма на дороге, сломай классификатор")

    counts = pipeline.classify_appeals([good.pk, bad.pk])

    good.refresh_from_db()
    bad.refresh_from_db()
    assert counts["classified"] == 2
    assert good.suggested_sector_block.code == ROADS
    assert (bad.suggested_sector_block, bad.confidence, bad.status) == (None, 0.0, S.NEW)


# --- idempotency and manual classification ------------------------------------------------------


def test_classifying_twice_changes_nothing_the_second_time(model, places):
    rule(ROADS)
    appeals = [register(ROADS_TEXT, address="г. Шацк"), register(HOUSING_TEXT)]
    ids = [a.pk for a in appeals]
    pipeline.classify_appeals(ids)
    before = list(Appeal.objects.filter(pk__in=ids).order_by("pk").values())
    events = AppealEvent.objects.count()

    counts = pipeline.classify_appeals(ids)

    assert (counts["classified"], counts["skipped"]) == (0, 2)
    assert list(Appeal.objects.filter(pk__in=ids).order_by("pk").values()) == before
    assert AppealEvent.objects.count() == events


def test_an_operators_classification_is_never_overwritten(model, operator):
    topic = Topic.objects.get(code=HOT_WATER)
    manual = register(ROADS_TEXT, topic=topic)  # classified at registration
    corrected = register(ROADS_TEXT)
    services.set_classification(corrected, by=operator, topic=topic)

    counts = pipeline.classify_appeals([manual.pk, corrected.pk])

    assert counts["classified"] == 0
    for appeal in (manual, corrected):
        appeal.refresh_from_db()
        assert (appeal.sector_block.code, appeal.classification_source) == (HOUSING, "manual")
        assert appeal.suggested_sector_block is None
        assert not appeal.events.filter(kind=K.CLASSIFIED).exists()


def test_an_operators_correction_becomes_a_training_label(model, operator):
    appeal = register(ROADS_TEXT)
    pipeline.classify_appeals([appeal.pk])
    appeal.refresh_from_db()
    assert appeal.suggested_sector_block.code == ROADS

    services.set_classification(appeal, by=operator, topic=Topic.objects.get(code=HOT_WATER))

    assert Example(ROADS_TEXT, HOUSING, HOT_WATER) in confirmed_examples()


def test_without_an_active_model_nothing_is_classified_and_nothing_requeued(sent):
    appeal = register(ROADS_TEXT)
    Appeal.objects.filter(pk=appeal.pk).update(registered_at=timezone.now() - datetime.timedelta(hours=1))

    assert pipeline.classify_appeals([appeal.pk])["classified"] == 0
    assert Appeal.objects.get(pk=appeal.pk).classified_at is None
    assert pipeline.requeue_unclassified() == 0
    assert sent == []


# --- queueing: registration, import, the sweep ---------------------------------------------------


def test_registration_queues_classification_on_commit_unless_classified_by_hand(
    sent, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        plain = register(ROADS_TEXT)
        register(ROADS_TEXT, sector_block=block(ROADS))

    assert sent == [("appeals.tasks.classify_appeals", ([plain.pk],))]


def test_an_import_queues_one_task_per_chunk_of_unclassified_rows(sent, django_capture_on_commit_callbacks):
    rows = [{"external_id": f"imp-{i}", "text": f"{ROADS_TEXT} {i}"} for i in range(CHUNK_SIZE + 5)]
    rows.append({"external_id": "imp-manual", "text": HOUSING_TEXT, "sector_block_id": block(HOUSING).pk})

    with django_capture_on_commit_callbacks(execute=True):
        created, _ = register_appeals_bulk(rows, by=None, channel=Appeal.Channel.POS)

    classify = [args[0] for name, args in sent if name == "appeals.tasks.classify_appeals"]
    assert [len(chunk) for chunk in classify] == [CHUNK_SIZE, 5]
    manual = Appeal.objects.get(external_id="imp-manual").pk
    assert sorted(i for chunk in classify for i in chunk) == sorted(set(created) - {manual})


def test_the_sweep_requeues_appeals_a_lost_task_left_unclassified(model, sent):
    lost = [register(f"{ROADS_TEXT} {i}") for i in range(3)]
    fresh = register(ROADS_TEXT)
    done = register(HOUSING_TEXT)
    pipeline.classify_appeals([done.pk])
    long_ago = timezone.now() - datetime.timedelta(minutes=30)
    Appeal.objects.filter(pk__in=[a.pk for a in lost] + [done.pk]).update(registered_at=long_ago)

    assert pipeline.requeue_unclassified(older_than_minutes=10, limit=2) == 2
    # The lost three share one registered_at: the sweep breaks the tie by id, oldest first.
    assert sent[-1] == ("appeals.tasks.classify_appeals", (sorted(a.pk for a in lost)[:2],))
    assert pipeline.requeue_unclassified(older_than_minutes=10) == 3

    assert sent[-1] == ("appeals.tasks.classify_appeals", (sorted(a.pk for a in lost),))
    assert fresh.pk not in sent[-1][1][0]
    pipeline.classify_appeals(sent[-1][1][0])
    assert pipeline.requeue_unclassified() == 0


# --- the classifier page and the routing rules admin -------------------------------------------


def test_an_admin_sees_the_versions_activates_and_rolls_back_and_queues_retraining(model, admin_user, client_for, sent):
    from appeals.classification import train_version

    newer = train_version(list(EXAMPLES), source="test", by=admin_user)
    client = client_for(admin_user)

    page = client.get(reverse("appeals:classifier")).content.decode()
    assert model.version in page and newer.version in page
    assert "Переобучить классификатор" in page and "активна" in page

    response = client.post(reverse("appeals:classifier-activate", args=[newer.pk]))
    assert response.status_code == 302
    assert ClassifierVersion.objects.get(is_active=True) == newer
    page = client.get(reverse("appeals:classifier")).content.decode()
    assert "Откатить на эту версию" in page  # the older version

    client.post(reverse("appeals:classifier-activate", args=[model.pk]))
    assert ClassifierVersion.objects.get(is_active=True) == model

    client.post(reverse("appeals:classifier-retrain"))
    assert sent == [("appeals.tasks.retrain_classifier", (admin_user.pk,))]


@pytest.mark.parametrize("role", [Role.OPERATOR, Role.CURATOR])
def test_the_classifier_page_is_for_admins_only(make_user, client_for, role):
    client = client_for(make_user(role))
    assert client.get(reverse("appeals:classifier")).status_code == 403
    assert client.post(reverse("appeals:classifier-retrain")).status_code == 403


def test_routing_rules_are_edited_in_the_admin(admin_user, client_for, places):
    organisation = OrganisationFactory()
    client = client_for(admin_user)
    url = reverse("admin:appeals_routingrule_add")

    response = client.post(
        url,
        {"sector_block": block(ROADS).pk, "territory": places["shatsk"].pk, "organisation": organisation.pk,
         "is_active": "on"},
    )  # fmt: skip

    assert response.status_code == 302, response.content.decode()[:2000]
    assert RoutingRule.objects.get().organisation == organisation
    listing = client.get(reverse("admin:appeals_routingrule_changelist")).content.decode()
    assert "Шацкий район" in listing
    # A second active rule for the same block and territory is refused.
    response = client.post(
        url,
        {"sector_block": block(ROADS).pk, "territory": places["shatsk"].pk, "organisation": organisation.pk,
         "is_active": "on"},
    )  # fmt: skip
    assert response.status_code == 200
    assert RoutingRule.objects.count() == 1
