"""Disclosure control and publication rounding for figures that leave the warehouse.

Sources: DfE children-in-need and children-looked-after data guidance (explore-education-
statistics): counts of 1 to 5 are replaced by 'c', with secondary suppression where needed; 0 is
a true zero; England and regional counts are rounded to the nearest 10. Symbols follow the GSS /
Analysis Function "Using symbols and shorthand" (2022): c, x, z, u and low.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from lscb_metrics.stats._validate import is_missing
from lscb_metrics.stats.rounding import (
    round_half_away_from_zero,
    round_to_base,
    rounded_half_away_from_zero,
)

SUPPRESSED = "c"
NOT_AVAILABLE = "x"
NOT_APPLICABLE = "z"
LOW = "low"
LOW_RELIABILITY = "u"

#: Publication symbol -> its meaning in plain English, for the notes beside every table.
SYMBOL_NOTES: dict[str, str] = {
    SUPPRESSED: "Suppressed to protect confidentiality: a count of 1 to 5, or a figure that "
    "would let one be worked out (for example by subtracting the other figures from a total).",
    NOT_AVAILABLE: "Not available: the figure was not collected or cannot be provided.",
    NOT_APPLICABLE: "Not applicable: there is no figure to give here.",
    LOW: "Low: more than zero but rounds to zero at the decimal places shown (for example "
    "fewer than 0.5).",
    LOW_RELIABILITY: "Low reliability: the publisher withheld the figure as unreliable.",
}

#: The largest count of children that is never published: DfE suppresses counts of 1 to 5.
SMALL_COUNT_MAX = 5
#: National and Regional counts are published to the nearest multiple of this (DfE).
NATIONAL_ROUNDING_BASE = 10


@dataclass(frozen=True)
class _Line:
    """Cells that add up to a total, as flat positions in the table's count matrix."""

    parts: npt.NDArray[np.intp]
    total: int | None  # None: the total is published outside this table


def _checked_bounds(low: float, high: float) -> None:
    """Raise ValueError unless 0 < low <= high (a zero count is never suppressed)."""
    if not 0 < low <= high:
        raise ValueError(f"need 0 < low <= high (zero is never suppressed), got {low}, {high}")


def _is_small(counts: npt.ArrayLike, low: float, high: float) -> npt.NDArray[np.bool_]:
    """True where a count lies in [low, high] (DfE: 1 to 5); False for NaN and zero."""
    numbers = np.asarray(counts, dtype=np.float64)
    return (numbers >= low) & (numbers <= high)


def _checked_counts(column: pd.Series, name: str) -> pd.Series:
    """`column` as float counts (NaN where missing) once every present count is >= 0."""
    try:
        numbers = pd.to_numeric(column).astype("float64")
    except (TypeError, ValueError) as error:
        raise ValueError(f"{name} must hold numeric counts: {error}") from None
    if (numbers < 0).any():
        raise ValueError(f"{name} must hold counts >= 0, got minimum {numbers.min()}")
    return numbers


def _checked_layout(
    table: pd.DataFrame, counts: list[str], groups: list[str], total: str | None
) -> None:
    """Raise ValueError unless the named columns exist and no column has two roles."""
    named = counts + groups + ([total] if total is not None else [])
    missing = [column for column in named if column not in table.columns]
    if missing:
        raise ValueError(f"table has no column(s) {missing}")
    if not counts:
        raise ValueError("count_columns must name at least one column")
    if len(set(named)) != len(named):
        raise ValueError(
            "count_columns, group_columns and total_column must not share a column, got "
            f"{counts}, {groups}, {total!r}"
        )


def _lines(
    group_rows: Iterable[npt.NDArray[np.intp]], n_rows: int, n_counts: int, has_total: bool
) -> tuple[list[_Line], dict[int, _Line]]:
    """Every line of the count matrix (each row's counts with its total, then each group's column
    with its published group total) and, per cell, the group-column line it belongs to."""
    width = n_counts + has_total
    row_lines = (
        _Line(row * width + np.arange(n_counts), row * width + n_counts) for row in range(n_rows)
    )
    lines = list(row_lines) if has_total else []
    column_lines: dict[int, _Line] = {}
    for rows in group_rows:
        for column in range(width):
            line = _Line(rows * width + column, None)
            lines.append(line)
            column_lines.update(dict.fromkeys(line.parts.tolist(), line))
    return lines, column_lines


