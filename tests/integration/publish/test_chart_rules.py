"""Charts tell the same story as their tables (issue 11): one test per rule, on the demo
warehouse's scorecard data and on tiny inline series.

Label boxes are measured from the SVG as drawn: a text's width is its character count x its
font size x 0.6 (the average advance of DejaVu Sans, the widest face of the charts' font list;
digits are 0.64 em, lower case about 0.55-0.6), its height the font size, placed by its x, y,
dy and text-anchor; each <tspan> is a line of its own.
"""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from lscb_metrics.editions import INTERNAL, PUBLIC
from lscb_metrics.publish.charts import bar_chart_svg, line_chart_svg
from lscb_metrics.publish.figures import PARTNER_RETURN
from lscb_metrics.publish.scorecard import (
    ENGLAND,
    NEIGHBOURS_AVERAGE,
    TOTAL,
    WITHHELD,
    Chart,
    ScorecardData,
    read_scorecard_data,
    scorecard_charts,
)
from lscb_metrics.stats.disclosure import NOT_AVAILABLE, SUPPRESSED

SVG = "{http://www.w3.org/2000/svg}"
GLYPH = 0.6
QUARTER = re.compile(r"^\d{4}-\d{2}$|^Q[1-4]$")  # a quarter's label is '2014-15' over 'Q2'
YEAR = re.compile(r"^\d{4}-\d{2}$")


@pytest.fixture(scope="module")
def public(demo_warehouse: Path, demo_board: Any) -> tuple[ScorecardData, dict[str, Chart]]:
    data = read_scorecard_data(demo_warehouse, demo_board, edition=PUBLIC)
    return data, scorecard_charts(data)


@pytest.fixture(scope="module")
def internal(demo_warehouse: Path, demo_board: Any) -> dict[str, Chart]:
    return scorecard_charts(read_scorecard_data(demo_warehouse, demo_board, edition=INTERNAL))


def texts(svg: str) -> list[ET.Element]:
    """Every <text> element of a chart."""
    return list(ET.fromstring(svg).iter(f"{SVG}text"))


def words(element: ET.Element) -> str:
    """A text element's lines joined by spaces."""
    return " ".join(" ".join(element.itertext()).split())


def direct_labels(svg: str) -> dict[str, str]:
    """Series name -> the figure its direct label quotes ('52.8', 'c (withheld)')."""
    root = ET.fromstring(svg)
    labels = {}
    for group in root.iter(f"{SVG}g"):
        if group.get("data-series") is None and group.find(f"{SVG}line") is not None:
            name, _, figure = words(group.find(f"{SVG}text")).rpartition(": ")
            labels[name] = figure
    return labels


def table_figure(cell: object, decimals: int) -> str:
    """A published table cell as a chart quotes it."""
    if isinstance(cell, str):  # a symbol: c (withheld), x (not available), low
        return WITHHELD if cell == SUPPRESSED else cell
    return f"{cell:,.{decimals}f}"


def test_legends_quote_exactly_the_tables_figures(
    public: tuple[ScorecardData, dict[str, Chart]],
) -> None:
    data, charts = public
    columns = {data.area.name: "value", ENGLAND: "england_value", NEIGHBOURS_AVERAGE: "sn_average"}
    checked = 0
    for row in data.shown[data.shown["breakdown"].eq(TOTAL)].itertuples():
        chart = charts.get(f"{row.indicator_id}_trend")
        if chart is None:
            continue
        decimals = int(data.catalogue.at[row.indicator_id, "decimals"])
        for name, figure in direct_labels(chart.svg).items():
            cell = getattr(row, columns[name])
            if cell == NOT_AVAILABLE:
                # No figure this quarter (the table's x): the line stops earlier, and its label
                # quotes its own last point with that point's period.
                assert re.search(r" \(\d{4}-\d{2}( Q\d)?\)$", figure), (row.indicator_id, name)
                continue
            assert figure == table_figure(cell, decimals), (row.indicator_id, name)
            checked += 1
    assert checked > 20
    # The board quoted its neighbours' 52.8 (local comparator); the DfE model gives 42.8.
    assert direct_labels(charts["cp_plan_rate_trend"].svg)[NEIGHBOURS_AVERAGE] == "52.8"


