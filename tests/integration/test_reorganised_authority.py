"""A board whose authority changed its ONS code but kept its DfE number (North Yorkshire, 815:
E10000023 until March 2023, E06000065 since): its series run on across the change in the
scorecard, its charts, the workbook and the data chapter, and its earlier quarters stay as they
were. A split (Cumbria into Cumberland and Westmorland and Furness) is a new authority.

One run of the real flow, for 2023-24 Q2, over six quarters of returns that give the DfE number
815 as partners do; the project is a temporary copy of this one.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import duckdb
import openpyxl
import pytest
import yaml

from lscb_metrics.board_setup import plausible_returns
from lscb_metrics.boards import Board, load_boards
from lscb_metrics.cli import main
from lscb_metrics.editions import PUBLIC
from lscb_metrics.periods import parse_quarter
from lscb_metrics.publish.annual_report import BEFORE, read_report_data
from lscb_metrics.publish.exports import write_exports
from lscb_metrics.publish.figures import authority_codes
from lscb_metrics.publish.scorecard import quarter_series, read_scorecard_data, year_series
from lscb_metrics.publish.workbook import write_workbook
from tests.stages import project_copy

OLD, NEW = "E10000023", "E06000065"
SLUG = "north-yorkshire"
QUARTERS = ["2022-23-Q1", "2022-23-Q2", "2022-23-Q3", "2022-23-Q4", "2023-24-Q1", "2023-24-Q2"]
Q2_2023 = date(2023, 9, 30)
RATE = "cp_plan_rate"


@pytest.fixture(scope="module")
def north_yorkshire(prefect_server, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The warehouse of a North Yorkshire partnership (both codes in its profile, its
    assessment target 40 days until 2023-24 Q1 and 45 since) run for 2023-24 Q2."""
    root = project_copy(tmp_path_factory.mktemp("reorganised"))
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("LSCB_PROJECT_ROOT", str(root))
        for name in ("LSCB_WAREHOUSE", "LSCB_RETURNS", "LSCB_CASES"):
            patch.delenv(name, raising=False)
        name = "North Yorkshire Safeguarding Children Partnership"
        init = ["board", "init", "--area", OLD, "--area", NEW, "--name", name, "--slug", SLUG]
        assert main(init) == 0
        profile = root / "schemas" / "boards" / SLUG / "board.yaml"
        document = yaml.safe_load(profile.read_text())
        document["local_targets"] = {
            "assessment_working_days": {"2013-14-Q1": 40, "2023-24-Q1": 45}
        }
        profile.write_text(yaml.safe_dump(document, sort_keys=False))
        board = load_boards(root / "schemas").by_slug[SLUG]
        quarters = [parse_quarter(label) for label in QUARTERS]
        children = dict.fromkeys(board.areas, 120_000)
        for path, data in plausible_returns(board, quarters, root / "schemas", children).items():
            out = root / "data" / "raw" / "returns" / path
            out.parent.mkdir(parents=True, exist_ok=True)
            # The DfE number in every quarter, as partners give it.
            out.write_bytes(data.replace(OLD.encode(), b"815").replace(NEW.encode(), b"815"))
        assert main(["run", "--board", SLUG, "--period", "2023-24-Q2", "--workers", "1"]) == 0
        yield root / "data" / "warehouse.duckdb"


@pytest.fixture(scope="module")
def board(north_yorkshire: Path) -> Board:
    return load_boards(north_yorkshire.parent.parent / "schemas").by_slug[SLUG]


def test_an_authority_has_every_code_of_its_dfe_number_and_a_split_starts_again(
    north_yorkshire: Path,
) -> None:
    with duckdb.connect(str(north_yorkshire), read_only=True) as connection:
        assert authority_codes(connection, NEW) == [OLD, NEW]
        assert authority_codes(connection, "E06000060") == ["E10000002", "E06000060"]
        assert authority_codes(connection, "E06000063") == ["E06000063"]  # Cumberland
        assert authority_codes(connection, "E06000062") == ["E06000062"]  # West Northants
        assert authority_codes(connection, "E06000033") == ["E06000033"]  # Southend


