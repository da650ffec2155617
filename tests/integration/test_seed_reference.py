"""Fingertips, DfE children-looked-after and ONS age figures from the shipped files, computed by
the catalogue as a run computes them, checked against what the publishers print."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from lscb_metrics.catalogue import load_catalogue
from lscb_metrics.compute import indicator_values, with_intervals
from lscb_metrics.measures import MEASURES_FILE, load_registry
from lscb_metrics.reference import (
    load_areas,
    load_cla_facts,
    load_cla_sfr_facts,
    load_fingertips_facts,
    load_population,
    load_population_ages_facts,
)
from lscb_metrics.stats import compare_with_benchmark

ROOT = Path(__file__).parents[2]
REFERENCE = ROOT / "data/raw/reference"
REGISTRY = load_registry(ROOT / "schemas" / MEASURES_FILE)
CATALOGUE = {i.id: i for i in load_catalogue(ROOT / "schemas" / "indicators.yaml", REGISTRY)}
SOUTHEND, ENGLAND, EAST = "E06000033", "E92000001", "E12000006"
FINGERTIPS_FILE = REFERENCE / "fingertips/region_hospital_admissions_2324.csv"


@pytest.fixture(scope="module")
def areas() -> pd.DataFrame:
    return load_areas(REFERENCE)


@pytest.fixture(scope="module")
def population() -> pd.DataFrame:
    return load_population(REFERENCE, REGISTRY).assign(source_type="published")


def values_of(
    indicator_id: str, facts: pd.DataFrame, population: pd.DataFrame, areas: pd.DataFrame
) -> pd.DataFrame:
    """The indicator's values with intervals, indexed by area and period end."""
    indicator = CATALOGUE[indicator_id]
    values = with_intervals(indicator_values(facts, population, indicator, areas), indicator)
    return values.set_index(["area_code", "period_end"])


@pytest.fixture(scope="module")
def injuries(population: pd.DataFrame, areas: pd.DataFrame) -> pd.DataFrame:
    facts = load_fingertips_facts(REFERENCE, REGISTRY)
    return values_of("injury_admission_rate", facts, population, areas)


def test_southend_injury_admissions_2013_14_are_fingertips_figures(injuries: pd.DataFrame) -> None:
    # Fingertips 90284, Southend-on-Sea 2013/14: 280 admissions over 31,360 children aged 0-14,
    # 89.28571 per 10,000 (95% 78.83237 to 100.04269), "Better" than England's 112.49649.
    row = injuries.loc[(SOUTHEND, date(2014, 3, 31))]
    assert (row["numerator"], row["denominator"], row["counts_rounded_to"]) == (280, 31360, 5)
    assert row["value"] == pytest.approx(89.28571)
    assert row["time_period"] == "2013-14"
    # Byar's method on the count as published (rounded to 5) gives limits within 0.4 of those
    # Fingertips computed from the unrounded count.
    assert row["lower_ci95"] == pytest.approx(78.83237, abs=0.4)
    assert row["upper_ci95"] == pytest.approx(100.04269, abs=0.4)
    england = injuries.loc[(ENGLAND, date(2014, 3, 31))]
    assert england["value"] == pytest.approx(112.49649)
    assert england["numerator"] == 107473  # England's count is exact
    verdict = compare_with_benchmark(
        row["value"], row["lower_ci95"], row["upper_ci95"], england["value"], "low_is_good"
    )
    assert verdict == "Better"
    region = injuries.loc[(EAST, date(2014, 3, 31))]
    assert region["value"] == pytest.approx(100.36434)


def test_comparisons_with_england_agree_with_fingertips(injuries: pd.DataFrame) -> None:
    # The Fingertips rule (95% interval against England's value), applied to the intervals of
    # the published counts, gives Fingertips' own verdict for nearly every LA and year; the few
    # others sit on the edge, where rounding the count to 5 moves a limit across England's value.
    published = pd.read_csv(FINGERTIPS_FILE, dtype=str, keep_default_na=False)
    published = published[
        (published["Sex"] == "Persons")
        & (published["Category Type"] == "")
        & (published["Area Type"] == "Counties & UAs (from Apr 2023)")
        & published["Compared to England value or percentiles"].isin(["Better", "Similar", "Worse"])
    ]
    ends = published["Time period"].str[:4].astype(int).map(lambda y: date(y + 1, 3, 31))
    agree = 0
    for code, end, verdict in zip(
        published["Area Code"],
        ends,
        published["Compared to England value or percentiles"],
        strict=True,
    ):
        row, england = injuries.loc[(code, end)], injuries.loc[(ENGLAND, end)]
        ours = compare_with_benchmark(
            row["value"], row["lower_ci95"], row["upper_ci95"], england["value"], "low_is_good"
        )
        agree += ours == verdict
    assert len(published) > 1900
    assert agree / len(published) > 0.97


def test_southend_looked_after_children(population: pd.DataFrame, areas: pd.DataFrame) -> None:
    facts = pd.concat(
        [load_cla_facts(REFERENCE, REGISTRY), load_cla_sfr_facts(REFERENCE, REGISTRY)],
        ignore_index=True,
    )
    rates = values_of("lac_rate", facts, population, areas)
    # SFR36/2014: 244 children looked after at 31 March 2014; over the ONS mid-2013 estimate of
    # children aged 0-17 (37,785) that is 64.6 per 10,000, published to whole numbers as 65.
    march_2014 = rates.loc[(SOUTHEND, date(2014, 3, 31))]
    assert (march_2014["numerator"], march_2014["denominator"]) == (244, 37785)
    assert round(march_2014["value"], 1) == 64.6
    # England: 68,840 (rounded to 10 by DfE).
    assert rates.loc[(ENGLAND, date(2014, 3, 31)), "numerator"] == 68840
    assert rates.loc[(ENGLAND, date(2014, 3, 31)), "counts_rounded_to"] == 10
    # 2024-25, EES: DfE's own rate, 80 per 10,000 (316 children), is the value.
    march_2025 = rates.loc[(SOUTHEND, date(2025, 3, 31))]
    assert (march_2025["value"], march_2025["numerator"]) == (80, 316)
    assert rates.loc[(ENGLAND, date(2025, 3, 31)), "value"] == 67
    # Every LA that has a figure in 2014 has a rate: 152 LAs (SFR 2014 rows, City of London
    # and Isles of Scilly included).
    in_2014 = rates.xs(date(2014, 3, 31), level="period_end")
    assert (in_2014["geographic_level"] == "Local authority").sum() >= 150


def test_southend_residents_by_age(areas: pd.DataFrame) -> None:
    facts = load_population_ages_facts(REFERENCE, REGISTRY)

    def figure(measure: str, on: date) -> float:
        rows = facts[
            (facts["measure"] == measure)
            & (facts["area_code"] == SOUTHEND)
            & (facts["period_end"] == on)
        ]
        assert len(rows) == 1
        return float(rows["value"].iloc[0])

    # MYE4: the revised mid-2012 estimate, 175,196 (the report quoted 175,284 as first published).
    assert figure("population_all_ages", date(2012, 6, 30)) == 175196
    assert figure("population_all_ages", date(2023, 6, 30)) == 182271
    # MYE2 - Persons, mid-2023: ages 0-4 are 1,824 + 1,981 + 1,955 + 2,058 + 2,073.
    assert figure("population_0_4", date(2023, 6, 30)) == 9891
    assert figure("population_0_19", date(2023, 6, 30)) == 42156
    # Only areas of the DfE files: England, regions and LAs, no Welsh or district rows.
    assert set(facts["area_code"]) <= set(areas["area_code"])
