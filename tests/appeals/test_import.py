"""File import: formats, encodings, validation by line, idempotency, dry run, the set-based path, the task."""

import datetime
import io
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from appeals.intake import bulk, importing
from appeals.intake.bulk import register_appeals_bulk
from appeals.intake.formats import (
    FORMATS,
    INCIDENT_MANAGER,
    ImportFileError,
    detect_encoding,
    detect_separator,
    read_table,
)
from appeals.intake.importing import import_file, import_table, run_import
from appeals.intake.report import ImportReport
from appeals.intake.rows import RowCleaner, clean_text, parse_received_at, territory_key
from appeals.models import Appeal, AppealEvent, AppealImport, Topic
from sectors.models import Territory
from sectors.services_geo import load_region_territories
from tests.factories import OrganisationFactory

FIXTURES = Path(__file__).resolve().parent / "fixtures"
KURSK = Path(__file__).resolve().parents[3] / "shared" / "data" / "appeals" / "kursk-2022" / "train.csv"
MOSCOW = datetime.timezone(datetime.timedelta(hours=3))


@pytest.fixture
def region(db):
    """The region's 29 municipalities and two executors, one of which the files name."""
    load_region_territories()
    ryazan = Territory.objects.get(name="Рязань")
    return {
        "ryazan": ryazan,
        "ministry": OrganisationFactory(name="Министерство ЖКХ Рязанской области", territory=ryazan),
        "shatsk_admin": OrganisationFactory(
            name="Администрация Шацкого муниципального района",
            short_name="Администрация Шацкого района",
            territory=Territory.objects.get(name="Шацкий район"),
        ),
    }


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def lines(items: list[dict]) -> list[int]:
    return [item["line"] for item in items]


def reason(report: ImportReport, line: int) -> str:
    return next(item["error"] for item in report.errors if item["line"] == line)


# --- pure helpers ----------------------------------------------------------------------------


def test_html_is_stripped_and_entities_unescaped_but_a_less_than_sign_is_text():
    assert clean_text("<p>Во дворе&nbsp;дома <b>нет</b> света.</p><p>Второй&quot;абзац&quot;</p>") == (
        'Во дворе дома нет света.\nВторой"абзац"'
    )
    assert clean_text("t <5 °C, a < b и <script>alert(1)</script>конец") == "t <5 °C, a < b и конец"
    assert clean_text("  строка\r\n\r\n  вторая  ") == "строка\nвторая"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("15.03.2025", datetime.datetime(2025, 3, 15, tzinfo=MOSCOW)),
        ("15.03.2025 10:30", datetime.datetime(2025, 3, 15, 10, 30, tzinfo=MOSCOW)),
        ("15.03.2025 10:30:15", datetime.datetime(2025, 3, 15, 10, 30, 15, tzinfo=MOSCOW)),
        ("2025-03-15", datetime.datetime(2025, 3, 15, tzinfo=MOSCOW)),
        ("2025-03-15T07:30:00Z", datetime.datetime(2025, 3, 15, 10, 30, tzinfo=MOSCOW)),
        (datetime.datetime(2025, 3, 15, 10, 30), datetime.datetime(2025, 3, 15, 10, 30, tzinfo=MOSCOW)),  # noqa: DTZ001
        ("", None),
    ],
)
def test_dates_are_read_in_russian_and_iso_formats_as_moscow_time(value, expected):
    assert parse_received_at(value) == expected


@pytest.mark.parametrize("value", ["32.13.2025", "31.02.2025", "15/03/2025", "вчера"])
def test_a_bad_date_is_a_value_error(value):
    with pytest.raises(ValueError):
        parse_received_at(value)


