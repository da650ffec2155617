"""Accessible, deterministic SVG charts for the scorecard, and their PNG renderings.

The SVG is written by hand (no plotting library): the same input always gives the same bytes, and
nothing is fetched (no fonts, scripts or images). Accessibility (WCAG 2.2 1.1.1 and 1.4.1): every
chart has a <title> and a <desc> giving its figures in words; lines are labelled directly and
told apart by dash pattern and marker shape as well as colour; the highlighted bar has a hatch
pattern, a thick outline and a bold "(this area)" label. Colours are the GSS / Analysis Function
palette; every line, marker and bar has a contrast of at least 3:1 with the white ground (1.4.11),
and text at least 4.5:1 (1.4.3).

Labels never overlap: SVG cannot measure text before it is drawn, so room is reserved from an
estimate of each label's width (`text_width`: characters x font size x GLYPH_WIDTH), x-axis
labels are thinned until they fit, and direct labels are spread and wrapped to their column.
A chart of an internal edition carries its protective marking as its first line, so the marking
travels with the chart (and its PNG) wherever it is pasted.
"""

from __future__ import annotations

import hashlib
import html
import math
import re
import shutil
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import resvg

from lscb_metrics.stats import round_half_away_from_zero

WIDTH = 760
FONT_FAMILY = (
    "system-ui, -apple-system, 'Segoe UI', Roboto, Arial, 'Liberation Sans', 'DejaVu Sans', "
    "sans-serif"
)
TEXT_COLOUR = "#0b0c0c"
GRID_COLOUR = "#d8d8d8"
FONT_SIZE = 12
TITLE_SIZE = 15
# Average advance of a glyph as a share of the font size, taken for DejaVu Sans, the widest face
# of FONT_FAMILY (its digits are 0.64 em, its lower case about 0.55-0.6, Arial's 0.5-0.56).
GLYPH_WIDTH = 0.6
MARGIN = 12.0
TITLE_CHARACTERS_PER_LINE = int((WIDTH - 2 * MARGIN) / (TITLE_SIZE * GLYPH_WIDTH))
LINE_HEIGHT = 14.0  # of the second line of a two-line label
LABEL_GAP = 8.0  # between neighbouring x-axis labels
MARKING_COLOUR = "#d4351c"
MARKING_HEIGHT = 24.0
PNG_ZOOM = 2.0
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
#: The size of a chart's root element (charts give both in pixels, width first).
SVG_SIZE = re.compile(r'<svg[^>]*?\swidth="(?P<width>[0-9.]+)"\s+height="(?P<height>[0-9.]+)"')


@dataclass(frozen=True)
class LineStyle:
    """How one series is drawn: colour, dash pattern, marker shape and stroke width."""

    colour: str
    dash: str | None
    marker: str
    width: float


# Series after the fourth reuse these styles in order; the scorecard draws at most three.
LINE_STYLES = (
    LineStyle("#12436D", None, "circle", 3.0),
    LineStyle("#801650", "8 5", "square", 2.0),
    LineStyle("#28A197", "2 4", "triangle", 2.0),
    LineStyle("#F46A25", "10 4 2 4", "diamond", 2.0),
)
# GSS mid blue: bars, like lines and markers, stand 3:1 against the white ground (WCAG 1.4.11).
BAR_COLOUR = "#2073BC"
ROW_HEIGHT = 24.0
BAR_HEIGHT = 16.0
HIGHLIGHT_COLOUR = "#12436D"


def _escaped(text: str) -> str:
    """`text` safe inside SVG text and attribute values."""
    return html.escape(text, quote=True)


def _number(value: float, decimals: int) -> str:
    """`value` for display: halves away from zero, thousands separated."""
    return f"{round_half_away_from_zero(value, decimals):,.{decimals}f}"


def _coordinate(value: float) -> str:
    """A coordinate with two decimals, so output does not depend on float noise."""
    return f"{value:.2f}"


