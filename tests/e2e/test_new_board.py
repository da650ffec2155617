"""What a new board does, end to end: scaffold Leeds, fill the generated templates for four
quarters, run the flow for that board, and publish an edition that says nothing of Southend.

The project is a temporary copy (its schemas and shipped reference data), so the real project
is never changed; the run is the real flow under the session's Prefect server.
"""

from __future__ import annotations

import re
import shutil
from datetime import date
from pathlib import Path

import duckdb
import openpyxl
import pytest
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from lscb_metrics.boards import load_boards
from lscb_metrics.cli import main
from lscb_metrics.periods import parse_quarter
from tests.stages import fill_templates

PROJECT = Path(__file__).resolve().parents[2]
LEEDS = "E08000035"
LEEDS_CHILDREN = 170_000  # about Leeds' 0-17 population in 2014, to scale the figures
QUARTERS = ["2013-14-Q3", "2013-14-Q4", "2014-15-Q1", "2014-15-Q2"]
#: The demo board's name and its area's codes, which a new board's files must not show.
DEMO_BOARD = re.compile(r"Southend|E06000033|\b882\b")
pytestmark = pytest.mark.e2e


def texts_of_sheet(sheet: Worksheet) -> str:
    """Every cell of one sheet as text."""
    return " ".join(str(value) for row in sheet.iter_rows(values_only=True) for value in row)


def prompts_of(book: Workbook) -> str:
    """Every input and error message of a workbook's data validation."""
    return " ".join(
        f"{validation.prompt} {validation.error}"
        for sheet in book
        for validation in sheet.data_validations.dataValidation
    )


def texts_of_workbook(path: Path) -> str:
    """Every cell of a workbook as text."""
    book = openpyxl.load_workbook(path)
    return " ".join(
        str(value) for sheet in book for row in sheet.iter_rows(values_only=True) for value in row
    )


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the project to set a new board up in."""
    root = tmp_path / "project"
    shutil.copytree(PROJECT / "schemas", root / "schemas")
    shutil.copytree(PROJECT / "data" / "raw" / "reference", root / "data" / "raw" / "reference")
    monkeypatch.setenv("LSCB_PROJECT_ROOT", str(root))
    for name in ("LSCB_WAREHOUSE", "LSCB_RETURNS", "LSCB_CASES"):
        monkeypatch.delenv(name, raising=False)
    return root


def test_a_new_board_from_nothing_to_its_first_edition(prefect_server, project: Path, capsys):
    name = "Leeds Safeguarding Children Partnership"
    assert main(["board", "init", "--area", LEEDS, "--name", name]) == 0
    assert "board leeds set up" in capsys.readouterr().out
    board = load_boards(project / "schemas").by_slug["leeds"]
    assert board.areas == (LEEDS,)
    assert {a.type for a in board.agencies.values()} >= {
        "local_authority",
        "police",
        "health",
        "education",
        "probation",
        "cdop",
    }
    templates = project / "data" / "curated" / "leeds" / "templates"
    schemas = project / "schemas"
    returns = project / "data" / "raw" / "returns"
    for label in QUARTERS:
        quarter = parse_quarter(label)
        fill_templates(board, schemas, templates, quarter, {LEEDS: LEEDS_CHILDREN}, returns)

    assert main(["run", "--board", "leeds", "--period", "2014-15-Q2"]) == 0
    printed = capsys.readouterr().out
    assert f"{name} (leeds): complete" in printed

    edition = project / "data" / "curated" / "leeds"
    warehouse = project / "data" / "warehouse.duckdb"
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        [(outcome, missing)] = connection.execute(
            "SELECT outcome, missing_returns FROM audit.board_runs WHERE board = 'leeds'"
        ).fetchall()
        [(rate,)] = connection.execute(
            "SELECT value FROM curated.indicator_values WHERE indicator_id = 'cp_plan_rate' "
            "AND area_code = ? AND source_type = 'partner_return' AND period_end = ?",
            [LEEDS, date(2014, 9, 30)],
        ).fetchall()
    assert (outcome, missing) == ("complete", [])
    # The figures were scaled to about 42 children on a plan per 10,000 (England's rate).
    assert 35 < rate < 50
    board_texts = [
        (edition / "EDITION.md").read_text(),
        texts_of_workbook(edition / "public" / "lscb_report_tables.xlsx"),
        *(texts_of_workbook(path) for path in sorted((edition / "templates").glob("*.xlsx"))),
    ]
    assert "within the local target of 45 working days" in board_texts[1]
    for text in board_texts:
        assert "Southend" not in text
    # The scorecard and open data name every authority's published figures, and Leeds' DfE
    # statistical neighbours happen to include Southend-on-Sea; nothing there is the demo board.
    national_texts = [
        (edition / "public" / "scorecard.html").read_text(),
        (edition / "public" / "lscb_indicators_open_data.csv").read_text(),
    ]
    assert "Leeds" in national_texts[0]
    for text in national_texts:
        for demo in ("Southend Local Safeguarding", "Southend LSCB", "SBC-", "40 working days"):
            assert demo not in text

    # Where the published files name the board and give an example area, it is this board and
    # its area (Leeds: DfE 383), never the demo board's name or codes (Southend E06000033, 882).
    templates_read = [
        openpyxl.load_workbook(path) for path in sorted((edition / "templates").glob("*.xlsx"))
    ]
    assert templates_read
    for book in templates_read:
        assert book["Cover"]["A1"].value.endswith(f"quarterly return to the {name}")
        example = "ONS code (E08000035) or DfE three-digit number (383)"
        assert example in texts_of_sheet(book["Cover"]) and example in prompts_of(book)
        assert example in texts_of_sheet(book["Guidance"])
        for text in (texts_of_sheet(book["Cover"]), texts_of_sheet(book["Guidance"])):
            assert not DEMO_BOARD.search(text), text
        assert not DEMO_BOARD.search(prompts_of(book))
    report = openpyxl.load_workbook(edition / "public" / "lscb_report_tables.xlsx")
    cover = texts_of_sheet(report["Cover"])
    assert f"The figures the {name} publishes" in cover
    assert f"figures for the {name} annual report" in cover
    assert f"telephone number of the {name} business unit" in cover
    titles = " ".join(f"{sheet['A1'].value} {sheet['A2'].value}" for sheet in report)
    for text in (cover, titles):
        assert not DEMO_BOARD.search(text) and "LSCB" not in text, text
    scorecard = national_texts[0]
    header = scorecard[: scorecard.index("<main>")]
    assert f"returns to the {name}, beside" in header
    assert not DEMO_BOARD.search(header) and "Local Safeguarding" not in header, header
    readme = (edition / "public" / "README.md").read_text()
    assert readme.startswith(f"# {name} indicators: exported files")
