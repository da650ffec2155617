"""Ranks and quartile bands of areas, as in the DfE Local Authority Interactive Tool (LAIT).

Quartile cut-points are Excel PERCENTILE.INC (numpy's default 'linear' method) over the areas
with a value. Band A is the best quarter and D the worst; where the polarity makes no judgement
there is no best, so no band.

Boundary convention: a value equal to a cut-point falls in the *better* band. With high_is_good,
A is value >= Q3, B is Q2 <= value < Q3, C is Q1 <= value < Q2, D is value < Q1; with
low_is_good, A is value <= Q1, B is Q1 < value <= Q2, C is Q2 < value <= Q3, D is value > Q3.
Ties in ranks likewise share the better rank (pandas method='min').
"""

from __future__ import annotations

from collections.abc import Iterable

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
    is no_judgement. A value on a cut-point gets the better band (DfE LAIT quartile banding)."""
    checked_polarity(polarity)
    if len(cut_points) != 3 or any(is_missing(point) for point in cut_points):
        raise ValueError(f"cut_points must be three numbers (Q1, Q2, Q3), got {cut_points!r}")
    if not cut_points[0] <= cut_points[1] <= cut_points[2]:
        raise ValueError(f"cut_points must be in ascending order, got {cut_points!r}")
    if polarity == NO_JUDGEMENT or is_missing(value):
        return None
    # Each cut-point the value is strictly worse than moves it one band down, so a value equal
    # to a cut-point stays in the better band.
    if polarity == LOW_IS_GOOD:
        bands_down = sum(value > point for point in cut_points)
    else:
        bands_down = sum(value < point for point in cut_points)
    return QUARTILE_BANDS[bands_down]


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