def _chart_id(kind: str, *parts: object) -> str:
    """A stable id prefix for one chart, unique per input, so charts inlined in one page do not
    share ids of titles and patterns."""
    digest = hashlib.sha256(repr((kind, *parts)).encode("utf-8")).hexdigest()[:10]
    return f"{kind}-{digest}"


def _wrapped(text: str, width: int) -> list[str]:
    """`text` split into lines of at most `width` characters at spaces."""
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines or [""]


def text_width(text: str, size: float = FONT_SIZE) -> float:
    """Estimated rendered width of `text` at `size` pixels (see GLYPH_WIDTH)."""
    return len(text) * size * GLYPH_WIDTH


def _nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """About `count` round tick values (steps of 1, 2, 2.5 or 5 x 10^k) covering low..high."""
    if not (math.isfinite(low) and math.isfinite(high)):
        raise ValueError(f"tick range must be finite, got {low}, {high}")
    if high <= low:
        high = low + 1
    raw_step = (high - low) / max(count, 1)
    power = 10 ** math.floor(math.log10(raw_step))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw_step)
    first = math.floor(low / step + 1e-9)
    last = math.ceil(high / step - 1e-9)
    return [round((first + i) * step, 10) for i in range(last - first + 1)]


def _tick_decimals(ticks: Sequence[float]) -> int:
    """Decimal places that show every tick exactly (2.5 -> 1)."""
    return max((len(f"{t:.10f}".rstrip("0").split(".")[1]) for t in ticks), default=0)


def _value_range(values: Sequence[float]) -> tuple[float, float]:
    """Axis range of `values`, always including zero so bars and lines are not exaggerated."""
    finite = [v for v in values if math.isfinite(v)]
    return min([0.0, *finite]), max([0.0, *finite])


def _svg_open(
    chart_id: str, height: float, title: str, description: str, marking: str | None
) -> list[str]:
    """Opening <svg> with its accessible name (<title>) and description (<desc>), both led by
    the protective `marking` if any, and the marking drawn as the first line."""
    lead = f"{marking}. " if marking else ""
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height:.0f}" '
        f'viewBox="0 0 {WIDTH} {height:.0f}" role="img" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" font-family="{FONT_FAMILY}" '
        f'font-size="{FONT_SIZE}" fill="{TEXT_COLOUR}">',
        f'<title id="{chart_id}-title">{_escaped(lead + title)}</title>',
        f'<desc id="{chart_id}-desc">{_escaped(lead + description)}</desc>',
        f'<rect width="{WIDTH}" height="{height:.0f}" fill="#ffffff"/>',
    ]
    if marking:
        parts.append(
            f'<text x="{MARGIN}" y="{MARKING_HEIGHT - 8}" font-weight="bold" '
            f'fill="{MARKING_COLOUR}" data-marking="true">{_escaped(marking)}</text>'
        )
    return parts


def _head_height(marking: str | None) -> float:
    """Vertical space the protective marking takes above the title."""
    return MARKING_HEIGHT if marking else 0.0


def _title_lines(title: str) -> list[str]:
    """The visible title, wrapped to fit the chart width."""
    return _wrapped(title, TITLE_CHARACTERS_PER_LINE)


def _visible_title(lines: Sequence[str], head: float) -> str:
    """The chart title drawn below the marking (if any), one <tspan> per line (screen readers
    read <title>: the svg's role="img" makes the drawing one image to them)."""
    spans = "".join(
        f'<tspan x="{MARGIN}" dy="{0 if i == 0 else TITLE_SIZE + 4}">{_escaped(line)}</tspan>'
        for i, line in enumerate(lines)
    )
    return (
        f'<text x="{MARGIN}" y="{head + TITLE_SIZE + 8}" font-size="{TITLE_SIZE}" '
        f'font-weight="bold">{spans}</text>'
    )


def _title_height(lines: Sequence[str], head: float) -> float:
    """Vertical space taken by the marking and the wrapped title."""
    return head + 14 + len(lines) * (TITLE_SIZE + 4)


