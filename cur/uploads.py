"""One validator for every uploaded file: size, extension and content that matches the extension.

The extension alone proves nothing (a renamed .exe is still an .exe), so the first bytes are checked
too: an XLSX/DOCX/PPTX is a zip with [Content_Types].xml (and does not unpack into gigabytes), a PDF
starts with %PDF-, a CSV decodes as text, and so on. The size limit is settings.UPLOAD_MAX_SIZE,
or a smaller one a form asks for. Messages are for the user, in Russian.
"""

import zipfile

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible

SNIFF_BYTES = 64 * 1024
# A big zip member that unpacks more than this many times its packed size is a zip bomb, not a
# workbook (real XLSX sheets compress 5–20×; deflate's ceiling is ~1000×); and no document we accept
# unpacks into more than MAX_ZIP_UNPACKED in total.
MAX_ZIP_RATIO = 200
ZIP_RATIO_FROM = 1024 * 1024
MAX_ZIP_UNPACKED = 1024 * 1024 * 1024

OOXML = {"xlsx", "docx", "pptx"}
# First bytes of other files that must never pass as text (executables, archives, documents).
BINARY_MAGIC = (b"MZ", b"\x7fELF", b"PK\x03\x04", b"%PDF", b"\xd0\xcf\x11\xe0", b"Rar!", b"7z\xbc\xaf", b"\x1f\x8b")
# Control characters other than tab, line feed, form feed and carriage return: none in a text file.
CONTROL_BYTES = bytes(set(range(32)) - {9, 10, 12, 13})
MAGIC = {
    "pdf": (b"%PDF-",),
    "png": (b"\x89PNG\r\n\x1a\n",),
    "jpg": (b"\xff\xd8\xff",),
    "jpeg": (b"\xff\xd8\xff",),
    "gif": (b"GIF87a", b"GIF89a"),
    "doc": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",),
    "xls": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",),
}


def _size(size: int) -> str:
    for unit, scale in (("МБ", 1024 * 1024), ("КБ", 1024)):
        if size >= scale:
            return f"{size / scale:.3g} {unit}".replace(".", ",")
    return f"{size} байт"


@deconstructible
class UploadValidator:
    """Rejects an upload that is too big, has another extension, or whose content does not match it."""

    def __init__(self, extensions, max_bytes: int | None = None):
        self.extensions = tuple(ext.lower().lstrip(".") for ext in extensions)
        self.max_bytes = max_bytes

    def __eq__(self, other):
        return (
            isinstance(other, UploadValidator)
            and self.extensions == other.extensions
            and self.max_bytes == other.max_bytes
        )

    def limit(self) -> int:
        limit = settings.UPLOAD_MAX_SIZE
        return min(limit, self.max_bytes) if self.max_bytes else limit

    def __call__(self, upload) -> None:
        limit = self.limit()
        if upload.size > limit:
            raise ValidationError(f"Файл больше {_size(limit)}: уменьшите его или разделите на части.", code="too_big")
        if upload.size == 0:
            raise ValidationError("Файл пуст.", code="empty")
        name = (upload.name or "").lower()
        ext = name.rsplit(".", 1)[-1] if "." in name else ""
        if ext not in self.extensions:
            allowed = ", ".join(f".{e}" for e in self.extensions)
            raise ValidationError(f"Недопустимый тип файла. Можно загрузить: {allowed}.", code="bad_extension")
        upload.seek(0)
        head = upload.read(SNIFF_BYTES)
        upload.seek(0)
        try:
            _check_content(upload, ext, head)
        finally:
            upload.seek(0)


def _mismatch(ext: str) -> ValidationError:
    return ValidationError(
        f"Содержимое файла не соответствует расширению .{ext}: файл повреждён или это файл другого типа.",
        code="bad_content",
    )


def _check_content(upload, ext: str, head: bytes) -> None:
    if ext in ("csv", "txt"):
        if not _is_text(head):
            raise ValidationError(
                f"Файл .{ext} не текстовый. Таблицу Excel сохраните как .xlsx или как CSV (текст).", code="not_text"
            )
    elif ext in OOXML or ext == "odt":
        if not head.startswith(b"PK\x03\x04"):
            raise _mismatch(ext)
        _check_zip(upload, ext)
    elif ext == "webp":
        if not (head[:4] == b"RIFF" and head[8:12] == b"WEBP"):
            raise _mismatch(ext)
    elif ext == "mp4":
        if head[4:8] != b"ftyp":
            raise _mismatch(ext)
    elif ext in MAGIC:
        if not head.startswith(MAGIC[ext]):
            raise _mismatch(ext)
    else:  # an extension without a known signature is a programming error, not the user's
        raise ValueError(f"UploadValidator: неизвестная сигнатура для .{ext}")


def _is_text(head: bytes) -> bool:
    """UTF-8, UTF-16 with a BOM, or Windows-1251 text without control characters."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text = head[: len(head) // 2 * 2].decode("utf-16")
        except UnicodeDecodeError:
            return False
        return not any(ch in text for ch in CONTROL_BYTES.decode("latin-1"))
    if head.startswith(BINARY_MAGIC) or any(b in CONTROL_BYTES for b in head):
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        # The sniffed head may cut a multi-byte character at its end; otherwise try Windows-1251.
        if exc.start < len(head) - 3:
            try:
                head.decode("cp1251")
            except UnicodeDecodeError:
                return False
    return True


def _check_zip(upload, ext: str) -> None:
    try:
        with zipfile.ZipFile(upload) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise _mismatch(ext) from exc
    names = {m.filename for m in members}
    if (ext in OOXML and "[Content_Types].xml" not in names) or (ext == "odt" and "mimetype" not in names):
        raise _mismatch(ext)
    total = sum(m.file_size for m in members)
    bomb = any(m.file_size > ZIP_RATIO_FROM and m.file_size > MAX_ZIP_RATIO * m.compress_size for m in members)
    if bomb or total > MAX_ZIP_UNPACKED:
        raise ValidationError(
            f"Файл .{ext} распаковывается в слишком большой объём: похоже на архив-бомбу, загрузка отклонена.",
            code="zip_bomb",
        )