def test_municipality_names_are_normalised_to_one_key():
    shatsk = ("Шацкий район", "Шацкий муниципальный район", "Шацкий р-н", "Шацкий муниципальный округ",
              "Шацкий район Рязанской области")  # fmt: skip
    assert {territory_key(n) for n in shatsk} == {"шацкий"}
    assert {territory_key(n) for n in ("г. Рязань", "Рязань", "город Рязань", "городской округ город Рязань")} == {
        "рязань"
    }
    assert territory_key("Рязанский район") != territory_key("Рязань")


def test_encoding_is_detected():
    text = "текст;адрес\n"
    assert detect_encoding(text.encode("utf-8")) == "utf-8"
    assert detect_encoding(b"\xef\xbb\xbf" + text.encode("utf-8")) == "utf-8-sig"
    assert detect_encoding(text.encode("cp1251")) == "cp1251"
    # A sample cut inside a two-byte letter is still UTF-8.
    assert detect_encoding("текст".encode()[:-1]) == "utf-8"


@pytest.mark.parametrize("sep", [",", ";", "\t"])
def test_separator_is_detected_by_the_known_columns(sep):
    header = sep.join(["Отдел", "Исполнитель", "Тема, подтема", "Текст инцидента"])
    assert detect_separator(header, INCIDENT_MANAGER) == sep


# --- formats ---------------------------------------------------------------------------------


def test_a_pos_export_imports_good_rows_and_reports_bad_ones_by_line(region):
    report, table = import_file(FIXTURES / "pos_export.csv", fmt="pos", channel="pos")

    assert (table.encoding, table.separator) == ("utf-8", ",")
    assert (report.total_rows, report.created_count, report.existing_count, report.error_count) == (6, 3, 0, 3)
    # POS-1002's text spans lines 3–4, so the next record starts on line 5.
    assert lines(report.errors) == [5, 6, 7]
    assert "Некорректная дата «32.13.2025»" in reason(report, 5)
    assert "Некорректный e-mail «sidorov@»" in reason(report, 6)
    assert reason(report, 7) == "Пустой текст обращения"
    assert {w["line"] for w in report.warnings} == {3, 8}
    assert {"line": 8, "warning": "Ответственный «ООО «Неизвестная организация»»: нет в справочнике организаций — "
            "обращение не назначено"} in report.warnings  # fmt: skip
    assert {"line": 8, "warning": "Подкатегория «Борщевик на остановке»: нет в справочнике тем — "
            "тему определит классификатор"} in report.warnings  # fmt: skip

    first = Appeal.objects.get(channel="pos", external_id="POS-1001")
    assert first.text == "Во дворе дома не вывозят мусор третью неделю."
    assert first.received_at == datetime.datetime(2025, 3, 15, 10, 30, tzinfo=MOSCOW)
    assert first.topic == Topic.objects.get(name="Уборка/Вывоз мусора")
    assert first.sector_block.code == "waste"
    assert first.classification_source == Appeal.ClassificationSource.MANUAL
    assert first.territory == region["ryazan"]
    assert (first.applicant_name, first.applicant_phone, first.applicant_email) == (
        "Иванов Иван Иванович", "+7 910 000-00-01", "ivanov@example.ru",
    )  # fmt: skip
    # The executor named in the file is assigned and the clock runs.
    assert first.organisation == region["ministry"]
    assert first.status == Appeal.Status.ASSIGNED
    assert first.due_at is not None
    assert list(first.events.values_list("kind", flat=True)) == ["registered", "assigned"]

    second = Appeal.objects.get(external_id="POS-1002")
    assert second.text == "Яма на дороге у школы.\nГлубина больше 10 см, t <5 °C, лужа."
    assert second.territory.name == "Шацкий район"
    assert second.status == Appeal.Status.NEW and second.organisation is None

    sixth = Appeal.objects.get(external_id="POS-1006")
    assert sixth.territory.name == "Кадомский район"
    assert sixth.topic is None and sixth.sector_block.code == "public_spaces"  # from the group «Благоустройство»
    assert list(sixth.events.values_list("kind", flat=True)) == ["registered"]


