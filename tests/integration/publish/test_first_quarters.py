"""A board whose returns start within the last three quarters: its scorecard, workbook, run
summary and data chapter say why it has no figure summed over 12 months yet, and the quarter the
first is for, in the same words. They showed [x] or nothing, without a word."""

from __future__ import annotations

from pathlib import Path

import openpyxl

from lscb_metrics.periods import parse_quarter
from lscb_metrics.publish import write_workbook
from lscb_metrics.publish.annual_report import chapter_blocks, markdown_text, read_report_data
from lscb_metrics.publish.scorecard import read_scorecard_data, scorecard_html
from lscb_metrics.report import board_summary_lines

THURROCK = "E06000034"
QUARTER = parse_quarter("2014-15-Q2")
SAYS = (
    "Partner returns start with 2014-15 Q1: a figure summed over 12 months (such as referrals "
    "per 10,000 children) needs four quarters of returns, so the first is for 2014-15 Q4; one "
    "over a longer window needs its every quarter."
)


def test_the_scorecard_says_why_it_has_no_12_month_figures_yet(new_board) -> None:
    path, summary = new_board
    [outcome] = summary.boards
    data = read_scorecard_data(path, outcome.board, QUARTER.end, area_code=THURROCK)
    assert "referral_rate" not in set(data.shown["indicator_id"])  # needs four quarters
    assert data.first_figures == SAYS
    assert f"Figures not yet available</h3><p>{SAYS}</p>" in scorecard_html(data, {})


def test_the_workbooks_notes_say_why_too(new_board, tmp_path: Path) -> None:
    path, summary = new_board
    [outcome] = summary.boards
    out = write_workbook(path, tmp_path / "tables.xlsx", QUARTER.end, outcome.board)
    notes = openpyxl.load_workbook(out)["Notes"].iter_rows(values_only=True)
    assert SAYS in {text for _, text, *_ in notes}


def test_the_run_summary_says_it_in_the_same_words(new_board) -> None:
    _, summary = new_board
    [outcome] = summary.boards
    assert f"  {SAYS}" in board_summary_lines(summary, outcome)


def test_a_sheet_without_figures_for_want_of_quarters_refers_to_that_note(
    new_board, tmp_path: Path
) -> None:
    # After two quarters the child death overview panel's figures (all summed over 12 months
    # or more) are not yet due: the sheet said "[note 9]", "no figures for this theme".
    path, summary = new_board
    [outcome] = summary.boards
    book = openpyxl.load_workbook(
        write_workbook(path, tmp_path / "t.xlsx", QUARTER.end, outcome.board)
    )
    numbers = {text: number for number, text, *_ in book["Notes"].iter_rows(values_only=True)}
    [row] = [r for r in book["Child_deaths"].iter_rows(values_only=True) if r[0] == "Child deaths"]
    assert row[-1] == f"[{numbers[SAYS]}]"


def test_the_data_chapter_says_why_too_and_claims_no_year_it_has_not(new_board) -> None:
    # Its chapter said only "No figures for child deaths in ...", and its introduction named
    # figures kept by financial year "(in ... road safety and injuries) for 2013-14", the
    # published injury admissions, though the board's returns start in 2014-15. Child deaths
    # are kept by financial year: the section's figures would be 2013-14's, not the report
    # year's, as it said ("in October 2013 to September 2014").
    path, summary = new_board
    [outcome] = summary.boards
    chapter = markdown_text(chapter_blocks(read_report_data(path, outcome.board, QUARTER)))
    assert f"No figures for child deaths in 2013-14. {SAYS}" in chapter
    introduction = chapter.split("those it keeps by financial year (", 1)[1].split(")")[0]
    # The board's own records of 2013-14 (data/raw/local/thurrock) are kept by financial year.
    assert introduction == "in looked-after children, training, finance and board attendance"


def test_the_data_chapters_introduction_claims_no_12_months_it_has_not(new_board) -> None:
    # It said "events in the 12 months to 30 September 2014", each "beside the same figure a
    # year earlier", with two quarters of returns.
    path, summary = new_board
    [outcome] = summary.boards
    blocks = chapter_blocks(read_report_data(path, outcome.board, QUARTER))
    introduction = markdown_text(blocks[:2])
    assert "(events in at most the 6 months to 30 September 2014, children at that date)" in (
        introduction
    )
    assert "and the same figure a year earlier where there is one. " + SAYS in introduction
    assert "12 months to" not in introduction
