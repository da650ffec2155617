"""Files for analysts and for open-data publication, written from the warehouse read-only.

- `lscb_indicators_open_data.csv` and its `.meta.csv`: every indicator value in the DfE
  explore-education-statistics (EES) tidy layout, disclosure-controlled and rounded.
- `curated_indicator_values` and `curated_comparisons` (Parquet and CSV): the curated relations
  as they are, unrounded and unsuppressed, for analysts inside the board; never published.
- `README.md`: what each file is, its columns, the indicators and the symbols.

A board's internal edition writes the same open-data files with exact figures and a first
column, `protective_marking`, saying "OFFICIAL-SENSITIVE: not for publication" on every row: a
column, not a comment line, because a spreadsheet shows it on every screen and printed page, it
stays with any rows copied, sorted or filtered out of the file, and every CSV reader still
reads the file (a leading comment line breaks most of them, and is the first thing lost).

Identical warehouse contents give byte-identical files: rows are sorted on their full key,
numbers are written at fixed decimal places and nothing records when the files were made.

Every board's open-data file holds the same rows for the published figures of every area in
England (about 36,000), so those rows are derived and written as CSV lines once for each edition
and each version of the published figures, catalogue and code, and kept beside the warehouse
(`published_cache`), each with a text key that sorts as the row does; each board's own lines are
then merged in among them.
"""

from __future__ import annotations

import bisect
import csv
import io
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from lscb_metrics.boards import Board
from lscb_metrics.digests import code_digest, fingerprint, frame_digest
from lscb_metrics.editions import PUBLIC, Edition
from lscb_metrics.intake.rules import (
    SQL_FORMULA_START,
    SQL_PLAIN_NUMBER,
    inert_column,
    markdown_safe,
)
from lscb_metrics.periods import Quarter, quarter_of, year_label
from lscb_metrics.publish.figures import (
    LOCAL_AUTHORITY,
    NATIONAL,
    PARTNER_RETURN,
    board_area,
    catalogue_frame,
    figure_rows,
    figure_rows_digest,
    published_figures,
    read_only,
)
from lscb_metrics.published_cache import cache_folder, cached_frames
from lscb_metrics.stats.disclosure import SYMBOL_NOTES

OPEN_DATA = "lscb_indicators_open_data.csv"
OPEN_DATA_META = "lscb_indicators_open_data.meta.csv"
README = "README.md"
ANALYST_RELATIONS = ("curated.indicator_values", "curated.comparisons")
ANALYST_FORMATS = ("parquet", "csv")
ANALYST_ORDER = "indicator_id, source_type, area_code, breakdown, period_end, period_start"
ENGLAND = ("E92000001", "England")
LEVEL_ORDER = {NATIONAL: 0, "Regional": 1, LOCAL_AUTHORITY: 2}
#: A partner value labelled by the quarter its window ends with ('2014-15 Q2', or
#: '2012-13 Q3 to 2014-15 Q2' for a longer window), not a whole year ('2013-14', '2012-14').
_QUARTER_LABEL = re.compile(r"\d{4}-\d{2} Q[1-4]$")
META_COLUMNS = [
    "col_name",
    "col_type",
    "label",
    "indicator_grouping",
    "indicator_unit",
    "indicator_dp",
    "filter_hint",
    "filter_grouping_column",
]
#: Groups the indicator_id filter's items in EES; a grouping column has no metadata row.
THEME_COLUMN = "theme"
MARKING_COLUMN = "protective_marking"
#: The figures every board's open-data file holds: all but the partner returns' (which are
#: each board's own).
PUBLISHED_ROWS = f"v.source_type <> '{PARTNER_RETURN}'"
#: Columns the open-data rows are sorted on (then dropped): period, geography (England, then
#: regions, then local authorities), indicator in catalogue order, breakdown and source.
SORT_KEYS = [
    *("_period_end", "_period_start", "_level", "_region_code", "_area_code"),
    *("_indicator", "_breakdown", "_source_type"),
]
#: Package modules whose code decides an open-data row (keys of the kept published rows).
OPEN_DATA_CODE = (
    *("publish/exports.py", "publish/figures.py", "stats", "editions.py", "periods.py"),
    "intake/rules.py",
)


