"""Reading a partner return file (XLSX or CSV) into raw cells, remembering where each came from.

Nothing is judged here beyond "can this be read at all": values stay as the partner typed them,
so validation can both type them and quote them back. Headers are matched to the declared cover
fields and columns (by name, title or alias, ignoring case, spaces and punctuation); the file's
own cover says which return it is, and the file name is never parsed.

A file is refused (UnreadableFile, saying what to send instead) when it is not really XLSX or
CSV whatever its name says, is too large, or is a workbook whose figures cannot be read as the
partner sees them: merged cells, hidden sheets, rows or columns, or formulas saved without their
result. A formula saved with its result is read as that result, which is what Excel showed.

XLSX: a "Cover" sheet (labels in column A, values in column B, anything else ignored) and a
"Data" sheet (header in row 1, one row of figures per line below).
CSV: one header row holding the cover fields and the data columns; the cover values are repeated
on every row.
"""

from __future__ import annotations

import csv
import io
import math
import re
import warnings
import zipfile
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import openpyxl
import pandas as pd
from openpyxl.cell.cell import Cell
from openpyxl.utils import get_column_letter
from openpyxl.utils.cell import column_index_from_string, coordinate_from_string
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from lscb_metrics.intake.declarations import label_key
from lscb_metrics.intake.read import (
    DATA_SHEET,
    MB,
    CellValue,
    Grid,
    UnreadableFile,
    cell_at,
    decoded_text,
    file_bytes,
    file_kind,
    filled,
    is_ole,
    is_zip,
    listed,
    sheet_grid,
)
from lscb_metrics.returns.spec import (
    CoverField,
    ReturnSpec,
    cover_index,
    load_cover_fields,
    load_return_specs,
    return_spec_named,
)

FileFormat = Literal["xlsx", "csv"]

COVER_SHEET = "Cover"
HEADER_ROW = 1
ACCEPTED_SUFFIXES = (".xlsx", ".csv")

#: The largest file read. A return holds one quarter's aggregate figures: a few kilobytes.
MAX_FILE_MB = 20
#: The most a workbook may unpack to, so that a small file cannot unpack to gigabytes.
MAX_UNPACKED_MB = 100
#: The most rows of figures a return may have: returns hold totals, never a row per child.
MAX_ROWS = 1_000
#: How far down and across a return's sheet may reach (figures, notes and blank rows included):
#: a workbook's size is checked against these before any row is built, so one stray cell at
#: XFD1048576 cannot make a reader build a billion empty cells.
MAX_SHEET_ROWS = 2 * MAX_ROWS
MAX_COLUMNS = 100
#: The longest text a cell may hold: a code, a figure or a short note.
MAX_CELL_CHARS = 2_000

# Password-protected (encrypted) workbooks of any version are OLE documents keeping their
# encrypted package in a stream of this name.
_ENCRYPTED_STREAM = "EncryptedPackage".encode("utf-16-le")
_WORKBOOK_PART = "xl/workbook.xml"
_WORKSHEETS = "xl/worksheets/"
# The used range a sheet declares, near the start of its XML (absent in some writers' files).
_DIMENSION = re.compile(rb"<(?:\w+:)?dimension\s+ref=\"(?:[A-Z]+[0-9]+:)?([A-Z]+[0-9]+)\"")
_DIMENSION_BYTES = 4096
# Parts that make a workbook act rather than hold figures: macros and links to other files.
_ACTIVE_PARTS = {
    "xl/vbaProject.bin": "macros",
    "xl/externalLinks/": "links to other workbooks",
}
# Functions that fetch from or parse the network when a workbook is opened or recalculated.
_FETCHING_FUNCTIONS = ("WEBSERVICE(", "FILTERXML(")
_SAVE_AS = (
    "Save it from Excel (File > Save As) as 'Excel Workbook (*.xlsx)' or as "
    "'CSV UTF-8 (Comma delimited) (*.csv)', and send that."
)
_SAVE_AS_CSV = "Save it from Excel as 'CSV UTF-8 (Comma delimited) (*.csv)'."
_OTHER_SEPARATORS = (";", "\t", "|")
#: The name of a data column with a blank header and figures below it, by its letter or number.
NO_HEADER = "(no header, column {})"
_NO_HEADER = re.compile(r"\(no header, column [A-Z0-9]+\)")