def _marker(shape: str, x: float, y: float, style: LineStyle) -> str:
    """A data marker of `shape` centred on (x, y)."""
    fill = f'fill="{style.colour}" stroke="#ffffff" stroke-width="1"'
    if shape == "circle":
        return f'<circle cx="{_coordinate(x)}" cy="{_coordinate(y)}" r="4.5" {fill}/>'
    if shape == "square":
        return (
            f'<rect x="{_coordinate(x - 4)}" y="{_coordinate(y - 4)}" width="8" height="8" {fill}/>'
        )
    offsets = {
        "triangle": ((0, -5.5), (5, 4), (-5, 4)),
        "diamond": ((0, -6), (5, 0), (0, 6), (-5, 0)),
    }[shape]
    points = " ".join(f"{_coordinate(x + dx)},{_coordinate(y + dy)}" for dx, dy in offsets)
    return f'<polygon points="{points}" {fill}/>'


def _stroke(style: LineStyle) -> str:
    """Stroke attributes of a series line."""
    dash = f' stroke-dasharray="{style.dash}"' if style.dash else ""
    return (
        f'fill="none" stroke="{style.colour}" stroke-width="{style.width}"{dash} '
        'stroke-linejoin="round" stroke-linecap="round"'
    )


def _x_categories(series: Mapping[str, Sequence[tuple[str, float]]]) -> list[str]:
    """Every x label used by any series, in sorted order."""
    return sorted({label for points in series.values() for label, _ in points})


def _segments(
    points: Sequence[tuple[str, float]], positions: Mapping[str, float]
) -> list[list[tuple[float, float]]]:
    """Runs of consecutive plotted points as (x position, value); a NaN value breaks the line."""
    runs: list[list[tuple[float, float]]] = [[]]
    for label, value in sorted(points, key=lambda point: positions[point[0]]):
        if math.isfinite(value):
            runs[-1].append((positions[label], value))
        elif runs[-1]:
            runs.append([])
    return [run for run in runs if run]


@dataclass(frozen=True)
class _LineEnd:
    """A line's direct label: its text lines, style, and the value it is placed beside."""

    lines: list[str]
    style: LineStyle
    value: float


def _end_text(
    name: str,
    points: Sequence[tuple[str, float]],
    last_category: str,
    decimals: int,
    gap_text: str,
) -> tuple[str, float] | None:
    """(label, value to place it at) quoting the series' latest point: its number, or
    `gap_text` where that point is a gap (placed at the last point drawn), and the point's own
    label where the series stops before the last category; None when nothing is drawn."""
    drawn = [point for point in points if math.isfinite(point[1])]
    if not drawn:
        return None
    label, value = max(points, key=lambda point: point[0])
    shown = _number(value, decimals) if math.isfinite(value) else gap_text
    when = f" ({label})" if label != last_category else ""
    return f"{name}: {shown}{when}", max(drawn, key=lambda point: point[0])[1]


def _end_lines(text: str, room: float) -> list[str]:
    """A direct label on one line, or wrapped at spaces to lines no wider than `room`."""
    if text_width(text) <= room + 0.5:  # room is the widest label's width, give or take float
        return [text]
    return _wrapped(text, max(1, int(room / (FONT_SIZE * GLYPH_WIDTH))))


def _spread_labels(
    wanted: Sequence[float], extents: Sequence[float], low: float, high: float
) -> list[float]:
    """Label y positions as near `wanted` as possible, each at least the `extents` (its own
    height, 18 px a line) below the one above, within low..high."""
    order = sorted(range(len(wanted)), key=lambda i: (wanted[i], i))
    placed = [0.0] * len(wanted)
    previous, previous_extent = low - 18.0, 18.0
    for i in order:
        previous = max(wanted[i], previous + previous_extent)
        placed[i], previous_extent = previous, extents[i]
    # Labels pushed past the bottom are shifted back up together, keeping their gaps.
    bottom = max((y + extents[i] - 18.0 for i, y in enumerate(placed)), default=low)
    overflow = max(0.0, bottom - high)
    return [max(low, y - overflow) for y in placed]


