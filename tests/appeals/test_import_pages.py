"""The import pages: upload form, status page with progress, JSON status, template download, a real worker."""

import base64
import json
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from appeals.intake.importing import run_import
from appeals.models import Appeal, AppealImport
from cur.celery import app
from cur.roles import Role
from tests.worker import celery_worker

FIXTURES = Path(__file__).resolve().parent / "fixtures"
UPLOAD = reverse("appeals:import-upload")


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def fixture_file(name: str, *, as_name: str | None = None) -> SimpleUploadedFile:
    return SimpleUploadedFile(as_name or name, (FIXTURES / name).read_bytes())


def post(client, upload: SimpleUploadedFile, *, fmt: str = "generic", channel: str = "web", dry_run: bool = False):
    data = {"file": upload, "format": fmt, "channel": channel}
    if dry_run:
        data["dry_run"] = "on"
    return client.post(UPLOAD, data)


def form_error(response) -> str:
    return " ".join(str(e) for e in response.context["form"].errors["file"])


# --- access ----------------------------------------------------------------------------------


def test_an_anonymous_visitor_is_sent_to_log_in(client, db):
    response = client.get(UPLOAD)
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


@pytest.mark.parametrize("role", [Role.EXECUTOR, Role.CURATOR, Role.MUNICIPAL_OPERATOR, Role.COMPETENCE_CENTER])
def test_roles_without_the_import_capability_get_403(make_user, client_for, role, media):
    client = client_for(make_user(role))
    imp = AppealImport.objects.create(file="imports/x.csv", original_name="x.csv", format="generic", channel="web")
    for url in (
        UPLOAD,
        reverse("appeals:import-template"),
        reverse("appeals:import-detail", args=[imp.pk]),
        reverse("appeals:import-status", args=[imp.pk]),
    ):
        assert client.get(url).status_code == 403, url


def test_an_operator_sees_the_form_the_formats_and_the_template_link(operator, client_for):
    response = client_for(operator).get(UPLOAD)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'enctype="multipart/form-data"' in html
    assert reverse("appeals:import-template") in html
    assert "Текст инцидента" in html and "Муниципальное образование" in html


def test_the_generic_template_downloads_as_csv_excel_can_open(operator, client_for):
    response = client_for(operator).get(reverse("appeals:import-template"))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "attachment" in response["Content-Disposition"]
    body = response.content.decode("utf-8")
    assert body.startswith("\ufeffexternal_id;received_at;text;address;applicant_name;applicant_phone;")
    assert len(body.strip().splitlines()) == 2  # the header and one example row


def queued_tasks() -> list[tuple[str, list]]:
    """The tasks waiting in the test broker's default queue (name, args)."""
    import redis

    broker = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    messages = [json.loads(raw) for raw in broker.lrange("celery", 0, -1)]
    return [(m["headers"]["task"], json.loads(base64.b64decode(m["body"]))[0]) for m in messages]


# --- upload ----------------------------------------------------------------------------------


def test_an_upload_stores_the_file_and_queues_the_import_after_commit(
    operator, client_for, media, django_capture_on_commit_callbacks
):
    app.control.purge()
    client = client_for(operator)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = post(client, fixture_file("bad_rows.csv"), fmt="generic", channel="web")

    imp = AppealImport.objects.get()
    assert response.status_code == 302 and response.url == reverse("appeals:import-detail", args=[imp.pk])
    assert len(callbacks) == 1
    assert queued_tasks() == [("appeals.tasks.run_import", [imp.pk])]
    assert (imp.status, imp.format, imp.channel, imp.dry_run, imp.created_by) == (
        AppealImport.Status.PENDING, "generic", "web", False, operator,
    )  # fmt: skip
    assert imp.file.read() == (FIXTURES / "bad_rows.csv").read_bytes()

    # While pending, the page polls the JSON status every second.
    page = client.get(response.url).content.decode()
    assert "cur/import-progress.js" in page and reverse("appeals:import-status", args=[imp.pk]) in page
    assert client.get(reverse("appeals:import-status", args=[imp.pk])).json()["status"] == "pending"

    run_import(imp.pk)  # what the worker does

    status = client.get(reverse("appeals:import-status", args=[imp.pk])).json()
    assert status | {"message": ""} == {
        "id": imp.pk, "status": "done", "status_display": "Завершён", "finished": True, "dry_run": False,
        "total_rows": 11, "processed_rows": 11, "percent": 100, "created_count": 2, "existing_count": 1,
        "error_count": 8, "message": "",
    }  # fmt: skip
    page = client.get(response.url)
    html = page.content.decode()
    assert "import-progress.js" not in html  # finished: no more polling
    assert [e["line"] for e in page.context["errors"]] == [3, 4, 5, 6, 7, 9, 10, 12]
    assert "Неизвестный канал «факс»" in html and "Некорректный e-mail «not-an-email»" in html
    assert 'data-testid="import-warnings"' in html and "Повторяет строку 2" in html
    assert Appeal.objects.count() == 2