@dataclass(frozen=True)
class Locations:
    """Where things are in a return file, written the way the partner sees it."""

    file_format: FileFormat
    #: data column name -> XLSX column letter, or the CSV header as written where it is one of
    #: the return's, else the CSV column's number
    columns: Mapping[str, str | int]
    #: cover field name -> where its value was read
    cover_cells: Mapping[str, str]
    header_row: int = HEADER_ROW

    def cell(self, row: int, column: str) -> str:
        """One data cell: `Data!C14`, or `line 14, column "Referrals"`."""
        return cell_location(self.file_format, row, self.columns[column])

    def row(self, row: int) -> str:
        """A whole row: `Data!14:14` (as Excel writes a row), or `line 14`."""
        return f"{DATA_SHEET}!{row}:{row}" if self.file_format == "xlsx" else f"line {row}"

    def header(self, column: str) -> str:
        """The header cell of a data column."""
        return self.cell(self.header_row, column)

    def cover(self, field: str) -> str:
        """Where a cover field's value is, or where it belongs when it is absent."""
        default = COVER_SHEET if self.file_format == "xlsx" else self.row(self.header_row)
        return self.cover_cells.get(field, default)


@dataclass(frozen=True)
class Repeat:
    """A cover field or data column named a second time; the first one is the one read."""

    name: str
    label: str
    location: str


@dataclass(frozen=True)
class CoverConflict:
    """A CSV row whose cover value differs from the first row's (the first such row per field)."""

    field: str
    value: CellValue
    location: str
    first_value: CellValue
    first_location: str


@dataclass(frozen=True)
class LongLine:
    """A CSV line with values beyond the header's last column: a figure or note holding an
    unquoted comma, split in two, which moves every value after it one column on."""

    line: int
    values: int
    columns: int


@dataclass(frozen=True)
class RawReturn:
    """A return as read: cover values and data cells exactly as typed, with their locations.

    `data` has one row per non-blank row of figures, indexed by the sheet row (XLSX) or file line
    (CSV); its columns are canonical names where the header matched and the header text where
    it did not, so unexpected columns can be reported.
    """

    path: Path
    file_format: FileFormat
    cover: dict[str, CellValue]
    data: pd.DataFrame
    locations: Locations
    cover_fields: tuple[CoverField, ...]
    repeats: tuple[Repeat, ...] = ()
    cover_conflicts: tuple[CoverConflict, ...] = ()
    long_lines: tuple[LongLine, ...] = ()


@dataclass(frozen=True)
class _Columns:
    """The data columns found under a header."""

    names: dict[int, str]  # position -> column name
    references: dict[str, str | int]  # column name -> how a location refers to it
    repeats: tuple[Repeat, ...]


def read_return(
    path: Path,
    specs: Mapping[str, ReturnSpec] | None = None,
    cover_fields: Sequence[CoverField] | None = None,
) -> RawReturn:
    """The raw contents of the return at `path`; UnreadableFile if it cannot be read at all.

    `specs` and `cover_fields` default to the declarations in the project's `schemas/`.
    """
    specs = load_return_specs() if specs is None else specs
    cover_fields = load_cover_fields() if cover_fields is None else cover_fields
    suffix = path.suffix.lower()
    if suffix not in ACCEPTED_SUFFIXES:
        raise UnreadableFile(
            path.name,
            f"a file of type '{path.suffix or '(none)'}' cannot be read: only Excel workbooks "
            f"(.xlsx) and CSV files (.csv) are accepted. {_SAVE_AS}",
        )
    content = file_bytes(path, MAX_FILE_MB * MB, _too_large)
    if suffix == ".xlsx":
        return _xlsx_return(path, content, specs, cover_fields)
    return _csv_return(path, content, specs, cover_fields)


def unheaded(name: str) -> bool:
    """Whether a data column's name is the one read gives a column with a blank header."""
    return bool(_NO_HEADER.fullmatch(name))


def cell_location(file_format: FileFormat, row: int, reference: str | int) -> str:
    """A data cell: `Data!C14` (XLSX column letter), `line 14, column "Referrals"` (CSV, by its
    header), or `line 1, column 9` (CSV, by its number)."""
    if file_format == "xlsx":
        return f"{DATA_SHEET}!{reference}{row}"
    column = reference if isinstance(reference, int) else f'"{reference}"'
    return f"line {row}, column {column}"


