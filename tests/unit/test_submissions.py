"""Submissions: which returns a board is missing for a quarter (each agency's, for each area it
covers), and what a rejected file's cover says it is (`stated_cover`): its raw text, and its
quarter where its dates are one, so that it counts against its own quarter alone."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

import pandas as pd
import pytest
from prefect.utilities.collections import visit_collection

from lscb_metrics.boards import Board, load_boards
from lscb_metrics.periods import parse_quarter
from lscb_metrics.pipeline import RunSummary, rejected_against
from lscb_metrics.returns.spec import Agency
from lscb_metrics.submissions import (
    Submission,
    SubmissionList,
    corrected_rejections,
    missing_returns,
    stated_cover,
    submissions_table,
)

Q3 = parse_quarter("2024-25-Q3")
BCP, DORSET = "E06000058", "E06000059"
#: The areas' names, as the shipped reference data gives them (`area_names`).
NAMES = {BCP: "Bournemouth, Christchurch and Poole", DORSET: "Dorset"}
BOARDS = load_boards()
THURROCK = BOARDS.by_slug["thurrock"]


def board(*areas: str) -> Board:
    """A board of one agency sending referrals, covering `areas`."""
    agency = Agency("PD-CSC", "Children's Services", "local_authority", ("referrals",))
    return Board("pan-dorset", "Pan-Dorset SCP", areas, {agency.code: agency}, {}, {}, Path("b"))


def accepted(area: str) -> Submission:
    """PD-CSC's accepted referrals return for `area` in Q3."""
    cover = {
        "agency_code": "PD-CSC",
        "return_type": "referrals",
        "area_code": area,
        "period_end": Q3.end,
    }
    return Submission(
        "S-" + area, f"{area}.xlsx", "0" * 64, 1, datetime.now(UTC), "accepted", cover=cover
    )


def test_a_partnerships_return_is_missing_for_each_area_it_has_not_come_for() -> None:
    # Dorset's return leaves every figure of Bournemouth, Christchurch and Poole missing; the
    # business manager reads the area's name, the code beside it as the templates give it.
    assert missing_returns([accepted(DORSET)], Q3, board(BCP, DORSET), NAMES) == [
        f"PD-CSC: referrals for Bournemouth, Christchurch and Poole ({BCP})"
    ]
    assert missing_returns([accepted(DORSET), accepted(BCP)], Q3, board(BCP, DORSET), NAMES) == []


def test_a_return_is_missing_only_for_the_areas_that_exist_in_its_quarter() -> None:
    # Cumbria was replaced by Cumberland and Westmorland and Furness on 1 April 2023: a board
    # declaring all three expects Cumbria's returns until 2022-23 Q4 and the others' after.
    cumbria, cumberland, westmorland = "E10000006", "E06000063", "E06000064"
    spanning = board(cumbria, cumberland, westmorland)
    before, after = parse_quarter("2022-23-Q4"), parse_quarter("2023-24-Q1")
    # An area the names do not know (none here) is named by its code alone.
    assert missing_returns([], before, spanning, {}) == [f"PD-CSC: referrals for {cumbria}"]
    assert missing_returns([], after, spanning, {}) == [
        f"PD-CSC: referrals for {cumberland}",
        f"PD-CSC: referrals for {westmorland}",
    ]
    assert spanning.area_folders_on(after.end) == (
        (cumberland, cumberland),
        (westmorland, westmorland),
    )


def test_a_board_of_one_area_names_its_missing_returns_without_it() -> None:
    assert missing_returns([], Q3, board(DORSET), NAMES) == ["PD-CSC: referrals"]
    assert missing_returns([accepted(DORSET)], Q3, board(DORSET), NAMES) == []


def raw(**fields: object) -> dict[str, object]:
    """A raw cover: Southend's SEPT training return, sent in Thurrock's name (BRD-002)."""
    return {
        "return_type": "training",
        "agency_code": "SEPT",
        "la_code": "E06000034",
        "period_start": "2014-10-01",
        "period_end": "2014-12-31",
    } | fields