def test_reimporting_the_same_file_creates_nothing_new(region):
    import_file(FIXTURES / "pos_export.csv", fmt="pos", channel="pos")
    appeals, events = Appeal.objects.count(), AppealEvent.objects.count()

    report, _ = import_file(FIXTURES / "pos_export.csv", fmt="pos", channel="pos")

    assert (report.created_count, report.existing_count, report.error_count) == (0, 3, 3)
    assert (Appeal.objects.count(), AppealEvent.objects.count()) == (appeals, events)


def test_the_same_ids_in_another_channel_are_other_appeals(region):
    import_file(FIXTURES / "pos_export.csv", fmt="pos", channel="pos")
    report, _ = import_file(FIXTURES / "pos_export.csv", fmt="pos", channel="email")
    assert report.created_count == 3
    assert Appeal.objects.filter(external_id="POS-1001").count() == 2


def test_an_incident_manager_xlsx_maps_topics_territories_and_executors(region):
    report, table = import_file(FIXTURES / "incident_manager.xlsx", fmt="incident_manager", channel="social")

    assert table.description == "XLSX"
    assert (report.total_rows, report.created_count, report.error_count) == (6, 4, 2)
    # Row 5 of the sheet is empty: the rows after it keep their worksheet numbers.
    assert lines(report.errors) == [7, 8]
    assert reason(report, 7) == "Пустой текст обращения"
    assert "в будущем" in reason(report, 8)

    appeals = {a.text: a for a in Appeal.objects.filter(channel="social").select_related("territory", "topic")}
    water = appeals["Нет холодной воды с утра в доме 5."]
    assert water.topic.name == "Отсутствие холодной воды"  # matched regardless of case
    assert water.territory.name == "Шацкий район"
    assert water.organisation == region["ministry"]
    assert water.received_at == datetime.datetime(2025, 4, 1, 9, 0, tzinfo=MOSCOW)
    bridge = appeals["Мост через реку в аварийном состоянии."]
    assert bridge.territory.name == "Шацкий район"  # «Шацкий муниципальный район»
    assert bridge.organisation == region["shatsk_admin"]  # by its short name
    rubbish = appeals["Когда вывезут мусор с ул. Есенина?"]
    assert rubbish.territory == region["ryazan"]  # «г. Рязань»
    assert rubbish.received_at == datetime.datetime(2025, 4, 3, 11, 0, tzinfo=MOSCOW)
    stairs = appeals["В подъезде не убирают."]
    assert stairs.territory == region["ryazan"] and stairs.topic is None and stairs.organisation is None
    assert stairs.sector_block.code == "housing"
    assert [w["line"] for w in report.warnings] == [6, 6]
    # No ID column: a hash of the content is the id, so a second import of the file creates nothing.
    assert all(a.external_id.startswith("row-") for a in appeals.values())
    again, _ = import_file(FIXTURES / "incident_manager.xlsx", fmt="incident_manager", channel="social")
    assert (again.created_count, again.existing_count) == (0, 4)


def test_a_generic_file_in_windows_1251_with_semicolons(region):
    report, table = import_file(FIXTURES / "generic_cp1251.csv", fmt="generic", channel="web")

    assert (table.encoding, table.separator) == ("cp1251", ";")
    assert report.created_count == 2
    assert lines(report.errors) == [4]
    assert reason(report, 4) == "Неизвестный канал «голубиная почта»"
    snow = Appeal.objects.get(external_id="G-1")
    assert (snow.channel, snow.sector_block.code, snow.territory.name) == ("web", "housing", "Рязань")
    assert snow.text == "Не убран снег во дворе; прошу принять меры."
    assert Appeal.objects.get(external_id="G-2").channel == "phone"  # the row's channel column wins


