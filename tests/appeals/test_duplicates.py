"""Near-duplicates are linked for the operator; N similar appeals in one territory within a day
become an incident, and later similar appeals join it."""

import datetime

import pytest
from django.utils import timezone

from appeals.classification import duplicates
from appeals.models import Appeal, AppealEvent, Incident
from tests.factories import RegionFactory, TerritoryFactory

from .factories import AppealFactory

pytestmark = pytest.mark.django_db

K = AppealEvent.Kind
NOW = timezone.now()
PIPE = "На улице Ленина у дома 5 прорвало трубу, вода течёт по дороге, нет холодной воды"
PIPE_VARIANTS = [
    PIPE,
    PIPE + ", помогите",
    PIPE + ", уже второй час",
    PIPE + ", дети без воды",
    PIPE + ", просим срочно устранить",
    PIPE + ", когда починят",
    PIPE + ", аварийная служба не едет",
]
OTHER = "В поликлинике огромная очередь к терапевту, талонов нет, записаться невозможно"


@pytest.fixture
def district():
    return TerritoryFactory(name="Шацкий район", oktmo="61656000", parent=RegionFactory())


def appeal(text: str, *, hours_ago: float = 0, **fields) -> Appeal:
    at = NOW - datetime.timedelta(hours=hours_ago)
    return AppealFactory(text=text, received_at=at, registered_at=at, **fields)


def test_a_similar_earlier_appeal_in_the_same_territory_is_linked_as_a_possible_duplicate(district):
    first = appeal(PIPE, hours_ago=5, territory=district)
    unrelated = appeal(OTHER, hours_ago=4, territory=district)
    second = appeal(PIPE_VARIANTS[1], territory=district)

    counts = duplicates.process_new_appeals([second.pk])

    second.refresh_from_db()
    assert counts["duplicates"] == 1
    assert second.similar_to == first
    assert 0.6 <= second.similarity <= 1
    event = AppealEvent.objects.get(appeal=second, kind=K.CLASSIFIED)
    assert event.changes["similar_to"] == [None, first.pk]
    assert f"№ {first.number}" in event.comment
    unrelated.refresh_from_db()
    assert unrelated.similar_to is None


def test_the_earlier_appeal_does_not_point_to_the_later_one(district):
    first = appeal(PIPE, hours_ago=5, territory=district)
    second = appeal(PIPE_VARIANTS[1], territory=district)

    duplicates.process_new_appeals([first.pk, second.pk])

    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.similar_to, second.similar_to) == (None, first)


def test_another_territory_another_text_or_an_old_appeal_is_not_a_duplicate(district):
    elsewhere = TerritoryFactory(name="Касимов", oktmo="61705000", parent=district.parent)
    appeal(PIPE, hours_ago=2, territory=elsewhere)
    appeal(PIPE, hours_ago=24 * 30, territory=district)  # outside the 14-day window
    appeal(OTHER, hours_ago=1, territory=district)
    new = appeal(PIPE_VARIANTS[2], territory=district)

    assert duplicates.process_new_appeals([new.pk])["duplicates"] == 0
    new.refresh_from_db()
    assert new.similar_to is None


def test_an_appeal_waiting_in_triage_is_compared_by_its_suggested_territory(district):
    first = appeal(PIPE, hours_ago=3, territory=None, suggested_territory=district, sector_block=None, topic=None)
    second = appeal(PIPE_VARIANTS[3], territory=None, suggested_territory=district, sector_block=None, topic=None)

    duplicates.process_new_appeals([second.pk])

    second.refresh_from_db()
    assert second.similar_to == first


def test_without_a_territory_the_same_address_is_compared():
    address = "ул. Ленина, д. 5"
    first = appeal(PIPE, hours_ago=3, territory=None, address=address)
    appeal(PIPE, hours_ago=2, territory=None, address="ул. Есенина, д. 1")
    second = appeal(PIPE_VARIANTS[4], territory=None, address=address)

    duplicates.process_new_appeals([second.pk])

    second.refresh_from_db()
    assert second.similar_to == first


def test_processing_twice_changes_nothing(district):
    appeal(PIPE, hours_ago=3, territory=district)
    second = appeal(PIPE_VARIANTS[1], territory=district)
    duplicates.process_new_appeals([second.pk])
    events = AppealEvent.objects.count()

    assert duplicates.process_new_appeals([second.pk]) == {"duplicates": 0, "incidents": 0, "joined": 0}
    assert AppealEvent.objects.count() == events


def test_five_similar_appeals_in_one_territory_within_a_day_become_an_incident(district):
    appeal(OTHER, hours_ago=1, territory=district)
    batch = [appeal(text, hours_ago=10 - i, territory=district) for i, text in enumerate(PIPE_VARIANTS[:5])]

    counts = duplicates.process_new_appeals([a.pk for a in batch])

    assert counts["incidents"] == 1
    incident = Incident.objects.get()
    assert set(incident.appeals.values_list("pk", flat=True)) == {a.pk for a in batch}
    assert incident.territory == district
    assert incident.sector_block.code == "waste"  # the appeals' block (the factory's)
    assert incident.created_by is None
    assert "Шацкий район" in incident.title
    assert AppealEvent.objects.filter(kind=K.INCIDENT_LINKED, appeal__in=batch).count() == 5

    # A later similar appeal joins the incident instead of opening another.
    later = appeal(PIPE_VARIANTS[5], territory=district)
    counts = duplicates.process_new_appeals([later.pk])

    later.refresh_from_db()
    assert (counts["incidents"], counts["joined"]) == (0, 1)
    assert later.incident == incident
    assert Incident.objects.count() == 1


def test_four_similar_appeals_or_five_spread_over_days_are_no_incident(district):
    four = [appeal(text, hours_ago=i, territory=district) for i, text in enumerate(PIPE_VARIANTS[:4])]
    duplicates.process_new_appeals([a.pk for a in four])
    assert not Incident.objects.exists()

    other = TerritoryFactory(name="Касимов", oktmo="61705000", parent=district.parent)
    spread = [appeal(text, hours_ago=30 * i, territory=other) for i, text in enumerate(PIPE_VARIANTS[:5])]
    duplicates.process_new_appeals([a.pk for a in spread])
    assert not Incident.objects.exists()


def test_closed_appeals_do_not_form_an_incident(district):
    batch = [
        appeal(text, hours_ago=i, territory=district, status=Appeal.Status.CLOSED, closed_at=NOW)
        for i, text in enumerate(PIPE_VARIANTS[:5])
    ]
    duplicates.process_new_appeals([a.pk for a in batch])
    assert not Incident.objects.exists()


def test_the_candidate_set_is_bounded(district, settings):
    settings.DUPLICATES_MAX_CANDIDATES = 3
    for i in range(6):
        appeal(OTHER + f" {i}", hours_ago=1 + i, territory=district)
    new = appeal(PIPE, territory=district)
    rows = duplicates._rows(Appeal.objects.filter(pk=new.pk))

    candidates = duplicates._candidates(("territory", district.pk), rows)

    # The three most recent appeals of the territory, the new one among them.
    assert [c.text for c in candidates] == [PIPE, OTHER + " 0", OTHER + " 1"]


def test_similarity_of_texts_is_a_cosine_of_lemmas():
    sims = duplicates.similarities([PIPE], [PIPE_VARIANTS[1], OTHER, "", "😀"])
    assert sims[0][0] > 0.8
    assert sims[0][1] < 0.2
    assert sims[0][2] == sims[0][3] == 0
    assert duplicates.similarities(["", "😀"], ["!!!"]).tolist() == [[0.0], [0.0]]