@dataclass(frozen=True)
class OpenDataColumn:
    """A filter or indicator column of the open-data file, as its metadata row describes it."""

    name: str
    col_type: str  # Filter or Indicator
    label: str
    grouping: str = ""
    whole_numbers: bool = False  # indicator published without decimals whatever the indicator
    hint: str = ""  # the filter hint of a column that is no warehouse column


FILTERS = (
    OpenDataColumn("indicator_id", "Filter", "Indicator"),
    OpenDataColumn("breakdown", "Filter", "Breakdown"),
    OpenDataColumn("source_type", "Filter", "Source"),
    # A filter, as EES indicators hold numbers only; a symbol, never a blank, where there is
    # no year to name, as EES filters hold no blanks.
    OpenDataColumn(
        "comparator_period",
        "Filter",
        "Year of the comparators",
        hint="The published year england_value, region_value, sn_average and rank are from "
        "(a quarter is compared with the latest published year ending on or before it): z "
        "where the figure has no comparators, x where none is published yet.",
    ),
)
INDICATORS = (
    OpenDataColumn("value", "Indicator", "Value", "Figure"),
    OpenDataColumn("numerator", "Indicator", "Numerator", "Figure", whole_numbers=True),
    OpenDataColumn("denominator", "Indicator", "Denominator", "Figure", whole_numbers=True),
    OpenDataColumn("lower_ci95", "Indicator", "Lower 95% confidence limit", "Interval"),
    OpenDataColumn("upper_ci95", "Indicator", "Upper 95% confidence limit", "Interval"),
    OpenDataColumn("england_value", "Indicator", "England", "Comparators"),
    OpenDataColumn("region_value", "Indicator", "Region", "Comparators"),
    OpenDataColumn("sn_average", "Indicator", "Statistical neighbours average", "Comparators"),
    OpenDataColumn("rank", "Indicator", "Rank among local authorities", "Rank", True),
    OpenDataColumn("rank_of", "Indicator", "Local authorities ranked", "Rank", True),
)


def write_exports(
    warehouse: Path,
    out_dir: Path,
    board: Board | None = None,
    edition: Edition = PUBLIC,
    period_end: date | None = None,
    *,
    connection: duckdb.DuckDBPyConnection | None = None,
    published_digest: bytes | None = None,
) -> list[Path]:
    """Write into `out_dir`, with a README, either `edition`'s open-data CSV and metadata for a
    board (every published figure and the board's own, none of another board's; titles naming
    the local targets of its areas in force at `period_end`, the edition's quarter end, default
    the latest) or, without a board, the analyst copies of the curated relations; return the
    paths written. The warehouse is read through `connection` where given (`read_only`), and
    `published_digest` is `open_data_lines`' where the caller has taken it."""
    out_dir.mkdir(parents=True, exist_ok=True)
    with read_only(warehouse, connection) as connection:
        example_end = period_end or latest_period_end(connection)
        targets = None
        if board is not None:
            day = period_end or date.max
            targets = quoted_targets(
                {
                    board_area(connection, area).name: board.local_targets_on(area, day)
                    for area in board.areas_on(day)
                }
            )
        catalogue = catalogue_frame(connection, targets)
        hints = column_comments(connection, "curated.indicator_values")
        if board is None:
            written = _write_analyst_copies(connection, out_dir)
        else:
            open_data = open_data_lines(
                connection, board, catalogue, edition, cache_folder(warehouse), published_digest
            )
    meta = open_data_meta(catalogue, hints)
    if board is not None:
        written = [out_dir / OPEN_DATA, out_dir / OPEN_DATA_META]
        _write_csv(open_data, written[0])
        meta_written = marked(meta, edition)
        _write_csv([csv_line(meta_written.columns), *csv_lines(meta_written)], written[1])
    readme_path = out_dir / README
    publisher = board.short_name if board else "LSCB"
    readme = exports_readme(written, meta, catalogue, publisher, quarter_of(example_end))
    if edition.marking:
        readme = (
            f"**{edition.marking}**\n\nThe {edition.name} edition, for the board and its "
            "members: every figure exact, with no disclosure control. The publication rules "
            "below are those of the public edition, the only one to publish.\n\n"
            f"{readme}\n**{edition.marking}**\n"
        )
    readme_path.write_text(readme, encoding="utf-8")
    return [*written, readme_path]


