"""The scan of public files for counts of children (tests/small_counts.py) finds a count of 1
to 5 where a file shows one, so the integration tests built on it can fail."""

from __future__ import annotations

import pandas as pd

from tests.small_counts import chapter_counts, markdown_parts, open_data_counts, small

CATALOGUE = pd.DataFrame(
    {
        "unit": ["count", "rate per 1,000 live births", "count"],
        "subject": ["children", "children", "staff"],
        "denominator": [None, "live_births", None],
    },
    index=["infant_deaths", "neonatal_death_rate", "staff_trained"],
)
COUNTS = {"infant_deaths"}
CHAPTER = """# The data chapter

Deaths of children under 1 year fell from 6 [infant_deaths E06000033 2012-13 Q4] to 4 \
[infant_deaths E06000033 2013-14 Q4] (a change for the better).

Staff trained rose from 2 [staff_trained E06000033 2012-13 Q4] to 3 \
[staff_trained E06000033 2013-14 Q4].

| Indicator | Source and period | Value | Year before | England | Reference |
|---|---|---|---|---|---|
| Deaths of children under 1 year | Partner returns, 2013-14 Q4 | 2 | 12 (2011-12) | 2,380 | \
[infant_deaths E06000033 2013-14 Q4] |
| Staff trained | Partner returns, 2013-14 Q4 | 3 | 1 | [z] | [staff_trained E06000033 2013-14 Q4] |
"""


def test_a_small_count_of_children_in_a_chapter_is_found_and_staff_are_not() -> None:
    # 4 deaths in a sentence and 2 in the table are found; the 2,380 England figure is not the
    # board's, and staff counts are not personal data.
    quoted = list(chapter_counts(*markdown_parts(CHAPTER), COUNTS))
    assert quoted == [6.0, 4.0, 2.0, 12.0]
    assert [number for number in quoted if small(number)] == [4.0, 2.0]


def test_a_withheld_count_is_not_small() -> None:
    withheld = CHAPTER.replace("to 4 [", "to c [").replace("| 2 |", "| [c] |")
    assert not [n for n in chapter_counts(*markdown_parts(withheld), COUNTS) if small(n)]


def test_a_small_numerator_or_count_in_open_data_is_found() -> None:
    rows = [
        {
            "indicator_id": "neonatal_death_rate",
            "numerator": "1",
            "denominator": "1800",
            "value": "0.6",
        },
        {"indicator_id": "infant_deaths", "numerator": "c", "denominator": "z", "value": "c"},
        {"indicator_id": "staff_trained", "numerator": "3", "denominator": "z", "value": "3"},
    ]
    cells = list(open_data_counts(rows, CATALOGUE))
    # The neonatal deaths' 1 (its numerator) is a count of children; 0.6 is a rate, and the
    # staff's 3 is not personal data.
    assert cells == ["1", "1800", "c", "z", "c"]
    assert [cell for cell in cells if small(cell)] == ["1"]
