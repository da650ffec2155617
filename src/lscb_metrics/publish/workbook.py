"""The spreadsheet report writers open: the board's figures by annual-report theme.

Laid out as the GSS guidance "Releasing statistics in spreadsheets" asks: a Cover, a Contents
table linking every sheet, numbered Notes (methods and every symbol used), then one table per
sheet. Each table sheet has its title in A1 and a short description in A2, then the table from
row 3 as an Excel Table with a header row that stays in view, no merged cells and no blank rows
or columns; numbers are stored as numbers and a symbol such as [c] stands only where a figure is
withheld. Every figure is rounded and disclosure-controlled exactly as the open-data file is
(`lscb_metrics.publish.figures.published_figures`). A published series with no figure for the
quarter, of an indicator the partner returns do not give (looked-after children, ONS residents),
shows its latest published on or before the quarter's end, named by its own period, by the data
chapter's rule (`figures.behind_published`).

The internal edition's workbook has exact figures, and its protective marking in the first row
of every sheet (so everything above moves down one row) and in every sheet's printed header, so
it is on the screen whichever sheet is open and on every printed page.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import partial
from pathlib import Path

import duckdb
import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.hyperlink import Hyperlink
from openpyxl.worksheet.table import Table, TableStyleInfo
from openpyxl.worksheet.worksheet import Worksheet

from lscb_metrics.boards import Board
from lscb_metrics.catalogue import POPULATION_MEASURE
from lscb_metrics.editions import PUBLIC, Edition
from lscb_metrics.intake.rules import inert
from lscb_metrics.periods import Quarter, first_figures_note, population_convention, quarter_of
from lscb_metrics.publish.figures import (
    BEFORE,
    BOARD_RECORDS_SOURCE,
    YEAR,
    BoardArea,
    authority_codes,
    awaits_first_year,
    behind_published,
    board_area,
    catalogue_frame,
    edition_run,
    figure_publications,
    figure_rows,
    first_return_quarter,
    latest_and_before,
    published_figures,
    quoted_comparator_note,
    read_only,
    series_where,
    shifted,
    source_name,
)
from lscb_metrics.reference import ons_ages
from lscb_metrics.stats.disclosure import SYMBOL_NOTES

OGL_ATTRIBUTION = (
    "Contains public sector information licensed under the Open Government Licence v3.0."
)
OGL_URL = "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/"
#: The Cover's contact until the board fills it in; {board} is the board's short name.
CONTACT_PLACEHOLDER = "[Name, email address and telephone number of the {board} business unit]"
HEADER_ROW = 3  # title in row 1, description in row 2, then the table (one lower when marked)
MARKING_FONT = Font(bold=True, size=12, color="FFFFFF")
MARKING_FILL = PatternFill("solid", fgColor="D4351C")
TITLE_FONT = Font(bold=True, size=14)
HEADING_FONT = Font(bold=True, size=12)
MAX_WIDTH = 60
TOTAL = "Total"


@dataclass(frozen=True)
class Theme:
    """An annual-report theme and its sheet, in the order an annual report follows."""

    id: str
    sheet: str
    title: str


THEMES = (
    Theme("context", "Context", "The area and its children"),
    Theme("early_help_and_referrals", "Early_help", "Early help and referrals"),
    Theme("child_protection", "Child_protection", "Child protection"),
    Theme("looked_after_children", "Looked_after_children", "Looked-after children"),
    Theme("assessments", "Assessments", "Single assessments and casework"),
    Theme("training", "Training", "Safeguarding children training"),
    Theme("child_deaths", "Child_deaths", "Child deaths"),
    Theme("road_safety", "Road_safety", "Road safety and injuries"),
    Theme("finance", "Finance", "The board's finance"),
    Theme("board_attendance", "Board_attendance", "Board attendance and partners' audits"),
)

#: Method notes, numbered in this order; table headers refer to them by key.
METHOD_NOTES = {
    "rounding": "Figures are rounded to the decimal places shown, halves away from zero (2.5 "
    "becomes 3). Rates, percentages, intervals and comparisons are calculated from unrounded "
    "figures.",
    "disclosure": "To protect confidentiality, the area's counts of 1 to 5 are shown as [c], "
    "and so is any rate, percentage, confidence limit, rank or comparison calculated from one; "
    "a percentage is also withheld when its denominator minus its numerator is 1 to 5. England "
    "and regional counts are rounded to the nearest 10.",
    "rates": "Rates per 10,000 (or 100,000) children use the ONS mid-year estimate of children "
    "aged 0 to 17 at the mid-year that starts the financial year the period ends in (DfE "
    "convention: {convention}) or, until ONS publishes that estimate, the latest published "
    "one, as the figure's note says.",
    "periods": "Figures from partner returns at a quarter: events (referrals, enquiries, plans "
    "started, assessments, deaths, injuries) are summed over the 12 months ending with the "
    "quarter, or the window the indicator's title gives; children at a point in time (plans, "
    "children in need, private fostering, staff trained) are counted on the quarter's last day. "
    "Published statistics are for the year ending 31 March, or as at 31 March, unless the "
    "period covered says otherwise (ONS estimates at 30 June, road casualties by calendar year).",
    "latest_published": "Where the partner returns give no figure of an indicator and its "
    "published statistics have none for the period, the table shows the latest published on or "
    "before the period's end, and the same a year before it; its Period and Period covered say "
    "which year it is.",
    "intervals": "95% confidence limits use the Wilson score method for percentages, and for "
    "rates exact Poisson limits below 10 events and Byar's method from 10 events. 'Compared "
    "with England' uses the 95% and 99.8% limits (the Fingertips method): Similar where "
    "England's value is inside the area's interval; Better or Worse (Best or Worst at 99.8%) "
    "where it is outside and the indicator has a direction; Higher or Lower where it has none.",
    "comparators": "England and regional figures are for the latest published year ending on or "
    "before the period. The statistical neighbours average is the simple mean of the area's "
    "statistical neighbours (DfE model) that have a figure.",
    "rank": "Rank among all local authorities in England with a figure: 1 is the best, or the "
    "highest where higher is neither better nor worse; tied areas share the better rank. Counts "
    "are not ranked, as they mostly reflect the size of the area.",
    "no_figures": "The warehouse holds no figures for this theme at this period.",
}
#: The note saying why a new board has no 12-month figures yet (`periods.first_figures_note`).
FIRST_FIGURES = "first_figures"


@dataclass(frozen=True)
class SheetTable:
    """One sheet holding one table: title (A1), description (A2), headers and rows.

    `row_decimals` gives each row's decimal places for its non-whole numbers; `links` maps a
    row's first cell to the sheet it opens.
    """

    sheet: str
    title: str
    description: str
    headers: list[str]
    rows: list[list[object]]
    row_decimals: list[int]
    number_columns: frozenset[int] = frozenset()
    links: dict[int, str] = field(default_factory=dict)

    @property
    def table_name(self) -> str:
        """The Excel Table's name, unique in the workbook."""
        return f"{self.sheet}_table"


