"""DfE "Characteristics of children in need" underlying data as facts: the tables, columns and
rounding of each measure come from the measures registry (schemas/measures.yaml).

DfE `time_period` 2014 is the reporting year 2013-14: flows (referrals, section 47 enquiries,
plan starts) cover 1 April 2013 to 31 March 2014; snapshots (children in need, children on a
plan) are as at 31 March 2014. England and regional counts are published rounded to the nearest
10 and local authority counts unrounded, which the extra column `rounded_to` records.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from lscb_metrics.facts import conform_facts
from lscb_metrics.intake.hashing import file_sha256
from lscb_metrics.measures import PublishedTable, Registry
from lscb_metrics.periods import dfe_time_period_to_year_start, reporting_year_bounds, year_label
from lscb_metrics.reference._files import csv_text, reference_file
from lscb_metrics.reference._frames import text_as_objects
from lscb_metrics.reference.areas import EES_GEOGRAPHY_COLUMNS, ees_areas, ees_time_periods
from lscb_metrics.reference.symbols import published_values

PUBLICATION = "DfE Characteristics of children in need"


#: The function named as the loader of the children-in-need tables in the measures registry.
LOADER = "lscb_metrics.reference.dfe_cin:load_cin_facts"


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


def cin_table_facts(
    reference_dir: Path | str,
    table: PublishedTable,
    registry: Registry,
    category_column: str = "category",
    publication: str = PUBLICATION,
) -> pd.DataFrame:
    """Facts (not yet conformed) for every measure the registry takes from one DfE table, with
    `rounded_to` from the registry's rounding (NA where the figure is not rounded to a base).

    The table's rows are those whose `category_column` is the table's category (other DfE
    files hold several: children looked after by `population_type`)."""
    path = reference_file(reference_dir, table.file)
    given = registry.published_in(table.name)
    columns = [*EES_GEOGRAPHY_COLUMNS, "time_identifier", category_column]
    frame = csv_text(path, [*columns, *(source.column for _, source in given)])
    _single_value(frame, "time_identifier", "Reporting year", path)
    if category_column == "category":
        _single_value(frame, "category", str(table.category), path)
    else:
        frame = frame[frame[category_column] == str(table.category)].reset_index(drop=True)
        if frame.empty:
            raise ValueError(f"{path}: no rows with {category_column} {table.category!r}")
    areas = ees_areas(frame, path)
    years = ees_time_periods(frame, path)
    source = f"{publication}, table {table.name} ({years.min()} to {years.max()})"
    digest = file_sha256(path)
    parts = []
    for measure, spec in given:
        values = published_values(frame[spec.column], f"{path} column {spec.column}")
        rounded_to = areas["geographic_level"].map(registry.roundings[spec.rounding].rounded_to)
        parts.append(
            pd.concat(
                [
                    areas.drop(columns=["region_name", "old_la_code"]),
                    _period_columns(years, measure.type == "snapshot"),
                    values,
                ],
                axis=1,
            ).assign(measure=measure.name, rounded_to=rounded_to.astype("Int64"))
        )
    return pd.concat(parts, ignore_index=True).assign(
        breakdown="Total", source_type="published", source=source, source_sha256=digest
    )


def load_cin_facts(reference_dir: Path | str, registry: Registry) -> pd.DataFrame:
    """Published children-in-need figures for every LA, region and England, every year, as facts.

    Canonical fact columns plus `rounded_to` (Int64): the base DfE rounds the published count
    to (10 for England and regions, 1 for local authorities), NA for percentages.
    """
    tables = registry.tables_of(LOADER)
    facts = pd.concat(
        [cin_table_facts(reference_dir, table, registry) for table in tables], ignore_index=True
    )
    rounded_to = facts.pop("rounded_to")
    facts = text_as_objects(conform_facts(facts)).assign(rounded_to=rounded_to)
    facts = facts.sort_values(["measure", "period_end", "area_code"], kind="stable")
    return facts.reset_index(drop=True)