def quoted_targets(by_area: Mapping[str, Mapping[str, int]]) -> dict[str, str]:
    """Each local target as the titles of a file covering the areas of `by_area` (each area's
    targets, by area name) quote it: the one value all the areas have ('40'), else each value
    with the areas it holds in, '40 (Southend-on-Sea) or 45 (Thurrock)'."""
    quoted = {}
    for name in dict.fromkeys(name for targets in by_area.values() for name in targets):
        areas_of: dict[int, list[str]] = {}
        for area, targets in by_area.items():
            areas_of.setdefault(targets[name], []).append(area)
        quoted[name] = (
            str(next(iter(areas_of)))
            if len(areas_of) == 1
            else " or ".join(f"{value} ({', '.join(areas)})" for value, areas in areas_of.items())
        )
    return quoted


def marked(frame: pd.DataFrame, edition: Edition) -> pd.DataFrame:
    """`frame` with the edition's protective marking as its first column, on every row; the
    frame as it is for an edition without one."""
    if not edition.marking:
        return frame
    return frame.assign(**{MARKING_COLUMN: edition.marking})[[MARKING_COLUMN, *frame.columns]]


def column_comments(connection: duckdb.DuckDBPyConnection, relation: str) -> dict[str, str]:
    """Column name -> description of `relation`, as the warehouse holds it from warehouse.yaml."""
    schema, table = relation.split(".", 1)
    return dict(
        connection.execute(
            "SELECT column_name, coalesce(comment, '') FROM duckdb_columns() "
            "WHERE schema_name = ? AND table_name = ?",
            [schema, table],
        ).fetchall()
    )


def ees_time(period_end: date, source_type: str, time_period: str) -> tuple[str, str]:
    """EES time_period and time_identifier of a value ending `period_end` and labelled
    `time_period`: a partner return quarter (its window ending with the quarter, labelled
    '2014-15 Q2') -> (201415, Financial year Q2); any other year to 31 March (a published year,
    a board's annual record '2013-14', years pooled to it) -> (201314, Financial year);
    published calendar years (pooled) ending 31 December 2016 -> (2016, Calendar year); an
    ONS mid-year estimate at 30 June 2012 -> (2012, Calendar year), the year it is taken in."""
    if source_type == PARTNER_RETURN and _QUARTER_LABEL.search(time_period):
        quarter = quarter_of(period_end)
        return _financial_year(quarter.year_start), f"Financial year Q{quarter.number}"
    if (period_end.month, period_end.day) == (3, 31):
        return _financial_year(period_end.year - 1), "Financial year"
    if (period_end.month, period_end.day) in ((12, 31), (6, 30)):
        return str(period_end.year), "Calendar year"
    raise ValueError(f"a period ending {period_end} ({time_period}) has no EES time_period")


