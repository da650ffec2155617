"""Text a partner controls (a file name, an agency name) reaches the published CSVs and the
report workbook only as inert text: never as a formula a spreadsheet would run."""

from __future__ import annotations

import csv
import re
import shutil
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import openpyxl

from lscb_metrics.intake.rules import SQL_PLAIN_NUMBER
from lscb_metrics.publish import write_exports, write_template, write_workbook

HOSTILE_SOURCE = '=HYPERLINK("http://example.invalid","open")'
HOSTILE_AGENCY = "=1+1"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def live_formulas(cells: list[object]) -> list[str]:
    """The text cells that a spreadsheet would read as a formula (a number such as -7.4 is a
    number, and a lone '-' is a symbol)."""
    return [
        c
        for c in cells
        if isinstance(c, str)
        and c.startswith(FORMULA_START)
        and c != "-"
        and not re.fullmatch(SQL_PLAIN_NUMBER, c)
    ]


def test_hostile_text_is_published_inert(
    demo_warehouse: Path, demo_board: Any, tmp_path: Path
) -> None:
    warehouse = tmp_path / "warehouse.duckdb"
    shutil.copyfile(demo_warehouse, warehouse)
    with duckdb.connect(str(warehouse)) as connection:
        connection.execute(
            "UPDATE curated.indicator_values SET source = ?, breakdown_name = ? "
            "WHERE source_type = 'partner_return'",
            [HOSTILE_SOURCE, HOSTILE_AGENCY],
        )
    analyst = write_exports(warehouse, tmp_path / "analyst")
    board = write_exports(warehouse, tmp_path / "board", demo_board)
    book_path = write_workbook(warehouse, tmp_path / "book.xlsx", date(2014, 9, 30), demo_board)

    texts = []
    for path in [*analyst, *board]:
        if path.suffix == ".csv":
            with path.open(encoding="utf-8", newline="") as handle:
                texts += [cell for row in csv.reader(handle) for cell in row]
    workbook = openpyxl.load_workbook(book_path)
    cells = [c for sheet in workbook for row in sheet.iter_rows(values_only=True) for c in row]
    # The hostile texts are there, quoted, so a reader still sees what the partner sent ...
    assert any(HOSTILE_SOURCE in text for text in texts)
    assert any(isinstance(c, str) and HOSTILE_AGENCY in c for c in cells)
    # ... and nothing anywhere starts as a formula.
    assert live_formulas(texts) == []
    assert live_formulas(cells) == []


def test_a_template_names_a_hostile_agency_as_inert_text(
    demo_board: Any, schemas_dir: Path, tmp_path: Path
) -> None:
    # A board's profile is edited by hand: an agency named like a formula (a DDE payload) is
    # shown to every partner who opens the template, so it must stay text.
    hostile = "=cmd|' /C calc'!A0"
    sept = replace(demo_board.agencies["SEPT"], name=hostile)
    board = replace(demo_board, agencies={**demo_board.agencies, "SEPT": sept})
    workbook = openpyxl.load_workbook(
        write_template("training", schemas_dir, tmp_path / "t.xlsx", board)
    )

    cells = [c for sheet in workbook for row in sheet.iter_rows() for c in row]
    assert [c.value for c in cells if c.data_type == "f"] == []
    assert any(isinstance(c.value, str) and hostile in c.value for c in cells)