def test_a_generic_file_in_utf8_with_bom_and_tabs(region):
    report, table = import_file(FIXTURES / "generic_bom_tab.csv", fmt="generic", channel="web")

    assert (table.encoding, table.separator) == ("utf-8-sig", "\t")
    assert (report.created_count, report.error_count) == (2, 0)
    assert Appeal.objects.get(external_id="B-1").territory.kind == Territory.Kind.CITY_OKRUG  # Касимов
    assert Appeal.objects.get(external_id="B-2").territory.kind == Territory.Kind.MUNICIPAL_DISTRICT


def test_excel_unicode_text_in_utf16_with_tabs(db, tmp_path):
    path = tmp_path / "unicode.csv"
    path.write_bytes("text\texternal_id\r\nНе горит фонарь\tU-1\r\n".encode("utf-16"))
    report, table = import_file(path, fmt="generic", channel="web")
    assert (table.encoding, table.separator, report.created_count) == ("utf-16", "\t", 1)
    assert Appeal.objects.get().text == "Не горит фонарь"


def test_every_bad_row_is_reported_with_its_line_and_a_russian_reason(db):
    report, _ = import_file(FIXTURES / "bad_rows.csv", fmt="generic", channel="web")

    assert report.created_count == 2
    assert set(Appeal.objects.values_list("external_id", flat=True)) == {"OK-1", "OK-2"}
    assert lines(report.errors) == [3, 4, 5, 6, 7, 9, 10, 12]
    assert reason(report, 3) == "Пустой текст обращения"
    assert reason(report, 4).startswith("Некорректная дата «31.02.2025»: ожидается дд.мм.гггг")
    assert reason(report, 5) == "Неизвестный канал «факс»"
    assert reason(report, 6) == "Некорректный e-mail «not-an-email»"
    assert reason(report, 7).startswith("Текст длиннее 20 000 знаков")
    assert reason(report, 9) == "Дата поступления 01.02.1999 раньше 01.01.2000"
    assert reason(report, 10) == "Идентификатор длиннее 128 знаков"
    assert reason(report, 12).startswith("Полей в строке 6, а столбцов в заголовке 5")
    # A repeated row is one appeal: counted as existing, with a warning.
    assert report.existing_count == 1
    assert report.warnings == [{"line": 11, "warning": "Повторяет строку 2 — учтено как одно обращение"}]
    assert Appeal.objects.get(external_id="OK-2").channel == "email"


def test_blank_lines_do_not_shift_line_numbers(db, tmp_path):
    path = tmp_path / "blank.csv"
    path.write_text("text,received_at\n\nпервое,01.01.2025\n\n\n,01.01.2025\n", encoding="utf-8")
    report, _ = import_file(path, fmt="generic", channel="web")
    assert report.created_count == 1
    assert lines(report.errors) == [6]


def test_a_file_without_the_text_column_is_refused(db):
    with pytest.raises(ImportFileError, match="нет обязательного столбца «Текст инцидента»"):
        import_file(FIXTURES / "pos_export.csv", fmt="incident_manager", channel="pos")


def test_a_broken_xlsx_is_refused_in_russian():
    with pytest.raises(ImportFileError, match="повреждён"):
        read_table(b"PK\x03\x04 not really a zip", "book.xlsx")
    with pytest.raises(ImportFileError, match="только файлы .csv и .xlsx"):
        read_table(b"text\n", "notes.pdf")


def test_a_dry_run_writes_nothing_and_reports_what_would_happen(region):
    report, _ = import_file(FIXTURES / "pos_export.csv", fmt="pos", channel="pos", dry_run=True)
    assert (report.created_count, report.existing_count, report.error_count) == (3, 0, 3)
    assert not Appeal.objects.exists() and not AppealEvent.objects.exists()

    import_file(FIXTURES / "pos_export.csv", fmt="pos", channel="pos")
    report, _ = import_file(FIXTURES / "pos_export.csv", fmt="pos", channel="pos", dry_run=True)
    assert (report.created_count, report.existing_count) == (0, 3)