def open_data_lines(
    connection: duckdb.DuckDBPyConnection,
    board: Board,
    catalogue: pd.DataFrame,
    edition: Edition,
    cache: Path,
    published_digest: bytes | None = None,
) -> list[str]:
    """The lines of `board`'s `edition` of the open-data file as CSV text, header first: every
    published figure (written once per edition and version of the published figures, kept in
    `cache`) and the board's own, merged in SORT_KEYS order. `published_digest`, that version
    (`figure_rows_digest` of PUBLISHED_ROWS), is taken here unless the caller has taken it."""
    if published_digest is None:
        published_digest = figure_rows_digest(connection, PUBLISHED_ROWS)
    key = fingerprint(
        published_digest,
        frame_digest(catalogue.drop(columns="title")),  # a board's targets change only titles
        repr(edition).encode(),
        code_digest(OPEN_DATA_CODE),
    )
    (published,), _ = cached_frames(
        cache,
        f"open-data-{edition.name}",
        key,
        ("lines",),
        lambda: (
            ordered_lines(open_data_cells(connection, PUBLISHED_ROWS, catalogue, edition), edition),
        ),
    )
    areas = ", ".join(f"'{code}'" for code in board.areas)
    own_cells = open_data_cells(
        connection,
        f"v.source_type = '{PARTNER_RETURN}' AND v.area_code IN ({areas})",
        catalogue,
        edition,
    )
    own = ordered_lines(own_cells, edition)
    orders = published["order"].tolist()
    # After the published rows it ties with, as a stable sort of the two together would put it.
    at = [bisect.bisect_right(orders, order) for order in own["order"]]
    body = np.insert(published["line"].to_numpy(object), at, own["line"].to_numpy(object))
    header = marked(own_cells.drop(columns=SORT_KEYS).head(0), edition).columns
    return [csv_line(header), *body]


def open_data_cells(
    connection: duckdb.DuckDBPyConnection, where: str, catalogue: pd.DataFrame, edition: Edition
) -> pd.DataFrame:
    """The figures `where` selects (a condition of `figure_rows`) as `edition` publishes them,
    in the EES tidy layout, unordered, with their SORT_KEYS."""
    rows = figure_rows(connection, where)
    return open_data_frame(published_figures(rows, catalogue, edition), catalogue)


def ordered_lines(cells: pd.DataFrame, edition: Edition) -> pd.DataFrame:
    """Open-data rows (with their SORT_KEYS) as the edition writes them, one CSV line each
    (`line`, inert and marked), with the text (`order`) whose order is theirs, sorted by it."""
    frame = pd.DataFrame(
        {
            "order": [order_key(keys) for keys in zip(*(cells[k] for k in SORT_KEYS), strict=True)],
            "line": csv_lines(marked(cells.drop(columns=SORT_KEYS), edition)),
        },
        columns=["order", "line"],
    )
    return frame.sort_values("order", kind="stable").reset_index(drop=True)


def order_key(keys: Sequence[object]) -> str:
    """Text that sorts as the tuple `keys` does with missing values first (as pandas sorts
    with na_position='first'): each key marked missing or present, whole numbers zero-padded,
    joined by a separator below every character a key holds."""
    parts = []
    for key in keys:
        if _missing(key):
            parts.append("\x01")
        elif isinstance(key, str):
            parts.append("\x02" + key)
        elif float(key).is_integer() and 0 <= key < 10**ORDER_DIGITS:
            parts.append(f"\x02{int(key):0{ORDER_DIGITS}d}")
        else:
            raise ValueError(f"a sort key must be text or a whole number from 0, not {key!r}")
    return "\x00".join(parts)


#: Digits a whole-number sort key (a level, an indicator's place in the catalogue) is padded to.
ORDER_DIGITS = 9


def csv_lines(frame: pd.DataFrame) -> list[str]:
    """`frame`'s rows as CSV lines (`csv_line`), their text inert in a spreadsheet."""
    # Tens of thousands of cells: missing ones found a column at a time, and one writer for all.
    columns = [_present_cells(inert_column(frame[column])) for column in frame.columns]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    lines = []
    for row in zip(*columns, strict=True):
        writer.writerow(row)
        lines.append(buffer.getvalue())
        buffer.seek(0)
        buffer.truncate()
    return lines


def _present_cells(values: pd.Series) -> list[object]:
    """The cells of `values` as `csv_line` writes them: a missing one (`_missing`) empty."""
    return [
        "" if missing else value
        for value, missing in zip(values.astype(object), values.isna().to_numpy(), strict=True)
    ]


def csv_line(cells: Iterable[object]) -> str:
    """One CSV line of `cells` as pandas' to_csv writes text ('\\n' ending, quoted where needed),
    a missing cell empty."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow("" if _missing(c) else c for c in cells)
    return buffer.getvalue()


def _missing(value: object) -> bool:
    """True for None and pandas' missing values (NaN, NA, NaT); never for text."""
    return value is None or (not isinstance(value, str) and bool(pd.isna(value)))


