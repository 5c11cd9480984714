"""Deadline arithmetic: calendar days and working days of the Russian production calendar,
which rule applies, and how a pause and an extension move the due date."""

import datetime

import pytest
from django.utils import timezone

from appeals import services
from appeals.errors import AppealsError, TransitionNotAllowed
from appeals.models import Appeal, AppealEvent, DeadlineRule, Topic
from appeals.workflow.deadlines import ACCELERATED_DAYS, MOSCOW, add_days, is_working_day
from cur.roles import Role
from sectors.models import SectorBlock
from tests.factories import OrganisationFactory

from .sweep_factories import RunningAppealFactory, at, end_of_day

D = datetime.date
S = Appeal.Status
K = AppealEvent.Kind
UTC = datetime.UTC


def registered(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=MOSCOW)


def moments(values: list[str]) -> list[datetime.datetime]:
    """Before/after of an event's change, as datetimes (the offset they were written with varies)."""
    return [datetime.datetime.fromisoformat(v) for v in values]


def test_the_bulk_registrations_deadline_cache_counts_moscow_days(db):
    from appeals.workflow.policy import DeadlinePolicy

    due = DeadlinePolicy()
    # One UTC day, two Moscow days: 20:30 UTC is 23:30 in Moscow, 21:30 UTC already 00:30 of the next.
    evening = datetime.datetime(2026, 1, 15, 20, 30, tzinfo=UTC)
    after_midnight = datetime.datetime(2026, 1, 15, 21, 30, tzinfo=UTC)
    assert due.due_at("pos", None, None, evening) == end_of_day(D(2026, 2, 14))
    assert due.due_at("pos", None, None, after_midnight) == end_of_day(D(2026, 2, 15))


# --- calendar days -----------------------------------------------------------------------------


def test_the_accelerated_mechanism_is_30_calendar_days_counted_from_the_day_after_registration():
    assert ACCELERATED_DAYS == 30
    assert add_days(registered(D(2026, 1, 15)), 30, working=False) == end_of_day(D(2026, 2, 14))


@pytest.mark.parametrize(
    ("start", "days", "due"),
    [
        (D(2026, 1, 31), 30, D(2026, 3, 2)),  # through a 28-day February
        (D(2028, 1, 31), 30, D(2028, 3, 1)),  # through a leap February
        (D(2025, 12, 15), 30, D(2026, 1, 14)),  # into the next year, holidays count
        (D(2026, 3, 31), 30, D(2026, 4, 30)),
        (D(2026, 4, 30), 1, D(2026, 5, 1)),  # a holiday is a calendar day like any other
    ],
)
def test_calendar_days_cross_month_and_year_ends(start, days, due):
    assert add_days(registered(start), days, working=False) == end_of_day(due)


def test_the_registration_day_is_the_moscow_date_not_the_utc_one():
    # 21:30 UTC on 31 January is already 00:30 on 1 February in Moscow
    start = datetime.datetime(2026, 1, 31, 21, 30, tzinfo=UTC)
    assert add_days(start, 30, working=False) == end_of_day(D(2026, 3, 3))


@pytest.mark.parametrize("working", [False, True])
def test_the_due_moment_is_the_end_of_the_day_in_moscow(working):
    due = add_days(registered(D(2026, 2, 2), hour=3), 10, working=working)

    assert due.utcoffset() == datetime.timedelta(hours=3)
    assert due.astimezone(MOSCOW).time() == datetime.time(23, 59, 59)
    assert due.astimezone(UTC).time() == datetime.time(20, 59, 59)


# --- working days ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "days", "due"),
    [
        # New Year 2026: 31.12.2025 is a day off (moved from 04.01.2025), 01–11.01.2026 off.
        (D(2025, 12, 29), 5, D(2026, 1, 15)),
        (D(2025, 12, 30), 1, D(2026, 1, 12)),
        (D(2025, 12, 26), 1, D(2025, 12, 29)),  # Friday → Monday
        (D(2026, 1, 3), 1, D(2026, 1, 12)),  # registered on a holiday
        # May 2025: 01–04.05 and 08–11.05 off, 05–07.05 working.
        (D(2025, 4, 30), 3, D(2025, 5, 7)),
        (D(2025, 4, 30), 4, D(2025, 5, 12)),
        # May 2026: 01–03.05 and 09–11.05 off (09.05 falls on Saturday and moves to Monday 11.05).
        (D(2026, 4, 30), 1, D(2026, 5, 4)),
        (D(2026, 5, 8), 1, D(2026, 5, 12)),
        (D(2026, 4, 30), 6, D(2026, 5, 12)),
        # Saturday 01.11.2025 is a working day (moved to Monday 03.11), 03–04.11 off.
        (D(2025, 10, 31), 1, D(2025, 11, 1)),
        (D(2025, 10, 31), 2, D(2025, 11, 5)),
    ],
)
def test_working_days_follow_the_production_calendar(start, days, due):
    assert add_days(registered(start), days, working=True) == end_of_day(due)


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (D(2025, 11, 1), True),  # a working Saturday
        (D(2025, 11, 8), False),  # an ordinary Saturday
        (D(2025, 11, 4), False),  # Day of National Unity
        (D(2025, 12, 31), False),
        (D(2026, 1, 9), False),  # moved from Saturday 03.01.2026
        (D(2026, 1, 12), True),
        (D(2026, 5, 11), False),
        (D(2026, 5, 8), True),
    ],
)
def test_the_production_calendar_knows_transferred_days(day, working):
    assert is_working_day(day) is working


