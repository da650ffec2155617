"""Reading partner files, whatever they hold: their bytes, their text, and their cells as grids.

The adapters decide what a file must look like (returns/read.py: a Cover and a Data sheet read
strictly as the partner sees them; cases/read.py: one header over many rows, loaded by DuckDB)
and word their refusals for the partner; the mechanics they share live here. Two workbook
readers stay: openpyxl sees what a return must be refused for (hidden cells, merged cells,
formulas saved without results), and python-calamine reads values only, fast enough for
national case lists.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime, time, timedelta
from pathlib import Path

import python_calamine
from openpyxl.worksheet.worksheet import Worksheet

CellValue = str | int | float | bool | date | datetime | time | timedelta | None
#: Numbered rows of cell values: (sheet row or CSV line, cells).
Grid = list[tuple[int, list[CellValue]]]

#: The sheet holding a file's rows, in returns and case lists alike.
DATA_SHEET = "Data"
#: UTF-8 (with or without BOM), else Windows-1252 as Excel saves CSV.
CSV_ENCODINGS = ("utf-8-sig", "cp1252")
MB = 1024 * 1024
#: How many cells or ranges a message lists before saying how many more there are.
MAX_LISTED = 5

_ZIP_SIGNATURE = b"PK\x03\x04"
# Compound File (OLE) documents: Excel 97-2003 workbooks, and password-protected (encrypted)
# workbooks of any version, which keep their encrypted package in a stream of this name.
_OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


class UnreadableFile(Exception):
    """A file that cannot be read at all; `problem` says why, for the partner, quoting nothing
    the file holds."""

    def __init__(self, file_name: str, problem: str, cover: dict | None = None) -> None:
        super().__init__(f"{file_name}: {problem}")
        self.file_name = file_name
        self.problem = problem
        #: The cover fields read before the file was refused (a workbook refused for its Data
        #: sheet still says whose and which quarter it is), else empty.
        self.cover = cover or {}

    def __reduce__(self) -> tuple[type, tuple[str, str, dict]]:
        # raised in the file budget's worker process and again in the caller (intake.budget)
        return (type(self), (self.file_name, self.problem, self.cover))


def file_bytes(path: Path, max_bytes: int, too_large: Callable[[int], str]) -> bytes:
    """The file's bytes; UnreadableFile if it cannot be opened, is larger than `max_bytes`
    (`too_large` words why, given the size) or is empty."""
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise UnreadableFile(path.name, too_large(size))
        content = path.read_bytes()
    except OSError as error:
        raise UnreadableFile(
            path.name, f"the file could not be opened ({error.strerror or error})."
        ) from None
    if not content.strip(b"\xef\xbb\xbf \t\r\n"):
        raise UnreadableFile(path.name, "the file is empty.")
    return content


def file_kind(content: bytes) -> str | None:
    """What a file that is not plain text is, from its first bytes (None for plain text)."""
    if content.startswith(_ZIP_SIGNATURE):
        return "an Excel workbook (.xlsx) or another zip file"
    if content.startswith(_OLE_SIGNATURE):
        return "an Excel 97-2003 workbook (.xls) or a password-protected workbook"
    if content.startswith(b"%PDF"):
        return "a PDF document"
    if content.startswith(_UTF16_BOMS):
        return "text saved as UTF-16 ('Unicode Text')"
    return "a binary file" if b"\x00" in content else None


def is_zip(content: bytes) -> bool:
    """Whether the bytes are a zip archive, as every .xlsx workbook is."""
    return content.startswith(_ZIP_SIGNATURE)


def is_ole(content: bytes) -> bool:
    """Whether the bytes are an OLE compound document (.xls, or an encrypted workbook)."""
    return content.startswith(_OLE_SIGNATURE)


def decoded_text(content: bytes) -> tuple[str, str] | None:
    """The text and the first of CSV_ENCODINGS that decodes it, or None if none does."""
    for encoding in CSV_ENCODINGS:
        try:
            return content.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    return None


def filled(value: CellValue) -> bool:
    """Whether a cell holds anything but blanks."""
    return value is not None and (not isinstance(value, str) or bool(value.strip()))


def cell_at(cells: Sequence[CellValue], position: int) -> CellValue:
    """The cell at `position`, None beyond the end of a short row."""
    return cells[position] if position < len(cells) else None


def nonblank_rows(rows: Sequence[tuple[int, Sequence[CellValue]]]) -> Grid:
    """The numbered rows that have at least one non-blank cell."""
    return [(number, list(cells)) for number, cells in rows if any(map(filled, cells))]


def sheet_grid(sheet: Worksheet) -> Grid:
    """The non-blank rows of an openpyxl worksheet, numbered as Excel numbers them."""
    rows = sheet.iter_rows(min_row=1, min_col=1, values_only=True)
    return nonblank_rows(list(enumerate(rows, start=1)))


def listed(items: Sequence[str]) -> str:
    """Up to MAX_LISTED items, then how many more."""
    more = len(items) - MAX_LISTED
    return ", ".join(items[:MAX_LISTED]) + (f" and {more} more" if more > 0 else "")


def workbook_sheet_names(path: Path) -> list[str]:
    """The sheet names of the workbook at `path`; python_calamine.CalamineError if it is not
    a readable workbook."""
    return python_calamine.CalamineWorkbook.from_path(str(path)).sheet_names


def workbook_rows(path: Path, sheet: str) -> list[list[object]]:
    """Every row of a workbook sheet from A1, as python-calamine types its cells."""
    workbook = python_calamine.CalamineWorkbook.from_path(str(path))
    return workbook.get_sheet_by_name(sheet).to_python(skip_empty_area=False)


def cell_text(value: object) -> str | None:
    """A workbook cell as the text a CSV would hold: dates ISO, whole numbers without '.0'."""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = "" if value is None else str(value).strip()
    return text or None
