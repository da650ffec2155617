"""Golden tests: every row of the PHEindicatormethods interval test data, and derived edges."""

from __future__ import annotations

import csv
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from lscb_metrics.stats import (
    METHOD_BYARS,
    METHOD_EXACT,
    METHOD_WILSON,
    byars_interval,
    exact_poisson_interval,
    proportion_ci_method,
    rate,
    rate_ci_method,
    rate_interval,
    rate_intervals,
    wilson_interval,
    wilson_intervals,
    z_score,
)

ORACLES = Path(__file__).resolve().parents[2] / "oracles"
RELATIVE_TOLERANCE = 1e-9
PHE_METHOD = {"Exact": METHOD_EXACT, "Byars": METHOD_BYARS, "Wilson": METHOD_WILSON, "": None}
PHE_CONFIDENCE = {"95%": 0.95, "99.8%": 0.998}


def oracle_rows(file_name: str) -> list[dict[str, str]]:
    """Rows of an oracle CSV as text, header names as keys."""
    with (ORACLES / file_name).open(newline="") as handle:
        return list(csv.DictReader(handle))


def number(text: str) -> float:
    """An oracle cell as a float, NaN for an empty (R NA) cell."""
    return float(text) if text else math.nan


def params(file_name: str, label: str) -> list:
    """One pytest param per oracle row, named after the file, row number and `label` column."""
    return [
        pytest.param(row, id=f"{file_name.removesuffix('.csv')}-row{i}-{row[label]}")
        for i, row in enumerate(oracle_rows(file_name), start=1)
    ]


def assert_matches(actual: float, expected_text: str, what: str) -> None:
    """`actual` equals the oracle cell to 1e-9 relative (exactly at 0; NaN where the cell is NA)."""
    expected = number(expected_text)
    if math.isnan(expected):
        assert math.isnan(actual), f"{what}: expected NA, got {actual!r}"
    else:
        assert math.isclose(actual, expected, rel_tol=RELATIVE_TOLERANCE), (
            f"{what}: expected {expected!r}, got {actual!r}"
        )


@pytest.mark.parametrize("row", params("testdata_Byars_Wilson__testdata_B_W.csv", "method"))
def test_byars_and_wilson_limits_match_phe(row: dict[str, str]) -> None:
    confidence = PHE_CONFIDENCE[row["confidence"]]
    x = float(row["x"])
    if row["method"] == "Byars":
        lower, upper = byars_interval(x, confidence)
    else:
        lower, upper = wilson_interval(x, float(row["n"]), confidence)
    assert_matches(lower, row["lowercl"], "lower")
    assert_matches(upper, row["uppercl"], "upper")


def check_two_level_row(row: dict[str, str], limits) -> None:
    """Compare the 95% and 99.8% limits from `limits(confidence)` with a PHE two-level row."""
    for confidence, lower_column, upper_column in (
        (0.95, "lower95_0cl", "upper95_0cl"),
        (0.998, "lower99_8cl", "upper99_8cl"),
    ):
        lower, upper = limits(confidence)
        assert_matches(lower, row[lower_column], lower_column)
        assert_matches(upper, row[upper_column], upper_column)


def check_grouped_row(row: dict[str, str], limits) -> None:
    """Compare the limits from `limits(confidence)` with a PHE grouped (pooled) row."""
    lower, upper = limits(PHE_CONFIDENCE[row["confidence"]])
    assert_matches(lower, row["lowercl"], "lowercl")
    assert_matches(upper, row["uppercl"], "uppercl")


def row_inputs(row: dict[str, str]) -> tuple[float, float, float]:
    """Numerator, denominator and multiplier of a PHE rate or proportion row."""
    return number(row["Numerator"]), number(row["Denominator"]), float(row["multiplier"])


@pytest.mark.parametrize(
    "row",
    params("testdata_Proportion__testdata_Prop.csv", "Area")
    + params("testdata_Proportion__testdata_Prop_g.csv", "Area"),
)
def test_proportion_value_and_limits_match_phe(row: dict[str, str]) -> None:
    x, n, multiplier = row_inputs(row)

    def scaled_wilson(confidence: float) -> tuple[float, float]:
        lower, upper = wilson_interval(x, n, confidence)
        return lower * multiplier, upper * multiplier

    assert_matches(rate(x, n, multiplier), row["value"], "value")
    if "confidence" in row:
        check_grouped_row(row, scaled_wilson)
    else:
        check_two_level_row(row, scaled_wilson)
    assert proportion_ci_method() == PHE_METHOD[row["method"]]


@pytest.mark.parametrize(
    "row",
    params("testdata_Rate__testdata_Rate.csv", "Area")
    + params("testdata_Rate__testdata_Rate_g.csv", "Area"),
)
def test_rate_value_limits_and_method_match_phe(row: dict[str, str]) -> None:
    x, n, multiplier = row_inputs(row)

    def limits(confidence: float) -> tuple[float, float]:
        return rate_interval(x, n, multiplier, confidence)

    assert_matches(rate(x, n, multiplier), row["value"], "value")
    if "confidence" in row:
        check_grouped_row(row, limits)
    else:
        check_two_level_row(row, limits)
    assert rate_ci_method(x) == PHE_METHOD[row["method"]]