def test_a_withheld_figure_is_never_drawn_or_quoted(
    public: tuple[ScorecardData, dict[str, Chart]],
) -> None:
    data, charts = public
    history = data.history
    own = history[
        history["area_code"].eq(data.area.code)
        & history["source_type"].eq(PARTNER_RETURN)
        & history["breakdown"].eq(TOTAL)
    ]
    for indicator_id, rows in own.groupby("indicator_id"):
        chart = charts.get(f"{indicator_id}_trend")
        if chart is None:
            continue
        [series] = [
            g
            for g in ET.fromstring(chart.svg).iter(f"{SVG}g")
            if g.get("data-series") == data.area.name
        ]
        markers = [e for e in series if not e.tag.endswith("polyline")]
        numbers = rows["value"].map(lambda v: not isinstance(v, str) and not math.isnan(v))
        assert len(markers) == int(numbers.sum()), indicator_id
    # Southend's plans for sexual abuse are 1 to 5 until 2013-14 Q1: gaps, described as withheld.
    sexual = ET.fromstring(charts["cp_plans_sexual_pct_trend"].svg).find(f"{SVG}desc")
    assert "2013-14 Q1 c (withheld), 2013-14 Q2 5.1" in words(sexual)


def test_a_line_whose_latest_point_is_withheld_says_so(
    public: tuple[ScorecardData, dict[str, Chart]],
) -> None:
    """Its label says "withheld" rather than quoting an older quarter's figure."""
    data, _ = public
    history = data.history.copy()
    latest = (
        history["area_code"].eq(data.area.code)
        & history["source_type"].eq(PARTNER_RETURN)
        & history["indicator_id"].eq("cp_plans_sexual_pct")
        & history["period_end"].eq(data.period_end)
    )
    assert latest.sum() == 1
    history.loc[latest, "value"] = SUPPRESSED
    svg = scorecard_charts(replace(data, history=history))["cp_plans_sexual_pct_trend"].svg
    assert direct_labels(svg) == {data.area.name: WITHHELD}
    assert "2014-15 Q2 c (withheld)" in words(ET.fromstring(svg).find(f"{SVG}desc"))


def test_a_chart_with_nothing_publishable_is_not_produced(
    public: tuple[ScorecardData, dict[str, Chart]], internal: dict[str, Chart]
) -> None:
    data, charts = public
    own = data.history[
        data.history["area_code"].eq(data.area.code)
        & data.history["source_type"].eq(PARTNER_RETURN)
        & data.history["breakdown"].eq(TOTAL)
    ]
    dropped = {stem for stem in set(internal) - set(charts) if stem.endswith("_trend")}
    # The exact figures exist (the internal edition draws them); every public one is withheld.
    assert "modifiable_factors_pct_trend" in dropped
    for stem in dropped:
        figures = own.loc[own["indicator_id"].eq(stem.removesuffix("_trend")), "value"]
        assert (figures.isin([SUPPRESSED, NOT_AVAILABLE]) | figures.isna()).all(), stem
    for stem, chart in charts.items():
        # The area's own line has a marker, or its bar a rectangle: a figure is drawn.
        root = ET.fromstring(chart.svg)
        drawn = [
            mark
            for group in root.iter(f"{SVG}g")
            if data.area.name in (group.get("data-series"), group.get("data-bar"))
            for mark in group
            if not mark.tag.endswith(("polyline", "text"))
        ]
        assert drawn, stem


def box(element: ET.Element, size: float) -> list[tuple[float, float, float, float]]:
    """(left, top, right, bottom) of each line of a <text> element, as documented above."""
    size = float(element.get("font-size", size))
    x, y = float(element.get("x", 0)), float(element.get("y", 0)) + float(element.get("dy", 0))
    anchor = element.get("text-anchor", "start")
    lines = list(element.findall(f"{SVG}tspan")) or [element]
    boxes = []
    for line in lines:
        if line is not element:
            x = float(line.get("x", x))
            y += float(line.get("dy", 0))
        width = len(line.text or "") * size * GLYPH
        left = {"start": x, "middle": x - width / 2, "end": x - width}[anchor]
        boxes.append((left, y - size * 0.8, left + width, y + size * 0.2))
    return boxes


