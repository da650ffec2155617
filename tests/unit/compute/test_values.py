"""Indicator values from tiny inline facts: rates, rolling windows, snapshots, denominators."""

import math
from datetime import date

import pandas as pd
import pytest

from lscb_metrics.catalogue import Indicator
from lscb_metrics.compute.values import (
    distinct_sorted,
    indicator_values,
    missing_mid_years,
    no_population_note,
    person_years,
    window_estimates,
)
from lscb_metrics.facts import conform_facts

AREAS = pd.DataFrame(
    {
        "area_code": ["E06000033", "E92000001"],
        "area_name": ["Southend-on-Sea", "England"],
        "geographic_level": ["Local authority", "National"],
        "region_code": ["E12000006", None],
    }
)
POPULATION = pd.DataFrame(
    {
        "area_code": ["E06000033", "E06000033", "E92000001", "E06000033"],
        "mid_year": [2012, 2013, 2013, 2013],
        "population_0_17": [37595, 37785, 11473080, 37617],
        "source_type": ["published", "published", "published", "partner_return"],
    }
)


def indicator(**overrides) -> Indicator:
    fields = dict(
        id="referral_rate",
        title="t",
        numerator=("referrals",),
        denominator="population_0_17",
        multiplier=10000,
        unit="per 10,000 children",
        decimals=1,
        polarity="no_judgement",
        measure_type="flow",
        window_months=12,
        comparators=(),
        breakdown="total",
        theme="x",
        published_value=None,
        subject="children",
    )
    return Indicator(**{**fields, **overrides})


def published(measure, area, end, value):
    return {
        "measure": measure,
        "area_code": area,
        "period_start": date(end.year - 1, 4, 1),
        "period_end": end,
        "time_period": f"{end.year - 1}-{end.year % 100:02d}",
        "value": value,
        "source_type": "published",
        "breakdown": "Total",
        "source": "DfE",
    }


def quarterly(measure, end, value, breakdown="Total"):
    return {
        "measure": measure,
        "area_code": "E06000033",
        "period_start": end,
        "period_end": end,
        "time_period": "q",
        "value": value,
        "source_type": "partner_return",
        "breakdown": breakdown,
        "source": f"file-{end}",
        "submission_id": f"S-{end}",
        "source_sha256": f"sha-{end}",
    }


QUARTER_ENDS = [
    date(2013, 6, 30),
    date(2013, 9, 30),
    date(2013, 12, 31),
    date(2014, 3, 31),
    date(2014, 6, 30),
]


def test_published_rate_uses_the_previous_mid_year_population():
    facts = conform_facts(
        pd.DataFrame(
            [
                published("referrals", "E06000033", date(2014, 3, 31), 2020),
                published("referrals", "E92000001", date(2014, 3, 31), 657780),
            ]
        )
    )
    values = indicator_values(facts, POPULATION, indicator(), AREAS).set_index("area_code")
    # DfE's published 2013-14 rates: 534.6 for Southend and 573.3 for England (mid-2013 ONS).
    assert values.loc["E06000033", "value"] == pytest.approx(2020 / 37785 * 1e4)
    assert values.loc["E92000001", "value"] == pytest.approx(657780 / 11473080 * 1e4)
    assert values.loc["E06000033", "period_start"] == date(2013, 4, 1)


def test_partner_flow_is_summed_over_four_complete_quarters():
    facts = conform_facts(
        pd.DataFrame(
            [
                quarterly("referrals", end, n)
                for end, n in zip(QUARTER_ENDS, [500, 480, 510, 502, 530], strict=True)
            ]
        )
    )
    values = indicator_values(facts, POPULATION, indicator(), AREAS)
    by_end = values.set_index("period_end")
    # Only two windows are complete: Apr 2013-Mar 2014 and Jul 2013-Jun 2014.
    assert sorted(by_end.index) == [date(2014, 3, 31), date(2014, 6, 30)]
    assert by_end.loc[date(2014, 3, 31), "numerator"] == 1992
    # The local population (37,617) overrides ONS for the board's own figures: 529.5.
    assert by_end.loc[date(2014, 3, 31), "value"] == pytest.approx(1992 / 37617 * 1e4)
    assert by_end.loc[date(2014, 6, 30), "period_start"] == date(2013, 7, 1)
    # Labelled by the quarter the window ends with.
    assert by_end.loc[date(2014, 3, 31), "time_period"] == "2013-14 Q4"
    assert by_end.loc[date(2014, 6, 30), "time_period"] == "2014-15 Q1"
    assert by_end.loc[date(2014, 3, 31), "submission_ids"] == [f"S-{d}" for d in QUARTER_ENDS[:4]]