def write_workbook(
    warehouse: Path,
    out_path: Path,
    period_end: date,
    board: Board,
    edition: Edition = PUBLIC,
    area_code: str | None = None,
    *,
    connection: duckdb.DuckDBPyConnection | None = None,
) -> Path:
    """Write `edition`'s report writers' workbook for the board's area `area_code` (default: its
    first) at `period_end` (a quarter end) and the same point a year earlier, beside England,
    region and statistical neighbours; the warehouse is read through `connection` where given
    (`figures.read_only`)."""
    if quarter_of(period_end).end != period_end:
        raise ValueError(f"{period_end} is not the last day of a financial quarter")
    year_before = shifted(period_end, -1)
    with read_only(warehouse, connection) as connection:
        area = board_area(connection, area_code or board.areas[0])
        catalogue = catalogue_frame(connection, board.local_targets_on(area.code, period_end))
        # A year earlier the authority may have had another ONS code (`authority_codes`).
        codes = authority_codes(connection, area.code)
        # Published history up to the quarter, where a series' latest may lie (`behind_published`).
        where = (
            f"{series_where(codes, board.areas)} "
            f"AND (v.period_end IN (DATE '{period_end}', DATE '{year_before}') "
            f"OR (v.source_type = 'published' AND v.period_end <= DATE '{period_end}'))"
        )
        rows = quarter_and_year_before(figure_rows(connection, where), period_end)
        published = published_figures(rows, catalogue, edition)
        current = published[published["report_year"].eq(YEAR)]
        previous = published[published["report_year"].eq(BEFORE)]
        sources = cover_sources(
            figure_publications(connection, shown_published(published, current)),
            current,
            catalogue,
        )
        run_id = edition_run(connection, board.slug, quarter_of(period_end).label)
        covered = [code for code in codes if code in board.areas]
        first = first_return_quarter(connection, covered, period_end)
    quarter = quarter_of(period_end)
    notes = note_texts(current, quarter, first_figures_note(first, quarter))
    earlier = year_earlier_values(previous)
    tables = [
        theme_table(theme, current, earlier, catalogue, area, period_end, notes)
        for theme in report_themes(catalogue)
    ]
    notes_sheet = notes_table(notes, used_symbols(tables))
    contents = contents_table([notes_sheet, *tables])
    workbook = Workbook()
    first = 2 if edition.marking else 1
    _write_cover(workbook.active, cover_lines(board, area, period_end, sources, run_id), first)
    for table in (contents, notes_sheet, *tables):
        _write_table(workbook.create_sheet(table.sheet), table, first)
    if edition.marking:
        for sheet in workbook.worksheets:
            _mark(sheet, edition.marking)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(out_path)
    return out_path


