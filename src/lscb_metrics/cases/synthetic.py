"""Seeded SYNTHETIC case lists at national scale, for benchmarks and scale tests.

No record is real: children are numbers drawn by a seeded generator, their identifiers look like
'L001-0012345', and their authorities are made-up codes (E99000001 ...) that no real area has.
The volumes follow England's: about 650,000 referrals, 600,000 single assessments, 170,000
section 47 enquiries and 70,000 child protection plan starts a year over 150 authorities (DfE
Characteristics of children in need), in the proportions that link them (92% of referrals go on
to an assessment, 26% to a section 47 enquiry, 41% of enquiries to a plan), about a fifth of
referrals being re-referrals within 12 months, and 8% of assessments taking over 45 working
days.

One CSV per list type per authority, each covering `years` financial years from 1 April of
`first_year`, with its history: a year of earlier referrals and three of earlier plans.
Everything is vectorised with numpy and written with pyarrow's CSV writer.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

from lscb_metrics.cases.workdays import bank_holidays

#: National volumes a year (England, rounded) and the number of authorities they are split over.
REFERRALS_A_YEAR = 650_000
ASSESSMENTS_A_YEAR = 600_000
SECTION_47S_A_YEAR = 170_000
PLAN_STARTS_A_YEAR = 70_000
AUTHORITIES = 150
FIRST_YEAR = 2015
LIST_TYPES = ("referrals", "assessments", "section_47_enquiries", "cp_plans")

# Shares of the codes (DfE children in need, England, roughly).
_SOURCES = {"police": 0.29, "schools": 0.19, "health": 0.15, "family_public": 0.08, "other": 0.29}
_CATEGORIES = {
    "neglect": 0.48,
    "emotional": 0.37,
    "physical": 0.07,
    "sexual": 0.04,
    "multiple": 0.04,
}
_NON_ASSESSMENT_OUTCOMES = ("no_further_action", "early_help", "other")
# A referral's child is drawn from a pool this many times the yearly referrals: each child is
# then referred about 1 / 3.5 times a year, which makes about 22% of referrals re-referrals.
_POOL_YEARS = 3.5
_DAYS_A_YEAR = 365.25
_CSV_OPTIONS = pacsv.WriteOptions(quoting_style="needed")


@dataclass(frozen=True)
class SyntheticAuthority:
    """A made-up authority: its ONS-style code, DfE-style number and name."""

    code: str
    number: str
    name: str


def synthetic_authorities(count: int) -> tuple[SyntheticAuthority, ...]:
    """`count` made-up authorities, E99000001 ('L001') onwards."""
    return tuple(
        SyntheticAuthority(f"E99{n:06d}", f"{900 + n}", f"Synthetic authority {n}")
        for n in range(1, count + 1)
    )


def synthetic_la_lookup(count: int) -> dict[str, tuple[str, str, str | None]]:
    """An LA lookup (as reference.la_lookup gives) for the made-up authorities."""
    entries = {a.code: (a.code, a.name, "E99999999") for a in synthetic_authorities(count)}
    return {**entries, **{a.number: entries[a.code] for a in synthetic_authorities(count)}}


def write_case_lists(
    folder: Path,
    years: int = 10,
    authorities: int = AUTHORITIES,
    scale: float = 1.0,
    seed: int = 2014,
    first_year: int = FIRST_YEAR,
) -> list[Path]:
    """Write one CSV per list type per authority into `folder`; the paths written.

    Each authority has the national volume / 150 x `scale` a year, so 150 authorities at scale 1
    are England; `years` financial years from 1 April `first_year`.
    """
    folder.mkdir(parents=True, exist_ok=True)
    period = (date(first_year, 4, 1), date(first_year + years, 3, 31))
    calendar = np.busdaycalendar(holidays=bank_holidays(first_year - 4, first_year + years + 1))
    paths = []
    for number, authority in enumerate(synthetic_authorities(authorities), start=1):
        rng = np.random.default_rng([seed, number])
        lists = _authority_lists(rng, authority, number, period, years, scale, calendar)
        for list_type, table in lists.items():
            path = folder / f"{authority.code}_{list_type}.csv"
            pacsv.write_csv(table, path, _CSV_OPTIONS)
            paths.append(path)
    return paths


def _authority_lists(
    rng: np.random.Generator,
    authority: SyntheticAuthority,
    number: int,
    period: tuple[date, date],
    years: int,
    scale: float,
    calendar: np.busdaycalendar,
) -> dict[str, pa.Table]:
    """One authority's four lists as pyarrow tables, referrals first, each linked to the last."""
    per_year = REFERRALS_A_YEAR / AUTHORITIES * scale
    start, end = np.datetime64(period[0], "D"), np.datetime64(period[1], "D")
    history_start = start - np.timedelta64(365, "D")
    days = _working_days(rng, history_start, end, round(per_year * (years + 1)), calendar)
    pool = max(round(per_year * _POOL_YEARS), 1)
    child = rng.integers(0, pool, days.size)
    days, child = _unique_records(days, child)
    births = _births(rng, child, days, pool)
    source = _draw(rng, _SOURCES, days.size)
    to_assessment = rng.random(days.size) < ASSESSMENTS_A_YEAR / REFERRALS_A_YEAR
    outcome = np.where(to_assessment, "assessment", rng.choice(_NON_ASSESSMENT_OUTCOMES, days.size))
    prefix = f"L{number:03d}-"
    cover = {"la_code": authority.code, "period_start": period[0], "period_end": period[1]}
    referrals = _table(
        cover,
        child_id=_ids(prefix, child),
        date_of_birth=births[child],
        referral_date=days,
        referral_source=source,
        referral_outcome=outcome,
    )
    assessed = np.flatnonzero(to_assessment)
    a_start = np.busday_offset(
        days[assessed], rng.integers(0, 3, assessed.size), "forward", busdaycal=calendar
    )
    started = a_start <= end
    a_start, a_child = _unique_records(a_start[started], child[assessed][started])
    duration = _assessment_working_days(rng, a_start.size)
    authorised = np.busday_offset(a_start, duration, "forward", busdaycal=calendar)
    assessments = _table(
        cover,
        child_id=_ids(prefix, a_child),
        date_of_birth=births[a_child],
        assessment_start_date=a_start,
        assessment_authorised_date=_open_after(authorised, end),
    )
    enquired = np.flatnonzero(rng.random(days.size) < SECTION_47S_A_YEAR / REFERRALS_A_YEAR)
    s_start = np.busday_offset(
        days[enquired], rng.integers(0, 5, enquired.size), "forward", busdaycal=calendar
    )
    s_child = child[enquired]
    kept = s_start <= end
    s_start, s_child = _unique_records(s_start[kept], s_child[kept])
    section_47s = _table(
        cover, child_id=_ids(prefix, s_child), date_of_birth=births[s_child], s47_start_date=s_start
    )
    plans = _plans(rng, s_start, s_child, start, end, per_year, pool, calendar)
    p_start, p_end, p_child = plans
    cp_plans = _table(
        cover,
        child_id=_ids(prefix, p_child),
        date_of_birth=births[p_child],
        plan_start_date=p_start,
        plan_end_date=_open_after(p_end, end),
        abuse_category=_draw(rng, _CATEGORIES, p_start.size),
        subsequent_plan=pa.nulls(p_start.size, pa.string()),
    )
    return dict(zip(LIST_TYPES, (referrals, assessments, section_47s, cp_plans), strict=True))