def _too_large(size: int) -> str:
    """Why a file of `size` bytes is refused, its size rounded up so it never reads as the limit."""
    return (
        f"the file is {math.ceil(size * 10 / MB) / 10:.1f} MB; the limit is {MAX_FILE_MB} MB. "
        "A return holds one quarter's figures and is far smaller: check that this is the "
        "right file."
    )


def _xlsx_return(
    path: Path, content: bytes, specs: Mapping[str, ReturnSpec], cover_fields: Sequence[CoverField]
) -> RawReturn:
    """A return read from an Excel workbook."""
    cover_rows, data_rows = _xlsx_sheets(path, content, cover_fields)
    cover, cover_cells, repeats = _xlsx_cover(cover_rows, cover_fields)
    header = data_rows[0][1] if data_rows and data_rows[0][0] == HEADER_ROW else []
    body = [(number, cells) for number, cells in data_rows if number > HEADER_ROW]
    columns = _data_columns("xlsx", HEADER_ROW, header, body, _header_index(cover, specs))
    return RawReturn(
        path=path,
        file_format="xlsx",
        cover=cover,
        data=_data_frame(body, columns.names),
        locations=Locations("xlsx", columns.references, cover_cells),
        cover_fields=tuple(cover_fields),
        repeats=(*repeats, *columns.repeats),
    )


def _xlsx_cover(
    cover_rows: Grid, cover_fields: Sequence[CoverField]
) -> tuple[dict[str, CellValue], dict[str, str], list[Repeat]]:
    """The cover fields of a Cover sheet's rows, the cells holding them, and fields repeated."""
    index = cover_index(cover_fields)
    cover: dict[str, CellValue] = {}
    cover_cells: dict[str, str] = {}
    repeats: list[Repeat] = []
    for number, cells in cover_rows:
        label = _label(cell_at(cells, 0))
        field = index.get(label_key(label))
        if field is None:
            continue  # titles, notes and instructions around the fields
        if field in cover:
            repeats.append(Repeat(field, label, f"{COVER_SHEET}!A{number}"))
            continue
        cover[field] = cell_at(cells, 1)
        cover_cells[field] = f"{COVER_SHEET}!B{number}"
    return cover, cover_cells, repeats


def _xlsx_sheets(
    path: Path, content: bytes, cover_fields: Sequence[CoverField]
) -> tuple[Grid, Grid]:
    """The non-blank rows of a workbook's Cover and Data sheets, as the partner sees them; a
    refusal once the Cover sheet is read carries its fields (UnreadableFile.cover)."""
    _check_workbook_file(path.name, content)
    values = _workbook(path.name, content, data_only=True)
    for sheet in values.worksheets:
        _check_extent(path.name, sheet.max_row, sheet.max_column)
    cover, data = _return_sheets(path.name, values)
    cover_rows = sheet_grid(cover)
    try:
        _check_visible(path.name, cover, data)
        _check_unmerged(path.name, data)
        data_rows = sheet_grid(data)
        _check_row_count(path.name, len(data_rows) - 1, "the Data sheet")
        formulas = _workbook(path.name, content, data_only=False)
        _check_formula_results(path.name, (cover, data), formulas)
        _check_cell_lengths(path.name, [*cover_rows, *data_rows])
    except UnreadableFile as error:
        # Whose and which quarter it is, so that the refusal counts against that board alone.
        error.cover = _xlsx_cover(cover_rows, cover_fields)[0]
        raise
    return cover_rows, data_rows