# --- which rule applies --------------------------------------------------------------------------------


@pytest.fixture
def health_topics(db) -> tuple[Topic, Topic]:
    first, second = Topic.objects.filter(sector_block__code="health").order_by("code")[:2]
    return first, second


@pytest.fixture
def rules(health_topics):
    topic, _ = health_topics
    health = SectorBlock.objects.get(code="health")
    return {
        "channel": DeadlineRule.objects.create(name="Письма", channel=Appeal.Channel.LETTER, days=20),
        "sector": DeadlineRule.objects.create(
            name="Здравоохранение", sector_block=health, days=10, day_kind=DeadlineRule.DayKind.WORKING
        ),
        "topic": DeadlineRule.objects.create(name="Тема", topic=topic, days=5),
        "inactive": DeadlineRule.objects.create(name="Отменено", topic=topic, days=1, is_active=False),
    }


def appeal_about(channel=Appeal.Channel.LETTER, block="health", topic=None) -> Appeal:
    return Appeal(channel=channel, sector_block=SectorBlock.objects.get(code=block), topic=topic)


@pytest.mark.django_db
def test_a_topic_rule_beats_a_sector_rule_which_beats_a_channel_rule(rules, health_topics):
    topic, other_topic = health_topics

    assert services.deadline_rule_for(appeal_about(topic=topic)) == rules["topic"]
    assert services.deadline_rule_for(appeal_about(topic=other_topic)) == rules["sector"]
    assert services.deadline_rule_for(appeal_about(block="roads")) == rules["channel"]
    assert services.deadline_rule_for(appeal_about(channel=Appeal.Channel.POS, block="roads")) is None


@pytest.mark.django_db
def test_a_rule_of_another_channel_sector_or_topic_does_not_apply(health_topics):
    topic, other_topic = health_topics
    DeadlineRule.objects.create(name="Тема и канал", topic=topic, channel=Appeal.Channel.EMAIL, days=3)
    DeadlineRule.objects.create(name="Дороги", sector_block=SectorBlock.objects.get(code="roads"), days=7)

    assert services.deadline_rule_for(appeal_about(topic=topic)) is None
    assert services.deadline_rule_for(appeal_about(channel=Appeal.Channel.EMAIL, topic=other_topic)) is None


@pytest.mark.django_db
def test_of_two_equally_specific_rules_the_shorter_wins():
    health = SectorBlock.objects.get(code="health")
    DeadlineRule.objects.create(name="Долгое", sector_block=health, days=25)
    short = DeadlineRule.objects.create(name="Короткое", sector_block=health, days=15)

    assert services.deadline_rule_for(appeal_about()) == short


@pytest.mark.django_db
def test_the_due_date_follows_the_rule_that_applies(rules, health_topics):
    topic, other_topic = health_topics
    start = registered(D(2025, 12, 29))

    assert services.compute_due_at(appeal_about(topic=topic), start) == end_of_day(D(2026, 1, 3))
    # 10 working days of the sector rule across the New Year holidays
    assert services.compute_due_at(appeal_about(topic=other_topic), start) == end_of_day(D(2026, 1, 22))
    assert services.compute_due_at(appeal_about(block="roads"), start) == end_of_day(D(2026, 1, 18))
    assert services.compute_due_at(appeal_about(channel=Appeal.Channel.POS, block="roads"), start) == end_of_day(
        D(2026, 1, 28)
    )


# --- pause and extension ------------------------------------------------------------------------------------


@pytest.fixture
def clock(monkeypatch):
    class Clock:
        now = at(D(2026, 3, 10))

    frozen = Clock()
    monkeypatch.setattr(timezone, "now", lambda: frozen.now)
    return frozen


@pytest.fixture
def operator(make_user):
    return make_user(Role.OPERATOR)


@pytest.fixture
def appeal(db):
    return RunningAppealFactory(organisation=OrganisationFactory(), due_at=end_of_day(D(2026, 3, 20)))


