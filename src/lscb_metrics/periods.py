"""Reporting periods: financial years, quarters, rolling windows and population mid-years.

Conventions (DfE children-in-need statistics; financial quarters as councils report them):
- The reporting year 2013-14 runs 1 April 2013 to 31 March 2014; DfE's `time_period` 2014.
- Quarters are financial: Q1 April-June, Q2 July-September, Q3 October-December, Q4 January-March.
- A period is written `2014-15-Q2` on the command line and labelled `2014-15 Q2` in tables.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TypeVar
from zoneinfo import ZoneInfo

from lscb_metrics.errors import LscbError

_QUARTER_RE = re.compile(r"^\s*(\d{4})[-/](\d{2})[-\s_]?Q([1-4])\s*$", re.IGNORECASE)


class PeriodError(LscbError, ValueError):
    """A period that cannot be read; the message says what was expected."""


@dataclass(frozen=True, order=True)
class Quarter:
    """A financial quarter: `year_start` 2014 and `number` 2 is July-September 2014 (2014-15 Q2)."""

    year_start: int
    number: int

    @property
    def start(self) -> date:
        """First day of the quarter."""
        month = 4 + 3 * (self.number - 1)
        year = self.year_start + (month > 12)
        return date(year, (month - 1) % 12 + 1, 1)

    @property
    def end(self) -> date:
        """Last day of the quarter."""
        return add_months(self.start, 3) - timedelta(days=1)

    @property
    def label(self) -> str:
        """Label used in tables, e.g. '2014-15 Q2'."""
        return f"{year_label(self.year_start)} Q{self.number}"

    @property
    def cli_name(self) -> str:
        """Spelling used on the command line, e.g. '2014-15-Q2'."""
        return f"{year_label(self.year_start)}-Q{self.number}"

    def previous(self, n: int = 1) -> Quarter:
        """The quarter `n` quarters before this one."""
        index = self.year_start * 4 + (self.number - 1) - n
        return Quarter(index // 4, index % 4 + 1)

    def next(self) -> Quarter:
        """The quarter after this one."""
        return self.previous(-1)


#: The first financial year a run may report on: no return or published figure is older.
FIRST_YEAR = 2000


def year_label(year_start: int) -> str:
    """Financial-year label: 2013 -> '2013-14'."""
    return f"{year_start}-{(year_start + 1) % 100:02d}"


def financial_year_of(day: date) -> str:
    """Label of the financial year `day` falls in: 2014-03-31 -> '2013-14'."""
    return year_label(quarter_of(day).year_start)


def parse_quarter(text: str, today: date | None = None) -> Quarter:
    """Quarter from '2014-15-Q2' (also '2014-15 Q2', '2014/15 Q2'); PeriodError unless its year
    starts between FIRST_YEAR and the year after `today` (default: the real today)."""
    match = _QUARTER_RE.match(text)
    if not match:
        raise PeriodError(
            f"period {text!r} is not a financial quarter; write it like 2014-15-Q2 "
            "(Q1 Apr-Jun, Q2 Jul-Sep, Q3 Oct-Dec, Q4 Jan-Mar)"
        )
    year, next_two, number = int(match[1]), int(match[2]), int(match[3])
    if (year + 1) % 100 != next_two:
        raise PeriodError(f"period {text!r}: {year}-{next_two:02d} is not a financial year")
    last = (today or date.today()).year + 1
    if not FIRST_YEAR <= year <= last:
        raise PeriodError(
            f"period {text!r} is outside the years the data can cover: give a quarter from "
            f"{year_label(FIRST_YEAR)} to {year_label(last)}"
        )
    return Quarter(year, number)


#: The boards' time: a quarter ends at midnight in the UK.
UK_TIME = "Europe/London"


def last_complete_quarter(now: datetime) -> Quarter:
    """The last complete quarter before the instant `now`, in UK time (what a scheduled run
    reports on, and partners send returns for): at 00:30 on 1 July in the UK, 30 June in UTC,
    April-June has ended."""
    return quarter_of(now.astimezone(ZoneInfo(UK_TIME)).date()).previous()


#: A dated setting's value (a local target's days, a board's name).
Value = TypeVar("Value")


def value_on(changes: Sequence[tuple[Quarter, Value]], day: date) -> Value:
    """The value of the last of `changes` ((first quarter, value) pairs, oldest first) in force
    on `day`, the first's before any of them (a board's local target, `Board.target_changes`,
    or its name)."""
    started = [value for first, value in changes if first.start <= day]
    return started[-1] if started else changes[0][1]


def quarter_of(day: date) -> Quarter:
    """The financial quarter containing `day`."""
    year_start = day.year if day.month >= 4 else day.year - 1
    return Quarter(year_start, (day.month - 4) % 12 // 3 + 1)


def quarter_from_dates(start: date, end: date) -> Quarter:
    """The quarter exactly spanning `start`..`end`; PeriodError if the dates are not a quarter."""
    quarter = quarter_of(start)
    if quarter.start != start or quarter.end != end:
        raise PeriodError(
            f"{start.isoformat()} to {end.isoformat()} is not a financial quarter "
            f"(expected e.g. {quarter.start.isoformat()} to {quarter.end.isoformat()})"
        )
    return quarter


def reporting_year_bounds(year_start: int) -> tuple[date, date]:
    """First and last day of the reporting year starting 1 April `year_start`."""
    return date(year_start, 4, 1), date(year_start + 1, 3, 31)


def dfe_time_period_to_year_start(time_period: int) -> int:
    """DfE `time_period` 2014 (year ending 31 March 2014) -> 2013, the year the period starts."""
    return int(time_period) - 1


def add_months(day: date, months: int) -> date:
    """`day` moved by whole months (day of month must exist in the target month; we use the 1st)."""
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, day.day)


def window_start(period_end: date, months: int) -> date:
    """First day of the window of `months` months ending on `period_end` (a month end)."""
    return add_months(period_end + timedelta(days=1), -months)


def population_mid_year(period_end: date) -> int:
    """Mid-year whose population estimate is the denominator for a period ending `period_end`.

    The mid-year at the start of the financial year the period ends in, for every quarter of it:
    DfE's reporting year 2013-14 (ending March 2014) uses mid-2013, and so do the quarters ending
    June, September and December 2013, so a rate never jumps within a year for want of a new
    estimate.
    """
    return quarter_of(period_end).year_start


def estimate_mid_year(wanted: int, latest: int | None) -> int:
    """The mid-year whose estimate stands for the `wanted` one: itself, or `latest` (the latest
    estimate published for the area) where the wanted one is later. ONS publishes a mid-year
    about a year after it, and DfE, and boards, use the latest estimate available until then;
    years before the series starts are not filled."""
    return latest if latest is not None and wanted > latest else wanted


def first_figures_note(first: Quarter | None, quarter: Quarter) -> str | None:
    """Why a board whose partner returns start with `first` has no figure summed over 12 months
    at `quarter`, and the quarter the first is for; None from its fourth quarter of returns (or
    with none). The run summary, scorecard and workbook all say it in these words."""
    if first is None or first <= quarter.previous(3):
        return None
    return (
        f"Partner returns start with {first.label}: a figure summed over 12 months (such as "
        "referrals per 10,000 children) needs four quarters of returns, so the first is for "
        f"{first.previous(-3).label}; one over a longer window needs its every quarter."
    )


def window_label(period_end: date, months: int) -> str:
    """Label of the window of `months` months ending `period_end`: the quarter ('2014-15 Q2')
    for a year or less; pooled years as Fingertips writes them ('2012-14' for April 2012 to
    March 2014); otherwise first and last quarter ('2012-13 Q3 to 2014-15 Q2')."""
    quarter = quarter_of(period_end)
    if months <= 12:
        return quarter.label
    first = quarter_of(window_start(period_end, months))
    if quarter.number == 4 and first.number == 1:
        return f"{first.year_start}-{(quarter.year_start + 1) % 100:02d}"
    return f"{first.label} to {quarter.label}"


def month_end_before(period_end: date, months: int) -> date:
    """The month end `months` months before the month end `period_end` (30 Sep -> 30 Jun)."""
    return add_months(period_end + timedelta(days=1), -months) - timedelta(days=1)


def population_convention(quarter: Quarter) -> str:
    """DfE's population convention said for `quarter`'s own financial year: '2026-27 and each
    of its quarters use the mid-2026 estimate'."""
    year = quarter.year_start
    return f"{year_label(year)} and each of its quarters use the mid-{year} estimate"
