"""The annual report's data chapter for one board and report year, as DOCX and Markdown.

A report year is a financial year (2013-14) or any 12 months ending at a quarter's end (October
2013 to September 2014, as many boards' reports run). Read from an existing warehouse
(read-only): the board's own figures for the year (partner returns at its last quarter: rolling
12 months, or as at its last day) and the published figures for it, each beside the same
figures a year earlier, with the comparisons in curated.comparisons; a snapshot dated off the
year's last day gives its latest figure (year_and_year_before). What the catalogue reports by
financial year (`report_period`: child deaths, the board's finance) is quoted for the latest
financial year ending on or before the year's end (chapter_rows). The public edition is
disclosure-controlled; the internal one, for the board, has exact figures and its protective
marking on every page. Sections follow the order an LSCB annual report takes (SECTIONS); each
indicator reaches its section through its catalogue `theme`, so a newly catalogued indicator
appears with no code, and a theme no section names gets a section of its own at the end.

Every number carries a bracketed reference to its curated row, `[indicator_id area_code
time_period]` (plus the breakdown, e.g. an agency code, where it is not Total): the row of
curated.indicator_values with those values, whose England, region and neighbour figures are
the curated.comparisons row with the same key. `lscb-metrics explain INDICATOR --area AREA
--period PERIOD` traces it.

The document is for report writers to edit in Word: real Title and Heading 1/2 styles, real
tables with a repeating header row, charts as pictures in the text flow with alternative text,
no text boxes.
"""

from __future__ import annotations

import html
import io
import shutil
import subprocess
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pandas as pd
from docx import Document
from docx.document import Document as DocxDocument
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from docx.table import _Row

from lscb_metrics.boards import Board
from lscb_metrics.catalogue import FINANCIAL_YEAR
from lscb_metrics.editions import PUBLIC, Edition
from lscb_metrics.errors import LscbError
from lscb_metrics.intake.rules import markdown_safe
from lscb_metrics.periods import (
    PeriodError,
    Quarter,
    financial_year_of,
    first_figures_note,
    parse_quarter,
    quarter_of,
    year_label,
)
from lscb_metrics.publish.charts import png_of_svg
from lscb_metrics.publish.figures import (
    BEFORE,
    PARTNER_RETURN,
    SERIES_ACROSS_PERIODS,
    YEAR,
    BoardArea,
    authority_codes,
    awaits_first_year,
    behind_published,
    board_area,
    catalogue_frame,
    comparator_year,
    compared_years,
    figure_rows,
    first_return_quarter,
    latest_and_before,
    published_figures,
    read_only,
    series_where,
    shifted,
    source_name,
)
from lscb_metrics.publish.scorecard import (
    Chart,
    ScorecardError,
    read_scorecard_data,
    scorecard_charts,
)
from lscb_metrics.publish.sentences import (
    Cell,
    Figure,
    Part,
    breakdown_sentence,
    figure_sentence,
    is_number,
    joined,
    number_text,
)
from lscb_metrics.publish.workbook import figure_notes
from lscb_metrics.stats.disclosure import NOT_AVAILABLE, SYMBOL_NOTES
from lscb_metrics.xlsx import reproducible_ooxml

TOTAL = "Total"
#: How far back before the year end the chapter reads rows: the year, the year before (where a
#: snapshot's latest figure may be) and the year before that (its previous figure).
LOOK_BACK_YEARS = 3
#: (month, day) of the last day of a financial year.
FINANCIAL_YEAR_END = (3, 31)
CHARTS_DIR = "charts"
#: Folder of data chapters in the curated folder, beside (not inside) the boards' editions,
#: which each run replaces whole.
REPORTS_DIR = "reports"
CHART_WIDTH = Cm(14)
A4 = (Cm(21), Cm(29.7))
MARGIN = Cm(2)
TABLE_FONT = Pt(8)
BODY_FONT = "Arial"


class ReportError(LscbError):
    """The data chapter cannot be written or converted; the message says why."""


@dataclass(frozen=True)
class Section:
    """A section of the data chapter and the catalogue themes whose indicators it holds."""

    title: str
    themes: tuple[str, ...]


#: The chapter's sections in the order an LSCB annual report takes them.
SECTIONS = (
    Section("Context", ("context",)),
    Section("Early help and children in need", ("early_help_and_referrals", "children_in_need")),
    Section("Child protection", ("child_protection",)),
    Section("Looked-after children", ("looked_after_children",)),
    Section("Assessments", ("assessments",)),
    Section("Training", ("training",)),
    Section("Child deaths", ("child_deaths",)),
    Section("Road safety and injuries", ("road_safety", "hospital_admissions", "injuries")),
    Section("Finance", ("finance",)),
    Section("Board attendance", ("board_attendance",)),
)


def report_sections(themes: Sequence[str]) -> list[Section]:
    """SECTIONS, then one section for each of `themes` (in their order) that none names."""
    named = {theme for section in SECTIONS for theme in section.themes}
    extra = [theme for theme in dict.fromkeys(themes) if theme not in named]
    added = [Section(theme.replace("_", " ").capitalize(), (theme,)) for theme in extra]
    return [*SECTIONS, *added]


def report_values(
    rows: pd.DataFrame, catalogue: pd.DataFrame, edition: Edition = PUBLIC
) -> pd.DataFrame:
    """The figures the chapter quotes, as `edition` publishes them: rounded, and in the public
    edition disclosure-controlled (the one place the chapter's values come from)."""
    return published_figures(rows, catalogue, edition)