def test_a_dry_run_upload_is_marked_and_creates_no_appeal(operator, client_for, media):
    client = client_for(operator)
    post(client, fixture_file("generic_cp1251.csv"), dry_run=True)
    imp = AppealImport.objects.get()
    assert imp.dry_run
    run_import(imp.pk)
    html = client.get(reverse("appeals:import-detail", args=[imp.pk])).content.decode()
    assert "пробный прогон" in html and "Будет создано" in html
    assert not Appeal.objects.exists()


def test_the_upload_page_lists_recent_imports_with_a_fixed_number_of_queries(operator, client_for, media):
    def add_imports(n: int) -> None:
        for i in range(n):
            AppealImport.objects.create(
                file=f"imports/{i}.csv", original_name=f"{i}.csv", format="pos", channel="pos", created_by=operator
            )

    client = client_for(operator)
    add_imports(1)
    client.get(UPLOAD)  # warm the session
    with CaptureQueriesContext(connection) as one:
        client.get(UPLOAD)
    add_imports(4)
    with CaptureQueriesContext(connection) as five:
        response = client.get(UPLOAD)
    assert len(response.context["recent_imports"]) == 5
    assert len(five) == len(one)  # the authors come with the imports (select_related)


@pytest.mark.parametrize(
    ("upload", "fmt", "message"),
    [
        (SimpleUploadedFile("appeals.pdf", b"%PDF-1.4"), "pos", "Можно загрузить: .csv, .xlsx."),
        (SimpleUploadedFile("appeals.xlsx", "текст,адрес\n".encode()), "pos", "не соответствует расширению .xlsx"),
        (SimpleUploadedFile("appeals.csv", b"PK\x03\x04" + b"\x00" * 40), "pos", "Файл .csv не текстовый"),
        (SimpleUploadedFile("appeals.csv", b""), "pos", "Файл пуст."),
        (fixture_file("pos_export.csv"), "incident_manager", "нет обязательного столбца «Текст инцидента»"),
        (fixture_file("incident_manager.xlsx"), "pos", "нет обязательного столбца «Текст сообщения»"),
    ],
    ids=["extension", "fake-xlsx", "binary-csv", "empty", "wrong-format-csv", "wrong-format-xlsx"],
)
def test_a_bad_file_is_refused_with_a_russian_error(operator, client_for, media, upload, fmt, message):
    response = post(client_for(operator), upload, fmt=fmt)
    assert response.status_code == 200
    assert message in form_error(response)
    assert not AppealImport.objects.exists()


def test_a_file_over_the_size_limit_is_refused(operator, client_for, media, settings):
    settings.UPLOAD_MAX_SIZE = 100
    response = post(client_for(operator), fixture_file("bad_rows.csv"))
    assert form_error(response) == "Файл больше 100 байт: уменьшите его или разделите на части."
    assert not AppealImport.objects.exists()


def test_a_missing_import_is_404(operator, client_for):
    client = client_for(operator)
    assert client.get(reverse("appeals:import-detail", args=[999999])).status_code == 404
    assert client.get(reverse("appeals:import-status", args=[999999])).status_code == 404


def test_a_failed_import_shows_its_message(operator, client_for, media):
    imp = AppealImport.objects.create(
        file=SimpleUploadedFile("x.csv", "Отдел,Тема\nЖКХ,Вода\n".encode()),
        original_name="x.csv",
        format="incident_manager",
        channel="social",
    )
    run_import(imp.pk)
    html = client_for(operator).get(reverse("appeals:import-detail", args=[imp.pk])).content.decode()
    assert "Ошибка" in html and "нет обязательного столбца «Текст инцидента»" in html


# --- a real worker ---------------------------------------------------------------------------


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_an_uploaded_file_is_imported_by_a_real_worker(make_user, client_for, settings, tmp_path, monkeypatch):
    # The worker process must find the uploaded file: the same media root for both processes.
    settings.MEDIA_ROOT = tmp_path / "media"
    monkeypatch.setenv("VAR_DIR", str(tmp_path))
    client = client_for(make_user(Role.OPERATOR))

    with celery_worker():
        response = post(client, fixture_file("bad_rows.csv"), fmt="generic", channel="web")
        assert response.status_code == 302
        imp = AppealImport.objects.get()
        deadline = time.monotonic() + 30
        while imp.status not in (AppealImport.Status.DONE, AppealImport.Status.FAILED):
            assert time.monotonic() < deadline, f"the worker did not finish the import in 30 s: {imp.status}"
            time.sleep(0.2)
            imp.refresh_from_db()

    assert imp.status == AppealImport.Status.DONE, imp.message
    assert (imp.total_rows, imp.processed_rows, imp.created_count, imp.existing_count, imp.error_count) == (
        11, 11, 2, 1, 8,
    )  # fmt: skip
    assert set(Appeal.objects.values_list("external_id", flat=True)) == {"OK-1", "OK-2"}
    status = client.get(reverse("appeals:import-status", args=[imp.pk])).json()
    assert (status["status"], status["percent"]) == ("done", 100)
