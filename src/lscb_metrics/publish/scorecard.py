"""The board's scorecard: one self-contained HTML page, and its charts as SVG and PNG files.

The page makes no network request at all (inline CSS and SVG, system fonts, no scripts), so it
can be emailed, archived or opened offline exactly as published. Figures pass through the same
disclosure control as every other publication (`figures.published_figures`: counts of 1 to 5 and
figures derived from them become `c`). Judgements are shown in words and symbols as well as
colour (WCAG 2.2 1.4.1): comparisons with England as OHID Fingertips labels them, trends as
Fingertips' recent-trend markers (`stats.trend.recent_trend`).

Charts show exactly what the tables show. The quarterly chart draws the board's own figure at
each quarter beside England and the neighbours' average as that quarter is compared with them
(the table's columns, quoted comparators included); the yearly chart draws the published
annual series (DfE) on a yearly axis. A withheld figure (c) is a gap, never a point, and a
label quoting a line's latest figure says c where that figure is withheld. A chart whose area
has no figure to draw is not produced. The internal edition's page and charts carry its
protective marking.
"""

from __future__ import annotations

import html
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from pathlib import Path

import duckdb
import pandas as pd

from lscb_metrics.boards import Board
from lscb_metrics.catalogue import COMPARATORS
from lscb_metrics.editions import PUBLIC, Edition
from lscb_metrics.errors import LscbError
from lscb_metrics.periods import (
    Quarter,
    first_figures_note,
    population_convention,
    quarter_of,
)
from lscb_metrics.publish.charts import bar_chart_svg, line_chart_svg, write_png
from lscb_metrics.publish.figures import (
    NATIONAL,
    PARTNER_RETURN,
    BoardArea,
    authority_codes,
    board_area,
    catalogue_frame,
    comparator_year,
    edition_run,
    figure_rows,
    first_return_quarter,
    published_figures,
    published_sources,
    quoted_comparator_note,
    read_only,
    series_where,
)
from lscb_metrics.revisions import revision_notice
from lscb_metrics.sql import sql_text, sql_texts
from lscb_metrics.stats import comparison as cmp
from lscb_metrics.stats import trend
from lscb_metrics.stats.disclosure import NOT_AVAILABLE, SUPPRESSED, SYMBOL_NOTES

SCORECARD_FILE = "scorecard.html"
CHARTS_DIR = "charts"
TOTAL = "Total"
PUBLISHED = "published"
ENGLAND = "England"
NEIGHBOURS_AVERAGE = "Neighbours' average"
#: How a chart's words call a withheld point, and its direct label a withheld latest figure.
WITHHELD = f"{SUPPRESSED} (withheld)"
CHART_KINDS = ("trend", "years", "neighbours")

# label -> (CSS class, symbol); the symbol repeats the word's meaning for those who cannot see
# the colour, and is hidden from screen readers, which read the word.
COMPARISON_BADGES: dict[str, tuple[str, str]] = {
    cmp.BEST: ("best", "✓✓"),
    cmp.BETTER: ("better", "✓"),
    cmp.SIMILAR: ("similar", "≈"),
    cmp.WORSE: ("worse", "✗"),
    cmp.WORST: ("worst", "✗✗"),
    cmp.LOWER: ("lower", "↓"),
    cmp.HIGHER: ("higher", "↑"),
    cmp.NOT_COMPARED: ("none", "–"),
}
TREND_BADGES: dict[str, tuple[str, str]] = {
    trend.INCREASING_BETTER: ("better", "↑"),
    trend.DECREASING_BETTER: ("better", "↓"),
    trend.INCREASING_WORSE: ("worse", "↑"),
    trend.DECREASING_WORSE: ("worse", "↓"),
    trend.INCREASING: ("higher", "↑"),
    trend.DECREASING: ("lower", "↓"),
    trend.NO_SIGNIFICANT_CHANGE: ("similar", "→"),
    trend.CANNOT_BE_CALCULATED: ("none", "–"),
}

STYLE = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, Arial, "Liberation Sans",
  sans-serif; color: #0b0c0c; background: #ffffff; line-height: 1.45; margin: 0 auto;
  max-width: 76rem; padding: 1rem 1.5rem 3rem; }
h1 { font-size: 1.9rem; margin: 0.5rem 0; }
h2 { font-size: 1.45rem; margin: 2.5rem 0 0.5rem; border-top: 4px solid #12436d;
  padding-top: 0.5rem; }