# --- the set-based path ----------------------------------------------------------------------


def rows(n: int, prefix: str = "B") -> list[dict]:
    return [{"external_id": f"{prefix}-{i}", "text": f"Обращение {i}"} for i in range(n)]


def test_bulk_registration_dedups_within_the_batch_and_against_the_database(db, operator):
    register_appeals_bulk(rows(10), by=operator, channel="web")

    ids, existing = register_appeals_bulk([*rows(15), *rows(3)], by=operator, channel="web")

    assert (len(ids), existing) == (5, 13)
    assert Appeal.objects.count() == 15
    assert AppealEvent.objects.filter(kind="registered").count() == 15
    event = AppealEvent.objects.get(appeal_id=ids[0])
    assert event.actor == operator and event.changes == {"channel": "web", "external_id": "B-10"}


def test_without_copy_bulk_create_registers_the_same_appeals_and_events(region, monkeypatch):
    # SQLite has no COPY: the same rows go through bulk_create.
    monkeypatch.setattr(bulk, "_use_copy", lambda: False)
    report, _ = import_file(FIXTURES / "pos_export.csv", fmt="pos", channel="pos")
    assert report.created_count == 3
    first = Appeal.objects.get(external_id="POS-1001")
    assert (first.status, first.organisation) == ("assigned", region["ministry"])
    assert first.topic.name == "Уборка/Вывоз мусора"
    assert list(first.events.values_list("kind", flat=True)) == ["registered", "assigned"]
    again, _ = import_file(FIXTURES / "pos_export.csv", fmt="pos", channel="pos")
    assert (again.created_count, again.existing_count) == (0, 3)


def test_bulk_registration_sends_one_signal_per_chunk_after_commit(db, django_capture_on_commit_callbacks):
    from appeals.signals import appeals_changed

    received = []

    def listener(sender, appeal_ids, kind, **kwargs):
        received.append((kind, len(appeal_ids)))

    appeals_changed.connect(listener)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            register_appeals_bulk(rows(bulk.CHUNK_SIZE + 5), by=None, channel="web")
    finally:
        appeals_changed.disconnect(listener)
    assert received == [("registered", bulk.CHUNK_SIZE), ("registered", 5)]


def test_bulk_registration_costs_a_fixed_number_of_queries_per_chunk(db, operator):
    with CaptureQueriesContext(connection) as small:
        register_appeals_bulk(rows(10, "S"), by=operator, channel="web")
    with CaptureQueriesContext(connection) as large:
        register_appeals_bulk(rows(2 * bulk.CHUNK_SIZE, "L"), by=operator, channel="web")
    # select existing, insert appeals, insert events (+ savepoints) — per chunk, whatever its size.
    assert len(large) == 2 * len(small)
    assert Appeal.objects.count() == 10 + 2 * bulk.CHUNK_SIZE


def test_bulk_registration_recovers_from_a_race_with_another_import(db, operator, monkeypatch):
    register_appeals_bulk(rows(3), by=operator, channel="web")
    real_plan = bulk.plan_appeals_bulk
    calls = []

    def blind_first_look(batch, *, channel):
        # The first look misses the rows another import has just committed.
        calls.append(1)
        return (list(batch), 0) if len(calls) == 1 else real_plan(batch, channel=channel)

    monkeypatch.setattr(bulk, "plan_appeals_bulk", blind_first_look)
    ids, existing = register_appeals_bulk(rows(5), by=operator, channel="web")
    assert (len(ids), existing) == (2, 3)
    assert Appeal.objects.count() == 5


# --- the task --------------------------------------------------------------------------------


def upload(name: str, *, fmt: str, channel: str = "pos", dry_run: bool = False, by=None) -> AppealImport:
    data = (FIXTURES / name).read_bytes()
    return AppealImport.objects.create(
        file=ContentFile(data, name=name), original_name=name, format=fmt, channel=channel, dry_run=dry_run,
        created_by=by,
    )  # fmt: skip