def _reveals_suppressed(
    line: _Line, hidden: npt.NDArray[np.bool_], suppressed: npt.NDArray[np.bool_]
) -> bool:
    """True when the line's shown total minus its shown parts gives a suppressed cell exactly."""
    if line.total is not None and hidden[line.total]:
        return False
    hidden_parts = line.parts[hidden[line.parts]]
    return hidden_parts.size == 1 and bool(suppressed[hidden_parts[0]])


def _stays_protected(
    cell: int,
    values: npt.NDArray[np.float64],
    hidden: npt.NDArray[np.bool_],
    column_lines: dict[int, _Line],
) -> bool:
    """False when hiding `cell` would leave it alone among zeros in its group's column, where
    the published group total would show it and nothing in the table could cover it."""
    line = column_lines.get(cell)
    if line is None:
        return True
    others = line.parts[line.parts != cell]
    return bool(np.any(hidden[others] | (values[others] != 0)))


def _covering_cell(
    line: _Line,
    values: npt.NDArray[np.float64],
    hidden: npt.NDArray[np.bool_],
    column_lines: dict[int, _Line],
) -> int | None:
    """Cell to suppress so `line` stops revealing its suppressed part: its smallest non-zero
    shown part (first on ties) that stays protected, else its own total; None if neither."""
    candidates = line.parts[~hidden[line.parts] & (values[line.parts] != 0)]
    for cell in candidates[np.argsort(values[candidates], kind="stable")]:
        if _stays_protected(int(cell), values, hidden, column_lines):
            return int(cell)
    return line.total


def _secondary_suppression(
    values: npt.NDArray[np.float64],
    suppressed: npt.NDArray[np.bool_],
    lines: list[_Line],
    column_lines: dict[int, _Line],
) -> npt.NDArray[np.bool_]:
    """`suppressed` widened until no line reveals a suppressed cell by subtraction (DfE
    secondary suppression)."""
    suppressed = suppressed.copy()
    hidden = suppressed | np.isnan(values)
    # Covering one line can expose a crossing line, so sweep until a sweep changes nothing.
    changed = True
    while changed:
        changed = False
        for line in lines:
            if not _reveals_suppressed(line, hidden, suppressed):
                continue
            cell = _covering_cell(line, values, hidden, column_lines)
            # No cell: the line's other parts are all 0, so its published total is the
            # suppressed count itself, a count of 1 to 5 that is suppressed wherever it is shown.
            if cell is not None:
                suppressed[cell] = hidden[cell] = True
                changed = True
    return suppressed


def _breakdown_rows(
    table: pd.DataFrame, groups: list[str], values: npt.NDArray[np.float64]
) -> list[npt.NDArray[np.intp]]:
    """Row positions of each group that has at least two rows with a non-zero (or missing) cell."""
    if groups:
        group_rows = table.groupby(groups, sort=False, dropna=False).indices.values()
    else:
        group_rows = [np.arange(len(table))]
    # A group with one such row repeats that row in its totals: there is nothing to subtract.
    row_in_use = (values != 0).any(axis=1)
    return [np.asarray(rows) for rows in group_rows if row_in_use[rows].sum() >= 2]


def suppress_small_counts(
    table: pd.DataFrame,
    count_columns: Sequence[str],
    *,
    group_columns: Sequence[str],
    total_column: str | None = None,
    low: float = 1,
    high: float = SMALL_COUNT_MAX,
) -> pd.DataFrame:
    """Copy of `table` with counts in [low, high] and the cells that would reveal them set to
    'c' (object columns); 0 and NaN kept (DfE primary and secondary suppression, counts 1-5).

    Layout: one row per part of a breakdown. Rows with equal `group_columns` are the parts of
    one group (e.g. the categories of one area and period); each count column adds up over them
    to a group total that is taken to be published, as DfE publishes a Total with every
    breakdown, so leave Total rows out of `table`. `total_column`, if given, is each row's total
    of `count_columns`, shown in the table and suppressed like any count.

    Secondary suppression: while a row (its counts and shown total) or a group's column (its
    counts and the group total) has exactly one hidden cell and that cell is suppressed, its
    smallest non-zero shown part is suppressed too (first in table order on ties). A part is
    passed over when that would leave it alone among zeros in its group's column, where the
    group total would show it; the row's total is suppressed instead.
    """
    counts, groups = list(count_columns), list(group_columns)
    _checked_layout(table, counts, groups, total_column)
    _checked_bounds(low, high)
    cells = counts + ([total_column] if total_column is not None else [])
    matrix = np.column_stack([_checked_counts(table[column], column) for column in cells])
    lines, column_lines = _lines(
        _breakdown_rows(table, groups, matrix), len(table), len(counts), total_column is not None
    )
    suppressed = _secondary_suppression(
        matrix.ravel(), _is_small(matrix, low, high).ravel(), lines, column_lines
    ).reshape(matrix.shape)
    result = table.copy()
    for position, column in enumerate(cells):
        shown = table[column].to_numpy(dtype=object)
        result[column] = pd.Series(
            np.where(suppressed[:, position], SUPPRESSED, shown), index=table.index, dtype=object
        )
    return result


