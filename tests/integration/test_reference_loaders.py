"""The reference loaders on the shipped published files, checked against published figures."""

from __future__ import annotations

import hashlib
import shutil
from dataclasses import replace
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pandas as pd
import pytest

from lscb_metrics.facts import FACT_COLUMNS
from lscb_metrics.measures import MEASURES_FILE, PublishedSource, load_registry
from lscb_metrics.reference import (
    AVAILABLE_MODELS,
    current_code,
    la_lookup,
    lait_polarity,
    load_areas,
    load_cin_facts,
    load_lait_facts,
    load_population,
    load_statistical_neighbours,
    population_facts,
)
from lscb_metrics.reference.releases import logged_fields, logged_sha256s

REFERENCE = Path(__file__).parents[2] / "data/raw/reference"
REGISTRY = load_registry(Path(__file__).parents[2] / "schemas" / MEASURES_FILE)
DATA_LOG = Path(__file__).parents[2] / "data/raw/DATA_LOG.md"
SOUTHEND, ENGLAND, EAST = "E06000033", "E92000001", "E12000006"
BCP, BOURNEMOUTH, POOLE = "E06000058", "E06000028", "E06000029"
ASSESSMENTS, ROAD_KSI = "lait:Continue_Assess_Comp", "lait:RTA"


@pytest.fixture(scope="module")
def cin() -> pd.DataFrame:
    return load_cin_facts(REFERENCE, REGISTRY)


@pytest.fixture(scope="module")
def areas() -> pd.DataFrame:
    return load_areas(REFERENCE)


@pytest.fixture(scope="module")
def population() -> pd.DataFrame:
    return load_population(REFERENCE, REGISTRY)


@pytest.fixture(scope="module")
def lait() -> pd.DataFrame:
    return load_lait_facts(REFERENCE, REGISTRY, {ASSESSMENTS, ROAD_KSI})


def one(facts: pd.DataFrame, measure: str, area: str, period: str) -> pd.Series:
    """The single fact for a measure, area and period label."""
    rows = facts[
        (facts["measure"] == measure)
        & (facts["area_code"] == area)
        & (facts["time_period"] == period)
    ]
    assert len(rows) == 1, (measure, area, period, len(rows))
    return rows.iloc[0]


def round_half_up(number: float, places: int) -> float:
    """DfE publication rounding: halves away from zero."""
    return float(Decimal(str(float(number))).quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP))


# --- the shipped files --------------------------------------------------------------------------


def test_every_shipped_reference_file_is_logged_with_its_sha256() -> None:
    logged = logged_sha256s(DATA_LOG.read_text(encoding="utf-8"))
    shipped = {p.relative_to(REFERENCE).as_posix() for p in REFERENCE.rglob("*") if p.is_file()}
    assert set(logged) == shipped
    for name, digest in logged.items():
        # byte-for-byte copies of the published files
        assert hashlib.sha256((REFERENCE / name).read_bytes()).hexdigest() == digest, name
        # and each says where it came from and under what licence, not only its hash
        fields = logged_fields(DATA_LOG.read_text(encoding="utf-8"), name)
        sourced = ("Publisher / original source", "Obtained from", "Licence")
        assert [field for field in sourced if not fields.get(field, "").strip()] == [], name


# --- DfE children in need ------------------------------------------------------------------------


def test_cin_facts_have_the_canonical_layout_and_every_measure(cin: pd.DataFrame) -> None:
    assert list(cin.columns) == [*FACT_COLUMNS, "rounded_to"]
    assert set(cin["measure"]) == {
        "referrals",
        "rereferrals_within_12_months",
        "children_in_need",
        "section_47_enquiries",
        "cp_plan_starts",
        "cp_plan_starts_subsequent",
        "cp_plans_at_end",
        "cp_plans_two_years_or_more",
        "rereferral_percent",
        "cp_plan_starts_subsequent_percent",
        "cp_plans_two_years_or_more_percent",
    }
    labels = {f"{y}-{(y + 1) % 100:02d}" for y in range(2012, 2025)}  # time_period 2013 to 2025
    assert set(cin["time_period"]) == labels
    assert set(cin["geographic_level"]) == {"Local authority", "Regional", "National"}
    assert set(cin["source_type"]) == {"published"}
    assert not cin.duplicated(["measure", "area_code", "period_end"]).any()


