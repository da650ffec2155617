"""The period a published figure covers is the one its publisher states: LAIT's road casualties
are three calendar years pooled, DfE's children in need tables one reporting year, on the
shipped reference data."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from lscb_metrics import pipeline
from lscb_metrics.catalogue import load_catalogue
from lscb_metrics.compute.values import months_covered
from lscb_metrics.config import settings


@pytest.fixture(scope="module")
def values(demo_reference) -> pd.DataFrame:
    """Every published flow indicator's values for every area and period."""
    catalogue = load_catalogue(settings().schemas_dir / "indicators.yaml")
    flows = tuple(i for i in catalogue if i.measure_type == "flow")
    return pipeline.published_relations(demo_reference, flows)[0]


def starts(values: pd.DataFrame, indicator_id: str, time_period: str) -> set[date]:
    """The distinct period starts of one indicator's values for one period, over all areas."""
    rows = values[(values["indicator_id"] == indicator_id) & (values["time_period"] == time_period)]
    assert not rows.empty
    return set(rows["period_start"])


def test_a_pooled_lait_rate_starts_with_its_first_year(values: pd.DataFrame):
    # LAIT's RTA for 2020-22 pools 1 January 2020 to 31 December 2022, not 2022 alone.
    assert starts(values, "road_ksi_rate", "2020-22") == {date(2020, 1, 1)}


def test_a_dfe_reporting_year_starts_in_april(values: pd.DataFrame):
    assert starts(values, "referral_rate", "2013-14") == {date(2013, 4, 1)}


def test_every_published_flow_starts_where_its_facts_do(demo_reference, values: pd.DataFrame):
    """DfE, LAIT and Fingertips alike: each value starts on the first day of the facts it is
    computed from or published as."""
    facts = demo_reference.published_facts
    # Snapshots (children in need at 31 March) share a flow's period end and label.
    facts = facts[months_covered(facts) > 1]
    stated = facts.drop_duplicates(["area_code", "period_end", "time_period"])[
        ["area_code", "period_end", "time_period", "period_start"]
    ]
    joined = values.merge(stated, on=["area_code", "period_end", "time_period"], how="left")
    assert joined["period_start_y"].notna().all()
    assert (joined["period_start_x"] == joined["period_start_y"]).all()
