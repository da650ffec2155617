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
from pathlib import Path
from typing import Literal

import pyarrow as pa
import python_calamine
from openpyxl.utils import get_column_letter

from lscb_metrics.intake.read import (
    DATA_SHEET,
    UnreadableFile,
    cell_at,
    cell_text,
    decoded_text,
    workbook_rows,
    workbook_sheet_names,
)
from lscb_metrics.sql import sql_text

FileFormat = Literal["csv", "xlsx"]

CSV_SUFFIXES = (".csv", ".txt")
XLSX_SUFFIXES = (".xlsx", ".xlsm")
#: Name of the column holding each workbook row's sheet row number (NULL for CSV rows).
ROW_COLUMN = "r"
_HEADER_BYTES = 1 << 16  # the header row is looked for in the first 64 KiB
_DELIMITERS = (",", ";", "\t", "|")
_DUCKDB_LINE = re.compile(r"CSV Error on Line: (\d+)")
_SAVE_AS = "Save it from Excel as 'CSV UTF-8 (Comma delimited) (*.csv)' or as an .xlsx workbook."


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
        """Where a cell is, as the partner sees it: 'Data!D14', or 'row 14, column 4'; never by
        its header, which in a list without one is a child's details."""
        if self.file_format == "xlsx":
            return f"{self.sheet}!{get_column_letter(self.first_column + position + 1)}{row}"
        return f"row {row}, column {position + 1}"

    def column_at(self, position: int) -> str:
        """Where a whole column is: 'Data!D:D', or 'column 4'."""
        if self.file_format == "xlsx":
            letter = get_column_letter(self.first_column + position + 1)
            return f"{self.sheet}!{letter}:{letter}"
        return f"column {position + 1}"

    def row(self, row: int) -> str:
        """Where a whole row is: 'Data!14:14', or 'row 14'."""
        return f"{self.sheet}!{row}:{row}" if self.file_format == "xlsx" else f"row {row}"


def case_file(path: Path) -> CaseFile:
    """The file at `path` with its header; UnreadableFile if it is not a CSV or XLSX list."""
    suffix = path.suffix.lower()
    try:
        if suffix in CSV_SUFFIXES:
            return _csv_file(path)
        if suffix in XLSX_SUFFIXES:
            return _xlsx_file(path)
    except OSError as error:
        problem = f"the file cannot be opened ({error.strerror})."
        raise UnreadableFile(path.name, problem) from None
    kind = suffix or "no suffix"
    problem = f"a case list is a CSV file or an XLSX workbook, not '{kind}'. {_SAVE_AS}"
    raise UnreadableFile(path.name, problem)


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


def csv_error(file_name: str, error: Exception) -> UnreadableFile:
    """A DuckDB CSV error as an UnreadableFile naming at most the line it failed on."""
    line = _DUCKDB_LINE.search(str(error))
    where = f" at line {line[1]}" if line else ""
    return UnreadableFile(
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
    rows = workbook_rows(file.path, file.sheet)[file.header_row :]
    offset = file.first_column
    kept = [
        (number, cells)
        for number, row in enumerate(rows, start=file.first_data_row)
        if any(cells := [cell_text(cell_at(row, offset + p)) for p in positions])
    ]
    columns = {
        name: pa.array([cells[i] for _, cells in kept], pa.string())
        for i, name in enumerate(positions.values())
    }
    columns[ROW_COLUMN] = pa.array([number for number, _ in kept], pa.int32())
    return pa.table(columns)


def _csv_file(path: Path) -> CaseFile:
    """A CSV file: the header from its first line, and the separator and encoding found there."""
    with path.open("rb") as handle:
        first_line = handle.read(_HEADER_BYTES).split(b"\n", 1)[0]
    # DuckDB reads Windows-1252 as latin-1; a header that is neither is still read (its odd
    # characters replaced) so that the file's columns can be reported.
    text, found = decoded_text(first_line) or (first_line.decode("cp1252", "replace"), "cp1252")
    encoding = "utf-8" if found == "utf-8-sig" else "latin-1"
    if not text.strip():
        problem = "the first row is blank: it must head the columns."
        raise UnreadableFile(path.name, problem)
    delimiter = max(_DELIMITERS, key=text.count)
    headers = next(csv.reader(io.StringIO(text), delimiter=delimiter))
    return CaseFile(path, "csv", tuple(h.strip() for h in headers), delimiter, encoding)


def _xlsx_file(path: Path) -> CaseFile:
    """An XLSX file: its "Data" sheet (or only sheet), the header in its first used row."""
    try:
        names = workbook_sheet_names(path)
    except python_calamine.CalamineError:
        raise UnreadableFile(
            path.name, f"the file is not a readable workbook. {_SAVE_AS}"
        ) from None
    if DATA_SHEET not in names and len(names) != 1:
        problem = (
            f"the workbook has {len(names)} sheets and none is named '{DATA_SHEET}'. Put the "
            f"list on one sheet, or name its sheet '{DATA_SHEET}'."
        )
        raise UnreadableFile(path.name, problem)
    sheet = DATA_SHEET if DATA_SHEET in names else names[0]
    rows = workbook_rows(path, sheet)
    header_index = next((i for i, row in enumerate(rows) if any(map(cell_text, row))), None)
    if header_index is None:
        raise UnreadableFile(path.name, "the sheet is empty: the first row must head the columns.")
    cells = rows[header_index]
    first = next(i for i, cell in enumerate(cells) if cell_text(cell))
    headers = tuple(cell_text(cell) or "" for cell in cells[first:])
    return CaseFile(
        path, "xlsx", headers, sheet=sheet, header_row=header_index + 1, first_column=first
    )
