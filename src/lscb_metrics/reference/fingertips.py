"""OHID Fingertips indicator exports as facts: each measure is a column of the export (Count,
Denominator, Value), as the measures registry (schemas/measures.yaml) gives it.

A Fingertips export has one row per indicator, area, sex, age, category and period. The figure
for an area is the row with Sex 'Persons' and no Category Type (the other rows split it by sex or
deprivation decile). `Time period` '2013/14' is the financial year 1 April 2013 to 31 March 2014.
The regions file holds England, the nine regions and every county and unitary authority.
Fingertips publishes local counts rounded to the nearest 5 (hospital episode disclosure rules),
which the extra column `rounded_to` records from the registry's rounding.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pandas as pd

from lscb_metrics.facts import conform_facts
from lscb_metrics.intake.hashing import file_sha256
from lscb_metrics.measures import PublishedTable, Registry
from lscb_metrics.periods import reporting_year_bounds, year_label
from lscb_metrics.reference._files import csv_text, reference_file
from lscb_metrics.reference._frames import text_as_objects
from lscb_metrics.reference.areas import area_attributes, load_areas
from lscb_metrics.reference.symbols import published_values

#: The function named as the loader of Fingertips exports in the measures registry.
LOADER = "lscb_metrics.reference.fingertips:load_fingertips_facts"
PUBLICATION = "OHID Fingertips"
_ROW_COLUMNS = [
    "Indicator ID",
    "Indicator Name",
    "Area Code",
    "Sex",
    "Category Type",
    "Time period",
]


def fingertips_period(text: str) -> tuple[date, date, str]:
    """First day, last day and label of a Fingertips financial-year `Time period` ('2013/14')."""
    match = re.fullmatch(r"(\d{4})/(\d{2})", text.strip())
    if not match or (int(match[1]) + 1) % 100 != int(match[2]):
        raise ValueError(f"Fingertips time period {text!r} is not a financial year like 2013/14")
    start_year = int(match[1])
    return (*reporting_year_bounds(start_year), year_label(start_year))


def area_rows(frame: pd.DataFrame, indicator_id: str, path: Path) -> pd.DataFrame:
    """The rows of one indicator giving each area's own figure: persons, no category split."""
    rows = frame[
        (frame["Indicator ID"] == indicator_id)
        & (frame["Sex"] == "Persons")
        & (frame["Category Type"] == "")
    ]
    if rows.empty:
        raise ValueError(f"{path}: no rows for Fingertips indicator {indicator_id} (persons)")
    duplicated = rows.duplicated(["Area Code", "Time period"])
    if duplicated.any():
        raise ValueError(f"{path}: {int(duplicated.sum())} rows repeat an area and time period")
    return rows


def table_facts(
    reference_dir: Path | str, table: PublishedTable, registry: Registry, areas: pd.DataFrame
) -> pd.DataFrame:
    """Facts for every measure the registry takes from one Fingertips export."""
    path = reference_file(reference_dir, table.file)
    given = registry.published_in(table.name)
    frame = csv_text(path, [*_ROW_COLUMNS, *(source.column for _, source in given)])
    rows = area_rows(frame, str(table.category), path)
    unknown = sorted(set(rows["Area Code"]) - set(areas["area_code"]))
    if unknown:
        raise ValueError(f"{path}: areas not in the DfE area files: {', '.join(unknown)}")
    attributes = area_attributes(areas)
    periods = {text: fingertips_period(text) for text in rows["Time period"].unique()}
    period = rows["Time period"].map(periods)
    name = rows["Indicator Name"].iloc[0].strip()
    parts = []
    for measure, spec in given:
        values = published_values(rows[spec.column], f"{path} column {spec.column}")
        levels = rows["Area Code"].map(attributes["geographic_level"])
        rounded_to = levels.map(registry.roundings[spec.rounding].rounded_to)
        parts.append(
            pd.DataFrame(
                {
                    "measure": measure.name,
                    "area_code": rows["Area Code"],
                    "area_name": rows["Area Code"].map(attributes["area_name"]),
                    "geographic_level": levels,
                    "region_code": rows["Area Code"].map(attributes["region_code"]),
                    "period_start": period.str[0],
                    "period_end": period.str[1],
                    "time_period": period.str[2],
                    "value": values["value"],
                    "symbol": values["symbol"],
                    "source_type": "published",
                    "source": f"{PUBLICATION} indicator {table.category}: {name}",
                    "source_sha256": file_sha256(path),
                    "rounded_to": rounded_to.astype("Int64"),
                }
            )
        )
    return pd.concat(parts, ignore_index=True)


def load_fingertips_facts(reference_dir: Path | str, registry: Registry) -> pd.DataFrame:
    """Published Fingertips figures for England, every region and upper-tier LA, every year, as
    facts plus `rounded_to` (Int64): the base the count is rounded to, NA where not rounded."""
    tables = registry.tables_of(LOADER)
    areas = load_areas(reference_dir)
    facts = pd.concat(
        [table_facts(reference_dir, table, registry, areas) for table in tables],
        ignore_index=True,
    )
    rounded_to = facts.pop("rounded_to")
    facts = text_as_objects(conform_facts(facts)).assign(rounded_to=rounded_to)
    facts = facts.sort_values(["measure", "period_end", "area_code"], kind="stable")
    return facts.reset_index(drop=True)