@dataclass(frozen=True)
class ReportData:
    """What the chapter says, read from the warehouse: the year's figures and the year before's
    as published, the catalogue and the charts of the year's last quarter. `year` names the
    report year as people do ('2013-14', 'October 2013 to September 2014'); `first_returns` is
    the first quarter of the area's partner returns (None with none)."""

    board_name: str
    area: BoardArea
    year: str
    year_end: date
    catalogue: pd.DataFrame
    figures: pd.DataFrame
    charts: dict[str, Chart] = field(default_factory=dict)
    edition: Edition = PUBLIC
    first_returns: Quarter | None = None

    @property
    def first_figures(self) -> str | None:
        """Why a board in its first quarters has no figure summed over 12 months yet
        (`first_figures_note`); None from its fourth quarter of returns."""
        return first_figures_note(self.first_returns, quarter_of(self.year_end))

    @property
    def returns_months(self) -> int:
        """The months the board's own figures from partner returns span at most: 12, or those
        since its first returns where they started within the year."""
        if self.first_returns is None:
            return 12
        start, end = self.first_returns.start, self.year_end
        return min(12, 12 * (end.year - start.year) + end.month - start.month + 1)

    @property
    def financial_year_end(self) -> date:
        """31 March ending the latest financial year on or before the year's end."""
        return financial_year_end(self.year_end)

    @property
    def financial_year(self) -> str:
        """The label ('2013-14') of the latest financial year on or before the year's end: its
        figures kept by financial year, and the national statistics it would be compared with."""
        return year_label(self.financial_year_end.year - 1)

    def reported_to(self, indicator_id: str) -> date:
        """The last day of the period the chapter quotes the indicator for: the year's end, or
        for one the catalogue reports by financial year, `financial_year_end`."""
        by_year = indicator_id in financial_year_indicators(self.catalogue)
        return self.financial_year_end if by_year else self.year_end


def financial_year_end(day: date) -> date:
    """31 March ending the latest financial year that ends on or before `day`."""
    year = day.year if (day.month, day.day) >= FINANCIAL_YEAR_END else day.year - 1
    return date(year, *FINANCIAL_YEAR_END)


def financial_year_indicators(catalogue: pd.DataFrame) -> set[str]:
    """The indicators the catalogue's `report_period` says a chapter quotes by financial year,
    whatever quarter its year ends at (none in a warehouse written before the column)."""
    if "report_period" not in catalogue.columns:
        return set()
    return {str(i) for i in catalogue.index[catalogue["report_period"].eq(FINANCIAL_YEAR)]}


def last_quarter_of(year: str | Quarter) -> Quarter:
    """The last quarter of a chapter's year: the fourth of a financial year ('2013-14', as
    `year_end_of` takes it), or the quarter given."""
    return year if isinstance(year, Quarter) else quarter_of(year_end_of(year))


def report_year_name(last: Quarter) -> str:
    """The report year ending with quarter `last` as people name it: the financial year
    '2013-14', or 'October 2013 to September 2014'."""
    if last.number == 4:
        return year_label(last.year_start)
    return f"{last.previous(3).start:%B %Y} to {last.end:%B %Y}"


def report_label(last: Quarter) -> str:
    """The folder and file name part of the chapter for the year ending with quarter `last`:
    '2013-14' for a financial year, 'year-to-2014-15-Q2' (as `--year-to` takes it) otherwise."""
    return year_label(last.year_start) if last.number == 4 else f"year-to-{last.cli_name}"


def year_end_of(year: str) -> date:
    """31 March ending the financial year '2013-14'; ReportError for anything else."""
    try:
        return parse_quarter(f"{year}-Q4").end
    except PeriodError as error:
        raise ReportError(f"year {year!r} is not a financial year such as 2013-14") from error


def financial_year(year: str) -> str:
    """The label '2013-14' of a year written as `year_end_of` takes it ('2013/14', ' 2013-14')."""
    return year_label(year_end_of(year).year - 1)


def read_report_data(
    warehouse: Path,
    board: Board,
    year: str | Quarter,
    edition: Edition = PUBLIC,
    area_code: str | None = None,
) -> ReportData:
    """The figures of the board's area `area_code` (default: its first) for the report year
    `year` (a financial year '2013-14', or the year's last quarter) and a year earlier as
    `edition` publishes them, with its scorecard's charts at the year's last quarter, from the
    warehouse without writing to it."""
    last = last_quarter_of(year)
    end = last.end
    board = board.as_of(end)  # the chapter names the board as it was named that year
    with read_only(warehouse) as connection:
        area = board_area(connection, area_code or board.areas[0])
        catalogue = catalogue_frame(connection, board.local_targets_on(area.code, end))
        if last.number != 4 and "report_period" not in catalogue.columns:
            raise ReportError(
                f"the warehouse {warehouse} was written before the catalogue said which figures "
                "a report year ending in another quarter than March quotes by financial year; "
                f"run `lscb-metrics run --period {last.cli_name}` again first"
            )
        change = change_years_of(catalogue)
        # Figures kept by financial year end on the 31 March before the year's end.
        earliest = shifted(financial_year_end(end), -look_back_years(change))
        # The year before may be under another ONS code of the authority (`authority_codes`).
        codes = authority_codes(connection, area.code)
        rows = figure_rows(
            connection,
            f"{series_where(codes, board.areas)} "
            f"AND v.period_end > DATE '{earliest.isoformat()}' "
            f"AND v.period_end <= DATE '{end.isoformat()}'",
        )
        first = first_return_quarter(connection, [c for c in codes if c in board.areas], end)
    if not rows["period_end"].eq(end).any():
        raise ReportError(missing_year_end(warehouse, area.name, end, rows))
    charts = quarter_charts(warehouse, board, end, edition, area.code)
    if financial_year_end(end) != end:
        # A chart shows the figures of its table: those kept by financial year at its end.
        by_year = financial_year_indicators(catalogue)
        kept = quarter_charts(warehouse, board, financial_year_end(end), edition, area.code)
        charts = {k: c for k, c in charts.items() if _charted(k) not in by_year} | {
            k: c for k, c in kept.items() if _charted(k) in by_year
        }
    values = report_values(chapter_rows(rows, catalogue, end), catalogue, edition)
    return ReportData(
        board.name,
        area,
        report_year_name(last),
        end,
        catalogue,
        values,
        charts,
        edition,
        first,
    )


