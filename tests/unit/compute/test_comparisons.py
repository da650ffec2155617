"""Comparisons on tiny inline values: England, region, neighbours, rank, quartile, change."""

from datetime import date

import pandas as pd
import pytest

from lscb_metrics.catalogue import Indicator
from lscb_metrics.compute.comparisons import comparator_periods, comparisons
from lscb_metrics.stats import rank_within_group

MARCH_13, MARCH_14, SEPT_14 = date(2013, 3, 31), date(2014, 3, 31), date(2014, 9, 30)
RATE = Indicator(
    id="cp_plan_rate",
    title="t",
    numerator=("cp_plans_at_end",),
    denominator="population_0_17",
    multiplier=10000,
    unit="per 10,000",
    decimals=1,
    polarity="low_is_good",
    measure_type="snapshot",
    window_months=12,
    comparators=("england", "region", "statistical_neighbours"),
    breakdown="total",
    theme="x",
    published_value=None,
    subject="children",
)


def row(area, level, end, value, source_type="published", region="R1"):
    return {
        "indicator_id": "cp_plan_rate",
        "area_code": area,
        "area_name": area,
        "geographic_level": level,
        "region_code": None if level == "National" else region,
        "breakdown": "Total",
        "period_start": end,
        "period_end": end,
        "time_period": str(end),
        "source_type": source_type,
        "value": value,
    }


VALUES = pd.DataFrame(
    [
        row("E92000001", "National", MARCH_14, 42.1),
        row("R1", "Regional", MARCH_14, 38.0),
        row("LA1", "Local authority", MARCH_14, 43.1),
        row("LA2", "Local authority", MARCH_14, 30.0),
        row("LA3", "Local authority", MARCH_14, 50.0),
        row("LA4", "Local authority", MARCH_14, 60.0),
        row("LA5", "Local authority", MARCH_14, float("nan")),
        row("LA1", "Local authority", MARCH_13, 19.4),
        row("LA1", "Local authority", SEPT_14, 42.8, "partner_return"),
    ]
)
# DfE numbers: comparisons follow authorities by number, whatever their ONS code that year.
LA_NUMBERS = {f"LA{n}": f"90{n}" for n in range(1, 6)}
NEIGHBOURS = pd.DataFrame(
    {
        "la_number": ["901", "901", "901"],
        "neighbour_number": ["903", "904", "905"],
        "area_code": ["LA1", "LA1", "LA1"],
        "neighbour_code": ["LA3", "LA4", "LA5"],
        "neighbour_rank": [1, 2, 3],
        "closeness": ["Close"] * 3,
        "model": ["2025"] * 3,
    }
)
NO_LOCAL = pd.DataFrame(
    columns=["indicator_id", "area_code", "period_end", "comparator", "value", "note"]
)


@pytest.fixture
def table():
    return comparisons(VALUES, RATE, NEIGHBOURS, NO_LOCAL, LA_NUMBERS).set_index(
        ["area_code", "period_end", "source_type"]
    )


def test_published_row_is_compared_with_its_own_year(table):
    southend = table.loc[("LA1", MARCH_14, "published")]
    assert southend["england_value"] == 42.1
    assert southend["region_value"] == 38.0
    # Neighbours LA3 (50) and LA4 (60); LA5 has no value and is skipped.
    assert southend["sn_average"] == pytest.approx(55.0)
    assert southend["sn_count"] == 2
    # Place among itself and its neighbours, as stats.rank_within_group defines it.
    assert (southend["sn_rank"], southend["sn_rank_of"]) == rank_within_group(
        43.1, [50.0, 60.0, float("nan")], "low_is_good"
    )
    assert (southend["sn_rank"], southend["sn_rank_of"]) == (1, 3)
    # Low is good: 30, 43.1, 50, 60 -> LA1 is second of four.
    assert (southend["rank"], southend["rank_of"]) == (2, 4)
    # Cut-points of 30, 43.1, 50, 60 (PERCENTILE.INC): 39.825, 46.55, 52.5 -> band B.
    assert southend["quartile_band"] == "B"
    assert southend["previous_value"] == 19.4
    assert southend["change"] == pytest.approx(23.7)
    assert southend["change_pct"] == pytest.approx(23.7 / 19.4 * 100)


