"""Text a spreadsheet could run as a formula is quoted, cell by cell or a column at once."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from lscb_metrics.intake.rules import formula_safe, inert, inert_column

#: Cells as they reach an export: text (formula signs and numbers among it), numbers, missing.
CELLS = st.one_of(
    st.text(alphabet=st.sampled_from("=+-@\t\r0123456789,.aZ ٣"), max_size=6),
    st.floats(allow_nan=True, allow_infinity=False),
    st.integers(),
    st.none(),
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('=HYPERLINK("x")', '\'=HYPERLINK("x")'),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("-12", "-12"),  # a plain number stays a number
        ("+1,480", "+1,480"),
        ("-٣", "'-٣"),  # only ASCII digits make a plain number
        ("Southend", "Southend"),
    ],
)
def test_formula_signs_are_quoted_unless_a_plain_number(text: str, expected: str) -> None:
    assert formula_safe(text) == expected


@given(st.lists(CELLS, min_size=1))
def test_a_column_at_once_is_each_cell_in_turn(cells: list[object]) -> None:
    column = pd.Series(cells, dtype=object)
    assert list(inert_column(column)) == [inert(cell) for cell in cells]


@given(st.lists(st.text(alphabet=st.sampled_from("=+-@0123456789a"), max_size=4), min_size=1))
def test_a_string_column_at_once_is_each_cell_in_turn(cells: list[str]) -> None:
    column = pd.Series(cells, dtype="str")
    assert list(inert_column(column)) == [inert(cell) for cell in cells]
