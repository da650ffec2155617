"""ONS mid-year population estimates workbook (MYE tables) as facts: residents of all ages and
children by age band, the population context of an annual report.

The registry names each measure's source as `<sheet>` for a sheet of totals by mid-year (MYE4:
one `Mid-YYYY` column per year) or `<sheet> <first>-<last>` for an age band summed over the
single-year-of-age columns of a sheet for one mid-year (MYE2 - Persons, mid-year in its title).
Only areas of the DfE files (England, regions, upper-tier and unitary authorities) are kept; the
workbook also has Wales and lower-tier districts. Estimates are whole people, unrounded.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
import pandas as pd

from lscb_metrics.facts import conform_facts
from lscb_metrics.intake.hashing import file_sha256
from lscb_metrics.measures import Registry
from lscb_metrics.reference._files import reference_file
from lscb_metrics.reference._frames import text_as_objects
from lscb_metrics.reference.areas import area_attributes, load_areas

#: The function named as the loader of the MYE workbook in the measures registry.
LOADER = "lscb_metrics.reference.ons_ages:load_population_ages_facts"
PUBLICATION = "ONS mid-year population estimates"
_BAND = re.compile(r"^(?P<sheet>.+) (?P<first>\d+)-(?P<last>\d+)$")
_MID_YEAR = re.compile(r"mid-(\d{4})", re.IGNORECASE)


def sheet_table(rows: list[tuple[Any, ...]], sheet: str, path: Path) -> tuple[int, pd.DataFrame]:
    """The mid-year in a sheet's title and its table: the header is the row starting 'Code'."""
    title = str(rows[0][0] or "") if rows else ""
    found = _MID_YEAR.findall(title)
    header_at = next((i for i, row in enumerate(rows) if row and row[0] == "Code"), None)
    if not found or header_at is None:
        raise ValueError(f"{path}: sheet {sheet!r} has no mid-year title or 'Code' header row")
    header = [str(cell).strip() if cell is not None else "" for cell in rows[header_at]]
    table = pd.DataFrame(rows[header_at + 1 :], columns=header)
    return int(found[-1]), table[table["Code"].notna()]


def band_population(table: pd.DataFrame, first: int, last: int, where: str) -> pd.Series:
    """Residents aged `first` to `last` of each row: the sum of the single-year columns."""
    ages = [str(age) for age in range(first, last + 1)]
    missing = [age for age in ages if age not in table.columns]
    if missing:
        raise ValueError(f"{where}: no column for age(s) {missing}")
    return table[ages].apply(pd.to_numeric, errors="raise").sum(axis=1)


def mid_year_columns(table: pd.DataFrame) -> dict[str, int]:
    """The `Mid-YYYY` columns of a sheet of totals, with their year."""
    return {c: int(c[4:]) for c in table.columns if re.fullmatch(r"Mid-\d{4}", c)}


def _facts(codes: pd.Series, values: pd.Series, year: int, measure: str) -> pd.DataFrame:
    """Facts of one measure at 30 June of `year`."""
    on = date(year, 6, 30)
    return pd.DataFrame(
        {
            "measure": measure,
            "area_code": codes,
            "period_start": on,
            "period_end": on,
            "time_period": f"mid-{year}",
            "value": values.astype("float64"),
        }
    )


def load_population_ages_facts(reference_dir: Path | str, registry: Registry) -> pd.DataFrame:
    """Residents by age band and of all ages for England, every region and LA, as facts."""
    areas = load_areas(reference_dir)
    attributes = area_attributes(areas)
    parts: list[pd.DataFrame] = []
    for table in registry.tables_of(LOADER):
        first_part = len(parts)
        path = reference_file(reference_dir, table.file)
        try:
            workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
        except (OSError, KeyError, ValueError) as error:
            raise ValueError(f"cannot read {path}: {error}") from error
        sheets: dict[str, tuple[int, pd.DataFrame]] = {}
        try:
            for measure, spec in registry.published_in(table.name):
                band = _BAND.fullmatch(spec.column)
                sheet = band["sheet"] if band else spec.column
                if sheet not in workbook.sheetnames:
                    raise ValueError(f"{path}: no sheet {sheet!r}")
                if sheet not in sheets:
                    sheets[sheet] = sheet_table(list(workbook[sheet].values), sheet, path)
                year, rows = sheets[sheet]
                rows = rows[rows["Code"].isin(attributes.index)]
                if band:
                    where = f"{path} sheet {sheet!r}"
                    values = band_population(rows, int(band["first"]), int(band["last"]), where)
                    parts.append(_facts(rows["Code"], values, year, measure.name))
                else:
                    for column, mid_year in mid_year_columns(rows).items():
                        values = pd.to_numeric(rows[column], errors="raise")
                        parts.append(_facts(rows["Code"], values, mid_year, measure.name))
        finally:
            workbook.close()
        digest = file_sha256(path)
        for part in parts[first_part:]:
            part["source"] = f"{PUBLICATION} ({path.name})"
            part["source_sha256"] = digest
    facts = pd.concat(parts, ignore_index=True)
    for column in ("area_name", "geographic_level", "region_code"):
        facts[column] = facts["area_code"].map(attributes[column])
    facts = text_as_objects(conform_facts(facts.assign(source_type="published")))
    facts = facts.sort_values(["measure", "period_end", "area_code"], kind="stable")
    return facts.reset_index(drop=True)