def test_partner_quarter_is_compared_with_the_latest_published_year(table):
    quarter = table.loc[("LA1", SEPT_14, "partner_return")]
    assert quarter["comparator_period_end"] == MARCH_14
    # Named as the published figures of that end are labelled (row(): str(end)).
    assert quarter["comparator_period"] == str(MARCH_14)
    assert quarter["england_value"] == 42.1
    assert quarter["sn_average"] == pytest.approx(55.0)
    # 42.8 takes LA1's place among the published values: still second of four.
    assert (quarter["rank"], quarter["rank_of"]) == (2, 4)


def test_a_comparator_period_is_named_as_its_published_figures_are():
    # LAIT's road casualty rate pools calendar years: 2020-22 ends on 31 December 2022, which
    # is not "2022-23", the financial year that date falls in.
    pooled_end = date(2022, 12, 31)
    published = pd.DataFrame(
        {"period_end": [pooled_end, pooled_end], "time_period": ["2020-22"] * 2}
    )
    ends = pd.Series([pooled_end, None, date(2023, 12, 31)], dtype="object")
    assert comparator_periods(ends, published).tolist() == ["2020-22", None, None]


def test_national_rows_are_not_ranked(table):
    assert pd.isna(table.loc[("E92000001", MARCH_14, "published")]["rank"])


def test_a_quoted_comparator_replaces_the_derived_one_for_the_board_only():
    local = pd.DataFrame(
        [
            {
                "indicator_id": "cp_plan_rate",
                "area_code": "LA1",
                "period_end": SEPT_14,
                "comparator": "statistical_neighbours",
                "value": 52.8,
                "note": "as quoted",
            }
        ]
    )
    table = comparisons(VALUES, RATE, NEIGHBOURS, local, LA_NUMBERS).set_index(
        ["period_end", "area_code", "source_type"]
    )
    assert table.loc[(SEPT_14, "LA1", "partner_return"), "sn_average"] == 52.8
    assert table.loc[(SEPT_14, "LA1", "partner_return"), "comparator_note"] == "as quoted"
    assert pd.isna(table.loc[(SEPT_14, "LA1", "partner_return"), "sn_rank"])
    assert table.loc[(MARCH_14, "LA1", "published"), "sn_average"] == pytest.approx(55.0)


def test_a_neighbour_counts_under_the_code_it_had_that_year():
    # LA3 (DfE 903) had the ONS code OLD3 in 2012-13, as Buckinghamshire (825) was E10000002
    # until 2020: its figure that year still counts among LA1's neighbours.
    values = pd.concat(
        [
            VALUES,
            pd.DataFrame(
                [
                    row("OLD3", "Local authority", MARCH_13, 21.0),
                    row("LA4", "Local authority", MARCH_13, 30.0),
                ]
            ),
        ],
        ignore_index=True,
    )
    numbers = {**LA_NUMBERS, "OLD3": "903"}
    table = comparisons(values, RATE, NEIGHBOURS, NO_LOCAL, numbers).set_index(
        ["area_code", "period_end", "source_type"]
    )
    earlier = table.loc[("LA1", MARCH_13, "published")]
    assert (earlier["sn_average"], earlier["sn_count"]) == (25.5, 2)
    # Without the number OLD3 would be a stranger: one neighbour, not two.
    without = comparisons(values, RATE, NEIGHBOURS, NO_LOCAL, LA_NUMBERS).set_index(
        ["area_code", "period_end", "source_type"]
    )
    assert without.loc[("LA1", MARCH_13, "published"), "sn_count"] == 1


