"""Recent trend: the direction of travel over the last five points, as OHID Fingertips marks it.

Method: Fingertips trend markers, read from its code (the guidance prose was not available):
fingertips-open `PholioVisualisation/Analysis/TrendMarkers/TrendMarkerCalculator.cs` @6780897,
kept as FingertipsNext `trend-analysis/.../Calculator/Legacy/TrendMarkerCalculator.cs` @5f00d76.
The five most recent points with counts get times t = 1..5 (gaps in the series are ignored) and
a chi-square statistic on 1 df is tested against 9.5495 = 3.0902², the 99.8% two-sided level.

- Proportions (Fingertips "SPC for proportions"), x events out of n, X = Σx, N = Σn: the
  chi-square test for linear trend (Armitage 1955; Cochran-Armitage without continuity
  correction), chi² = N (N Σxt − X Σnt)² / (X (N − X) (N Σnt² − (Σnt)²)).
- Rates (Fingertips' method for every other value type): weighted least squares of the rate y on
  t with weights w = 1/SE², SE = (upper − lower) / 3.92 from the 95% Poisson interval (exact below
  10 events, Byar's from 10: `intervals.rate_intervals`, as Fingertips' own intervals).
  Slope b = (S₀S_ty − S_tS_y) / (S₀S_tt − S_t²), SE(b) = √(S₀ / (S₀S_tt − S_t²)),
  chi² = (b / SE(b))², with S the weighted sums.

Each statistic is used as the signed z = ±√chi², its sign the direction of the slope.

Stability: Fingertips refits leaving out each point in turn and reports a trend only when all six
slopes share a sign. This project (its trend issue) is stricter: every leave-one-out refit must
also be significant at 99.8%, so a trend that rests on one point is "No significant change".

Deviations from Fingertips, both because only counts are passed in: rates are fitted on the crude
scale x/n (chi² and direction do not depend on the multiplier), with intervals recomputed from the
counts rather than read from stored limits; and the direction of a proportion's trend is the sign
of Armitage's statistic (the n-weighted slope of x/n) rather than Fingertips' unweighted slope of
the log-odds, which is undefined at 0% and 100%.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import numpy.typing as npt

from lscb_metrics.stats.intervals import (
    FloatArray,
    _checked_counts,
    _checked_denominators,
    _float_array,
    rate_intervals,
    z_score,
)
from lscb_metrics.stats.polarity import HIGH_IS_GOOD, LOW_IS_GOOD, NO_JUDGEMENT, checked_polarity

KIND_PROPORTION = "proportion"
KIND_RATE = "rate"
KINDS: tuple[str, ...] = (KIND_PROPORTION, KIND_RATE)

#: Points in a recent trend (Fingertips TrendMarkerCalculator.PointsToUse).
POINTS_USED = 5
#: Two-sided level of the trend test (Fingertips ChiSquareConfidence = 3.0902² = 9.5495).
TREND_CONFIDENCE = 0.998
# Fingertips turns a 95% interval into a standard error by dividing its width by 3.92, not
# 2 × 1.959964; keeping its constant keeps the chi-squares equal to Fingertips' own.
_CI95_WIDTHS_PER_SE = 3.92

INCREASING_BETTER = "Increasing and getting better"
INCREASING_WORSE = "Increasing and getting worse"
DECREASING_BETTER = "Decreasing and getting better"
DECREASING_WORSE = "Decreasing and getting worse"
INCREASING = "Increasing"
DECREASING = "Decreasing"
NO_SIGNIFICANT_CHANGE = "No significant change"
CANNOT_BE_CALCULATED = "Cannot be calculated"
TREND_LABELS: tuple[str, ...] = (
    INCREASING_BETTER,
    INCREASING_WORSE,
    DECREASING_BETTER,
    DECREASING_WORSE,
    INCREASING,
    DECREASING,
    NO_SIGNIFICANT_CHANGE,
    CANNOT_BE_CALCULATED,
)

# (polarity, direction) -> label; direction +1 is increasing, -1 decreasing.
_LABELS: dict[tuple[str, int], str] = {
    (HIGH_IS_GOOD, 1): INCREASING_BETTER,
    (HIGH_IS_GOOD, -1): DECREASING_WORSE,
    (LOW_IS_GOOD, 1): INCREASING_WORSE,
    (LOW_IS_GOOD, -1): DECREASING_BETTER,
    (NO_JUDGEMENT, 1): INCREASING,
    (NO_JUDGEMENT, -1): DECREASING,
}

TrendStatistic = Callable[[FloatArray, FloatArray, FloatArray], float]


def _proportion_trend_z(counts: FloatArray, denominators: FloatArray, times: FloatArray) -> float:
    """Signed chi-square-for-trend z of counts/denominators over times; 0 when every point is 0%
    or every point is 100% (Armitage 1955; Fingertips IsSignificantForProportions)."""
    total = math.fsum(denominators)
    events = math.fsum(counts)
    if events in (0.0, total):
        return 0.0
    contrast = total * math.fsum(counts * times) - events * math.fsum(denominators * times)
    spread = total * math.fsum(denominators * times**2) - math.fsum(denominators * times) ** 2
    return contrast * math.sqrt(total / (events * (total - events) * spread))


def _rate_trend_z(counts: FloatArray, denominators: FloatArray, times: FloatArray) -> float:
    """Signed slope/SE(slope) of the crude rate counts/denominators on times, weighted by
    1/SE² from the 95% Poisson interval (Fingertips TrendMarkerCalculator.IsSignificant)."""
    lower, upper = rate_intervals(counts, denominators, multiplier=1.0, confidence=0.95)
    weights = (_CI95_WIDTHS_PER_SE / (upper - lower)) ** 2
    rates = counts / denominators
    s_0 = math.fsum(weights)
    s_t = math.fsum(weights * times)
    s_y = math.fsum(weights * rates)
    s_tt = math.fsum(weights * times**2)
    s_ty = math.fsum(weights * times * rates)
    return (s_0 * s_ty - s_t * s_y) / math.sqrt(s_0 * (s_0 * s_tt - s_t**2))


_STATISTICS: dict[str, TrendStatistic] = {
    KIND_PROPORTION: _proportion_trend_z,
    KIND_RATE: _rate_trend_z,
}


def _checked_kind(kind: str) -> str:
    """`kind` unchanged once known to be one of KINDS ('proportion' or 'rate')."""
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, got {kind!r}")
    return kind


def _checked_series(
    numerators: npt.ArrayLike, denominators: npt.ArrayLike, kind: str
) -> tuple[FloatArray, FloatArray]:
    """Counts and denominators as float arrays of one length, NaN where missing, once counts are
    >= 0, denominators > 0 and (for proportions) no count exceeds its denominator."""
    counts = np.atleast_1d(_checked_counts(numerators, "numerator"))
    sizes = np.atleast_1d(_checked_denominators(denominators))
    if counts.shape != sizes.shape or counts.ndim != 1:
        raise ValueError(
            f"numerators and denominators must be 1-d and of one length, got shapes "
            f"{counts.shape} and {sizes.shape}"
        )
    if kind == KIND_PROPORTION and np.any(counts > sizes):
        raise ValueError("numerator must not exceed denominator for a proportion")
    return counts, sizes


def _fitted_z(kind: str, counts: FloatArray, sizes: FloatArray, times: FloatArray) -> float:
    """Signed trend z of the points at `times` (any spacing) for a checked `kind`."""
    # Times centred on their mean keep the sums well conditioned, and make the reversed series
    # give exactly the opposite z.
    return _STATISTICS[kind](counts, sizes, times - times.mean())


def trend_z(numerators: npt.ArrayLike, denominators: npt.ArrayLike, kind: str) -> float:
    """Signed trend statistic of a series (oldest first, equally spaced): z = ±√chi², positive
    when increasing, significant at 99.8% when |z| > 3.0902 (Fingertips trend markers; Armitage
    1955 for proportions, weighted least squares for rates)."""
    _checked_kind(kind)
    counts, sizes = _checked_series(numerators, denominators, kind)
    if counts.size < 2 or np.isnan(counts).any() or np.isnan(sizes).any():
        raise ValueError(f"trend_z needs at least 2 points, all with counts, got {counts.size}")
    return _fitted_z(kind, counts, sizes, np.arange(counts.size, dtype=np.float64))


def _stable_direction(counts: FloatArray, sizes: FloatArray, kind: str) -> int:
    """+1 or -1 when the full fit and every leave-one-out refit are significant at 99.8% in that
    direction, else 0 (Fingertips outlier check, made stricter by this project)."""
    critical = z_score(TREND_CONFIDENCE)
    everything = np.arange(counts.size, dtype=np.float64)
    full = _fitted_z(kind, counts, sizes, everything)
    if abs(full) <= critical:
        return 0  # no refit can make an insignificant trend stable
    direction = int(np.sign(full))
    for left_out in range(counts.size):
        keep = np.arange(counts.size) != left_out
        z = _fitted_z(kind, counts[keep], sizes[keep], everything[keep])
        if abs(z) <= critical or int(np.sign(z)) != direction:
            return 0
    return direction


def recent_trend(
    values: npt.ArrayLike,
    numerators: npt.ArrayLike,
    denominators: npt.ArrayLike,
    polarity: str,
    kind: str,
) -> str:
    """Fingertips recent-trend label (one of TREND_LABELS) over the last 5 points with a value
    and counts, series ordered oldest to newest (Fingertips trend markers, 99.8%, with every
    leave-one-out refit required to agree in direction and significance).

    `values` are the published figures in any unit; they only mark which periods have a figure,
    because the test is computed from the counts and does not depend on the multiplier.
    """
    checked_polarity(polarity)
    _checked_kind(kind)
    counts, sizes = _checked_series(numerators, denominators, kind)
    figures = np.atleast_1d(_float_array(values, "values"))
    if figures.shape != counts.shape:
        raise ValueError(
            f"values must match numerators in length, got {figures.size} and {counts.size}"
        )
    usable = ~(np.isnan(figures) | np.isnan(counts) | np.isnan(sizes))
    if usable.sum() < POINTS_USED:
        return CANNOT_BE_CALCULATED
    recent = np.flatnonzero(usable)[-POINTS_USED:]
    direction = _stable_direction(counts[recent], sizes[recent], kind)
    return _LABELS[(polarity, direction)] if direction else NO_SIGNIFICANT_CHANGE
