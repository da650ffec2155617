"""Accessible, deterministic SVG charts for the scorecard, and their PNG renderings.

The SVG is written by hand (no plotting library): the same input always gives the same bytes, and
nothing is fetched (no fonts, scripts or images). Accessibility (WCAG 2.2 1.1.1 and 1.4.1): every
chart has a <title> and a <desc> giving its figures in words; lines are labelled directly and
told apart by dash pattern and marker shape as well as colour; the highlighted bar has a hatch
pattern, a thick outline and a bold "(this area)" label. Colours are the GSS / Analysis Function
categorical palette.
"""

from __future__ import annotations

import hashlib
import html
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import resvg_py

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
# Average glyph width of a sans-serif face as a share of its size: enough to reserve room for
# labels without measuring text (SVG cannot measure it before it is drawn).
GLYPH_WIDTH = 0.55
TITLE_CHARACTERS_PER_LINE = 84
PNG_ZOOM = 2.0


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
BAR_COLOUR = "#A3BFD9"
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


def _text_width(text: str, size: float = FONT_SIZE) -> float:
    """Estimated rendered width of `text` at `size` pixels."""
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


def _svg_open(chart_id: str, height: float, title: str, description: str) -> list[str]:
    """Opening <svg> with its accessible name (<title>) and description (<desc>)."""
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height:.0f}" '
        f'viewBox="0 0 {WIDTH} {height:.0f}" role="img" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" font-family="{FONT_FAMILY}" '
        f'font-size="{FONT_SIZE}" fill="{TEXT_COLOUR}">',
        f'<title id="{chart_id}-title">{_escaped(title)}</title>',
        f'<desc id="{chart_id}-desc">{_escaped(description)}</desc>',
        f'<rect width="{WIDTH}" height="{height:.0f}" fill="#ffffff"/>',
    ]


def _title_lines(title: str) -> list[str]:
    """The visible title, wrapped to fit the chart width."""
    return _wrapped(title, TITLE_CHARACTERS_PER_LINE)


def _visible_title(lines: Sequence[str]) -> str:
    """The chart title drawn at the top, one <tspan> per line (screen readers read <title>: the
    svg's role="img" makes the drawing one image to them)."""
    spans = "".join(
        f'<tspan x="12" dy="{0 if i == 0 else TITLE_SIZE + 4}">{_escaped(line)}</tspan>'
        for i, line in enumerate(lines)
    )
    return (
        f'<text x="12" y="{TITLE_SIZE + 8}" font-size="{TITLE_SIZE}" font-weight="bold">'
        f"{spans}</text>"
    )


def _title_height(lines: Sequence[str]) -> float:
    """Vertical space taken by the wrapped title."""
    return 14 + len(lines) * (TITLE_SIZE + 4)


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


def _last_value(points: Sequence[tuple[str, float]]) -> float | None:
    """Value of the latest point (by label) that has a figure, if any."""
    finite = [point for point in points if math.isfinite(point[1])]
    return max(finite, key=lambda point: point[0])[1] if finite else None


def _spread_labels(wanted: Sequence[float], gap: float, low: float, high: float) -> list[float]:
    """Label y positions as near `wanted` as possible, at least `gap` apart, within low..high."""
    order = sorted(range(len(wanted)), key=lambda i: (wanted[i], i))
    placed = [0.0] * len(wanted)
    previous = low - gap
    for i in order:
        previous = max(wanted[i], previous + gap)
        placed[i] = previous
    # Labels pushed past the bottom are shifted back up together, keeping their gaps.
    overflow = max(0.0, max(placed, default=low) - high)
    return [max(low, y - overflow) for y in placed]


def _series_description(name: str, points: Sequence[tuple[str, float]], decimals: int) -> str:
    """One series in words: its name and every value with its label."""
    values = ", ".join(
        f"{label} {_number(value, decimals) if math.isfinite(value) else 'no figure'}"
        for label, value in points
    )
    return f"{name}: {values or 'no figures'}."


