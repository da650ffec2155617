"""What an unexpected error's message may show: `errors.without_quoted_text`."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from lscb_metrics.errors import WITHHELD_QUOTE, without_quoted_text

unquoted = st.text(st.characters(blacklist_characters="'\"\n"), max_size=40)


def test_what_a_message_quotes_is_withheld_and_the_rest_kept():
    message = """invalid literal for int() with base 10: 'Jane Smith' in "returns/J Smith.csv\""""
    assert without_quoted_text(message) == "invalid literal for int() with base 10: '…' in '…'"


@given(unquoted)
def test_a_message_that_quotes_nothing_is_kept_as_it_is(text):
    assert without_quoted_text(text) == text


@given(unquoted, unquoted, unquoted, st.sampled_from("'\""))
def test_no_quoted_passage_survives(before, quoted, after, quote):
    shown = without_quoted_text(f"{before}{quote}{quoted}{quote}{after}")
    assert shown == f"{before}{WITHHELD_QUOTE}{after}"