def _series_description(
    name: str, points: Sequence[tuple[str, float]], decimals: int, gap_text: str
) -> str:
    """One series in words: its name and every value with its label."""
    values = ", ".join(
        f"{label} {_number(value, decimals) if math.isfinite(value) else gap_text}"
        for label, value in points
    )
    return f"{name}: {values or 'no figures'}."


def _x_tick_label(label: str, x: float, y: float) -> str:
    """An x-axis label, split at its first space onto two lines ('2014-15' over 'Q2')."""
    first, _, second = label.partition(" ")
    spans = f'<tspan x="{_coordinate(x)}" dy="0">{_escaped(first)}</tspan>'
    if second:
        spans += f'<tspan x="{_coordinate(x)}" dy="{LINE_HEIGHT:.0f}">{_escaped(second)}</tspan>'
    return f'<text x="{_coordinate(x)}" y="{_coordinate(y)}" text-anchor="middle">{spans}</text>'


def labelled_categories(categories: Sequence[str], step: float) -> list[str]:
    """The x-axis categories that get a label, `step` pixels apart: every k-th, counted back
    from the latest (always labelled), with k the least that keeps labels from touching."""
    widest = max(
        (text_width(line) for label in categories for line in label.split(" ", 1)), default=0.0
    )
    every = max(1, math.ceil((widest + LABEL_GAP) / step)) if step > 0 else 1
    last = len(categories) - 1
    return [label for i, label in enumerate(categories) if (last - i) % every == 0]


@dataclass(frozen=True)
class _Axis:
    """A linear value axis: `ticks` laid from pixel `start` (first tick) to `end` (last)."""

    ticks: list[float]
    start: float
    end: float

    def at(self, value: float) -> float:
        """Pixel position of `value`."""
        low, high = self.ticks[0], self.ticks[-1]
        return self.start + (value - low) / (high - low) * (self.end - self.start)


def _y_grid(axis: _Axis, left: float, right: float) -> list[str]:
    """Horizontal grid lines with their value labels, and the x axis line at the bottom."""
    decimals = _tick_decimals(axis.ticks)
    parts = [
        f'<line x1="{left}" x2="{right}" y1="{_coordinate(axis.at(tick))}" '
        f'y2="{_coordinate(axis.at(tick))}" stroke="{GRID_COLOUR}"/>'
        f'<text x="{left - 8}" y="{_coordinate(axis.at(tick))}" dy="4" text-anchor="end">'
        f"{tick:,.{decimals}f}</text>"
        for tick in axis.ticks
    ]
    parts.append(
        f'<line x1="{left}" x2="{right}" y1="{axis.start}" y2="{axis.start}" '
        f'stroke="{TEXT_COLOUR}"/>'
    )
    return parts


def _polyline_points(run: Sequence[tuple[float, float]], axis: _Axis) -> str:
    """SVG points of a run of (x position, value)."""
    return " ".join(f"{_coordinate(x)},{_coordinate(axis.at(value))}" for x, value in run)


def _series_marks(
    name: str, runs: Sequence[Sequence[tuple[float, float]]], style: LineStyle, axis: _Axis
) -> str:
    """One series drawn: a polyline per run of points, and a marker on every point."""
    lines = "".join(
        f'<polyline points="{_polyline_points(run, axis)}" {_stroke(style)}/>' for run in runs
    )
    markers = "".join(_marker(style.marker, x, axis.at(v), style) for run in runs for x, v in run)
    return f'<g data-series="{_escaped(name)}">{lines}{markers}</g>'


