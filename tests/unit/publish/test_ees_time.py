"""The open data's EES time period and identifier of each kind of figure."""

from __future__ import annotations

from datetime import date

import pytest

from lscb_metrics.publish.exports import ees_time


@pytest.mark.parametrize(
    ("period_end", "source_type", "time_period", "expected"),
    [
        # A partner quarter: the rolling 12 months ending with it, labelled by the quarter.
        (date(2014, 9, 30), "partner_return", "2014-15 Q2", ("201415", "Financial year Q2")),
        (date(2014, 3, 31), "partner_return", "2013-14 Q4", ("201314", "Financial year Q4")),
        # A longer window ending with a quarter that is not the year's last.
        (
            date(2014, 9, 30),
            "partner_return",
            "2012-13 Q3 to 2014-15 Q2",
            ("201415", "Financial year Q2"),
        ),
        # The board's annual record (its budget for 2013-14) is a financial year, not its Q4.
        (date(2014, 3, 31), "partner_return", "2013-14", ("201314", "Financial year")),
        # Two years pooled to March 2014, labelled as Fingertips does, like a published one.
        (date(2014, 3, 31), "partner_return", "2012-14", ("201314", "Financial year")),
        (date(2014, 3, 31), "published", "2013-14", ("201314", "Financial year")),
        (date(2016, 12, 31), "published", "2014-16", ("2016", "Calendar year")),
        # A mid-year estimate, the board's own or ONS's, is the calendar year it is taken in.
        (date(2012, 6, 30), "partner_return", "mid-2012", ("2012", "Calendar year")),
        (date(2012, 6, 30), "published", "mid-2012", ("2012", "Calendar year")),
    ],
)
def test_ees_time(
    period_end: date, source_type: str, time_period: str, expected: tuple[str, str]
) -> None:
    assert ees_time(period_end, source_type, time_period) == expected


def test_a_period_ees_cannot_name_is_refused() -> None:
    with pytest.raises(ValueError, match="2014-05-31"):
        ees_time(date(2014, 5, 31), "published", "2014")