def overlaps(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def assert_labels_apart(svg: str) -> None:
    """No two text boxes overlap, and every box is inside the chart."""
    root = ET.fromstring(svg)
    width, height = float(root.get("width")), float(root.get("height"))
    size = float(root.get("font-size"))
    boxes = [(n, b) for n, text in enumerate(root.iter(f"{SVG}text")) for b in box(text, size)]
    for n, (owner, a) in enumerate(boxes):
        assert a[0] >= 0 and a[2] <= width and a[1] >= 0 and a[3] <= height, a
        for other, b in boxes[n + 1 :]:
            assert owner == other or not overlaps(a, b), (a, b)


def x_labels(svg: str) -> list[str]:
    """The x-axis labels' lines."""
    return [
        (span.text or "")
        for text in texts(svg)
        if text.get("text-anchor") == "middle"
        for span in text.findall(f"{SVG}tspan")
    ]


def test_years_on_a_yearly_axis_quarters_on_a_quarterly_one_labels_apart(
    public: tuple[ScorecardData, dict[str, Chart]], internal: dict[str, Chart]
) -> None:
    _, charts = public
    for stem, chart in {**charts, **{f"i-{k}": v for k, v in internal.items()}}.items():
        assert_labels_apart(chart.svg)
        if stem.endswith("_years"):
            assert all(YEAR.match(label) for label in x_labels(chart.svg)), stem
        elif stem.endswith("_trend"):
            assert all(QUARTER.match(label) for label in x_labels(chart.svg)), stem
            assert any(label.startswith("Q") for label in x_labels(chart.svg)), stem
    # Ten years of quarters with ten published years beside them, and a long area name.
    quarters = [
        (f"{y}-{(y + 1) % 100:02d} Q{q}", float(y + q))
        for y in range(2005, 2015)
        for q in (1, 2, 3, 4)
    ]
    years = [(f"{y}-{(y + 1) % 100:02d}", float(y)) for y in range(2005, 2015)]
    name = "Bournemouth, Christchurch and Poole"
    quarterly = line_chart_svg({name: quarters, ENGLAND: quarters[::2]}, "T", "%")
    assert_labels_apart(quarterly)
    assert 4 <= len([s for s in x_labels(quarterly) if s.startswith("Q")]) < 40
    assert_labels_apart(line_chart_svg({name: years, NEIGHBOURS_AVERAGE: years}, "T", "%"))
    assert_labels_apart(bar_chart_svg([(name, 3.0), ("B", 2.0)], name, "T " * 60, "%"))


def test_captions_say_what_is_plotted_and_where_it_came_from(
    public: tuple[ScorecardData, dict[str, Chart]],
) -> None:
    data, charts = public
    for stem, chart in charts.items():
        assert data.area.name in chart.caption, stem
        if stem.endswith("_trend"):
            assert "each quarter from the partner agencies' returns" in chart.caption, stem
        else:
            assert "published" in chart.caption and "(DfE " in chart.caption, stem
    trend = charts["cp_plan_rate_trend"].caption
    assert "England and the statistical neighbours' average" in trend
    assert "DfE Characteristics of children in need, table D5" in trend
    assert "as quoted by the report" in trend  # the board's 52.8, with its reason
    assert "each year as published" in charts["cp_plan_rate_years"].caption
    assert "DfE model 2025" in charts["cp_plan_rate_neighbours"].caption


def test_a_neighbours_chart_names_its_year_as_published(
    public: tuple[ScorecardData, dict[str, Chart]],
) -> None:
    # LAIT's road casualty rate pools calendar years: 2020-22 ends 31 December 2022, which the
    # chart called "2022-23", the financial year of that day. The title takes the label the
    # published figures have (`comparator_period`).
    data, charts = public
    assert ", 2013-14: Southend-on-Sea among" in charts["cp_plan_rate_neighbours"].svg
    pooled = data.shown.assign(
        comparator_period=data.shown["comparator_period"].where(
            data.shown["indicator_id"].ne("cp_plan_rate"), "2012-14"
        )
    )
    svg = scorecard_charts(replace(data, shown=pooled))["cp_plan_rate_neighbours"].svg
    assert ", 2012-14: Southend-on-Sea among its statistical neighbours" in svg