def quarter_charts(
    warehouse: Path, board: Board, end: date, edition: Edition, area_code: str
) -> dict[str, Chart]:
    """The scorecard's charts of the area at the quarter ending `end`, by `<indicator>_<kind>`;
    none where the board has no partner returns that quarter (published figures have none)."""
    try:
        return scorecard_charts(read_scorecard_data(warehouse, board, end, edition, area_code))
    except ScorecardError:
        return {}


def _charted(key: str) -> str:
    """The indicator of a chart's key ('child_deaths' of 'child_deaths_trend')."""
    return key.rsplit("_", 1)[0]


def missing_year_end(warehouse: Path, area_name: str, end: date, rows: pd.DataFrame) -> str:
    """Why there is no chapter for the year ending `end`: the chapter quotes the year's last
    quarter, and which quarter of the board's own the warehouse holds last (from `rows`)."""
    last = quarter_of(end)
    own = rows.loc[rows["source_type"].eq(PARTNER_RETURN), "period_end"]
    latest = f" (the latest it holds is {quarter_of(own.max()).label})" if len(own) else ""
    quotes = (
        f"the {year_label(last.year_start)} chapter quotes the year's fourth quarter"
        if last.number == 4
        else f"the chapter for {report_year_name(last)} quotes its last quarter"
    )
    return (
        f"{quotes}, {last.label} (to {end:%-d %B %Y}), which the warehouse {warehouse} does not "
        f"hold for {area_name}{latest}; run `lscb-metrics run --period {last.cli_name}` first"
    )


def change_years_of(catalogue: pd.DataFrame) -> dict[str, int]:
    """Years between each indicator's figure and the earlier one its change is taken on, where
    the catalogue's `change_years` is not 1 (a warehouse written before the column has none)."""
    if "change_years" not in catalogue.columns:
        return {}
    years = catalogue["change_years"].dropna().astype(int)
    return {str(indicator_id): n for indicator_id, n in years.items() if n != 1}


def part_year_flows(catalogue: pd.DataFrame) -> set[str]:
    """Flow indicators broken down (by meeting, say) whose window is shorter than a year, so
    that the year's fourth quarter holds only some of the year's parts."""
    flows = catalogue[
        catalogue["measure_type"].eq("flow")
        & catalogue["window_months"].lt(12)
        & catalogue["breakdown"].ne("total")
    ]
    return {str(indicator_id) for indicator_id in flows.index}


def look_back_years(change_years: Mapping[str, int]) -> int:
    """How many years before the year end the chapter reads rows: LOOK_BACK_YEARS, or further
    where an indicator's change is taken on a figure further back (`change_years`)."""
    return max([LOOK_BACK_YEARS, *(years + 1 for years in change_years.values())])


def chapter_rows(rows: pd.DataFrame, catalogue: pd.DataFrame, end: date) -> pd.DataFrame:
    """The rows (one area's figure_rows) a chapter for the year ending `end` quotes, with
    `report_year` (`year_and_year_before`): for the indicators the catalogue reports by
    financial year (`financial_year_indicators`) those of the latest financial year ending on or
    before `end`, for the others those of the year ending `end`."""
    snapshots = set(catalogue.index[catalogue["measure_type"].eq("snapshot")])
    change, flows = change_years_of(catalogue), part_year_flows(catalogue)
    by_financial_year = rows["indicator_id"].isin(financial_year_indicators(catalogue))
    return pd.concat(
        [
            year_and_year_before(rows[~by_financial_year], snapshots, end, change, flows),
            year_and_year_before(
                rows[by_financial_year], snapshots, financial_year_end(end), change, flows
            ),
        ]
    )


