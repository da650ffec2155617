from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lscb_metrics.periods import (
    PeriodError,
    Quarter,
    estimate_mid_year,
    first_figures_note,
    parse_quarter,
    population_mid_year,
    quarter_from_dates,
    quarter_of,
    window_label,
    window_start,
)


def test_q2_is_july_to_september():
    quarter = parse_quarter("2014-15-Q2")
    assert (quarter.start, quarter.end) == (date(2014, 7, 1), date(2014, 9, 30))
    assert quarter.label == "2014-15 Q2"


def test_q4_is_january_to_march_of_the_second_year():
    quarter = parse_quarter("2013-14 Q4")
    assert (quarter.start, quarter.end) == (date(2014, 1, 1), date(2014, 3, 31))


@pytest.mark.parametrize("text", ["2014-16-Q2", "2014-15-Q5", "Q2 2014", "", "2014"])
def test_malformed_periods_are_refused_with_the_expected_spelling(text):
    with pytest.raises(PeriodError, match=r"2014-15-Q2|financial year"):
        parse_quarter(text)


@pytest.mark.parametrize("text", ["9999-00-Q1", "1999-00-Q4", "0001-02-Q1", "2027-28-Q1"])
def test_periods_outside_the_years_of_the_data_are_refused(text):
    with pytest.raises(PeriodError, match="outside the years the data can cover"):
        parse_quarter(text, today=date(2025, 6, 1))


@pytest.mark.parametrize("text", ["2000-01-Q1", "2026-27-Q4"])
def test_periods_from_2000_to_next_year_are_taken(text):
    assert parse_quarter(text, today=date(2025, 6, 1)).label.startswith(text[:7])


def test_dates_that_are_not_a_quarter_are_refused():
    with pytest.raises(PeriodError, match="not a financial quarter"):
        quarter_from_dates(date(2014, 7, 1), date(2014, 8, 31))


def test_rolling_twelve_months_ending_september_starts_in_october():
    assert window_start(date(2014, 9, 30), 12) == date(2013, 10, 1)
    assert window_start(date(2014, 3, 31), 6) == date(2013, 10, 1)


def test_population_mid_year_is_one_estimate_per_financial_year():
    # DfE: reporting year 2013-14 (ending 31 March 2014) uses the mid-2013 estimate, and every
    # quarter of 2013-14 takes the same one; 2014-15 Q2 (to September 2014) takes mid-2014.
    quarters_2013_14 = [date(2013, 6, 30), date(2013, 9, 30), date(2013, 12, 31), date(2014, 3, 31)]
    assert {population_mid_year(day) for day in quarters_2013_14} == {2013}
    assert population_mid_year(date(2014, 9, 30)) == 2014
    assert population_mid_year(date(2012, 6, 30)) == 2012


@given(st.integers(2010, 2040), st.integers(1, 4), st.integers(0, 40))
def test_previous_quarters_walk_back_through_years(year, number, back):
    quarter = Quarter(year, number)
    earlier = quarter.previous(back)
    assert (quarter.year_start * 4 + quarter.number) - (
        earlier.year_start * 4 + earlier.number
    ) == back
    assert quarter_of(earlier.start) == earlier
    assert parse_quarter(earlier.cli_name, today=date(2041, 1, 1)) == earlier


@pytest.mark.parametrize(
    ("end", "months", "label"),
    [
        (date(2014, 9, 30), 12, "2014-15 Q2"),
        (date(2014, 3, 31), 6, "2013-14 Q4"),
        (date(2014, 3, 31), 24, "2012-14"),  # April 2012 to March 2014, pooled
        (date(2014, 3, 31), 36, "2011-14"),
        (date(2014, 9, 30), 24, "2012-13 Q3 to 2014-15 Q2"),
    ],
)
def test_window_labels(end, months, label):
    assert window_label(end, months) == label


def test_a_mid_year_not_yet_published_takes_the_latest_estimate():
    assert estimate_mid_year(2026, 2024) == 2024
    assert estimate_mid_year(2023, 2024) == 2023
    assert estimate_mid_year(2011, 2012) == 2011  # before the series: nothing to fill from
    assert estimate_mid_year(2026, None) == 2026


@pytest.mark.parametrize(
    ("first", "says"),
    [
        ("2014-15-Q2", "start with 2014-15 Q2: ... so the first is for 2015-16 Q1;"),
        ("2014-15-Q1", "start with 2014-15 Q1: ... so the first is for 2014-15 Q4;"),
        ("2013-14-Q4", "start with 2013-14 Q4: ... so the first is for 2014-15 Q3;"),
        ("2013-14-Q3", None),  # four quarters of returns: the 12-month figures are there
        (None, None),  # no returns at all
    ],
)
def test_a_new_boards_first_three_quarters_say_when_12_month_figures_come(first, says):
    quarter = parse_quarter("2014-15-Q2")
    note = first_figures_note(first and parse_quarter(first), quarter)
    if says is None:
        assert note is None
        return
    start, end = says.split(" ... ")
    assert note.startswith(f"Partner returns {start} a figure summed over 12 months")
    assert f"needs four quarters of returns, {end} one over a longer window" in note
