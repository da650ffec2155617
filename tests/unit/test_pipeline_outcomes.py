"""Which board a rejected file counts against, and in which quarter (pipeline.rejected_against),
on the shipped boards: Southend (E06000033) and Thurrock (E06000034)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from lscb_metrics.boards import load_boards
from lscb_metrics.periods import parse_quarter
from lscb_metrics.pipeline import rejected_against
from lscb_metrics.submissions import Submission

BOARDS = load_boards()
SOUTHEND, THURROCK = BOARDS.by_slug["southend"], BOARDS.by_slug["thurrock"]
Q2 = parse_quarter("2014-15-Q2")


def rejected(**cover: object) -> Submission:
    """A rejected file whose cover says `cover`."""
    return Submission("S-1", "f.xlsx", "0" * 64, 1, datetime.now(UTC), cover=dict(cover))


@pytest.mark.parametrize(
    ("cover", "against"),
    [
        # Its area is Southend's: Southend's alone.
        ({"area_code": "E06000033", "agency_code": "TC-CSC"}, {"southend"}),
        # Devon has no board, but the agency is Thurrock's: Thurrock's alone.
        ({"area_code": "E10000008", "agency_code": "TC-CSC"}, {"thurrock"}),
        # Nothing readable names a board: every board's, as none can say it was not theirs.
        ({"area_code": "E10000008", "agency_code": "NOBODY"}, {"southend", "thurrock"}),
        ({}, {"southend", "thurrock"}),
        # Another quarter's file is that quarter's.
        ({"area_code": "E06000033", "period_end": date(2014, 12, 31)}, set()),
        ({"area_code": "E06000033", "period_end": Q2.end}, {"southend"}),
    ],
)
def test_a_rejected_file_counts_against_the_board_it_names(cover, against) -> None:
    boards = {
        b.slug for b in (SOUTHEND, THURROCK) if rejected_against(rejected(**cover), b, BOARDS, Q2)
    }
    assert boards == against
