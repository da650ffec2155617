"""The curated figures as read for publication, and as published after disclosure control.

Everything here reads the warehouse through a read-only connection, so publishing never needs
the writer's lock and can never change the warehouse. The rules applied before a figure leaves
it are those of DfE children's social care statistics and the GSS symbols guidance, through
`lscb_metrics.stats.disclosure`: local counts of 1 to 5 become `c` (with the cells that would
reveal them), a rate or percentage derived from such a count becomes `c`, National and Regional
counts are rounded to the nearest 10, figures are rounded to the catalogue's decimals with
halves away from zero, and a figure that is missing is `x` or, where there is none to give, `z`.
Only counts of children are disclosure-controlled (the catalogue's `subject`): counts of staff,
organisations and money are published as they are. The internal edition (`INTERNAL`) is
rounded to the same decimals but controls nothing, for the board and its members only.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb
import numpy as np
import numpy.typing as npt
import pandas as pd

from lscb_metrics.catalogue import CHILDREN, POPULATION_MEASURE, filled_title
from lscb_metrics.editions import PUBLIC, Edition
from lscb_metrics.measures import BOARD_RECORDS, PARTNER_RETURNS
from lscb_metrics.periods import Quarter, financial_year_of, quarter_of
from lscb_metrics.reference import dfe_cin, dfe_cla, fingertips, lait, ons_ages
from lscb_metrics.reference.areas import spoken_name
from lscb_metrics.sql import sql_texts
from lscb_metrics.stats.disclosure import (
    NOT_APPLICABLE,
    NOT_AVAILABLE,
    SMALL_COUNT_MAX,
    SUPPRESSED,
    publication_values,
    round_national_count,
    suppress_derived,
    suppress_small_counts,
)
from lscb_metrics.warehouse_file import connect

LOCAL_AUTHORITY = "Local authority"
NATIONAL = "National"
PARTNER_RETURN = "partner_return"
#: Rows with these in common are the breakdown of one figure (e.g. training by agency).
SERIES = ["indicator_id", "area_code", "period_start", "period_end", "source_type"]
#: Rows with these in common are one series' periods (an area's, under any of its codes).
SERIES_ACROSS_PERIODS = ["indicator_id", "source_type", "breakdown"]
#: `report_year` of the rows quoted for a period: its figure, and the one it is compared with.
YEAR, BEFORE = "year", "before"
#: Columns of `figure_rows` that `published_figures` turns into numbers or symbols.
FIGURES = [
    "numerator",
    "denominator",
    "value",
    "lower_ci95",
    "upper_ci95",
    "england_value",
    "region_value",
    "sn_average",
    "rank",
    "rank_of",
    "vs_england",
    "vs_region",
    "comparator_period",
]

_FIGURE_ROWS_SQL = """
WITH catalogue AS (
    SELECT indicator_id, numerator, window_months FROM curated.indicator_catalogue
),
-- A pooled figure (a window of whole years beyond 12 months) less the 12-month counts of the
-- same measures for all but one of its years gives that year's: the smallest non-zero of them.
pooled_years AS (
    SELECT p.indicator_id, p.area_code, p.breakdown, p.period_end, p.source_type,
           min(y.numerator) FILTER (WHERE y.numerator > 0) AS smallest_year_count
    FROM curated.indicator_values AS p
    JOIN catalogue AS pooled ON pooled.indicator_id = p.indicator_id
    JOIN catalogue AS yearly
        ON yearly.numerator = pooled.numerator AND yearly.window_months = 12
    JOIN curated.indicator_values AS y
        ON y.indicator_id = yearly.indicator_id AND y.area_code = p.area_code
        AND y.breakdown = p.breakdown AND y.source_type = p.source_type
    WHERE pooled.window_months > 12 AND pooled.window_months % 12 = 0
      AND date_diff('month', y.period_end, p.period_end) % 12 = 0
      AND date_diff('month', y.period_end, p.period_end) BETWEEN 0 AND pooled.window_months - 1
    GROUP BY ALL
)
SELECT v.indicator_id, v.area_code, v.area_name, v.geographic_level, v.region_code,
       a.region_name, a.old_la_code, v.breakdown, v.breakdown_name, v.period_start,
       v.period_end, v.time_period, v.source_type, v.numerator, v.denominator, v.value,
       v.value_symbol, v.value_note, v.lower_ci95, v.upper_ci95, c.comparator_period_end,
       c.comparator_period, c.england_value,
       c.region_value, c.sn_average, c.sn_model, c.rank, c.rank_of, c.vs_england, c.vs_region,
       c.trend, c.comparator_note, py.smallest_year_count
