"""Which rows the report writers' workbook shows at a quarter: a published series with no figure
for the quarter, of an indicator the partner returns do not give, at its latest published."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from lscb_metrics.publish.figures import BEFORE, YEAR
from lscb_metrics.publish.workbook import quarter_and_year_before, year_earlier_values

Q2 = date(2014, 9, 30)  # the end of 2014-15 Q2


def rows(*series: tuple[str, str, date]) -> pd.DataFrame:
    """Figure rows of one area: (indicator, source type, period end)."""
    return pd.DataFrame(
        [
            {
                "indicator_id": indicator,
                "source_type": source,
                "breakdown": "Total",
                "period_end": end,
            }
            for indicator, source, end in series
        ]
    )


def shown(chosen: pd.DataFrame) -> set[tuple[str, str, date, str]]:
    """(indicator, source, period end, report_year) of each row the workbook shows."""
    columns = ["indicator_id", "source_type", "period_end", "report_year"]
    return set(chosen[columns].itertuples(index=False, name=None))


def test_a_quarter_shows_the_latest_published_year_behind_it_never_the_year_ahead() -> None:
    # At 2014-15 Q2 the Context and Looked-after sheets said "no figures" although DfE had
    # published 31 March 2014 and ONS mid-2014. 31 March 2015 is after the quarter: not shown.
    frame = rows(
        ("lac_rate", "published", date(2013, 3, 31)),
        ("lac_rate", "published", date(2014, 3, 31)),
        ("lac_rate", "published", date(2015, 3, 31)),
        ("population_all_ages", "published", date(2013, 6, 30)),
        ("population_all_ages", "published", date(2014, 6, 30)),
        ("population_all_ages", "published", date(2015, 6, 30)),
        # The board's own figure is the quarter's; DfE's is its comparator, not a row.
        ("referral_rate", "partner_return", date(2013, 9, 30)),
        ("referral_rate", "partner_return", Q2),
        ("referral_rate", "published", date(2014, 3, 31)),
    )
    assert shown(quarter_and_year_before(frame, Q2)) == {
        ("lac_rate", "published", date(2014, 3, 31), YEAR),
        ("lac_rate", "published", date(2013, 3, 31), BEFORE),
        ("population_all_ages", "published", date(2014, 6, 30), YEAR),
        ("population_all_ages", "published", date(2013, 6, 30), BEFORE),
        ("referral_rate", "partner_return", Q2, YEAR),
        ("referral_rate", "partner_return", date(2013, 9, 30), BEFORE),
    }


def test_a_latest_published_year_more_than_a_year_old_is_still_shown_as_its_own_year() -> None:
    # A 2026-27 Q2 edition while DfE's latest release is 2024-25 shows 2024-25 beside 2023-24.
    frame = rows(
        ("lac_rate", "published", date(2024, 3, 31)),
        ("lac_rate", "published", date(2025, 3, 31)),
    )
    chosen = quarter_and_year_before(frame, date(2026, 9, 30))
    assert shown(chosen) == {
        ("lac_rate", "published", date(2025, 3, 31), YEAR),
        ("lac_rate", "published", date(2024, 3, 31), BEFORE),
    }


def test_a_published_figure_ending_on_the_quarter_is_the_quarters_own() -> None:
    frame = rows(
        ("lac_rate", "published", date(2013, 3, 31)),
        ("lac_rate", "published", date(2014, 3, 31)),
        ("lac_rate", "published", date(2015, 3, 31)),
    )
    assert shown(quarter_and_year_before(frame, date(2015, 3, 31))) == {
        ("lac_rate", "published", date(2015, 3, 31), YEAR),
        ("lac_rate", "published", date(2014, 3, 31), BEFORE),
    }


def test_a_series_with_nothing_up_to_the_quarter_gives_no_row() -> None:
    # ONS single ages start at mid-2023: a 2014-15 edition has none, and says so as before.
    frame = rows(("population_0_4", "published", date(2023, 6, 30)))
    assert quarter_and_year_before(frame, Q2).empty


def test_each_series_value_a_year_earlier_is_found_by_indicator_breakdown_and_source() -> None:
    previous = pd.DataFrame(
        {
            "indicator_id": ["cin_rate", "cin_rate", "training_pct"],
            "breakdown": ["Total", "Total", "SUH"],
            "source_type": ["partner_return", "published", "partner_return"],
            "value": [512.3, 498.0, 91.5],
        }
    )

    earlier = year_earlier_values(previous)

    assert earlier[("cin_rate", "Total", "published")] == 498.0
    assert earlier[("training_pct", "SUH", "partner_return")] == 91.5


def test_a_series_given_twice_a_year_earlier_is_refused() -> None:
    previous = pd.DataFrame(
        {
            "indicator_id": ["cin_rate", "cin_rate"],
            "breakdown": ["Total", "Total"],
            "source_type": ["published", "published"],
            "value": [512.3, 498.0],
        }
    )

    with pytest.raises(ValueError, match="given twice"):
        year_earlier_values(previous)