def year_and_year_before(
    rows: pd.DataFrame,
    snapshots: set[str],
    end: date,
    change_years: Mapping[str, int] | None = None,
    part_year_flows: set[str] | None = None,
) -> pd.DataFrame:
    """The rows a chapter for the year ending `end` quotes, each with `report_year` YEAR or
    BEFORE (the figure its change is taken on):

    - those ending on `end` and a year earlier (or, for an indicator in `change_years`, that
      many years earlier, as the warehouse's `previous_value` does);
    - for a published series with none ending on `end`, of an indicator the board has no
      figure of its own for at `end` (`behind_published`): its latest and the one its change is
      taken on (DfE's latest year before its release of the year's, or its latest financial
      year in a year ending in September), as the workbook quotes it at a quarter;
    - for a series of a `snapshots` indicator none of whose periods ends on the year's last day
      nor, if published, on a 31 March (ONS estimates at 30 June): its latest on or before
      `end` in the year or the year before (an estimate is published about a year after its
      date), or for a published series with neither its latest among `rows`; and its latest at
      least a year before that one;
    - for a `part_year_flows` indicator (a flow over less than a year broken down by event: each
      board meeting) with no row at the year end: each of its rows within the year, the
      meetings of every quarter, not only the fourth's.

    A published figure quoted at its latest is named so by `latest_published_period`."""
    if rows.empty:
        return rows.assign(report_year=YEAR)
    # A published series of financial years is quoted as the workbook quotes it whatever
    # quarter the year ends at: at the year's end, else at its latest (`behind_published`).
    ends = rows["period_end"].map(lambda day: (day.month, day.day))
    on_end_day = ends.map(lambda day: day == (end.month, end.day)).astype(bool)
    on_year_end = ends.map(lambda day: day == FINANCIAL_YEAR_END).astype(bool)
    year_end_day = on_end_day | (on_year_end & rows["source_type"].ne(PARTNER_RETURN))
    dated = year_end_day.groupby([rows[c] for c in SERIES_ACROSS_PERIODS]).transform("any")
    years = rows["indicator_id"].map(lambda i: (change_years or {}).get(i, 1))
    before = pd.Series([shifted(end, -n) for n in years], index=rows.index, dtype="object")
    at_end, at_before = rows["period_end"].eq(end), rows["period_end"].eq(before)
    # A series dated off the year end (ONS at 30 June) is a snapshot's, taken below.
    behind = dated & behind_published(rows, end)
    regular = rows[dated & ~behind & (at_end | at_before)]
    regular = regular.assign(report_year=at_end[regular.index].map({True: YEAR, False: BEFORE}))
    picked = [regular, latest_and_before(rows[behind], change_years)]
    undated = rows[~dated & rows["indicator_id"].isin(snapshots) & rows["period_end"].le(end)]
    for _, found in undated.sort_values("period_end").groupby(SERIES_ACROSS_PERIODS, sort=False):
        recent = found[found["period_end"].gt(shifted(end, -2))]
        if recent.empty and found["source_type"].iloc[0] != PARTNER_RETURN:
            recent = found  # ONS single ages end at mid-2023: a 2025-26 chapter quotes those
        if recent.empty:
            continue
        latest = recent.tail(1)
        cutoff = shifted(latest["period_end"].iloc[0], -1)
        earlier = found[
            found["period_end"].le(cutoff) & found["period_end"].gt(shifted(cutoff, -1))
        ]
        picked += [latest.assign(report_year=YEAR), earlier.tail(1).assign(report_year=BEFORE)]
    if part_year_flows:
        # A window shorter than the year is the year's where it lies inside it (a quarter's
        # meetings).
        within = rows[
            ~dated
            & rows["indicator_id"].isin(part_year_flows)
            & rows["period_start"].gt(shifted(end, -1))
            & rows["period_end"].le(end)
        ]
        picked.append(within.assign(report_year=YEAR))
    return pd.concat(picked)


def row_reference(indicator_id: str, area_code: str, time_period: str, breakdown: str) -> str:
    """'[cp_plan_rate E06000033 2013-14 Q4]': the key of a curated row ('... SUH' for the
    breakdown SUH)."""
    part = "" if breakdown == TOTAL else f" {breakdown}"
    return f"[{indicator_id} {area_code} {time_period}{part}]"


def _reference(row: pd.Series) -> str:
    """The reference of a figure row."""
    key = (row["indicator_id"], row["area_code"], row["time_period"], row["breakdown"])
    return row_reference(*map(str, key))


def _cell(value: object) -> Cell:
    """A published cell as the sentence writers take it (None for a missing one)."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    return value  # type: ignore[return-value]


def year_rows(data: ReportData) -> pd.DataFrame:
    """The year's figures (both sources) in catalogue order, the board's own first, Total
    before the breakdowns."""
    order = {indicator_id: n for n, indicator_id in enumerate(data.catalogue.index)}
    rows = data.figures[data.figures["report_year"].eq(YEAR)]
    return rows.assign(
        _order=rows["indicator_id"].map(order),
        _published=rows["source_type"].ne(PARTNER_RETURN),
        _part=rows["breakdown"].ne(TOTAL),
    ).sort_values(["_order", "_published", "_part", "breakdown_name"])


def previous_row(data: ReportData, row: pd.Series) -> pd.Series | None:
    """The same figure a year earlier: from the same source, else from the other one (if it is
    dated before the figure)."""
    figures = data.figures
    earlier = figures[
        figures["report_year"].eq(BEFORE)
        & figures["indicator_id"].eq(row["indicator_id"])
        & figures["breakdown"].eq(row["breakdown"])
        & figures["period_end"].lt(row["period_end"])
    ]
    if earlier.empty:
        return None
    same = earlier[earlier["source_type"].eq(row["source_type"])]
    return (same if not same.empty else earlier).iloc[0]


def lead_rows(rows: pd.DataFrame) -> pd.DataFrame:
    """One row per indicator and breakdown for the sentences: the board's own figure (partner
    returns) where it has one, else the published one."""
    return rows.drop_duplicates(["indicator_id", "breakdown"], keep="first")


def figure_of(data: ReportData, row: pd.Series) -> Figure:
    """The sentence writers' view of a figure row and its year-before figure."""
    spec = data.catalogue.loc[row["indicator_id"]]
    earlier = previous_row(data, row)
    return Figure(
        title=str(spec["title"]),
        unit=str(spec["unit"]),
        decimals=int(spec["decimals"]),
        polarity=str(spec["polarity"]),
        value=_cell(row["value"]),
        ref=_reference(row),
        previous=None if earlier is None else _cell(earlier["value"]),
        previous_ref=None if earlier is None else _reference(earlier),
        england=_cell(row["england_value"]),
        vs_england=_cell(row["vs_england"]),  # type: ignore[arg-type]
        region_name=data.area.region_name,
        region=_cell(row["region_value"]),
        vs_region=_cell(row["vs_region"]),  # type: ignore[arg-type]
        neighbours=_cell(row["sn_average"]),
        rank=_cell(row["rank"]),
        rank_of=_cell(row["rank_of"]),
        comparator_year=earlier_comparator_year(row),
        latest_published=latest_published_period(row, data.reported_to(row["indicator_id"])),
        period=financial_period(data, row),
    )


