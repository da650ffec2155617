"""Confidence intervals for proportions, counts and rates, as PHEindicatormethods computes them.

The arithmetic is written once, on numpy arrays: `wilson_intervals` and `rate_intervals` expose it
for whole columns and the scalar functions call the same code. Missing inputs (NaN, pandas NA)
give NaN limits, so suppressed figures flow through; invalid inputs raise ValueError.

Sources: PHEindicatormethods v2.1.0 (`phe_proportion`, `phe_rate`, `byars_lower/upper`,
`wilson_lower/upper`), OHID Fingertips technical guidance "Confidence intervals", Wilson (1927),
Byar's approximation as given in Breslow & Day (1987), and exact Poisson limits via the
chi-square distribution (Ulm 1990).
"""

from __future__ import annotations

import functools

import numpy as np
import numpy.typing as npt

# scipy.special, not scipy.stats: the functions scipy.stats' chi2.ppf and norm.ppf call, without
# scipy.stats' 0.8 s import for commands that compute but run no quality checks (`report`).
from scipy.special import gammaincinv, ndtri

from lscb_metrics.stats._validate import is_missing

METHOD_WILSON = "Wilson score"
METHOD_BYARS = "Byar's method"
METHOD_EXACT = "exact Poisson"
#: Counts below this use exact Poisson limits, counts from it Byar's (PHEindicatormethods phe_rate).
EXACT_BELOW = 10

FloatArray = npt.NDArray[np.float64]


