"""The open-data README's examples of periods are its edition's own quarter's, and the board's
name heads it and EDITION.md as its own text."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pandas as pd
from markdown_it import MarkdownIt

from lscb_metrics.boards import load_boards
from lscb_metrics.periods import Quarter, parse_quarter
from lscb_metrics.pipeline import RunSummary
from lscb_metrics.publish.exports import exports_readme
from lscb_metrics.publishing import edition_header


def test_the_period_examples_are_the_editions_quarters() -> None:
    # A 2026-27 edition explained its periods with the demo's 2013-14 and 2014-15.
    meta = pd.DataFrame(columns=["col_name", "col_type", "label", "filter_hint"])
    catalogue = pd.DataFrame(columns=["title", "theme", "unit", "decimals", "polarity"])
    readme = exports_readme([Path("open.csv")], meta, catalogue, "Bristol SCP", Quarter(2026, 2))
    assert "`202627` with `Financial year` is 2026-27 (April to March)" in readme
    assert (
        "`202627` with `Financial year Q2` is the board's figure at the end of 2026-27 Q2, on "
        in readme
    )
    assert "30 September 2026" in readme
    assert "2013-14" not in readme and "2014" not in readme


#: A board's name, as its profile may give it: each mark would link, fetch or run in a viewer.
HOSTILE_NAME = "SCP [click](javascript:alert(1)) ![x](http://evil.example/x.png) <script>"


def heading_of(markdown: str) -> str:
    """The first line of `markdown` rendered as HTML, where every viewer shows it."""
    return MarkdownIt("commonmark").render(markdown.splitlines()[0]).strip()


def test_the_boards_name_heads_the_readme_and_edition_as_its_own_text() -> None:
    meta = pd.DataFrame(columns=["col_name", "col_type", "label", "filter_hint"])
    catalogue = pd.DataFrame(columns=["title", "theme", "unit", "decimals", "polarity"])
    readme = exports_readme([Path("open.csv")], meta, catalogue, HOSTILE_NAME, Quarter(2026, 2))
    board = replace(load_boards().by_slug["southend"], name=HOSTILE_NAME)
    quarter = parse_quarter("2014-15-Q2")
    summary = RunSummary(
        "r", quarter, "complete", Path("w"), [], [], pd.DataFrame(), pd.DataFrame()
    )
    edition = edition_header(summary, board, quarter, "edition")
    shown = "SCP [click](javascript:alert(1)) ![x](http://evil.example/x.png) &lt;script&gt;"
    assert heading_of(readme) == f"<h1>{shown} indicators: exported files</h1>"
    assert heading_of(edition) == f"<h1>{shown}: edition for 2014-15 Q2</h1>"