@pytest.mark.parametrize("row", params("derived_edge_cases.csv", "function"))
def test_derived_edge_cases(row: dict[str, str]) -> None:
    x, n, multiplier = float(row["x"]), float(row["n"]), float(row["multiplier"])
    confidence = float(row["confidence"])
    assert_matches(rate(x, n, multiplier), row["value"], "value")
    if row["function"] == "phe_rate":
        lower, upper = rate_interval(x, n, multiplier, confidence)
        assert rate_ci_method(x) == PHE_METHOD[row["method"]]
    else:
        lower, upper = (limit * multiplier for limit in wilson_interval(x, n, confidence))
        assert proportion_ci_method() == PHE_METHOD[row["method"]]
    assert_matches(lower, row["lowercl"], "lowercl")
    assert_matches(upper, row["uppercl"], "uppercl")


def test_vectorised_rates_match_the_whole_phe_table_at_once() -> None:
    table = pd.read_csv(ORACLES / "testdata_Rate__testdata_Rate.csv")
    lower, upper = rate_intervals(
        table["Numerator"], table["Denominator"], 100_000, confidence=0.998
    )
    per_100k = (table["multiplier"] == 100_000).to_numpy()
    np.testing.assert_allclose(
        lower[per_100k], table.loc[per_100k, "lower99_8cl"], rtol=1e-9, equal_nan=True
    )
    np.testing.assert_allclose(
        upper[per_100k], table.loc[per_100k, "upper99_8cl"], rtol=1e-9, equal_nan=True
    )


def test_vectorised_wilson_accepts_nullable_integers() -> None:
    lower, upper = wilson_intervals(
        pd.Series([65, pd.NA], dtype="Int64"), pd.Series([100, 100], dtype="Int64")
    )
    assert (lower[0], upper[0]) == wilson_interval(65, 100)
    assert math.isnan(lower[1]) and math.isnan(upper[1])


@pytest.mark.parametrize(
    ("confidence", "z"), [(0.95, 1.959963984540054), (0.998, 3.090232306167813)]
)
def test_z_score_matches_phe(confidence: float, z: float) -> None:
    assert math.isclose(z_score(confidence), z, rel_tol=1e-15)


def test_exact_limits_of_zero_events_start_at_zero() -> None:
    lower, upper = exact_poisson_interval(0, 0.95)
    assert lower == 0.0
    assert math.isclose(upper, -math.log(0.025), rel_tol=1e-12)


def test_byars_lower_limit_is_undefined_at_zero_events() -> None:
    lower, upper = byars_interval(0, 0.95)
    assert math.isnan(lower)
    assert upper > 0


@pytest.mark.parametrize(
    ("count", "method"), [(0, METHOD_EXACT), (9, METHOD_EXACT), (10, METHOD_BYARS)]
)
def test_rate_method_switches_at_ten_events(count: int, method: str) -> None:
    assert rate_ci_method(count) == method


def test_rate_method_of_a_missing_count_is_none() -> None:
    assert rate_ci_method(math.nan) is None


@pytest.mark.parametrize("confidence", [0, 1, 95, -0.5, math.nan])
def test_confidence_outside_zero_one_is_rejected(confidence: float) -> None:
    with pytest.raises(ValueError, match="confidence"):
        wilson_interval(1, 10, confidence)
    with pytest.raises(ValueError, match="confidence"):
        rate_interval(1, 10, 100, confidence)
    with pytest.raises(ValueError, match="confidence"):
        exact_poisson_interval(1, confidence)
    with pytest.raises(ValueError, match="confidence"):
        byars_interval(1, confidence)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: wilson_interval(-1, 10), "numerator must be >= 0"),
        (lambda: wilson_interval(11, 10), "must not exceed denominator"),
        (lambda: wilson_interval(0, 0), "denominator must be > 0"),
        (lambda: rate_interval(-1, 10, 100), "count must be >= 0"),
        (lambda: rate_interval(1, -10, 100), "denominator must be > 0"),
        (lambda: rate_interval(1, 0, 100), "denominator must be > 0"),
        (lambda: rate_interval(1, 10, 0), "multiplier must be > 0"),
        (lambda: byars_interval(-2), "count must be >= 0"),
        (lambda: exact_poisson_interval(-2), "count must be >= 0"),
        (lambda: rate_ci_method(-1), "count must be >= 0"),
        (lambda: rate_intervals([1, -1], [10, 10], 100), "count must be >= 0"),
        (lambda: wilson_intervals(["a"], [10]), "numerator must be numeric"),
    ],
)
def test_invalid_inputs_are_rejected(call, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        call()