def test_southend_and_england_referrals_2013_14(cin: pd.DataFrame) -> None:
    southend = one(cin, "referrals", SOUTHEND, "2013-14")
    # DfE table C1, Southend-on-Sea, year ending 31 March 2014
    assert southend["value"] == 2020
    assert (southend["period_start"], southend["period_end"]) == (
        date(2013, 4, 1),
        date(2014, 3, 31),
    )
    assert southend["region_code"] == EAST
    assert southend["rounded_to"] == 1
    assert southend["source"] == (
        "DfE Characteristics of children in need, table C1 (2013 to 2025)"
    )
    england = one(cin, "referrals", ENGLAND, "2013-14")
    assert england["value"] == 657780  # national count, published rounded to 10
    assert england["rounded_to"] == 10
    assert england["region_code"] is None
    # Percentages are published to 1 decimal place, not rounded to 10.
    assert pd.isna(one(cin, "rereferral_percent", ENGLAND, "2013-14")["rounded_to"])


def test_cp_plans_at_31_march_2014_are_snapshots(cin: pd.DataFrame) -> None:
    southend = one(cin, "cp_plans_at_end", SOUTHEND, "2013-14")
    assert southend["value"] == 163  # DfE table D5
    assert southend["period_start"] == southend["period_end"] == date(2014, 3, 31)
    england = one(cin, "cp_plans_at_end", ENGLAND, "2013-14")
    assert england["value"] == 48300  # rounded to 10
    assert england["rounded_to"] == 10


def test_suppressed_cell_becomes_nan_with_its_symbol(cin: pd.DataFrame) -> None:
    # D5 prints 'c' for Southend's plans lasting 2 years or more at 31 March 2014 (1 to 5 children)
    cell = one(cin, "cp_plans_two_years_or_more", SOUTHEND, "2013-14")
    assert pd.isna(cell["value"])
    assert cell["symbol"] == "c"
    assert cin.loc[cin["value"].notna(), "symbol"].isna().all()
    assert set(cin["symbol"].dropna()) <= {"c", "x", "u", "z", "low"}


def test_bcp_from_2019_20_and_bournemouth_poole_before(cin: pd.DataFrame) -> None:
    referrals = cin[cin["measure"] == "referrals"]
    years = referrals.groupby("area_code")["period_end"].agg(["min", "max"])
    assert years.loc[BCP, "min"] == date(2020, 3, 31)  # BCP formed 1 April 2019
    for old in (BOURNEMOUTH, POOLE):
        assert years.loc[old, "max"] == date(2019, 3, 31)
    assert referrals.loc[referrals["area_code"] == BCP, "area_name"].iloc[0] == (
        "Bournemouth, Christchurch and Poole"
    )


# --- areas -------------------------------------------------------------------------------------


def test_areas_hold_both_codes_and_regions(areas: pd.DataFrame, cin: pd.DataFrame) -> None:
    assert areas["area_code"].is_unique
    southend = areas.set_index("area_code").loc[SOUTHEND]
    assert (southend["area_name"], southend["old_la_code"]) == ("Southend-on-Sea", "882")
    assert (southend["region_code"], southend["region_name"]) == (EAST, "East of England")
    england = areas.set_index("area_code").loc[ENGLAND]
    assert england["old_la_code"] is None and england["region_code"] is None
    # London boroughs sit in Inner or Outer London in DfE files, and are compared with it (LAIT)
    camden = areas[areas["old_la_code"] == "202"].iloc[0]
    assert (camden["region_code"], camden["region_name"]) == ("E13000001", "Inner London")
    # every area a fact uses is in the table, under the same name
    named = cin.drop_duplicates("area_code").set_index("area_code")["area_name"]
    assert named.equals(areas.set_index("area_code").loc[named.index, "area_name"])


def test_areas_are_read_again_when_a_file_changes_and_never_shared(tmp_path: Path) -> None:
    # The areas are read once per version of the DfE files (every loader asks for them): a
    # caller's change to its copy must not reach the next caller, and a new release must.
    shutil.copytree(REFERENCE / "dfe_cin", tmp_path / "dfe_cin")
    first = load_areas(tmp_path)
    first.loc[first["area_code"] == SOUTHEND, "area_name"] = "changed by a caller"
    assert load_areas(tmp_path).set_index("area_code").loc[SOUTHEND, "area_name"] == (
        "Southend-on-Sea"
    )
    for table in (tmp_path / "dfe_cin").glob("*.csv"):
        text = table.read_text(encoding="utf-8-sig")
        table.write_text(text.replace(",Southend-on-Sea,", ",Southend,"), encoding="utf-8")
    assert load_areas(tmp_path).set_index("area_code").loc[SOUTHEND, "area_name"] == "Southend"


