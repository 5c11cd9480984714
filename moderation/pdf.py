"""A small PDF writer for the center's reports: headings, paragraphs and tables on A4 pages, in a
TrueType font embedded whole (Type0 / CIDFontType2, Identity-H), so Cyrillic renders and copies in any
viewer. No PDF library is a dependency of the project; this is all the reports need.

The font is DejaVu Sans (or Liberation Sans) from the system (Debian: fonts-dejavu-core), or the file
named by settings.REPORT_PDF_FONT. Without one, `PdfUnavailable` — the pages then offer XLSX only.
"""

import functools
import io
import struct
import zlib
from pathlib import Path

from django.conf import settings

from .errors import ModerationError

FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/TTF/DejaVuSans.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
)
PAGE_W, PAGE_H, MARGIN = 595.28, 841.89, 42.0


class PdfUnavailable(ModerationError):
    pass


class TrueTypeFont:
    """What a PDF needs from a .ttf: glyph ids by character, advance widths, metrics."""

    def __init__(self, data: bytes, name: str):
        self.data, self.name = data, name
        tables = {}
        (count,) = struct.unpack(">H", data[4:6])
        for i in range(count):
            tag, _checksum, offset, length = struct.unpack(">4sIII", data[12 + 16 * i : 28 + 16 * i])
            tables[tag.decode("latin-1")] = (offset, length)
        head, hhea, hmtx = tables["head"][0], tables["hhea"][0], tables["hmtx"][0]
        (self.units,) = struct.unpack(">H", data[head + 18 : head + 20])
        self.bbox = [self._scale(v) for v in struct.unpack(">hhhh", data[head + 36 : head + 44])]
        ascender, descender = struct.unpack(">hh", data[hhea + 4 : hhea + 8])
        self.ascent, self.descent = self._scale(ascender), self._scale(descender)
        (metrics,) = struct.unpack(">H", data[hhea + 34 : hhea + 36])
        self.advances = [struct.unpack(">H", data[hmtx + 4 * i : hmtx + 4 * i + 2])[0] for i in range(metrics)]
        self.cmap = self._read_cmap(tables["cmap"][0])

    def _scale(self, value: int) -> int:
        return round(value * 1000 / self.units)

    def _read_cmap(self, base: int) -> dict[int, int]:
        data = self.data
        (_version, count) = struct.unpack(">HH", data[base : base + 4])
        subtables = {}
        for i in range(count):
            platform, encoding, offset = struct.unpack(">HHI", data[base + 4 + 8 * i : base + 12 + 8 * i])
            subtables[(platform, encoding)] = base + offset
        for key in ((3, 10), (0, 4), (3, 1), (0, 3)):
            if key not in subtables:
                continue
            at = subtables[key]
            (fmt,) = struct.unpack(">H", data[at : at + 2])
            if fmt == 12:
                return self._format12(at)
            if fmt == 4:
                return self._format4(at)
        raise PdfUnavailable("Шрифт для PDF без таблицы символов Unicode.", code="bad_font")

    def _format4(self, at: int) -> dict[int, int]:
        data = self.data
        (seg2,) = struct.unpack(">H", data[at + 6 : at + 8])
        n = seg2 // 2

        def array(offset: int, signed: bool = False) -> list[int]:
            return list(struct.unpack(f">{n}{'h' if signed else 'H'}", data[offset : offset + seg2]))

        ends, starts = array(at + 14), array(at + 16 + seg2)
        deltas, ranges = array(at + 16 + 2 * seg2, signed=True), array(at + 16 + 3 * seg2)
        range_base = at + 16 + 3 * seg2
        mapping = {}
        for i in range(n):
            for code in range(starts[i], ends[i] + 1):
                if code == 0xFFFF:
                    continue
                if ranges[i] == 0:
                    glyph = (code + deltas[i]) & 0xFFFF
                else:
                    address = range_base + 2 * i + ranges[i] + 2 * (code - starts[i])
                    (glyph,) = struct.unpack(">H", data[address : address + 2])
                    glyph = (glyph + deltas[i]) & 0xFFFF if glyph else 0
                if glyph:
                    mapping[code] = glyph
        return mapping

    def _format12(self, at: int) -> dict[int, int]:
        (groups,) = struct.unpack(">I", self.data[at + 12 : at + 16])
        mapping = {}
        for g in range(groups):
            first, last, glyph = struct.unpack(">III", self.data[at + 16 + 12 * g : at + 28 + 12 * g])
            for code in range(first, min(last, 0x2FFFF) + 1):
                mapping[code] = glyph + code - first
        return mapping

    def glyph(self, char: str) -> int:
        return self.cmap.get(ord(char), self.cmap.get(ord("?"), 0))

    def advance(self, glyph: int) -> int:
        return self._scale(self.advances[min(glyph, len(self.advances) - 1)])

    def width(self, text: str, size: float) -> float:
        return sum(self.advance(self.glyph(c)) for c in text) * size / 1000


