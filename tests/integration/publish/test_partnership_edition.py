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
from lscb_metrics.periods import parse_quarter
from lscb_metrics.pipeline import WORKBOOK_FILE, write_edition_files
from lscb_metrics.publish.annual_report import write_report

AREAS = {"E06000033": "Southend-on-Sea", "E06000034": "Thurrock"}


def partnership(demo_board: Any) -> Any:
    return replace(demo_board, slug="south-essex", areas=tuple(AREAS))


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


def test_a_partnerships_data_chapter_is_of_the_area_asked_for(
    demo_warehouse: Path, demo_board: Any, tmp_path: Path
) -> None:
    board = partnership(demo_board)
    files = write_report(demo_warehouse, board, "2014-15", tmp_path, PUBLIC, "E06000034")
    text = files.markdown.read_text(encoding="utf-8")
    assert "Thurrock" in text and "Southend-on-Sea" not in text.split("neighbours")[0]
