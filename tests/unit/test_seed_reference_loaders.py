"""Reading Fingertips exports and ONS MYE sheets and a change taken over several years, on tiny
inline data."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from lscb_metrics.catalogue import CatalogueError, load_catalogue
from lscb_metrics.compute.comparisons import previous_values
from lscb_metrics.measures import MEASURES_FILE, load_registry
from lscb_metrics.reference.fingertips import area_rows, fingertips_period
from lscb_metrics.reference.ons_ages import band_population, mid_year_columns, sheet_table

SCHEMAS = Path(__file__).resolve().parents[2] / "schemas"
REGISTRY = load_registry(SCHEMAS / MEASURES_FILE)


def test_fingertips_financial_year() -> None:
    assert fingertips_period("2013/14") == (date(2013, 4, 1), date(2014, 3, 31), "2013-14")
    assert fingertips_period("1999/00")[1] == date(2000, 3, 31)
    for text in ("2013-14", "2013/15", "2013"):
        with pytest.raises(ValueError, match="financial year"):
            fingertips_period(text)


def fingertips_rows(*rows: tuple[str, str, str, str]) -> pd.DataFrame:
    """Export rows of (indicator, area, sex, category type) in 2013/14."""
    return pd.DataFrame(
        [
            {
                "Indicator ID": i,
                "Area Code": a,
                "Sex": s,
                "Category Type": c,
                "Time period": "2013/14",
            }
            for i, a, s, c in rows
        ]
    )


def test_an_areas_own_figure_is_persons_without_a_category() -> None:
    frame = fingertips_rows(
        ("90284", "E06000033", "Persons", ""),
        ("90284", "E06000033", "Male", ""),  # split by sex
        ("90284", "E92000001", "Persons", "County & UA deprivation deciles"),  # by decile
        ("90285", "E06000033", "Persons", ""),  # another indicator
    )
    kept = area_rows(frame, "90284", Path("x.csv"))
    assert kept.index.tolist() == [0]


def test_an_area_given_twice_in_a_year_is_refused() -> None:
    frame = fingertips_rows(
        ("90284", "E92000001", "Persons", ""), ("90284", "E92000001", "Persons", "")
    )
    with pytest.raises(ValueError, match=r"x\.csv: 1 rows repeat an area and time period"):
        area_rows(frame, "90284", Path("x.csv"))
    with pytest.raises(ValueError, match="no rows for Fingertips indicator 1"):
        area_rows(frame, "1", Path("x.csv"))


def test_mye_sheets_give_age_bands_and_mid_year_totals() -> None:
    rows = [
        ("MYE2: Persons by single year of age, mid-2023", None, None, None, None),
        ("notes", None, None, None, None),
        ("Code", "Name", "Geography", "0", "1"),
        ("E06000033", "Southend-on-Sea", "Unitary Authority", 1824, 1981),
        (None, None, None, None, None),
    ]
    year, table = sheet_table(rows, "MYE2 - Persons", Path("m.xlsx"))
    assert year == 2023 and table["Code"].tolist() == ["E06000033"]
    assert band_population(table, 0, 1, "m.xlsx").tolist() == [1824 + 1981]
    with pytest.raises(ValueError, match=r"m.xlsx: no column for age\(s\) \['2'\]"):
        band_population(table, 0, 2, "m.xlsx")
    totals = pd.DataFrame(columns=["Code", "Mid-2023", "Mid-2011", ""])
    assert mid_year_columns(totals) == {"Mid-2023": 2023, "Mid-2011": 2011}
    with pytest.raises(ValueError, match="no mid-year title or 'Code' header row"):
        sheet_table([("A title without a year",), ("Code",)], "MYE4", Path("m.xlsx"))


def test_a_change_can_be_taken_over_several_years() -> None:
    # The 2-year child death rate of 2012-14 against 2009-11: three years before.
    ends = [date(2011, 3, 31), date(2013, 3, 31), date(2014, 3, 31)]
    rows = pd.DataFrame(
        {
            "indicator_id": "child_death_rate_2yr",
            "area_code": "E06000033",
            "breakdown": "Total",
            "source_type": "partner_return",
            "period_end": ends,
            "value": [34.1, 28.0, 25.3],
        }
    )
    assert previous_values(rows, 3).tolist()[2] == 34.1
    assert previous_values(rows).tolist()[2] == 28.0  # year on year by default
    assert pd.isna(previous_values(rows, 3).tolist()[0])


ENTRY = """indicators:
  - id: x
    title: X
    numerator: referrals
    multiplier: 1
    unit: count
    decimals: 0
    polarity: no_judgement
    measure_type: flow
    subject: children
"""


def test_change_years_defaults_to_one_and_must_be_whole_years(tmp_path: Path) -> None:
    path = tmp_path / "indicators.yaml"
    path.write_text(ENTRY)
    assert load_catalogue(path, REGISTRY)[0].change_years == 1
    path.write_text(ENTRY + "    change_years: 3\n")
    assert load_catalogue(path, REGISTRY)[0].change_years == 3
    path.write_text(ENTRY + "    change_years: 0.5\n")
    with pytest.raises(CatalogueError, match=r"indicators.yaml:11: indicator x: change_years"):
        load_catalogue(path, REGISTRY)
