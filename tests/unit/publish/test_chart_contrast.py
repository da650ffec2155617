"""Chart colours against the white ground: data marks 3:1 (WCAG 1.4.11), text 4.5:1 (1.4.3)."""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET

import pytest

from lscb_metrics.publish.charts import LINE_STYLES, bar_chart_svg, line_chart_svg

SVG = "{http://www.w3.org/2000/svg}"
WHITE = "#ffffff"
MARKING = "OFFICIAL-SENSITIVE: not for publication"


def relative_luminance(colour: str) -> float:
    """WCAG 2.2 relative luminance of a #rrggbb colour."""
    channels = [int(colour.lstrip("#")[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast_ratio(first: str, second: str) -> float:
    """WCAG 2.2 contrast ratio of two #rrggbb colours, from 1 to 21."""
    darker, lighter = sorted(map(relative_luminance, (first, second)))
    return (lighter + 0.05) / (darker + 0.05)


def line_chart() -> ET.Element:
    """A marked line chart with as many series as there are line styles, one with a gap."""
    series = {
        f"Series {i}": [("2013-14 Q1", 1.0 + i), ("2013-14 Q2", math.nan), ("2013-14 Q3", 3.0 + i)]
        for i in range(len(LINE_STYLES))
    }
    return ET.fromstring(line_chart_svg(series, "Title", "%", marking=MARKING))


def bar_chart() -> ET.Element:
    """A marked bar chart with a highlighted bar, another bar and a missing one."""
    bars = [("A", 2.0), ("Here", 1.0), ("B", math.nan)]
    return ET.fromstring(bar_chart_svg(bars, "Here", "Title", "count", marking=MARKING))


def mark_colours(root: ET.Element) -> set[str]:
    """Every colour a data mark is painted with: series lines and markers, the direct labels'
    samples, bars and the highlighted bar's hatch (white gaps and outlines excluded)."""
    marks = [
        element
        for group in root.iter(f"{SVG}g")
        for element in group.iter()
        if element.tag in {f"{SVG}{tag}" for tag in ("polyline", "line", "circle", "polygon")}
        or (element.tag == f"{SVG}rect" and group.get("data-bar"))
    ]
    marks += [rect for pattern in root.iter(f"{SVG}pattern") for rect in pattern.iter(f"{SVG}rect")]
    painted = {mark.get(attribute, "none") for mark in marks for attribute in ("fill", "stroke")}
    return {colour for colour in painted if colour.startswith("#") and colour.lower() != WHITE}


@pytest.mark.parametrize("chart", [line_chart, bar_chart])
def test_every_data_mark_has_3_to_1_against_the_ground(chart) -> None:
    colours = mark_colours(chart())
    assert colours
    assert {
        c: round(contrast_ratio(c, WHITE), 2) for c in colours if contrast_ratio(c, WHITE) < 3
    } == {}


@pytest.mark.parametrize("chart", [line_chart, bar_chart])
def test_every_text_has_4_5_to_1_against_the_ground(chart) -> None:
    root = chart()
    ground = root.find(f"{SVG}rect")
    assert ground is not None and ground.get("fill") == WHITE
    fills = {text.get("fill", root.get("fill", "")) for text in root.iter(f"{SVG}text")}
    assert all(fill.startswith("#") for fill in fills)
    assert {
        f: round(contrast_ratio(f, WHITE), 2) for f in fills if contrast_ratio(f, WHITE) < 4.5
    } == {}