def open_data_frame(published: pd.DataFrame, catalogue: pd.DataFrame) -> pd.DataFrame:
    """Published figures (from published_figures) in the EES tidy layout, every cell as text,
    in their order, with the SORT_KEYS that put them in the file's order (`in_order`)."""
    times = [
        ees_time(end, source, label)
        for end, source, label in zip(
            published["period_end"], published["source_type"], published["time_period"], strict=True
        )
    ]
    level = published["geographic_level"]
    local, regional = level.eq(LOCAL_AUTHORITY), level.ne(NATIONAL)
    decimals = published["indicator_id"].map(catalogue["decimals"]).astype(int)
    frame = pd.DataFrame(
        {
            "time_period": [period for period, _ in times],
            "time_identifier": [identifier for _, identifier in times],
            "geographic_level": level,
            "country_code": ENGLAND[0],
            "country_name": ENGLAND[1],
            # A Regional row is its own region (Inner and Outer London are regions of London).
            "region_code": published["region_code"]
            .where(local, published["area_code"])
            .where(regional, ""),
            "region_name": published["region_name"]
            .where(local, published["area_name"])
            .where(regional, ""),
            "new_la_code": published["area_code"].where(local, ""),
            "la_name": published["area_name"].where(local, ""),
            "old_la_code": published["old_la_code"].where(local, "").fillna(""),
            THEME_COLUMN: published["indicator_id"].map(catalogue["theme"]),
            **{column.name: published[column.name] for column in FILTERS},
            **{
                column.name: _cell_texts(
                    published[column.name], decimals * 0 if column.whole_numbers else decimals
                )
                for column in INDICATORS
            },
            "_period_end": _iso_dates(published["period_end"]),
            "_period_start": _iso_dates(published["period_start"]),
            "_level": level.map(LEVEL_ORDER),
            "_region_code": _texts(published["region_code"]),
            "_area_code": published["area_code"],
            "_indicator": published["indicator_id"].map(
                {indicator: n for n, indicator in enumerate(catalogue.index)}
            ),
            "_breakdown": published["breakdown"],
            "_source_type": published["source_type"],
        }
    )
    return frame.reset_index(drop=True)


def open_data_meta(catalogue: pd.DataFrame, hints: dict[str, str]) -> pd.DataFrame:
    """The EES metadata file: one row per filter and indicator column; hints are the column
    descriptions, units and decimal places come from the catalogue where all indicators agree."""
    shared_dp = _shared(str(d) for d in catalogue["decimals"])
    shared_unit = _shared(catalogue["unit"])
    rows = [
        {
            "col_name": column.name,
            "col_type": column.col_type,
            "label": column.label,
            "filter_hint": hints.get(column.name, column.hint),
            "filter_grouping_column": THEME_COLUMN if column.name == "indicator_id" else "",
        }
        for column in FILTERS
    ] + [
        {
            "col_name": column.name,
            "col_type": column.col_type,
            "label": column.label,
            "indicator_grouping": column.grouping,
            "indicator_unit": "" if column.whole_numbers else shared_unit,
            "indicator_dp": "0" if column.whole_numbers else shared_dp,
        }
        for column in INDICATORS
    ]
    return pd.DataFrame(rows, columns=META_COLUMNS).fillna("")


def latest_period_end(connection: duckdb.DuckDBPyConnection) -> date:
    """The last quarter end the board's own figures reach in the warehouse, else the last
    period end of any figure."""
    [(own, any_figure)] = connection.execute(
        "SELECT max(period_end) FILTER (WHERE source_type = 'partner_return'), max(period_end) "
        "FROM curated.indicator_values"
    ).fetchall()
    return own or any_figure


