"""The two paths to the same figures agree: deriving the SYNTHETIC demo case lists
(data/raw/cases) gives exactly the facts of the shipped aggregate demo returns
(data/raw/returns) for every measure and quarter both give, and every catalogue indicator
computed from either set of facts has the same value."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from lscb_metrics.boards import load_boards
from lscb_metrics.cases import derive_case_facts
from lscb_metrics.cases.derive import MEASURES
from lscb_metrics.catalogue import load_catalogue
from lscb_metrics.compute.values import indicator_values
from lscb_metrics.intake.hashing import file_sha256
from lscb_metrics.returns import (
    load_return_specs,
    read_return,
    return_facts,
    validate_return,
)
from lscb_metrics.returns.spec import ASSESSMENT_TARGET

ROOT = Path(__file__).resolve().parents[3]
SCHEMAS = ROOT / "schemas"
SOUTHEND = ("E06000033", "Southend-on-Sea", "E12000006")
LA_LOOKUP = {"E06000033": SOUTHEND, "882": SOUTHEND}
KEY = b"integration-test key, not a real one"
AGGREGATE = ("referrals", "assessments", "cp_plans")
DERIVED = {measure for measures in MEASURES.values() for measure in measures}
KEYS = ["measure", "area_code", "breakdown", "period_start", "period_end", "time_period"]


@pytest.fixture(scope="module")
def case_facts() -> pd.DataFrame:
    files = sorted((ROOT / "data" / "raw" / "cases").glob("*.csv"))
    result = derive_case_facts(
        files, SCHEMAS, LA_LOOKUP, KEY, load_boards(SCHEMAS).local_target(ASSESSMENT_TARGET)
    )
    assert result.failures == []
    return result.facts


@pytest.fixture(scope="module")
def aggregate_facts() -> pd.DataFrame:
    specs, agencies = load_return_specs(SCHEMAS), load_boards(SCHEMAS)
    frames = []
    for path in sorted((ROOT / "data" / "raw" / "returns").glob("*/SBC-CSC_*.xlsx")):
        raw = read_return(path, specs)
        result = validate_return(raw, specs, agencies, LA_LOOKUP)
        if result.return_type in AGGREGATE:
            assert result.valid, path
            digest = file_sha256(path)
            spec = specs[result.return_type]
            frames.append(
                return_facts(
                    result, spec, submission_id=f"S-{digest[:16]}", source=path.name, sha256=digest
                )
            )
    return pd.concat(frames, ignore_index=True)


def test_every_derived_measure_and_quarter_agrees(
    case_facts: pd.DataFrame, aggregate_facts: pd.DataFrame
) -> None:
    aggregate = aggregate_facts[aggregate_facts["measure"].isin(DERIVED)]
    both = aggregate.merge(
        case_facts, on=KEYS, how="outer", suffixes=("_aggregate", "_cases"), indicator=True
    )
    assert set(both["_merge"]) == {"both"}, both[both["_merge"] != "both"][KEYS]
    assert len(both) == len(DERIVED) * 10 == 220
    differing = both[both["value_aggregate"] != both["value_cases"]]
    assert differing.empty, differing[[*KEYS, "value_aggregate", "value_cases"]]


def test_catalogue_indicators_agree(
    case_facts: pd.DataFrame, aggregate_facts: pd.DataFrame
) -> None:
    population = pd.DataFrame(
        {
            "area_code": "E06000033",
            "mid_year": [2011, 2012, 2013],
            "population_0_17": [37500.0, 37595.0, 37617.0],
            "source_type": "published",
        }
    )
    areas = pd.DataFrame(
        [
            {
                "area_code": SOUTHEND[0],
                "area_name": SOUTHEND[1],
                "geographic_level": "Local authority",
                "region_code": SOUTHEND[2],
            }
        ]
    )
    aggregate = aggregate_facts[aggregate_facts["measure"].isin(DERIVED)]
    compared = 0
    for indicator in load_catalogue(SCHEMAS / "indicators.yaml"):
        needed = {m for m in indicator.measures if m != "population_0_17"}
        if not needed or not needed <= DERIVED:
            continue
        columns = ["indicator_id", "period_end", "numerator", "denominator", "value"]
        from_cases = indicator_values(case_facts, population, indicator, areas)[columns]
        from_returns = indicator_values(aggregate, population, indicator, areas)[columns]
        assert not from_returns.empty, indicator.id
        pd.testing.assert_frame_equal(
            from_cases.sort_values("period_end").reset_index(drop=True),
            from_returns.sort_values("period_end").reset_index(drop=True),
        )
        compared += 1
    assert compared >= 10  # referrals, rates, re-referral %, s47, plans, timeliness...
