"""The open-data file's rows as text: the order key sorts rows as pandas sorts their keys, and a
CSV line is what pandas' to_csv writes for the row."""

from __future__ import annotations

import io
import math

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from lscb_metrics.intake.rules import inert
from lscb_metrics.publish.exports import ORDER_DIGITS, csv_line, csv_lines, order_key

# Keys as the open-data rows hold them: codes and ISO dates (text read from UTF-8, so no lone
# surrogates), a level or an indicator's place in the catalogue (whole numbers), and missing
# values of both.
characters = st.characters(min_codepoint=32, exclude_categories=("Cs",))
texts = st.one_of(st.none(), st.text(alphabet=characters, max_size=6))
numbers = st.one_of(st.just(math.nan), st.integers(min_value=0, max_value=10**ORDER_DIGITS - 1))
rows = st.lists(st.tuples(texts, numbers, texts), min_size=1, max_size=30)


@given(rows)
def test_the_order_key_sorts_rows_as_pandas_sorts_their_keys_missing_first(
    keys: list[tuple[object, ...]],
) -> None:
    frame = pd.DataFrame(keys, columns=["a", "b", "c"], dtype=object).astype({"b": float})
    expected = frame.sort_values(["a", "b", "c"], kind="stable", na_position="first").index
    ordered = sorted(range(len(keys)), key=lambda i: order_key(frame.loc[i].tolist()))
    assert ordered == list(expected)


@pytest.mark.parametrize("key", [-1, 2.5, 10**ORDER_DIGITS])
def test_a_key_that_is_not_a_whole_number_from_0_is_refused(key: float) -> None:
    with pytest.raises(ValueError, match="whole number from 0"):
        order_key(["E06000033", key])


cells = st.one_of(st.none(), st.just(math.nan), st.text(max_size=8))


@given(st.lists(cells, min_size=1, max_size=6))
def test_a_csv_line_is_what_pandas_writes_for_the_row(row: list[object]) -> None:
    frame = pd.DataFrame([row], dtype=object)
    buffer = io.StringIO()
    frame.to_csv(buffer, index=False, header=False, lineterminator="\n")
    assert csv_line(row) == buffer.getvalue()


@given(st.lists(st.lists(cells, min_size=3, max_size=3), min_size=1, max_size=8))
def test_csv_lines_are_the_csv_lines_of_the_rows_made_inert(rows: list[list[object]]) -> None:
    frame = pd.DataFrame(rows, dtype=object)
    assert csv_lines(frame) == [csv_line(inert(cell) for cell in row) for row in rows]
