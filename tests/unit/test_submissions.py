"""Which returns a board is missing for a quarter: each agency's, for each area it covers."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from lscb_metrics.boards import Board
from lscb_metrics.periods import parse_quarter
from lscb_metrics.returns.spec import Agency
from lscb_metrics.submissions import Submission, missing_returns

Q3 = parse_quarter("2024-25-Q3")
BCP, DORSET = "E06000058", "E06000059"


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
    return Submission("S-" + area, f"{area}.xlsx", "0" * 64, 1, datetime.now(UTC), cover=cover)


def test_a_partnerships_return_is_missing_for_each_area_it_has_not_come_for() -> None:
    # Dorset's return leaves every figure of Bournemouth, Christchurch and Poole missing.
    assert missing_returns([accepted(DORSET)], Q3, board(BCP, DORSET)) == [
        f"PD-CSC: referrals for {BCP}"
    ]
    assert missing_returns([accepted(DORSET), accepted(BCP)], Q3, board(BCP, DORSET)) == []


def test_a_board_of_one_area_names_its_missing_returns_without_it() -> None:
    assert missing_returns([], Q3, board(DORSET)) == ["PD-CSC: referrals"]
    assert missing_returns([accepted(DORSET)], Q3, board(DORSET)) == []