@pytest.mark.django_db
def test_requesting_information_pauses_the_clock(clock, appeal, operator):
    services.request_info(appeal, by=operator, comment="Уточните номер дома.")

    appeal.refresh_from_db()
    assert (appeal.status, appeal.clock_paused_at) == (S.INFO_REQUESTED, clock.now)
    assert appeal.due_at == end_of_day(D(2026, 3, 20))
    assert appeal.events.get(kind=K.INFO_REQUESTED).comment == "Уточните номер дома."


@pytest.mark.django_db
def test_the_answer_of_the_citizen_moves_the_due_date_by_the_length_of_the_pause(clock, appeal, operator):
    services.request_info(appeal, by=operator, comment="Приложите фото.")
    clock.now += datetime.timedelta(days=4, hours=5)

    services.receive_info(appeal, by=operator, comment="Фото получено.")

    appeal.refresh_from_db()
    assert appeal.status == S.IN_PROGRESS
    assert appeal.clock_paused_at is None
    assert appeal.due_at == end_of_day(D(2026, 3, 20)) + datetime.timedelta(days=4, hours=5)
    event = appeal.events.get(kind=K.INFO_RECEIVED)
    assert moments(event.changes["due_at"]) == [end_of_day(D(2026, 3, 20)), appeal.due_at]


@pytest.mark.django_db
def test_a_pause_that_outlasts_the_deadline_leaves_the_rest_of_the_time_and_clears_the_overdue_mark(clock, operator):
    # given an appeal with 2 days left when the information was requested
    appeal = RunningAppealFactory(organisation=OrganisationFactory(), due_at=end_of_day(D(2026, 3, 12)))
    services.request_info(appeal, by=operator, comment="Уточните адрес.")
    Appeal.objects.filter(pk=appeal.pk).update(overdue_at=at(D(2026, 3, 13)))  # as a stale mark would be

    clock.now = at(D(2026, 3, 25))
    services.receive_info(appeal, by=operator)

    appeal.refresh_from_db()
    assert appeal.due_at == end_of_day(D(2026, 3, 27))
    assert appeal.overdue_at is None


@pytest.mark.django_db
def test_an_extension_moves_the_due_date_to_the_end_of_the_new_day_with_the_reason(clock, appeal, operator):
    services.extend_deadline(appeal, due_date=D(2026, 3, 30), by=operator, reason="Нужна выездная проверка.")

    appeal.refresh_from_db()
    assert appeal.due_at == end_of_day(D(2026, 3, 30))
    event = appeal.events.get(kind=K.EXTENDED)
    assert event.comment == "Нужна выездная проверка."
    assert event.actor == operator
    assert moments(event.changes["due_at"]) == [end_of_day(D(2026, 3, 20)), end_of_day(D(2026, 3, 30))]


@pytest.mark.django_db
@pytest.mark.parametrize("new_date", [D(2026, 3, 20), D(2026, 3, 15)])
def test_an_extension_must_be_later_than_the_current_due_date(clock, appeal, operator, new_date):
    with pytest.raises(AppealsError) as error:
        services.extend_deadline(appeal, due_date=new_date, by=operator, reason="Прошу продлить.")

    assert error.value.code == "extension_not_later"
    appeal.refresh_from_db()
    assert appeal.due_at == end_of_day(D(2026, 3, 20))
    assert not appeal.events.filter(kind=K.EXTENDED).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("reason", ["", "   "])
def test_an_extension_needs_a_reason(clock, appeal, operator, reason):
    with pytest.raises(AppealsError) as error:
        services.extend_deadline(appeal, due_date=D(2026, 3, 30), by=operator, reason=reason)

    assert error.value.code == "comment_required"
    assert not appeal.events.exists()


@pytest.mark.django_db
def test_an_overdue_appeal_extended_into_the_future_is_no_longer_overdue_or_escalated(clock, operator):
    due, overdue = end_of_day(D(2026, 3, 5)), at(D(2026, 3, 6))
    appeal = RunningAppealFactory(
        organisation=OrganisationFactory(), due_at=due, overdue_at=overdue, escalation_level=2
    )

    services.extend_deadline(appeal, due_date=D(2026, 3, 31), by=operator, reason="Продлено письмом министра.")

    appeal.refresh_from_db()
    assert (appeal.due_at, appeal.overdue_at, appeal.escalation_level) == (end_of_day(D(2026, 3, 31)), None, 0)


@pytest.mark.django_db
@pytest.mark.parametrize("status", [S.NEW, S.ANSWERED, S.CLOSED, S.REJECTED])
def test_an_appeal_without_a_running_deadline_cannot_be_extended(clock, operator, status):
    appeal = RunningAppealFactory(organisation=OrganisationFactory(), status=status)

    with pytest.raises(TransitionNotAllowed):
        services.extend_deadline(appeal, due_date=D(2026, 4, 30), by=operator, reason="Прошу продлить.")
