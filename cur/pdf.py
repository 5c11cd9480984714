"""PDF documents of the center's reports, on fpdf2: A4 pages with headings, paragraphs and tables in an
embedded TrueType font (DejaVu Sans), so Cyrillic renders, copies and is extractable in any viewer.

The font comes from settings.REPORT_PDF_FONT or the system (Debian: fonts-dejavu-core). Without one,
`PdfUnavailable` — the pages then offer XLSX only.
"""

import logging
from pathlib import Path

from django.conf import settings
from fpdf import FPDF
from fpdf.fonts import FontFace

from .errors import DomainError

FONT_CANDIDATES = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/TTF/DejaVuSans.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
)
FONT = "report"
# fontTools logs every subsetting step at INFO.
logging.getLogger("fontTools").setLevel(logging.WARNING)


class PdfUnavailable(DomainError):
    pass


def find_font() -> str:
    """The path of the report font, or PdfUnavailable with what to install."""
    configured = getattr(settings, "REPORT_PDF_FONT", "")
    for path in ((configured,) if configured else ()) + FONT_CANDIDATES:
        if path and Path(path).is_file():
            return path
    raise PdfUnavailable(
        "PDF недоступен: на сервере нет шрифта DejaVu Sans (пакет fonts-dejavu-core) или REPORT_PDF_FONT. "
        "Выгрузите отчёт в XLSX.",
        code="no_font",
    )


class _Pdf(FPDF):
    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(FONT, size=8)
        self.cell(0, 6, f"Стр. {self.page_no()} из {{nb}}", align="R")


def _clean(text) -> str:
    # Control characters (other than line breaks) would end up as missing glyphs.
    return "".join(c for c in str(text) if c in "\n\t" or c.isprintable())


class Document:
    """Pages of text: `heading`, `paragraph`, `table`, then `render()` → PDF bytes."""

    def __init__(self, title: str = ""):
        self.pdf = _Pdf(format="A4")
        self.pdf.add_font(FONT, "", find_font())
        self.pdf.set_title(title)
        self.pdf.set_producer("ЦУР")
        self.pdf.set_margins(15, 15, 15)
        self.pdf.set_auto_page_break(True, margin=18)
        self.pdf.add_page()

    def heading(self, text: str, size: float = 14) -> None:
        self.pdf.set_font(FONT, size=size)
        self.pdf.multi_cell(0, size * 0.5, _clean(text), new_x="LMARGIN", new_y="NEXT")
        self.pdf.ln(size * 0.15)

    def paragraph(self, text: str, size: float = 9.5) -> None:
        self.pdf.set_font(FONT, size=size)
        self.pdf.multi_cell(0, size * 0.5, _clean(text), new_x="LMARGIN", new_y="NEXT")
        self.pdf.ln(size * 0.2)

    def table(self, headers: list[str], rows: list[list[str]], widths: list[float], size: float = 9) -> None:
        """Rows with wrapped cells; the header repeats on a new page."""
        self.pdf.set_font(FONT, size=size)
        style = FontFace(emphasis="", fill_color=(225, 230, 240))
        with self.pdf.table(col_widths=tuple(widths), headings_style=style, line_height=size * 0.5) as table:
            for values in [headers, *rows]:
                row = table.row()
                for value in values:
                    row.cell(_clean(value))
        self.pdf.ln(size * 0.3)

    def render(self) -> bytes:
        return bytes(self.pdf.output())
