"""Retention of applicants' personal data (152-ФЗ): finished appeals older than the period are
anonymised once, set-based, safely twice and concurrently, and statistics do not move."""

import datetime
import io
import threading

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.db import connection, transaction
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from appeals.models import Appeal, AppealEvent, AppealImport
from appeals.privacy import retention
from cur.models import AuditEvent
from cur.roles import Role
from heatmap import rollup
from heatmap.models import HeatCellMonth, HeatFootprintDay, HeatMonth
from ratings import compute
from ratings.models import Level
from tests.appeals.factories import appeal_in
from tests.factories import OrganisationFactory, TerritoryFactory
from tests.worker import celery_worker

S = Appeal.Status
NAME, PHONE, EMAIL = "Смирнов Пётр Алексеевич", "+7 910 123-45-67", "smirnov@example.ru"
TEXT = (
    "Во дворе дома № 5 по ул. Ленина не вывозят мусор. Звоните 8 (910) 765-43-21 или +79101234567, "
    "пишите smirnov.p@mail.example. С уважением, Смирнов Пётр Алексеевич. ИНН 7701234567, дом 1958 г."
)
SCRUBBED = (
    "Во дворе дома № 5 по ул. Ленина не вывозят мусор. Звоните [телефон удалён] или [телефон удалён], "
    "пишите [e-mail удалён]. С уважением, [ФИО удалено]. ИНН 7701234567, дом 1958 г."
)


def years_ago(years: float, now=None) -> datetime.datetime:
    return (now or timezone.now()) - datetime.timedelta(days=round(365.25 * years))


def finished(status=S.CLOSED, *, closed_at, **fields) -> Appeal:
    org = fields.pop("organisation", None) or OrganisationFactory()
    return appeal_in(
        status,
        organisation=org,
        closed_at=closed_at,
        registered_at=closed_at - datetime.timedelta(days=20),
        received_at=closed_at - datetime.timedelta(days=20, hours=1),
        answered_at=closed_at - datetime.timedelta(days=2) if status == S.CLOSED else None,
        due_at=closed_at + datetime.timedelta(days=5) if status == S.CLOSED else None,
        assigned_at=closed_at - datetime.timedelta(days=19) if status == S.CLOSED else None,
        text=TEXT,
        applicant_name=NAME,
        applicant_phone=PHONE,
        applicant_email=EMAIL,
        applicant_is_legal=False,
        **fields,
    )


@pytest.fixture
def appeals(db):
    return {
        "old_closed": finished(closed_at=years_ago(6), satisfaction=4, answer_text="Ответ Смирнову: тел. 89101112233."),
        "old_rejected": finished(S.REJECTED, closed_at=years_ago(5.5)),
        "recent_closed": finished(closed_at=years_ago(4)),
        "old_but_reopened": appeal_in(S.REOPENED, registered_at=years_ago(6), applicant_name=NAME, text=TEXT),
        "new": appeal_in(S.NEW, applicant_name=NAME, text=TEXT),
    }


def fresh(appeal: Appeal) -> Appeal:
    return Appeal.objects.get(pk=appeal.pk)


def test_the_default_period_is_five_years_and_the_run_is_scheduled_daily(settings):
    assert settings.APPEAL_PD_RETENTION_DAYS == 1826
    entry = settings.CELERY_BEAT_SCHEDULE["appeals-pd-retention"]
    assert entry["task"] == "appeals.tasks.anonymise_expired_appeals"
    assert entry["schedule"].hour == {4}


def test_personal_data_of_appeals_finished_over_five_years_ago_is_erased(appeals):
    result = retention.anonymise_expired_appeals()

    assert result.appeals == 2
    for key in ("old_closed", "old_rejected"):
        appeal = fresh(appeals[key])
        assert appeal.pd_erased_at is not None
        assert (appeal.applicant_name, appeal.applicant_phone, appeal.applicant_email, appeal.applicant_address) == (
            "", "", "", "",
        )  # fmt: skip
        assert appeal.text == SCRUBBED
    old = fresh(appeals["old_closed"])
    assert old.answer_text == "Ответ Смирнову: тел. [телефон удалён]."
    # What statistics need stays.
    original = appeals["old_closed"]
    kept = ("status", "sector_block_id", "topic_id", "territory_id", "organisation_id", "satisfaction",
            "answer_quality", "registered_at", "answered_at", "closed_at", "due_at", "address", "channel")  # fmt: skip
    for name in kept:
        assert getattr(old, name) == getattr(original, name), name