def _direct_labels(ends: Sequence[_LineEnd], axis: _Axis, x: float, top: float) -> list[str]:
    """Each line's label (with a sample of its line and marker) beside its last point, spread
    so no two labels overlap."""
    extents = [18.0 + LINE_HEIGHT * (len(end.lines) - 1) for end in ends]
    ys = _spread_labels([axis.at(end.value) for end in ends], extents, top, axis.start)
    parts = []
    for end, y in zip(ends, ys, strict=True):
        text_x = _coordinate(x + 28)
        spans = "".join(
            f'<tspan x="{text_x}" dy="{4 if i == 0 else LINE_HEIGHT:.0f}">{_escaped(line)}</tspan>'
            for i, line in enumerate(end.lines)
        )
        parts.append(
            f'<g><line x1="{_coordinate(x)}" x2="{_coordinate(x + 22)}" y1="{_coordinate(y)}" '
            f'y2="{_coordinate(y)}" {_stroke(end.style)}/>'
            f"{_marker(end.style.marker, x + 11, y, end.style)}"
            f'<text x="{text_x}" y="{_coordinate(y)}">{spans}</text></g>'
        )
    return parts


def line_chart_svg(
    series: Mapping[str, Sequence[tuple[str, float]]],
    title: str,
    unit: str,
    *,
    decimals: int = 1,
    gap_text: str = "no figure",
    marking: str | None = None,
) -> str:
    """SVG line chart of named series of (period label, value), each labelled directly with
    its latest point; the x axis is every label in sorted order, so labels must sort by time
    (like '2013-14 Q4', or '2013-14' on a yearly axis); NaN is a gap in the line, called
    `gap_text` in words. Values are shown at `decimals` places; `marking` heads the chart."""
    head = _head_height(marking)
    lines = _title_lines(title)
    categories = _x_categories(series)
    styles = [LINE_STYLES[i % len(LINE_STYLES)] for i in range(len(series))]
    texts = [
        (end, style)
        for (name, points), style in zip(series.items(), styles, strict=True)
        if (end := _end_text(name, points, categories[-1], decimals, gap_text)) is not None
    ]
    widest = max((text_width(text) for (text, _), _ in texts), default=0.0)
    column = min(max(widest + 38 + MARGIN, 120.0), WIDTH / 3)
    left, right = 64.0, WIDTH - column
    room = WIDTH - MARGIN - (right + 38)
    ends = [_LineEnd(_end_lines(text, room), style, value) for (text, value), style in texts]
    top = _title_height(lines, head) + 26
    axis = _Axis(
        _nice_ticks(*_value_range([v for points in series.values() for _, v in points])),
        top + 250.0,
        top,
    )
    step = (right - left) / max(len(categories), 1)
    positions = {label: left + step * (i + 0.5) for i, label in enumerate(categories)}
    chart_id = _chart_id("line", title, unit, decimals, marking, sorted(series.items()))
    description = f"Line chart of {title}, in {unit}, by period. " + " ".join(
        _series_description(name, points, decimals, gap_text) for name, points in series.items()
    )
    parts = _svg_open(chart_id, axis.start + 52, title, description, marking)
    parts.append(_visible_title(lines, head))
    parts.append(f'<text x="{left}" y="{top - 12}">{_escaped(unit)}</text>')
    parts.extend(_y_grid(axis, left, right))
    parts.extend(
        _x_tick_label(label, positions[label], axis.start + 18)
        for label in labelled_categories(categories, step)
    )
    parts.extend(
        _series_marks(name, _segments(points, positions), style, axis)
        for (name, points), style in zip(series.items(), styles, strict=True)
    )
    parts.extend(_direct_labels(ends, axis, right + 10, top))
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def _hatch_pattern(pattern_id: str) -> str:
    """A diagonal hatch, so the highlighted bar differs from the others without colour."""
    return (
        f'<defs><pattern id="{pattern_id}" width="8" height="8" patternUnits="userSpaceOnUse" '
        'patternTransform="rotate(45)">'
        f'<rect width="8" height="8" fill="#ffffff"/>'
        f'<rect width="4" height="8" fill="{HIGHLIGHT_COLOUR}"/></pattern></defs>'
    )


