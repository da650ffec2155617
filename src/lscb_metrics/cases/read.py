"""Reading case list files: their header, and their rows as something DuckDB can load.

Thin adapters only. A CSV's header is read here and its rows by DuckDB's read_csv (fast at
national scale: many files of one layout in one parallel read); an XLSX list (its "Data" sheet,
or its only sheet) is read with python-calamine into a pyarrow table that DuckDB scans. Either
way only the columns kept (see cases/validate.py) leave this module: read_csv skips a dropped
column unread, and a workbook's dropped cells are never copied.

Rows are numbered as a spreadsheet shows them: the header is row 1 of a CSV. DuckDB skips blank
lines of a CSV, so after one the numbers count records rather than lines (a row number is
exact whenever the file has no blank lines). A workbook's blank rows are skipped and its rows
keep their sheet numbers.

Nothing a file holds is ever put into an error message: DuckDB's own errors quote the line they
failed on, so they are replaced by plain ones naming at most the line number.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Literal

import pyarrow as pa
import python_calamine
from openpyxl.utils import get_column_letter

FileFormat = Literal["csv", "xlsx"]

DATA_SHEET = "Data"
CSV_SUFFIXES = (".csv", ".txt")
XLSX_SUFFIXES = (".xlsx", ".xlsm")
#: Name of the column holding each workbook row's sheet row number (NULL for CSV rows).
ROW_COLUMN = "r"
_HEADER_BYTES = 1 << 16  # the header row is looked for in the first 64 KiB
_DELIMITERS = (",", ";", "\t", "|")
_DUCKDB_LINE = re.compile(r"CSV Error on Line: (\d+)")
_SAVE_AS = "Save it from Excel as 'CSV UTF-8 (Comma delimited) (*.csv)' or as an .xlsx workbook."


class UnreadableCaseList(Exception):
    """A file that cannot be read as a case list; `problem` says why, quoting nothing in it."""

    def __init__(self, file_name: str, problem: str) -> None:
        super().__init__(f"{file_name}: {problem}")
        self.file_name = file_name
        self.problem = problem


@dataclass(frozen=True)
class CaseFile:
    """A case list file as found: its format and header, and where its rows are."""

    path: Path
    file_format: FileFormat
    headers: tuple[str, ...]
    delimiter: str = ","  # CSV only
    encoding: str = "utf-8"  # CSV only, as DuckDB names it
    sheet: str = DATA_SHEET  # XLSX only
    header_row: int = 1  # XLSX only: the sheet row holding the header
    first_column: int = 0  # XLSX only: the sheet column (0 is A) of the first header

    @property
    def name(self) -> str:
        """The file's name, as failures cite it."""
        return self.path.name

    @property
    def first_data_row(self) -> int:
        """The row number of the first row below the header."""
        return self.header_row + 1

    def cell(self, row: int, position: int) -> str:
        """Where a cell is, as the partner sees it: 'Data!D14', or 'row 14, column "Age"'."""
        if self.file_format == "xlsx":
            return f"{self.sheet}!{get_column_letter(self.first_column + position + 1)}{row}"
        return f'row {row}, column "{self.headers[position]}"'

    def row(self, row: int) -> str:
        """Where a whole row is: 'Data!14:14', or 'row 14'."""
        return f"{self.sheet}!{row}:{row}" if self.file_format == "xlsx" else f"row {row}"


def case_file(path: Path) -> CaseFile:
    """The file at `path` with its header; UnreadableCaseList if it is not a CSV or XLSX list."""
    suffix = path.suffix.lower()
    try:
        if suffix in CSV_SUFFIXES:
            return _csv_file(path)
        if suffix in XLSX_SUFFIXES:
            return _xlsx_file(path)
    except OSError as error:
        problem = f"the file cannot be opened ({error.strerror})."
        raise UnreadableCaseList(path.name, problem) from None
    kind = suffix or "no suffix"
    problem = f"a case list is a CSV file or an XLSX workbook, not '{kind}'. {_SAVE_AS}"
    raise UnreadableCaseList(path.name, problem)


def read_csv_sql(files: Sequence[CaseFile], encoding: str | None = None) -> str:
    """DuckDB read_csv over `files` (all of one layout), every column as text named c0, c1, ...
    by position; DuckDB adds `file_index`, the position in `files`."""
    first = files[0]
    paths = ", ".join(sql_text(str(file.path)) for file in files)
    columns = ", ".join(f"'c{index}': 'VARCHAR'" for index in range(len(first.headers)))
    return (
        f"read_csv([{paths}], header = true, auto_detect = false, columns = {{{columns}}}, "
        f"delim = {sql_text(first.delimiter)}, quote = '\"', escape = '\"', "
        f"encoding = {sql_text(encoding or first.encoding)})"
    )


