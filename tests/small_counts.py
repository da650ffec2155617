"""Helpers for tests: the cells of a public file that hold a count of children, so a test can
check none is from 1 to 5 (DfE: such counts are withheld as `c`)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path

import docx
import pandas as pd

SMALL = {1, 2, 3, 4, 5}
#: A figure as files write it; a period such as 2014-15 is not one.
FIGURE = re.compile(r"(?<![\d.,-])\d[\d,]*(?:\.\d+)?(?![\d-])")
#: A period label ('2013-14', '2013-14 Q4', '2012-14'), dropped before figures are read.
PERIOD = re.compile(r"\d{4}-\d{2}( Q\d)?")
#: A number the data chapter quotes, followed by the key of the curated row it is:
#: '5 [infant_deaths E06000033 2013-14 Q4]'.
QUOTED = re.compile(r"(\d[\d,]*(?:\.\d+)?) \[([a-z0-9_]+) [EWSN]\d{8} [^\]]+\]")
#: The key of a row of a section table, in its last cell.
ROW_KEY = re.compile(r"\[([a-z0-9_]+) [EWSN]\d{8} [^\]]+\]")
#: The columns of a section table that hold the figure and the year before's (annual_report's
#: TABLE_COLUMNS: Indicator, Source and period, Value, Year before, ...).
TABLE_FIGURES = (2, 3)


def small(value: object) -> bool:
    """True for a whole number from 1 to 5 (as a number or as its text)."""
    try:
        number = float(str(value).replace(",", ""))
    except ValueError:
        return False
    return number in SMALL


def numbers_in(text: str) -> list[float]:
    """Every figure written in `text`, ignoring years and periods such as 2014-15."""
    return [float(match.replace(",", "")) for match in FIGURE.findall(text)]


def childrens_counts(catalogue: pd.DataFrame) -> set[str]:
    """Ids of the catalogue's indicators that are counts of children (not staff, not money)."""
    counts = catalogue["unit"].eq("count") & catalogue["subject"].eq("children")
    return set(catalogue.index[counts])


def open_data_counts(rows: Iterable[Mapping[str, str]], catalogue: pd.DataFrame) -> Iterator[str]:
    """Every cell of open-data `rows` holding a count of children: each numerator and count
    denominator of an indicator about children, and the value of a count of children."""
    counts = childrens_counts(catalogue)
    for row in rows:
        ident = row["indicator_id"]
        if catalogue.at[ident, "subject"] == "children":
            yield row["numerator"]
            if catalogue.at[ident, "denominator"] != "population_0_17":
                yield row["denominator"]
            if ident in counts:
                yield row["value"]


def chapter_counts(
    paragraphs: Iterable[str], rows: Iterable[Sequence[str]], counts: set[str]
) -> Iterator[float]:
    """Every count of children the data chapter's `paragraphs` and table `rows` quote: a number
    keyed to a row of one of the indicators `counts`, and the value and year-before cells of a
    table row keyed to one."""
    for text in paragraphs:
        for number, ident in QUOTED.findall(text):
            if ident in counts:
                yield float(number.replace(",", ""))
    for row in rows:
        key = ROW_KEY.search(row[-1]) if row else None
        if key and key.group(1) in counts:
            for column in TABLE_FIGURES:
                yield from numbers_in(PERIOD.sub("", row[column]))


def markdown_parts(text: str) -> tuple[list[str], list[list[str]]]:
    """The data chapter's Markdown as (paragraphs, table rows of cells)."""
    lines = text.splitlines()
    rows = [
        [cell.strip() for cell in line.strip().strip("|").split(" | ")]
        for line in lines
        if line.startswith("| ")
    ]
    return [line for line in lines if not line.startswith("|")], rows


def docx_parts(path: Path) -> tuple[list[str], list[list[str]]]:
    """The data chapter's Word file as (paragraphs, table rows of cells)."""
    document = docx.Document(str(path))
    rows = [[cell.text for cell in row.cells] for table in document.tables for row in table.rows]
    return [paragraph.text for paragraph in document.paragraphs], rows