def test_the_scorecard_series_run_on_across_the_new_code(
    north_yorkshire: Path, board: Board
) -> None:
    data = read_scorecard_data(north_yorkshire, board, Q2_2023, area_code=NEW)
    quarters = quarter_series(data, RATE)
    labels = [label for label, _ in quarters["North Yorkshire"]]
    assert labels == [parse_quarter(q).label for q in QUARTERS]
    # The earlier quarters are the county's figures as they were computed, under its old code.
    with duckdb.connect(str(north_yorkshire), read_only=True) as connection:
        [(county,)] = connection.execute(
            "SELECT round(value, 1) FROM curated.indicator_values WHERE indicator_id = ? AND "
            "area_code = ? AND source_type = 'partner_return' AND period_end = ?",
            [RATE, OLD, date(2022, 6, 30)],
        ).fetchall()
    assert quarters["North Yorkshire"][0][1] == county
    years = [label for label, _ in year_series(data, RATE)["North Yorkshire"]]
    assert years[0] == "2012-13" and years[-1] == "2022-23"  # published for E10000023
    # Six quarterly points make a recent trend, and the year before is the county's quarter.
    assert data.trends[(RATE, "Total")] != "Cannot be calculated"


def test_the_workbook_has_the_figure_a_year_earlier_under_the_old_code(
    north_yorkshire: Path, board: Board, tmp_path: Path
) -> None:
    path = write_workbook(north_yorkshire, tmp_path / "w.xlsx", Q2_2023, board, area_code=NEW)
    sheet = openpyxl.load_workbook(path)["Child_protection"]
    rows = list(sheet.iter_rows(values_only=True))
    header = rows[2]
    earlier = header.index(next(h for h in header if str(h).startswith("Same period a year")))
    [row] = [r for r in rows[3:] if r[0] and "per 10,000" in r[0] and r[2] == "Partner returns"]
    assert isinstance(row[earlier], int | float)  # was [x]: 2022-23 Q2 is under E10000023


def test_the_data_chapter_quotes_the_year_before_under_the_old_code(
    north_yorkshire: Path, board: Board
) -> None:
    report = read_report_data(north_yorkshire, board, "2023-24", area_code=NEW)
    before = report.figures[
        report.figures["indicator_id"].eq(RATE)
        & report.figures["source_type"].eq("published")
        & report.figures["report_year"].eq(BEFORE)
    ]
    assert before["area_code"].tolist() == [OLD]  # 2022-23, published for the county


def test_the_data_chapters_are_those_of_the_areas_of_the_year(
    north_yorkshire: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # no LibreOffice: the DOCX and Markdown only
    out = tmp_path / "chapters"
    # The county code was not in use in 2023-24: no chapter of its own (it stopped the command),
    # and one area in the year keeps the chapter at the top of the folder.
    assert main(["report", "--year", "2023-24", "--board", SLUG, "--out", str(out)]) == 0
    written = sorted(path.name for path in out.iterdir())
    assert written == ["charts", "data_chapter_2023-24.docx", "data_chapter_2023-24.md"]
    assert capsys.readouterr().out.count("data chapter written (public edition)") == 1


def test_the_open_data_titles_name_the_target_of_the_editions_quarter(
    north_yorkshire: Path, board: Board, tmp_path: Path
) -> None:
    title = "within the local target of {} working days"
    edition = north_yorkshire.parent / "curated" / SLUG / "public"
    assert title.format(45) in (edition / "README.md").read_text()  # 2023-24 Q2's target
    earlier = write_exports(north_yorkshire, tmp_path, board, PUBLIC, date(2023, 3, 31))
    readme = next(path for path in earlier if path.name == "README.md").read_text()
    assert title.format(40) in readme and title.format(45) not in readme


def test_the_editions_templates_offer_the_unitarys_code_alone(north_yorkshire: Path) -> None:
    templates = sorted((north_yorkshire.parent / "curated" / SLUG / "templates").glob("*.xlsx"))
    assert templates
    for path in templates:
        cover = openpyxl.load_workbook(path)["Cover"]
        offered = {v.formula1 for v in cover.data_validations.dataValidation}
        assert f'"{NEW}"' in offered and not any(OLD in str(f) for f in offered), path