def test_places_are_taken_on_the_figures_as_published():
    # 43.14 and 43.06 are both published as 43.1: they tie, and share the better rank.
    values = VALUES.copy()
    values.loc[values["area_code"].eq("LA1") & values["period_end"].eq(MARCH_14), "value"] = 43.14
    values.loc[values["area_code"].eq("LA3") & values["period_end"].eq(MARCH_14), "value"] = 43.06
    table = comparisons(values, RATE, NEIGHBOURS, NO_LOCAL, LA_NUMBERS).set_index(
        ["area_code", "period_end", "source_type"]
    )
    assert table.loc[("LA1", MARCH_14, "published"), "rank"] == 2
    assert table.loc[("LA3", MARCH_14, "published"), "rank"] == 2
    # Among LA1 and its neighbours LA3 (43.1) and LA4 (60), LA1 shares first place.
    assert table.loc[("LA1", MARCH_14, "published"), "sn_rank"] == 1
    # The neighbours' average is of the published figures: (43.1 + 60) / 2.
    assert table.loc[("LA1", MARCH_14, "published"), "sn_average"] == pytest.approx(51.55)


def test_a_quoted_england_figure_is_the_one_compared_with():
    values = VALUES.assign(
        lower_ci95=VALUES["value"] - 1,
        upper_ci95=VALUES["value"] + 1,
        lower_ci998=VALUES["value"] - 2,
        upper_ci998=VALUES["value"] + 2,
    )
    local = pd.DataFrame(
        [
            {
                "indicator_id": "cp_plan_rate",
                "area_code": "LA1",
                "period_end": SEPT_14,
                "comparator": "england",
                "value": 50.0,
                "note": "as quoted",
            }
        ]
    )
    quarter = (
        comparisons(values, RATE, NEIGHBOURS, local, LA_NUMBERS)
        .set_index(["area_code", "period_end", "source_type"])
        .loc[("LA1", SEPT_14, "partner_return")]
    )
    assert quarter["england_value"] == 50.0
    # 42.8 with 99.8% interval 40.8 to 44.8 is below 50 and low is good: Best, against the
    # quoted 50, where the derived England 42.1 would have given Similar.
    assert quarter["vs_england"] == "Best"
    assert quarter["comparator_note"].startswith("as quoted (compared with the quoted figure")


def test_england_and_a_region_are_not_compared_with_themselves():
    """Fingertips prints "Not compared" beside England; a region beside its own figure is
    no different. An area's interval would otherwise always call it Similar to itself."""
    values = VALUES.assign(
        lower_ci95=VALUES["value"] - 1,
        upper_ci95=VALUES["value"] + 1,
        lower_ci998=VALUES["value"] - 2,
        upper_ci998=VALUES["value"] + 2,
    )
    compared = comparisons(values, RATE, NEIGHBOURS, NO_LOCAL, LA_NUMBERS).set_index(
        ["area_code", "period_end", "source_type"]
    )
    assert compared.loc[("E92000001", MARCH_14, "published"), "vs_england"] == "Not compared"
    region = compared.loc[("R1", MARCH_14, "published")]
    assert (region["vs_england"], region["vs_region"]) == ("Best", "Not compared")
    assert compared.loc[("LA2", MARCH_14, "published"), "vs_region"] == "Best"


def test_a_borough_is_compared_with_its_half_of_london_else_with_london():
    """LAIT compares a London borough with Inner or Outer London, and with London where that
    half has no figure (Fingertips publishes none for them)."""
    values = pd.DataFrame(
        [
            row("E12000007", "Regional", MARCH_14, 40.0, region="E12000007"),
            row("E13000001", "Regional", MARCH_14, 45.0, region="E13000001"),
            row("LA1", "Local authority", MARCH_14, 50.0, region="E13000001"),
            row("LA2", "Local authority", MARCH_14, 30.0, region="E13000002"),
        ]
    )
    compared = comparisons(values, RATE, NEIGHBOURS, NO_LOCAL, LA_NUMBERS).set_index("area_code")
    assert compared.loc["LA1", "region_value"] == 45.0
    assert compared.loc["LA2", "region_value"] == 40.0


