"""A partnership covering several areas publishes every area's scorecard, charts, workbook and
data chapter, each in a folder named by the area's ONS code (the open data, one file for the
board, holds every area). Checked on the demo warehouse, whose two boards' areas, Southend
(E06000033) and Thurrock (E06000034), stand here for one partnership covering both."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import openpyxl

from lscb_metrics.editions import PUBLIC
from lscb_metrics.periods import FIRST_YEAR, Quarter, parse_quarter
from lscb_metrics.publish.annual_report import write_report
from lscb_metrics.publish.exports import quoted_targets
from lscb_metrics.publishing import WORKBOOK_FILE, write_edition_files
from lscb_metrics.returns.spec import ASSESSMENT_TARGET

AREAS = {"E06000033": "Southend-on-Sea", "E06000034": "Thurrock"}
#: Each authority's own assessment timescale, in working days, as the two demo boards set them.
TARGETS = {"E06000033": 40, "E06000034": 45}
TITLE = "Single assessments completed within the local target of {} working days"


def partnership(demo_board: Any) -> Any:
    targets = {code: ((Quarter(FIRST_YEAR, 1), days),) for code, days in TARGETS.items()}
    return replace(
        demo_board,
        slug="south-essex",
        areas=tuple(AREAS),
        local_targets={ASSESSMENT_TARGET: targets},
    )


def test_a_partnerships_edition_has_each_areas_scorecard_and_workbook(
    demo_warehouse: Path, demo_board: Any, tmp_path: Path
) -> None:
    quarter = parse_quarter("2014-15-Q2")
    board = partnership(demo_board)
    written = write_edition_files(demo_warehouse, tmp_path, board, quarter, PUBLIC, {})
    for code, name in AREAS.items():
        page = (tmp_path / code / "scorecard.html").read_text(encoding="utf-8")
        other = next(n for n in AREAS.values() if n != name)
        assert name in page and other not in page.split("neighbours")[0]
        assert list((tmp_path / code / "charts").glob("*_trend.png"))
        book = openpyxl.load_workbook(tmp_path / code / WORKBOOK_FILE, read_only=True)
        assert name in str(book.worksheets[0]["A1"].value)
        assert tmp_path / code / "scorecard.html" in written
    assert not (tmp_path / "scorecard.html").exists()
    open_data = (tmp_path / "lscb_indicators_open_data.csv").read_text(encoding="utf-8")
    assert all(f",{code}," in open_data for code in AREAS)


def test_each_areas_titles_name_its_own_local_target(
    demo_warehouse: Path, demo_board: Any, tmp_path: Path
) -> None:
    quarter = parse_quarter("2014-15-Q2")
    board = partnership(demo_board)
    write_edition_files(demo_warehouse, tmp_path, board, quarter, PUBLIC, {})
    for code, days in TARGETS.items():
        other = TITLE.format(85 - days)
        page = (tmp_path / code / "scorecard.html").read_text(encoding="utf-8")
        assert TITLE.format(days) in page and other not in page
        book = openpyxl.load_workbook(tmp_path / code / WORKBOOK_FILE, read_only=True)
        cells = " ".join(
            str(cell) for sheet in book.worksheets for row in sheet.values for cell in row
        )
        assert TITLE.format(days) in cells and other not in cells
        chapter = write_report(
            demo_warehouse, board, "2013-14", tmp_path / "r" / code, PUBLIC, code
        )
        text = chapter.markdown.read_text(encoding="utf-8")
        assert TITLE.format(days) in text and other not in text
    # The open data holds both areas: its title names each area's target.
    readme = (tmp_path / "README.md").read_text(encoding="utf-8")
    assert TITLE.format("40 (Southend-on-Sea) or 45 (Thurrock)") in readme


def test_a_target_the_areas_share_is_quoted_once() -> None:
    same = {"Southend-on-Sea": {ASSESSMENT_TARGET: 40}, "Thurrock": {ASSESSMENT_TARGET: 40}}
    assert quoted_targets(same) == {ASSESSMENT_TARGET: "40"}
    three = {**same, "Essex": {ASSESSMENT_TARGET: 45}}
    assert quoted_targets(three) == {
        ASSESSMENT_TARGET: "40 (Southend-on-Sea, Thurrock) or 45 (Essex)"
    }


def test_a_partnerships_data_chapter_is_of_the_area_asked_for(
    demo_warehouse: Path, demo_board: Any, tmp_path: Path
) -> None:
    board = partnership(demo_board)
    files = write_report(demo_warehouse, board, "2014-15", tmp_path, PUBLIC, "E06000034")
    text = files.markdown.read_text(encoding="utf-8")
    assert "Thurrock" in text and "Southend-on-Sea" not in text.split("neighbours")[0]