def quarter_and_year_before(rows: pd.DataFrame, period_end: date) -> pd.DataFrame:
    """The rows (of one area's `figure_rows`) the workbook at the quarter ending `period_end`
    shows, each with `report_year` YEAR or BEFORE: those ending on it and a year earlier, and
    for a published series quoted at its latest (`behind_published`, as the data chapter quotes
    it: looked-after children at 2014-15 Q2) its latest on or before the quarter's end and the
    one a year before that. Never a figure dated after the quarter."""
    behind = behind_published(rows, period_end)
    at_end = rows["period_end"].eq(period_end)
    regular = rows[~behind & (at_end | rows["period_end"].eq(shifted(period_end, -1)))]
    regular = regular.assign(report_year=at_end[regular.index].map({True: YEAR, False: BEFORE}))
    return pd.concat([regular, latest_and_before(rows[behind])])


def report_themes(catalogue: pd.DataFrame) -> list[Theme]:
    """THEMES, then any theme the catalogue has that THEMES does not name."""
    named = {theme.id for theme in THEMES}
    extra = [t for t in dict.fromkeys(catalogue["theme"]) if t not in named]
    return [
        *THEMES,
        *(Theme(t, t.capitalize()[:31], t.replace("_", " ").capitalize()) for t in extra),
    ]


def note_texts(
    current: pd.DataFrame, quarter: Quarter, first_figures: str | None = None
) -> dict[str, str]:
    """Note key -> text, numbered in order: the method notes (their example the edition's
    `quarter`), why a new board has no 12-month figures yet (`first_figures`, in its first three
    quarters of returns), then each comparator note the board's figures carry (keyed by its
    text)."""
    convention = population_convention(quarter)
    return {
        **{key: note.format(convention=convention) for key, note in METHOD_NOTES.items()},
        **({FIRST_FIGURES: first_figures} if first_figures else {}),
        **figure_notes(current),
    }


def figure_notes(rows: pd.DataFrame) -> dict[str, str]:
    """Each distinct comparator note of `rows` (which starts with the value's own note) -> its
    text as a reader is given it (`figure_note_text`), in order of appearance."""
    noted = rows[rows["comparator_note"].notna()].drop_duplicates("comparator_note")
    return {
        text: figure_note_text(text, value_note)
        for text, value_note in zip(noted["comparator_note"], noted["value_note"], strict=True)
    }