FROM curated.indicator_values AS v
LEFT JOIN curated.comparisons AS c
    USING (indicator_id, area_code, breakdown, period_start, period_end, time_period, source_type)
LEFT JOIN reference.areas AS a ON a.area_code = v.area_code
LEFT JOIN pooled_years AS py
    USING (indicator_id, area_code, breakdown, period_end, source_type)
"""


def comparator_year(row: pd.Series | Mapping[str, object]) -> str | None:
    """The period of the published figures a row's England, region and neighbour figures are
    from, as they are labelled (`comparator_period`: '2024-25', or '2020-22' for LAIT's pooled
    calendar years); the financial year of `comparator_period_end` where no published figure
    labels it (a comparator the board quoted); None where it has no comparators."""
    label = row.get("comparator_period")
    if isinstance(label, str) and label not in (NOT_AVAILABLE, NOT_APPLICABLE):
        return label
    compared = row.get("comparator_period_end")
    return None if compared is None or pd.isna(compared) else financial_year_of(compared)


def compared_years(rows: pd.DataFrame) -> set[str]:
    """The periods ('2024-25', '2020-22') of the published figures that `rows` are compared
    with (`comparator_year`): those of the rows with an England, region or neighbours figure,
    unrounded or as published (an ONS estimate is dated as its own comparators are, but is
    compared with nothing)."""
    figures = rows[["england_value", "region_value", "sn_average"]]
    compared = figures.apply(pd.to_numeric, errors="coerce").notna().any(axis=1)
    return {year for _, row in rows[compared].iterrows() if (year := comparator_year(row))}


def shifted(day: date, years: int) -> date:
    """The same day `years` years later (earlier when negative); 28 February for 29 February."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def behind_published(rows: pd.DataFrame, end: date) -> pd.Series:
    """True for the rows of `rows` (one area's figures) that end on or before `end` and belong
    to a published series with no figure ending on `end`, of an indicator with no figure of the
    board's own at `end` either: the series quoted at their latest published rather than left
    out (looked-after children at 2014-15 Q2, or in a 2025-26 chapter before DfE's 2025-26
    release). A figure dated after `end` is never among them."""
    at_end = rows["period_end"].eq(end)
    own = rows.loc[rows["source_type"].eq(PARTNER_RETURN) & at_end, "indicator_id"]
    ended = at_end.groupby([rows[c] for c in SERIES_ACROSS_PERIODS]).transform("any").astype(bool)
    return (
        ~ended
        & ~rows["indicator_id"].isin(own)
        & rows["source_type"].ne(PARTNER_RETURN)
        & rows["period_end"].le(end)
    )


def latest_and_before(
    rows: pd.DataFrame, change_years: Mapping[str, int] | None = None
) -> pd.DataFrame:
    """Each series' latest row of `rows` with `report_year` YEAR, and its row `change_years` of
    its indicator (default 1) before that, the figure its change is taken on, with BEFORE."""
    picked = [rows.head(0).assign(report_year=YEAR)]
    for _, found in rows.sort_values("period_end").groupby(SERIES_ACROSS_PERIODS, sort=False):
        latest = found.tail(1)
        years = (change_years or {}).get(latest["indicator_id"].iloc[0], 1)
        earlier = found["period_end"].eq(shifted(latest["period_end"].iloc[0], -years))
        picked += [latest.assign(report_year=YEAR), found[earlier].assign(report_year=BEFORE)]
    return pd.concat(picked)


def quoted_comparator_note(comparator_note: object, value_note: object) -> str | None:
    """The part of a row's comparator note about comparators the board quoted: the note less the
    value's own note (why it has no value, or the estimate it stands on), which
    `curated.comparisons` carries first; None where nothing is left."""
    if not isinstance(comparator_note, str):
        return None
    if isinstance(value_note, str) and comparator_note.startswith(value_note):
        return comparator_note[len(value_note) :].lstrip("; ") or None
    return comparator_note