def _counts_or_suppressed(counts: pd.Series, name: str) -> tuple[pd.Series, pd.Series]:
    """(float counts with NaN for 'c', True where the count is already 'c') of `counts`."""
    already = counts.astype(object).eq(SUPPRESSED)
    return _checked_counts(counts.where(~already), name), already


def suppress_derived(
    values: pd.Series,
    numerators: pd.Series,
    denominators: pd.Series | None = None,
    *,
    low: float = 1,
    high: float = 5,
) -> pd.Series:
    """`values` (rates or percentages) as objects, 'c' where the numerator is 1-5 or already 'c'
    and, for percentages (pass `denominators`), where denominator - numerator is 1-5 (DfE)."""
    _checked_bounds(low, high)
    if not numerators.index.equals(values.index) or (
        denominators is not None and not denominators.index.equals(values.index)
    ):
        raise ValueError("values, numerators and denominators must share one index")
    numbers, hide = _counts_or_suppressed(numerators, "numerators")
    hide = hide | _is_small(numbers, low, high)
    if denominators is not None:
        totals, total_hidden = _counts_or_suppressed(denominators, "denominators")
        if (numbers > totals).any():
            raise ValueError("numerators must not exceed denominators for a percentage")
        # The complement (e.g. children not seen in time) discloses as much as the count.
        hide = hide | total_hidden | _is_small(totals - numbers, low, high)
    return values.astype(object).mask(hide, SUPPRESSED)


def publication_value(value: float | str | None, decimals: int) -> float | str:
    """`value` as published: rounded to `decimals` halves away from zero, 'low' if it rounds to
    0 but is not 0, 'x' if missing; a symbol in SYMBOL_NOTES passes through (DfE/GSS)."""
    if isinstance(value, str):
        if value not in SYMBOL_NOTES:
            raise ValueError(f"expected a number or one of {list(SYMBOL_NOTES)}, got {value!r}")
        return value
    if is_missing(value):
        return NOT_AVAILABLE
    rounded = round_half_away_from_zero(value, decimals)
    return LOW if rounded == 0 and value != 0 else rounded


def publication_values(values: pd.Series, decimals: pd.Series) -> pd.Series:
    """`publication_value` of each of `values` at its row's `decimals`, as objects: numbers,
    'low', 'x' or the symbol given (DfE/GSS); ValueError for any other text."""
    text = values.map(lambda value: isinstance(value, str)).astype(bool)
    unknown = set(values[text]) - set(SYMBOL_NOTES)
    if unknown:
        raise ValueError(f"expected numbers or one of {list(SYMBOL_NOTES)}, got {sorted(unknown)}")
    numbers = pd.to_numeric(values.mask(text), errors="coerce").to_numpy(dtype="float64")
    rounded = rounded_half_away_from_zero(numbers, decimals.to_numpy())
    # Filled as an array, by position: a Series assignment per symbol costs more than the rows.
    published = rounded.astype(object)
    is_text = text.to_numpy()
    published[(rounded == 0) & (numbers != 0)] = LOW
    published[np.isnan(numbers) & ~is_text] = NOT_AVAILABLE
    published[is_text] = values.to_numpy(dtype=object)[is_text]
    return pd.Series(published, index=values.index, dtype=object)


def round_national_count(value: float) -> float:
    """A National or Regional count rounded to the nearest 10, halves up; NaN kept (DfE
    children's social care statistics)."""
    if is_missing(value):
        return math.nan
    if value < 0:
        raise ValueError(f"a count must be >= 0, got {value!r}")
    return round_to_base(value, NATIONAL_ROUNDING_BASE)