def test_run_import_records_totals_and_bad_rows(region, media, operator):
    imp = upload("pos_export.csv", fmt="pos", by=operator)

    run_import(imp.pk)

    imp.refresh_from_db()
    assert imp.status == AppealImport.Status.DONE and imp.finished_at is not None
    assert (imp.total_rows, imp.processed_rows, imp.created_count, imp.existing_count, imp.error_count) == (
        6, 6, 3, 0, 3,
    )  # fmt: skip
    assert [p["line"] for p in imp.errors if "error" in p] == [5, 6, 7]
    assert imp.message.startswith("Строк с данными: 6; создано обращений: 3")
    assert Appeal.objects.filter(registered_by=operator).count() == 3
    assert AppealEvent.objects.get(appeal__external_id="POS-1002").comment == (
        f"Импорт из файла «pos_export.csv» № {imp.pk}"
    )


def test_run_import_twice_does_nothing_the_second_time(region, media):
    imp = upload("pos_export.csv", fmt="pos")
    run_import(imp.pk)
    run_import(imp.pk)
    imp.refresh_from_db()
    assert (imp.created_count, imp.existing_count) == (3, 0)
    assert Appeal.objects.count() == 3


def test_run_import_of_a_missing_row_returns_quietly(db):
    run_import(987654)


def test_a_file_in_the_wrong_format_fails_with_a_russian_message(region, media):
    imp = upload("pos_export.csv", fmt="incident_manager")
    run_import(imp.pk)
    imp.refresh_from_db()
    assert imp.status == AppealImport.Status.FAILED
    assert "нет обязательного столбца «Текст инцидента»" in imp.message


def test_a_dry_run_import_writes_no_appeal(region, media):
    imp = upload("pos_export.csv", fmt="pos", dry_run=True)
    run_import(imp.pk)
    imp.refresh_from_db()
    assert (imp.status, imp.created_count, imp.error_count) == (AppealImport.Status.DONE, 3, 3)
    assert imp.message.startswith("Пробный прогон, ничего не записано.")
    assert not Appeal.objects.exists()


class WorkerKilled(BaseException):
    """The worker process dies mid-import (not an Exception: nothing inside catches it)."""


def test_a_killed_import_resumes_after_its_last_committed_chunk(db, media, monkeypatch):
    monkeypatch.setattr(bulk, "CHUNK_SIZE", 3)
    body = "external_id,text\n" + "".join(f"R-{i},Обращение {i}\n" for i in range(10))
    imp = AppealImport.objects.create(
        file=ContentFile(body.encode(), name="ten.csv"), original_name="ten.csv", format="generic", channel="web"
    )
    real_clean = RowCleaner.clean

    def dies_on_line_8(self, line, cells, report):
        if line == 8:
            raise WorkerKilled
        return real_clean(self, line, cells, report)

    monkeypatch.setattr(RowCleaner, "clean", dies_on_line_8)
    with pytest.raises(WorkerKilled):
        run_import(imp.pk)
    imp.refresh_from_db()
    # Two chunks (lines 2–7) committed with their progress; the third rolled back.
    assert (imp.status, imp.processed_rows, imp.created_count) == (AppealImport.Status.RUNNING, 6, 6)
    assert Appeal.objects.count() == 6

    monkeypatch.setattr(RowCleaner, "clean", real_clean)
    run_import(imp.pk)  # the broker redelivers the task (acks_late)

    imp.refresh_from_db()
    assert (imp.status, imp.processed_rows, imp.created_count, imp.existing_count) == (
        AppealImport.Status.DONE, 10, 10, 0,
    )  # fmt: skip
    assert Appeal.objects.count() == 10
    assert AppealEvent.objects.count() == 10


