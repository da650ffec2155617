"""What the quality checkpoint says of an error great_expectations caught while checking: the
kind of error, never a value it quoted."""

from __future__ import annotations

from lscb_metrics.quality import raised_messages


def caught(message: str) -> dict[str, object]:
    """GX's record of an error it caught evaluating a metric."""
    return {"raised_exception": True, "exception_message": message, "exception_traceback": "…"}


def test_a_caught_error_is_told_without_the_value_it_quoted() -> None:
    info = caught("could not convert string to float: 'Jane Smith 2014.xlsx'")
    assert raised_messages(info) == ["could not convert string to float: '…'"]


def test_errors_caught_for_several_metrics_are_each_told_once() -> None:
    # Keyed by metric: two metrics failed on the same kind of value, a third did not fail.
    info = {
        ("column_values.between.condition", "value"): caught("bad value 'Jane'"),
        ("column_values.nonnull.condition", "value"): caught('bad value "Smith"'),
        ("table.row_count", ()): {"raised_exception": False, "exception_message": None},
    }
    assert raised_messages(info) == ["bad value '…'"]