def figure_note_text(comparator_note: str, value_note: object) -> str:
    """A figure's note as the Notes sheet words it: the value's own note (the estimate it stands
    on, or why it has none), then the comparators the board quoted rather than derived."""
    quoted = quoted_comparator_note(comparator_note, value_note)
    parts = [f"{value_note}." if isinstance(value_note, str) else ""]
    if quoted:
        parts.append(f"Comparator quoted by the board rather than derived: {quoted}.")
    return " ".join(part for part in parts if part)


def note_ref(notes: dict[str, str], *keys: str) -> str:
    """'[note 3]' (or '[note 3] [note 5]') for the notes with these keys."""
    numbers = {key: number for number, key in enumerate(notes, start=1)}
    return " ".join(f"[note {numbers[key]}]" for key in keys)


#: A series of one area's figures: (indicator id, breakdown, source type).
SeriesKey = tuple[str, str, str]


def year_earlier_values(previous: pd.DataFrame) -> dict[SeriesKey, object]:
    """Each series of `previous` (published figures of one area, a year before the workbook's)
    -> its published value."""
    keys = list(
        zip(previous["indicator_id"], previous["breakdown"], previous["source_type"], strict=True)
    )
    values = dict(zip(keys, previous["value"], strict=True))
    if len(values) != len(keys):
        # Which of two published values a year earlier is the series' cannot be told.
        repeated = sorted({key for key in keys if keys.count(key) > 1})
        raise ValueError(f"a series is given twice a year earlier: {repeated}")
    return values


def theme_table(
    theme: Theme,
    current: pd.DataFrame,
    earlier: Mapping[SeriesKey, object],
    catalogue: pd.DataFrame,
    area: BoardArea,
    period_end: date,
    notes: dict[str, str],
) -> SheetTable:
    """The table of one theme: each indicator (and agency) at `period_end` beside its value a
    year earlier (`earlier`, by series: `year_earlier_values`) and its comparators; one row
    saying why when the theme has no figures."""
    indicators = catalogue.index[catalogue["theme"] == theme.id]
    rows = current[current["indicator_id"].isin(indicators)]
    rows = rows.assign(
        _order=rows["indicator_id"].map({i: n for n, i in enumerate(catalogue.index)}),
        _total=rows["breakdown"].ne(TOTAL),
    ).sort_values(["_order", "_total", "breakdown_name", "source_type"], kind="stable")
    by_agency = bool(rows["breakdown"].ne(TOTAL).any())
    period = quarter_of(period_end).label
    ref = partial(note_ref, notes)
    columns = [  # (header, holds numbers)
        ("Indicator", False),
        *([("Agency", False)] if by_agency else []),
        (f"Unit {ref('rates')}", False),
        ("Source", False),
        ("Period", False),
        (f"Period covered {ref('periods')}", False),
        (f"Value {ref('rounding', 'disclosure')}", True),
        (f"Lower 95% confidence limit {ref('intervals')}", True),
        (f"Upper 95% confidence limit {ref('intervals')}", True),
        (f"Same period a year earlier {ref('rounding', 'disclosure')}", True),
        (f"Comparators for the year ending {ref('comparators')}", False),
        ("England", True),
        (area.region_name, True),
        (f"Statistical neighbours average {ref('comparators')}", True),
        (f"Compared with England {ref('intervals')}", False),
        (f"Rank among local authorities {ref('rank')}", True),
        ("Local authorities ranked", True),
        ("Notes", False),
    ]
    table_rows = [
        [
            catalogue.at[row.indicator_id, "title"],
            *([row.breakdown_name] if by_agency else []),
            catalogue.at[row.indicator_id, "unit"],
            source_name(row.source_type, catalogue.at[row.indicator_id, "collected_from"]),
            row.time_period,
            _period_covered(row.period_start, row.period_end),
            _shown(row.value),
            _shown(row.lower_ci95),
            _shown(row.upper_ci95),
            _shown(earlier.get((row.indicator_id, row.breakdown, row.source_type), "x")),
            _comparators_year_end(row.comparator_period, row.comparator_period_end),
            _shown(row.england_value),
            _shown(row.region_value),
            _shown(row.sn_average),
            _shown(row.vs_england),
            _shown(row.rank),
            _shown(row.rank_of),
            _row_notes(notes, row, period_end),
        ]
        for row in rows.itertuples()
    ]
    if not table_rows:
        why = absent_figures_note(catalogue.loc[indicators], notes)
        table_rows = [
            _placeholder_row(theme, len(columns), by_agency, period, note_ref(notes, why))
        ]
    decimals = [int(catalogue.at[i, "decimals"]) for i in rows["indicator_id"]] or [0]
    return SheetTable(
        sheet=theme.sheet,
        title=f"{theme.title}: {area.name}, {period}",
        description=(
            f"This worksheet contains one table: {theme.title.lower()} in {area.name} at the end "
            f"of {period} and the same period a year earlier, beside England, the "
            f"{area.region_name} region and the area's statistical neighbours. Some cells refer "
            "to notes, which are on the Notes sheet."
        ),
        headers=[header for header, _ in columns],
        rows=table_rows,
        row_decimals=decimals,
        number_columns=frozenset(n for n, (_, numbers) in enumerate(columns) if numbers),
    )