def exports_readme(
    paths: Sequence[Path],
    meta: pd.DataFrame,
    catalogue: pd.DataFrame,
    publisher: str,
    quarter: Quarter,
) -> str:
    """README.md for the export folder: every file, the columns, indicators and symbols;
    `publisher` (the board's short name) heads it, and its examples of periods are `quarter`'s
    (the edition's)."""
    year = quarter.year_start
    files = "\n".join(f"| `{path.name}` | {_file_purpose(path.name)} |" for path in paths)
    symbols = "\n".join(f"| `{symbol}` | {note} |" for symbol, note in SYMBOL_NOTES.items())
    columns = "\n".join(
        f"| `{row.col_name}` | {row.col_type} | {row.label} | {row.filter_hint} |"
        for row in meta.itertuples()
    )
    indicators = "\n".join(
        f"| `{ident}` | {row.title} | {row.theme} | {row.unit} | {row.decimals} | {row.polarity} |"
        for ident, row in catalogue.iterrows()
    )
    return f"""# {markdown_safe(publisher)} indicators: exported files

Written from the warehouse by `lscb_metrics.publish.write_exports`. The same warehouse always
gives the same bytes.

| file | what it is |
|---|---|
{files}
| `{README}` | This file. |

## Publication rules (the open-data file only)

- Every figure is rounded to the indicator's decimal places (below), halves away from zero.
  Rates and percentages are calculated from unrounded counts.
- Local-authority counts of 1 to 5 are shown as `c`, with any figure that would let one be
  worked out (another count in the same breakdown, or a numerator beside its denominator).
- Counts that are parts of one total (the categories of child protection plans; neonatal
  within infant within child deaths) are withheld together, so that no count of 1 to 5 can be
  worked out by taking the others from the total.
- A rate or percentage calculated from such a count is `c`, and so are its confidence limits and
  rank. A percentage is also `c` when its denominator minus its numerator is 1 to 5.
- A count withheld in one row is withheld in every row that shows the same count (children on
  a plan for two years or more, as a count and as its percentage's numerator).
- A figure pooled over 2 or 3 years is `c`, with its count and limits, where one of its years'
  counts is 1 to 5: the pooled count less the other years' would give it.
- National and regional counts are rounded to the nearest 10.
- A figure that is missing is `x`; where there is no figure to give (a count has no confidence
  interval, comparators or rank; England has no region) it is `z`. So a comparator column
  (`comparator_period`, `england_value`, `region_value`, `sn_average`, `rank`, `rank_of`) is
  `z` where the indicator has no comparator of that kind, and `x` where it has one but none is
  published for the year.
- A published figure its publisher withheld keeps the publisher's symbol: `c` (suppressed),
  `u` (low reliability), `z` (not applicable) or `low`; one it did not give is `x`.

## Symbols

| symbol | meaning |
|---|---|
{symbols}

## Open-data file columns

`time_period` and `time_identifier` follow EES: `{_financial_year(year)}` with `Financial year` is \
{year_label(year)} (April to March); `{_financial_year(year)}` with \
`Financial year Q{quarter.number}` is the board's figure at the end of {quarter.label}, on \
{quarter.end:%-d %B %Y} (flows summed over the catalogued window ending then, snapshots as at \
that day); `{year - 1}` with `Calendar year` is a pooled period of calendar years ending \
{year - 1} (see the indicator title). The EES screener accepts only one kind of time identifier \
per file, so for an EES upload split the file on `time_identifier`. Geography:
`geographic_level` (National, Regional, Local authority), `country_code`, `country_name`,
`region_code`, `region_name`, `new_la_code` (ONS), `la_name`, `old_la_code` (DfE number).
`{THEME_COLUMN}` groups the indicators by annual-report theme. `comparator_period` names the
published year the England, region, neighbour and rank figures are from: the board's figure for
a quarter is compared with the latest year published by then, such as `2024-25` for 2026-27 Q2.

| column | type | label | filter hint |
|---|---|---|---|
{columns}

## Indicators

The value's unit and decimal places depend on the indicator (`schemas/indicators.yaml`).

| indicator_id | title | theme | unit | decimals | polarity |
|---|---|---|---|---|---|
{indicators}
"""


