"""Synthetic returns for a scaffolded board (`board_setup.plausible_returns`)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from lscb_metrics.board_setup import plausible_returns
from lscb_metrics.boards import Board, load_boards
from lscb_metrics.periods import Quarter

SCHEMAS = Path(__file__).parents[2] / "schemas"


def southend_covering(areas: tuple[str, ...]) -> Board:
    """The demo Southend board as if it covered `areas`, each with Southend's local targets."""
    southend = load_boards(SCHEMAS).by_slug["southend"]
    targets = {
        name: dict.fromkeys(areas, by_area["E06000033"])
        for name, by_area in southend.local_targets.items()
    }
    return replace(southend, areas=areas, local_targets=targets)


def test_each_quarters_returns_name_the_authority_in_being_then() -> None:
    # North Yorkshire was E10000023 until March 2023 and is E06000065 since: a return naming
    # the county's code after the change would be refused (BRD-004).
    areas = ("E10000023", "E06000065")
    board = southend_covering(areas)
    quarters = [Quarter(2022, 4), Quarter(2023, 1)]
    files = plausible_returns(board, quarters, SCHEMAS, dict.fromkeys(areas, 100_000))
    for name, data in files.items():
        expected, other = (
            (b"E10000023", b"E06000065")
            if name.startswith("2022-23")
            else (b"E06000065", b"E10000023")
        )
        assert expected in data and other not in data, name
    assert {name.split("/")[0] for name in files} == {"2022-23-Q4", "2023-24-Q1"}


def test_a_local_target_of_45_days_counts_the_assessments_within_45_days() -> None:
    # Thurrock's target is the statutory 45 working days: the two counts are the same
    # assessments, so its edition must not print two different percentages for them.
    boards = load_boards(SCHEMAS).by_slug
    quarter = Quarter(2014, 2)
    counts = {}
    for slug in ("southend", "thurrock"):
        children = dict.fromkeys(boards[slug].areas, 40_000)
        files = plausible_returns(boards[slug], [quarter], SCHEMAS, children)
        [data] = [data for name, data in files.items() if name.endswith("_assessments.csv")]
        header, row = data.decode().splitlines()
        counts[slug] = dict(zip(header.split(","), row.split(","), strict=True))
    thurrock, southend = counts["thurrock"], counts["southend"]
    assert thurrock["local_target_days"] == "45"
    assert thurrock["assessments_within_local_target"] == thurrock["assessments_within_45_days"]
    assert southend["local_target_days"] == "40"
    assert int(southend["assessments_within_local_target"]) < int(
        southend["assessments_within_45_days"]
    )


def test_a_partnership_has_each_areas_returns_scaled_to_its_children() -> None:
    # Each authority of a partnership sends its own returns: with the first area's alone, every
    # other area's would be missing and the board's quarter never complete.
    areas = ("E06000033", "E06000034")
    board = southend_covering(areas)
    quarter = Quarter(2014, 2)
    files = plausible_returns(board, [quarter], SCHEMAS, {"E06000033": 40_000, "E06000034": 4_000})
    referrals = {
        area: files[f"2014-15-Q2/SBC-CSC_referrals_{area}.csv"].decode().splitlines()[1].split(",")
        for area in areas
    }
    assert {row[2] for row in referrals.values()} == set(areas)
    # referrals, the first figure after the cover: many more in the area with ten times the
    # children (each within ±10% of its rate, then made to add up)
    assert 5 < int(referrals["E06000033"][5]) / int(referrals["E06000034"][5]) < 20
    sending = [a for a in board.agencies.values() if a.sends_in(quarter.end)]
    assert len(files) == 2 * sum(len(agency.returns) for agency in sending)