def notes_table(notes: dict[str, str], symbols: Sequence[str]) -> SheetTable:
    """The Notes sheet: every numbered note, then what each symbol used means."""
    texts = [*notes.values(), *(f"[{s}] {SYMBOL_NOTES[s]}" for s in symbols)]
    return SheetTable(
        sheet="Notes",
        title="Notes",
        description="This worksheet contains one table. Notes are referred to in table headers "
        "and in the Notes column of each table; the last notes explain the symbols used.",
        headers=["Note number", "Note text"],
        rows=[[f"note {number}", text] for number, text in enumerate(texts, start=1)],
        row_decimals=[0] * len(texts),
    )


def contents_table(tables: Sequence[SheetTable]) -> SheetTable:
    """The Contents sheet: every sheet after it, linked, with its title."""
    listed = [("Cover", "About these figures: what they are, period, source, contact, licence")]
    listed += [(table.sheet, table.title) for table in tables]
    return SheetTable(
        sheet="Contents",
        title="Contents",
        description="This worksheet contains one table listing every other sheet; select a "
        "sheet name to go to it.",
        headers=["Sheet name", "Table title"],
        rows=[[sheet, title] for sheet, title in listed],
        row_decimals=[0] * len(listed),
        links={number: sheet for number, (sheet, _) in enumerate(listed)},
    )


def shown_published(published: pd.DataFrame, current: pd.DataFrame) -> list[tuple[str, date]]:
    """(indicator id, period end) of every published figure the workbook's rows (`published`,
    its tables' current and year-before rows; `current`, those shown beside comparators) show
    or are compared with: the area's own published figures, and those of the years the
    current rows' England, region, neighbour and rank figures are from."""
    own = published[published["source_type"].eq("published")]
    compared = current[~current["comparator_period"].isin(list(SYMBOL_NOTES))]
    return [
        *zip(own["indicator_id"], own["period_end"], strict=True),
        *zip(compared["indicator_id"], compared["comparator_period_end"], strict=True),
    ]


def cover_sources(
    publications: Sequence[str], current: pd.DataFrame, catalogue: pd.DataFrame
) -> list[str]:
    """The Cover's sources, each once: the partner returns, the board's own records where a
    figure of `current` is one of them (`source_name`), then `publications` (those the figures
    are from, `figure_publications`), the ONS estimates where a figure of `current` is per
    children aged 0 to 17 and the DfE model where one is beside its statistical neighbours,
    unless they are among `publications`."""
    per_child = catalogue.loc[current["indicator_id"], "denominator"].eq(POPULATION_MEASURE)
    neighbours = pd.to_numeric(current["sn_average"], errors="coerce").notna()
    kept = catalogue.loc[current["indicator_id"], "collected_from"].to_numpy()
    records = any(
        source_name(source, how) == BOARD_RECORDS_SOURCE
        for source, how in zip(current["source_type"], kept, strict=True)
    )
    wanted = [
        "Quarterly data returns of the board's partner agencies, validated on receipt",
        *(
            [BOARD_RECORDS_SOURCE + ": finance, attendance, training and surveys"]
            if records
            else []
        ),
        *publications,
        *([ons_ages.PUBLICATION] if per_child.any() else []),
        *(["DfE statistical-neighbour model"] if neighbours.any() else []),
    ]
    return list(dict.fromkeys(wanted))