def test_old_gateshead_and_northumberland_codes_in_table_c4_are_read_as_current(
    cin: pd.DataFrame,
) -> None:
    # C4 prints E08000020 / E06000048 up to 2018-19; every other table uses the 2013 codes
    assert not cin["area_code"].isin(["E08000020", "E06000048"]).any()
    assert one(cin, "section_47_enquiries", "E08000037", "2013-14")["area_name"] == "Gateshead"


def test_la_lookup_accepts_ons_code_or_dfe_number(areas: pd.DataFrame) -> None:
    lookup = la_lookup(areas)
    assert lookup["882"] == lookup[SOUTHEND] == (SOUTHEND, "Southend-on-Sea", EAST)
    assert lookup["839"][0] == BCP
    assert lookup["815"][0] == "E06000065"  # North Yorkshire's ONS code since April 2023
    assert lookup["E10000023"][1] == "North Yorkshire"


def test_current_code_follows_successions() -> None:
    assert current_code("836") == "839"
    assert current_code("E06000028") == BCP
    assert current_code("E10000027") == "E06000066"  # Somerset, 2023
    assert current_code("882") == "882"
    with pytest.raises(ValueError, match="Northamptonshire"):
        current_code("928")


# --- population --------------------------------------------------------------------------------


def test_population_mid_2013_is_the_2013_14_rate_denominator(
    population: pd.DataFrame, cin: pd.DataFrame
) -> None:
    by_area = population[population["mid_year"] == 2013].set_index("area_code")
    assert by_area.loc[SOUTHEND, "population_0_17"] == 37785
    assert by_area.loc[ENGLAND, "population_0_17"] == 11473080
    referrals = one(cin, "referrals", SOUTHEND, "2013-14")["value"]
    # DfE's published 2013-14 referral rate for Southend is 534.6 per 10,000 children
    assert round_half_up(referrals / by_area.loc[SOUTHEND, "population_0_17"] * 1e4, 1) == 534.6


def test_population_facts_are_dated_30_june(population: pd.DataFrame) -> None:
    facts = population_facts(population)
    assert list(facts.columns) == list(FACT_COLUMNS)
    southend = one(facts, "population_0_17", SOUTHEND, "mid-2013")
    assert southend["value"] == 37785
    assert southend["period_start"] == southend["period_end"] == date(2013, 6, 30)
    # the post-2021-census series has no estimates for areas abolished in 2019
    bournemouth = one(facts, "population_0_17", BOURNEMOUTH, "mid-2013")
    assert pd.isna(bournemouth["value"]) and bournemouth["symbol"] == "x"


# --- statistical neighbours ---------------------------------------------------------------------


@pytest.mark.parametrize("model", AVAILABLE_MODELS)
def test_southend_has_ten_ranked_neighbours(model: str) -> None:
    neighbours = load_statistical_neighbours(REFERENCE, model)
    southend = neighbours[neighbours["area_code"] == SOUTHEND]
    assert southend["neighbour_rank"].tolist() == list(range(1, 11))
    assert southend["neighbour_code"].str.fullmatch(r"E0[6-9]\d{6}|E10\d{6}").all()
    assert southend["neighbour_code"].iloc[0] == BCP  # DfE: BCP is Southend's closest in both
    assert set(southend["model"]) == {model}
    assert (neighbours.groupby("area_code").size() == 10).all()


def test_every_la_in_the_2025_model_resolves_to_an_ons_code(areas: pd.DataFrame) -> None:
    neighbours = load_statistical_neighbours(REFERENCE)
    known = set(areas["area_code"])
    assert set(neighbours["area_code"]) <= known
    assert set(neighbours["neighbour_code"]) <= known
    assert neighbours["area_code"].nunique() == 158  # 153 LAs plus 5 pre-reorganisation ones
    assert set(neighbours["closeness"]) <= {
        "Extremely close",
        "Very close",
        "Close",
        "Somewhat close",
        "Not close",
    }


