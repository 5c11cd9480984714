"""Every upload point refuses a file that is too big, of another type, an executable renamed to an
allowed extension, or a zip bomb dressed as a workbook — with a Russian message, storing nothing."""

import io
import zipfile
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from appeals.models import AppealImport
from cur.roles import Role
from cur.uploads import UploadValidator
from heatmap.models import PollImport
from heatmap.polls import TEMPLATE_HEADER
from informing.models import Material, MaterialVersion
from moderation.models import MessageImport

FIXTURES = Path(__file__).resolve().parent.parent / "appeals" / "fixtures"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 200
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
VALIDATOR_MESSAGES = ("Файл больше", "Недопустимый тип файла", "не соответствует расширению", "не текстовый", "архив")


def ooxml(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def zip_bomb() -> bytes:
    """A 40 MB sheet of nothing, packed to ~40 KB: a well-formed OOXML package."""
    return ooxml({"[Content_Types].xml": b"<Types/>", "xl/worksheets/sheet1.xml": b"\x00" * (40 * 1024 * 1024)})


@pytest.fixture
def material(db):
    return Material.objects.create(title="Памятка о вывозе мусора")


# name, role, URL, other form fields, a good file (name, bytes), the extension a zip bomb takes, model
POINTS = {
    "appeal-import": (
        Role.OPERATOR,
        lambda m: reverse("appeals:import-upload"),
        {"format": "pos", "channel": "pos"},
        ("appeals.csv", (FIXTURES / "pos_export.csv").read_bytes()),
        "xlsx",
        AppealImport,
    ),
    "poll-import": (
        Role.CURATOR,
        lambda m: reverse("heatmap:poll-import"),
        {},
        ("itogi.csv", (";".join(TEMPLATE_HEADER) + "\r\n").encode() * 3),
        None,
        PollImport,
    ),
    "moderation-import": (
        Role.MODERATOR,
        lambda m: reverse("moderation:import"),
        {},
        ("messages.csv", "текст;сеть;ссылка;автор\r\nНе вывозят мусор;vk;https://vk.com/wall1;Иван\r\n".encode()),
        "xlsx",
        MessageImport,
    ),
    "material": (
        Role.MODERATOR,
        lambda m: reverse("informing:material-create"),
        {"title": "Памятка", "kind": "post"},
        ("pamyatka.pdf", PDF),
        "docx",
        Material,
    ),
    "material-version": (
        Role.MODERATOR,
        lambda m: reverse("informing:material-version", args=[m.pk]),
        {"title": "Для ВКонтакте", "channel": "social", "format": "post"},
        ("pamyatka.pdf", PDF),
        "pptx",
        MaterialVersion,
    ),
}


def bad_files(point: str) -> list[tuple[str, str, bytes, str]]:
    """(case, file name, content, expected message) for an upload point."""
    good_name, good = POINTS[point][3]
    stem, ext = good_name.rsplit(".", 1)
    files = [
        ("wrong-type", f"{stem}.exe", EXE, "Недопустимый тип файла"),
        ("renamed-exe", f"{stem}.{ext}", EXE, "не соответствует расширению" if ext == "pdf" else "не текстовый"),
    ]
    if POINTS[point][4]:
        bomb_ext = POINTS[point][4]
        files += [
            ("renamed-exe-as-office", f"{stem}.{bomb_ext}", EXE, f"не соответствует расширению .{bomb_ext}"),
            ("zip-without-content-types", f"{stem}.{bomb_ext}", ooxml({"a.txt": b"x"}), "не соответствует"),
            ("zip-bomb", f"{stem}.{bomb_ext}", zip_bomb(), "архив-бомбу"),
        ]
    return files


def post(client, point, material, name, content):
    _role, url, fields, *_ = POINTS[point]
    # Forms re-render with the error; action views (a material's version) redirect and flash it.
    return client.post(url(material), {**fields, "file": SimpleUploadedFile(name, content)}, follow=True)


@pytest.fixture
def uploader(make_user, client_for, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path

    def as_role(point):
        return client_for(make_user(POINTS[point][0]))

    return as_role


@pytest.mark.parametrize("point", POINTS)
def test_a_good_file_passes_the_upload_check(point, uploader, material):
    name, content = POINTS[point][3]
    model, before = POINTS[point][5], POINTS[point][5].objects.count()
    response = post(uploader(point), point, material, name, content)
    assert not any(message in response.content.decode() for message in VALIDATOR_MESSAGES)
    if point in ("material", "material-version"):  # stored at once (imports run in the worker)
        assert model.objects.count() == before + 1


@pytest.mark.parametrize("point", POINTS)
def test_a_file_over_the_size_limit_is_refused(point, uploader, material, settings):
    settings.UPLOAD_MAX_SIZE = 64
    name, content = POINTS[point][3]
    model, before = POINTS[point][5], POINTS[point][5].objects.count()
    response = post(uploader(point), point, material, name, content)
    assert response.status_code == 200
    assert "Файл больше 64 байт: уменьшите его или разделите на части." in response.content.decode()
    assert model.objects.count() == before


@pytest.mark.parametrize(
    ("point", "case", "name", "content", "message"),
    [(point, *bad) for point in POINTS for bad in bad_files(point)],
    ids=[f"{point}-{bad[0]}" for point in POINTS for bad in bad_files(point)],
)
def test_a_file_of_another_type_is_refused(point, case, name, content, message, uploader, material):
    model, before = POINTS[point][5], POINTS[point][5].objects.count()
    response = post(uploader(point), point, material, name, content)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert model.objects.count() == before


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("cp1251.csv", (FIXTURES / "generic_cp1251.csv").read_bytes()),
        ("bom-tab.csv", (FIXTURES / "generic_bom_tab.csv").read_bytes()),
        ("utf16.csv", "текст;адрес\r\nямы на дороге;Рязань\r\n".encode("utf-16")),
        ("real.xlsx", (FIXTURES / "incident_manager.xlsx").read_bytes()),
        ("scan.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 32),
        ("photo.JPG", b"\xff\xd8\xff\xe0" + b"\x00" * 32),
        ("clip.mp4", b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 32),
    ],
)
def test_the_validator_accepts_real_files_of_allowed_types(name, content, settings):
    UploadValidator(["csv", "xlsx", "png", "jpg", "mp4"])(SimpleUploadedFile(name, content))


def test_the_validator_keeps_the_smaller_limit_of_a_form(settings):
    settings.UPLOAD_MAX_SIZE = 20 * 1024 * 1024
    with pytest.raises(ValidationError, match="Файл больше 1 КБ"):
        UploadValidator(["csv"], max_bytes=1024)(SimpleUploadedFile("big.csv", b"a;b\r\n" * 300))
    settings.UPLOAD_MAX_SIZE = 100
    with pytest.raises(ValidationError, match="Файл больше 100 байт"):
        UploadValidator(["csv"], max_bytes=1024)(SimpleUploadedFile("big.csv", b"a;b\r\n" * 30))


def test_django_caps_request_bodies_and_in_memory_uploads(settings):
    from django.conf import settings as live

    assert live.DATA_UPLOAD_MAX_MEMORY_SIZE == live.FILE_UPLOAD_MAX_MEMORY_SIZE == 5 * 1024 * 1024
    assert live.UPLOAD_MAX_SIZE == 20 * 1024 * 1024
