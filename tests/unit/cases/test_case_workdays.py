"""Working days between two dates: the convention, hand-checked across bank holidays, and the
vectorised and calendar implementations agreeing with the simple one."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lscb_metrics.cases.workdays import (
    bank_holidays,
    is_working_day,
    working_day_numbers,
    working_days_between,
    working_days_between_arrays,
)

# (start, end, working days): each counted by hand on a calendar.
HAND_CHECKED = [
    (date(2014, 7, 1), date(2014, 7, 1), 0),  # the start day is day 0
    (date(2014, 7, 1), date(2014, 7, 2), 1),  # Tuesday to Wednesday
    (date(2014, 7, 4), date(2014, 7, 7), 1),  # Friday to Monday: the weekend does not count
    (date(2014, 7, 4), date(2014, 7, 6), 0),  # Friday to Sunday: a weekend end adds nothing
    (date(2014, 7, 5), date(2014, 7, 7), 1),  # Saturday start: the Monday after is day 1
    # 9 weeks (45 weekdays) less the Summer bank holiday, Monday 25 August 2014.
    (date(2014, 7, 1), date(2014, 9, 2), 44),
    # Christmas 2012: Tuesday 25 and Wednesday 26 December are bank holidays.
    (date(2012, 12, 24), date(2012, 12, 27), 1),
    (date(2012, 12, 21), date(2012, 12, 31), 4),  # 24, 27, 28, 31
    # Easter 2014: Good Friday 18 April, Easter Monday 21 April.
    (date(2014, 4, 17), date(2014, 4, 22), 1),
    (date(2014, 4, 16), date(2014, 4, 23), 3),  # 17, 22, 23
    # Substitute days: Christmas and Boxing Day 2021 on a weekend, so Monday 27 and Tuesday 28
    # December are bank holidays; New Year's Day 2022 a Saturday, so Monday 3 January is.
    (date(2021, 12, 24), date(2021, 12, 29), 1),
    (date(2021, 12, 24), date(2022, 1, 4), 4),  # 29, 30, 31, 4
    (date(2021, 12, 31), date(2022, 1, 3), 0),  # the substitute Monday adds nothing
    (date(2021, 12, 31), date(2022, 1, 4), 1),
    # 2022: the Platinum Jubilee (2-3 June) and the state funeral (19 September).
    (date(2022, 6, 1), date(2022, 6, 6), 1),
    (date(2022, 9, 16), date(2022, 9, 20), 1),
]


def test_the_calendar_is_england_and_wales() -> None:
    days = set(bank_holidays(2021, 2022))
    assert {date(2021, 12, 27), date(2021, 12, 28), date(2022, 1, 3)} <= days
    assert date(2022, 9, 19) in days  # state funeral of Queen Elizabeth II
    assert date(2021, 3, 17) not in days  # St Patrick's Day is Northern Ireland's only
    assert date(2022, 8, 1) not in days  # Scotland's summer bank holiday is not England's
    assert not is_working_day(date(2014, 4, 18)) and is_working_day(date(2014, 4, 17))


@pytest.mark.parametrize(("start", "end", "expected"), HAND_CHECKED)
def test_hand_checked_counts(start: date, end: date, expected: int) -> None:
    assert working_days_between(start, end) == expected
    assert working_days_between_arrays([start], [end]).tolist() == [expected]


def test_end_before_start_counts_back() -> None:
    assert working_days_between(date(2014, 7, 7), date(2014, 7, 4)) == -1
    assert working_days_between_arrays([date(2014, 7, 7)], [date(2014, 7, 4)]).tolist() == [-1]


def test_no_pairs_give_no_counts() -> None:
    assert working_days_between_arrays([], []).size == 0


days = st.dates(min_value=date(2010, 1, 1), max_value=date(2026, 12, 31))


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.tuples(days, st.integers(min_value=-20, max_value=120)), min_size=1, max_size=20)
)
def test_vectorised_equals_simple(pairs: list[tuple[date, int]]) -> None:
    starts = [start for start, _ in pairs]
    ends = [start + timedelta(days=gap) for start, gap in pairs]
    expected = [working_days_between(s, e) for s, e in zip(starts, ends, strict=True)]
    assert working_days_between_arrays(starts, ends).tolist() == expected


@settings(max_examples=200, deadline=None)
@given(days, st.integers(min_value=0, max_value=200))
def test_calendar_numbers_difference_equals_simple(start: date, gap: int) -> None:
    end = start + timedelta(days=gap)
    calendar, numbers = working_day_numbers(start, end)
    assert calendar[0] == start and len(numbers) == gap + 1
    assert int(numbers[-1] - numbers[0]) == working_days_between(start, end)