@dataclass(frozen=True)
class BoardArea:
    """The local authority whose board the partner returns are for, and its region."""

    code: str
    name: str
    region_code: str
    region_name: str


@contextmanager
def read_only(
    warehouse: Path, opened: duckdb.DuckDBPyConnection | None = None
) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-only connection to the warehouse, closed afterwards; `opened` instead where
    given, a read-only connection to it the caller keeps and closes (one for all the files of
    an edition: opening the warehouse costs more than most of their queries)."""
    if opened is not None:
        yield opened
        return
    if not warehouse.is_file():
        raise FileNotFoundError(f"no warehouse at {warehouse}; run the pipeline first")
    connection = connect(warehouse, read_only=True)
    try:
        yield connection
    finally:
        connection.close()


def catalogue_frame(
    connection: duckdb.DuckDBPyConnection, local_targets: Mapping[str, object] | None = None
) -> pd.DataFrame:
    """curated.indicator_catalogue indexed by indicator id, in catalogue order; with an area's
    `local_targets` (or a partnership's, as `exports.quoted_targets` words them), titles name
    them ("within the local target of 40 working days"); without, they say each board sets its
    own (`catalogue.filled_title`)."""
    frame = connection.sql(
        "SELECT * EXCLUDE (row) FROM (SELECT *, rowid AS row FROM curated.indicator_catalogue) "
        "ORDER BY row"
    ).df()
    frame["title"] = [filled_title(title, local_targets) for title in frame["title"]]
    return frame.set_index("indicator_id")


#: How tables name the source of the board's own records (`source_name`).
BOARD_RECORDS_SOURCE = "The board's records"


def source_name(source_type: str, collected_from: object) -> str:
    """The Source a table gives a figure of `source_type`: a board's own figure by where its
    indicator's figures are collected (curated.indicator_catalogue.collected_from), so the
    board's finance and attendance are not called partner returns."""
    if source_type != PARTNER_RETURN:
        return "Published statistics"
    return BOARD_RECORDS_SOURCE if collected_from == BOARD_RECORDS else "Partner returns"


def board_area(connection: duckdb.DuckDBPyConnection, area_code: str) -> BoardArea:
    """A board's area `area_code` (ONS) with its name as people say it (`spoken_name`) and its
    region, from reference.areas."""
    rows = connection.execute(
        "SELECT area_code, area_name, region_code, region_name FROM reference.areas "
        "WHERE area_code = ?",
        [area_code],
    ).fetchall()
    if not rows:
        raise ValueError(f"{area_code} is not an area in the warehouse's reference.areas")
    code, name, region_code, region_name = rows[0]
    return BoardArea(code, spoken_name(name), region_code, region_name)


def authority_codes(connection: duckdb.DuckDBPyConnection, area_code: str) -> list[str]:
    """Every ONS code the authority of `area_code` has had, oldest first: the codes of its DfE
    number in reference.areas (North Yorkshire, 815, was E10000023 until March 2023 and
    E06000065 since). A split or merger made new numbers, so Cumberland's are not Cumbria's."""
    rows = connection.execute(
        "SELECT area_code FROM reference.areas WHERE area_code = ? OR old_la_code = "
        "(SELECT old_la_code FROM reference.areas WHERE area_code = ?) "
        "ORDER BY first_reporting_year, area_code",
        [area_code, area_code],
    ).fetchall()
    return [code for (code,) in rows] or [area_code]


def series_where(codes: Sequence[str], covered: Iterable[str]) -> str:
    """A `figure_rows` condition selecting one authority's series across its ONS codes
    (`authority_codes`): the published figures under every one of `codes`, a board's own
    figures under those of them it covers (`covered`, the board's areas)."""
    own = set(covered)
    return (
        f"(v.area_code IN ({sql_texts(codes)}) AND (v.source_type = 'published' "
        f"OR v.area_code IN ({sql_texts(code for code in codes if code in own)})))"
    )


def first_return_quarter(
    connection: duckdb.DuckDBPyConnection, area_codes: Sequence[str], period_end: date
) -> Quarter | None:
    """The first quarter the partner returns of the areas `area_codes` (one authority's codes a
    board covers) give figures for, up to `period_end`; None where they give none."""
    [(first,)] = connection.execute(
        "SELECT min(period_end) FROM staged.partner_facts "
        f"WHERE area_code IN ({sql_texts(area_codes)}) AND period_end <= ?",
        [period_end],
    ).fetchall()
    return None if first is None else quarter_of(first)


def awaits_first_year(indicators: pd.DataFrame) -> bool:
    """True when each of `indicators` (catalogue rows, one theme's) from partner returns is
    summed over more than a quarter, and some are: a board in its first quarters
    (`first_figures_note`) has none of their figures yet, where it would have a snapshot's, or
    its own records'."""
    partner = indicators[indicators["collected_from"].eq(PARTNER_RETURNS)]
    return not partner.empty and bool(
        (partner["measure_type"].eq("flow") & partner["window_months"].gt(3)).all()
    )


def edition_run(connection: duckdb.DuckDBPyConnection, board: str, period: str) -> str | None:
    """The id of the run whose figures the board's edition for `period` (a quarter's label)
    shows: the latest that committed them (audit.board_runs); None before any."""
    try:
        rows = connection.execute(
            "SELECT run_id FROM audit.board_runs WHERE board = ? AND period = ? "
            "ORDER BY started_at DESC LIMIT 1",
            [board, period],
        ).fetchall()
    except duckdb.CatalogException:  # a warehouse from before boards had runs of their own
        return None
    return str(rows[0][0]) if rows else None


def published_sources(connection: duckdb.DuckDBPyConnection) -> dict[str, list[str]]:
    """Indicator id -> the publications its published values were read from."""
    rows = connection.sql(
        "SELECT DISTINCT indicator_id, source FROM curated.indicator_values "
        "WHERE source_type = 'published' ORDER BY indicator_id, source"
    ).fetchall()
    sources: dict[str, list[str]] = {}
    for indicator_id, source in rows:
        sources.setdefault(indicator_id, []).append(source)
    return sources


#: The publications the shipped reference data come from, each named as its loader names it.
PUBLICATIONS = tuple(
    module.PUBLICATION for module in (dfe_cin, dfe_cla, fingertips, lait, ons_ages)
)


def publication(source: str) -> str:
    """The publication a published figure's `source` (a table or file of it) is from, by name:
    'DfE Characteristics of children in need, table C1 (2013 to 2025)' -> 'DfE Characteristics
    of children in need'; a source of none of PUBLICATIONS as it is."""
    return next((name for name in PUBLICATIONS if source.startswith(name)), source)


def figure_publications(
    connection: duckdb.DuckDBPyConnection, figures: Iterable[tuple[str, date]]
) -> list[str]:
    """The publications (`publication`) of the published figures of every area for each
    (indicator id, period end) of `figures`, each once, in alphabetical order."""
    pairs = sorted(set(figures))
    if not pairs:
        return []
    values = ", ".join(["(?, CAST(? AS DATE))"] * len(pairs))
    rows = connection.execute(
        "SELECT DISTINCT source FROM curated.indicator_values WHERE source_type = 'published' "
        f"AND (indicator_id, period_end) IN (SELECT * FROM (VALUES {values}))",
        [item for pair in pairs for item in pair],
    ).fetchall()
    return sorted({publication(source) for (source,) in rows})


def figure_rows(connection: duckdb.DuckDBPyConnection, where: str = "TRUE") -> pd.DataFrame:
    """Indicator values beside their comparisons and area geography, unrounded; `where` is a
    SQL condition on the value columns (alias v), e.g. "v.area_code = 'E06000033'"."""
    frame = connection.sql(f"{_FIGURE_ROWS_SQL} WHERE {where}").df()
    for column in ("period_start", "period_end", "comparator_period_end"):
        frame[column] = pd.to_datetime(frame[column]).dt.date
    return frame


def figure_rows_digest(connection: duckdb.DuckDBPyConnection, where: str = "TRUE") -> bytes:
    """A digest of the rows `figure_rows(connection, where)` gives, whatever their order: their
    count and the sum of DuckDB's hash of each whole row (NULLs and their places included)."""
    count, total = connection.sql(
        f"SELECT count(*), coalesce(sum(hash(f)), 0) FROM ({_FIGURE_ROWS_SQL} WHERE {where}) AS f"
    ).fetchall()[0]
    return f"{count}:{total}".encode()


#: Why the public edition shows a figure as `c` (`published_figures`' `withheld_because`).
WITHHELD_SMALL = "a count of children from 1 to 5"
WITHHELD_POOLED = "a count from 1 to 5 in one of the years it pools"
WITHHELD_REVEALING = "with a total or the other parts of one, it would give a withheld count"
WITHHELD_SHARED = "the same count is withheld in another figure"
WITHHELD_DERIVED = "its count, its denominator or the rest of its total is from 1 to 5"


def published_figures(
    rows: pd.DataFrame, catalogue: pd.DataFrame, edition: Edition = PUBLIC
) -> pd.DataFrame:
    """`rows` (from figure_rows) with every column in FIGURES as `edition` publishes it: a
    number rounded to its decimals (int where that is 0) or a symbol (c, x, z, low;
    vs_england, vs_region and comparator_period, the label of the published year the
    comparators are from, stay text), and `trend`, where the rows have one, is `c` wherever the
    figure is withheld; a comparator column is `z` where the row has no
    comparator of its kind (`comparators_applicable`), `x` where it has one missing for the
    year, and `c` only where it would say where a withheld value lies; the public edition
    controls the disclosure of
    children's counts, and `withheld_because` says why a figure it withholds is `c` (None for
    every other figure, and for one its publisher withheld)."""
    spec = catalogue.loc[rows["indicator_id"]].set_index(rows.index)
    is_count = spec["denominator"].isna()
    count_denominator = ~is_count & spec["denominator"].ne(POPULATION_MEASURE)
    local = rows["geographic_level"].eq(LOCAL_AUTHORITY)
    protected = spec["subject"].eq(CHILDREN) & edition.disclosure_controlled
    numerator, denominator = _published_counts(rows, count_denominator, local, protected)
    secondary = numerator.eq(SUPPRESSED)
    parts = withheld_parts(rows, spec, local & protected)
    numerator = numerator.mask(parts, SUPPRESSED)
    pooled = pooled_years_withheld(rows, local & protected)
    numerator = numerator.mask(pooled, SUPPRESSED)
    hidden = _hidden_values(rows, spec, local & protected, numerator, denominator) | pooled
    # A percentage hidden for its small complement could be worked out again from its numerator
    # and denominator, so the numerator goes too.
    numerator = numerator.mask(hidden & _is_number(numerator) & _is_number(denominator), SUPPRESSED)
    shared = withheld_elsewhere(rows, spec, local & protected, numerator)
    numerator, hidden = numerator.mask(shared, SUPPRESSED), hidden | shared
    small = (
        local
        & protected
        & pd.to_numeric(rows["numerator"], errors="coerce").between(1, SMALL_COUNT_MAX)
    )
    # The first reason that holds, most direct first: what the figure itself is, then what
    # another figure would reveal.
    reasons = [
        (pooled, WITHHELD_POOLED),
        (small, WITHHELD_SMALL),
        (parts | secondary, WITHHELD_REVEALING),
        (shared, WITHHELD_SHARED),
        (hidden, WITHHELD_DERIVED),
    ]
    withheld = (numerator.eq(SUPPRESSED) | hidden) & rows["value_symbol"].isna()
    decimals = spec["decimals"].astype(int)
    whole = pd.Series(0, index=rows.index)
    published = rows.copy()
    published["numerator"] = _as_printed(_rounded(numerator, whole), rows["value_symbol"])
    published["denominator"] = _rounded(denominator, whole).mask(is_count, NOT_APPLICABLE)
    value = _rounded(rows["value"].astype(object).where(~is_count, numerator), decimals)
    published["value"] = _as_printed(value, rows["value_symbol"]).mask(hidden, SUPPRESSED)
    for bound in ("lower_ci95", "upper_ci95"):
        limit = _rounded(rows[bound], decimals).mask(hidden, SUPPRESSED)
        published[bound] = limit.mask(is_count, NOT_APPLICABLE)
    applicable = comparators_applicable(rows, spec)
    for column in ("england_value", "region_value", "sn_average"):
        published[column] = _rounded(rows[column], decimals).where(
            applicable[column], NOT_APPLICABLE
        )
    for column in ("rank", "rank_of"):
        ranks = _rounded(rows[column].astype("float64"), whole)
        ranks = ranks.mask(hidden & _is_number(ranks), SUPPRESSED)
        published[column] = ranks.where(applicable[column], NOT_APPLICABLE)
    for column, benchmark in (("vs_england", "england_value"), ("vs_region", "region_value")):
        comparison = rows[column].astype(object).where(rows[column].notna(), NOT_AVAILABLE)
        # A judgement on a withheld value would say where it lies; with no benchmark to judge
        # it against ("Not compared") it says nothing, so it stays as it is.
        judged = hidden & _is_number(published[benchmark])
        published[column] = comparison.mask(judged, SUPPRESSED).where(
            applicable[column], NOT_APPLICABLE
        )
    period = rows["comparator_period"].astype(object)
    published["comparator_period"] = period.where(period.notna(), NOT_AVAILABLE).where(
        applicable[["england_value", "region_value", "sn_average", "rank"]].any(axis=1),
        NOT_APPLICABLE,
    )
    if "trend" in rows:  # rows not read by figure_rows have no comparisons
        # A recent trend (Fingertips) on a withheld figure says which way its small count went
        # (GSS disclosure guidance, 2014: what a withheld cell is must not be inferable), so it
        # takes the figure's decision.
        published["trend"] = rows["trend"].astype(object).mask(withheld, SUPPRESSED)
    published["withheld_because"] = None
    for applies, reason in reversed(reasons):
        published.loc[withheld & applies, "withheld_because"] = reason
    return published


def comparators_applicable(rows: pd.DataFrame, spec: pd.DataFrame) -> pd.DataFrame:
    """True for each row (of figure_rows) and comparator column (FIGURES' england_value to
    vs_region) where the row has a comparator of that kind at all, from its indicator's
    catalogue `comparators` and its geography; where it has none the column is `z` (not
    applicable), where it has one missing for the year `x` (not available)."""
    comparators = spec["comparators"].fillna("")
    level = rows["geographic_level"]
    local = level.eq(LOCAL_AUTHORITY)
    england = comparators.str.contains("england")
    region = comparators.str.contains("region") & level.ne(NATIONAL)
    neighbours = comparators.str.contains("statistical_neighbours") & local
    # The rank is taken among every local authority's published figure, the field the
    # neighbours' average comes from; a count's rank only reflects the size of the area.
    ranked = neighbours & spec["denominator"].notna()
    return pd.DataFrame(
        {
            "england_value": england,
            "region_value": region,
            "sn_average": neighbours,
            "rank": ranked,
            "rank_of": ranked,
            "vs_england": england,
            "vs_region": region,
        },
        index=rows.index,
    )


def _published_counts(
    rows: pd.DataFrame, count_denominator: pd.Series, local: pd.Series, protected: pd.Series
) -> tuple[pd.Series, pd.Series]:
    """(numerators, denominators) after primary and secondary suppression of `protected` local
    counts and rounding of protected National and Regional counts to 10; counts not protected
    and population denominators are left alone."""
    counts = pd.DataFrame(
        {
            "numerator": rows["numerator"],
            "denominator": rows["denominator"].where(count_denominator),
        }
    )
    controlled = local & protected
    suppressed = suppress_small_counts(
        pd.concat([rows.loc[controlled, SERIES], counts[controlled]], axis=1),
        ["numerator", "denominator"],
        group_columns=SERIES,
    )[["numerator", "denominator"]]
    rounded = counts[~local & protected].map(round_national_count).astype(object)
    exact = counts[~protected].astype(object)
    published = pd.concat([suppressed, rounded, exact]).reindex(rows.index)
    denominator = published["denominator"].where(count_denominator, rows["denominator"])
    return published["numerator"], denominator


#: Rows with these in common are parts of one total when their indicators are (`part_of`).
PART_KEY = ["area_code", "breakdown", "period_end", "time_period", "source_type"]
_COMPLEMENT, _TOTAL, _LINE = "_complement", "_total", "_line"


def withheld_parts(rows: pd.DataFrame, spec: pd.DataFrame, controlled: pd.Series) -> pd.Series:
    """True for the counts of `controlled` rows to withhold so that no count of 1 to 5 can be
    worked out from a total and its parts (indicators declared `part_of` a count): a small
    part, the other parts covering it, and the parts beside an unpublished remainder (a total
    less its parts) of 1 to 5 (DfE secondary suppression, `suppress_small_counts`)."""
    withheld = np.zeros(len(rows), dtype=bool)
    total_of = spec["part_of"].where(controlled)
    totals_ids = total_of.dropna().unique()
    if len(totals_ids) == 0:
        return pd.Series(withheld, index=rows.index)
    # Only the parts' and totals' rows can be withheld here.
    involved = (controlled & (total_of.notna() | rows["indicator_id"].isin(totals_ids))).to_numpy()
    key = (
        rows.loc[involved, PART_KEY].groupby(PART_KEY, sort=False, dropna=False).ngroup().to_numpy()
    )
    # Columns in indicator order: a total's parts in that order break ties between equal parts.
    indicators, column = np.unique(
        rows["indicator_id"].to_numpy(dtype=object)[involved], return_inverse=True
    )
    present = np.zeros((key.max() + 1, len(indicators)), dtype=bool)
    present[key, column] = True
    if present.sum() < len(key):
        raise ValueError(f"withheld_parts needs one row per indicator and {PART_KEY}")
    counts = np.full(present.shape, np.nan)
    counts[key, column] = rows["numerator"].to_numpy(dtype="float64")[involved]
    part_of = np.empty(len(indicators), dtype=object)
    part_of[column] = total_of.to_numpy(dtype=object)[involved]
    lines = []
    for total_id in totals_ids:
        parts = np.flatnonzero(part_of == total_id)
        total = np.flatnonzero(indicators == total_id)
        if total.size:  # a total without a controlled row has nothing to subtract from
            shown = present[:, parts].any(axis=1) & ~np.isnan(counts[:, total[0]])
            lines.append((np.flatnonzero(shown), parts, total[0]))
    if not lines:
        return pd.Series(withheld, index=rows.index)
    slots = [f"part {i}" for i in range(max(len(parts) for _, parts, _ in lines))]
    # Every total's lines in one table, each line its own group: a key's total and parts.
    decided = suppress_small_counts(
        _part_lines(counts, lines, slots),
        [*slots, _COMPLEMENT],
        group_columns=[_LINE],
        total_column=_TOTAL,
    )
    suppressed = decided[[*slots, _TOTAL]].eq(SUPPRESSED).to_numpy()
    hidden = np.zeros(present.shape, dtype=bool)
    start = 0
    for keys, parts, total in lines:
        block = suppressed[start : start + len(keys)]
        hidden[np.ix_(keys, parts)] |= block[:, : len(parts)]
        hidden[keys, total] |= block[:, -1]
        start += len(keys)
    withheld[involved] = hidden[key, column]
    return pd.Series(withheld, index=rows.index)


def _part_lines(
    counts: npt.NDArray[np.float64],
    lines: Sequence[tuple[npt.NDArray[np.intp], npt.NDArray[np.intp], int]],
    slots: Sequence[str],
) -> pd.DataFrame:
    """The table `withheld_parts` suppresses: a row for each key of each total of `lines`
    ((keys, parts, total) as positions in `counts`, whose rows are keys and columns
    indicators), its parts' counts in `slots` (0 past its last part: a 0 is never withheld
    and never withholds another), `_COMPLEMENT`, `_TOTAL` and its own `_LINE` number."""
    blocks = []
    for keys, parts, total in lines:
        block = np.zeros((len(keys), len(slots) + 2))
        block[:, : len(parts)] = counts[np.ix_(keys, parts)]
        # What the parts leave of the total is not published: it is hidden unless it is 0
        # (then everything is shown) or 1 to 5 (then it is a small count that must not be
        # worked out); unknown (NaN) where a part is missing.
        rest = counts[keys, total] - block[:, : len(parts)].sum(axis=1)
        block[:, -2] = np.where((rest >= 0) & (rest <= SMALL_COUNT_MAX), rest, np.nan)
        block[:, -1] = counts[keys, total]
        blocks.append(block)
    table = pd.DataFrame(np.concatenate(blocks), columns=[*slots, _COMPLEMENT, _TOTAL])
    table[_LINE] = np.arange(len(table))
    return table


def pooled_years_withheld(rows: pd.DataFrame, controlled: pd.Series) -> pd.Series:
    """True for `controlled` rows of a pooled window (figure_rows' `smallest_year_count`) one
    of whose years' 12-month counts is 1 to 5: the pooled count less the other years' published
    counts would give it, so the pooled count, its rate and its limits are withheld."""
    # Differencing across overlapping windows is disclosure by subtraction, which the GSS
    # guidance ("Disclosure control guidance for tables produced from administrative sources",
    # 2014) asks to prevent as for totals and their parts.
    if "smallest_year_count" not in rows:  # rows not read by figure_rows have no pooled figure
        return pd.Series(False, index=rows.index)
    smallest = pd.to_numeric(rows["smallest_year_count"], errors="coerce")
    return controlled & smallest.between(1, SMALL_COUNT_MAX)


#: Rows with these in common publish the same count wherever their numerators are the same.
SAME_COUNT = [*PART_KEY, "numerator_measures", "window_months"]


def withheld_elsewhere(
    rows: pd.DataFrame, spec: pd.DataFrame, controlled: pd.Series, numerator: pd.Series
) -> pd.Series:
    """True for the numerators of `controlled` rows that are published as `c` in another row
    of the same count (same measures, window, area and period), e.g. children on a plan for two
    years or more, withheld beside the plans for its percentage's complement of 1 to 5."""
    # One count gets one decision wherever it is shown: a count withheld in one table and
    # printed in another is disclosed by differencing (GSS/ONS, "Disclosure control guidance
    # for tables produced from administrative sources", 2014: consistent suppression).
    keys = rows[PART_KEY].assign(
        numerator_measures=spec["numerator"].to_numpy(),
        window_months=spec["window_months"].to_numpy(),
    )
    withheld = numerator.eq(SUPPRESSED) & controlled
    anywhere = withheld.groupby([keys[c] for c in SAME_COUNT], dropna=False).transform("any")
    return anywhere.astype(bool) & controlled & ~withheld


def _hidden_values(
    rows: pd.DataFrame,
    spec: pd.DataFrame,
    local: pd.Series,
    numerator: pd.Series,
    denominator: pd.Series,
) -> pd.Series:
    """True where the value must be `c`: a suppressed count, or a rate or percentage of a
    `local` (controlled) row whose count (or, for a percentage, denominator or complement) is
    1 to 5 (DfE)."""
    hidden = numerator.eq(SUPPRESSED) & spec["denominator"].isna()
    percentage = spec["multiplier"].eq(100)
    for kind, denominators in ((percentage, denominator), (~percentage, None)):
        derived = local & spec["denominator"].notna() & kind
        shown = suppress_derived(
            rows.loc[derived, "value"],
            numerator[derived],
            None if denominators is None else denominators[derived],
        )
        hidden = hidden | shown.eq(SUPPRESSED).reindex(rows.index, fill_value=False)
    return hidden


def _as_printed(published: pd.Series, symbols: pd.Series) -> pd.Series:
    """`published` with the publisher's own symbol (c, u, z, low) where it withheld the figure,
    rather than "not available"."""
    return published.mask(published.eq(NOT_AVAILABLE) & symbols.notna(), symbols)


def _is_number(values: pd.Series) -> pd.Series:
    """True where a published cell holds a number (not a symbol, not missing)."""
    return values.map(lambda value: not isinstance(value, str) and not pd.isna(value)).astype(bool)


def _rounded(values: pd.Series, decimals: pd.Series) -> pd.Series:
    """Each value as published at its decimals: int where decimals is 0; symbols kept."""
    published = publication_values(values, decimals).to_numpy(copy=True)
    whole = (decimals.to_numpy() == 0) & np.fromiter(
        (isinstance(value, float) for value in published), dtype=bool, count=len(published)
    )
    published[whole] = published[whole].astype("int64").astype(object)
    return pd.Series(published, index=values.index, dtype=object)
