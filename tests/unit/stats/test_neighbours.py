"""Statistical-neighbour average and position within the neighbour group."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from lscb_metrics.stats import (
    HIGH_IS_GOOD,
    LOW_IS_GOOD,
    NO_JUDGEMENT,
    neighbour_average,
    rank_areas,
    rank_within_group,
    round_half_away_from_zero,
)

VALUES = {"E1": 10.0, "E2": 20.0, "E3": math.nan, "E4": 40.0}


def test_average_skips_missing_and_absent_neighbours() -> None:
    assert neighbour_average(VALUES, ["E1", "E2", "E3", "E9"]) == (15.0, 2)


def test_average_of_no_present_neighbours_is_nan_and_zero() -> None:
    average, used = neighbour_average(VALUES, ["E3", "E9"])
    assert math.isnan(average) and used == 0


def test_average_of_ten_neighbours_uses_all_ten() -> None:
    values = {f"E{i}": float(i) for i in range(10)}
    assert neighbour_average(values, list(values)) == (4.5, 10)


def test_an_average_exactly_on_a_half_is_published_rounded_up() -> None:
    """Sheffield's neighbours' 2024-25 figures for plans lasting two years or more (DfE D5
    2025): their mean is exactly 3.95, which LAIT publishes as 4.0; a binary mean
    (3.9499999999999997) would be published as 3.9."""
    figures = dict(zip("ABCDEF", [3.3, 5.0, 5.1, 5.3, 3.1, 1.9], strict=True))
    average, used = neighbour_average(figures, list(figures))
    assert used == 6
    assert round_half_away_from_zero(average, 1) == 4.0
    average, _ = neighbour_average({"A": 271.3, "B": 271.4}, ["A", "B"])
    assert round_half_away_from_zero(average, 1) == 271.4


@pytest.mark.parametrize(
    ("codes", "message"), [("E1", "sequence of codes"), (["E1", "E1"], "repeats")]
)
def test_average_rejects_bad_code_lists(codes, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        neighbour_average(VALUES, codes)


def test_full_group_of_eleven() -> None:
    neighbours = [float(v) for v in range(1, 11)]
    assert rank_within_group(5.5, neighbours, HIGH_IS_GOOD) == (6, 11)
    assert rank_within_group(5.5, neighbours, LOW_IS_GOOD) == (6, 11)
    assert rank_within_group(11.0, neighbours, HIGH_IS_GOOD) == (1, 11)
    assert rank_within_group(11.0, neighbours, LOW_IS_GOOD) == (11, 11)


def test_no_judgement_ranks_highest_first() -> None:
    assert rank_within_group(3.0, [1.0, 2.0, 4.0], NO_JUDGEMENT) == (2, 4)


def test_tie_shares_the_better_place() -> None:
    assert rank_within_group(2.0, [2.0, 3.0, 1.0], HIGH_IS_GOOD) == (2, 4)
    assert rank_within_group(2.0, [2.0, 3.0, 1.0], LOW_IS_GOOD) == (2, 4)


def test_missing_neighbours_shrink_the_group() -> None:
    assert rank_within_group(2.0, [1.0, math.nan, None, 3.0], LOW_IS_GOOD) == (2, 3)


def test_missing_area_has_no_place() -> None:
    assert rank_within_group(math.nan, [1.0, 2.0], HIGH_IS_GOOD) == (None, 2)


def test_unknown_polarity_is_rejected() -> None:
    with pytest.raises(ValueError, match="polarity"):
        rank_within_group(math.nan, [1.0], "higher")


@given(
    st.floats(0, 1000, allow_nan=False),
    st.lists(st.one_of(st.floats(0, 1000, allow_nan=False), st.just(math.nan)), max_size=10),
    st.sampled_from([HIGH_IS_GOOD, LOW_IS_GOOD, NO_JUDGEMENT]),
)
def test_place_in_the_group_is_the_rank_among_all_areas(area, neighbours, polarity) -> None:
    # The compute core calls rank_within_group for every group; it must agree with rank_areas,
    # the national ranking, on the same figures.
    present = [value for value in neighbours if not math.isnan(value)]
    expected = int(rank_areas(pd.Series([area, *present]), polarity).iloc[0])
    assert rank_within_group(area, neighbours, polarity) == (expected, len(present) + 1)
