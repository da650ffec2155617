"""The run summary's lines: a rejected file (what went wrong first and where its report is), the
returns found (all quarters', then the run's quarter's), the entries not read, and a
partnership's figures, each naming its area."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

import pandas as pd
import pytest
from markdown_it import MarkdownIt

from lscb_metrics.boards import Board, Boards
from lscb_metrics.config import settings
from lscb_metrics.intake.failures import Failure
from lscb_metrics.periods import Quarter, parse_quarter
from lscb_metrics.pipeline import BoardOutcome, RemovedBoard, RunSummary, board_outcome
from lscb_metrics.publish.figures import compared_years
from lscb_metrics.reference import area_names, load_areas
from lscb_metrics.report import (
    board_markdown,
    board_summary_lines,
    rejection_line,
    removed_board_line,
    returns_line,
    run_summary_text,
)
from lscb_metrics.returns.spec import Agency
from lscb_metrics.store import Skipped
from lscb_metrics.submissions import Submission


def rejected_file(archived_path: str | None) -> Submission:
    """A rejected partner file with a warning and two errors, kept at `archived_path`."""
    warning = Failure("VAL-010", "warning", "Data!B4", "b", "7", "unusual")
    errors = [
        Failure("COV-003", "error", "Cover!C7", "agency_code", "X", "not a known agency"),
        Failure("VAL-001", "error", "Data!C4", "c", "-1", "negative"),
    ]
    return Submission(
        "S-1",
        "cornwall/returns.xlsx",
        "0" * 64,
        1,
        datetime.now(UTC),
        failures=[warning, *errors],
        archived_path=archived_path,
    )


@pytest.mark.parametrize(
    ("warehouse", "archived", "shown"),
    [
        # The project's own warehouse: its report named from the project folder, where the
        # business manager runs the command (it was 'quarantine/S-1/...', from nowhere).
        (
            "/home/bm/lscb/data/warehouse.duckdb",
            "quarantine/S-1/returns.xlsx",
            "data/quarantine/S-1/validation_report.html",
        ),
        # A warehouse elsewhere (LSCB_WAREHOUSE): named in full.
        (
            "/srv/lscb/warehouse.duckdb",
            "quarantine/S-1/returns.xlsx",
            "/srv/lscb/quarantine/S-1/validation_report.html",
        ),
        # A file kept where an older warehouse recorded it in full, in the project: from there.
        (
            "/home/bm/lscb/data/warehouse.duckdb",
            "/home/bm/lscb/data/quarantine/S-1/returns.xlsx",
            "data/quarantine/S-1/validation_report.html",
        ),
    ],
)
def test_a_rejected_file_names_its_first_error_and_a_report_one_can_open(
    warehouse: str, archived: str, shown: str
) -> None:
    line = rejection_line(rejected_file(archived), Path(warehouse), Path("/home/bm/lscb"))
    assert line == (f"cornwall/returns.xlsx (2 errors, first COV-003 at Cover!C7); report: {shown}")


def test_a_file_not_kept_has_no_report_to_name() -> None:
    submission = Submission("S-2", "gone.xlsx", "0" * 64, 1, datetime.now(UTC))
    assert rejection_line(submission, Path("/w/warehouse.duckdb"), None) == "gone.xlsx (0 errors)"


def test_a_file_with_one_error_says_one_error() -> None:
    # The run summary read "(1 errors, first VAL-001 at Data!E2)".
    submission = rejected_file(None)
    submission.failures = submission.failures[:2]  # the warning and COV-003
    line = rejection_line(submission, Path("/w/warehouse.duckdb"), None)
    assert line == "cornwall/returns.xlsx (1 error, first COV-003 at Cover!C7)"


def received(submission_id: str, period_end: date | None, errors: int = 0) -> Submission:
    """A submission for the quarter ending `period_end` (None: a cover that names none)."""
    cover = {} if period_end is None else {"period_end": period_end}
    failures = [Failure("VAL-001", "error", "Data!C4", "c", "-1", "negative")] * errors
    status = "rejected" if errors else "accepted"
    return Submission(
        submission_id,
        f"{submission_id}.csv",
        "0" * 64,
        1,
        datetime.now(UTC),
        status,
        cover=cover,
        failures=failures,
    )


def summary_of(submissions: list[Submission], skipped: list[Skipped]) -> RunSummary:
    empty = pd.DataFrame()
    return RunSummary(
        "run-1",
        parse_quarter("2014-15-Q2"),
        "incomplete",
        Path("w.duckdb"),
        submissions,
        [],
        empty,
        empty,
        skipped=skipped,
    )


def test_the_returns_line_gives_every_quarter_then_the_run_quarter() -> None:
    """The returns folder and the store hold every quarter's returns: the run's own are
    counted apart, so "18 accepted" is not read as this quarter's."""
    q1, q2 = date(2014, 6, 30), date(2014, 9, 30)
    submissions = [received("S-1", q1), received("S-2", q2), received("S-3", q2, errors=1)]
    submissions.append(received("S-4", None, errors=2))
    text = run_summary_text(summary_of(submissions, []))
    assert (
        "Returns: 2 accepted, 2 rejected (all quarters); for 2014-15 Q2: 1 accepted, 1 rejected"
        in text
    )
    assert "Not read" not in text
    only_q1 = run_summary_text(summary_of(submissions[:1], []))
    assert "Returns: 1 accepted (all quarters); for 2014-15 Q2: none" in only_q1
    assert "Returns: none found" in run_summary_text(summary_of([], []))


