"""The scorecard written from the demo warehouse: offline, accessible, disclosure-safe and right.

The page is written as well-formed XHTML-compatible HTML, so it is read here with xml.etree and
every check looks at what a reader sees: cell text, badge words, chart titles.
"""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from lscb_metrics.publish.charts import bar_chart_svg, line_chart_svg
from lscb_metrics.publish.scorecard import (
    CHARTS_DIR,
    COMPARISON_BADGES,
    SCORECARD_FILE,
    TREND_BADGES,
    ScorecardError,
    read_scorecard_data,
    scorecard_charts,
    scorecard_html,
    write_scorecard,
)
from lscb_metrics.stats.disclosure import SYMBOL_NOTES

SVG = "{http://www.w3.org/2000/svg}"
CP_PLAN_RATE = "Children on a child protection plan per 10,000 children aged 0-17"
SMALL_COUNTS = {str(n) for n in range(1, 6)}
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def written(
    demo_warehouse: Path, tmp_path_factory: pytest.TempPathFactory, demo_board: Any
) -> list[Path]:
    """Every file write_scorecard wrote for the board's latest quarter of the demo warehouse
    (`demo_warehouse` is the session fixture of the conftest above)."""
    return write_scorecard(demo_warehouse, tmp_path_factory.mktemp("scorecard"), demo_board)


@pytest.fixture(scope="module")
def page(written: list[Path]) -> ET.Element:
    """The scorecard page parsed as XML."""
    return ET.parse(written[0]).getroot()


def text_of(element: ET.Element) -> str:
    """All text inside `element`, whitespace collapsed."""
    return " ".join("".join(element.itertext()).split())


def rows_titled(page: ET.Element, title: str) -> list[ET.Element]:
    """Table rows whose row header starts with `title`."""
    return [
        row
        for row in page.iter("tr")
        if (header := row.find("th")) is not None and text_of(header).startswith(title)
    ]


def cells(row: ET.Element) -> list[str]:
    """Text of a row's data cells: value, interval, England, region, neighbours, vs England,
    trend."""
    return [text_of(cell) for cell in row.findall("td")]


def count_rows(page: ET.Element, warehouse: Path, board: Any) -> Iterator[ET.Element]:
    """Table rows of every indicator whose unit is a count."""
    catalogue = read_scorecard_data(warehouse, board).catalogue
    for title in catalogue.loc[catalogue["unit"].eq("count"), "title"]:
        yield from rows_titled(page, title)


def test_writes_the_page_and_every_chart_as_svg_and_png(written: list[Path]) -> None:
    assert written[0].name == SCORECARD_FILE
    charts = written[1:]
    assert {path.parent.name for path in charts} == {CHARTS_DIR}
    stems = {path.stem for path in charts}
    assert {"cp_plan_rate_trend", "cp_plan_rate_years", "cp_plan_rate_neighbours"} <= stems
    assert sorted(charts) == sorted(
        written[0].parent / CHARTS_DIR / f"{stem}.{suffix}"
        for stem in stems
        for suffix in ("svg", "png")
    )
    assert all(
        path.read_bytes().startswith(PNG_SIGNATURE) for path in charts if path.suffix == ".png"
    )


def test_page_makes_no_network_request(written: list[Path], page: ET.Element) -> None:
    references = [
        value
        for element in page.iter()
        for name, value in element.attrib.items()
        if name.split("}")[-1] in {"src", "href", "srcset", "action", "data"}
    ]
    assert references, "expected in-page links (notes, themes)"
    assert all(reference.startswith("#") for reference in references), references
    assert not [
        e.tag for e in page.iter() if e.tag in {"script", "link", "img", "iframe", "object"}
    ]
    source = written[0].read_text(encoding="utf-8")
    assert "@import" not in source and "@font-face" not in source
    assert all(target.startswith("#") for target in re.findall(r"url\(([^)]*)\)", source))
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", source)


def test_shows_southends_cp_plan_rate_beside_england(page: ET.Element) -> None:
    [row] = rows_titled(page, CP_PLAN_RATE)
    value, interval, england, _region, neighbours, versus, _trend = cells(row)
    assert (value, england) == ("42.8", "42.1")
    assert re.fullmatch(r"\d+\.\d to \d+\.\d", interval)
    assert versus.endswith("Similar")
    # The board quoted its neighbours' average from the model of the time: a note says so.
    assert neighbours == "52.8"
    assert row.find("th/a") is not None


def test_the_header_names_the_board_as_its_profile_does(page: ET.Element) -> None:
    [header] = page.iter("header")
    assert "partner agencies' returns to the Southend Local Safeguarding Children Board, " in (
        text_of(header)
    )


def test_every_row_has_two_badges_in_words_not_colour_alone(page: ET.Element) -> None:
    words = {*COMPARISON_BADGES, *TREND_BADGES, *SYMBOL_NOTES}
    rows = [row for row in page.iter("tr") if row.find("td") is not None]
    assert rows
    for row in rows:
        badges = [span for span in row.iter("span") if "badge" in span.get("class", "").split()]
        assert len(badges) == 2, text_of(row)  # compared with England, recent trend
        for badge in badges:
            # Symbol then words ("≈ Similar"), or a GSS symbol alone ("c") linked to its note.
            assert text_of(badge).split(" ", 1)[-1] in words, text_of(badge)