def cover_lines(
    board: Board,
    area: BoardArea,
    period_end: date,
    sources: Sequence[str],
    run_id: str | None = None,
) -> list[tuple[str, str]]:
    """(style, text) lines of the Cover sheet, from its title to the licence, naming `board`
    as its profile does; `sources` are those its figures come from (`cover_sources`),
    `run_id` the run whose figures these are."""
    period = quarter_of(period_end).label
    return [
        (
            "title",
            f"Safeguarding children in {area.name}: figures for the {board.short_name} "
            "annual report",
        ),
        ("heading", "What these figures are"),
        (
            "text",
            f"The figures the {board.name} publishes on early help and referrals, child "
            "protection, assessments, training, child deaths, road safety and hospital "
            "admissions, each beside England, the region and the area's statistical neighbours. "
            "One table per sheet, by annual-report theme.",
        ),
        ("heading", "Period covered"),
        (
            "text",
            f"{period} (figures at or to {_long_date(period_end)}) and the same period a year "
            "earlier. Published statistics of an indicator the partner returns do not give are "
            "the latest published by then, their Period column naming the year."
            + (f" Edition of run {run_id}." if run_id else ""),
        ),
        ("heading", "Source"),
        ("text", "; ".join(sources) + "."),
        ("heading", "Contact"),
        ("text", CONTACT_PLACEHOLDER.format(board=board.short_name)),
        ("heading", "Notes and symbols"),
        (
            "text",
            "Notes, including what each symbol such as [c] means, are on the Notes sheet. The "
            "Contents sheet lists every table.",
        ),
        ("heading", "Licence"),
        ("text", OGL_ATTRIBUTION),
        ("link", OGL_URL),
    ]


def used_symbols(tables: Sequence[SheetTable]) -> list[str]:
    """The symbols (c, x, z, low) that appear in the tables, in SYMBOL_NOTES order."""
    cells = {
        cell for table in tables for row in table.rows for cell in row if isinstance(cell, str)
    }
    return [symbol for symbol in SYMBOL_NOTES if f"[{symbol}]" in cells]


def absent_figures_note(indicators: pd.DataFrame, notes: dict[str, str]) -> str:
    """Key of the note saying why a theme of `indicators` (catalogue rows) has no figures: that
    a new board's returns are too few yet (FIRST_FIGURES, among `notes` in its first three
    quarters) where each of its indicators from partner returns is summed over more than a
    quarter, else that the warehouse holds none ("no_figures")."""
    waiting = awaits_first_year(indicators)
    return FIRST_FIGURES if waiting and FIRST_FIGURES in notes else "no_figures"


def _placeholder_row(
    theme: Theme, width: int, by_agency: bool, period: str, why: str
) -> list[object]:
    """The one row of a theme without figures: its title, the period and why there are none
    (`why`, its note reference)."""
    row: list[object] = [theme.title, *(["[z]"] if by_agency else []), "[x]", "[x]", period]
    return [*row, *(["[x]"] * (width - len(row) - 1)), why]


def _row_notes(notes: dict[str, str], row: object, period_end: date) -> str | None:
    """The Notes cell of a table row: its figure's note, and the one saying it is the latest
    published where it is dated before the quarter (`quarter_and_year_before`); None (an empty
    cell, as GSS asks of a notes column) where it has neither."""
    note, ended = row.comparator_note, row.period_end  # type: ignore[attr-defined]
    keys = [
        *([note] if isinstance(note, str) else []),
        *(["latest_published"] if ended != period_end else []),
    ]
    return note_ref(notes, *keys) or None