def test_valid_returns_for_a_later_quarter_are_counted_in_words() -> None:
    # A 2014-15 Q1 run that also finds Q2's valid returns: the line read "1 not_in_run".
    later = received("S-2", date(2014, 9, 30))
    later.status = "not_in_run"
    summary = summary_of([received("S-1", date(2014, 6, 30)), later], [])
    summary = replace(summary, quarter=parse_quarter("2014-15-Q1"))
    assert returns_line(summary) == (
        "Returns: 1 accepted, 1 for a later quarter (all quarters); for 2014-15 Q1: 1 accepted"
    )


def test_entries_not_read_are_counted_and_named() -> None:
    skipped = [
        Skipped(f"q2/copy{n}.csv", "a duplicate: the same content as q2/a.csv") for n in range(12)
    ]
    text = run_summary_text(summary_of([], skipped))
    assert "Not read: 12 entries" in text
    assert "  not read: q2/copy0.csv (a duplicate: the same content as q2/a.csv)" in text
    assert "... and 2 more not read" in text


def _partnership_summary() -> tuple[RunSummary, BoardOutcome]:
    """A run of a board covering two areas, each with its referral rate for the quarter."""
    quarter = parse_quarter("2024-25-Q2")
    board = Board(
        "pan-dorset", "Pan-Dorset SCP", ("E06000058", "E06000059"), {}, {}, {}, Path("b.yaml")
    )
    compared = pd.DataFrame(
        {
            "indicator_id": "referral_rate",
            "area_code": ["E06000058", "E06000059"],
            "area_name": ["Bournemouth, Christchurch and Poole", "Dorset"],
            "breakdown": "Total",
            "source_type": "partner_return",
            "period_end": date(2024, 9, 30),
            "value": [539.5, 516.2],
            "england_value": 515.7,
            "region_value": 462.0,
            "comparator_period_end": date(2024, 3, 31),
            "sn_average": [434.8, 446.8],
            "previous_value": [500.0, 400.0],
            "change_pct": [7.9, 29.05],
        }
    )
    # England's published 2023-24 figure, which the comparators are taken from.
    values = pd.DataFrame(
        {
            "indicator_id": ["referral_rate"],
            "decimals": [1],
            "unit": ["rate"],
            "source_type": ["published"],
            "breakdown": ["Total"],
            "period_end": [date(2024, 3, 31)],
            "time_period": ["2023-24"],
        }
    )
    summary = RunSummary("r", quarter, "complete", Path("w"), [], [], values, compared)
    outcome = BoardOutcome(board, "complete", [], [], True)
    summary.boards = [outcome]
    return summary, outcome


def test_a_partnerships_figures_each_name_their_area() -> None:
    summary, outcome = _partnership_summary()
    lines = board_summary_lines(summary, outcome)
    assert "    referral_rate (Bournemouth, Christchurch and Poole): 539.5" in "\n".join(lines)
    assert "    referral_rate (Dorset): 516.2 (England 515.7, neighbours 446.8)" in lines
    markdown = "\n".join(board_markdown(summary, outcome))
    assert "| referral_rate | Dorset | Total | 516.2 | 515.7 | 446.8 |" in markdown
    assert "| referral_rate | Dorset | Total | 400.0 | 516.2 | 29% |" in markdown


def test_the_markdown_summary_shows_a_hostile_name_as_its_own_text() -> None:
    # The Prefect UI renders the summary: a board's name, or a member or contributor its
    # records name, must not link, fetch an image, write HTML or add a table cell there.
    summary, outcome = _partnership_summary()
    hostile = replace(outcome.board, name="Pan-Dorset [x](javascript:alert(1)) <script>")
    outcome = replace(outcome, board=hostile, missing=["![i](http://evil.example/i.png)"])
    summary.boards = [outcome]
    summary.comparisons["breakdown"] = "Chair | <img src=x onerror=alert(1)>"
    html = (
        MarkdownIt("commonmark").enable("table").render("\n".join(board_markdown(summary, outcome)))
    )
    assert "<a " not in html and "<img" not in html and "<script" not in html
    assert "<td>Chair | &lt;img src=x onerror=alert(1)&gt;</td>" in html
    assert "<h2>Pan-Dorset [x](javascript:alert(1)) &lt;script&gt;: complete</h2>" in html


def test_the_figures_name_the_year_england_and_the_neighbours_are_of() -> None:
    # A 2024-25 Q2 figure beside England's 2023-24 (the latest published) read as if England's
    # were for the same quarter.
    summary, outcome = _partnership_summary()
    assert (
        "  Figures for 2024-25 Q2 (England, statistical neighbours as published for 2023-24):"
        in board_summary_lines(summary, outcome)
    )


