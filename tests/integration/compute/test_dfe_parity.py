"""Parity with DfE's Local Authority Interactive Tool (LAIT) over all of England, 2012-13 to
2024-25: curated.comparisons recomputed here, independently, from the shipped reference data.

One run of `pipeline.curated_relations` with no partner returns gives every published value and
comparison. The checks below recompute statistical-neighbour averages, neighbour places, ranks
and quartile bands straight from `reference.neighbours` (DfE numbers), `reference.areas`
(`old_la_code`, the DfE number of every ONS code an authority has had) and the published figures
rounded as published, with pandas and numpy only: none of the functions under test is called.

LAIT rules (see `compute/comparisons.py`): an authority is followed by its DfE number, so a
neighbour counts under whatever ONS code it had that year and a DfE number with no figure that
year is skipped; averages are the simple mean of the neighbours' published (rounded) figures;
places, ranks and bands are taken on the published figures over every authority with one that
year, ties sharing the better place; quartile cut-points are PERCENTILE.INC and a value on a
cut-point falls in the quarter below it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd
import pytest

from lscb_metrics import pipeline
from lscb_metrics.catalogue import Indicator, load_catalogue
from lscb_metrics.config import settings
from lscb_metrics.facts import empty_facts
from lscb_metrics.stats import round_half_away_from_zero

LA = "Local authority"
KEY = ["indicator_id", "area_code", "period_end"]
SN = "statistical_neighbours"

# ONS codes of the authorities whose codes changed, and of some that list them as neighbours.
BUCKS_OLD, BUCKS_NEW = "E10000002", "E06000060"  # DfE 825, new ONS code from 2020-21
BATH = "E06000022"  # DfE 800 Bath and North East Somerset: lists 825 as a neighbour
NORTH_YORKS_OLD, NORTH_YORKS_NEW = "E10000023", "E06000065"  # DfE 815, new code 2023-24
SOMERSET_OLD, SOMERSET_NEW = "E10000027", "E06000066"  # DfE 933, new code 2023-24
NORTHANTS = "E10000021"  # DfE 928, split into 940/941 in 2021-22 ('Old SNs' in 2025 model)
SWINDON = "E06000030"  # DfE 866: lists both 940 and 941
CUMBRIA = "E10000006"  # DfE 909, split into 942/943 in 2023-24 ('Old SNs'); lists 940
NORTH_LINCS = "E06000013"  # DfE 813: lists 940 and 942
HEREFORDSHIRE = "E06000019"  # DfE 884: lists 943
DORSET_COUNTY = "E10000009"  # DfE 835, replaced by the Dorset unitary 838 in 2019-20
POOLE = "E06000029"  # DfE 836 ('Old SNs'): lists 835
WORCESTERSHIRE = "E10000034"  # DfE 885: lists 838 and 933
SOUTHEND = "E06000033"  # DfE 882: lists 839 (Bournemouth, Christchurch and Poole)
NORTH_EAST = "E12000001"


@dataclass(frozen=True)
class England:
    """Everything one run publishes for all of England, and what it was computed from."""

    reference: pipeline.Reference
    catalogue: tuple[Indicator, ...]
    values: pd.DataFrame
    compared: pd.DataFrame


@pytest.fixture(scope="module")
def england(tmp_path_factory: pytest.TempPathFactory) -> England:
    """curated.indicator_values and curated.comparisons for every area and year, 2025 model
    (the reference data's cache beside a temporary warehouse, not in the project)."""
    warehouse = tmp_path_factory.mktemp("parity") / "w.duckdb"
    config = settings(sn_model="2025", warehouse=str(warehouse))
    catalogue = load_catalogue(config.schemas_dir / "indicators.yaml")
    reference = pipeline.load_reference(config, catalogue)
    values, compared = pipeline.curated_relations(reference, empty_facts(), catalogue, {})
    return England(reference, catalogue, values, compared)


def year_ending(year: int) -> date:
    """Period end of the DfE reporting year ending 31 March `year` (2014 is 2013-14)."""
    return date(year, 3, 31)


def la_figures(england: England) -> pd.DataFrame:
    """Every published local-authority row (Total) with its DfE number and its figure as
    published (rounded to the catalogue's decimals, halves away from zero; NaN if none)."""
    decimals = {i.id: i.decimals for i in england.catalogue}
    areas = england.reference.areas
    numbers = areas[areas["old_la_code"].notna()].set_index("area_code")["old_la_code"]
    values = england.values
    rows = values[
        (values["source_type"] == "published")
        & (values["breakdown"] == "Total")
        & (values["geographic_level"] == LA)
    ][[*KEY, "value"]].reset_index(drop=True)
    rows["number"] = rows["area_code"].map(numbers)
    assert rows["number"].notna().all(), "every local authority has a DfE number"
    rows["shown"] = [
        round_half_away_from_zero(float(value), decimals[indicator])
        for value, indicator in zip(rows["value"], rows["indicator_id"], strict=True)
    ]
    present = rows[rows["shown"].notna()]
    twice = present.duplicated(["indicator_id", "period_end", "number"])
    assert not twice.any(), f"a DfE number has two figures in a year:\n{present[twice]}"
    return rows


def la_comparisons(england: England) -> pd.DataFrame:
    """The published local-authority rows of curated.comparisons."""
    compared = england.compared
    return compared[
        (compared["source_type"] == "published")
        & (compared["breakdown"] == "Total")
        & (compared["geographic_level"] == LA)
    ].reset_index(drop=True)


def expected_neighbours(england: England, figures: pd.DataFrame) -> pd.DataFrame:
    """sn_average, sn_count, sn_rank and sn_rank_of of every row of `figures`, recomputed."""
    with_sn = {i.id for i in england.catalogue if SN in i.comparators}
    polarity = {i.id: i.polarity for i in england.catalogue}
    groups = england.reference.neighbours[["la_number", "neighbour_number"]]
    # The neighbours' figures that year, found by DfE number whatever their ONS code was.
    field = figures.loc[figures["shown"].notna(), ["indicator_id", "period_end", "number", "shown"]]
    field = field.rename(columns={"number": "neighbour_number", "shown": "neighbour_shown"})
    pairs = (
        figures[figures["indicator_id"].isin(with_sn)]
        .merge(groups, left_on="number", right_on="la_number")
        .merge(field, on=["indicator_id", "period_end", "neighbour_number"])
    )
    low_is_good = pairs["indicator_id"].map(polarity) == "low_is_good"
    pairs["ahead"] = np.where(
        low_is_good,
        pairs["neighbour_shown"] < pairs["shown"],
        pairs["neighbour_shown"] > pairs["shown"],
    )
    summary = pairs.groupby(KEY).agg(
        sn_average=("neighbour_shown", "mean"),
        sn_count=("neighbour_shown", "size"),
        ahead=("ahead", "sum"),
    )
    out = figures.merge(summary.reset_index(), on=KEY, how="left")
    out["sn_count"] = out["sn_count"].fillna(0).astype("int64")
    # Place among itself and its neighbours with a figure (1 + those strictly ahead).
    placed = (
        out["indicator_id"].isin(with_sn)
        & out["number"].isin(set(groups["la_number"]))
        & out["shown"].notna()
    )
    out["sn_rank"] = (out["ahead"].fillna(0) + 1).where(placed).astype("Int64")
    out["sn_rank_of"] = (out["sn_count"] + 1).where(placed).astype("Int64")
    return out[[*KEY, "number", "shown", "sn_average", "sn_count", "sn_rank", "sn_rank_of"]]


def lait_band(value: float, q1: float, q2: float, q3: float, polarity: str) -> str | None:
    """LAIT band: quarters [min, Q1], (Q1, Q2], (Q2, Q3], (Q3, max] are A-D when low is good
    and D-A when high is good; no band without polarity."""
    if polarity == "no_judgement" or np.isnan(value):
        return None
    if value <= q1:
        quarter = 0
    elif value <= q2:
        quarter = 1
    elif value <= q3:
        quarter = 2
    else:
        quarter = 3
    return "ABCD"[quarter] if polarity == "low_is_good" else "DCBA"[quarter]


def expected_ranks(england: England, figures: pd.DataFrame) -> pd.DataFrame:
    """rank, rank_of and quartile_band of every row of `figures`, recomputed per indicator and
    year over every authority with a published figure."""
    polarity = {i.id: i.polarity for i in england.catalogue}
    parts = []
    for (indicator, _), group in figures.groupby(["indicator_id", "period_end"]):
        field = group[group["shown"].notna()]
        rule = polarity[indicator]
        if field.empty:  # no authority has a figure that year: no ranks, no bands
            parts.append(group[KEY].assign(rank=pd.NA, rank_of=pd.NA, quartile_band=None))
            continue
        ranks = field["shown"].rank(method="min", ascending=rule == "low_is_good")
        q1, q2, q3 = np.percentile(field["shown"].to_numpy(dtype="float64"), [25, 50, 75])
        parts.append(
            group[KEY].assign(
                rank=ranks.reindex(group.index).astype("Int64"),
                rank_of=pd.Series(len(field), index=field.index).reindex(group.index),
                quartile_band=[lait_band(v, q1, q2, q3, rule) for v in group["shown"]],
            )
        )
    out = pd.concat(parts)
    return out.astype({"rank": "Int64", "rank_of": "Int64"})


def differences(actual: pd.DataFrame, expected: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """Rows of `actual` where any of `columns` differs from `expected` (floats to 1e-9, missing
    equal to missing), both sides shown."""
    both = actual[[*KEY, *columns]].merge(
        expected[[*KEY, *columns]], on=KEY, how="outer", suffixes=("", "_expected"), indicator=True
    )
    wrong = both["_merge"] != "both"
    for column in columns:
        got, want = both[column], both[f"{column}_expected"]
        if pd.api.types.is_float_dtype(got):
            same = (got - want).abs().le(1e-9) | (got.isna() & want.isna())
        else:
            same = (got.isna() & want.isna()) | (got == want).fillna(False).astype(bool)
        wrong |= ~same
    return both[wrong]


def show(table: pd.DataFrame, limit: int = 30) -> str:
    """The first rows of `table` as text, with how many there are."""
    with pd.option_context("display.width", 250, "display.max_columns", 30):
        return f"{len(table)} row(s):\n{table.head(limit).to_string()}"


def sn_counts(england: England, indicator: str, area_code: str) -> dict[int, int]:
    """sn_count of an authority's published rows by year ending (2014 is 2013-14)."""
    rows = la_comparisons(england)
    rows = rows[(rows["indicator_id"] == indicator) & (rows["area_code"] == area_code)]
    pairs = zip(rows["period_end"], rows["sn_count"], strict=True)
    return {end.year: int(count) for end, count in pairs}


def one_row(england: England, indicator: str, area_code: str, year: int) -> pd.Series:
    """The published comparison row of an area for the reporting year ending in `year`."""
    compared = england.compared
    rows = compared[
        (compared["indicator_id"] == indicator)
        & (compared["area_code"] == area_code)
        & (compared["period_end"] == year_ending(year))
        & (compared["source_type"] == "published")
        & (compared["breakdown"] == "Total")
    ]
    assert len(rows) == 1, f"{indicator} {area_code} {year}: {len(rows)} rows"
    return rows.iloc[0]


def neighbour_figure(england: England, indicator: str, area_code: str, year: int) -> float:
    """An authority's figure as published (rounded) for the reporting year ending in `year`."""
    figures = la_figures(england)
    rows = figures[
        (figures["indicator_id"] == indicator)
        & (figures["area_code"] == area_code)
        & (figures["period_end"] == year_ending(year))
    ]
    assert len(rows) == 1
    return float(rows["shown"].iloc[0])


# 1. Every local-authority row, every indicator, every year, recomputed independently.


def test_neighbour_averages_counts_and_places_match_an_independent_recomputation(
    england: England,
) -> None:
    """sn_average, sn_count, sn_rank and sn_rank_of of every published LA row equal the mean,
    count and place recomputed here from the neighbour list by DfE number (indicators without
    the statistical-neighbour comparator: no average, count 0, no place)."""
    expected = expected_neighbours(england, la_figures(england))
    actual = la_comparisons(england)
    assert len(actual) == len(expected) > 20_000
    wrong = differences(actual, expected, ["sn_average", "sn_count", "sn_rank", "sn_rank_of"])
    assert wrong.empty, show(wrong)
    # The pass above is not vacuous: averages over all 12 years of several indicators.
    with_average = actual[actual["sn_average"].notna()]
    assert with_average["indicator_id"].nunique() == 12
    assert len(with_average) > 15_000
    # Regions and England have no neighbours, places or ranks.
    above_la = england.compared[england.compared["geographic_level"] != LA]
    assert (above_la["sn_count"] == 0).all()
    assert above_la[["sn_average", "sn_rank", "rank", "quartile_band"]].isna().all().all()


def test_ranks_and_quartile_bands_match_an_independent_recomputation(england: England) -> None:
    """rank, rank_of and quartile_band of every published LA row equal ranks over every LA with
    a published figure that year (ties the better rank; 1 = highest without polarity) and LAIT's
    bands on PERCENTILE.INC cut-points, a value on a cut-point in the quarter below."""
    expected = expected_ranks(england, la_figures(england))
    actual = la_comparisons(england)
    wrong = differences(actual, expected, ["rank", "rank_of", "quartile_band"])
    assert wrong.empty, show(wrong)
    banded = actual[actual["quartile_band"].notna()]
    assert set(banded["quartile_band"]) == {"A", "B", "C", "D"}
    assert set(banded["indicator_id"]) == {
        "cp_plan_start_rate",  # LAIT's polarity: low is good
        "rereferral_pct",
        "cp_subsequent_pct",
        "assessments_within_45_days_pct",
        "road_ksi_rate",
        "cp_plans_two_years_or_more_pct",
        "injury_admission_rate",
    }


def test_band_boundaries_follow_lait_on_cut_points(england: England) -> None:
    """Authorities whose published figure is exactly a cut-point are banded in the quarter
    below it (found, not assumed: the shipped data has such ties)."""
    figures = la_figures(england)
    polarity = {i.id: i.polarity for i in england.catalogue}
    actual = la_comparisons(england).merge(figures[[*KEY, "shown"]], on=KEY)
    on_cut = 0
    for (indicator, _), group in actual.groupby(["indicator_id", "period_end"]):
        if polarity[indicator] == "no_judgement":
            continue
        shown = group["shown"].dropna().to_numpy(dtype="float64")
        if len(shown) == 0:
            continue
        for position, point in enumerate(np.percentile(shown, [25, 50, 75])):
            bands = set(group.loc[group["shown"] == point, "quartile_band"])
            if not bands:
                continue
            on_cut += 1
            below = "ABCD"[position] if polarity[indicator] == "low_is_good" else "DCBA"[position]
            assert bands == {below}, (indicator, group["period_end"].iloc[0], point, bands)
    assert on_cut > 0


# 2. Authorities followed through code changes by their DfE number.


def test_buckinghamshire_825_is_followed_from_its_old_ons_code(england: England) -> None:
    """Buckinghamshire (825) was E10000002 until 2019-20 and is E06000060 since 2020-21."""
    # Its own rows under the old code have averages: all 10 of its neighbours (931 919 869 936
    # 873 867 823 868 358 850) kept their numbers and each has a referral rate every year.
    assert sn_counts(england, "referral_rate", BUCKS_OLD) == dict.fromkeys(range(2013, 2021), 10)
    # Under the new code from 2020-21; 2023-24 is 9: DfE gives no referrals for Hampshire (850).
    assert sn_counts(england, "referral_rate", BUCKS_NEW) == {
        2021: 10,
        2022: 10,
        2023: 10,
        2024: 9,
        2025: 10,
    }
    old_years = la_comparisons(england)
    old_years = old_years[
        (old_years["area_code"] == BUCKS_OLD) & (old_years["indicator_id"] == "rereferral_pct")
    ]
    assert len(old_years) == 8
    assert old_years[["sn_average", "rank", "rank_of", "quartile_band"]].notna().all().all()
    # Bath and North East Somerset lists 825: in 2013-14 it is counted under E10000002, and
    # the average is the mean of the ten figures, Buckinghamshire's among them.
    bath = one_row(england, "referral_rate", BATH, 2014)
    assert bath["sn_count"] == 10
    bucks_2014 = neighbour_figure(england, "referral_rate", BUCKS_OLD, 2014)
    assert bucks_2014 == 623.6
    neighbours = england.reference.neighbours
    listed = neighbours.loc[neighbours["la_number"] == "800", "neighbour_number"]
    assert "825" in set(listed)
    others = la_figures(england)
    others = others[
        (others["indicator_id"] == "referral_rate")
        & (others["period_end"] == year_ending(2014))
        & others["number"].isin(set(listed) - {"825"})
    ]
    assert len(others) == 9
    assert bath["sn_average"] == pytest.approx((others["shown"].sum() + bucks_2014) / 10)


def test_north_yorkshire_815_and_somerset_933_have_averages_under_their_old_codes(
    england: England,
) -> None:
    """North Yorkshire (815) and Somerset (933) were E10000023 / E10000027 until 2022-23."""
    # North Yorkshire's neighbours (893 895 811 860 916 877 937 884 865 933) all have a rate
    # every year, Somerset 933 counted under E10000027: 10 in every old-code year.
    assert sn_counts(england, "referral_rate", NORTH_YORKS_OLD) == dict.fromkeys(
        range(2013, 2024), 10
    )
    # Somerset lists the Dorset unitary 838, which has figures only from 2019-20: 9 before,
    # 10 from 2019-20 (its other neighbours all have rates).
    assert sn_counts(england, "referral_rate", SOMERSET_OLD) == {
        **dict.fromkeys(range(2013, 2020), 9),
        **dict.fromkeys(range(2020, 2024), 10),
    }
    # New codes from 2023-24; North Yorkshire's 2023-24 is 9: DfE gives no referrals for
    # Herefordshire (884) that year. Somerset is counted under E06000066 then.
    assert sn_counts(england, "referral_rate", NORTH_YORKS_NEW) == {2024: 9, 2025: 10}
    assert sn_counts(england, "referral_rate", SOMERSET_NEW) == {2024: 10, 2025: 10}
    # Ranks and bands too, for the old-code years.
    rows = la_comparisons(england)
    old = rows[
        rows["area_code"].isin([NORTH_YORKS_OLD, SOMERSET_OLD])
        & (rows["indicator_id"] == "rereferral_pct")
    ]
    assert len(old) == 22
    assert old[["sn_average", "rank", "quartile_band"]].notna().all().all()


def test_northamptonshire_928_has_averages_before_its_split(england: England) -> None:
    """Northamptonshire (928), under 'Old SNs' in the 2025 model, has averages 2012-13 to
    2020-21: its neighbours 886 891 866 860 830 881 937 885 888 887 never changed and each has
    a rate every year, so 10 each year."""
    assert sn_counts(england, "referral_rate", NORTHANTS) == dict.fromkeys(range(2013, 2022), 10)


def test_northamptonshire_successors_count_only_from_2021_22(england: England) -> None:
    """Swindon (866) lists both North (940) and West (941) Northamptonshire, which have figures
    only from 2021-22: 8 neighbours counted up to 2020-21, all 10 from 2021-22 (its other 8
    neighbours have a rate every year). Northamptonshire 928 is not put in their place."""
    assert sn_counts(england, "referral_rate", SWINDON) == {
        **dict.fromkeys(range(2013, 2022), 8),
        **dict.fromkeys(range(2022, 2026), 10),
    }


def test_cumbria_909_and_its_successors(england: England) -> None:
    """Cumbria (909, 'Old SNs') has averages 2012-13 to 2022-23; Cumberland (942) and
    Westmorland and Furness (943) count as neighbours only from 2023-24."""
    # Cumbria lists 940: 9 up to 2020-21 and 10 in 2021-22 and 2022-23; in 2012-13 DfE gives
    # no referrals for Norfolk (926) either (8).
    assert sn_counts(england, "referral_rate", CUMBRIA) == {
        2013: 8,
        **dict.fromkeys(range(2014, 2022), 9),
        2022: 10,
        2023: 10,
    }
    # North Lincolnshire lists 940 and 942: 8 to 2020-21, 9 with 940 from 2021-22, 10 with
    # 942 from 2023-24.
    assert sn_counts(england, "referral_rate", NORTH_LINCS) == {
        **dict.fromkeys(range(2013, 2022), 8),
        2022: 9,
        2023: 9,
        2024: 10,
        2025: 10,
    }
    # Herefordshire lists 943: 9 to 2022-23, 10 from 2023-24.
    assert sn_counts(england, "referral_rate", HEREFORDSHIRE) == {
        **dict.fromkeys(range(2013, 2024), 9),
        2024: 10,
        2025: 10,
    }


def test_dorset_and_bournemouth_christchurch_and_poole_around_2019_20(england: England) -> None:
    """Dorset county (835) and Poole (836) to 2018-19; the Dorset unitary (838) and BCP (839)
    count as neighbours only from 2019-20."""
    # Dorset county's own rows have averages: its neighbours (893 878 916 885 933 938 865 802
    # 935 845) all have rates, Somerset 933 under E10000027. (Its own rate is missing: ONS
    # estimates for the pre-2019 Dorset codes are 'x' in the shipped file.)
    assert sn_counts(england, "referral_rate", DORSET_COUNTY) == dict.fromkeys(
        range(2013, 2020), 10
    )
    # Poole lists Dorset county 835, counted under E10000009 with DfE's own re-referral
    # percentage: 10 each year to 2018-19.
    assert sn_counts(england, "rereferral_pct", POOLE) == dict.fromkeys(range(2013, 2020), 10)
    # Worcestershire lists 838 (and Somerset 933): 9 to 2018-19, 10 from 2019-20.
    assert sn_counts(england, "referral_rate", WORCESTERSHIRE) == {
        **dict.fromkeys(range(2013, 2020), 9),
        **dict.fromkeys(range(2020, 2026), 10),
    }
    # Southend lists BCP 839: 9 to 2018-19, 10 from 2019-20.
    assert sn_counts(england, "referral_rate", SOUTHEND) == {
        **dict.fromkeys(range(2013, 2020), 9),
        **dict.fromkeys(range(2020, 2026), 10),
    }


# 3. The known check.


def test_bath_and_north_east_somerset_referral_rate_2013_14(england: England) -> None:
    """B&NES (800), referral rate 2013-14, 2025 model: neighbour average 428.1 over 10."""
    row = one_row(england, "referral_rate", BATH, 2014)
    assert row["sn_model"] == "2025"
    assert row["sn_count"] == 10
    assert round_half_away_from_zero(row["sn_average"], 1) == 428.1


# 4. DfE's own percentages are the values.


def test_dfe_published_percentages_are_the_values_at_every_level(england: England) -> None:
    """Where DfE publishes the percentage (C1 rereferral_percent, D3 CPP_subsequent_percent),
    it is the value of every LA, region and England row, the counts kept beside it."""
    facts = england.reference.published_facts
    values = england.values
    checked = 0
    for indicator in england.catalogue:
        if indicator.id not in ("rereferral_pct", "cp_subsequent_pct"):
            continue
        published = facts[
            (facts["measure"] == indicator.published_value) & (facts["breakdown"] == "Total")
        ][["area_code", "period_end", "value"]]
        rows = values[
            (values["indicator_id"] == indicator.id)
            & (values["source_type"] == "published")
            & (values["breakdown"] == "Total")
        ]
        both = rows.merge(published, on=["area_code", "period_end"], suffixes=("", "_dfe"))
        assert len(both) == len(rows) == len(published)
        assert set(both["geographic_level"]) == {LA, "Regional", "National"}
        # Where DfE withholds its percentage there is no value either (none from the counts).
        shown = both["value"].astype("float64")
        same = shown.sub(both["value_dfe"]).abs().le(1e-9) | (
            shown.isna() & both["value_dfe"].isna()
        )
        wrong = both[~same]
        assert wrong.empty, show(wrong[["area_code", "period_end", "value", "value_dfe"]])
        above_la = both[both["geographic_level"] != LA]
        assert (above_la["counts_rounded_to"] == 10).all()
        checked += len(both)
    assert checked > 4000


def test_north_east_rereferral_2018_19_is_dfes_21_4(england: England) -> None:
    """North East, 2018-19: DfE publishes 21.4%; its counts rounded to 10 (7,440 of 34,680)
    would give 21.45 -> 21.5. The value is DfE's, the counts stay with counts_rounded_to 10."""
    values = england.values
    row = values[
        (values["indicator_id"] == "rereferral_pct")
        & (values["area_code"] == NORTH_EAST)
        & (values["period_end"] == year_ending(2019))
        & (values["source_type"] == "published")
        & (values["breakdown"] == "Total")
    ].iloc[0]
    assert float(row["value"]) == 21.4
    assert (float(row["numerator"]), float(row["denominator"])) == (7440.0, 34680.0)
    assert round(7440 / 34680 * 100, 2) == 21.45
    assert int(row["counts_rounded_to"]) == 10
    compared = one_row(england, "rereferral_pct", NORTH_EAST, 2019)
    assert float(compared["value"]) == 21.4
    # Its LAs are compared with the figure DfE shows for the region.
    regions = england.reference.areas.set_index("area_code")["region_code"]
    la = la_comparisons(england)
    la = la[
        (la["indicator_id"] == "rereferral_pct")
        & (la["period_end"] == year_ending(2019))
        & (la["area_code"].map(regions) == NORTH_EAST)
    ]
    assert len(la) == 12
    assert (la["region_value"] == 21.4).all()
