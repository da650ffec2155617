"""Reading published cells: numbers, GSS/DfE suppression symbols, blanks, and unknown text."""

from __future__ import annotations

import math
import re

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from lscb_metrics.reference.symbols import (
    GSS_SYMBOL,
    SYMBOLS,
    parse_published_value,
    published_values,
)
from lscb_metrics.stats.disclosure import SYMBOL_NOTES

CASES = [
    ("1,234", (1234.0, None)),
    (" 12 ", (12.0, None)),
    ("0", (0.0, None)),
    ("63.800000000000004", (63.800000000000004, None)),
    ("7.0000000000000007E-2", (0.07, None)),
    ("-3.5", (-3.5, None)),
    ("c", (None, "c")),
    ("x", (None, "x")),
    ("z", (None, "z")),
    ("low", (None, "low")),
    ("u", (None, "u")),
    (":", (None, ":")),
    ("..", (None, "..")),
    ("-", (None, "-")),
    ("[c]", (None, "c")),  # GSS writes symbols in square brackets
    (" C ", (None, "c")),
    ("", (None, None)),
    ("   ", (None, None)),
    (float("nan"), (None, None)),
    (None, (None, None)),
    (5, (5.0, None)),
]


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_parse_published_value_reads_numbers_symbols_and_blanks(text, expected) -> None:
    assert parse_published_value(text) == expected


@pytest.mark.parametrize("text", ["abc", "1,23", "12%", "nan", "inf", "1.2.3", "*"])
def test_unknown_text_raises_value_error_naming_it(text: str) -> None:
    with pytest.raises(ValueError, match=re.escape(repr(text))):
        parse_published_value(text)


def test_every_symbol_has_a_meaning() -> None:
    assert all(meaning.strip() for meaning in SYMBOLS.values())
    assert {"c", "x", "z", "low", ":", "..", "-"} <= set(SYMBOLS)


def test_published_values_matches_inline_column_and_names_the_source_on_error() -> None:
    cells = pd.Series(["2020", "c", "", "1,057", "x"], dtype="str")
    parsed = published_values(cells, "c1.csv column referral_count")
    assert parsed["value"].tolist()[0] == 2020.0
    assert parsed["value"].tolist()[3] == 1057.0
    assert parsed["symbol"].tolist() == [None, "c", None, None, "x"]
    with pytest.raises(ValueError, match=r"c1\.csv column referral_count.*'n/a'"):
        published_values(pd.Series(["1", "n/a"], dtype="str"), "c1.csv column referral_count")


finite = st.floats(allow_nan=False, allow_infinity=False, width=64)
cells = st.one_of(
    finite.map(repr),
    st.integers(min_value=-(10**12), max_value=10**12).map(lambda n: f"{n:,}"),
    st.sampled_from(sorted(SYMBOLS)),
    st.sampled_from(["", " ", "\t"]),
)


@given(finite)
def test_any_printed_float_reads_back_exactly(number: float) -> None:
    assert parse_published_value(f"  {number!r} ") == (number, None)


@given(st.integers(min_value=-(10**15), max_value=10**15))
def test_any_integer_with_thousands_separators_reads_back(number: int) -> None:
    assert parse_published_value(f"{number:,}") == (float(number), None)


@given(st.sampled_from(sorted(SYMBOLS)), st.booleans(), st.booleans())
def test_any_symbol_in_any_case_or_brackets_is_withheld(
    symbol: str, upper: bool, bracketed: bool
) -> None:
    text = symbol.upper() if upper else symbol
    text = f"[{text}]" if bracketed else text
    assert parse_published_value(f" {text} ") == (None, symbol)


@given(st.lists(cells, max_size=30))
def test_vectorised_form_agrees_with_the_scalar_form(texts: list[str]) -> None:
    parsed = published_values(pd.Series(texts, dtype="str"), "inline")
    for text, value, symbol in zip(texts, parsed["value"], parsed["symbol"], strict=True):
        expected_value, expected_symbol = parse_published_value(text)
        assert symbol == expected_symbol
        assert (math.isnan(value) and expected_value is None) or value == expected_value


@given(st.text(max_size=12))
def test_any_text_is_a_value_a_symbol_a_blank_or_a_named_error(text: str) -> None:
    try:
        value, symbol = parse_published_value(text)
    except ValueError as error:
        assert repr(text) in str(error)
    else:
        assert value is None or symbol is None
        assert symbol is None or symbol in SYMBOLS


def test_every_symbol_read_is_republished_as_one_the_notes_explain() -> None:
    assert GSS_SYMBOL.keys() == SYMBOLS.keys()
    assert set(GSS_SYMBOL.values()) == set(SYMBOL_NOTES)
