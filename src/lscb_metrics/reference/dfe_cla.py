"""DfE "Children looked after in England" figures as facts, from two layouts:

- the Explore Education Statistics table of numbers and rates per 10,000 children (reporting
  years 2021 to 2025), tidy like the children-in-need tables, one `population_type` per figure;
- the statistical first releases' underlying data (SFR 2012 to 2015), wide: one row per area
  (`geog_l` NATIONAL / REGION / LA, `geog_c` the DfE LA number or region letter), one column per
  figure with the year in its name (`CLA_Mar2014`: looked after at 31 March 2014).

Both give children looked after at 31 March (a snapshot); DfE rounds England and regional counts
to the nearest 10. Only the EES table publishes the rate: for the SFR years the rate is computed
from the count and the ONS estimate, as DfE does. Tables, columns and rounding come from the
measures registry (schemas/measures.yaml).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from lscb_metrics.facts import conform_facts
from lscb_metrics.intake.hashing import file_sha256
from lscb_metrics.measures import PublishedTable, Registry
from lscb_metrics.periods import reporting_year_bounds, year_label
from lscb_metrics.reference._files import csv_text, reference_file
from lscb_metrics.reference._frames import text_as_objects
from lscb_metrics.reference.areas import area_attributes, load_areas, ons_codes_in_force
from lscb_metrics.reference.dfe_cin import cin_table_facts
from lscb_metrics.reference.symbols import published_values

#: Loaders named in the measures registry: the tidy EES table and the wide SFR tables.
LOADER = "lscb_metrics.reference.dfe_cla:load_cla_facts"
SFR_LOADER = "lscb_metrics.reference.dfe_cla:load_cla_sfr_facts"
PUBLICATION = "DfE Children looked after in England"
_SFR_AREA_COLUMNS = ["New_geog_code", "geog_l", "geog_c", "geog_n"]
_SFR_LEVELS = {"NATIONAL": "National", "REGION": "Regional", "LA": "Local authority"}


def _conformed(facts: pd.DataFrame) -> pd.DataFrame:
    """Facts in canonical columns plus `rounded_to`, sorted as every facts loader sorts them."""
    rounded_to = facts.pop("rounded_to")
    facts = text_as_objects(conform_facts(facts)).assign(rounded_to=rounded_to)
    facts = facts.sort_values(["measure", "period_end", "area_code"], kind="stable")
    return facts.reset_index(drop=True)


def load_cla_facts(reference_dir: Path | str, registry: Registry) -> pd.DataFrame:
    """Children looked after at 31 March and DfE's rate per 10,000, every LA, region and England,
    from the EES table (facts plus `rounded_to`)."""
    parts = [
        cin_table_facts(reference_dir, table, registry, "population_type", PUBLICATION)
        for table in registry.tables_of(LOADER)
    ]
    return _conformed(pd.concat(parts, ignore_index=True))


def sfr_area_codes(rows: pd.DataFrame, areas: pd.DataFrame, year: int, path: Path) -> pd.Series:
    """ONS code of each SFR row: England and regions by name (the SFR gives Inner and Outer
    London London's code), LAs by DfE number as in force in the reporting year."""
    level = rows["geog_l"].map(_SFR_LEVELS)
    if level.isna().any():
        raise ValueError(f"{path}: unexpected geog_l value(s) {sorted(set(rows['geog_l']))}")
    wider = areas[areas["geographic_level"] != "Local authority"]
    by_name = dict(zip(wider["area_name"].str.casefold(), wider["area_code"], strict=True))
    named = rows["geog_n"].str.strip().str.casefold().map(by_name)
    years = pd.Series(year, index=rows.index)
    numbered = ons_codes_in_force(areas, rows["geog_c"].str.strip(), years)
    codes = numbered.where(level == "Local authority", named)
    if codes.isna().any():
        unknown = rows.loc[codes.isna(), ["geog_c", "geog_n"]].drop_duplicates()
        listed = ", ".join(f"{c} {n}" for c, n in unknown.itertuples(index=False))
        raise ValueError(f"{path}: areas not in the DfE area files: {listed}")
    return codes


def sfr_table_facts(
    reference_dir: Path | str, table: PublishedTable, registry: Registry, areas: pd.DataFrame
) -> pd.DataFrame:
    """Facts for every measure the registry takes from one SFR table; its category is the DfE
    reporting year (2014: the year ending 31 March 2014)."""
    path = reference_file(reference_dir, table.file)
    given = registry.published_in(table.name)
    rows = csv_text(path, [*_SFR_AREA_COLUMNS, *(source.column for _, source in given)])
    year = int(str(table.category))
    codes = sfr_area_codes(rows, areas, year, path)
    attributes = area_attributes(areas)
    first_day, last_day = reporting_year_bounds(year - 1)
    parts = []
    for measure, spec in given:
        values = published_values(rows[spec.column], f"{path} column {spec.column}")
        levels = codes.map(attributes["geographic_level"])
        parts.append(
            pd.DataFrame(
                {
                    "measure": measure.name,
                    "area_code": codes,
                    "area_name": codes.map(attributes["area_name"]),
                    "geographic_level": levels,
                    "region_code": codes.map(attributes["region_code"]),
                    "period_start": last_day if measure.type == "snapshot" else first_day,
                    "period_end": last_day,
                    "time_period": year_label(year - 1),
                    "value": values["value"],
                    "symbol": values["symbol"],
                    "source_type": "published",
                    "source": f"{PUBLICATION}, SFR underlying data {year} ({path.name})",
                    "source_sha256": file_sha256(path),
                    "rounded_to": levels.map(registry.roundings[spec.rounding].rounded_to).astype(
                        "Int64"
                    ),
                }
            )
        )
    return pd.concat(parts, ignore_index=True)


def load_cla_sfr_facts(reference_dir: Path | str, registry: Registry) -> pd.DataFrame:
    """Children looked after at 31 March from the SFR tables, 2012 to 2015, as facts plus
    `rounded_to`."""
    areas = load_areas(reference_dir)
    parts = [
        sfr_table_facts(reference_dir, table, registry, areas)
        for table in registry.tables_of(SFR_LOADER)
    ]
    return _conformed(pd.concat(parts, ignore_index=True))
