"""DfE "Characteristics of children in need" underlying data (tables B1, C1, C4, D3, D5) as facts.

DfE `time_period` 2014 is the reporting year 2013-14: flows (referrals, section 47 enquiries,
plan starts) cover 1 April 2013 to 31 March 2014; snapshots (children in need, children on a
plan) are as at 31 March 2014. England and regional counts are published rounded to the nearest
10 and local authority counts unrounded, which the extra column `rounded_to` records.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from lscb_metrics.facts import conform_facts
from lscb_metrics.intake.hashing import file_sha256
from lscb_metrics.periods import dfe_time_period_to_year_start, reporting_year_bounds, year_label
from lscb_metrics.reference._files import csv_text, reference_file
from lscb_metrics.reference._frames import text_as_objects
from lscb_metrics.reference.areas import EES_GEOGRAPHY_COLUMNS, ees_areas, ees_time_periods
from lscb_metrics.reference.symbols import published_values

PUBLICATION = "DfE Characteristics of children in need"


@dataclass(frozen=True)
class CinMeasure:
    """One published count: the output measure name, its column, and whether it is a snapshot."""

    measure: str
    column: str
    snapshot: bool


@dataclass(frozen=True)
class CinTable:
    """One DfE children-in-need table file and the counts taken from it."""

    pattern: str  # glob under the reference folder
    table: str  # DfE table name, e.g. 'C1'
    category: str  # the only `category` value the file should carry
    measures: tuple[CinMeasure, ...]


CIN_TABLES: tuple[CinTable, ...] = (
    CinTable(
        "dfe_cin/c1_*.csv",
        "C1",
        "Referrals and Re-referrals",
        (
            CinMeasure("referrals", "referral_count", snapshot=False),
            CinMeasure("rereferrals_within_12_months", "rereferral_count", snapshot=False),
            CinMeasure("rereferral_percent", "rereferral_percent", snapshot=False),
        ),
    ),
    CinTable(
        "dfe_cin/b1_*.csv",
        "B1",
        "Children in Need",
        (CinMeasure("children_in_need", "At31_episodes", snapshot=True),),
    ),
    CinTable(
        "dfe_cin/c4_*.csv",
        "C4",
        "Section 47s and Initial Child Protection Conferences",
        (CinMeasure("section_47_enquiries", "Section47", snapshot=False),),
    ),
    CinTable(
        "dfe_cin/d3_*.csv",
        "D3",
        "Child Protection Plans which are a second or subsequent plan",
        (
            CinMeasure("cp_plan_starts", "CPP_start", snapshot=False),
            CinMeasure("cp_plan_starts_subsequent", "CPP_subsequent", snapshot=False),
            CinMeasure(
                "cp_plan_starts_subsequent_percent", "CPP_subsequent_percent", snapshot=False
            ),
        ),
    ),
    CinTable(
        "dfe_cin/d5_*.csv",
        "D5",
        "Child Protection Plans by length of time",
        (
            CinMeasure("cp_plans_at_end", "CPP_At31", snapshot=True),
            CinMeasure("cp_plans_two_years_or_more", "2_years_or_more", snapshot=True),
        ),
    ),
)


def _single_value(frame: pd.DataFrame, column: str, expected: str, path: Path) -> None:
    """Raise ValueError naming `path` unless every `column` cell equals `expected`."""
    found = sorted(set(frame[column]) - {expected})
    if found:
        raise ValueError(f"{path}: expected {column} {expected!r} only, also found {found}")


def _period_columns(years: pd.Series, snapshot: bool) -> pd.DataFrame:
    """period_start, period_end (datetime.date) and time_period label for DfE reporting years."""
    starts, ends, labels = {}, {}, {}
    for year in years.unique():
        year_start = dfe_time_period_to_year_start(year)
        first_day, last_day = reporting_year_bounds(year_start)
        starts[year] = last_day if snapshot else first_day
        ends[year] = last_day
        labels[year] = year_label(year_start)
    return pd.DataFrame(
        {
            "period_start": years.map(starts).astype(object),
            "period_end": years.map(ends).astype(object),
            "time_period": years.map(labels),
        },
        index=years.index,
    )


def cin_table_facts(reference_dir: Path | str, table: CinTable) -> pd.DataFrame:
    """Facts (not yet conformed) for every measure of one children-in-need table."""
    path = reference_file(reference_dir, table.pattern)
    columns = [*EES_GEOGRAPHY_COLUMNS, "time_identifier", "category"]
    frame = csv_text(path, [*columns, *(m.column for m in table.measures)])
    _single_value(frame, "time_identifier", "Reporting year", path)
    _single_value(frame, "category", table.category, path)
    areas = ees_areas(frame, path)
    years = ees_time_periods(frame, path)
    source = f"{PUBLICATION}, table {table.table} ({years.min()} to {years.max()})"
    digest = file_sha256(path)
    parts = []
    for spec in table.measures:
        values = published_values(frame[spec.column], f"{path} column {spec.column}")
        parts.append(
            pd.concat(
                [
                    areas.drop(columns=["region_name", "old_la_code"]),
                    _period_columns(years, spec.snapshot),
                    values,
                ],
                axis=1,
            ).assign(measure=spec.measure)
        )
    return pd.concat(parts, ignore_index=True).assign(
        breakdown="Total", source_type="published", source=source, source_sha256=digest
    )


def load_cin_facts(reference_dir: Path | str) -> pd.DataFrame:
    """Published children-in-need counts for every LA, region and England, every year, as facts.

    Canonical fact columns plus `rounded_to` (int): 10 where DfE rounds the published count
    (England and regions), 1 where it does not (local authorities).
    """
    facts = text_as_objects(
        conform_facts(
            pd.concat([cin_table_facts(reference_dir, t) for t in CIN_TABLES], ignore_index=True)
        )
    )
    facts = facts.sort_values(["measure", "period_end", "area_code"], kind="stable")
    rounded = np.where(facts["geographic_level"] == "Local authority", 1, 10)
    return facts.assign(rounded_to=rounded.astype(int)).reset_index(drop=True)