def _check_workbook_file(file_name: str, content: bytes) -> None:
    """Refuse a file named .xlsx that is not an Excel workbook, or unpacks to too much."""
    if is_ole(content):
        if _ENCRYPTED_STREAM in content:
            raise UnreadableFile(
                file_name,
                "the workbook is protected with a password, so it cannot be read. Remove the "
                "password (File > Info > Protect Workbook > Encrypt with Password, clear it), "
                "save, and send the file again.",
            )
        raise UnreadableFile(
            file_name,
            "this is not a readable Excel workbook: it is an Excel 97-2003 workbook (.xls) "
            "named .xlsx. Save it from Excel as 'Excel Workbook (*.xlsx)' and send that.",
        )
    if not is_zip(content):
        kind = file_kind(content) or "a text file (perhaps CSV)"
        raise UnreadableFile(
            file_name,
            f"this is not a readable Excel workbook: it is {kind} named .xlsx. {_SAVE_AS}",
        )
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            members = archive.infolist()
            mimetype = archive.read("mimetype") if "mimetype" in archive.namelist() else b""
            extents = [
                _declared_extent(archive, member)
                for member in members
                if member.filename.startswith(_WORKSHEETS) and member.filename.endswith(".xml")
            ]
    except Exception:  # zipfile reports a damaged archive through many exception types
        raise UnreadableFile(
            file_name,
            "this is not a readable Excel workbook: it is damaged or incomplete (it may have "
            "been cut short when it was saved, copied or sent). Save it again from Excel and "
            "send the new copy.",
        ) from None
    unpacked = sum(member.file_size for member in members)
    if unpacked > MAX_UNPACKED_MB * MB:
        raise UnreadableFile(
            file_name,
            f"the workbook unpacks to {unpacked // MB:,} MB; the limit is {MAX_UNPACKED_MB} MB. "
            "A return workbook is far smaller: check that this is the right file.",
        )
    if _WORKBOOK_PART not in {member.filename for member in members}:
        kind = "an OpenDocument spreadsheet (.ods)" if b"opendocument" in mimetype else None
        raise UnreadableFile(
            file_name,
            f"this is not a readable Excel workbook: it is {kind or 'a zip file'} named .xlsx. "
            f"{_SAVE_AS}",
        )
    active = sorted(
        {
            what
            for member in members
            for part, what in _ACTIVE_PARTS.items()
            if member.filename.startswith(part)
        }
    )
    if active:
        raise UnreadableFile(
            file_name,
            f"the workbook holds {' and '.join(active)}, which a return may not. Copy the "
            "figures into a new workbook as values (Paste Special > Values), save it as "
            "'Excel Workbook (*.xlsx)', and send that.",
        )
    for rows, columns in extents:
        _check_extent(file_name, rows, columns)


def _declared_extent(archive: zipfile.ZipFile, member: zipfile.ZipInfo) -> tuple[int, int]:
    """The last row and column a worksheet's own dimension record says it uses ((0, 0) when
    it has none), read from the start of its XML without parsing the sheet."""
    with archive.open(member) as handle:
        found = _DIMENSION.search(handle.read(_DIMENSION_BYTES))
    if found is None:
        return 0, 0
    letters, row = coordinate_from_string(found[1].decode("ascii"))
    return row, column_index_from_string(letters)


def _check_extent(file_name: str, rows: int, columns: int) -> None:
    """Refuse a sheet reaching further down or across than a return can."""
    if rows > MAX_SHEET_ROWS or columns > MAX_COLUMNS:
        corner = f"{get_column_letter(min(columns, 16_384))}{rows}"
        raise UnreadableFile(
            file_name,
            f"a sheet of the workbook reaches cell {corner}, far beyond what a return holds "
            f"(at most {MAX_SHEET_ROWS:,} rows and {MAX_COLUMNS} columns). Delete the rows and "
            "columns outside the return (select them, right-click > Delete), save, and send "
            "the file again.",
        )


def _check_cell_lengths(file_name: str, rows: Grid) -> None:
    """Refuse a cell holding more text than a return's code, figure or note can."""
    for number, cells in rows:
        position = next(
            (p for p, cell in enumerate(cells) if len(str(cell or "")) > MAX_CELL_CHARS), None
        )
        if position is not None:
            raise UnreadableFile(
                file_name,
                f"a cell on row {number} (column {position + 1}) holds more than "
                f"{MAX_CELL_CHARS:,} characters, more than any figure or note of a return. "
                "Check that this is the right file.",
            )


def _workbook(file_name: str, content: bytes, data_only: bool) -> Workbook:
    """The workbook: cell values as last saved (`data_only`), or formulas as typed."""
    try:
        # openpyxl warns about workbook features it drops (data validation, styles); only the
        # values are read, so the warnings would be noise.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return openpyxl.load_workbook(io.BytesIO(content), data_only=data_only)
    except Exception:  # openpyxl reports a damaged or non-xlsx file through many exception types
        raise UnreadableFile(
            file_name,
            "this is not a readable Excel workbook: it may be damaged. Save it again from Excel "
            "as 'Excel Workbook (*.xlsx)', or send the return as CSV.",
        ) from None