def test_a_missing_quarter_leaves_no_rolling_value():
    facts = conform_facts(
        pd.DataFrame(
            [quarterly("referrals", end, 100) for end in QUARTER_ENDS if end != date(2013, 12, 31)]
        )
    )
    assert indicator_values(facts, POPULATION, indicator(), AREAS).empty


def test_snapshot_is_the_value_at_the_quarter_end():
    facts = conform_facts(
        pd.DataFrame(
            [
                quarterly("cp_plans_at_end", end, n)
                for end, n in zip(QUARTER_ENDS, [90, 120, 150, 163, 158], strict=True)
            ]
        )
    )
    snapshot = indicator(
        id="cp_plans",
        numerator=("cp_plans_at_end",),
        denominator=None,
        multiplier=1,
        unit="count",
        decimals=0,
        measure_type="snapshot",
    )
    values = indicator_values(facts, POPULATION, snapshot, AREAS).set_index("period_end")
    assert values.loc[date(2014, 3, 31), "value"] == 163
    assert len(values) == 5
    assert values.loc[date(2014, 3, 31), "period_start"] == date(2014, 3, 31)


def test_percentage_of_parts_with_a_breakdown_per_agency():
    facts = conform_facts(
        pd.DataFrame(
            [
                quarterly("staff_trained_in_date", date(2014, 3, 31), 90, "SUH"),
                quarterly("staff_requiring_training", date(2014, 3, 31), 100, "SUH"),
                quarterly("staff_trained_in_date", date(2014, 3, 31), 49, "GP"),
                quarterly("staff_requiring_training", date(2014, 3, 31), 49, "GP"),
            ]
        )
    )
    training = indicator(
        id="training_pct",
        numerator=("staff_trained_in_date",),
        denominator="staff_requiring_training",
        multiplier=100,
        unit="%",
        measure_type="snapshot",
        breakdown="agency",
    )
    values = indicator_values(facts, POPULATION, training, AREAS).set_index("breakdown")
    assert values.loc["SUH", "value"] == pytest.approx(90.0)
    assert values.loc["GP", "value"] == pytest.approx(100.0)


def test_suppressed_numerator_gives_no_value():
    facts = conform_facts(
        pd.DataFrame([published("referrals", "E06000033", date(2014, 3, 31), math.nan)])
    )
    values = indicator_values(facts, POPULATION, indicator(), AREAS)
    assert values["value"].isna().all()


def marked(measure, area, symbol):
    """A 2013-14 published fact withheld under `symbol`."""
    return {**published(measure, area, date(2014, 3, 31), math.nan), "symbol": symbol}


def test_a_withheld_value_keeps_the_publishers_symbol():
    """DfE prints 'c' for a count of 1 to 5: the rate from it is withheld as 'c' too, not as
    "not available"; an older table's ':' is GSS's 'x'."""
    facts = conform_facts(
        pd.DataFrame([marked("referrals", "E06000033", "c"), marked("referrals", "E92000001", ":")])
    )
    values = indicator_values(facts, POPULATION, indicator(), AREAS).set_index("area_code")
    assert values["value"].isna().all()
    assert values["value_symbol"].to_dict() == {"E06000033": "c", "E92000001": "x"}


def test_the_published_figures_own_symbol_comes_before_its_counts():
    """A percentage DfE withholds as unreliable ('u') says so, though its count is 'c'; with
    no figure of its own, a suppressed part suppresses the whole."""
    pct = indicator(
        id="rereferral_pct",
        numerator=("rereferrals",),
        denominator="referrals",
        multiplier=100,
        published_value="rereferral_percent",
    )
    rows = [
        marked("rereferrals", "E06000033", "c"),
        published("referrals", "E06000033", date(2014, 3, 31), 200),
        marked("rereferral_percent", "E06000033", "u"),
        marked("rereferrals", "E92000001", "z"),
        marked("referrals", "E92000001", "c"),
    ]
    values = indicator_values(conform_facts(pd.DataFrame(rows)), POPULATION, pct, AREAS)
    assert values.set_index("area_code")["value_symbol"].to_dict() == {
        "E06000033": "u",
        "E92000001": "c",
    }