def test_a_run_of_several_boards_says_first_which_are_complete() -> None:
    # A hub's ten boards print hundreds of lines of figures: an incomplete board must be named
    # before them, not found by scrolling.
    summary, complete = _partnership_summary()
    late = Board("suffolk", "Suffolk SCP", ("E10000029",), {}, {}, {}, Path("s.yaml"))
    one_missing = Board("luton", "Luton SCP", ("E06000032",), {}, {}, {}, Path("l.yaml"))
    summary.boards = [
        complete,
        BoardOutcome(late, "no returns", ["SCC: referrals", "POLICE: training"], [], False),
        BoardOutcome(one_missing, "incomplete", ["LBC: referrals"], ["S-9"], True),
    ]
    lines = run_summary_text(summary).splitlines()
    start = lines.index("Boards for 2024-25 Q2: 1 complete, 1 incomplete, 1 no returns")
    assert lines[start + 1 : start + 4] == [
        "  pan-dorset  complete: new edition",
        "  suffolk     no returns: 2 returns missing, edition unchanged",
        "  luton       incomplete: 1 return missing, 1 file rejected, new edition",
    ]
    assert start < lines.index("Pan-Dorset SCP (pan-dorset): complete")


def test_a_run_of_one_board_has_no_overview() -> None:
    summary, _ = _partnership_summary()
    assert "Boards for" not in run_summary_text(summary)


def test_a_new_boards_first_quarters_say_when_12_month_figures_appear() -> None:
    # An area whose returns start in 2024-25 Q1 has no referral rate for 2024-25 Q2: the
    # summary says why, and when the first comes, rather than leaving the figure out silently.
    summary, outcome = _partnership_summary()
    bcp, dorset = outcome.board.areas
    summary.area_names = {bcp: "Bournemouth, Christchurch and Poole", dorset: "Dorset"}
    # Dorset's four quarters of returns (2023-24 Q3 to 2024-25 Q2): nothing to explain.
    firsts = {bcp: Quarter(2024, 1), dorset: Quarter(2023, 3)}
    lines = board_summary_lines(summary, replace(outcome, first_quarters=firsts))
    assert [line for line in lines if "returns start" in line] == [
        "  Bournemouth, Christchurch and Poole (E06000058): Partner returns start with 2024-25 "
        "Q1: a figure summed over 12 months (such as referrals per 10,000 children) needs four "
        "quarters of returns, so the first is for 2024-25 Q4; one over a longer window needs "
        "its every quarter."
    ]
    # A board of one area in the quarter says it as its edition does, naming no area.
    one = replace(outcome.board, areas=(bcp,))
    lines = board_summary_lines(summary, replace(outcome, board=one, first_quarters=firsts))
    assert "  Partner returns start with 2024-25 Q1: a figure" in "\n".join(lines)


def test_a_partnerships_missing_returns_name_each_area_as_people_know_it() -> None:
    # Bedford, Central Bedfordshire and Luton under one board: "for E06000055" is read by nobody.
    bedford, central, luton = "E06000055", "E06000056", "E06000032"
    agency = Agency("BEDS-POLICE", "Police", "police", ("training",))
    board = Board(
        "bedford",
        "Bedfordshire SCP",
        (bedford, central, luton),
        {agency.code: agency},
        {},
        {},
        Path("b"),
    )
    names = area_names(load_areas(settings().reference_dir))
    quarter = parse_quarter("2024-25-Q2")
    outcome = board_outcome(board, [], [], quarter, Boards({board.slug: board}), names)
    summary, _ = _partnership_summary()
    summary.boards = [outcome]
    assert (
        "  Missing for 2024-25 Q2: BEDS-POLICE: training for Bedford (E06000055); "
        "BEDS-POLICE: training for Central Bedfordshire (E06000056); "
        "BEDS-POLICE: training for Luton (E06000032)"
    ) in board_summary_lines(summary, outcome)
    markdown = "\n".join(board_markdown(summary, outcome))
    assert "- BEDS-POLICE: training for Luton (E06000032)" in markdown


def test_a_removed_boards_areas_are_named() -> None:
    gone = RemovedBoard("southend", "2014-15 Q2", ("E06000033",))
    line = removed_board_line(gone, {"E06000033": "Southend-on-Sea"})
    assert "its returns, for Southend-on-Sea (E06000033), are rejected as no board's" in line


def test_the_run_summary_names_a_pooled_comparator_period_as_published() -> None:
    # LAIT's 2020-22 road casualty rate (ending 31 December 2022) was "as published for 2022-23".
    compared = pd.DataFrame(
        {
            "indicator_id": ["road_ksi_rate"],
            "comparator_period_end": [date(2022, 12, 31)],
            "comparator_period": ["2020-22"],
            "england_value": [20.1],
            "region_value": [None],
            "sn_average": [None],
        }
    )
    assert compared_years(compared) == {"2020-22"}