def _bar_label(name: str, highlight: str) -> str:
    """The row label of a bar: the highlighted area says so in words."""
    return f"{name} (this area)" if name == highlight else name


def _x_grid(axis: _Axis, top: float, bottom: float) -> list[str]:
    """Vertical grid lines with their value labels above the bars."""
    decimals = _tick_decimals(axis.ticks)
    return [
        f'<line x1="{_coordinate(axis.at(tick))}" x2="{_coordinate(axis.at(tick))}" '
        f'y1="{top - 6}" y2="{bottom}" stroke="{GRID_COLOUR}"/>'
        f'<text x="{_coordinate(axis.at(tick))}" y="{top - 10}" text-anchor="middle">'
        f"{tick:,.{decimals}f}</text>"
        for tick in axis.ticks
    ]


def _bar_row(
    name: str, value: float, y: float, axis: _Axis, highlight: str, pattern_id: str, decimals: int
) -> str:
    """One bar with its name on the left and its value at its end; the highlighted bar is
    hatched, outlined thickly and labelled in bold, a missing value says "no figure"."""
    is_highlight = name == highlight
    weight = ' font-weight="bold"' if is_highlight else ""
    middle = _coordinate(y + BAR_HEIGHT / 2)
    parts = [
        f'<g data-bar="{_escaped(name)}">'
        f'<text x="{axis.start - 8}" y="{middle}" dy="4" text-anchor="end"{weight}>'
        f"{_escaped(_bar_label(name, highlight))}</text>"
    ]
    if math.isfinite(value):
        start, end = sorted((axis.at(0.0), axis.at(value)))
        fill = (
            f'fill="url(#{pattern_id})" stroke="{TEXT_COLOUR}" stroke-width="2.5"'
            if is_highlight
            else f'fill="{BAR_COLOUR}" stroke="{HIGHLIGHT_COLOUR}" stroke-width="0.5"'
        )
        parts.append(
            f'<rect x="{_coordinate(start)}" y="{_coordinate(y)}" '
            f'width="{_coordinate(end - start)}" height="{BAR_HEIGHT}" {fill}/>'
            f'<text x="{_coordinate(end + 6)}" y="{middle}" dy="4"{weight}>'
            f"{_number(value, decimals)}</text>"
        )
    else:
        parts.append(f'<text x="{axis.start + 6}" y="{middle}" dy="4">no figure</text>')
    parts.append("</g>")
    return "".join(parts)


def bar_chart_svg(
    bars: Sequence[tuple[str, float]],
    highlight: str,
    title: str,
    unit: str,
    *,
    decimals: int = 1,
    marking: str | None = None,
) -> str:
    """SVG horizontal bar chart of (name, value) in the given order, the bar named `highlight`
    hatched, outlined and labelled "(this area)"; NaN is drawn as "no figure". Values are shown
    at `decimals` places; `marking` heads the chart."""
    head = _head_height(marking)
    lines = _title_lines(title)
    label_width = max((text_width(_bar_label(name, highlight)) for name, _ in bars), default=0)
    top = _title_height(lines, head) + 30
    bottom = top + ROW_HEIGHT * len(bars)
    axis = _Axis(
        _nice_ticks(*_value_range([value for _, value in bars])),
        min(label_width + MARGIN + 8, WIDTH / 2),
        WIDTH - 80.0,
    )
    chart_id = _chart_id("bar", title, unit, decimals, highlight, marking, list(bars))
    in_words = "; ".join(
        f"{_bar_label(name, highlight)} "
        f"{_number(value, decimals) if math.isfinite(value) else 'no figure'}"
        for name, value in bars
    )
    description = f"Bar chart of {title}, in {unit}. {in_words}."
    parts = _svg_open(chart_id, bottom + 40, title, description, marking)
    parts.append(_hatch_pattern(f"{chart_id}-hatch"))
    parts.append(_visible_title(lines, head))
    parts.extend(_x_grid(axis, top, bottom))
    parts.extend(
        _bar_row(
            name,
            value,
            top + ROW_HEIGHT * index + (ROW_HEIGHT - BAR_HEIGHT) / 2,
            axis,
            highlight,
            f"{chart_id}-hatch",
            decimals,
        )
        for index, (name, value) in enumerate(bars)
    )
    zero = _coordinate(axis.at(0.0))
    parts.append(
        f'<line x1="{zero}" x2="{zero}" y1="{top - 6}" y2="{bottom}" stroke="{TEXT_COLOUR}"/>'
        f'<text x="{axis.end}" y="{bottom + 24}" text-anchor="end">{_escaped(unit)}</text>'
    )
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def png_of_svg(svg: str) -> bytes:
    """PNG image of `svg` at twice its size on white, for pasting into documents (resvg)."""
    tree = resvg.usvg.Tree.from_str(svg, _render_options())
    width, height = rendered_size(svg) or tuple(
        math.ceil(side * PNG_ZOOM) for side in tree.int_size()
    )
    return bytes(
        resvg.render(
            tree,
            (PNG_ZOOM, 0.0, 0.0, 0.0, PNG_ZOOM, 0.0),
            bg_color=(255, 255, 255, 255),
            bg_size=(width, height),
        )
    )