def _shown(value: object) -> object:
    """A published cell as the workbook shows it: numbers as numbers, symbols in brackets."""
    if isinstance(value, str):
        return f"[{value}]" if value in SYMBOL_NOTES else value
    return value


def _period_covered(start: date, end: date) -> str:
    """'At 30 September 2014' for a snapshot, else '1 October 2013 to 30 September 2014'."""
    if start == end:
        return f"At {_long_date(end)}"
    return f"{_long_date(start)} to {_long_date(end)}"


def _comparators_year_end(period: str, period_end: date | None) -> object:
    """The last day of the year a row's comparators are from, or the symbol its published
    `comparator_period` has instead ([z]: no comparators, [x]: none published yet)."""
    return _shown(period) if period in SYMBOL_NOTES else _long_date(period_end)


def _long_date(day: date | None) -> str:
    """'30 September 2014', or [x] when there is no date."""
    if day is None or pd.isna(day):
        return "[x]"
    return f"{day.day} {day:%B %Y}"


def _number_format(value: object, decimals: int) -> str:
    """Excel number format: thousands separated, at the row's decimals unless a whole number."""
    places = 0 if isinstance(value, int) else decimals
    return "#,##0" + ("." + "0" * places if places else "")


def _mark(sheet: Worksheet, marking: str) -> None:
    """The protective marking in A1, white on red, and in the header of every printed page."""
    cell = sheet.cell(row=1, column=1, value=marking)
    cell.font, cell.fill = MARKING_FONT, MARKING_FILL
    for header in (sheet.oddHeader, sheet.evenHeader, sheet.firstHeader):
        header.center.text = marking
        header.center.font = "Arial,Bold"
        header.center.color = "D4351C"


def _write_cover(sheet: Worksheet, lines: list[tuple[str, str]], first: int) -> None:
    """The Cover sheet: one line per row in column A, the title in row `first`."""
    sheet.title = "Cover"
    fonts = {"title": TITLE_FONT, "heading": HEADING_FONT}
    for number, (style, text) in enumerate(lines, start=first):
        cell = sheet.cell(row=number, column=1, value=text)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        if style in fonts:
            cell.font = fonts[style]
        if style == "link":
            cell.hyperlink = text
            cell.style = "Hyperlink"
    sheet.column_dimensions["A"].width = 100


def _write_table(sheet: Worksheet, table: SheetTable, first: int) -> None:
    """One table sheet: title (in row `first`), description, then the table as an Excel
    Table."""
    header_row = HEADER_ROW + first - 1
    title = sheet.cell(row=first, column=1, value=table.title)
    title.font = TITLE_FONT
    sheet.cell(row=first + 1, column=1, value=table.description)
    for column, header in enumerate(table.headers, start=1):
        cell = sheet.cell(row=header_row, column=column, value=header)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    for offset, (values, decimals) in enumerate(zip(table.rows, table.row_decimals, strict=True)):
        row = header_row + 1 + offset
        for column, value in enumerate(values):
            cell = sheet.cell(row=row, column=column + 1, value=inert(value))
            if column in table.number_columns:
                cell.alignment = Alignment(horizontal="right")
                if not isinstance(value, str):
                    cell.number_format = _number_format(value, decimals)
        if offset in table.links:
            target = table.links[offset]
            link = sheet.cell(row=row, column=1)
            link.hyperlink = Hyperlink(ref=link.coordinate, location=f"'{target}'!A1")
            link.style = "Hyperlink"
    last = f"{get_column_letter(len(table.headers))}{header_row + len(table.rows)}"
    excel_table = Table(displayName=table.table_name, ref=f"A{header_row}:{last}")
    excel_table.tableStyleInfo = TableStyleInfo(name="TableStyleLight1", showRowStripes=False)
    sheet.add_table(excel_table)
    sheet.freeze_panes = f"A{header_row + 1}"
    for column, header in enumerate(table.headers):
        longest = max(len("" if row[column] is None else str(row[column])) for row in table.rows)
        width = min(max(longest, len(header) // 2, 8) + 2, MAX_WIDTH)
        sheet.column_dimensions[get_column_letter(column + 1)].width = width