def series(area, source_type, ends, numerators, denominator=10_000):
    """One area's rate series with counts: `numerators` per period end (None: no figure)."""
    return pd.DataFrame(
        [
            {
                **row(area, "Local authority", end, n and n / denominator * 10_000, source_type),
                "numerator": n,
                "denominator": denominator,
            }
            for end, n in zip(ends, numerators, strict=True)
        ]
    ).astype({"value": "float64", "numerator": "float64"})


def test_a_published_trend_skips_a_year_without_a_figure():
    """Fingertips takes the five latest points with a figure: a year DfE did not publish (2011)
    is passed over, not read as "Cannot be calculated"."""
    ends = [date(year, 3, 31) for year in range(2008, 2015)]
    values = series("LA1", "published", ends, [100, 200, 300, None, 500, 600, 700])
    compared = comparisons(values, RATE, NEIGHBOURS, NO_LOCAL, LA_NUMBERS)
    latest = compared[compared["period_end"] == date(2014, 3, 31)]
    assert latest["trend"].tolist() == ["Increasing and getting worse"]


def test_a_partner_trend_does_not_reach_past_a_missing_window():
    """A partner series' five points are its last five windows: one missing leaves no trend."""
    ends = [date(2014, 3, 31), date(2014, 6, 30), date(2014, 9, 30), date(2014, 12, 31)]
    ends += [date(2015, 3, 31), date(2015, 6, 30)]
    values = series("LA1", "partner_return", ends, [100, 200, None, 400, 500, 600])
    snapshot = comparisons(values, RATE, NEIGHBOURS, NO_LOCAL, LA_NUMBERS)
    assert snapshot["trend"].iloc[-1] == "Cannot be calculated"
    complete = series("LA1", "partner_return", ends, [100, 200, 300, 400, 500, 600])
    compared = comparisons(complete, RATE, NEIGHBOURS, NO_LOCAL, LA_NUMBERS)
    assert compared["trend"].iloc[-1] == "Increasing and getting worse"


def test_an_authority_whose_code_alone_changed_keeps_its_series():
    """North Yorkshire (815) was E10000023 until March 2023 and E06000065 since: its quarters
    under the new code have the year before and the trend of the quarters under the old one.
    Cumberland (942) is a new authority, not Cumbria (909) renamed: its series starts again."""
    ends = [date(2022, 6, 30), date(2022, 9, 30), date(2022, 12, 31), date(2023, 3, 31)]
    later = [date(2023, 6, 30), date(2023, 9, 30)]
    numbers = {"E10000023": "815", "E06000065": "815", "E10000006": "909", "E06000063": "942"}
    values = pd.concat(
        [
            series("E10000023", "partner_return", ends, [100, 200, 300, 400]),
            series("E06000065", "partner_return", later, [500, 600]),
            series("E10000006", "partner_return", ends, [100, 200, 300, 400]),
            series("E06000063", "partner_return", later, [500, 600]),
        ],
        ignore_index=True,
    )
    compared = comparisons(values, RATE, NEIGHBOURS, NO_LOCAL, numbers).set_index(
        ["area_code", "period_end"]
    )
    north_yorkshire = compared.loc[("E06000065", date(2023, 9, 30))]
    assert north_yorkshire["previous_value"] == 200.0  # 2022-23 Q2, under E10000023
    assert north_yorkshire["trend"] == "Increasing and getting worse"
    cumberland = compared.loc[("E06000063", date(2023, 9, 30))]
    assert pd.isna(cumberland["previous_value"])
    assert cumberland["trend"] == "Cannot be calculated"
