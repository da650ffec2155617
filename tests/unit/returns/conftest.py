"""Shared fixtures for the partner-return tests: the real declarations and tiny return files.

A return is built as a `ReturnTable` (cover labels and values, data header and rows) and written
as XLSX (Cover and Data sheets) or CSV (cover columns first, repeated on every row), so one
table serves both formats.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import openpyxl
import pytest

from lscb_metrics.boards import Boards, load_boards
from lscb_metrics.returns import (
    Agency,
    CoverField,
    ReturnSpec,
    ValidationResult,
    load_cover_fields,
    load_return_specs,
    read_return,
    validate_return,
)

SCHEMAS = Path(__file__).parents[3] / "schemas"
SOUTHEND = ("E06000033", "Southend-on-Sea", "E12000006")
LA_LOOKUP = {"E06000033": SOUTHEND, "882": SOUTHEND}
Q2_2014 = (date(2014, 7, 1), date(2014, 9, 30))


@dataclass
class ReturnTable:
    """A return's contents, independent of file format."""

    cover: dict[str, object]  # cover label as written -> value
    header: list[str]
    rows: list[list[object]]
    extra_cover_rows: list[tuple[str, object]] = field(default_factory=list)  # XLSX only
    row_cover: dict[int, dict[str, object]] = field(default_factory=dict)  # CSV: row -> changes
    headings: bool = True  # CSV: False writes the rows without their line of headings

    def set(self, row: int, column: str, value: object) -> None:
        """Set the cell of data row `row` (0-based) under header `column`."""
        self.rows[row][self.header.index(column)] = value

    def drop_column(self, column: str) -> None:
        """Remove a data column."""
        position = self.header.index(column)
        del self.header[position]
        for row in self.rows:
            del row[position]

    def add_column(self, label: str, values: list[object]) -> None:
        """Append a data column."""
        self.header.append(label)
        for row, value in zip(self.rows, values, strict=True):
            row.append(value)


def cover(return_type: str, agency: str) -> dict[str, object]:
    """A valid cover for 2014-15 Q2 in Southend, labelled with the cover titles."""
    start, end = Q2_2014
    return {
        "Return type": return_type,
        "Agency code": agency,
        "Local authority code": "E06000033",
        "Period start": start,
        "Period end": end,
    }


def spec_titles(spec: ReturnSpec) -> list[str]:
    """The column titles of a return, in declaration order."""
    return [column.title for column in spec.columns]


def write_xlsx(table: ReturnTable, path: Path) -> Path:
    """The table as a workbook: a titled Cover sheet and a Data sheet."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Cover"
    sheet.append(["Partner return"])
    sheet.append([])
    for label, value in [*table.cover.items(), *table.extra_cover_rows]:
        sheet.append([label, value])
    data = workbook.create_sheet("Data")
    data.append(table.header)
    for row in table.rows:
        data.append(row)
    workbook.save(path)
    return path


def write_csv(table: ReturnTable, path: Path, encoding: str = "utf-8") -> Path:
    """The table as CSV: cover columns then data columns, cover repeated on every row."""
    with path.open("w", newline="", encoding=encoding) as handle:
        writer = csv.writer(handle)
        if table.headings:
            writer.writerow([*table.cover, *table.header])
        for number, row in enumerate(table.rows):
            row_cover = {**table.cover, **table.row_cover.get(number, {})}
            writer.writerow([_csv_text(v) for v in [*row_cover.values(), *row]])
    return path


def _csv_text(value: object) -> str:
    """A value as CSV text: dates in ISO form, None as blank."""
    return "" if value is None else value.isoformat() if isinstance(value, date) else str(value)


@pytest.fixture(scope="session")
def specs() -> dict[str, ReturnSpec]:
    return load_return_specs(SCHEMAS)


@pytest.fixture(scope="session")
def boards() -> Boards:
    return load_boards(SCHEMAS)


@pytest.fixture(scope="session")
def agencies(boards: Boards) -> dict[str, Agency]:
    """The demo board's agencies."""
    return boards.by_slug["southend"].agencies


@pytest.fixture(scope="session")
def cover_fields() -> tuple[CoverField, ...]:
    return load_cover_fields(SCHEMAS)


@pytest.fixture
def referrals(specs: dict[str, ReturnSpec]) -> ReturnTable:
    """A valid one-row referrals return."""
    row = [100, 20, 30, 25, 20, 15, 10, 90, 40, 1000]
    return ReturnTable(cover("referrals", "SBC-CSC"), spec_titles(specs["referrals"]), [row])


@pytest.fixture
def training(specs: dict[str, ReturnSpec]) -> ReturnTable:
    """A valid four-row training return from Southend Hospital."""
    rows = [["level_1", 200, 180], ["level_2", 150, 140], ["level_3", 40, 38], ["level_4", 5, 5]]
    return ReturnTable(cover("training", "SUH"), spec_titles(specs["training"]), rows)


@pytest.fixture
def assessments(specs: dict[str, ReturnSpec]) -> ReturnTable:
    """A valid assessments return (it has an integer column with a range)."""
    row = [120, 100, 110, 40]
    return ReturnTable(cover("assessments", "SBC-CSC"), spec_titles(specs["assessments"]), [row])


@pytest.fixture
def write(tmp_path: Path) -> Callable[[ReturnTable, str], Path]:
    """Write a table in a format ('xlsx' or 'csv') to a fresh file."""

    def write_table(table: ReturnTable, file_format: str) -> Path:
        path = tmp_path / f"return.{file_format}"
        return write_xlsx(table, path) if file_format == "xlsx" else write_csv(table, path)

    return write_table


@pytest.fixture
def validate(
    specs: dict[str, ReturnSpec],
    boards: Boards,
    cover_fields: tuple[CoverField, ...],
) -> Callable[..., ValidationResult]:
    """Read and validate a file against the real declarations."""

    def validate_path(path: Path, expected_return_type: str | None = None) -> ValidationResult:
        raw = read_return(path, specs, cover_fields)
        return validate_return(raw, specs, boards, LA_LOOKUP, expected_return_type)

    return validate_path