def _x_tick_label(label: str, x: float, y: float) -> str:
    """An x-axis label, split at its first space onto two lines ('2014-15' over 'Q2')."""
    first, _, second = label.partition(" ")
    spans = f'<tspan x="{_coordinate(x)}" dy="0">{_escaped(first)}</tspan>'
    if second:
        spans += f'<tspan x="{_coordinate(x)}" dy="14">{_escaped(second)}</tspan>'
    return f'<text x="{_coordinate(x)}" y="{_coordinate(y)}" text-anchor="middle">{spans}</text>'


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


def _direct_labels(
    ends: Sequence[tuple[str, LineStyle, float]], axis: _Axis, x: float, top: float
) -> list[str]:
    """Each line's label (with a sample of its line and marker) beside its last point, spread
    so no two labels overlap."""
    ys = _spread_labels([axis.at(value) for *_, value in ends], 18.0, top, axis.start)
    return [
        f'<g><line x1="{x}" x2="{x + 22}" y1="{_coordinate(y)}" '
        f'y2="{_coordinate(y)}" {_stroke(style)}/>{_marker(style.marker, x + 11, y, style)}'
        f'<text x="{x + 28}" y="{_coordinate(y)}" dy="4">{_escaped(text)}</text></g>'
        for (text, style, _), y in zip(ends, ys, strict=True)
    ]


def line_chart_svg(
    series: Mapping[str, Sequence[tuple[str, float]]],
    title: str,
    unit: str,
    *,
    decimals: int = 1,
) -> str:
    """SVG line chart of named series of (period label, value), labelled directly at each line's
    last point; the x axis is every label in sorted order, so labels must sort by time (like
    '2013-14 Q4'); NaN breaks a line. Values are shown at `decimals` places."""
    lines = _title_lines(title)
    categories = _x_categories(series)
    styles = [LINE_STYLES[i % len(LINE_STYLES)] for i in range(len(series))]
    last = {name: _last_value(points) for name, points in series.items()}
    ends = [
        (f"{name}: {_number(value, decimals)}", style, value)
        for (name, value), style in zip(last.items(), styles, strict=True)
        if value is not None
    ]
    label_width = max((_text_width(text) for text, *_ in ends), default=0) + 40
    left, right = 64.0, WIDTH - min(max(label_width, 120.0), WIDTH / 3)
    top = _title_height(lines) + 26
    axis = _Axis(
        _nice_ticks(*_value_range([v for points in series.values() for _, v in points])),
        top + 250.0,
        top,
    )
    step = (right - left) / max(len(categories), 1)
    positions = {label: left + step * (i + 0.5) for i, label in enumerate(categories)}
    chart_id = _chart_id("line", title, unit, decimals, sorted(series.items()))
    description = f"Line chart of {title}, in {unit}, by period. " + " ".join(
        _series_description(name, points, decimals) for name, points in series.items()
    )
    parts = _svg_open(chart_id, axis.start + 52, title, description)
    parts.append(_visible_title(lines))
    parts.append(f'<text x="{left}" y="{top - 12}">{_escaped(unit)}</text>')
    parts.extend(_y_grid(axis, left, right))
    parts.extend(_x_tick_label(label, positions[label], axis.start + 18) for label in categories)
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
) -> str:
    """SVG horizontal bar chart of (name, value) in the given order, the bar named `highlight`
    hatched, outlined and labelled "(this area)"; NaN is drawn as "no figure". Values are shown
    at `decimals` places."""
    lines = _title_lines(title)
    label_width = max((_text_width(_bar_label(name, highlight)) for name, _ in bars), default=0)
    top = _title_height(lines) + 30
    bottom = top + ROW_HEIGHT * len(bars)
    axis = _Axis(
        _nice_ticks(*_value_range([value for _, value in bars])),
        min(label_width + 20, WIDTH / 2),
        WIDTH - 80.0,
    )
    chart_id = _chart_id("bar", title, unit, decimals, highlight, list(bars))
    in_words = "; ".join(
        f"{_bar_label(name, highlight)} "
        f"{_number(value, decimals) if math.isfinite(value) else 'no figure'}"
        for name, value in bars
    )
    parts = _svg_open(chart_id, bottom + 40, title, f"Bar chart of {title}, in {unit}. {in_words}.")
    parts.append(_hatch_pattern(f"{chart_id}-hatch"))
    parts.append(_visible_title(lines))
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
    return bytes(resvg_py.svg_to_bytes(svg_string=svg, background="#ffffff", zoom=PNG_ZOOM))
