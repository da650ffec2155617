"""Published benchmark rates and percentages from the DfE Local Authority Interactive Tool (LAIT).

The LAIT "big data set" is long: one row per measure (`Short Desc`), period (`Years`) and area
(`LA Number`, `LA and Regions`), with the published value as text. The data dictionary gives each
measure's year type, which decides what `Years` means: '2016' for a Financial Year measure is
2015-16; '2014-16' for a Calendar Year measure is the three years 2014 to 2016 pooled.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Collection
from datetime import date
from pathlib import Path

import pandas as pd
import pyarrow as pa

from lscb_metrics.facts import conform_facts, empty_facts
from lscb_metrics.intake.hashing import file_sha256
from lscb_metrics.measures import Registry
from lscb_metrics.periods import quarter_of, reporting_year_bounds, year_label
from lscb_metrics.reference._files import csv_text, reference_file
from lscb_metrics.reference._frames import text_as_objects
from lscb_metrics.reference.areas import area_attributes, load_areas, ons_codes_in_force
from lscb_metrics.reference.symbols import published_values

#: The function named as the loader of the LAIT extract in the measures registry.
LOADER = "lscb_metrics.reference.lait:load_lait_facts"
DICTIONARY_PATTERN = "lait/lait_data_dictionary.csv"
PUBLICATION = "DfE Local Authority Interactive Tool (LAIT)"
_LAIT_COLUMNS = ["Short Desc", "Years", "LA and Regions", "Values", "LA Number"]
# LAIT numbers England (970) and the regions (980-990) alongside the real DfE LA numbers.
_FIRST_PSEUDO_NUMBER = 970
# Significant digits kept: values were stored as text of binary floats ('63.800000000000004'
# for 63.8); 15 digits recover the published figure, which never has more.
_SIGNIFICANT_DIGITS = 15


def _dictionary(reference_dir: Path | str, short_descs: Collection[str]) -> pd.DataFrame:
    """LAIT dictionary entries (Measure, Polarity, Year_Type) for `short_descs`, by Short Desc."""
    path = reference_file(reference_dir, DICTIONARY_PATTERN)
    table = csv_text(path, ["Measure_short", "Measure", "Polarity", "Year_Type"])
    unknown = sorted(set(short_descs) - set(table["Measure_short"]))
    if unknown:
        hints = []
        for name in unknown:
            close = difflib.get_close_matches(name, list(table["Measure_short"].unique()), n=3)
            hints.append(f"{name!r}" + (f" (did you mean {', '.join(close)}?)" if close else ""))
        raise ValueError(f"{path}: no LAIT measure with Short Desc {'; '.join(hints)}")
    wanted = table[table["Measure_short"].isin(list(short_descs))]
    # some measures are listed twice with reworded titles; only a clash of meaning matters
    meanings = wanted.drop_duplicates(["Measure_short", "Polarity", "Year_Type"])
    clashing = sorted(set(meanings.loc[meanings["Measure_short"].duplicated(), "Measure_short"]))
    if clashing:
        raise ValueError(
            f"{path}: measures described twice with different polarity or year type: {clashing}"
        )
    return wanted.drop_duplicates("Measure_short").set_index("Measure_short")


def lait_polarity(reference_dir: Path | str, short_desc: str) -> str:
    """Whether a higher value is better for a LAIT measure: 'High', 'Low' or '-' (no judgement).

    The dictionary's 'NA' (polarity not stated) is read as '-'.
    """
    polarity = str(_dictionary(reference_dir, [short_desc]).at[short_desc, "Polarity"]).strip()
    return polarity if polarity in ("High", "Low") else "-"


def _two_digit_year_after(first: int, two_digits: int) -> int:
    """The first year after `first` ending in `two_digits` (2014, 16 -> 2016)."""
    year = first - first % 100 + two_digits
    return year if year > first else year + 100


def lait_period(years: str, year_type: str) -> tuple[date, date, str]:
    """First day, last day and label of LAIT `Years` for a measure of `year_type`.

    Financial Year: '2016' -> 2015-16 (1 Apr 2015 to 31 Mar 2016); '2016-17' and '2016-17 (OT)'
    (outturn) -> 2016-17; '2013/14-15/16' -> 1 Apr 2013 to 31 Mar 2016. Calendar Year: '2016' ->
    1 Jan to 31 Dec 2016; '2014-16' -> 1 Jan 2014 to 31 Dec 2016 pooled.
    """
    text = years.strip()
    if year_type == "Financial Year":
        if match := re.fullmatch(r"(\d{4})", text):
            start_year = int(match[1]) - 1
            return (*reporting_year_bounds(start_year), year_label(start_year))
        match = re.fullmatch(r"(\d{4})-(\d{2})(?: \(OT\))?", text)
        if match and (int(match[1]) + 1) % 100 == int(match[2]):
            start_year = int(match[1])
            return (*reporting_year_bounds(start_year), year_label(start_year))
        match = re.fullmatch(r"(\d{4})/(\d{2})-(\d{2})/(\d{2})", text)
        if match:
            first_start = int(match[1])
            last_start = _two_digit_year_after(first_start, int(match[3]))
            if (first_start + 1) % 100 == int(match[2]) and (last_start + 1) % 100 == int(match[4]):
                return reporting_year_bounds(first_start)[0], date(last_start + 1, 3, 31), text
    if year_type == "Calendar Year":
        if match := re.fullmatch(r"(\d{4})", text):
            year = int(match[1])
            return date(year, 1, 1), date(year, 12, 31), text
        if match := re.fullmatch(r"(\d{4})-(\d{2})", text):
            first, last = int(match[1]), _two_digit_year_after(int(match[1]), int(match[2]))
            return date(first, 1, 1), date(last, 12, 31), text
    raise ValueError(
        f"LAIT period {years!r} for a {year_type!r} measure is not supported (supported: "
        "Financial Year 2016, 2016-17, 2016-17 (OT), 2013/14-15/16; Calendar Year 2016, 2014-16)"
    )


def _measure_period(
    key: tuple[str, str], dictionary: pd.DataFrame, path: Path
) -> tuple[date, date, str]:
    """`lait_period` of (Short Desc, Years), with errors naming the file and measure."""
    short_desc, years = key
    try:
        return lait_period(years, str(dictionary.at[short_desc, "Year_Type"]))
    except ValueError as error:
        raise ValueError(f"{path}: measure {short_desc}: {error}") from error


def _name_key(name: str) -> str:
    """Area name for matching LAIT's region names to DfE's ('London (Inner)' = 'Inner London')."""
    key = " ".join(name.casefold().split())
    return re.sub(r"^london \((inner|outer)\)$", r"\1 london", key)


def _read_lait(path: Path, short_descs: list[str]) -> pd.DataFrame:
    """Rows of the LAIT parquet file for the given measures."""
    try:
        return pd.read_parquet(
            path, columns=_LAIT_COLUMNS, filters=[("Short Desc", "in", short_descs)]
        )
    except (OSError, ValueError, KeyError, pa.ArrowException) as error:
        raise ValueError(f"cannot read {path}: {error}") from error


def _area_codes(
    rows: pd.DataFrame, areas: pd.DataFrame, period_end: pd.Series, path: Path
) -> pd.Series:
    """ONS code of each LAIT row: England and regions by name, LAs by number in force then."""
    number = rows["LA Number"].astype("Int64")
    is_pseudo = number >= _FIRST_PSEUDO_NUMBER
    wider = areas[areas["geographic_level"] != "Local authority"]
    by_name = dict(zip(wider["area_name"].map(_name_key), wider["area_code"], strict=True))
    pseudo_codes = rows["LA and Regions"].map(_name_key).map(by_name)
    year = period_end.map(lambda day: quarter_of(day).year_start + 1)
    la_codes = ons_codes_in_force(areas, number.astype("str"), year)
    codes = la_codes.where(~is_pseudo, pseudo_codes)
    if codes.isna().any():
        unknown = rows.loc[codes.isna(), ["LA Number", "LA and Regions"]].drop_duplicates()
        listed = ", ".join(f"{n:g} {name}" for n, name in unknown.itertuples(index=False))
        raise ValueError(f"{path}: areas not in the DfE area files: {listed}")
    return codes


def load_lait_facts(
    reference_dir: Path | str, registry: Registry, wanted: Collection[str]
) -> pd.DataFrame:
    """LAIT published values (rates or percentages, not counts) for every LA, region and England,
    of the `wanted` measures, each read from the Short Desc the registry gives it."""
    (table,) = registry.tables_of(LOADER)
    measures = {
        source.column: measure.name
        for measure, source in registry.published_in(table.name)
        if measure.name in wanted
    }
    if not measures:
        return empty_facts()
    dictionary = _dictionary(reference_dir, list(measures))
    path = reference_file(reference_dir, table.file)
    rows = _read_lait(path, list(measures))
    absent = sorted(set(measures) - set(rows["Short Desc"]))
    if absent:
        raise ValueError(
            f"{path}: no data for LAIT measure(s) {absent} (described in the "
            "dictionary but not shipped in this extract)"
        )
    keys = pd.Series(
        list(zip(rows["Short Desc"], rows["Years"], strict=True)), index=rows.index, dtype=object
    )
    period = keys.map({key: _measure_period(key, dictionary, path) for key in keys.unique()})
    period_end = period.str[1]
    areas = load_areas(reference_dir)
    codes = _area_codes(rows, areas, period_end, path)
    values = published_values(rows["Values"], f"{path} column Values")
    values["value"] = values["value"].map(lambda v: float(f"{v:.{_SIGNIFICANT_DIGITS}g}"))
    attributes = area_attributes(areas)
    facts = pd.DataFrame(
        {
            "measure": rows["Short Desc"].map(measures),
            "area_code": codes,
            "area_name": codes.map(attributes["area_name"]),
            "geographic_level": codes.map(attributes["geographic_level"]),
            "region_code": codes.map(attributes["region_code"]),
            "period_start": period.str[0],
            "period_end": period_end,
            "time_period": period.str[2],
            "value": values["value"],
            "symbol": values["symbol"],
            "source_type": "published",
            "source": PUBLICATION
            + ": "
            + rows["Short Desc"].map(dictionary["Measure"]).str.strip()
            + " ("
            + rows["Short Desc"]
            + ")",
            "source_sha256": file_sha256(path),
        }
    )
    duplicated = facts.duplicated(["measure", "area_code", "period_end", "period_start"])
    if duplicated.any():
        raise ValueError(f"{path}: {int(duplicated.sum())} rows repeat a measure, area and period")
    facts = facts.sort_values(["measure", "period_end", "area_code"], kind="stable")
    return text_as_objects(conform_facts(facts))