def test_unknown_neighbour_model_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match=r"'2019'.*2021, 2025"):
        load_statistical_neighbours(REFERENCE, "2019")


# --- LAIT --------------------------------------------------------------------------------------


def test_lait_assessments_2015_16_for_southend_and_england(lait: pd.DataFrame) -> None:
    assert list(lait.columns) == list(FACT_COLUMNS)
    southend = one(lait, ASSESSMENTS, SOUTHEND, "2015-16")
    # LAIT Years '2016' for a Financial Year measure is 2015-16
    assert southend["value"] == 96.4
    assert (southend["period_start"], southend["period_end"]) == (
        date(2015, 4, 1),
        date(2016, 3, 31),
    )
    assert one(lait, ASSESSMENTS, ENGLAND, "2015-16")["value"] == 83.4
    assert one(lait, ASSESSMENTS, EAST, "2015-16")["value"] == 88.8
    # stored as '63.800000000000004'
    assert one(lait, ASSESSMENTS, SOUTHEND, "2016-17")["value"] == 63.8


def test_lait_pooled_road_casualties_2014_16(lait: pd.DataFrame) -> None:
    southend = one(lait, ROAD_KSI, SOUTHEND, "2014-16")
    assert southend["value"] == 14.59  # per 100,000 children, 2014 to 2016 pooled
    assert (southend["period_start"], southend["period_end"]) == (
        date(2014, 1, 1),
        date(2016, 12, 31),
    )
    withheld = one(lait, ROAD_KSI, ENGLAND, "2019-21")
    assert pd.isna(withheld["value"]) and withheld["symbol"] == "-"


def test_lait_covers_every_la_region_and_england(lait: pd.DataFrame, areas: pd.DataFrame) -> None:
    year = lait[lait["time_period"] == "2015-16"]
    assert set(year["geographic_level"]) == {"Local authority", "Regional", "National"}
    assert set(year.loc[year["geographic_level"] == "Regional", "area_code"]) == set(
        areas.loc[areas["geographic_level"] == "Regional", "area_code"]
    )
    # North Yorkshire's number 815 means E10000023 before April 2023 and E06000065 after
    north_yorkshire = lait[lait["area_code"].isin(["E10000023", "E06000065"])]
    by_code = north_yorkshire.groupby("area_code")["period_end"].agg(["min", "max"])
    assert by_code.loc["E10000023", "max"] < date(2023, 4, 1) <= by_code.loc["E06000065", "min"]


def test_lait_polarity_and_unknown_measures() -> None:
    assert lait_polarity(REFERENCE, "Continue_Assess_Comp") == "High"
    assert lait_polarity(REFERENCE, "RTA") == "Low"
    source = PublishedSource("LAIT", "Continue_Assess_Comps", "lait_figure")
    measure = replace(REGISTRY.measures[ASSESSMENTS], published=(source,))
    misspelt = replace(REGISTRY, measures={**REGISTRY.measures, ASSESSMENTS: measure})
    with pytest.raises(ValueError, match="did you mean Continue_Assess_Comp"):
        load_lait_facts(REFERENCE, misspelt, {ASSESSMENTS})


# --- errors name the file and the problem -------------------------------------------------------


def test_missing_reference_folder_names_what_is_missing(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match=r"dfe_cin/c1_\*\.csv"):
        load_cin_facts(tmp_path, REGISTRY)


def test_unexpected_published_file_names_the_file_and_problem(tmp_path: Path) -> None:
    (tmp_path / "dfe_cin").mkdir()
    original = next((REFERENCE / "dfe_cin").glob("c1_*.csv"))
    broken = tmp_path / "dfe_cin" / original.name
    shutil.copyfile(original, broken)
    text = broken.read_text(encoding="utf-8")
    broken.write_text(text.replace(",2020,", ",twenty twenty,", 1), encoding="utf-8")
    with pytest.raises(ValueError, match=rf"{original.name}.*'twenty twenty'"):
        load_cin_facts(tmp_path, REGISTRY)
    broken.write_text(text.replace("referral_count", "referrals_total", 1), encoding="utf-8")
    with pytest.raises(ValueError, match=rf"{original.name}.*referral_count"):
        load_cin_facts(tmp_path, REGISTRY)
