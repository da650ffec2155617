"""Areas (England, regions, local authorities), their codes, and how codes changed over time.

DfE files give each local authority two codes: the DfE 3-digit number (`old_la_code`, Southend
882) and the ONS code (`new_la_code`, E06000033). The areas table is built from the geography
columns of every shipped DfE children-in-need file, so it holds every area those files ever used.
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd

from lscb_metrics.facts import GEOGRAPHIC_LEVELS
from lscb_metrics.reference._files import csv_text, require_columns
from lscb_metrics.reference._frames import text_as_objects

#: Columns of the areas table, in order.
AREA_COLUMNS: tuple[str, ...] = (
    "area_code",  # ONS code
    "area_name",  # latest name used for the code
    "geographic_level",  # 'Local authority' | 'Regional' | 'National'
    "region_code",  # ONS region (E12); None for England
    "region_name",
    "old_la_code",  # DfE 3-digit number as text; None for regions and England
    "first_reporting_year",  # DfE time_period (year ending 31 March) the code first appears in
    "last_reporting_year",  # ... and last appears in
)

#: DfE explore-education-statistics geography columns, present in every DfE tidy file.
EES_GEOGRAPHY_COLUMNS: tuple[str, ...] = (
    "time_period",
    "geographic_level",
    "country_code",
    "country_name",
    "region_code",
    "region_name",
    "old_la_code",
    "new_la_code",
    "la_name",
)

LONDON_CODE = "E12000007"
# ONS recoded Gateshead and Northumberland on 1 April 2013 (a boundary correction). DfE table C4
# kept the old codes up to 2018-19 while the other tables use the new ones for every year, so
# DfE rows are read with the new codes: one code per area across tables.
_RECODED_2013 = {"E08000020": "E08000037", "E06000048": "E06000057"}
#: DfE files place London boroughs in Inner (E13000001) or Outer (E13000002) London, and LAIT
#: compares a borough with its half of London, falling back to London where that half has no
#: figure (LAIT's clean_ldn_region). Region -> the region compared with in its place.
REGION_FALLBACK = {"E13000001": LONDON_CODE, "E13000002": LONDON_CODE}


@dataclass(frozen=True)
class Succession:
    """Codes that replaced an abolished or recoded area, and the first day they applied."""

    successors: tuple[str, ...]
    effective: date
    note: str


# Keyed by both DfE numbers and ONS codes; a change of ONS code alone (North Yorkshire, Somerset,
# Buckinghamshire) keeps its DfE number. Christchurch, a Dorset district, moved to BCP in 2019,
# so neither Dorset county nor the new Dorset unitary is exactly its predecessor or successor.
_BCP = "Bournemouth, Christchurch and Poole"
LA_SUCCESSORS: dict[str, Succession] = {
    "837": Succession(("839",), date(2019, 4, 1), f"Bournemouth merged into {_BCP}"),
    "836": Succession(("839",), date(2019, 4, 1), f"Poole merged into {_BCP}"),
    "835": Succession(("838",), date(2019, 4, 1), "Dorset county council became Dorset unitary"),
    "928": Succession(
        ("940", "941"), date(2021, 4, 1), "Northamptonshire split into North and West"
    ),
    "909": Succession(
        ("942", "943"), date(2023, 4, 1), "Cumbria split into Cumberland, Westmorland and Furness"
    ),
    "E06000028": Succession(("E06000058",), date(2019, 4, 1), f"Bournemouth merged into {_BCP}"),
    "E06000029": Succession(("E06000058",), date(2019, 4, 1), f"Poole merged into {_BCP}"),
    "E10000009": Succession(
        ("E06000059",), date(2019, 4, 1), "Dorset county council became Dorset unitary"
    ),
    "E10000002": Succession(
        ("E06000060",), date(2020, 4, 1), "Buckinghamshire became a unitary (new ONS code)"
    ),
    "E10000021": Succession(
        ("E06000061", "E06000062"), date(2021, 4, 1), "Northamptonshire split into North and West"
    ),
    "E10000006": Succession(
        ("E06000063", "E06000064"),
        date(2023, 4, 1),
        "Cumbria split into Cumberland, Westmorland and Furness",
    ),
    "E10000023": Succession(
        ("E06000065",), date(2023, 4, 1), "North Yorkshire became a unitary (new ONS code)"
    ),
    "E10000027": Succession(
        ("E06000066",), date(2023, 4, 1), "Somerset became a unitary (new ONS code)"
    ),
    "E08000020": Succession(("E08000037",), date(2013, 4, 1), "Gateshead recoded by ONS"),
    "E06000048": Succession(("E06000057",), date(2013, 4, 1), "Northumberland recoded by ONS"),
}


#: The first day each successor code applied (1 April 2019 for BCP's E06000058 and 839).
LA_CREATED: dict[str, date] = {
    successor: succession.effective
    for succession in LA_SUCCESSORS.values()
    for successor in succession.successors
}


def code_in_force(code: str, day: date) -> bool:
    """True where the local authority code `code` (ONS or DfE) names an authority on `day`:
    created by then (LA_CREATED) and not yet replaced by its successors (LA_SUCCESSORS); a
    code neither table names always is."""
    return not_in_force_reason(code, day) is None


def not_in_force_reason(code: str, day: date) -> str | None:
    """Why the local authority code `code` names no authority on `day` ('replaced by E06000063,
    E06000064 on 1 April 2023: Cumbria split into ...'), or None where it names one."""
    replaced = LA_SUCCESSORS.get(code)
    if replaced is not None and day >= replaced.effective:
        successors = ", ".join(replaced.successors)
        return f"replaced by {successors} on {replaced.effective:%-d %B %Y}: {replaced.note}"
    created = LA_CREATED.get(code)
    if created is not None and day < created:
        return f"first used on {created:%-d %B %Y}"
    return None


#: DfE numbers that a merger or split replaced or created, as against a change of ONS code
#: alone, where the authority kept its number (North Yorkshire 815, Somerset 933).
_RENUMBERED = {n for key, s in LA_SUCCESSORS.items() if key.isdigit() for n in (key, *s.successors)}


def ons_code_on(dfe_number: str, latest: str, day: date) -> str:
    """The ONS code the authority of DfE number `dfe_number` had on `day`, `latest` being the
    code it has now: the one before a change of ONS code alone (North Yorkshire, 815, was
    E10000023 until March 2023 and E06000065 since); `latest` where none applies."""
    if dfe_number in _RENUMBERED or code_in_force(latest, day):
        return latest
    before = [
        old
        for old, succession in LA_SUCCESSORS.items()
        if succession.successors == (latest,) and code_in_force(old, day)
    ]
    return before[0] if len(before) == 1 else latest


def area_on(
    la_lookup: Mapping[str, tuple[str, str, str | None]], key: str, day: date | None
) -> tuple[str, str, str | None] | None:
    """The area (ONS code, name, region) a local authority code `key`, ONS or DfE, names on
    `day`: a DfE number as the ONS code its authority had then (`ons_code_on`), so North
    Yorkshire's 815 counts in 2019-20 for E10000023, whose population and published figures
    that year are; `la_lookup`'s entry where no day is known."""
    area = la_lookup.get(key)
    if area is None or day is None or not key.isdigit():
        return area
    return la_lookup.get(ons_code_on(key, area[0], day), area)


def current_code(code: str) -> str:
    """The code (same scheme, DfE or ONS) that `code` has today; ValueError if it was split."""
    seen: list[str] = [code.strip()]
    while seen[-1] in LA_SUCCESSORS:
        succession = LA_SUCCESSORS[seen[-1]]
        if len(succession.successors) > 1:
            raise ValueError(
                f"area {seen[-1]} has no single current code: {succession.note} on "
                f"{succession.effective:%d %B %Y} ({', '.join(succession.successors)})"
            )
        seen.append(succession.successors[0])
    return seen[-1]


def ees_time_periods(frame: pd.DataFrame, path: Path) -> pd.Series:
    """`time_period` of each row of a DfE tidy file as int (a year)."""
    years = pd.to_numeric(frame["time_period"], errors="coerce")
    if years.isna().any():
        bad = sorted(set(frame.loc[years.isna(), "time_period"]))
        raise ValueError(f"{path}: time_period is not a year in {bad}")
    return years.astype(int)


def ees_areas(frame: pd.DataFrame, path: Path) -> pd.DataFrame:
    """Area code, name, level, region and DfE number of each row of a DfE tidy file."""
    require_columns(frame, EES_GEOGRAPHY_COLUMNS, path)
    level = frame["geographic_level"]
    unknown_levels = sorted(set(level) - set(GEOGRAPHIC_LEVELS))
    if unknown_levels:
        raise ValueError(f"{path}: unexpected geographic_level value(s) {unknown_levels}")
    is_la = level == "Local authority"
    is_region = level == "Regional"

    def by_level(national: str, regional: str, local: str) -> pd.Series:
        """Column `national`, `regional` or `local` of each row, as its level requires."""
        return frame[national].where(~is_region, frame[regional]).where(~is_la, frame[local])

    region_code = frame["region_code"].where(is_la | is_region)
    out = pd.DataFrame(
        {
            "area_code": by_level("country_code", "region_code", "new_la_code").replace(
                _RECODED_2013
            ),
            "area_name": by_level("country_name", "region_name", "la_name"),
            "geographic_level": level,
            "region_code": region_code,
            "region_name": frame["region_name"].where(is_la | is_region),
            "old_la_code": frame["old_la_code"].where(is_la),
        },
        index=frame.index,
    )
    blank = out["area_code"].isna() | (out["area_code"] == "")
    if blank.any():
        raise ValueError(f"{path}: {int(blank.sum())} row(s) have no area code for their level")
    return text_as_objects(out)


def load_areas(reference_dir: Path | str) -> pd.DataFrame:
    """Every area the shipped DfE children-in-need files use, one row per ONS code."""
    paths = sorted(Path(reference_dir).glob("dfe_cin/*.csv"))
    if not paths:
        raise FileNotFoundError(f"no DfE children-in-need files in {Path(reference_dir)}/dfe_cin")
    # Every reference loader needs the areas: read once per version of the files, not per loader.
    files = tuple((path, hashlib.sha256(path.read_bytes()).hexdigest()) for path in paths)
    return _areas_of(files).copy()


@functools.lru_cache(maxsize=2)
def _areas_of(files: tuple[tuple[Path, str], ...]) -> pd.DataFrame:
    """The areas table of the DfE files `files` ((path, SHA-256) pairs, sorted by path)."""
    paths = [path for path, _ in files]
    rows = []
    for path in paths:
        geography = csv_text(path, EES_GEOGRAPHY_COLUMNS)
        areas = ees_areas(geography, path)
        areas["time_period"] = ees_time_periods(geography, path)
        rows.append(areas)
    every = pd.concat(rows, ignore_index=True).sort_values("time_period", kind="stable")
    latest = every.drop_duplicates("area_code", keep="last").set_index("area_code")
    years = every.groupby("area_code")["time_period"].agg(["min", "max"])
    table = latest.drop(columns="time_period").assign(
        first_reporting_year=years["min"].astype(int),
        last_reporting_year=years["max"].astype(int),
    )
    level_order = table["geographic_level"].map({"National": 0, "Regional": 1}).fillna(2)
    table = table.assign(_order=level_order).sort_values(["_order", "area_code"])
    return text_as_objects(table.reset_index()[list(AREA_COLUMNS)])


def la_lookup(areas: pd.DataFrame) -> dict[str, tuple[str, str, str | None]]:
    """(area_code, area_name, region_code) keyed by ONS code and, for LAs, by DfE number.

    A DfE number whose ONS code changed (815 North Yorkshire, 825 Buckinghamshire, 933 Somerset)
    resolves to its latest ONS code.
    """
    ordered = areas.sort_values(["last_reporting_year", "first_reporting_year"], kind="stable")
    lookup: dict[str, tuple[str, str, str | None]] = {}
    for row in ordered.itertuples(index=False):
        entry = (row.area_code, row.area_name, row.region_code)
        lookup[row.area_code] = entry
        if row.old_la_code is not None:
            lookup[row.old_la_code] = entry
    return lookup


def ons_codes_in_force(
    areas: pd.DataFrame, dfe_codes: pd.Series, reporting_years: pd.Series
) -> pd.Series:
    """ONS code of each DfE LA number in each DfE reporting year (time_period); NaN if unknown.

    Picks the latest code already in use by that year, or the earliest code for years before
    the files begin.
    """
    la = areas.loc[areas["old_la_code"].notna(), ["old_la_code", "area_code"]]
    la = la.assign(first=areas["first_reporting_year"])
    query = pd.DataFrame(
        {
            "old_la_code": dfe_codes.to_numpy(dtype=object),
            "year": reporting_years.to_numpy(),
            "row": range(len(dfe_codes)),
        }
    )
    candidates = query.merge(la, on="old_la_code", how="left")
    started = candidates["first"] <= candidates["year"]
    candidates["rank"] = candidates["first"].where(started, -candidates["first"])
    chosen = candidates.sort_values(["row", "rank"], na_position="first").drop_duplicates(
        "row", keep="last"
    )
    return pd.Series(
        chosen.sort_values("row")["area_code"].to_numpy(), index=dfe_codes.index, name="area_code"
    )


def la_numbers(areas: pd.DataFrame) -> dict[str, str]:
    """DfE number of each local authority by ONS code (every code it has had)."""
    la = areas[areas["old_la_code"].notna()]
    return dict(zip(la["area_code"], la["old_la_code"], strict=True))


def area_names(areas: pd.DataFrame) -> dict[str, str]:
    """Each area's name by ONS code as people say it (`spoken_name`), from the shipped DfE
    files' areas (`load_areas`)."""
    return {
        code: spoken_name(name)
        for code, name in zip(areas["area_code"], areas["area_name"], strict=True)
    }


def area_label(code: str, names: Mapping[str, str]) -> str:
    """An area as a person reads it, its name and ONS code ('Bedford (E06000055)'): the code
    alone is read by nobody, the name alone is ambiguous where an authority's code changed; the
    code alone where `names` (`area_names`) does not know it."""
    name = names.get(code)
    return f"{name} ({code})" if name else code


def area_attributes(areas: pd.DataFrame) -> pd.DataFrame:
    """area_name, geographic_level and region_code indexed by ONS code, for labelling facts."""
    return areas.set_index("area_code")[["area_name", "geographic_level", "region_code"]]


def spoken_name(area_name: str) -> str:
    """An authority's name as people say it: ONS's and DfE's 'Bristol, City of' is 'Bristol'
    (so its agencies are 'Bristol Police', its folder 'bristol', and the editions' text reads
    "Bristol's statistical neighbours")."""
    return re.sub(r", (City|County) of$", "", area_name)
