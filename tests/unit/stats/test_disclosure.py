"""Disclosure control and publication rounding: DfE suppression of 1-5, GSS symbols."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lscb_metrics.stats.disclosure import (
    SYMBOL_NOTES,
    publication_value,
    round_national_count,
    suppress_derived,
    suppress_small_counts,
)


def breakdown(counts: list[float], area: str = "E06000033") -> pd.DataFrame:
    """One area's categories, one row each, as a long table."""
    return pd.DataFrame(
        {"area": area, "category": [f"cat{i}" for i in range(len(counts))], "count": counts}
    )


def test_symbol_notes_explain_each_symbol_used() -> None:
    assert set(SYMBOL_NOTES) == {"c", "x", "z", "u", "low"}
    assert all(note.strip() for note in SYMBOL_NOTES.values())


def test_primary_suppression_replaces_counts_of_1_to_5() -> None:
    # Each area stands alone (one row per group), so there is no total to subtract from.
    table = pd.DataFrame({"area": ["a", "b", "c", "d", "e"], "count": [0, 1, 5, 6, 40]})
    result = suppress_small_counts(table, ["count"], group_columns=["area"])
    assert result["count"].tolist() == [0, "c", "c", 6, 40]
    assert result["count"].dtype == object
    assert table["count"].tolist() == [0, 1, 5, 6, 40]  # the input is not changed


def test_secondary_suppression_hides_the_next_smallest_part_of_a_total() -> None:
    # The area's total (60) is published, so 60 - 12 - 45 would give the 3 back: the next
    # smallest part, 12, is suppressed as well.
    result = suppress_small_counts(breakdown([3, 45, 12]), ["count"], group_columns=["area"])
    assert result["count"].tolist() == ["c", 45, "c"]


def test_secondary_suppression_uses_a_row_total_shown_in_the_table() -> None:
    # Wide layout: the total column beside the parts would give the 2 back by subtraction.
    table = pd.DataFrame({"area": ["a"], "boys": [2], "girls": [30], "all": [32]})
    result = suppress_small_counts(
        table, ["boys", "girls"], group_columns=["area"], total_column="all"
    )
    assert result.iloc[0].tolist() == ["a", "c", "c", 32]


def test_zero_is_kept_and_never_used_for_secondary_suppression() -> None:
    # A true zero discloses nothing, and suppressing it would not hide the 4: the 50 goes instead.
    result = suppress_small_counts(breakdown([0, 4, 0, 50]), ["count"], group_columns=["area"])
    assert result["count"].tolist() == [0, "c", 0, "c"]


def test_two_suppressed_parts_need_no_secondary_suppression() -> None:
    # 80 - 70 = 6, the sum of two cells, which reveals neither of them.
    result = suppress_small_counts(breakdown([2, 4, 70]), ["count"], group_columns=["area"])
    assert result["count"].tolist() == ["c", "c", 70]


def test_groups_are_protected_separately() -> None:
    table = pd.concat([breakdown([3, 20, 30], "a"), breakdown([10, 20, 30], "b")])
    result = suppress_small_counts(table, ["count"], group_columns=["area"])
    assert result["count"].tolist() == ["c", "c", 30, 10, 20, 30]


def test_derived_rate_with_a_numerator_of_1_to_5_is_suppressed() -> None:
    # 4 referrals per 10,000 children gives the 4 back from the published population.
    rates = pd.Series([2.0, 12.5, math.nan])
    result = suppress_derived(rates, pd.Series([4, 25, math.nan]))
    assert result.tolist()[:2] == ["c", 12.5]
    assert math.isnan(result.iloc[2])


def test_derived_percentage_with_1_to_5_left_over_is_suppressed() -> None:
    # 96% of 50 reveals the 2 children not counted; the 'c' numerator propagates from counts.
    percentages = pd.Series([96.0, 50.0, 10.0])
    result = suppress_derived(
        percentages, pd.Series([48, 25, "c"], dtype=object), pd.Series([50, 50, 30])
    )
    assert result.tolist() == ["c", 50.0, "c"]