def _return_sheets(file_name: str, workbook: Workbook) -> tuple[Worksheet, Worksheet]:
    """The Cover and Data sheets, their names matched loosely."""
    by_key = {label_key(name): name for name in workbook.sheetnames}
    missing = [sheet for sheet in (COVER_SHEET, DATA_SHEET) if label_key(sheet) not in by_key]
    if missing:
        raise UnreadableFile(
            file_name,
            f"the workbook has no {' or '.join(repr(s) for s in missing)} sheet "
            f"(its sheets are: {', '.join(workbook.sheetnames)}). "
            "A return needs a 'Cover' sheet and a 'Data' sheet.",
        )
    cover, data = (workbook[by_key[label_key(sheet)]] for sheet in (COVER_SHEET, DATA_SHEET))
    return cover, data


def _check_visible(file_name: str, cover: Worksheet, data: Worksheet) -> None:
    """Refuse a hidden Cover or Data sheet, and hidden rows or columns of Data holding entries:
    the figures sent must be the ones the partner can see."""
    hidden_sheets = [sheet.title for sheet in (cover, data) if sheet.sheet_state != "visible"]
    if hidden_sheets:
        raise UnreadableFile(
            file_name,
            f"the {' and '.join(repr(title) for title in hidden_sheets)} sheet is hidden. "
            "Unhide it (right-click a sheet tab > Unhide), check what it holds and send the "
            "file again, so that the figures sent are the ones you can see.",
        )
    hidden = [*_hidden_rows(data), *_hidden_columns(data)]
    if hidden:
        raise UnreadableFile(
            file_name,
            f"the Data sheet has hidden rows or columns holding entries ({listed(hidden)}). "
            "Unhide them (select the sheet, right-click a row or column heading > Unhide) and "
            "delete what is not part of the return, so that the figures sent are the ones you "
            "can see.",
        )


def _hidden_rows(sheet: Worksheet) -> list[str]:
    """Hidden rows (a filter hides rows too) that hold anything, as `Data!5:5`."""
    rows = sorted(n for n, dimension in sheet.row_dimensions.items() if dimension.hidden)
    return [
        f"{DATA_SHEET}!{n}:{n}"
        for n in rows
        if n <= sheet.max_row and any(map(filled, _values(sheet, min_row=n, max_row=n)))
    ]


def _hidden_columns(sheet: Worksheet) -> list[str]:
    """Hidden columns that hold anything, as `Data!C:C`."""
    positions = sorted(
        {
            position
            for dimension in sheet.column_dimensions.values()
            if dimension.hidden
            for position in range(dimension.min or 1, (dimension.max or dimension.min or 1) + 1)
            if position <= sheet.max_column
        }
    )
    return [
        f"{DATA_SHEET}!{get_column_letter(p)}:{get_column_letter(p)}"
        for p in positions
        if any(map(filled, _values(sheet, min_col=p, max_col=p)))
    ]


def _values(sheet: Worksheet, **bounds: int) -> list[CellValue]:
    """Every cell value of a block of the sheet."""
    rows = sheet.iter_rows(values_only=True, **bounds)
    return [value for row in rows for value in row]


def _check_unmerged(file_name: str, data: Worksheet) -> None:
    """Refuse merged cells in the Data sheet: a merged block holds one value in its first cell
    only, so the figures under it cannot be read cell by cell."""
    merged = sorted(data.merged_cells.ranges, key=lambda block: (block.min_row, block.min_col))
    if merged:
        raise UnreadableFile(
            file_name,
            f"the Data sheet has merged cells "
            f"({listed([f'{DATA_SHEET}!{block.coord}' for block in merged])}). Unmerge them "
            "(Home > Merge & Center > Unmerge Cells) and give each header and figure its own "
            "cell, with the header in row 1.",
        )