def test_a_killed_dry_run_starts_again_from_the_first_row(db, media, monkeypatch):
    monkeypatch.setattr(bulk, "CHUNK_SIZE", 3)
    body = "external_id,text\n" + "".join(f"R-{i},Обращение {i}\n" for i in range(10))
    imp = AppealImport.objects.create(
        file=ContentFile(body.encode(), name="ten.csv"), original_name="ten.csv", format="generic", channel="web",
        dry_run=True,
    )  # fmt: skip
    real_clean = RowCleaner.clean

    def dies_on_line_8(self, line, cells, report):
        if line == 8:
            raise WorkerKilled
        return real_clean(self, line, cells, report)

    monkeypatch.setattr(RowCleaner, "clean", dies_on_line_8)
    with pytest.raises(WorkerKilled):
        run_import(imp.pk)
    monkeypatch.setattr(RowCleaner, "clean", real_clean)
    run_import(imp.pk)

    imp.refresh_from_db()
    assert (imp.status, imp.processed_rows, imp.created_count) == (AppealImport.Status.DONE, 10, 10)
    assert not Appeal.objects.exists()


def test_a_file_gone_from_storage_fails_with_a_russian_message(db, media):
    imp = AppealImport.objects.create(file="imports/gone.csv", original_name="gone.csv", format="pos", channel="pos")
    run_import(imp.pk)
    imp.refresh_from_db()
    assert imp.status == AppealImport.Status.FAILED
    assert imp.message == "Загруженный файл не найден в хранилище: загрузите его заново."


def test_a_run_that_lost_the_race_for_a_chunk_rolls_it_back(db, media):
    body = "external_id,text\nX-1,Первое\n"
    table = read_table(body.encode(), "x.csv", FORMATS["generic"])
    with pytest.raises(importing.ImportSuperseded):
        import_table(table, fmt="generic", channel="web", on_chunk=lambda report, before: False)
    assert not Appeal.objects.exists()


# --- the command -----------------------------------------------------------------------------


def test_the_command_prints_a_russian_report(region):
    out = io.StringIO()
    call_command("import_appeals", str(FIXTURES / "pos_export.csv"), format="pos", channel="pos", stdout=out)
    text = out.getvalue()
    assert "CSV, UTF-8, разделитель — запятая" in text
    assert "Создано обращений: 3" in text
    assert "Строк с ошибками: 3" in text
    assert "строка 5: Некорректная дата «32.13.2025»" in text
    assert Appeal.objects.count() == 3


def test_the_command_dry_run_writes_nothing(region):
    out = io.StringIO()
    call_command(
        "import_appeals", str(FIXTURES / "incident_manager.xlsx"), "--dry-run", format="incident_manager",
        channel="social", stdout=out,
    )  # fmt: skip
    assert "Пробный прогон" in out.getvalue() and "Будет создано обращений: 4" in out.getvalue()
    assert not Appeal.objects.exists()


def test_the_command_refuses_a_missing_file(db):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="Файл не найден"):
        call_command("import_appeals", "/nonexistent/file.csv", format="pos", channel="pos")


# --- real data -------------------------------------------------------------------------------


def test_the_real_kursk_export_imports_whole_and_only_once(db):
    if not KURSK.exists():
        pytest.skip(f"Real data not found at {KURSK} (see DESIGN §8: ../shared/data is not in the repository).")

    # Its columns (id, Текст Сообщения, Тематика, Ответственное лицо, Категория) are an older ПОС export.
    report, table = import_file(KURSK, fmt="pos", channel="pos")

    assert table.encoding in ("utf-8", "utf-8-sig") and report.total_rows == 2000
    assert report.error_count == 0
    assert report.created_count == 2000
    texts = list(Appeal.objects.values_list("text", flat=True))
    assert not any("<p>" in t or "&nbsp;" in t or "</" in t for t in texts)
    again, _ = import_file(KURSK, fmt="pos", channel="pos")
    assert (again.created_count, again.existing_count) == (0, 2000)