def financial_period(data: ReportData, row: pd.Series) -> str | None:
    """The period ('2013-14', or '2012-14' pooled over two years) of a figure a chapter quotes
    by financial year where its year ends at another quarter; None for the year's own figures."""
    if data.reported_to(row["indicator_id"]) == data.year_end:
        return None
    if int(data.catalogue.loc[row["indicator_id"], "window_months"]) > 12:
        return str(row["time_period"])
    return financial_year_of(row["period_end"])


def latest_published_period(row: pd.Series, year_end: date) -> str | None:
    """The period ('mid-2023', '2024-25') of a published figure that a chapter for the year
    ending `year_end` quotes as the latest published, else None: a year's figure of an earlier
    year (a financial year's, 2013-14, in a year ending in September 2014), or an estimate at
    another date (30 June) from before the year and the year before."""
    day = row["period_end"]
    if (day.month, day.day) in ((year_end.month, year_end.day), FINANCIAL_YEAR_END):
        stale = day < year_end
    else:
        stale = day <= shifted(year_end, -2)
    return str(row["time_period"]) if stale and row["source_type"] != PARTNER_RETURN else None


def earlier_comparator_year(row: pd.Series) -> str | None:
    """The period ('2024-25', '2020-22') of a figure's published comparators where it ended
    before the figure's own financial year began (DfE publishes a year's national figures the
    autumn after it), else None."""
    compared, ended = comparator_year(row), row.get("comparator_period_end")
    if compared is None or ended is None or pd.isna(ended):
        return None
    began = Quarter(quarter_of(row["period_end"]).year_start, 1).start
    return compared if pd.Timestamp(ended) < pd.Timestamp(began) else None


def section_sentences(data: ReportData, rows: pd.DataFrame) -> list[str]:
    """One sentence per indicator of a section: its figure against the year before and its
    comparators, or each part of its breakdown (training by agency)."""
    sentences = []
    for indicator_id, own in lead_rows(rows).groupby("indicator_id", sort=False):
        spec = data.catalogue.loc[indicator_id]
        totals = own[own["breakdown"].eq(TOTAL)]
        sentences += [figure_sentence(figure_of(data, row)) for _, row in totals.iterrows()]
        parts = own[own["breakdown"].ne(TOTAL)]
        if not parts.empty:
            sentences.append(
                breakdown_sentence(
                    str(spec["title"]),
                    str(spec["unit"]),
                    int(spec["decimals"]),
                    [
                        Part(str(row["breakdown_name"]), _cell(row["value"]), _reference(row))
                        for _, row in parts.iterrows()
                    ],
                    financial_period(data, parts.iloc[0]),
                )
            )
    return sentences


#: The section table's columns and their widths in centimetres (17 cm between A4's margins).
TABLE_COLUMNS = {
    "Indicator": 3.7,
    "Source and period": 2.2,
    "Value": 1.3,
    "Year before": 1.3,
    "England": 1.3,
    "Region": 1.3,
    "Neighbours' average": 1.5,
    "Compared with England": 1.5,
    "Reference": 2.9,
}


def cell_text(cell: object, unit: str, decimals: int) -> str:
    """A published cell in a table: the number as published, a symbol in brackets ([c])."""
    value = _cell(cell)
    if is_number(value):
        return number_text(value, unit, decimals)
    if isinstance(value, str):
        return f"[{value}]" if value in SYMBOL_NOTES else value
    return f"[{NOT_AVAILABLE}]"


def table_row(data: ReportData, row: pd.Series, notes: Sequence[str] = ()) -> list[str]:
    """One figure's row of a section table, its name marked with its note's number among the
    table's `notes` (its comparator note: the estimate a rate stands on, say) where it has one."""
    spec = data.catalogue.loc[row["indicator_id"]]
    unit, decimals = str(spec["unit"]), int(spec["decimals"])
    name = str(spec["title"])
    if row["breakdown"] != TOTAL:
        name += f": {row['breakdown_name']}"
    if row["comparator_note"] in notes:
        name += f" [note {notes.index(row['comparator_note']) + 1}]"
    earlier = previous_row(data, row)
    return [
        name,
        f"{source_name(row['source_type'], spec['collected_from'])}, {row['time_period']}",
        cell_text(row["value"], unit, decimals),
        "" if earlier is None else earlier_text(row, earlier, unit, decimals),
        cell_text(row["england_value"], unit, decimals),
        cell_text(row["region_value"], unit, decimals),
        cell_text(row["sn_average"], unit, decimals),
        cell_text(row["vs_england"], unit, decimals),
        _reference(row),
    ]


def earlier_text(row: pd.Series, earlier: pd.Series, unit: str, decimals: int) -> str:
    """The earlier figure in a table's 'Year before' column, with its period where it is not a
    year before the figure's (a change the catalogue takes over three years: '34.1 (2009-11)')."""
    text = cell_text(earlier["value"], unit, decimals)
    if earlier["period_end"] == shifted(row["period_end"], -1):
        return text
    return f"{text} ({earlier['time_period']})"


@dataclass(frozen=True)
class Heading:
    """A heading: level 0 is the document title."""

    text: str
    level: int


@dataclass(frozen=True)
class Paragraph:
    """A paragraph of plain text."""

    text: str


@dataclass(frozen=True)
class Table:
    """A captioned table with a header row."""

    caption: str
    headers: list[str]
    rows: list[list[str]]


