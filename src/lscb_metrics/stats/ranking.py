"""Ranks and quartile bands of areas, as in the DfE Local Authority Interactive Tool (LAIT).

Quartile cut-points are Excel PERCENTILE.INC (numpy's default 'linear' method, R's default
quantile type 7) over the areas with a value. Band A is the best quarter and D the worst; where
the polarity makes no judgement there is no best, so no band.

Boundary convention, as LAIT's `calculate_quartile_band` (dfe-analytical-services/
local-authority-interactive-tool, R/fn_analysis.R): the quarters are the closed-above intervals
[min, Q1], (Q1, Q2], (Q2, Q3], (Q3, max] of the values, so a value equal to a cut-point falls in
the quarter *below* it. With low_is_good those are A, B, C, D (A is value <= Q1); with
high_is_good they are D, C, B, A (A is value > Q3, and a value on Q3 is B).
Ties in ranks share the better rank (pandas method='min', R's ties.method = "min").
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from lscb_metrics.stats._validate import is_missing
from lscb_metrics.stats.polarity import LOW_IS_GOOD, NO_JUDGEMENT, checked_polarity

QUARTILE_BANDS: tuple[str, ...] = ("A", "B", "C", "D")


def rank_areas(values: pd.Series, polarity: str) -> pd.Series:
    """Rank of each area, 1 = best (1 = highest for no_judgement), ties sharing the smaller rank,
    missing values unranked; Int64 (DfE LAIT ranking)."""
    checked_polarity(polarity)
    ranks = pd.to_numeric(values).rank(
        method="min", ascending=polarity == LOW_IS_GOOD, na_option="keep"
    )
    return ranks.astype("Int64")


def place_in_field(
    ordered: Sequence[float], value: float, own: float | None, polarity: str
) -> tuple[int, int]:
    """Rank of `value` (1 = best, or highest for no_judgement; ties share the better rank) and
    of how many, among a field of figures `ordered` ascending with the area's own figure `own`
    (None: it has none) replaced by `value`: `rank_areas` of one area (DfE LAIT ranking)."""
    checked_polarity(polarity)
    if polarity == LOW_IS_GOOD:
        ahead = bisect_left(ordered, value) - (own is not None and own < value)
    else:
        ahead = len(ordered) - bisect_right(ordered, value) - (own is not None and own > value)
    return ahead + 1, len(ordered) + (own is None)


def quartile_cut_points(values: Iterable[float]) -> tuple[float, float, float]:
    """Lower quartile, median and upper quartile of the non-missing values, interpolated as
    Excel PERCENTILE.INC (numpy 'linear'; DfE LAIT quartile banding)."""
    present = pd.to_numeric(pd.Series(list(values))).dropna()
    if present.empty:
        raise ValueError("quartile cut-points need at least one non-missing value")
    q1, q2, q3 = np.percentile(present.to_numpy(dtype=np.float64), [25, 50, 75], method="linear")
    return float(q1), float(q2), float(q3)


def quartile_band(
    value: float, cut_points: tuple[float, float, float], polarity: str
) -> str | None:
    """Quartile band 'A' (best quarter) to 'D' (worst) of `value`; None if missing or polarity
    is no_judgement. A value on a cut-point is in the quarter below it (DfE LAIT banding)."""
    checked_polarity(polarity)
    if len(cut_points) != 3 or any(is_missing(point) for point in cut_points):
        raise ValueError(f"cut_points must be three numbers (Q1, Q2, Q3), got {cut_points!r}")
    if not cut_points[0] <= cut_points[1] <= cut_points[2]:
        raise ValueError(f"cut_points must be in ascending order, got {cut_points!r}")
    if polarity == NO_JUDGEMENT or is_missing(value):
        return None
    # The quarter counted from the lowest values: a value on a cut-point is not above it.
    quarter = sum(value > point for point in cut_points)
    return QUARTILE_BANDS[quarter if polarity == LOW_IS_GOOD else len(QUARTILE_BANDS) - 1 - quarter]


def quartile_bands(values: pd.Series, polarity: str) -> pd.Series:
    """Quartile band A-D of each area against cut-points from these same values; None where
    missing or no_judgement (DfE LAIT quartile banding)."""
    checked_polarity(polarity)
    numbers = pd.to_numeric(values)
    if polarity == NO_JUDGEMENT or numbers.isna().all():
        return pd.Series([None] * len(values), index=values.index, dtype="object")
    cut_points = quartile_cut_points(numbers)
    bands = [quartile_band(value, cut_points, polarity) for value in numbers]
    return pd.Series(bands, index=values.index, dtype="object")