def test_no_count_from_1_to_5_is_displayed(
    page: ET.Element, demo_warehouse: Path, demo_board: Any
) -> None:
    rows = list(count_rows(page, demo_warehouse, demo_board))
    assert rows
    for row in rows:
        assert cells(row)[0] not in SMALL_COUNTS, text_of(row)
    # Southend's 4 infant deaths in the year to September 2014, and the one neonatal death
    # behind its neonatal death rate, are shown as c.
    [infants] = rows_titled(page, "Deaths of children under 1 year")
    [neonatal] = rows_titled(page, "Neonatal deaths")
    assert cells(infants)[0] == cells(neonatal)[0] == "c"
    assert page.find(".//*[@id='symbol-c']") is not None


def test_the_trend_of_every_withheld_figure_is_withheld(page: ET.Element) -> None:
    # Which way a figure went says something of a count of 1 to 5 behind it; the symbol is the
    # value's own link, named "c: Suppressed to protect confidentiality" for a screen reader.
    withheld = [
        row for row in page.iter("tr") if row.find("td") is not None and cells(row)[0] == "c"
    ]
    assert withheld
    for row in withheld:
        assert cells(row)[-1] == "c", text_of(row)
        [symbol] = row.findall("td")[-1].iter("a")
        assert symbol.get("aria-label") == f"c: {SYMBOL_NOTES['c'].split(':')[0]}"


def test_a_symbol_link_is_named_by_what_it_means(page: ET.Element) -> None:
    # A screen reader says a link's name: "z" alone tells a listener nothing (WCAG 2.4.4); the
    # name starts with the letter shown (2.5.3, label in name).
    links = [a for a in page.iter("a") if a.get("class") == "symbol"]
    assert {a.text for a in links} >= {"c", "z"}
    for link in links:
        meaning = SYMBOL_NOTES[link.text].split(":")[0]
        assert link.get("aria-label") == f"{link.text}: {meaning}"


def test_page_structure_is_accessible(page: ET.Element) -> None:
    assert page.get("lang") == "en-GB"
    assert len(list(page.iter("h1"))) == 1
    assert list(page.iter("h2")) and list(page.iter("h3"))
    tables = list(page.iter("table"))
    assert tables and all(table.find("caption") is not None for table in tables)
    assert all(th.get("scope") in {"col", "row", "rowgroup"} for th in page.iter("th"))
    assert all(figure.find("figcaption") is not None for figure in page.iter("figure"))
    ids = [element.get("id") for element in page.iter() if element.get("id")]
    assert len(ids) == len(set(ids))
    anchors = {reference[1:] for e in page.iter("a") if (reference := e.get("href", ""))}
    assert anchors <= set(ids)


def test_charts_are_valid_svg_with_title_and_description(written: list[Path]) -> None:
    svgs = [path for path in written if path.suffix == ".svg"]
    assert svgs
    for path in svgs:
        root = ET.parse(path).getroot()
        assert root.tag == f"{SVG}svg" and root.get("role") == "img"
        title, desc = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
        assert title is not None and title.text and desc is not None and desc.text
        assert root.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"


def test_suppressed_points_are_gaps_in_the_chart(written: list[Path]) -> None:
    [chart] = [path for path in written if path.name == "cp_plans_sexual_pct_trend.svg"]
    desc = ET.parse(chart).getroot().find(f"{SVG}desc")
    assert desc is not None and "2013-14 Q1 c (withheld)" in str(desc.text)


def test_output_is_deterministic(
    written: list[Path], demo_warehouse: Path, demo_board: Any
) -> None:
    data = read_scorecard_data(demo_warehouse, demo_board)
    charts = scorecard_charts(data)
    assert scorecard_html(data, charts) == written[0].read_text(encoding="utf-8")
    for path in written:
        if path.suffix == ".svg":
            assert charts[path.stem].svg == path.read_text(encoding="utf-8")


def test_an_earlier_quarter_can_be_asked_for(demo_warehouse: Path, demo_board: Any) -> None:
    data = read_scorecard_data(demo_warehouse, demo_board, date(2014, 6, 30))
    page = ET.fromstring(scorecard_html(data, {}).split("\n", 1)[1])
    assert "2014-15 Q1" in text_of(page.find("body/header/h1"))
    assert all(end <= date(2014, 6, 30) for end in data.history["period_end"])


def test_a_quarter_without_returns_is_refused(
    demo_warehouse: Path, tmp_path: Path, demo_board: Any
) -> None:
    with pytest.raises(ScorecardError, match="no partner-return figures"):
        write_scorecard(demo_warehouse, tmp_path, demo_board, date(2008, 3, 31))
    assert not list(tmp_path.iterdir())


def test_line_chart_breaks_at_nan_and_labels_lines_directly() -> None:
    svg = line_chart_svg(
        {"Area": [("2013-14 Q1", 1.0), ("2013-14 Q2", math.nan), ("2013-14 Q3", 3.0)]},
        "Title",
        "%",
    )
    root = ET.fromstring(svg)
    [series] = [g for g in root.iter(f"{SVG}g") if g.get("data-series") == "Area"]
    assert len(series.findall(f"{SVG}polyline")) == 2
    assert "Area: 3.0" in [text_of(t) for t in root.iter(f"{SVG}text")]


def test_bar_chart_marks_the_area_by_pattern_outline_and_words() -> None:
    svg = bar_chart_svg([("A", 2.0), ("Here", 1.0), ("B", math.nan)], "Here", "Title", "count")
    root = ET.fromstring(svg)
    [bar] = [g for g in root.iter(f"{SVG}g") if g.get("data-bar") == "Here"]
    rect = bar.find(f"{SVG}rect")
    assert rect is not None and rect.get("fill", "").startswith("url(#")
    assert float(rect.get("stroke-width", "0")) >= 2
    assert "Here (this area)" in [text_of(t) for t in bar.iter(f"{SVG}text")]
    assert "no figure" in [text_of(t) for t in root.iter(f"{SVG}text")]