@pytest.mark.parametrize(
    ("value", "decimals", "expected"),
    [
        (0.04, 1, "low"),  # rounds to 0.0 but is not zero
        (-0.04, 1, "low"),
        (0.0, 1, 0.0),  # a true zero
        (0.05, 1, 0.1),  # halves away from zero
        (12.345, 2, 12.35),
        (math.nan, 1, "x"),
        (None, 1, "x"),
        ("c", 1, "c"),  # already suppressed
    ],
)
def test_publication_value(value: float | str | None, decimals: int, expected: object) -> None:
    assert publication_value(value, decimals) == expected


@pytest.mark.parametrize(
    ("value", "expected"), [(1234, 1230.0), (1235, 1240.0), (4, 0.0), (0, 0.0)]
)
def test_round_national_count_to_the_nearest_10(value: float, expected: float) -> None:
    assert round_national_count(value) == expected


def test_round_national_count_keeps_missing() -> None:
    assert math.isnan(round_national_count(math.nan))


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: suppress_small_counts(breakdown([1]), ["n"], group_columns=[]), "no column"),
        (
            lambda: suppress_small_counts(breakdown([1]), ["count"], group_columns=["count"]),
            "must not share",
        ),
        (lambda: suppress_small_counts(breakdown([-1]), ["count"], group_columns=[]), ">= 0"),
        (lambda: suppress_small_counts(breakdown(["c"]), ["count"], group_columns=[]), "numeric"),
        (
            lambda: suppress_small_counts(breakdown([1]), ["count"], group_columns=[], low=0),
            "zero is never suppressed",
        ),
        (lambda: suppress_derived(pd.Series([1.0]), pd.Series([1], index=[5])), "one index"),
        (lambda: publication_value("n/a", 1), "expected a number"),
        (lambda: round_national_count(-10), ">= 0"),
    ],
)
def test_invalid_inputs_raise(call: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        call()  # type: ignore[operator]


COUNTS = st.one_of(st.just(0), st.integers(1, 5), st.integers(6, 60))


@st.composite
def tables(draw: st.DrawFn) -> tuple[pd.DataFrame, list[str], bool]:
    """Groups of 1-4 parts in 1-3 count columns, with or without each row's total beside them."""
    columns = [f"n{i}" for i in range(draw(st.integers(1, 3)))]
    with_total = draw(st.booleans())
    rows = []
    for group in range(draw(st.integers(1, 3))):
        for _ in range(draw(st.integers(1, 4))):
            row = {"group": group} | {column: draw(COUNTS) for column in columns}
            if with_total:
                row["total"] = sum(row[column] for column in columns)
            rows.append(row)
    return pd.DataFrame(rows), columns, with_total


def revealed(parts: list[object], total_shown: bool) -> bool:
    """True when the shown total minus the shown parts gives exactly one suppressed part."""
    return total_shown and sum(part == "c" for part in parts) == 1


# pandas makes each example take a few milliseconds, and a slow first one is not a failure.
@settings(deadline=None)
@given(tables())
def test_no_suppressed_count_can_be_recovered(drawn: tuple[pd.DataFrame, list[str], bool]) -> None:
    table, columns, with_total = drawn
    cells = columns + (["total"] if with_total else [])
    result = suppress_small_counts(
        table, columns, group_columns=["group"], total_column="total" if with_total else None
    )
    shown = result[cells].to_numpy().tolist()
    original = table[cells].to_numpy().tolist()
    for shown_row, original_row in zip(shown, original, strict=True):
        for value, count in zip(shown_row, original_row, strict=True):
            # A count is shown unchanged or as 'c'; a zero is always shown, a 1 to 5 never.
            if value == "c":
                assert count != 0
            else:
                assert value == count and not 1 <= value <= 5
        if with_total:
            assert not revealed(shown_row[:-1], shown_row[-1] != "c")
    groups = table["group"].tolist()
    for group in set(groups):
        rows = [i for i, g in enumerate(groups) if g == group]
        # Group totals are published elsewhere, and there suppressed if 1 to 5; a group with one
        # non-zero row repeats that row in its totals, so it has nothing to subtract.
        if sum(any(original[i]) for i in rows) < 2:
            continue
        for position in range(len(cells)):
            group_total = sum(original[i][position] for i in rows)
            parts = [shown[i][position] for i in rows]
            assert not revealed(parts, not 1 <= group_total <= 5)
