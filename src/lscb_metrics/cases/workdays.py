"""Working days between two dates, against the England and Wales bank holiday calendar.

The convention (DfE children in need census guide, assessment timeliness; the same count as
Excel's NETWORKDAYS(start, end) - 1 when the start is a working day):

- a working day is Monday to Friday and not a bank holiday in England and Wales (the `holidays`
  package: `holidays.UnitedKingdom(subdiv="ENG")`, which has the substitute days when Christmas,
  Boxing Day or New Year's Day fall at a weekend, and the one-off days such as jubilees and the
  2022 state funeral);
- the start date is day 0, whatever day it is: what is counted is the working days AFTER the start,
  up to and including the end date;
- so an assessment authorised on the day it started took 0 working days, one authorised on the
  next working day took 1, and one started on Friday 24 December 2021 and authorised on
  Wednesday 29 December 2021 took 1 (the 25th to 28th are weekend and bank holidays);
- an end date on a weekend or bank holiday counts as the working day before it (the weekend adds
  nothing), so Friday to the following Sunday is 0 working days and Friday to Monday is 1.

"Within 45 working days" is then `working_days_between(start, authorised) <= 45`, and within a
local target of 40 is `<= 40`. Three implementations give the same counts: a simple loop over
days (`working_days_between`, the reference), numpy's busday_count for arrays, and a calendar of
working-day numbers that DuckDB joins to (`working_day_numbers`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from functools import cache

import holidays
import numpy as np

#: The bank holiday calendar used: England and Wales (subdivision ENG of the United Kingdom).
HOLIDAY_SUBDIVISION = "ENG"
_ONE_DAY = timedelta(days=1)


@cache
def bank_holidays(first_year: int, last_year: int) -> tuple[date, ...]:
    """England and Wales bank holidays from 1 January `first_year` to 31 December `last_year`."""
    calendar = holidays.UnitedKingdom(
        subdiv=HOLIDAY_SUBDIVISION, years=range(first_year, last_year + 1)
    )
    return tuple(sorted(calendar))


def is_working_day(day: date) -> bool:
    """Whether `day` is Monday to Friday and not an England and Wales bank holiday."""
    return day.weekday() < 5 and day not in bank_holidays(day.year, day.year)


def working_days_between(start: date, end: date) -> int:
    """Working days after `start` up to and including `end` (start is day 0); negative when
    `end` is before `start`. The reference implementation: one day at a time."""
    if end < start:
        return -working_days_between(end, start)
    days = (start + _ONE_DAY * n for n in range(1, (end - start).days + 1))
    return sum(is_working_day(day) for day in days)


def working_days_between_arrays(starts: Sequence[date], ends: Sequence[date]) -> np.ndarray:
    """`working_days_between` for many pairs at once (numpy busday_count), as int64."""
    first = np.asarray(starts, dtype="datetime64[D]")
    last = np.asarray(ends, dtype="datetime64[D]")
    if first.size == 0:
        return np.zeros(0, dtype="int64")
    years = np.concatenate([first, last]).astype("datetime64[Y]").astype(int) + 1970
    calendar = np.busdaycalendar(holidays=bank_holidays(int(years.min()), int(years.max())))
    # busday_count counts [begin, end): shifting both by a day counts (start, end]. It counts a
    # backward pair differently, so a backward pair is counted forward and negated.
    one = np.timedelta64(1, "D")
    low, high = np.minimum(first, last), np.maximum(first, last)
    counts = np.busday_count(low + one, high + one, busdaycal=calendar).astype("int64")
    return np.where(last < first, -counts, counts)


def working_day_numbers(first: date, last: date) -> tuple[np.ndarray, np.ndarray]:
    """Every day from `first` to `last` and its working-day number: the working days from
    `first` up to and including it, so that working_days_between(a, b) = number(b) - number(a)."""
    days = np.arange(np.datetime64(first, "D"), np.datetime64(last, "D") + np.timedelta64(1, "D"))
    calendar = np.busdaycalendar(holidays=bank_holidays(first.year, last.year))
    working = np.is_busday(days, busdaycal=calendar)
    return days, np.cumsum(working).astype("int32")