@dataclass(frozen=True)
class Picture:
    """A captioned chart: its file stem, PNG bytes and alternative text."""

    stem: str
    png: bytes
    caption: str
    alt_text: str


Block = Heading | Paragraph | Table | Picture


def edition_note(edition: Edition) -> str:
    """What the edition withholds, for the chapter's introduction."""
    if edition.disclosure_controlled:
        return (
            "Public edition: counts of children from 1 to 5, and figures from which one could be "
            "worked out, are withheld ([c])."
        )
    return (
        f"Internal edition for the board and its members ({edition.marking}): every figure is "
        "exact, small counts of children included."
    )


def comparators_phrase(year: str, comparator_years: Iterable[str]) -> str:
    """What the year's figures are compared with, from the years of their comparators: the
    year's national statistics, the latest published where none of the year's are, or both
    where DfE has published some of the year's tables and not others."""
    years = set(comparator_years)
    earlier = sorted(y for y in years if y < year)
    if not earlier:
        return f"published national statistics for {year}"
    if year not in years:
        return (
            f"latest published national statistics, for {' and '.join(earlier)} (those for "
            f"{year} are not yet published)"
        )
    # A new release of one table (C1 for the year) while the others are still a year behind.
    return (
        f"published national statistics for {year} where they are published, and otherwise "
        f"the latest published, for {' and '.join(earlier)} (not every table for {year} is "
        "published yet)"
    )


def national_statistics_phrase(data: ReportData) -> str:
    """'published national statistics for 2013-14', or, where some or all of the year's are
    not yet published, the latest year the board's figures are compared with."""
    return comparators_phrase(
        data.financial_year, compared_years(data.figures[data.figures["report_year"].eq(YEAR)])
    )


def financial_year_clause(data: ReportData) -> str:
    """', those it keeps by financial year (in child deaths and finance) for 2013-14': the
    sections with the board's own figures the chapter quotes by financial year, where its year
    ends at another quarter; '' otherwise."""
    rows = year_rows(data)
    by_year = rows["indicator_id"].isin(financial_year_indicators(data.catalogue))
    # Its own figures of that year only: published ones (injury admissions) are the national
    # statistics', and a board in its first quarters keeps none for the year before.
    own = rows["source_type"].eq(PARTNER_RETURN) & rows["period_end"].gt(
        shifted(data.financial_year_end, -1)
    )
    kept = by_year & own
    if data.financial_year_end == data.year_end or not kept.any():
        return ""
    themes = set(rows.loc[kept, "indicator_id"].map(data.catalogue["theme"]))
    sections = [
        section.title.lower()
        for section in report_sections(list(data.catalogue["theme"]))
        if themes.intersection(section.themes)
    ]
    return f", those it keeps by financial year (in {joined(sections)}) for {data.financial_year}"


def introduction(data: ReportData) -> list[Block]:
    """The chapter's title and what its figures are."""
    kind = "financial year" if data.financial_year_end == data.year_end else "year"
    comparators = (
        f"England, the {data.area.region_name} region and the area's statistical neighbours"
    )
    span, beside = "the", f"the same figure a year earlier, {comparators}."
    if data.first_figures is not None:
        # A board in its first quarters has no 12 months of returns, nor a year before of them.
        span = "at most the"
        beside = (
            f"{comparators}, and the same figure a year earlier where there is one. "
            f"{data.first_figures}"
        )
    return [
        Heading(f"{data.board_name}: annual report {data.year}, the data chapter", 0),
        Paragraph(
            f"Figures for {data.area.name} for the {kind} {data.year}: the board's own "
            f"figures from its partners' returns (events in {span} {data.returns_months} "
            f"months to {data.year_end:%-d %B %Y}, children at that date)"
            f"{financial_year_clause(data)} and the {national_statistics_phrase(data)}, each "
            f"beside {beside}"
        ),
        Paragraph(
            f"{edition_note(data.edition)} Figures are rounded to the places shown, halves "
            "away from zero. Similar, better, worse, above and below England or the region "
            "follow the Fingertips method (England's figure inside or outside the area's 95% "
            "confidence interval; 'significantly' where outside the 99.8% interval) where the "
            "figure has an interval, and the published numbers otherwise."
        ),
        Paragraph(
            "Each figure is followed by a reference to the row it comes from, [indicator area "
            "period] (and the agency, for figures by agency): the row of "
            "curated.indicator_values in the warehouse, whose England, region and neighbour "
            "figures are in curated.comparisons under the same key."
        ),
    ]


def section_blocks(
    data: ReportData, section: Section, rows: pd.DataFrame, numbers: dict[str, int]
) -> list[Block]:
    """One section: its sentences, its table and its charts; one line when it has no figures.
    `numbers` counts tables and figures across the chapter."""
    blocks: list[Block] = [Heading(section.title, 1)]
    if rows.empty:
        return [*blocks, Paragraph(no_figures_text(data, section))]
    blocks += [Paragraph(sentence) for sentence in section_sentences(data, rows)]
    numbers["table"] += 1
    # What the scorecard and workbook note on a figure (a 2025-26 rate stands on the mid-2024
    # estimate, and is revised when mid-2025's comes), the table notes too.
    notes = figure_notes(rows)
    keys = list(notes)
    blocks.append(
        Table(
            table_caption(data, section, rows, numbers["table"]),
            list(TABLE_COLUMNS),
            [table_row(data, row, keys) for _, row in rows.iterrows()],
        )
    )
    blocks += [
        Paragraph(f"Note {number} to table {numbers['table']}: {text}")
        for number, text in enumerate(notes.values(), start=1)
    ]
    pictures = []
    for indicator_id in dict.fromkeys(rows["indicator_id"]):
        for kind in ("trend", "neighbours"):
            chart = data.charts.get(f"{indicator_id}_{kind}")
            if chart is None:
                continue
            numbers["figure"] += 1
            pictures.append(
                Picture(
                    f"{indicator_id}_{kind}",
                    _png(chart),
                    f"Figure {numbers['figure']}: {chart.caption}",
                    _alt_text(chart),
                )
            )
    if pictures:
        blocks += [Heading(f"{section.title}: charts", 2), *pictures]
    return blocks


