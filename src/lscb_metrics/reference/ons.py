"""ONS mid-year estimates of children aged 0 to 17, the denominator of rates per 10,000 children.

The file comes in DfE's tidy layout and labels its rows `time_period` / 'Reporting year', but
`time_period` 2013 is the mid-2013 estimate (30 June 2013): Southend's 2013-14 referrals, 2020,
over its 2013 row, 37,785, give 534.6 per 10,000, DfE's published rate for 2013-14. The series is
the one revised after the 2021 census; areas abolished before 2023 (Bournemouth, Poole, Dorset
county) are published as 'x' (not available) throughout.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd

from lscb_metrics.facts import conform_facts
from lscb_metrics.intake.hashing import file_sha256
from lscb_metrics.measures import Registry
from lscb_metrics.reference._files import csv_text, reference_file
from lscb_metrics.reference._frames import text_as_objects
from lscb_metrics.reference.areas import EES_GEOGRAPHY_COLUMNS, ees_areas, ees_time_periods
from lscb_metrics.reference.symbols import published_values

#: The function named as the loader of the ONS estimates in the measures registry.
LOADER = "lscb_metrics.reference.ons:load_population"

#: Columns of the population table, in order.
POPULATION_COLUMNS: tuple[str, ...] = (
    "area_code",
    "area_name",
    "geographic_level",
    "region_code",
    "mid_year",  # int: the estimate is for 30 June of this year
    "population_0_17",  # Int64 (nullable): children aged 0 to 17; <NA> when not published
    "symbol",  # str | None: the published symbol when population_0_17 is <NA>
    "source",
    "source_sha256",
)


def load_population(reference_dir: Path | str, registry: Registry) -> pd.DataFrame:
    """Children aged 0 to 17 by area and mid-year (ONS mid-year estimates), one row each, from
    the table, age group and column the registry gives for population_0_17."""
    (table,) = registry.tables_of(LOADER)
    ((_, source),) = registry.published_in(table.name)
    path = reference_file(reference_dir, table.file)
    frame = csv_text(path, [*EES_GEOGRAPHY_COLUMNS, "age_group", source.column])
    other_ages = sorted(set(frame["age_group"]) - {table.category})
    if other_ages:
        raise ValueError(f"{path}: expected age_group {table.category!r} only, found {other_ages}")
    mid_year = ees_time_periods(frame, path)
    values = published_values(frame[source.column], f"{path} column {source.column}")
    fractional = values["value"].notna() & (values["value"] % 1 != 0)
    if fractional.any():
        raise ValueError(f"{path}: {source.column} has non-whole numbers")
    areas = ees_areas(frame, path)
    first, last = mid_year.min(), mid_year.max()
    population = areas.assign(
        mid_year=mid_year,
        population_0_17=values["value"].astype("Int64"),
        symbol=values["symbol"],
        source=f"ONS mid-year population estimates, children aged 0 to 17 (mid-{first} to "
        f"mid-{last}), in DfE's tidy layout",
        source_sha256=file_sha256(path),
    )
    duplicated = population.duplicated(["area_code", "mid_year"])
    if duplicated.any():
        raise ValueError(f"{path}: {int(duplicated.sum())} duplicated area and year row(s)")
    ordered = population.sort_values(["mid_year", "area_code"], kind="stable")
    return text_as_objects(ordered[list(POPULATION_COLUMNS)].reset_index(drop=True))


def population_facts(population: pd.DataFrame) -> pd.DataFrame:
    """The population table as facts: measure population_0_17 at 30 June of each mid-year."""
    mid_year_dates = {year: date(year, 6, 30) for year in population["mid_year"].unique()}
    on = population["mid_year"].map(mid_year_dates).astype(object)
    facts = population.assign(
        measure="population_0_17",
        breakdown="Total",
        period_start=on,
        period_end=on,
        time_period="mid-" + population["mid_year"].astype(str),
        value=population["population_0_17"].astype("float64"),
        source_type="published",
    )
    return text_as_objects(conform_facts(facts))