@pytest.mark.parametrize(
    ("start", "end"),
    [
        ("2014-10-01", "2014-12-31"),
        (datetime(2014, 10, 1), datetime(2014, 12, 31)),  # Excel date cells
        ("01/10/2014", "31/12/2014"),
    ],
)
def test_a_cover_that_did_not_pass_keeps_its_quarter(start, end) -> None:
    cover = stated_cover(raw(period_start=start, period_end=end), None)
    assert (cover["period_start"], cover["period_end"]) == (date(2014, 10, 1), date(2014, 12, 31))
    assert cover["area_code"] == "E06000034"


@pytest.mark.parametrize(
    ("start", "end"),
    [("2014-10-01", "2014-11-30"), ("2014-10-01", None), ("soon", "2014-12-31")],
)
def test_dates_that_are_not_a_quarter_give_none(start, end) -> None:
    cover = stated_cover(raw(period_start=start, period_end=end), None)
    assert (cover["period_start"], cover["period_end"]) == (None, None)


def test_a_file_rejected_for_its_area_counts_in_its_own_quarter_only() -> None:
    """A Q3 file in Thurrock's name must not make Thurrock's Q2 run incomplete."""
    rejected = Submission(
        "S-1", "f.csv", "0" * 64, 1, datetime.now(UTC), cover=stated_cover(raw(), None)
    )
    assert rejected_against(rejected, THURROCK, BOARDS, parse_quarter("2014-15-Q3"))
    assert not rejected_against(rejected, THURROCK, BOARDS, parse_quarter("2014-15-Q2"))


def test_a_version_is_a_whole_number_and_none_for_a_rejected_file() -> None:
    first = accepted(DORSET)
    first.status, first.version = "accepted", 1
    refused = Submission("S-2", "b.csv", "1" * 64, 1, datetime.now(UTC))
    table = submissions_table([first, refused], Path("data"))
    assert str(table["version"].dtype) == "Int64"
    versions = table.set_index("submission_id")["version"]
    assert versions[first.submission_id] == 1 and versions.isna()["S-2"]


def test_where_a_file_is_kept_is_recorded_relative_to_the_warehouses_folder() -> None:
    # It was recorded absolute: a warehouse moved or shared pointed nowhere, and named the
    # user's home folder.
    folder = Path("/home/someone/project/data")
    kept = replace(accepted(DORSET), archived_path=str(folder / "store/S-1/referrals.xlsx"))
    unkept = Submission("S-2", "b.csv", "1" * 64, 1, datetime.now(UTC))
    table = submissions_table([kept, unkept], folder).set_index("submission_id")
    assert table.at[kept.submission_id, "archived_path"] == "store/S-1/referrals.xlsx"
    assert table["archived_path"].isna()["S-2"]


def received(submission: Submission, day: int, status: str) -> Submission:
    """`submission` received on `day` December 2024 with `status`."""
    return replace(submission, received_at=datetime(2024, 12, day), status=status)


def test_a_rejected_file_is_corrected_by_a_valid_one_received_after_it() -> None:
    bad, good = received(accepted(BCP), 1, "rejected"), received(accepted(BCP), 2, "accepted")
    assert corrected_rejections([bad, replace(good, submission_id="S-2")]) == {bad.submission_id}
    # A valid file received before it is not its correction: the later file meant to replace it.
    early = replace(good, submission_id="S-0", received_at=datetime(2024, 11, 30))
    assert corrected_rejections([bad, early]) == frozenset()
    # Another area's valid file, or a cover that does not say what it is, corrects nothing.
    assert corrected_rejections([bad, received(accepted(DORSET), 2, "accepted")]) == frozenset()
    unnamed = replace(bad, cover={**bad.cover, "return_type": None})
    assert corrected_rejections([unnamed, replace(good, submission_id="S-2")]) == frozenset()


def test_prefect_does_not_walk_a_runs_submissions_at_the_end_of_its_flow() -> None:
    # Prefect looks through a flow's result for futures, list by list and field by field.
    submissions = [accepted(area) for area in (BCP, DORSET)]
    summary = RunSummary(
        "run",
        Q3,
        "complete",
        Path("w"),
        SubmissionList(submissions),
        [],
        pd.DataFrame(),
        pd.DataFrame(),
    )
    visited: list[object] = []

    visit_collection(summary, visit_fn=visited.append, return_data=False)

    assert not any(isinstance(item, Submission) for item in visited)
    assert list(summary.submissions) == submissions
    assert len(summary.submissions) == 2
    assert summary.submissions[1] is submissions[1]