def _float_array(values: npt.ArrayLike, name: str) -> FloatArray:
    """`values` as a float array with NaN for missing entries (pandas NA included)."""
    try:
        return np.asarray(values, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise ValueError(f"{name} must be numeric: {error}") from None


def _checked_counts(values: npt.ArrayLike, name: str) -> FloatArray:
    """`values` as a float array once none is negative (NaN allowed: a missing count)."""
    counts = _float_array(values, name)
    if np.any(counts < 0):
        raise ValueError(f"{name} must be >= 0, got minimum {np.nanmin(counts)}")
    return counts


def _checked_denominators(values: npt.ArrayLike) -> FloatArray:
    """`values` as a float array once every denominator is positive (NaN allowed)."""
    denominators = _float_array(values, "denominator")
    if np.any(denominators <= 0):
        raise ValueError(f"denominator must be > 0, got minimum {np.nanmin(denominators)}")
    return denominators


def _checked_confidence(confidence: float) -> float:
    """`confidence` once it is a level strictly between 0 and 1 (0.95, not 95)."""
    if is_missing(confidence) or not 0 < confidence < 1:
        raise ValueError(
            f"confidence must be strictly between 0 and 1 (e.g. 0.95), got {confidence!r}"
        )
    return confidence


@functools.lru_cache(maxsize=16)
def z_score(confidence: float) -> float:
    """Two-sided standard normal quantile for `confidence` (1.959964 at 0.95, 3.090232 at 0.998)."""
    level = _checked_confidence(confidence)
    # Same expression as PHEindicatormethods: qnorm(confidence + (1 - confidence) / 2).
    return float(ndtri(level + (1 - level) / 2))


def wilson_intervals(
    numerators: npt.ArrayLike, denominators: npt.ArrayLike, confidence: float = 0.95
) -> tuple[FloatArray, FloatArray]:
    """Wilson score limits of numerator/denominator, proportion scale 0-1 (Wilson 1927;
    PHEindicatormethods phe_proportion)."""
    z = z_score(confidence)
    x = _checked_counts(numerators, "numerator")
    n = _checked_denominators(denominators)
    if np.any(x > n):
        raise ValueError("numerator must not exceed denominator for a proportion")
    centre = 2 * x + z**2
    half_width = z * np.sqrt(z**2 + 4 * x * (1 - x / n))
    scale = 2 * (n + z**2)
    # The formula is exactly 0 at x = 0 and 1 at x = n, but float rounding can miss by an ulp,
    # which would put 0% or 100% outside its own interval.
    lower = np.where(x == 0, 0.0, (centre - half_width) / scale)
    upper = np.where(x == n, 1.0, (centre + half_width) / scale)
    return lower, upper


def wilson_interval(
    numerator: float, denominator: float, confidence: float = 0.95
) -> tuple[float, float]:
    """Wilson score limits of one proportion, scale 0-1 (Wilson 1927; PHEindicatormethods)."""
    lower, upper = wilson_intervals(numerator, denominator, confidence)
    return float(lower), float(upper)


def _byars_limits(counts: FloatArray, z: float) -> tuple[FloatArray, FloatArray]:
    """Byar's approximate Poisson limits on the counts (Breslow & Day 1987; PHEindicatormethods)."""
    # The lower formula divides by the count; at 0 it is undefined, and it goes negative for
    # small counts at high confidence. PHEindicatormethods reports both as NA.
    with np.errstate(divide="ignore", invalid="ignore"):
        lower = counts * (1 - 1 / (9 * counts) - z / (3 * np.sqrt(counts))) ** 3
    lower = np.where((counts > 0) & (lower >= 0), lower, np.nan)
    above = counts + 1
    upper = above * (1 - 1 / (9 * above) + z / (3 * np.sqrt(above))) ** 3
    return lower, upper


def _exact_poisson_limits(counts: FloatArray, confidence: float) -> tuple[FloatArray, FloatArray]:
    """Exact Poisson limits on the counts, chi-square quantiles (PHEindicatormethods phe_rate)."""
    tail = (1 - confidence) / 2
    # qchisq(p, 2k) / 2 is the inverse regularised lower incomplete gamma function of (k, p), as
    # scipy's chi2.ppf computes it. R's qchisq(p, df = 0) is 0 but gammaincinv(0, p) is NaN: the
    # lower limit of 0 is 0.
    lower = np.where(counts == 0, 0.0, gammaincinv(counts, tail))
    upper = gammaincinv(counts + 1, 1 - tail)
    return lower, upper


def byars_interval(count: float, confidence: float = 0.95) -> tuple[float, float]:
    """Byar's limits on a Poisson count, in events; lower NaN where undefined (count 0) or negative
    (Byar 1980 via Breslow & Day 1987; PHEindicatormethods byars_lower/upper)."""
    z = z_score(confidence)
    lower, upper = _byars_limits(_checked_counts(count, "count"), z)
    return float(lower), float(upper)


def exact_poisson_interval(count: float, confidence: float = 0.95) -> tuple[float, float]:
    """Exact Poisson limits on a count, in events; lower 0 at count 0 (chi-square method,
    PHEindicatormethods phe_rate)."""
    level = _checked_confidence(confidence)
    lower, upper = _exact_poisson_limits(_checked_counts(count, "count"), level)
    return float(lower), float(upper)


def rate_intervals(
    counts: npt.ArrayLike,
    denominators: npt.ArrayLike,
    multiplier: float,
    confidence: float = 0.95,
) -> tuple[FloatArray, FloatArray]:
    """Limits of count/denominator × multiplier: exact Poisson below 10 events, Byar's from 10
    (PHEindicatormethods phe_rate; Fingertips technical guidance)."""
    z = z_score(confidence)
    x = _checked_counts(counts, "count")
    n = _checked_denominators(denominators)
    if is_missing(multiplier) or multiplier <= 0:
        raise ValueError(f"multiplier must be > 0 (e.g. 10000 per 10,000), got {multiplier!r}")
    exact_lower, exact_upper = _exact_poisson_limits(x, confidence)
    byars_lower, byars_upper = _byars_limits(x, z)
    small = x < EXACT_BELOW
    scale = multiplier / n
    return (
        np.where(small, exact_lower, byars_lower) * scale,
        np.where(small, exact_upper, byars_upper) * scale,
    )


def rate_interval(
    count: float, denominator: float, multiplier: float, confidence: float = 0.95
) -> tuple[float, float]:
    """Limits of one rate count/denominator × multiplier, same units as the rate
    (PHEindicatormethods phe_rate: exact below 10 events, Byar's from 10)."""
    lower, upper = rate_intervals(count, denominator, multiplier, confidence)
    return float(lower), float(upper)


def rate_ci_method(count: float) -> str | None:
    """Label of the interval method rate_interval uses for `count` ('exact Poisson' below 10
    events, else "Byar's method"); None for a missing count (PHEindicatormethods phe_rate)."""
    if is_missing(count):
        return None
    if count < 0:
        raise ValueError(f"count must be >= 0, got {count!r}")
    return METHOD_EXACT if count < EXACT_BELOW else METHOD_BYARS


def proportion_ci_method() -> str:
    """Label of the interval method used for proportions: 'Wilson score' (phe_proportion)."""
    return METHOD_WILSON