def test_a_value_has_no_symbol():
    facts = conform_facts(
        pd.DataFrame(
            [{**published("referrals", "E06000033", date(2014, 3, 31), 20), "symbol": "c"}]
        )
    )
    values = indicator_values(facts, POPULATION, indicator(), AREAS)
    assert values["value"].notna().all() and values["value_symbol"].isna().all()


def pooled_children(period_ends: pd.Series) -> pd.Series:
    """Southend's published child population in person-years over 24 months to each end."""
    published = POPULATION[POPULATION.source_type == "published"]
    estimates = window_estimates(published, pd.Series(["E06000033"]), period_ends, 24)
    return person_years(estimates, 24)


def test_pooled_population_adds_one_estimate_per_year():
    total = pooled_children(pd.Series([date(2014, 3, 31)]))
    assert total.iloc[0] == 37785 + 37595


def test_a_rate_beyond_the_latest_estimate_uses_the_latest_and_says_so():
    """2014-15 Q1 wants mid-2014, not yet published: the board's rate stands on the latest
    estimate (the local mid-2013, 37,617) and its note says which, as DfE and boards do; it was
    not available at all, so every rate of the current year was blank."""
    facts = conform_facts(
        pd.DataFrame(
            [
                quarterly("referrals", end, n)
                for end, n in zip(QUARTER_ENDS, [500, 480, 510, 502, 530], strict=True)
            ]
        )
    )
    by_end = indicator_values(facts, POPULATION, indicator(), AREAS).set_index("period_end")
    assert by_end.loc[date(2014, 6, 30), "denominator"] == 37617
    assert by_end.loc[date(2014, 6, 30), "value"] == pytest.approx(2022 / 37617 * 1e4)
    assert by_end.loc[date(2014, 6, 30), "value_note"] == (
        "Uses the mid-2013 estimate of children aged 0-17, the latest published; the mid-2014 "
        "estimate is not yet published, and the rate is revised when it is"
    )
    assert by_end.loc[date(2014, 3, 31), "value_note"] is None


def test_a_year_before_the_first_estimate_has_no_rate():
    """Carrying the latest estimate forward never fills years before the series starts."""
    facts = conform_facts(pd.DataFrame([published("referrals", "E06000033", date(2012, 3, 31), 9)]))
    [row] = indicator_values(facts, POPULATION, indicator(), AREAS).to_dict("records")
    assert math.isnan(row["value"])
    assert row["value_note"] == (
        "Not available: no ONS estimate of children aged 0-17 for mid-2011 is shipped"
    )


def test_a_pooled_window_carries_the_latest_estimate_into_its_later_years():
    total = pooled_children(pd.Series([date(2015, 3, 31)]))
    assert total.iloc[0] == 37785 + 37785


def test_a_pooled_window_names_only_the_estimates_it_lacks():
    # Three years to March 2014 stand on mid-2011, mid-2012 and mid-2013; only mid-2011 is
    # missing here, and the note named all three.
    estimates = window_estimates(
        POPULATION[POPULATION.source_type == "published"],
        pd.Series(["E06000033", "E92000001"]),
        pd.Series([date(2014, 3, 31), date(2014, 3, 31)]),
        36,
        latest_if_unpublished=False,
    )
    assert missing_mid_years(estimates).tolist() == [[2011], [2011, 2012]]
    assert no_population_note([2011, 2012]) == (
        "Not available: no ONS estimate of children aged 0-17 for mid-2011, mid-2012 is shipped"
    )


def test_a_published_rate_never_stands_on_an_earlier_years_estimate():
    """DfE's rate for 2014-15 stands on mid-2014, which is not shipped here: the published
    figure has no rate rather than one DfE did not publish (the board's own does fall back)."""
    facts = conform_facts(pd.DataFrame([published("referrals", "E06000033", date(2015, 3, 31), 9)]))
    [row] = indicator_values(facts, POPULATION, indicator(), AREAS).to_dict("records")
    assert math.isnan(row["value"])
    assert row["value_note"] == (
        "Not available: no ONS estimate of children aged 0-17 for mid-2014 is shipped"
    )


def test_distinct_sorted_gathers_each_groups_texts_once_in_order():
    # A window's files are listed once each, sorted, whichever measure or quarter named them;
    # a fact without a file (NaN, None) names none, and a group with no text gets [].
    pairs = [(1, "S-b"), (0, "S-c"), (1, "S-a"), (1, "S-b"), (0, math.nan), (1, None)]
    assert distinct_sorted(pairs, 3) == [["S-c"], ["S-a", "S-b"], []]