def csv_error(file_name: str, error: Exception) -> UnreadableCaseList:
    """A DuckDB CSV error as an UnreadableCaseList naming at most the line it failed on."""
    line = _DUCKDB_LINE.search(str(error))
    where = f" at line {line[1]}" if line else ""
    return UnreadableCaseList(
        file_name,
        f"the file cannot be read as CSV{where}: a row with more or fewer columns than the "
        f"header, or a stray quote. {_SAVE_AS}",
    )


def is_encoding_error(error: Exception) -> bool:
    """Whether a DuckDB CSV error is about text that is not in the encoding it was read with."""
    return "Invalid unicode" in str(error)


def xlsx_rows(file: CaseFile, positions: Mapping[int, str]) -> pa.Table:
    """The non-blank rows below the header as text, only the columns at `positions` (header
    position -> name to give it), with each row's sheet row number in ROW_COLUMN."""
    rows = _sheet_rows(file.path, file.sheet)[file.header_row :]
    offset = file.first_column
    kept = [
        (number, cells)
        for number, row in enumerate(rows, start=file.first_data_row)
        if any(cells := [_cell_text(_at(row, offset + p)) for p in positions])
    ]
    columns = {
        name: pa.array([cells[i] for _, cells in kept], pa.string())
        for i, name in enumerate(positions.values())
    }
    columns[ROW_COLUMN] = pa.array([number for number, _ in kept], pa.int32())
    return pa.table(columns)


def sql_text(text: str) -> str:
    """`text` as a SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


def _csv_file(path: Path) -> CaseFile:
    """A CSV file: the header from its first line, and the separator and encoding found there."""
    with path.open("rb") as handle:
        first_line = handle.read(_HEADER_BYTES).split(b"\n", 1)[0]
    try:
        text, encoding = first_line.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        text, encoding = first_line.decode("cp1252", errors="replace"), "latin-1"
    if not text.strip():
        problem = "the first row is blank: it must head the columns."
        raise UnreadableCaseList(path.name, problem)
    delimiter = max(_DELIMITERS, key=text.count)
    headers = next(csv.reader(io.StringIO(text), delimiter=delimiter))
    return CaseFile(path, "csv", tuple(h.strip() for h in headers), delimiter, encoding)


def _xlsx_file(path: Path) -> CaseFile:
    """An XLSX file: its "Data" sheet (or only sheet), the header in its first used row."""
    try:
        names = python_calamine.CalamineWorkbook.from_path(str(path)).sheet_names
    except python_calamine.CalamineError:
        raise UnreadableCaseList(
            path.name, f"the file is not a readable workbook. {_SAVE_AS}"
        ) from None
    if DATA_SHEET not in names and len(names) != 1:
        problem = (
            f"the workbook has {len(names)} sheets and none is named '{DATA_SHEET}'. Put the "
            f"list on one sheet, or name its sheet '{DATA_SHEET}'."
        )
        raise UnreadableCaseList(path.name, problem)
    sheet = DATA_SHEET if DATA_SHEET in names else names[0]
    rows = _sheet_rows(path, sheet)
    header_index = next((i for i, row in enumerate(rows) if any(map(_cell_text, row))), None)
    if header_index is None:
        raise UnreadableCaseList(
            path.name, "the sheet is empty: the first row must head the columns."
        )
    cells = rows[header_index]
    first = next(i for i, cell in enumerate(cells) if _cell_text(cell))
    headers = tuple(_cell_text(cell) or "" for cell in cells[first:])
    return CaseFile(
        path, "xlsx", headers, sheet=sheet, header_row=header_index + 1, first_column=first
    )


def _sheet_rows(path: Path, sheet: str) -> list[list[object]]:
    """Every row of a sheet from A1, as python-calamine types its cells."""
    workbook = python_calamine.CalamineWorkbook.from_path(str(path))
    return workbook.get_sheet_by_name(sheet).to_python(skip_empty_area=False)


def _at(row: Sequence[object], index: int) -> object:
    """The cell at `index`, or None past the end of the row."""
    return row[index] if index < len(row) else None


def _cell_text(value: object) -> str | None:
    """A workbook cell as the text a CSV would hold: dates ISO, whole numbers without '.0'."""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = "" if value is None else str(value).strip()
    return text or None