def _plans(
    rng: np.random.Generator,
    s47_start: np.ndarray,
    s47_child: np.ndarray,
    start: np.datetime64,
    end: np.datetime64,
    per_year: float,
    pool: int,
    calendar: np.busdaycalendar,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Plan starts, ends (NaT never: open plans end after `end`) and children: 41% of enquiries
    lead to a plan 10-15 working days later, plus three years of earlier plans as history, with
    no child on two plans at once."""
    planned = rng.random(s47_start.size) < PLAN_STARTS_A_YEAR / SECTION_47S_A_YEAR
    starts = np.busday_offset(
        s47_start[planned], rng.integers(10, 16, planned.sum()), "forward", busdaycal=calendar
    )
    children = s47_child[planned]
    history = round(per_year * PLAN_STARTS_A_YEAR / REFERRALS_A_YEAR * 2)
    history_starts = _working_days(
        rng,
        start - np.timedelta64(3 * 365, "D"),
        start - np.timedelta64(366, "D"),
        history,
        calendar,
    )
    starts = np.concatenate([starts, history_starts])
    children = np.concatenate([children, rng.integers(0, pool, history)])
    # Most plans last months; one in twenty runs two to four years.
    days = np.where(
        rng.random(starts.size) < 0.05,
        rng.integers(730, 1461, starts.size),
        rng.exponential(240, starts.size).astype(int) + 30,
    )
    ends = starts + days.astype("timedelta64[D]")
    keep = (starts <= end) & _not_overlapping(children, starts, ends)
    return starts[keep], ends[keep], children[keep]


def _not_overlapping(children: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """Which plans to keep so that no child has two plans at once: a plan starting before an
    earlier plan of the same child has ended is dropped."""
    order = np.lexsort((starts, children))
    sorted_children, sorted_ends = children[order], ends[order].astype("int64")
    # The latest end among the child's earlier plans, by a running maximum that restarts at
    # each child: offsetting every child's ends far apart lets one accumulate serve them all.
    offset = sorted_children.astype("int64") * 10**6
    latest = np.maximum.accumulate(sorted_ends + offset) - offset
    previous = np.concatenate([[np.iinfo("int64").min], latest[:-1]])
    same_child = np.concatenate([[False], sorted_children[1:] == sorted_children[:-1]])
    clash = same_child & (starts[order].astype("int64") < previous)
    keep = np.ones(children.size, dtype=bool)
    keep[order[clash]] = False
    return keep


def _working_days(
    rng: np.random.Generator,
    first: np.datetime64,
    last: np.datetime64,
    count: int,
    calendar: np.busdaycalendar,
) -> np.ndarray:
    """`count` working days drawn uniformly from `first` to `last`, in order."""
    available = int(np.busday_count(first, last + np.timedelta64(1, "D"), busdaycal=calendar))
    offsets = np.sort(rng.integers(0, available, count))
    return np.busday_offset(first, offsets, "forward", busdaycal=calendar)


def _unique_records(days: np.ndarray, child: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The (day, child) pairs without repeats, in day order: one record per child per day."""
    pairs = np.unique(np.stack([days.astype("int64"), child.astype("int64")]), axis=1)
    return pairs[0].astype("datetime64[D]"), pairs[1]


def _births(rng: np.random.Generator, child: np.ndarray, days: np.ndarray, pool: int) -> np.ndarray:
    """A date of birth per child of the pool: 0 to 17 years before their first referral."""
    first = np.full(pool, np.iinfo("int64").max)
    np.minimum.at(first, child, days.astype("int64"))
    first[first == np.iinfo("int64").max] = days.astype("int64").min()
    age_days = rng.integers(0, int(18 * _DAYS_A_YEAR), pool)
    return (first - age_days).astype("datetime64[D]")


def _assessment_working_days(rng: np.random.Generator, count: int) -> np.ndarray:
    """Working days each assessment takes: 85% 5-40, 7% 41-45, 8% 46-80."""
    band = rng.random(count)
    return np.select(
        [band < 0.85, band < 0.92],
        [rng.integers(5, 41, count), rng.integers(41, 46, count)],
        rng.integers(46, 81, count),
    )


def _open_after(days: np.ndarray, end: np.datetime64) -> pa.Array:
    """`days` with those after `end` blank: a record still open when the list was made."""
    return pa.array(days, pa.date32(), mask=days > end)


def _draw(rng: np.random.Generator, shares: Mapping[str, float], count: int) -> np.ndarray:
    """`count` codes drawn with the given shares."""
    weights = np.array(list(shares.values()))
    return rng.choice(list(shares), count, p=weights / weights.sum())


def _ids(prefix: str, numbers: np.ndarray) -> pa.Array:
    """Child identifiers such as 'L001-0012345'."""
    return pa.array(np.char.add(prefix, np.char.zfill(numbers.astype(str), 7)))


def _table(cover: Mapping[str, object], **columns: object) -> pa.Table:
    """A list's columns with the cover columns first, repeated on every row."""
    rows = len(next(iter(columns.values())))
    repeated = {name: pa.array([value] * rows) for name, value in cover.items()}
    return pa.table({**repeated, **columns})