def _check_formula_results(file_name: str, sheets: Sequence[Worksheet], formulas: Workbook) -> None:
    """Refuse formulas that fetch from the network (WEBSERVICE, FILTERXML), and formulas saved
    without their result (as programs other than Excel may save them): there is no figure to
    read."""
    fetching = [
        f"{sheet.title}!{cell.coordinate}"
        for sheet in formulas.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if cell.data_type == "f" and any(f in str(cell.value).upper() for f in _FETCHING_FUNCTIONS)
    ]
    if fetching:
        raise UnreadableFile(
            file_name,
            f"cells hold formulas that fetch data from the internet ({listed(fetching)}), "
            "which a return may not. Type the figures in place of the formulas, save, and send "
            "the file again.",
        )
    missing = [
        f"{sheet.title}!{cell.coordinate}"
        for sheet in sheets
        for row in formulas[sheet.title].iter_rows()
        for cell in row
        if cell.data_type == "f" and _no_result(sheet.cell(cell.row, cell.column))
    ]
    if missing:
        raise UnreadableFile(
            file_name,
            f"cells hold formulas whose results were not saved in the file ({listed(missing)}), "
            "so their figures cannot be read. Open the file in Excel, check the figures and "
            "save it, or type the figures in place of the formulas.",
        )


def _no_result(value_cell: Cell) -> bool:
    """Whether a formula's cell, as last saved, holds no result. Excel saves a formula whose
    result is the empty text ("") as an empty cell typed as text, so only an empty cell of the
    default (number) type has none."""
    return value_cell.value is None and value_cell.data_type == "n"


def _check_row_count(file_name: str, count: int, where: str) -> None:
    """Refuse more rows of figures than a return can hold."""
    if count > MAX_ROWS:
        raise UnreadableFile(
            file_name,
            f"{where} has more than {MAX_ROWS:,} rows of figures, the most a return may have. "
            "A return holds the quarter's totals, never a row per child or case: check that "
            "this is the right file.",
        )


def _csv_return(
    path: Path, content: bytes, specs: Mapping[str, ReturnSpec], cover_fields: Sequence[CoverField]
) -> RawReturn:
    """A return read from a CSV file."""
    (header_line, header), *body = _csv_records(path, content)
    labels = [_label(cell) for cell in header]
    index = cover_index(cover_fields)
    cover_positions: dict[str, int] = {}
    repeats: list[Repeat] = []
    for position, label in enumerate(labels):
        field = index.get(label_key(label))
        if field in cover_positions:
            repeats.append(Repeat(field, label, cell_location("csv", header_line, label)))
        elif field is not None:
            cover_positions[field] = position
    first_line, first = body[0] if body else (header_line, [])
    cover = {field: cell_at(first, position) for field, position in cover_positions.items()}
    cover_cells = {
        field: cell_location("csv", first_line, labels[position])
        for field, position in cover_positions.items()
    }
    cover_columns = {p for p, label in enumerate(labels) if label_key(label) in index}
    long_lines = _long_lines(body, len(header))
    # values beyond the header are reported with their line, not as a column of their own
    beyond = set(range(len(header), max((line.values for line in long_lines), default=0)))
    columns = _data_columns(
        "csv",
        header_line,
        header,
        body,
        _header_index(cover, specs),
        exclude=cover_columns | beyond,
    )
    rows = [(line, cells) for line, cells in body if _has_data(cells, columns.names)]
    return RawReturn(
        path=path,
        file_format="csv",
        cover=cover,
        data=_data_frame(rows, columns.names),
        locations=Locations("csv", columns.references, cover_cells, header_line),
        cover_fields=tuple(cover_fields),
        repeats=(*repeats, *columns.repeats),
        cover_conflicts=_cover_conflicts(body, cover_positions, labels),
        long_lines=long_lines,
    )


def _long_lines(body: Grid, columns: int) -> tuple[LongLine, ...]:
    """The lines holding a value beyond the header's `columns` (blank trailing fields, as a
    spreadsheet pads lines with, are not values)."""
    long_lines = []
    for line, cells in body:
        values = max((p + 1 for p, cell in enumerate(cells) if filled(cell)), default=0)
        if values > columns:
            long_lines.append(LongLine(line, values, columns))
    return tuple(long_lines)


