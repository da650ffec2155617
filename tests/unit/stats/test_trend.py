"""Recent trend: Fingertips' five-point test, every leave-one-out refit required to agree."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lscb_metrics.stats.intervals import z_score
from lscb_metrics.stats.polarity import HIGH_IS_GOOD, LOW_IS_GOOD, NO_JUDGEMENT
from lscb_metrics.stats.trend import (
    CANNOT_BE_CALCULATED,
    DECREASING,
    DECREASING_BETTER,
    INCREASING,
    INCREASING_BETTER,
    INCREASING_WORSE,
    NO_SIGNIFICANT_CHANGE,
    TREND_CONFIDENCE,
    recent_trend,
    trend_z,
)

CRITICAL_Z = z_score(TREND_CONFIDENCE)
THOUSANDS = [1000] * 5


def percentages(numerators: list[int], denominators: list[int]) -> list[float]:
    """The published percentages of the counts (only their presence matters to the trend)."""
    return [100 * x / n for x, n in zip(numerators, denominators, strict=True)]


def proportion_trend(numerators: list[int], polarity: str) -> str:
    """recent_trend of numerators out of 1,000 each, as a proportion."""
    return recent_trend(
        percentages(numerators, THOUSANDS), numerators, THOUSANDS, polarity, "proportion"
    )


def test_steady_strong_rise_in_a_high_is_good_proportion_is_getting_better() -> None:
    # 10% to 30% of 1,000 in equal steps: every 5- and 4-point fit is far beyond 99.8%.
    assert proportion_trend([100, 150, 200, 250, 300], HIGH_IS_GOOD) == INCREASING_BETTER


def test_the_same_rise_with_low_is_good_is_getting_worse() -> None:
    # Identical data: only the polarity changes, so only the judgement changes.
    assert proportion_trend([100, 150, 200, 250, 300], LOW_IS_GOOD) == INCREASING_WORSE


def test_flat_noisy_series_shows_no_significant_change() -> None:
    # 19.5% to 21% of 1,000 with no direction: the wobble is well within chance.
    assert proportion_trend([200, 210, 195, 205, 198], HIGH_IS_GOOD) == NO_SIGNIFICANT_CHANGE


def test_four_points_cannot_be_calculated() -> None:
    # Fingertips needs five points; a strong rise over four is still not enough.
    counts = [100, 200, 300, 400]
    label = recent_trend(percentages(counts, [1000] * 4), counts, [1000] * 4, NO_JUDGEMENT, "rate")
    assert label == CANNOT_BE_CALCULATED


def test_a_rise_driven_by_one_outlying_point_is_no_significant_change() -> None:
    # Flat at 20% then one jump to 30%: the full fit is significant, but leaving out the last
    # point leaves a flat line, so the leave-one-out rule withholds the trend.
    counts = [200, 200, 200, 200, 300]
    assert trend_z(counts, THOUSANDS, "proportion") > CRITICAL_Z
    assert proportion_trend(counts, HIGH_IS_GOOD) == NO_SIGNIFICANT_CHANGE


def test_falling_low_is_good_rate_is_getting_better() -> None:
    # 60 down to 20 events among 10,000 children (so the rate per 10,000 equals the count): a
    # steady fall, significant in every 5- and 4-point fit.
    counts = [60, 50, 40, 30, 20]
    assert recent_trend(counts, counts, [10_000] * 5, LOW_IS_GOOD, "rate") == DECREASING_BETTER


def test_only_the_last_five_points_with_figures_are_used() -> None:
    # An early fall is outside the window, and a missing (suppressed) year is skipped, so the
    # five most recent points with figures rise steadily.
    counts = [900, 100, 150, math.nan, 200, 250, 300]
    values = [90.0, 10.0, 15.0, math.nan, 20.0, 25.0, 30.0]
    label = recent_trend(values, counts, [1000] * 7, NO_JUDGEMENT, "proportion")
    assert label == INCREASING


def test_zero_counts_are_allowed() -> None:
    # 0% and 0 events have no log-odds and no Poisson variance; the tests still apply.
    assert proportion_trend([0, 0, 0, 0, 0], HIGH_IS_GOOD) == NO_SIGNIFICANT_CHANGE
    counts = [0, 40, 80, 120, 160]
    assert recent_trend(counts, counts, [10_000] * 5, NO_JUDGEMENT, "rate") == INCREASING


# Oracles from Fingertips' own unit tests (fingertips-open TrendMarkerCalculatorTest and
# FingertipsNext TrendMarkerCalculatorTests), oldest year first.
def test_armitage_chi_square_matches_fingertips() -> None:
    # TestIsSignificantForProportionsReturnsTrue: chi-square 47.9.
    counts = [994, 1023, 1199, 1332, 1367]
    denominators = [40299, 41527, 42811, 44064, 44701]
    assert round(trend_z(counts, denominators, "proportion") ** 2, 2) == 47.90


@pytest.mark.parametrize(
    ("counts", "denominators", "expected"),
    [
        # Diabetes QOF prevalence, England 2020-2024: Fingertips "Increasing".
        (
            [3455176, 3491868, 3625401, 3774801, 3938080],
            [48783947, 49122259, 49956777, 50649129, 51441896],
            INCREASING,
        ),
        # MMR one dose at 2, Yorkshire and the Humber 2020-2024: Fingertips "Decreasing".
        (
            [57274, 55865, 53681, 51767, 53185],
            [61834, 60511, 59074, 57508, 59028],
            DECREASING,
        ),
    ],
)
def test_proportion_trends_match_fingertips(
    counts: list[int], denominators: list[int], expected: str
) -> None:
    values = percentages(counts, denominators)
    assert recent_trend(values, counts, denominators, NO_JUDGEMENT, "proportion") == expected


def test_rate_where_this_project_is_stricter_than_fingertips() -> None:
    # Sight loss from diabetic eye disease 2020-2024: Fingertips says "Increasing" (chi-square
    # 33.49 from its stored intervals; all six slopes rise), but without the 2021 dip the
    # remaining four points are flat (chi-square 0.33), so the project's rule says no change.
    counts = [1416, 935, 1344, 1415, 1502]
    denominators = [48246126, 48440507, 48753376, 49300918, 49866388]
    assert round(trend_z(counts, denominators, "rate") ** 2, 1) == 33.5
    values = [x / n * 100_000 for x, n in zip(counts, denominators, strict=True)]
    label = recent_trend(values, counts, denominators, NO_JUDGEMENT, "rate")
    assert label == NO_SIGNIFICANT_CHANGE


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"kind": "count"}, "kind must be one of"),
        ({"polarity": "up"}, "polarity must be one of"),
        ({"numerators": [1, 2, 3, 4, 5000]}, "must not exceed denominator"),
        ({"numerators": [1, 2, 3, 4, -5]}, "numerator must be >= 0"),
        ({"denominators": [1000, 1000, 1000, 1000, 0]}, "denominator must be > 0"),
        ({"values": [1.0, 2.0]}, "values must match numerators"),
        ({"numerators": [1, 2, 3]}, "of one length"),
    ],
)
def test_invalid_inputs_raise(kwargs: dict[str, object], message: str) -> None:
    arguments: dict[str, object] = {
        "values": [0.1, 0.2, 0.3, 0.4, 0.5],
        "numerators": [1, 2, 3, 4, 5],
        "denominators": THOUSANDS,
        "polarity": HIGH_IS_GOOD,
        "kind": "proportion",
    }
    with pytest.raises(ValueError, match=message):
        recent_trend(**(arguments | kwargs))  # type: ignore[arg-type]


FLIPPED = {INCREASING: DECREASING, DECREASING: INCREASING}


@st.composite
def series(draw: st.DrawFn) -> tuple[list[int], list[int]]:
    """Five counts with their denominators: random, or drifting steadily so trends occur."""
    denominators = draw(st.lists(st.integers(1, 100_000), min_size=5, max_size=5))
    if draw(st.booleans()):
        counts = [draw(st.integers(0, n)) for n in denominators]
    else:
        start, step = draw(st.floats(0, 1)), draw(st.floats(-0.25, 0.25))
        shares = [min(1.0, max(0.0, start + step * t)) for t in range(5)]
        counts = [round(share * n) for share, n in zip(shares, denominators, strict=True)]
    return counts, denominators


@given(series(), st.sampled_from(["proportion", "rate"]))
def test_reversing_time_flips_increasing_and_decreasing(
    data: tuple[list[int], list[int]], kind: str
) -> None:
    counts, denominators = data
    forward = recent_trend(counts, counts, denominators, NO_JUDGEMENT, kind)
    backward = recent_trend(counts[::-1], counts[::-1], denominators[::-1], NO_JUDGEMENT, kind)
    assert backward == FLIPPED.get(forward, forward)