@functools.cache
def _load_font(path: str) -> TrueTypeFont:
    return TrueTypeFont(Path(path).read_bytes(), Path(path).stem.replace(" ", ""))


def find_font() -> TrueTypeFont:
    """The report font, or PdfUnavailable with what to install."""
    configured = getattr(settings, "REPORT_PDF_FONT", "")
    for path in ((configured,) if configured else ()) + FONT_CANDIDATES:
        if path and Path(path).is_file():
            return _load_font(path)
    raise PdfUnavailable(
        "PDF недоступен: на сервере нет шрифта DejaVu Sans (пакет fonts-dejavu-core) или REPORT_PDF_FONT. "
        "Выгрузите отчёт в XLSX.",
        code="no_font",
    )


class Document:
    """Pages of text: `heading`, `paragraph`, `table`, then `render()` → PDF bytes."""

    def __init__(self, title: str = ""):
        self.font = find_font()
        self.title = title
        self.pages: list[list[str]] = []
        self.used: dict[int, str] = {}
        self._new_page()

    # --- layout ------------------------------------------------------------------------------

    def _new_page(self) -> None:
        self.pages.append([])
        self.y = PAGE_H - MARGIN

    def _need(self, height: float) -> None:
        if self.y - height < MARGIN:
            self._new_page()

    def _hex(self, text: str) -> str:
        out = []
        for char in text:
            glyph = self.font.glyph(char)
            self.used.setdefault(glyph, char)
            out.append(f"{glyph:04X}")
        return "".join(out)

    def text(self, x: float, y: float, text: str, size: float) -> None:
        self.pages[-1].append(f"BT /F1 {size:.1f} Tf {x:.2f} {y:.2f} Td <{self._hex(text)}> Tj ET")

    def wrap(self, text: str, width: float, size: float) -> list[str]:
        lines: list[str] = []
        for paragraph in str(text).split("\n"):
            line = ""
            for word in paragraph.split(" "):
                candidate = f"{line} {word}" if line else word
                if self.font.width(candidate, size) <= width or not line:
                    line = candidate
                else:
                    lines.append(line)
                    line = word
            lines.append(line)
        return lines

    def heading(self, text: str, size: float = 14) -> None:
        for line in self.wrap(text, PAGE_W - 2 * MARGIN, size):
            self._need(size * 1.4)
            self.y -= size * 1.4
            self.text(MARGIN, self.y, line, size)
        self.y -= size * 0.4

    def paragraph(self, text: str, size: float = 9.5) -> None:
        for line in self.wrap(text, PAGE_W - 2 * MARGIN, size):
            self._need(size * 1.35)
            self.y -= size * 1.35
            self.text(MARGIN, self.y, line, size)
        self.y -= size * 0.5

    def table(self, headers: list[str], rows: list[list[str]], widths: list[float], size: float = 9) -> None:
        """Rows with wrapped cells and a rule under each; the header repeats on a new page."""
        total = PAGE_W - 2 * MARGIN
        columns = [w * total / sum(widths) for w in widths]
        leading = size * 1.3

        def draw(cells: list[str], bold_rule: bool = False) -> None:
            wrapped = [self.wrap(str(c), col - 6, size) for c, col in zip(cells, columns, strict=True)]
            height = max(len(w) for w in wrapped) * leading + 4
            if self.y - height < MARGIN:
                self._new_page()
                if not bold_rule:
                    draw(headers, bold_rule=True)
            x = MARGIN
            for lines, col in zip(wrapped, columns, strict=True):
                for n, line in enumerate(lines):
                    self.text(x + 3, self.y - leading * (n + 1) + 2, line, size)
                x += col
            self.y -= height
            width = 1.0 if bold_rule else 0.3
            self.pages[-1].append(f"{width} w {MARGIN:.2f} {self.y:.2f} m {MARGIN + total:.2f} {self.y:.2f} l S")

        draw(headers, bold_rule=True)
        for row in rows:
            draw(row)
        self.y -= size

    # --- output ----------------------------------------------------------------------------------

    def render(self) -> bytes:
        font = self.font
        objects: list[bytes] = []

        def add(body: bytes) -> int:
            objects.append(body)
            return len(objects)

        def stream(data: bytes, extra: str = "", compress: bool = True) -> bytes:
            if compress:
                data = zlib.compress(data)
                extra += " /Filter /FlateDecode"
            return f"<< /Length {len(data)}{extra} >>\nstream\n".encode() + data + b"\nendstream"

        catalog = add(b"")  # filled in below: it names the pages object
        pages = add(b"")
        font_file = add(stream(font.data, f" /Length1 {len(font.data)}"))
        descriptor = add(
            (
                f"<< /Type /FontDescriptor /FontName /{font.name} /Flags 32 "
                f"/FontBBox [{' '.join(map(str, font.bbox))}] "
                f"/ItalicAngle 0 /Ascent {font.ascent} /Descent {font.descent} /CapHeight {font.ascent} /StemV 80 "
                f"/FontFile2 {font_file} 0 R >>"
            ).encode()
        )
        cid_font = add(b"")  # the width and Unicode tables are written last: the footers add glyphs
        to_unicode = add(b"")
        type0 = add(
            (
                f"<< /Type /Font /Subtype /Type0 /BaseFont /{font.name} /Encoding /Identity-H "
                f"/DescendantFonts [{cid_font} 0 R] /ToUnicode {to_unicode} 0 R >>"
            ).encode()
        )
        page_ids = []
        for number, content in enumerate(self.pages, start=1):
            label = self._hex(f"Стр. {number} из {len(self.pages)}")
            footer = f"BT /F1 8 Tf {PAGE_W - MARGIN - 60:.2f} 20 Td <{label}> Tj ET"
            body = "\n".join([*content, footer]).encode()
            content_id = add(stream(body, compress=False))
            page_ids.append(
                add(
                    (
                        f"<< /Type /Page /Parent {pages} 0 R /MediaBox [0 0 {PAGE_W} {PAGE_H}] "
                        f"/Resources << /Font << /F1 {type0} 0 R >> >> /Contents {content_id} 0 R >>"
                    ).encode()
                )
            )
        glyphs = sorted(self.used)
        widths = " ".join(f"{g} [{font.advance(g)}]" for g in glyphs)
        objects[cid_font - 1] = (
            f"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /{font.name} "
            f"/CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> "
            f"/FontDescriptor {descriptor} 0 R /W [{widths}] /CIDToGIDMap /Identity >>"
        ).encode()
        objects[to_unicode - 1] = stream(self._to_unicode(glyphs).encode())
        objects[pages - 1] = (
            f"<< /Type /Pages /Kids [{' '.join(f'{p} 0 R' for p in page_ids)}] /Count {len(page_ids)} >>"
        ).encode()
        info = add(f"<< /Title <FEFF{self.title.encode('utf-16-be').hex().upper()}> /Producer (CUR) >>".encode())
        objects[catalog - 1] = f"<< /Type /Catalog /Pages {pages} 0 R >>".encode()

        out = io.BytesIO()
        out.write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
        offsets = []
        for number, body in enumerate(objects, start=1):
            offsets.append(out.tell())
            out.write(f"{number} 0 obj\n".encode() + body + b"\nendobj\n")
        xref = out.tell()
        out.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode())
        for offset in offsets:
            out.write(f"{offset:010d} 00000 n \n".encode())
        out.write(f"trailer\n<< /Size {len(objects) + 1} /Root {catalog} 0 R /Info {info} 0 R >>\n".encode())
        out.write(f"startxref\n{xref}\n%%EOF\n".encode())
        return out.getvalue()

    def _to_unicode(self, glyphs: list[int]) -> str:
        lines = [
            "/CIDInit /ProcSet findresource begin",
            "12 dict begin",
            "begincmap",
            "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def",
            "/CMapName /Adobe-Identity-UCS def",
            "/CMapType 2 def",
            "1 begincodespacerange",
            "<0000> <FFFF>",
            "endcodespacerange",
        ]
        for start in range(0, len(glyphs), 100):
            chunk = glyphs[start : start + 100]
            lines.append(f"{len(chunk)} beginbfchar")
            lines += [f"<{g:04X}> <{self.used[g].encode('utf-16-be').hex().upper()}>" for g in chunk]
            lines.append("endbfchar")
        lines += ["endcmap", "CMapName currentdict /CMap defineresource pop", "end", "end"]
        return "\n".join(lines)
