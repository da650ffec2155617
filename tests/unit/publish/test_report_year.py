"""The financial year the data chapter is written for, as the command takes it."""

from __future__ import annotations

import pytest

from lscb_metrics.publish.annual_report import ReportError, financial_year


@pytest.mark.parametrize("written", ["2013-14", "2013/14"])
def test_a_year_however_written_names_one_folder(written: str) -> None:
    """'2013/14' must not write the chapter into reports/<board>/2013/14/."""
    assert financial_year(written) == "2013-14"


def test_a_span_that_is_not_a_financial_year_is_refused() -> None:
    with pytest.raises(ReportError, match="not a financial year such as 2013-14"):
        financial_year("2013-15")