def table_caption(data: ReportData, section: Section, rows: pd.DataFrame, number: int) -> str:
    """'Table 7: Child deaths, Southend-on-Sea, 2013-14', naming the period of the section's rows
    (`section_period`)."""
    # A chapter to September quotes child deaths for the financial year: the report year's span
    # would misdate the table's figures.
    period, _ = section_period(data, rows["indicator_id"])
    return f"Table {number}: {section.title}, {data.area.name}, {period}"


def no_figures_text(data: ReportData, section: Section) -> str:
    """'No figures for child deaths in 2013-14.', naming the period its figures would be for
    (`section_period`), and why where they are all summed over more than a quarter of partner
    returns and the board had too few by that period's end (`first_figures_note`)."""
    indicators = data.catalogue[data.catalogue["theme"].isin(section.themes)]
    period, end = section_period(data, indicators.index)
    none = f"No figures for {section.title.lower()} in {period}."
    why = first_figures_note(data.first_returns, quarter_of(end))
    if why and awaits_first_year(indicators):
        return f"{none} {why}"
    return none


def section_period(data: ReportData, indicator_ids: Iterable[object]) -> tuple[str, date]:
    """The period a section's figures are quoted for, as named and its last day: the report
    year, or the financial year (`ReportData.financial_year`) where the catalogue keeps all its
    indicators by one, the two where it keeps some (`ReportData.reported_to`)."""
    ends = {data.reported_to(str(indicator)) for indicator in indicator_ids}
    if data.year_end not in ends and ends:
        return data.financial_year, data.financial_year_end
    if len(ends) > 1:
        by_year = (
            f"{data.year} or, for the figures it keeps by financial year, {data.financial_year}"
        )
        return by_year, data.year_end
    return data.year, data.year_end


def _png(chart: Chart) -> bytes:
    """The chart as the PNG the scorecard writes beside its SVG."""
    return png_of_svg(chart.svg)


def _alt_text(chart: Chart) -> str:
    """A chart's description in words (its SVG <desc>)."""
    start = chart.svg.index("<desc")
    return html.unescape(chart.svg[chart.svg.index(">", start) + 1 : chart.svg.index("</desc>")])


def about_blocks() -> list[Block]:
    """What the symbols mean."""
    return [
        Heading("Symbols", 1),
        *(Paragraph(f"[{symbol}] {meaning}") for symbol, meaning in SYMBOL_NOTES.items()),
    ]


def chapter_blocks(data: ReportData) -> list[Block]:
    """The whole chapter: introduction, each section in order, the symbols."""
    rows = year_rows(data)
    theme_of = rows["indicator_id"].map(data.catalogue["theme"])
    numbers = {"table": 0, "figure": 0}
    blocks = introduction(data)
    for section in report_sections(list(data.catalogue["theme"])):
        in_section = rows[theme_of.isin(section.themes)].drop(
            columns=["_order", "_published", "_part"]
        )
        blocks += section_blocks(data, section, in_section, numbers)
    return [*blocks, *about_blocks()]


def _repeat_header(row: _Row) -> None:
    """Mark a table row as the header that repeats on each page (and that screen readers
    announce)."""
    properties = row._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    properties.append(header)


def _add_table(document: DocxDocument, block: Table) -> None:
    """A caption paragraph, then the table in the Table Grid style, header row bold."""
    # The caption stays on the page its table starts on.
    document.add_paragraph(block.caption, style="Caption").paragraph_format.keep_with_next = True
    table = document.add_table(rows=1, cols=len(block.headers))
    table.style = "Table Grid"
    table.autofit = False
    for cell, text in zip(table.rows[0].cells, block.headers, strict=True):
        cell.text = ""
        run = cell.paragraphs[0].add_run(text)
        run.bold = True
    _repeat_header(table.rows[0])
    for values in block.rows:
        cells = table.add_row().cells
        for cell, text in zip(cells, values, strict=True):
            cell.text = text
    widths = [Cm(TABLE_COLUMNS.get(header, 1.5)) for header in block.headers]
    for column, width in zip(table.columns, widths, strict=True):
        column.width = width  # the table grid, which LibreOffice reads; Word reads the cells
    for row in table.rows:
        for cell, width in zip(row.cells, widths, strict=True):
            cell.width = width
            for paragraph in cell.paragraphs:
                for run in paragraph.runs:
                    run.font.size = TABLE_FONT


def docx_document(blocks: Sequence[Block], marking: str | None = None) -> DocxDocument:
    """The chapter as a Word document; a protective `marking` in every page's header and
    footer."""
    document = Document()
    page = document.sections[0]
    page.page_width, page.page_height = A4
    page.left_margin = page.right_margin = page.top_margin = page.bottom_margin = MARGIN
    if marking:
        for part in (page.header, page.footer):
            paragraph = part.paragraphs[0]
            paragraph.text = marking
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
            paragraph.runs[0].bold = True
    document.styles["Normal"].font.name = BODY_FONT
    for block in blocks:
        if isinstance(block, Heading):
            document.add_heading(block.text, block.level)
        elif isinstance(block, Paragraph):
            document.add_paragraph(block.text)
        elif isinstance(block, Table):
            _add_table(document, block)
        else:
            document.add_picture(io.BytesIO(block.png), width=CHART_WIDTH)
            document.inline_shapes[-1]._inline.docPr.set("descr", block.alt_text)
            document.add_paragraph(block.caption, style="Caption")
    return document


