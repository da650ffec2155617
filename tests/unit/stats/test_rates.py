"""Rates, changes and percentage changes with missing figures passed through."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from lscb_metrics.stats import change, percent_change, rate


def test_rate_per_10000_children() -> None:
    assert rate(5, 200, 10_000) == 250.0


def test_rate_allows_more_events_than_denominator() -> None:
    assert math.isclose(rate(250, 220, 100_000), 113636.36363636365, rel_tol=1e-12)


@pytest.mark.parametrize(
    ("numerator", "denominator"),
    [(math.nan, 100), (5, math.nan), (None, 100), (pd.NA, 100), (5, 0)],
)
def test_rate_is_nan_when_missing_or_denominator_zero(numerator, denominator) -> None:
    assert math.isnan(rate(numerator, denominator, 10_000))


@pytest.mark.parametrize(
    ("numerator", "denominator", "multiplier", "message"),
    [
        (-1, 100, 10_000, "must be >= 0"),
        (1, -100, 10_000, "must be >= 0"),
        (1, 100, 0, "multiplier must be > 0"),
        (1, 100, math.nan, "multiplier must be > 0"),
        ("1", 100, 10_000, "expected a number"),
    ],
)
def test_rate_rejects_invalid_inputs(numerator, denominator, multiplier, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        rate(numerator, denominator, multiplier)


def test_change_is_difference() -> None:
    assert change(12.5, 10.0) == 2.5
    assert change(8, 10) == -2.0


@pytest.mark.parametrize(("current", "previous"), [(math.nan, 1), (1, math.nan), (1, None)])
def test_change_is_nan_when_missing(current, previous) -> None:
    assert math.isnan(change(current, previous))


def test_percent_change() -> None:
    assert percent_change(120, 100) == 20.0
    assert percent_change(75, 100) == -25.0


@pytest.mark.parametrize(("current", "previous"), [(5, 0), (math.nan, 1), (1, math.nan)])
def test_percent_change_is_nan_without_a_base(current, previous) -> None:
    assert math.isnan(percent_change(current, previous))
