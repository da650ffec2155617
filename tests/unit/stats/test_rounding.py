"""Publication rounding: halves away from zero on the decimal the analyst sees."""

from __future__ import annotations

import math

import numpy as np
import pytest

from lscb_metrics.stats import round_half_away_from_zero, round_to_base


@pytest.mark.parametrize(
    ("value", "decimals", "expected"),
    [
        (0.285, 2, 0.29),  # binary 0.28499999...; round() gives 0.28
        (42.85, 1, 42.9),  # binary 42.8499999...
        (2.675, 2, 2.68),  # binary 2.67499999...; round() gives 2.67
        (1.005, 2, 1.01),
        (0.125, 2, 0.13),  # exact binary half; round() goes to even, 0.12
        (2.5, 0, 3.0),
        (3.5, 0, 4.0),
        (-2.5, 0, -3.0),
        (-0.285, 2, -0.29),
        (12.34, 1, 12.3),
        (12.36, 1, 12.4),
        (79.837991089509913, 1, 79.8),
        (1234.5, -1, 1230.0),
        (1235.0, -1, 1240.0),
        (1e300, 2, 1e300),
    ],
)
def test_round_half_away_from_zero(value: float, decimals: int, expected: float) -> None:
    assert round_half_away_from_zero(value, decimals) == expected


def test_numpy_scalars_round_like_floats() -> None:
    assert round_half_away_from_zero(np.float64(0.285), 2) == 0.29


def test_negative_result_that_rounds_to_zero_is_plain_zero() -> None:
    rounded = round_half_away_from_zero(-0.001, 2)
    assert rounded == 0.0 and math.copysign(1.0, rounded) == 1.0


def test_nan_passes_through() -> None:
    assert math.isnan(round_half_away_from_zero(math.nan, 1))
    assert math.isnan(round_to_base(math.nan))


@pytest.mark.parametrize(
    ("value", "base", "expected"),
    [
        (15, 10, 20.0),
        (-15, 10, -20.0),
        (14.9, 10, 10.0),
        (4, 10, 0.0),
        (5, 10, 10.0),
        (391_050, 10, 391_050.0),
        (391_055, 10, 391_060.0),
        (1_250, 100, 1_300.0),
        (12.5, 5, 15.0),
    ],
)
def test_round_to_base(value: float, base: int, expected: float) -> None:
    assert round_to_base(value, base) == expected


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: round_half_away_from_zero(math.inf, 1), "infinite"),
        (lambda: round_half_away_from_zero(1.5, 1.0), "decimals must be an int"),
        (lambda: round_half_away_from_zero(1.5, 400), "decimals must be within"),
        (lambda: round_to_base(15, 0), "base must be a positive int"),
        (lambda: round_to_base(15, 2.5), "base must be a positive int"),
        (lambda: round_to_base(-math.inf), "infinite"),
    ],
)
def test_invalid_inputs_are_rejected(call, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        call()
