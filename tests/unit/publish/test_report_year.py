"""The financial year the data chapter is written for, as the command takes it."""

from __future__ import annotations

from datetime import date

import pytest

from lscb_metrics.periods import Quarter, parse_quarter
from lscb_metrics.publish.annual_report import (
    ReportError,
    financial_year,
    financial_year_end,
    last_quarter_of,
    report_label,
    report_stem,
    report_year_name,
)


@pytest.mark.parametrize("written", ["2013-14", "2013/14"])
def test_a_year_however_written_names_one_folder(written: str) -> None:
    """'2013/14' must not write the chapter into reports/<board>/2013/14/."""
    assert financial_year(written) == "2013-14"


def test_a_span_that_is_not_a_financial_year_is_refused() -> None:
    with pytest.raises(ReportError, match="not a financial year such as 2013-14"):
        financial_year("2013-15")


def test_a_year_to_its_fourth_quarter_is_the_financial_year_and_keeps_its_names() -> None:
    # `--year-to 2013-14-Q4` is `--year 2013-14`: the same chapter in the same folder and files.
    fourth = parse_quarter("2013-14-Q4")
    assert last_quarter_of("2013-14") == last_quarter_of("2013/14") == fourth
    assert report_year_name(fourth) == "2013-14"
    assert report_stem(report_label(fourth)) == "data_chapter_2013-14"


def test_a_year_to_september_is_named_as_people_name_it() -> None:
    # The seed's cover: "October 2013 - September 2014".
    second = Quarter(2014, 2)
    assert report_year_name(second) == "October 2013 to September 2014"
    assert report_label(second) == "year-to-2014-15-Q2"
    assert report_year_name(Quarter(2014, 3)) == "January 2014 to December 2014"


def test_the_financial_year_of_a_report_year_is_the_last_one_ending_by_its_end() -> None:
    assert financial_year_end(date(2014, 9, 30)) == date(2014, 3, 31)
    assert financial_year_end(date(2014, 3, 31)) == date(2014, 3, 31)
    assert financial_year_end(date(2014, 12, 31)) == date(2014, 3, 31)
    assert financial_year_end(date(2015, 3, 30)) == date(2014, 3, 31)