def markdown_text(blocks: Sequence[Block], marking: str | None = None) -> str:
    """The chapter as Markdown, charts linked from `charts/<stem>.png`; a protective `marking`
    as its first and last line."""
    # Every text may quote a board's, an agency's or a contributor's name: none makes markup.
    lines: list[str] = [f"**{marking}**", ""] if marking else []
    for block in blocks:
        if isinstance(block, Heading):
            lines += [f"{'#' * (block.level + 1)} {markdown_safe(block.text)}", ""]
        elif isinstance(block, Paragraph):
            lines += [markdown_safe(block.text), ""]
        elif isinstance(block, Table):
            lines += [
                f"**{markdown_safe(block.caption)}**",
                "",
                "| " + " | ".join(map(markdown_safe, block.headers)) + " |",
                "|" + "---|" * len(block.headers),
                *("| " + " | ".join(map(markdown_safe, row)) + " |" for row in block.rows),
                "",
            ]
        else:
            lines += [
                f"![{markdown_safe(block.alt_text)}]({CHARTS_DIR}/{block.stem}.png)",
                "",
                markdown_safe(block.caption),
                "",
            ]
    if marking:
        lines += [f"**{marking}**", ""]
    return "\n".join(lines)


@dataclass(frozen=True)
class ReportFiles:
    """What `write_report` wrote."""

    docx: Path
    markdown: Path
    charts: list[Path]


def report_stem(label: str) -> str:
    """File name stem of a year's chapter (`report_label`): 'data_chapter_2013-14',
    'data_chapter_year-to-2014-15-Q2'."""
    return f"data_chapter_{label}"


def write_report(
    warehouse: Path,
    board: Board,
    year: str | Quarter,
    out_dir: Path,
    edition: Edition = PUBLIC,
    area_code: str | None = None,
) -> ReportFiles:
    """Write `edition`'s data chapter for the report year `year` (a financial year '2013-14',
    or the year's last quarter) of the board's area `area_code` (default: its first) as DOCX
    and Markdown (with its charts as PNG files in `charts/`) into `out_dir`."""
    data = read_report_data(warehouse, board, year, edition, area_code)
    blocks = chapter_blocks(data)
    out_dir.mkdir(parents=True, exist_ok=True)
    chart_dir = out_dir / CHARTS_DIR
    chart_dir.mkdir(exist_ok=True)
    charts = []
    for block in blocks:
        if isinstance(block, Picture):
            path = chart_dir / f"{block.stem}.png"
            path.write_bytes(block.png)
            charts.append(path)
    stem = report_stem(report_label(last_quarter_of(year)))
    docx_path = out_dir / f"{stem}.docx"
    document = io.BytesIO()
    docx_document(blocks, edition.marking).save(document)
    # The same chapter gives the same bytes each time it is written (python-docx stamps the time).
    docx_path.write_bytes(reproducible_ooxml(document.getvalue()))
    markdown_path = out_dir / f"{stem}.md"
    markdown_path.write_text(markdown_text(blocks, edition.marking), encoding="utf-8", newline="\n")
    return ReportFiles(docx_path, markdown_path, charts)


def office_program() -> str | None:
    """LibreOffice's command (soffice) where it is installed."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def pdf_of(document: Path, soffice: str, timeout: int = 240) -> Path:
    """Convert `document` to PDF beside it with LibreOffice headless, in a private profile so
    another LibreOffice running does not get in the way; ReportError if it fails."""
    with tempfile.TemporaryDirectory(prefix="lscb-soffice-") as profile:
        command = [
            soffice,
            f"-env:UserInstallation={Path(profile).as_uri()}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(document.parent),
            str(document),
        ]
        result = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
    pdf = document.with_suffix(".pdf")
    if result.returncode != 0 or not pdf.is_file():
        problem = (result.stderr or result.stdout).strip().splitlines()
        raise ReportError(
            f"LibreOffice could not convert {document.name} to PDF: "
            f"{problem[-1] if problem else 'no output'} (is LibreOffice Writer installed?)"
        )
    return pdf


def page_texts(pdf: Path) -> list[str]:
    """The text of each page of `pdf` (poppler's pdftotext); [] where it is not installed."""
    program = shutil.which("pdftotext")
    if program is None:
        return []
    result = subprocess.run(
        [program, "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    )
    return result.stdout.split("\f")[:-1] or [result.stdout]


def screenshot_page(texts: Sequence[str]) -> int:
    """The page (from 1) to show as a sample: the one where the first table starts, as it has
    sentences, a table and usually a chart; page 1 when there is none."""
    return next((n for n, text in enumerate(texts, start=1) if "Table 1:" in text), 1)


def page_png(pdf: Path, page: int, out: Path) -> Path | None:
    """A PNG picture of page `page` (from 1) of `pdf` at 100 dpi (poppler's pdftoppm); None
    where it is not installed."""
    program = shutil.which("pdftoppm")
    if program is None:
        return None
    prefix = out.with_suffix("")
    pages = ["-f", str(page), "-l", str(page)]
    subprocess.run(
        [program, "-png", "-r", "100", *pages, "-singlefile", str(pdf), str(prefix)],
        capture_output=True,
        check=True,
    )
    return prefix.with_suffix(".png")
