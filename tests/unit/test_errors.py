"""What an unexpected error's message may show: `errors.without_quoted_text`, and an error as
the quarterly flow's tasks raise it to Prefect (`errors.withholding_quotes`)."""

from __future__ import annotations

import pickle
import traceback

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lscb_metrics.errors import (
    WITHHELD_QUOTE,
    ConfigurationError,
    UnexpectedError,
    withholding_quotes,
    without_quoted_text,
)

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


@withholding_quotes
def read_cell(cell: str) -> int:
    """A step that fails as a library does, quoting the cell it met."""
    return int(cell)


def test_an_unexpected_error_leaves_a_step_named_with_its_quotes_withheld():
    cell = "Jane Smith"  # a traceback prints source lines: the name only in a variable
    with pytest.raises(UnexpectedError) as raised:
        read_cell(cell)
    error = raised.value
    assert str(error) == "ValueError: invalid literal for int() with base 10: '…'"
    # Nothing of the original goes with it, pickled (Prefect's result storage) or printed.
    assert error.__cause__ is None and error.__suppress_context__
    assert "Jane" not in repr(pickle.loads(pickle.dumps(error)))
    printed = "".join(traceback.format_exception(error))
    assert "Jane" not in printed and "return int(cell)" in printed  # where it was raised


def test_an_error_of_ours_leaves_a_step_as_it_is():
    error = ConfigurationError("LSCB_WORKERS='many': give a whole number")

    @withholding_quotes
    def configured() -> None:
        raise error

    with pytest.raises(ConfigurationError) as raised:
        configured()
    assert raised.value is error


def test_every_task_of_the_quarterly_run_and_the_flow_withhold_quotes():
    from prefect import Flow, Task

    from flows import quarterly

    steps = [step for step in vars(quarterly).values() if isinstance(step, Task | Flow)]
    withholding = withholding_quotes(print).__code__
    assert len(steps) > 1
    assert [step.name for step in steps if step.fn.__code__ is not withholding] == []