def test_recent_and_open_appeals_keep_their_personal_data(appeals):
    retention.anonymise_expired_appeals()

    for key in ("recent_closed", "old_but_reopened", "new"):
        appeal = fresh(appeals[key])
        assert appeal.pd_erased_at is None
        assert appeal.applicant_name == NAME
        assert appeal.text == TEXT


def test_the_period_comes_from_the_setting(appeals):
    with override_settings(APPEAL_PD_RETENTION_DAYS=3 * 365):
        result = retention.anonymise_expired_appeals()

    assert result.appeals == 3
    assert fresh(appeals["recent_closed"]).pd_erased_at is not None


def test_a_second_run_changes_nothing_and_each_run_writes_one_audit_row(appeals):
    first = retention.anonymise_expired_appeals()
    erased_at = fresh(appeals["old_closed"]).pd_erased_at

    second = retention.anonymise_expired_appeals(now=timezone.now() + datetime.timedelta(hours=1))

    assert (first.appeals, second.appeals) == (2, 0)
    assert fresh(appeals["old_closed"]).pd_erased_at == erased_at
    runs = list(AuditEvent.objects.filter(action="appeal.pd_retention").order_by("id"))
    assert [run.changes["appeals"] for run in runs] == [2, 0]
    assert runs[0].changes["retention_days"] == 1826


def test_batches_cover_every_expired_appeal(db):
    old = [finished(closed_at=years_ago(6)) for _ in range(5)]

    result = retention.anonymise_expired_appeals(batch_size=2)

    assert (result.appeals, result.batches) == (5, 3)
    assert Appeal.objects.filter(pk__in=[a.pk for a in old], pd_erased_at=None).count() == 0


def test_history_comments_and_applicant_changes_lose_the_personal_data(appeals):
    appeal = appeals["old_closed"]
    event = AppealEvent.objects.create(
        appeal=appeal, kind=AppealEvent.Kind.INFO_REQUESTED, comment="Перезвонить по 8 910 111-22-33", changes={}
    )
    edit = AuditEvent.objects.create(
        action="appeal.admin_edit", object_type="appeals.appeal", object_id=str(appeal.pk),
        changes={"applicant_name": [NAME, "Смирнов П. А."], "status": ["answered", "closed"]},
    )  # fmt: skip

    retention.anonymise_expired_appeals()

    event.refresh_from_db()
    edit.refresh_from_db()
    assert event.comment == "Перезвонить по [телефон удалён]"
    assert edit.changes == {"status": ["answered", "closed"]}


