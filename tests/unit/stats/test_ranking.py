"""Area ranks and LAIT-style quartile bands."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from lscb_metrics.stats import (
    HIGH_IS_GOOD,
    LOW_IS_GOOD,
    NO_JUDGEMENT,
    place_in_field,
    quartile_band,
    quartile_bands,
    quartile_cut_points,
    rank_areas,
)

VALUES = pd.Series([10.0, 30.0, 20.0, 30.0, math.nan], index=["a", "b", "c", "d", "e"])


@pytest.mark.parametrize(
    ("polarity", "expected"),
    [
        (HIGH_IS_GOOD, [4, 1, 3, 1, pd.NA]),
        (NO_JUDGEMENT, [4, 1, 3, 1, pd.NA]),
        (LOW_IS_GOOD, [1, 3, 2, 3, pd.NA]),
    ],
)
def test_rank_areas_ties_share_the_better_rank(polarity: str, expected: list) -> None:
    ranks = rank_areas(VALUES, polarity)
    pd.testing.assert_series_equal(ranks, pd.Series(expected, index=VALUES.index, dtype="Int64"))


def test_rank_areas_rejects_unknown_polarity() -> None:
    with pytest.raises(ValueError, match="polarity"):
        rank_areas(VALUES, "High is good")


def test_cut_points_interpolate_like_excel_percentile_inc() -> None:
    # PERCENTILE.INC({1,2,4,8}, k) sits at position (n - 1)k = 0.75, 1.5, 2.25 of the sorted
    # values: 1 + 0.75 × 1 = 1.75, 2 + 0.5 × 2 = 3, 4 + 0.25 × 4 = 5.
    assert quartile_cut_points([8.0, 1.0, math.nan, 4.0, 2.0]) == (1.75, 3.0, 5.0)


def test_cut_points_of_odd_count_hit_values() -> None:
    assert quartile_cut_points(np.array([5, 4, 3, 2, 1])) == (2.0, 3.0, 4.0)


def test_cut_points_need_a_value() -> None:
    with pytest.raises(ValueError, match="at least one"):
        quartile_cut_points([math.nan])


CUTS = (1.75, 3.0, 5.0)


@pytest.mark.parametrize(
    ("value", "high_is_good", "low_is_good"),
    [
        (6.0, "A", "D"),
        (5.0, "B", "C"),  # on Q3: in (Q2, Q3], B when high is good
        (4.0, "B", "C"),
        (3.0, "C", "B"),  # on Q2: in (Q1, Q2]
        (2.0, "C", "B"),
        (1.75, "D", "A"),  # on Q1: in [min, Q1]
        (1.0, "D", "A"),
    ],
)
def test_quartile_band_puts_cut_point_values_in_the_quarter_below(
    value: float, high_is_good: str, low_is_good: str
) -> None:
    assert quartile_band(value, CUTS, HIGH_IS_GOOD) == high_is_good
    assert quartile_band(value, CUTS, LOW_IS_GOOD) == low_is_good


def test_quartile_band_is_none_without_judgement_or_value() -> None:
    assert quartile_band(4.0, CUTS, NO_JUDGEMENT) is None
    assert quartile_band(math.nan, CUTS, HIGH_IS_GOOD) is None


@pytest.mark.parametrize("cuts", [(3.0, 1.75, 5.0), (1.0, math.nan, 2.0), (1.0, 2.0)])
def test_quartile_band_rejects_bad_cut_points(cuts: tuple) -> None:
    with pytest.raises(ValueError, match="cut_points"):
        quartile_band(1.0, cuts, HIGH_IS_GOOD)


def test_quartile_bands_of_a_series() -> None:
    values = pd.Series([1.0, 2.0, 4.0, 8.0, math.nan], index=list("vwxyz"))
    bands = quartile_bands(values, LOW_IS_GOOD)
    assert bands.to_dict() == {"v": "A", "w": "B", "x": "C", "y": "D", "z": None}


def test_quartile_bands_without_judgement_or_values_are_none() -> None:
    assert quartile_bands(pd.Series([1.0, 2.0]), NO_JUDGEMENT).tolist() == [None, None]
    assert quartile_bands(pd.Series([math.nan]), HIGH_IS_GOOD).tolist() == [None]


FIELD = {"a": 10.0, "b": 30.0, "c": 20.0, "d": 30.0}


@pytest.mark.parametrize("polarity", [HIGH_IS_GOOD, NO_JUDGEMENT, LOW_IS_GOOD])
@pytest.mark.parametrize("area", ["a", "b", "c", "new"])
@pytest.mark.parametrize("value", [5.0, 10.0, 25.0, 30.0, 35.0])
def test_place_in_field_is_the_rank_areas_gives_the_area_with_its_value_in_place(
    polarity, area, value
):
    # An area's quarter takes its place in the published field in place of its published
    # figure (or beside the field where it has none), as rank_areas would rank it there.
    placed = pd.Series({**{k: v for k, v in FIELD.items() if k != area}, area: value})
    expected = (int(rank_areas(placed, polarity)[area]), len(placed))
    ordered = sorted(FIELD.values())
    assert place_in_field(ordered, value, FIELD.get(area), polarity) == expected


def test_place_in_field_of_a_tie_shares_the_better_rank():
    # 30 beside two published 30s (b, d) and one 20: ranked 1 of 4 where high is good, as LAIT
    # ranks ties; area c's own 20 is replaced, so it is not counted behind.
    assert place_in_field([10.0, 20.0, 30.0, 30.0], 30.0, 20.0, HIGH_IS_GOOD) == (1, 4)
    assert place_in_field([10.0, 20.0, 30.0, 30.0], 30.0, 20.0, LOW_IS_GOOD) == (2, 4)