def _write_analyst_copies(connection: duckdb.DuckDBPyConnection, out_dir: Path) -> list[Path]:
    """The curated relations as Parquet and CSV, rows in a fixed order."""
    # One thread: the row order and the Parquet row groups do not then depend on scheduling.
    connection.execute("SET threads = 1")
    paths = []
    for relation in ANALYST_RELATIONS:
        columns = _inert_columns(connection, relation)
        # Made inert and sorted once, then copied out in each format from Arrow, whose columns
        # are all nullable: the Parquet schema is the same whatever a run's rows hold.
        inert = connection.sql(
            f"SELECT {columns} FROM {relation} ORDER BY {ANALYST_ORDER}"
        ).to_arrow_table()
        connection.register("analyst_copy", inert)
        for file_format in ANALYST_FORMATS:
            path = out_dir / f"{relation.replace('.', '_')}.{file_format}"
            options = "FORMAT csv, HEADER" if file_format == "csv" else "FORMAT parquet"
            target = str(path).replace("'", "''")
            connection.execute(f"COPY (SELECT * FROM analyst_copy) TO '{target}' ({options})")
            paths.append(path)
    connection.unregister("analyst_copy")
    return paths


def _file_purpose(name: str) -> str:
    """One line on what the exported file `name` is for."""
    if name == OPEN_DATA:
        return (
            "Every indicator for every local authority, region and England, and the board's own "
            "figures from partner returns, in the EES tidy layout. Rounded and "
            "disclosure-controlled: for publication."
        )
    if name == OPEN_DATA_META:
        return f"EES metadata for `{OPEN_DATA}`: its filters and indicators."
    relation = name.rsplit(".", 1)[0].replace("_", ".", 1)
    return (
        f"The warehouse relation `{relation}` as it is: unrounded and NOT disclosure-controlled, "
        "for analysts inside the board; never publish it. Columns are described in "
        "`schemas/warehouse.yaml` and the data dictionary."
    )


def _financial_year(year_start: int) -> str:
    """EES six-digit financial year: 2013 -> '201314'."""
    return f"{year_start}{(year_start + 1) % 100:02d}"


def _shared(values: Iterable[str]) -> str:
    """The one value all of `values` share, or '' when they differ."""
    distinct = set(values)
    return distinct.pop() if len(distinct) == 1 else ""


def _cell_texts(values: pd.Series, decimals: pd.Series) -> list[str]:
    """Published cells as text: numbers at fixed decimal places, symbols as they are."""
    return [
        value if isinstance(value, str) else f"{value:.{places}f}"
        for value, places in zip(values, decimals, strict=True)
    ]


def _iso_dates(dates: pd.Series) -> list[str | None]:
    """Dates as ISO text, which sorts as they do (and keeps as parquet); missing as None."""
    return [value.isoformat() if isinstance(value, date) else None for value in dates]


def _texts(values: pd.Series) -> list[str | None]:
    """Text values, missing ones as None."""
    return [value if isinstance(value, str) else None for value in values]


def _write_csv(lines: Sequence[str], path: Path) -> None:
    """CSV `lines` (header first) as UTF-8 with Unix line ends: the same bytes on every
    platform."""
    path.write_bytes("".join(lines).encode("utf-8"))


def _inert_columns(connection: duckdb.DuckDBPyConnection, relation: str) -> str:
    """A select list of `relation` in which text cells are inert as `formula_safe` makes them
    (a partner's file named '=HYPERLINK(...)' reaches the `source` column)."""
    described = connection.execute(f"DESCRIBE {relation}").fetchall()
    quoted = ['"' + name.replace('"', '""') + '"' for name, *_ in described]
    return ", ".join(
        f"CASE WHEN regexp_matches({q}, '{SQL_FORMULA_START}') "
        f"AND NOT regexp_full_match({q}, '{SQL_PLAIN_NUMBER}') "
        f"THEN '''' || {q} ELSE {q} END AS {q}"
        if column_type == "VARCHAR"
        else q
        for q, (_, column_type, *_) in zip(quoted, described, strict=True)
    )
