"""Properties every interval and rounding must keep, whatever the inputs (hypothesis)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from lscb_metrics.stats import (
    publication_value,
    publication_values,
    rate,
    rate_interval,
    round_half_away_from_zero,
    rounded_half_away_from_zero,
    wilson_interval,
)

CONFIDENCES = st.sampled_from([0.95, 0.998])
COUNTS = st.integers(min_value=0, max_value=10_000_000)
MULTIPLIERS = st.sampled_from([1, 100, 10_000, 100_000])


@st.composite
def proportions(draw: st.DrawFn) -> tuple[int, int]:
    """A numerator and a denominator with 0 <= numerator <= denominator."""
    denominator = draw(st.integers(min_value=1, max_value=10_000_000))
    return draw(st.integers(min_value=0, max_value=denominator)), denominator


@given(proportions(), CONFIDENCES)
def test_wilson_interval_contains_the_proportion(fraction: tuple[int, int], confidence: float):
    numerator, denominator = fraction
    lower, upper = wilson_interval(numerator, denominator, confidence)
    assert 0.0 <= lower <= numerator / denominator <= upper <= 1.0


@given(COUNTS, st.integers(min_value=1, max_value=10_000_000), MULTIPLIERS, CONFIDENCES)
def test_rate_interval_contains_the_rate(
    count: int, denominator: int, multiplier: int, confidence: float
) -> None:
    lower, upper = rate_interval(count, denominator, multiplier, confidence)
    assert 0.0 <= lower <= rate(count, denominator, multiplier) <= upper


@given(proportions())
def test_wilson_998_interval_contains_the_95_interval(fraction: tuple[int, int]) -> None:
    lower95, upper95 = wilson_interval(*fraction, 0.95)
    lower998, upper998 = wilson_interval(*fraction, 0.998)
    assert lower998 <= lower95 <= upper95 <= upper998


@given(COUNTS, st.integers(min_value=1, max_value=10_000_000), MULTIPLIERS)
def test_rate_998_interval_contains_the_95_interval(
    count: int, denominator: int, multiplier: int
) -> None:
    lower95, upper95 = rate_interval(count, denominator, multiplier, 0.95)
    lower998, upper998 = rate_interval(count, denominator, multiplier, 0.998)
    assert lower998 <= lower95 <= upper95 <= upper998


@given(
    st.integers(min_value=1, max_value=1_000_000),
    st.integers(min_value=1, max_value=1_000_000),
    st.floats(min_value=0.01, max_value=5_000),
    CONFIDENCES,
)
def test_relative_width_narrows_as_count_grows_at_a_fixed_rate(
    count_a: int, count_b: int, rate_per_10000: float, confidence: float
) -> None:
    def relative_width(count: int) -> float:
        denominator = count * 10_000 / rate_per_10000
        lower, upper = rate_interval(count, denominator, 10_000, confidence)
        return (upper - lower) / rate(count, denominator, 10_000)

    smaller, larger = sorted((count_a, count_b))
    if smaller == larger:
        assert math.isclose(relative_width(smaller), relative_width(larger), rel_tol=1e-9)
    else:
        assert relative_width(larger) < relative_width(smaller)


FINITE = st.floats(min_value=-1e12, max_value=1e12, allow_nan=False, allow_infinity=False)


@given(FINITE, st.integers(min_value=0, max_value=6))
def test_rounding_is_symmetric_about_zero(value: float, decimals: int) -> None:
    assert round_half_away_from_zero(-value, decimals) == -round_half_away_from_zero(
        value, decimals
    )


@given(FINITE, st.integers(min_value=-3, max_value=6))
def test_rounding_moves_at_most_half_a_unit(value: float, decimals: int) -> None:
    half_unit = 0.5 * 10.0**-decimals
    # The float nearest the decimal result can sit a few ulps beyond the exact half unit.
    slack = 4 * math.ulp(max(abs(value), half_unit))
    assert abs(round_half_away_from_zero(value, decimals) - value) <= half_unit + slack


#: Values a figure takes, and halves at every place (x.5, x.x5, ...) that binary cannot hold.
FIGURES = st.one_of(
    FINITE,
    st.integers(min_value=-(10**9), max_value=10**9).flatmap(
        lambda whole: st.integers(min_value=1, max_value=4).map(
            lambda places: whole / 10**places + 5 / 10 ** (places + 1)
        )
    ),
    st.just(math.nan),
)


@given(st.lists(st.tuples(FIGURES, st.integers(min_value=-3, max_value=18)), min_size=1))
def test_rounding_many_at_once_is_rounding_each(cells: list[tuple[float, int]]) -> None:
    values, decimals = zip(*cells, strict=True)
    expected = [round_half_away_from_zero(v, d) for v, d in cells]
    got = rounded_half_away_from_zero(np.array(values), np.array(decimals))
    assert [str(x) for x in got] == [str(x) for x in expected]  # NaN and -0.0 alike


@given(
    st.lists(
        st.tuples(
            st.one_of(FIGURES, st.sampled_from(["c", "x", "z", "low", None, 0.0, -0.004])),
            st.integers(min_value=0, max_value=3),
        ),
        min_size=1,
    )
)
def test_publishing_many_cells_is_publishing_each(cells: list[tuple[object, int]]) -> None:
    values = pd.Series([value for value, _ in cells], dtype=object)
    decimals = pd.Series([places for _, places in cells])
    expected = [
        publication_value(None if value is None or value != value else value, places)
        for value, places in cells
    ]
    assert [str(x) for x in publication_values(values, decimals)] == [str(x) for x in expected]
