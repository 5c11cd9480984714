"""What the CSV and XLSX exports of several apps share. Every text cell that a spreadsheet would read
as a formula is neutralised with a leading apostrophe (CSV/formula injection); text pasted from other
systems loses the control characters XML cannot hold."""

from typing import Any

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

# What Excel, LibreOffice and Google Sheets start a formula (or DDE) with.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
CSV_DELIMITER = ";"  # what a Russian Excel expects when it opens a .csv
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def neutralise(value: Any) -> Any:
    """A text a spreadsheet would run as a formula becomes plain text: `=1+1` → `'=1+1`."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def sheet_text(value: str) -> str:
    """A text for an XLSX cell: control characters (illegal in XML) dropped, a formula neutralised."""
    return neutralise(ILLEGAL_CHARACTERS_RE.sub("", value))


class Echo:
    """A file-like object whose write returns the line, so csv.writer feeds a generator."""

    def write(self, value: str) -> str:
        return value