def test_old_import_files_are_deleted(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    imp = AppealImport(original_name="old.csv", format="generic", channel="pos", errors=[{"line": 2, "error": "x"}])
    imp.file.save("old.csv", ContentFile("ФИО;Телефон\nСмирнов;+79101234567\n"), save=True)
    AppealImport.objects.filter(pk=imp.pk).update(created_at=years_ago(6))
    path = tmp_path / imp.file.name
    assert path.exists()

    result = retention.anonymise_expired_appeals()

    imp.refresh_from_db()
    assert result.import_files == 1
    assert not path.exists()
    assert (imp.file.name, imp.errors) == ("", [])


def rating_inputs(since: datetime.date, until: datetime.date) -> dict:
    p = compute.Predicates.for_period(since, until)
    return {
        level: (compute.appeal_aggregates(level, p), compute.reopened_counts(level, p), compute.median_days(level, p))
        for level in Level.values
    }


def heat_map() -> tuple[list, list]:
    rollup.rebuild_all()
    cells = list(HeatFootprintDay.objects.order_by("pk").values())
    months = list(HeatMonth.objects.order_by("pk").values()) + list(HeatCellMonth.objects.order_by("pk").values())
    for row in cells + months:
        row.pop("id")
    return sorted(map(repr, cells)), sorted(map(repr, months))


def test_the_heat_map_rollup_and_rating_inputs_are_identical_before_and_after(db):
    territory = TerritoryFactory()
    org = OrganisationFactory(territory=territory)
    for years, satisfaction in ((6, 5), (6, 2), (5.5, 3), (2, 4)):
        finished(closed_at=years_ago(years), territory=territory, organisation=org, satisfaction=satisfaction)
    finished(S.REJECTED, closed_at=years_ago(6), territory=territory, organisation=org)
    since, until = years_ago(7).date(), timezone.localdate()
    heat_before, ratings_before = heat_map(), rating_inputs(since, until)
    assert heat_before[0] and any(ratings_before[Level.ORGANISATION][0].values())

    assert retention.anonymise_expired_appeals().appeals == 4

    assert heat_map() == heat_before
    assert rating_inputs(since, until) == ratings_before


def test_the_appeal_page_and_the_export_say_the_data_was_erased(appeals, make_user, client_for):
    retention.anonymise_expired_appeals()
    appeal = appeals["old_closed"]
    client = client_for(make_user(Role.OPERATOR))

    page = client.get(reverse("appeals:appeal-detail", args=[appeal.pk])).content.decode()
    assert "данные удалены по сроку хранения" in page
    assert 'data-testid="reveal-pd"' not in page
    export = b"".join(client.get(reverse("appeals:export-csv"), {"q": appeal.number}).streaming_content).decode()
    assert export.count("данные удалены по сроку хранения") == 5  # name, phone, e-mail, address, legal name


def test_the_command_dry_run_counts_without_changing_anything(appeals):
    out = io.StringIO()
    call_command("anonymise_appeals", "--dry-run", stdout=out)

    assert out.getvalue().strip().endswith(": 2.")
    assert not Appeal.objects.exclude(pd_erased_at=None).exists()

    call_command("anonymise_appeals", stdout=out)
    assert "Обезличено обращений: 2" in out.getvalue()
    assert Appeal.objects.exclude(pd_erased_at=None).count() == 2


@pytest.mark.django_db(transaction=True)
def test_an_appeal_locked_by_another_transaction_is_skipped_and_erased_by_the_next_run():
    busy, idle = finished(closed_at=years_ago(6)), finished(closed_at=years_ago(6))
    locked, release = threading.Event(), threading.Event()

    def operator_edits():
        try:
            with transaction.atomic():
                Appeal.objects.select_for_update().get(pk=busy.pk)
                locked.set()
                release.wait(30)
        finally:
            connection.close()

    thread = threading.Thread(target=operator_edits)
    thread.start()
    try:
        assert locked.wait(10)
        first = retention.anonymise_expired_appeals()
    finally:
        release.set()
        thread.join()

    assert first.appeals == 1
    assert fresh(idle).pd_erased_at is not None
    assert fresh(busy).pd_erased_at is None
    assert retention.anonymise_expired_appeals().appeals == 1
    assert fresh(busy).applicant_name == ""


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_runs_erase_each_appeal_once():
    old = [finished(closed_at=years_ago(6)) for _ in range(40)]
    results, errors = [], []

    def run():
        try:
            results.append(retention.anonymise_expired_appeals(batch_size=5))
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert sum(r.appeals for r in results) == 40
    assert Appeal.objects.filter(pk__in=[a.pk for a in old], pd_erased_at=None).count() == 0


@pytest.mark.django_db(transaction=True)
def test_the_beat_task_runs_on_a_real_worker():
    from appeals import tasks

    appeal = finished(closed_at=years_ago(6))
    with celery_worker():
        tasks.anonymise_expired_appeals.delay()
        deadline = timezone.now() + datetime.timedelta(seconds=30)
        while fresh(appeal).pd_erased_at is None and timezone.now() < deadline:
            threading.Event().wait(0.2)

    assert fresh(appeal).applicant_phone == ""
    assert AuditEvent.objects.filter(action="appeal.pd_retention").exists()