def _csv_records(path: Path, content: bytes) -> Grid:
    """The non-blank records of a CSV file, each with the line it starts on."""
    kind = file_kind(content)
    if kind is not None:
        raise UnreadableFile(
            path.name,
            f"this is not a CSV text file: it is {kind} named .csv. {_SAVE_AS}",
        )
    # strict: a stray quote must not silently swallow the rest of the file into one cell
    decoded = decoded_text(content)
    if decoded is None:
        raise UnreadableFile(
            path.name, f"the text is neither UTF-8 nor Windows-1252. {_SAVE_AS_CSV}"
        )
    reader = csv.reader(io.StringIO(decoded[0], newline=""), strict=True)
    records: Grid = []
    line = 1
    try:
        for cells in reader:
            if any(map(filled, cells)):
                records.append((line, list(cells)))
                # stop at the first row too many: a huge file is refused without reading it all
                _check_row_count(path.name, len(records) - 1, "the file")
            line = reader.line_num + 1
    except csv.Error as error:
        raise UnreadableFile(path.name, f"line {line} cannot be read as CSV ({error}).") from None
    if not records:
        raise UnreadableFile(path.name, "the file has no header row: every line is blank.")
    _check_separator(path.name, records[0][1])
    _check_cell_lengths(path.name, records)
    return records


def _check_separator(file_name: str, header: Sequence[str]) -> None:
    """Refuse a file whose columns are separated by something other than commas."""
    separator = next((s for s in _OTHER_SEPARATORS if len(header) == 1 and s in header[0]), None)
    if separator is not None:
        name = "tabs" if separator == "\t" else f"'{separator}'"
        raise UnreadableFile(
            file_name,
            f"the columns are separated by {name}, not by commas. {_SAVE_AS_CSV}",
        )


def _header_index(
    cover: Mapping[str, CellValue], specs: Mapping[str, ReturnSpec]
) -> dict[str, str]:
    """Header matching keys of the return the cover says this is (none if it says nothing known)."""
    spec = return_spec_named(specs, _label(cover.get("return_type")))
    return spec.header_index if spec else {}


def _data_columns(
    file_format: FileFormat,
    header_row: int,
    header: Sequence[CellValue],
    body: Grid,
    header_index: Mapping[str, str],
    exclude: Collection[int] = (),
) -> _Columns:
    """The data columns under `header`, named canonically where the header matched."""
    width = max([len(header), *(len(cells) for _, cells in body)])
    names: dict[int, str] = {}
    references: dict[str, str | int] = {}
    repeats: list[Repeat] = []
    for position in sorted(set(range(width)) - set(exclude)):
        label = _label(cell_at(header, position))
        if not label and not any(filled(cell_at(cells, position)) for _, cells in body):
            continue  # an unused column, not figures without a header
        column_ref = get_column_letter(position + 1) if file_format == "xlsx" else str(position + 1)
        known = header_index.get(label_key(label))
        name = known or label or NO_HEADER.format(column_ref)
        # A CSV column is located by its header only where that is one of the return's: any
        # other may be a row of data read as the header (a child's name), so it goes by number.
        reference = column_ref if file_format == "xlsx" else label if known else position + 1
        if name in references:
            repeats.append(Repeat(name, label, cell_location(file_format, header_row, reference)))
            continue
        names[position] = name
        references[name] = reference
    return _Columns(names, references, tuple(repeats))


def _data_frame(rows: Grid, names: Mapping[int, str]) -> pd.DataFrame:
    """Raw data cells as an object frame indexed by row number, one column per name."""
    index = pd.Index([number for number, _ in rows], dtype="int64", name="row")
    columns = {name: [cell_at(cells, p) for _, cells in rows] for p, name in names.items()}
    return pd.DataFrame(columns, index=index, columns=list(names.values()), dtype=object)


def _cover_conflicts(
    body: Grid, positions: Mapping[str, int], labels: Sequence[str]
) -> tuple[CoverConflict, ...]:
    """For each cover column, the first row whose value differs from the first row's."""
    if not body:
        return ()
    (first_line, first), *rest = body
    conflicts = []
    for field, position in positions.items():
        expected = _label(cell_at(first, position))
        line, cells = next(
            ((n, c) for n, c in rest if _label(cell_at(c, position)) != expected), (None, None)
        )
        if line is not None:
            conflicts.append(
                CoverConflict(
                    field=field,
                    value=cell_at(cells, position),
                    location=cell_location("csv", line, labels[position]),
                    first_value=cell_at(first, position),
                    first_location=cell_location("csv", first_line, labels[position]),
                )
            )
    return tuple(conflicts)


def _has_data(cells: Sequence[CellValue], positions: Mapping[int, str]) -> bool:
    """Whether any of the data cells of a row is filled."""
    return any(filled(cell_at(cells, position)) for position in positions)


def _label(value: CellValue) -> str:
    """A cell as label text ('' when blank)."""
    return "" if value is None else str(value).strip()