h3 { font-size: 1.1rem; margin: 1.5rem 0 0.25rem; }
a { color: #1d70b8; }
a:focus-visible, .table-scroll:focus-visible { outline: 3px solid #0b0c0c; outline-offset: 2px; }
nav a { display: inline-block; padding: 0.25rem 0; }
.table-scroll { overflow-x: auto; margin: 0.5rem 0 1rem; }
table { border-collapse: collapse; width: 100%; font-size: 0.95rem; }
caption { text-align: left; font-weight: bold; padding: 0.25rem 0 0.5rem; }
caption span { position: sticky; left: 0; display: inline-block; max-width: calc(100vw - 3rem); }
th[scope="row"], th[scope="rowgroup"] { min-width: 12rem; }
th, td { border-bottom: 1px solid #b1b4b6; padding: 0.45rem 0.5rem; text-align: left;
  vertical-align: top; }
thead th { border-bottom: 2px solid #0b0c0c; vertical-align: bottom; }
th[scope="rowgroup"] { background: #f3f2f1; }
td.number { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
.about { display: block; font-weight: normal; font-size: 0.85rem; color: #505a5f; }
.badge { display: inline-block; white-space: nowrap; border: 1px solid; border-radius: 0.25rem;
  padding: 0.05rem 0.4rem; font-size: 0.9rem; }
.best { background: #a8d5b8; border-color: #005a30; }
.better { background: #cce2d8; border-color: #005a30; }
.similar { background: #fff2b3; border-color: #8a6d00; }
.worse { background: #f6d7d2; border-color: #942514; }
.worst { background: #eba59b; border-color: #942514; }
.higher { background: #bfd2ec; border-color: #12436d; }
.lower { background: #e2ecf7; border-color: #12436d; }
.none { background: #f3f2f1; border-color: #6f777b; }
a.symbol { color: inherit; text-decoration: underline dotted; }
.charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(min(28rem, 100%), 1fr));
  gap: 0 2rem; }
.charts h3 { grid-column: 1 / -1; }
figure { margin: 0.5rem 0 1.5rem; }
figcaption { font-size: 0.9rem; color: #505a5f; }
svg { max-width: 100%; height: auto; }
dl.symbols dt { font-weight: bold; float: left; clear: left; width: 3rem; }
dl.symbols dd { margin: 0 0 0.5rem 3rem; }
.marking { position: fixed; top: 0; left: 0; right: 0; margin: 0; padding: 0.3rem 1rem;
  background: #d4351c; color: #ffffff; font-weight: bold; text-align: center; z-index: 1; }
body.marked { padding-top: 2.5rem; }
.marking.marking-end { position: static; margin: 2rem 0 0; }
@media screen {
  .marking { position: sticky; margin: 0 -1.5rem; }
  body.marked { padding-top: 0; }
  html:has(body.marked) { scroll-padding-top: 5rem; }
}
"""


class ScorecardError(LscbError, ValueError):
    """The warehouse holds nothing to publish for the period asked for."""


@dataclass(frozen=True)
class ScorecardData:
    """What the scorecard shows, read from the warehouse: unrounded (`*_rows`) and as
    published after disclosure control and rounding (`shown`, `history`, `neighbours`)."""

    area: BoardArea
    board_name: str  # as the board's profile names it
    period_end: date
    catalogue: pd.DataFrame
    own_rows: pd.DataFrame
    shown: pd.DataFrame
    history: pd.DataFrame
    neighbours: pd.DataFrame
    sources: dict[str, list[str]]
    revisions: tuple[str, ...] = ()  # REV-001 messages for the area's revised figures
    edition: Edition = PUBLIC
    run_id: str | None = None  # the run whose figures these are
    #: Why the area has no 12-month figures yet, in its first three quarters of returns.
    first_figures: str | None = None

    @cached_property
    def history_totals(self) -> dict[tuple[str, str], pd.DataFrame]:
        """The published history of each indicator's totals (no breakdown), by indicator and
        source type."""
        totals = self.history[self.history["breakdown"].eq(TOTAL)]
        return {
            (str(indicator), str(source)): rows
            for (indicator, source), rows in totals.groupby(
                ["indicator_id", "source_type"], sort=False
            )
        }

    @cached_property
    def shown_totals(self) -> dict[str, pd.DataFrame]:
        """The table's rows of each indicator's total (no breakdown) at the quarter, by
        indicator."""
        totals = self.shown[self.shown["breakdown"].eq(TOTAL)]
        return {str(key): rows for key, rows in totals.groupby("indicator_id", sort=False)}

    @cached_property
    def neighbours_by_indicator(self) -> dict[str, pd.DataFrame]:
        """The area's and its neighbours' published figures of each indicator, by indicator."""
        return {str(key): rows for key, rows in self.neighbours.groupby("indicator_id", sort=False)}

    @cached_property
    def trends(self) -> dict[tuple[str, str], str]:
        """Recent-trend label of each (indicator, breakdown) of the board's partner figures at
        the quarter as the edition shows it: curated.comparisons' label, or `c` where the
        figure is withheld (`published_figures`)."""
        labelled = self.shown[self.shown["trend"].notna()].drop_duplicates(
            ["indicator_id", "breakdown"]
        )
        return {
            (indicator, breakdown): str(label)
            for indicator, breakdown, label in zip(
                labelled["indicator_id"], labelled["breakdown"], labelled["trend"], strict=True
            )
        }


def _latest_partner_period(connection: duckdb.DuckDBPyConnection, area_code: str) -> date:
    """Last period end the board's partner returns reach."""
    [(latest,)] = connection.execute(
        "SELECT max(period_end) FROM curated.indicator_values "
        "WHERE source_type = ? AND area_code = ?",
        [PARTNER_RETURN, area_code],
    ).fetchall()
    return latest


def _neighbour_codes(connection: duckdb.DuckDBPyConnection, area_code: str) -> list[str]:
    """The area's statistical neighbours, closest first."""
    rows = connection.execute(
        "SELECT neighbour_code FROM reference.statistical_neighbours WHERE area_code = ? "
        "ORDER BY neighbour_rank",
        [area_code],
    ).fetchall()
    return [code for (code,) in rows]


def read_scorecard_data(
    warehouse: Path,
    board: Board,
    period_end: date | None = None,
    edition: Edition = PUBLIC,
    area_code: str | None = None,
    *,
    connection: duckdb.DuckDBPyConnection | None = None,
) -> ScorecardData:
    """The figures of the board's area `area_code` (default: its first) at `period_end`
    (default: its latest quarter), their history and neighbours as `edition` shows them, read
    from the warehouse without writing to it (through `connection` where given,
    `figures.read_only`)."""
    with read_only(warehouse, connection) as connection:
        sources = published_sources(connection)
        area = board_area(connection, area_code or board.areas[0])
        period_end = period_end or _latest_partner_period(connection, area.code)
        catalogue = catalogue_frame(connection, board.local_targets_on(area.code, period_end))
        up_to = f"v.period_end <= DATE '{period_end.isoformat()}'"
        # The authority's series runs on across a change of its ONS code alone (`authority_codes`).
        codes = authority_codes(connection, area.code)
        own = figure_rows(connection, f"{series_where(codes, board.areas)} AND {up_to}")
        england = figure_rows(
            connection,
            f"v.geographic_level = {sql_text(NATIONAL)} AND v.breakdown = 'Total' AND {up_to}",
        )
        beside = sql_texts([area.code, *_neighbour_codes(connection, area.code)])
        compared = figure_rows(
            connection,
            f"v.area_code IN ({beside}) AND v.source_type = 'published' AND v.breakdown = 'Total' "
            f"AND {up_to}",
        )
        covered = [code for code in codes if code in board.areas]
        names = dict.fromkeys(covered, area.name)
        revised = revision_messages(connection, covered, period_end, edition, names)
        run_id = edition_run(connection, board.slug, quarter_of(period_end).label)
        first = first_return_quarter(connection, covered, period_end)
    current = own[own["source_type"].eq(PARTNER_RETURN) & own["period_end"].eq(period_end)]
    if current.empty:
        raise ScorecardError(
            f"the warehouse holds no partner-return figures for {area.name} at "
            f"{period_end.isoformat()}; run the pipeline for that quarter first"
        )
    own_published = published_figures(own, catalogue, edition)
    comparator_ends = current.set_index("indicator_id")["comparator_period_end"].dropna()
    latest_year = compared["period_end"].eq(
        compared["indicator_id"].map(comparator_ends.groupby(level=0).first().to_dict())
    )
    return ScorecardData(
        area=area,
        board_name=board.name,
        period_end=period_end,
        catalogue=catalogue,
        own_rows=own,
        # Every figure's disclosure is decided among rows of its own area, period and source
        # (`published_figures`), so the quarter's are the same published with the area's history
        # or alone, and England's with the area's or apart: one call the fewer.
        shown=own_published[own_published.index.isin(current.index)],
        history=pd.concat(
            [own_published, published_figures(england, catalogue, edition)], ignore_index=True
        ),
        neighbours=published_figures(compared[latest_year], catalogue, edition),
        sources=sources,
        revisions=revised,
        edition=edition,
        run_id=run_id,
        first_figures=first_figures_note(first, quarter_of(period_end)),
    )


def revision_messages(
    connection: duckdb.DuckDBPyConnection,
    area_codes: Sequence[str],
    period_end: date,
    edition: Edition = PUBLIC,
    names: Mapping[str, str] | None = None,
) -> tuple[str, ...]:
    """REV-001 messages of the figures of the areas `area_codes` (one authority's) revised
    beyond the usual range up to `period_end` (audit.revisions; none in a warehouse from before
    revisions were flagged); a disclosure-controlled edition names each figure without its
    values (`revision_notice`), and its area by `names`."""
    [(exists,)] = connection.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE schema_name = 'audit' "
        "AND table_name = 'revisions'"
    ).fetchall()
    if not exists:
        return ()
    rows = connection.execute(
        "SELECT message, area_code, measure, breakdown, period_end FROM audit.revisions "
        f"WHERE area_code IN ({sql_texts(area_codes)}) AND period_end <= ? "
        "ORDER BY measure, breakdown, period_end",
        [period_end],
    ).fetchall()
    if edition.disclosure_controlled:
        return tuple(dict.fromkeys(revision_notice(*row[1:], names or {}) for row in rows))
    return tuple(message for (message, *_) in rows)


def _plotted(cell: object) -> float:
    """A published cell as a number to plot: NaN for a symbol (c, x, z, low) or a gap."""
    if isinstance(cell, str) or cell is None or pd.isna(cell):
        return math.nan
    return float(cell)


def _is_plotted(cell: object) -> bool:
    """True for a published number, and for `c`, which is drawn as a gap in the line."""
    return cell == SUPPRESSED or not (isinstance(cell, str) or pd.isna(cell))


def _points(rows: pd.DataFrame, column: str, labels: pd.Series) -> list[tuple[str, float]]:
    """(label, published value) of `rows` in time order; a suppressed figure (c) is kept as
    NaN, a gap in the line, and other symbols (x, z, low) are left out."""
    kept = [
        (end, label, cell)
        for end, label, cell in zip(rows["period_end"], labels, rows[column], strict=True)
        if pd.notna(end) and _is_plotted(cell)
    ]
    return [(label, _plotted(cell)) for _, label, cell in sorted(kept, key=lambda point: point[0])]


def _compares_with(spec: pd.Series, comparator: str) -> bool:
    """True when the catalogue compares the indicator with `comparator` (england, region or
    statistical_neighbours)."""
    comparators = spec["comparators"]
    return isinstance(comparators, str) and comparator in comparators.split(", ")


def _has_comparators(spec: pd.Series) -> bool:
    """True when the catalogue compares the indicator with anything at all."""
    return any(_compares_with(spec, comparator) for comparator in COMPARATORS)


def _totals(data: ScorecardData, indicator_id: str, source_type: str) -> pd.DataFrame:
    """The published history of one indicator's totals (no breakdown) of `source_type`."""
    found = data.history_totals.get((indicator_id, source_type))
    return data.history.head(0) if found is None else found


def quarter_series(data: ScorecardData, indicator_id: str) -> dict[str, list[tuple[str, float]]]:
    """Series of the quarterly chart: the area's figure at each quarter from its partner
    returns and, where the catalogue compares with them, England's and the neighbours' average
    as each quarter is compared with them (the scorecard table's columns); empty ones left out."""
    spec = data.catalogue.loc[indicator_id]
    quarters = _totals(data, indicator_id, PARTNER_RETURN)
    labels = quarters["period_end"].map(lambda end: quarter_of(end).label)
    series = {data.area.name: _points(quarters, "value", labels)}
    if _compares_with(spec, "england"):
        series[ENGLAND] = _points(quarters, "england_value", labels)
    if _compares_with(spec, "statistical_neighbours"):
        series[NEIGHBOURS_AVERAGE] = _points(quarters, "sn_average", labels)
    return {name: points for name, points in series.items() if points}


def year_series(data: ScorecardData, indicator_id: str) -> dict[str, list[tuple[str, float]]]:
    """Series of the yearly chart: the area's published figure for each year (DfE, up to the
    quarter) and, where the catalogue compares with them, England's and the area's neighbours'
    average for the same years; empty series left out."""
    spec = data.catalogue.loc[indicator_id]
    published = _totals(data, indicator_id, PUBLISHED)
    own = published[published["geographic_level"].ne(NATIONAL)]
    series = {data.area.name: _points(own, "value", own["time_period"])}
    if _compares_with(spec, "england"):
        england = published[published["geographic_level"].eq(NATIONAL)]
        series[ENGLAND] = _points(england, "value", england["time_period"])
    if _compares_with(spec, "statistical_neighbours"):
        series[NEIGHBOURS_AVERAGE] = _points(own, "sn_average", own["time_period"])
    return {name: points for name, points in series.items() if points}


def _draws(series: Mapping[str, Sequence[tuple[str, float]]], name: str) -> bool:
    """True when the series `name` has a figure to draw (not only gaps)."""
    return any(math.isfinite(value) for _, value in series.get(name, ()))


def _bar_order(bar: tuple[str, float]) -> tuple[bool, float, str]:
    """Sort key of a bar: highest value first, no figure last, then by name."""
    name, value = bar
    return math.isnan(value), 0.0 if math.isnan(value) else -value, name


def neighbour_bars(data: ScorecardData, indicator_id: str) -> list[tuple[str, float]]:
    """(area name, published value) of the area and its statistical neighbours in the latest
    published year on or before the quarter, highest first."""
    rows = data.neighbours_by_indicator.get(indicator_id)
    if rows is None:
        rows = data.neighbours.head(0)
    bars = zip(rows["area_name"], rows["value"].map(_plotted), strict=True)
    return sorted(bars, key=_bar_order)


def _own_rows(data: ScorecardData) -> pd.DataFrame:
    """The board's published figures for the quarter in catalogue order, breakdowns by name."""
    order = {indicator_id: i for i, indicator_id in enumerate(data.catalogue.index)}
    shown = data.shown.assign(
        _order=data.shown["indicator_id"].map(order),
        _total=data.shown["breakdown"].ne(TOTAL),
    )
    return shown.sort_values(["_order", "_total", "breakdown_name"]).drop(
        columns=["_order", "_total"]
    )


@dataclass(frozen=True)
class Chart:
    """One chart of the scorecard: its SVG and the caption it has on the page."""

    svg: str
    caption: str


def _sources_text(sources: Sequence[str]) -> str:
    """The publications an indicator's published figures come from, in one phrase."""
    return "; ".join(sources) if sources else "no publication in this warehouse"


def _gap_sentence(series: Mapping[str, Sequence[tuple[str, float]]]) -> str:
    """What a gap in a line means, where a chart has one."""
    if any(math.isnan(value) for points in series.values() for _, value in points):
        return " A break in a line is a figure withheld to protect confidentiality (c)."
    return ""


def _window_phrase(spec: pd.Series) -> str:
    """What one quarter's figure counts: events over the window to its end, or a snapshot."""
    if spec["measure_type"] == "snapshot":
        return "as at the last day of the quarter"
    return f"over the {int(spec['window_months'])} months to the end of the quarter"


def quarter_caption(
    data: ScorecardData, indicator_id: str, series: Mapping[str, Sequence[tuple[str, float]]]
) -> str:
    """What the quarterly chart plots and where each line comes from."""
    spec = data.catalogue.loc[indicator_id]
    what = (
        f"{data.area.name}: each quarter from the partner agencies' returns to the board, "
        f"{_window_phrase(spec)}."
    )
    phrases = {ENGLAND: "England", NEIGHBOURS_AVERAGE: "the statistical neighbours' average"}
    compared = [phrase for name, phrase in phrases.items() if name in series]
    if compared:
        what += (
            f" {' and '.join(compared).capitalize()}: the figure each quarter is compared with "
            "in the table, the latest year published on or before it "
            f"({_sources_text(data.sources.get(indicator_id, []))})."
        )
    notes = _current(data, indicator_id)["comparator_note"].dropna()
    if compared and len(notes):
        what += f" At {quarter_of(data.period_end).label}: {notes.iloc[0]}."
    return what + _gap_sentence(series)


def year_caption(
    data: ScorecardData, indicator_id: str, series: Mapping[str, Sequence[tuple[str, float]]]
) -> str:
    """What the yearly chart plots and where it was published."""
    names = [data.area.name, *(name for name in (ENGLAND, NEIGHBOURS_AVERAGE) if name in series)]
    listed = ", ".join(names[:-1]) + f" and {names[-1]}" if len(names) > 1 else names[0]
    model = (
        f" The neighbours' average is the mean of the area's statistical neighbours "
        f"(DfE model {_sn_model(data)}) that have a figure."
        if NEIGHBOURS_AVERAGE in series
        else ""
    )
    current = _current(data, indicator_id)
    quoted = [
        note
        for note in map(quoted_comparator_note, current["comparator_note"], current["value_note"])
        if note
    ]
    instead = (
        f" The table compares {quarter_of(data.period_end).label} with a figure the board "
        f"quoted instead: {quoted[0]}."
        if quoted
        else ""
    )
    return (
        f"{listed}: each year as published "
        f"({_sources_text(data.sources.get(indicator_id, []))}).{model}{instead}"
        f"{_gap_sentence(series)}"
    )


def _current(data: ScorecardData, indicator_id: str) -> pd.DataFrame:
    """The table's row of one indicator's total at the scorecard's quarter."""
    found = data.shown_totals.get(indicator_id)
    return data.shown.head(0) if found is None else found


def _sn_model(data: ScorecardData) -> str:
    """The DfE statistical-neighbour model the area's comparisons use."""
    models = data.own_rows["sn_model"].dropna()
    return str(models.iloc[0]) if len(models) else "not recorded"


def scorecard_charts(data: ScorecardData) -> dict[str, Chart]:
    """Every chart of the scorecard by file stem (`<indicator>_trend` quarterly,
    `<indicator>_years` yearly, `<indicator>_neighbours`), in catalogue order; an indicator with
    a breakdown (training by agency) has none, nor does a chart whose area has no figure."""
    charts: dict[str, Chart] = {}
    marking = data.edition.marking
    totals = _own_rows(data)
    for row in totals[totals["breakdown"].eq(TOTAL)].itertuples(index=False):
        spec = data.catalogue.loc[row.indicator_id]
        title, unit, decimals = str(spec["title"]), str(spec["unit"]), int(spec["decimals"])
        style = {"decimals": decimals, "marking": marking}
        quarters = quarter_series(data, row.indicator_id)
        if _draws(quarters, data.area.name):
            charts[f"{row.indicator_id}_trend"] = Chart(
                line_chart_svg(
                    quarters, f"{title}: each quarter", unit, gap_text=WITHHELD, **style
                ),
                quarter_caption(data, row.indicator_id, quarters),
            )
        years = year_series(data, row.indicator_id)
        if _draws(years, data.area.name):
            charts[f"{row.indicator_id}_years"] = Chart(
                line_chart_svg(years, f"{title}: each year", unit, gap_text=WITHHELD, **style),
                year_caption(data, row.indicator_id, years),
            )
        bars = neighbour_bars(data, row.indicator_id)
        if _compares_with(spec, "statistical_neighbours") and math.isfinite(
            dict(bars).get(data.area.name, math.nan)
        ):
            year = comparator_year(row._asdict())
            charts[f"{row.indicator_id}_neighbours"] = Chart(
                bar_chart_svg(
                    bars,
                    data.area.name,
                    f"{title}, {year}: {data.area.name} among its statistical neighbours",
                    unit,
                    **style,
                ),
                f"{data.area.name} (hatched, outlined and labelled) among its statistical "
                f"neighbours (DfE model {_sn_model(data)}), each as published for {year} "
                f"({_sources_text(data.sources.get(row.indicator_id, []))}).",
            )
    return charts


def _escaped(text: object) -> str:
    """`text` safe in HTML text and attribute values."""
    return html.escape(str(text), quote=True)


def _symbol(symbol: str) -> str:
    """A GSS symbol (c, x, z, low) linked to its note, named with its meaning ("c: Suppressed
    to protect confidentiality"), as a screen reader would otherwise say the letter alone."""
    meaning = SYMBOL_NOTES[symbol].split(":")[0] if symbol in SYMBOL_NOTES else None
    name = f' aria-label="{_escaped(f"{symbol}: {meaning}")}"' if meaning else ""
    return f'<a class="symbol" href="#symbol-{symbol}"{name}>{_escaped(symbol)}</a>'


def _figure_text(cell: object, decimals: int) -> str:
    """A published cell as HTML: the number at `decimals` places, or its symbol with its note."""
    if isinstance(cell, str):
        return _symbol(cell)
    if cell is None or pd.isna(cell):
        return _symbol(NOT_AVAILABLE)
    return f"{cell:,.{decimals}f}"


def _interval_text(lower: object, upper: object, decimals: int) -> str:
    """A 95% confidence interval as 'lower to upper', or the symbol standing for it."""
    if isinstance(lower, str) or isinstance(upper, str) or pd.isna(lower) or pd.isna(upper):
        return _figure_text(lower if isinstance(lower, str) else upper, decimals)
    return f"{_figure_text(lower, decimals)} to {_figure_text(upper, decimals)}"


def _badge(label: str, badges: Mapping[str, tuple[str, str]]) -> str:
    """A judgement as a coloured badge with its symbol and its words (never colour alone)."""
    if label not in badges:
        return f'<span class="badge none">{_symbol(label)}</span>'
    css, mark = badges[label]
    return (
        f'<span class="badge {css}"><span aria-hidden="true">{mark}</span> {_escaped(label)}</span>'
    )


def _footnote_numbers(rows: pd.DataFrame) -> dict[str, int]:
    """Each distinct comparator note of `rows`, numbered from 1 in order of appearance."""
    notes = rows["comparator_note"].dropna().drop_duplicates()
    return {note: number for number, note in enumerate(notes, start=1)}


def _footnote_link(note: object, numbers: Mapping[str, int]) -> str:
    """A link to a row's comparator note, if it has one."""
    if note is None or pd.isna(note):
        return ""
    number = numbers[str(note)]
    return f' <a href="#note-{number}" aria-label="Note {number}">[{number}]</a>'


def _about(spec: pd.Series, row: pd.Series) -> str:
    """Small print under an indicator's name: its unit and, if it has comparators, their year."""
    year = comparator_year(row)
    note = f"; comparators {year}" if year and _has_comparators(spec) else ""
    return f'<span class="about">{_escaped(spec["unit"])}{note}</span>'


def _figure_cells(row: pd.Series, spec: pd.Series, trend_label: str) -> str:
    """The figure cells of one table row, after its row header."""
    decimals = int(spec["decimals"])
    numbers = [
        _figure_text(row["value"], decimals),
        _interval_text(row["lower_ci95"], row["upper_ci95"], decimals),
        *(_figure_text(row[c], decimals) for c in ("england_value", "region_value", "sn_average")),
    ]
    cells = "".join(f'<td class="number">{number}</td>' for number in numbers)
    return (
        f"{cells}<td>{_badge(str(row['vs_england']), COMPARISON_BADGES)}</td>"
        f"<td>{_badge(trend_label, TREND_BADGES)}</td>"
    )


def _trend_of(data: ScorecardData, row: pd.Series) -> str:
    """Recent-trend label of the board's series that `row` belongs to, as curated.comparisons
    records it for the scorecard's quarter."""
    return data.trends.get((row["indicator_id"], row["breakdown"]), trend.CANNOT_BE_CALCULATED)


def _indicator_rows(
    data: ScorecardData, rows: pd.DataFrame, spec: pd.Series, notes: Mapping[str, int]
) -> str:
    """Table body of one indicator: one row, or a row group with a row per breakdown."""
    first = rows.iloc[0]
    name = f"{_escaped(spec['title'])}{_footnote_link(first['comparator_note'], notes)}"
    if len(rows) == 1 and first["breakdown"] == TOTAL:
        cells = _figure_cells(first, spec, _trend_of(data, first))
        return (
            f'<tbody data-indicator="{_escaped(first["indicator_id"])}"><tr><th scope="row">'
            f"{name}{_about(spec, first)}</th>{cells}</tr></tbody>"
        )
    group = f'<tr><th scope="rowgroup" colspan="8">{name}{_about(spec, first)}</th></tr>'
    body = "".join(
        f'<tr><th scope="row">{_escaped(row["breakdown_name"])}</th>'
        f"{_figure_cells(row, spec, _trend_of(data, row))}</tr>"
        for _, row in rows.iterrows()
    )
    return f'<tbody data-indicator="{_escaped(first["indicator_id"])}">{group}{body}</tbody>'


def _table_head(data: ScorecardData) -> str:
    """Column headers of a theme's table."""
    quarter = quarter_of(data.period_end).label
    headers = [
        "Indicator",
        f"{data.area.name}, {quarter}",
        "95% confidence interval",
        ENGLAND,
        data.area.region_name,
        "Statistical neighbours (average)",
        "Compared with England",
        "Recent trend",
    ]
    return (
        "<thead><tr>"
        + "".join(f'<th scope="col">{_escaped(h)}</th>' for h in headers)
        + "</tr></thead>"
    )


def _chart_figures(indicator_id: str, title: str, charts: Mapping[str, Chart]) -> str:
    """The indicator's charts as captioned figures under a heading, or nothing if it has none."""
    figures = [
        f"<figure>{chart.svg}<figcaption>{_escaped(chart.caption)}</figcaption></figure>"
        for kind in CHART_KINDS
        if (chart := charts.get(f"{indicator_id}_{kind}"))
    ]
    if not figures:
        return ""
    return (
        f'<div class="charts"><h3 id="charts-{_escaped(indicator_id)}">{_escaped(title)}</h3>'
        f"{''.join(figures)}</div>"
    )


def _theme_name(theme: str) -> str:
    """Readable theme heading: 'early_help_and_referrals' -> 'Early help and referrals'."""
    return theme.replace("_", " ").capitalize()


def _theme_section(
    theme: str,
    rows: pd.DataFrame,
    data: ScorecardData,
    charts: Mapping[str, Chart],
    notes: Mapping[str, int],
) -> str:
    """One theme: its table of figures, then its indicators' charts."""
    name = _theme_name(theme)
    quarter = quarter_of(data.period_end).label
    bodies = []
    chart_parts = []
    for indicator_id, indicator_rows in rows.groupby("indicator_id", sort=False):
        spec = data.catalogue.loc[indicator_id]
        bodies.append(_indicator_rows(data, indicator_rows, spec, notes))
        chart_parts.append(_chart_figures(str(indicator_id), str(spec["title"]), charts))
    specs = data.catalogue.loc[rows["indicator_id"].unique()]
    compared = any(_has_comparators(spec) for _, spec in specs.iterrows())
    beside = f", with England, {data.area.region_name} and the statistical neighbours"
    caption = f"{name}: {data.area.name}, {quarter}{beside if compared else ''}"
    # A table wider than a narrow screen scrolls in its own named region, reachable by keyboard,
    # so the page itself never scrolls sideways (WCAG 1.4.10 reflow).
    return (
        f'<section aria-labelledby="theme-{theme}"><h2 id="theme-{theme}">{_escaped(name)}</h2>'
        f'<div class="table-scroll" role="region" aria-labelledby="caption-{theme}" tabindex="0">'
        f'<table><caption id="caption-{theme}"><span>{_escaped(caption)}</span></caption>'
        f"{_table_head(data)}"
        f"{''.join(bodies)}</table></div>{''.join(chart_parts)}</section>"
    )


def _notes_section(
    notes: Mapping[str, int],
    quarter: Quarter,
    revisions: tuple[str, ...] = (),
    first_figures: str | None = None,
) -> str:
    """Symbols, why a new board has no 12-month figures yet, comparator notes, figures revised
    beyond the usual range, and how the judgements are made (their example the edition's
    `quarter`)."""
    symbols = "".join(
        f'<dt id="symbol-{_escaped(symbol)}">{_escaped(symbol)}</dt><dd>{_escaped(meaning)}</dd>'
        for symbol, meaning in SYMBOL_NOTES.items()
    )
    footnotes = "".join(
        f'<li id="note-{number}">{_escaped(note)}</li>' for note, number in notes.items()
    )
    methods = [
        "Flows (such as referrals) are summed over the 12 months, or the catalogued window, ending "
        "with the quarter, so they compare with a published year; snapshots (such as children on "
        "a plan) are as at the quarter end. Rates per 10,000 children use the ONS estimate of "
        "children aged 0 to 17 at the mid-year that starts the financial year the period ends in "
        f"(DfE convention: {population_convention(quarter)}) or, until ONS publishes it, the "
        "latest estimate, as the figure's note says.",
        "Figures are rounded to the places shown, halves away from zero. England, the region and "
        "the statistical neighbours are the latest published year on or before the quarter.",
        "Compared with England (OHID Fingertips method): England's value is tested against the "
        "area's 95% and 99.8% confidence intervals. Similar: England lies inside the 95% "
        "interval. Better or Worse: outside it, where a higher or lower value is better (Best or "
        "Worst: outside the 99.8% interval). Higher or Lower: outside it, where neither is "
        "better. Not compared: England has no comparable figure.",
        "Recent trend (OHID Fingertips method, 99.8% level): a test for a trend over the last "
        "five points of the board's own figures. Snapshots use every quarter; flows use points a "
        "whole window apart, so no two points count the same events. Cannot be calculated: fewer "
        "than five points, or a count without a denominator. The trend of a figure withheld as c "
        "is withheld too, as it would say which way the withheld count went.",
    ]
    method_text = "".join(f"<p>{_escaped(text)}</p>" for text in methods)
    footnote_list = (
        f'<h3 id="first-figures">Figures not yet available</h3><p>{_escaped(first_figures)}</p>'
        if first_figures
        else ""
    )
    footnote_list += f"<h3>Notes on the figures</h3><ol>{footnotes}</ol>" if notes else ""
    if revisions:
        revised = "".join(f"<li>revised: {_escaped(message)}</li>" for message in revisions)
        footnote_list += (
            '<h3 id="revised">Revised figures</h3><p>A partner resubmitted these figures with a '
            "change larger than the series usually moves from quarter to quarter; they are "
            f'used as resubmitted.</p><ul class="revised">{revised}</ul>'
        )
    return (
        '<section aria-labelledby="notes"><h2 id="notes">Notes</h2>'
        f'<h3>Symbols</h3><dl class="symbols">{symbols}</dl>{footnote_list}'
        f"<h3>Methods</h3>{method_text}"
        "<p>Contains public sector information licensed under the Open Government Licence v3.0 "
        "(Department for Education, Office for National Statistics).</p></section>"
    )


def scorecard_html(data: ScorecardData, charts: Mapping[str, Chart]) -> str:
    """The whole scorecard page: self-contained HTML with inline CSS and inline SVG charts."""
    rows = _own_rows(data)
    notes = _footnote_numbers(rows)
    quarter = quarter_of(data.period_end).label
    title = f"Safeguarding children scorecard: {data.area.name}, {quarter}"
    themes = list(dict.fromkeys(data.catalogue.loc[rows["indicator_id"], "theme"]))
    theme_of = rows["indicator_id"].map(data.catalogue["theme"])
    sections = "".join(
        _theme_section(theme, rows[theme_of.eq(theme)], data, charts, notes) for theme in themes
    )
    contents = "".join(
        f'<li><a href="#theme-{theme}">{_escaped(_theme_name(theme))}</a></li>' for theme in themes
    )
    intro = (
        f"Figures for {quarter}, the quarter ending {data.period_end.day} "
        f"{data.period_end:%B %Y}, from the partner agencies' returns to the {data.board_name}, "
        "beside the latest published figures for England, "
        f"{data.area.region_name} and {data.area.name}'s statistical neighbours. Symbols and "
        "methods are explained in the notes."
        + (f" Edition of run {data.run_id}." if data.run_id else "")
    )
    marking = data.edition.marking
    # The banner stays in view: on screen it sticks to the top in its own room, so however it
    # wraps on a narrow screen it never covers the page (WCAG 1.4.10) and an element focused
    # under it scrolls clear of it (2.4.11); in print it is fixed, repeated at the top of every
    # page. The last line repeats it for a reader who scrolls past the top. Both are landmarks
    # (a named region, the page's footer), so a screen reader's list of landmarks reaches them.
    banner, end, body, lead = "", "", "<body>", ""
    if marking:
        text = _escaped(marking)
        banner = f'<section class="marking" aria-label="Protective marking">{text}</section>\n'
        end = f'<footer class="marking marking-end">{text}</footer>\n'
        body, lead = '<body class="marked">', f"{marking}: "
    notes_section = _notes_section(
        notes, quarter_of(data.period_end), data.revisions, data.first_figures
    )
    return (
        '<!DOCTYPE html>\n<html lang="en-GB">\n<head>\n<meta charset="utf-8"/>\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1"/>\n'
        f"<title>{_escaped(lead + title)}</title>\n<style>{STYLE}</style>\n</head>\n{body}\n"
        f"{banner}<header><h1>{_escaped(title)}</h1><p>{_escaped(intro)}</p>"
        f'<nav aria-label="Themes"><ul>{contents}<li><a href="#notes">Notes</a></li></ul></nav>'
        f"</header>\n<main>\n{sections}\n{notes_section}\n</main>\n"
        f"{end}</body>\n</html>\n"
    )


def write_scorecard(
    warehouse: Path,
    out_dir: Path,
    board: Board,
    period_end: date | None = None,
    edition: Edition = PUBLIC,
    drawn: Mapping[str, Path] | None = None,
    area_code: str | None = None,
    *,
    connection: duckdb.DuckDBPyConnection | None = None,
) -> list[Path]:
    """Write `scorecard.html` and `charts/<indicator>_{trend,years,neighbours}.{svg,png}` of
    `edition` for the board's area `area_code` (default: its first) and quarter ending
    `period_end` (default: its latest) into `out_dir`; the paths written. PNGs of charts in
    `drawn` (see `charts.drawn_pngs`) are copied. The warehouse is read through `connection`
    where given (`figures.read_only`)."""
    data = read_scorecard_data(
        warehouse, board, period_end, edition, area_code, connection=connection
    )
    charts = scorecard_charts(data)
    chart_dir = out_dir / CHARTS_DIR
    chart_dir.mkdir(parents=True, exist_ok=True)
    page = out_dir / SCORECARD_FILE
    page.write_text(scorecard_html(data, charts), encoding="utf-8", newline="\n")
    written = [page]
    for stem, chart in charts.items():
        svg_path, png_path = chart_dir / f"{stem}.svg", chart_dir / f"{stem}.png"
        svg_path.write_text(chart.svg, encoding="utf-8", newline="\n")
        write_png(chart.svg, png_path, drawn or {})
        written += [svg_path, png_path]
    return written