def _render_options() -> resvg.usvg.Options:
    """resvg's options with the system's fonts, loaded once per thread: loading them is most of
    the cost of a chart when done for each one, and resvg refuses options made on another
    thread (a run of one worker writes its editions on a thread of its own)."""
    options = getattr(_RENDERING, "options", None)
    if options is None:
        options = resvg.usvg.Options.default()
        options.load_system_fonts()
        _RENDERING.options = options
    return options


_RENDERING = threading.local()


def svg_digest(svg: str) -> str:
    """SHA-256 of a chart's SVG text, hex: the key of its PNG."""
    return hashlib.sha256(svg.encode("utf-8")).hexdigest()


def drawn_pngs(folders: Iterable[Path]) -> dict[str, Path]:
    """The PNG written beside each SVG in `folders` (charts already published), by
    `svg_digest`. A PNG is a pure function of its SVG, and rendering one takes about 0.1 s, so
    a chart drawn exactly as before is copied rather than rendered again; but not one rendered
    at another size (by a version of lscb_metrics with another PNG_ZOOM)."""
    found: dict[str, Path] = {}
    for folder in folders:
        for svg in sorted(folder.glob("*.svg")) if folder.is_dir() else ():
            png = svg.with_suffix(".png")
            if png.is_file() and not svg.is_symlink() and not png.is_symlink():
                text = svg.read_text(encoding="utf-8")
                if png_size(png) == rendered_size(text):
                    found[svg_digest(text)] = png
    return found


def png_size(path: Path) -> tuple[int, int] | None:
    """The width and height in pixels a PNG file's header gives (None for another file)."""
    with path.open("rb") as handle:
        head = handle.read(24)
    if head[:8] != PNG_SIGNATURE or head[12:16] != b"IHDR":
        return None
    return int.from_bytes(head[16:20], "big"), int.from_bytes(head[20:24], "big")


def rendered_size(svg: str) -> tuple[int, int] | None:
    """The width and height in pixels `png_of_svg` renders `svg` at (its root's width and
    height times PNG_ZOOM); None where the root gives no size in pixels."""
    found = SVG_SIZE.search(svg)
    if found is None:
        return None
    width, height = (math.ceil(float(found[name]) * PNG_ZOOM) for name in ("width", "height"))
    return width, height


def write_png(svg: str, path: Path, drawn: Mapping[str, Path]) -> None:
    """The PNG of `svg` at `path`: copied from `drawn` (see `drawn_pngs`) when the same SVG was
    rendered before, else rendered."""
    earlier = drawn.get(svg_digest(svg))
    if earlier is not None:
        shutil.copyfile(earlier, path)
    else:
        path.write_bytes(png_of_svg(svg))
