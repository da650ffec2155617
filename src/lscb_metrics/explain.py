"""An indicator's lineage: its catalogue entry, where each of its measures comes from (measures
registry), the functions that produce each curated column, and, for one area and period, the
actual figures traced to the submitted cell or the published file and row.

`lineage_text` is pure and shared by `lscb-metrics explain` and the data dictionary;
`trace_text` reads a warehouse. Nothing here imports pandas, great_expectations or Prefect, so
the command starts fast.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lscb_metrics.catalogue import POPULATION_MEASURE, Indicator, filled_title
from lscb_metrics.config import LOCAL_POPULATION
from lscb_metrics.intake.hashing import file_sha256
from lscb_metrics.measures import PARTNER_RETURNS, Measure, Registry
from lscb_metrics.periods import PeriodError, first_figures_note, parse_quarter, quarter_of
from lscb_metrics.sql import sql_text

if TYPE_CHECKING:
    import duckdb

    from lscb_metrics.boards import Boards

_VALUES = "lscb_metrics.compute.values"
_COMPARISONS = "lscb_metrics.compute.comparisons"
_STATS = "lscb_metrics.stats"
_VALUES_TABLE, _COMPARED = "curated.indicator_values", "curated.comparisons"

#: The functions (module:function) producing each computed column of the curated relations, per
#: indicator, after `pipeline.indicator_relations` takes the indicator's breakdown rows: rows of
#: (relation, columns, functions).
COLUMN_LINEAGE: tuple[tuple[str, tuple[str, ...], tuple[str, ...]], ...] = (
    (_VALUES_TABLE, ("breakdown_name",), ("lscb_metrics.pipeline:curated_relations",)),
    (
        _VALUES_TABLE,
        ("period_start",),
        (
            f"{_VALUES}:windowed_measures",
            "lscb_metrics.periods:window_start",
            f"{_VALUES}:series_lineage",
            f"{_VALUES}:with_published_values",
            f"{_VALUES}:value_period_starts",
        ),
    ),
    (
        _VALUES_TABLE,
        ("time_period",),
        (
            f"{_VALUES}:windowed_measures",
            "lscb_metrics.periods:window_label",
            f"{_VALUES}:series_lineage",
            f"{_VALUES}:with_published_values",
        ),
    ),
    (_VALUES_TABLE, ("numerator",), (f"{_VALUES}:windowed_measures", f"{_VALUES}:computed_values")),
    (
        _VALUES_TABLE,
        ("denominator",),
        (
            f"{_VALUES}:computed_values",
            f"{_VALUES}:window_estimates",
            f"{_VALUES}:person_years",
            "lscb_metrics.periods:estimate_mid_year",
        ),
    ),
    (
        _VALUES_TABLE,
        ("value",),
        (
            f"{_VALUES}:indicator_value",
            f"{_STATS}:rate",
            f"{_VALUES}:published_values",
            f"{_VALUES}:with_published_values",
        ),
    ),
    (
        _VALUES_TABLE,
        ("value_note",),
        (
            f"{_VALUES}:computed_values",
            f"{_VALUES}:no_population_note",
            f"{_VALUES}:latest_population_note",
        ),
    ),
    (_VALUES_TABLE, ("value_symbol",), (f"{_VALUES}:value_symbols",)),
    (_VALUES_TABLE, ("counts_rounded_to",), (f"{_VALUES}:counts_rounded_to",)),
    (
        _VALUES_TABLE,
        ("source", "submission_ids", "source_sha256s"),
        (
            f"{_VALUES}:windowed_measures",
            f"{_VALUES}:series_lineage",
            f"{_VALUES}:with_published_values",
        ),
    ),
    (
        _VALUES_TABLE,
        ("lower_ci95", "upper_ci95", "lower_ci998", "upper_ci998", "ci_method"),
        (
            f"{_VALUES}:with_intervals",
            f"{_STATS}:wilson_intervals",
            f"{_STATS}:rate_intervals",
            f"{_VALUES}:published_limits",
        ),
    ),
    (_COMPARED, ("comparator_period_end",), (f"{_COMPARISONS}:comparator_period_ends",)),
    (_COMPARED, ("comparator_period",), (f"{_COMPARISONS}:comparator_periods",)),
    (_COMPARED, ("england_value", "region_value"), (f"{_COMPARISONS}:_lookup",)),
    (
        _COMPARED,
        ("vs_england", "vs_region"),
        (f"{_COMPARISONS}:benchmark_comparisons", f"{_STATS}:compare_with_benchmark"),
    ),
    (
        _COMPARED,
        ("sn_average", "sn_count", "sn_rank", "sn_rank_of"),
        (
            f"{_COMPARISONS}:neighbour_averages",
            f"{_STATS}:neighbour_average",
            f"{_STATS}:rank_within_group",
        ),
    ),
    (
        _COMPARED,
        ("rank", "rank_of", "quartile_band"),
        (
            f"{_COMPARISONS}:la_field",
            f"{_COMPARISONS}:la_ranks",
            f"{_STATS}:place_in_field",
            f"{_STATS}:quartile_cut_points",
            f"{_STATS}:quartile_band",
        ),
    ),
    (
        _COMPARED,
        ("previous_value", "change", "change_pct"),
        (f"{_COMPARISONS}:previous_values", f"{_STATS}:change", f"{_STATS}:percent_change"),
    ),
    (_COMPARED, ("trend",), (f"{_COMPARISONS}:trends", f"{_STATS}:recent_trend")),
    (_COMPARED, ("comparator_note",), (f"{_COMPARISONS}:apply_local_comparators",)),
)

# The column of a DfE tidy file that holds the code of a row's area, by geographic level.
_DFE_AREA_COLUMN = {"Local authority": "new_la_code", "Regional": "region_code"}


def _declared_at(registry: Registry, measure: Measure) -> str:
    """'schemas/measures.yaml:LINE' of a measure."""
    return f"{registry.path.parent.name}/{registry.path.name}:{measure.line}"


def measure_lines(registry: Registry, name: str, role: str) -> list[str]:
    """Lines saying where one measure comes from: returns, case list, published tables."""
    measure = registry.measures[name]
    lines = [f"- {name} ({role}; {measure.type}; {_declared_at(registry, measure)})"]
    lines += [
        f"  - partner return: {column.return_type} column {column.column} "
        f"(schemas/returns/{column.return_type}.yaml)"
        for column in measure.returns
    ]
    if measure.cases:
        lines.append(
            f"  - case list: {measure.cases.list_type} (schemas/cases/{measure.cases.list_type}"
            f".yaml), {measure.cases.rule}, counted by {measure.cases.query}"
        )
    for source in measure.published:
        table = registry.tables[source.table]
        rounding = registry.roundings[source.rounding]
        field = "Short Desc" if source.table == "LAIT" else "column"
        lines.append(
            f"  - published: table {table.name} {field} {source.column}, file "
            f"data/raw/reference/{table.file}, read by {table.loader}; rounding: "
            f"{rounding.description}"
        )
    if name == POPULATION_MEASURE:
        lines.append(
            f"  - local override: data/raw/local/<board>/{LOCAL_POPULATION} for the board's own "
            "(partner-return) figures where it gives the mid-year"
        )
    return lines


def lineage_text(
    indicator: Indicator, registry: Registry, local_targets: Mapping[str, int] | None = None
) -> str:
    """The indicator's catalogue entry, its measures' sources and the functions producing each
    curated column, as markdown-friendly text; with an area's `local_targets`, the title names
    them as the area's outputs do ("within the local target of 45 working days"), without, it
    says each board sets its own (`catalogue.filled_title`)."""
    window = f" over {indicator.window_months} months" if indicator.measure_type == "flow" else ""
    numerator = " + ".join(indicator.numerator)
    if len(indicator.numerator) > 1 and not indicator.is_count:
        numerator = f"({numerator})"
    formula = (
        numerator
        if indicator.is_count
        else f"{numerator} / {indicator.denominator} x {indicator.multiplier}"
    )
    lines = [
        f"{indicator.id}: {filled_title(indicator.title, local_targets)}",
        f"- value = {formula} ({indicator.unit}, {indicator.decimals} decimal place"
        + ("s)" if indicator.decimals != 1 else ")"),
        f"- {indicator.measure_type}{window}; breakdown {indicator.breakdown}; polarity "
        f"{indicator.polarity}; compared with {', '.join(indicator.comparators) or 'nothing'}",
        "- published value: "
        + (indicator.published_value or "none (computed from the counts everywhere)"),
        "",
        "Measures:",
    ]
    roles = [(name, "numerator") for name in indicator.numerator]
    roles += [(indicator.denominator, "denominator")] if indicator.denominator else []
    roles += [(indicator.published_value, "published value")] if indicator.published_value else []
    for name, role in roles:
        lines += measure_lines(registry, name, role)
    lines += ["", "Curated columns (module:function):"]
    lines.append(
        "- rows: lscb_metrics.pipeline:indicator_relations takes the facts of the declared "
        "breakdown (lscb_metrics.catalogue:Indicator.breakdown_rows)"
    )
    lines += [
        f"- {relation} {', '.join(columns)}: {', '.join(functions)}"
        for relation, columns, functions in COLUMN_LINEAGE
    ]
    return "\n".join(lines) + "\n"


def local_targets_in(boards: Boards, area: str, period: str) -> dict[str, int] | None:
    """The local targets of `area` at the end of `period` (a quarter, 2014-15-Q2, or a financial
    year, 2013-14) as the board covering it then sets them; None where no board covers it or
    the period is neither."""
    end = period_end(period)
    board = None if end is None else boards.covering(area, end)
    return None if board is None or end is None else board.local_targets_on(area, end)


def traced_area(lookup: Mapping[str, tuple[str, str, str | None]], area: str, period: str) -> str:
    """The ONS code of the area `area` names at the end of `period`: an ONS code itself, a DfE
    number (Derby's 831, as `run` and `board init` take it) the code its authority had then
    (`area_on`); `area` as typed where `lookup` (`la_lookup`) does not know it."""
    # The reference package loads pandas and pyarrow: only a trace by DfE number needs it.
    from lscb_metrics.reference.areas import area_on

    found = area_on(lookup, area.strip(), period_end(period))
    return area if found is None else found[0]


def period_end(period: str) -> date | None:
    """The last day of `period` as typed: a quarter's (2014-15-Q2), or a financial year's
    (2013-14: 31 March 2014); None where it is neither."""
    for text in (period, f"{period.strip()}-Q4"):
        try:
            return parse_quarter(text).end
        except PeriodError:
            continue
    return None


def time_period_label(period: str) -> str:
    """The warehouse's time_period label for a period as typed: 2014-15-Q2 -> 2014-15 Q2."""
    return re.sub(r"^(\d{4}-\d{2})-(Q[1-4])$", r"\1 \2", period.strip())


class NoSuchRow(LookupError):
    """The warehouse holds no value of the indicator for the area and period."""


def trace_text(
    connection: duckdb.DuckDBPyConnection,
    indicator: Indicator,
    registry: Registry,
    area: str,
    period: str,
    data_dir: Path,
) -> str:
    """The indicator's values for `area` and `period` with numerator, denominator and population
    traced to submitted cells and published files and rows (`data_dir` is data/raw)."""
    label = time_period_label(period)
    source = _Source(connection, registry, area, data_dir)
    select = (
        "SELECT breakdown, source_type, time_period, period_start, period_end, numerator, "
        "denominator, value, value_note FROM curated.indicator_values WHERE indicator_id = ? "
        "AND area_code = ? AND {} ORDER BY source_type, breakdown"
    )
    rows = source.records(select.format("time_period = ?"), [indicator.id, area, label])
    end = period_end(period)
    if not rows and end is not None:
        # A pooled window is labelled by its years (2012-14, 2012-13 Q3 to 2014-15 Q2): the
        # quarter or year typed is the one it ends with.
        rows = source.records(select.format("period_end = ?"), [indicator.id, area, end])
    if not rows:
        why = None if end is None else first_figures_why(connection, indicator, registry, area, end)
        raise NoSuchRow(
            f"no value of {indicator.id} for area {area} and period {label}"
            + (f". {why}" if why else "")
        )
    public = public_edition(connection, area, {row["period_end"] for row in rows})
    blocks = []
    for row in rows:
        heading = (
            f"{indicator.id}, {area}, {row['time_period']}, {row['source_type']}, breakdown "
            f"{row['breakdown']}: value {exact(row['value'])} (numerator "
            f"{exact(row['numerator'])}, denominator {exact(row['denominator'])})"
            + (f"; {row['value_note']}" if row["value_note"] else "")
        )
        lines = [heading]
        for name in indicator.measures:
            if name != POPULATION_MEASURE:
                lines += source.measure_trace(name, row)
        if indicator.published_value and row["source_type"] == "published":
            lines += source.measure_trace(indicator.published_value, row)
        if indicator.uses_population and not given_alone(row):
            lines += source.population_trace(indicator, row)
        key = (indicator.id, row["breakdown"], row["source_type"], row["period_end"])
        lines.append(public.get(key, "  public edition: not published"))
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + "\n"


def given_alone(row: Mapping[str, Any]) -> bool:
    """True for a published figure without the denominator it is a rate of (LAIT's road
    casualty rate): its publisher gives the value alone, and no population is computed with."""
    return row["source_type"] == "published" and exact(row["denominator"]) == "none"


def summed_over_a_year(indicator: Indicator, registry: Registry) -> bool:
    """True when the board's own figure of `indicator` is summed over 12 months or more of its
    partners' returns, so needs four quarters of them or more."""
    return (
        indicator.measure_type == "flow"
        and indicator.window_months >= 12
        and registry.collected_from(indicator.numerator) == PARTNER_RETURNS
    )


def first_figures_why(
    connection: duckdb.DuckDBPyConnection,
    indicator: Indicator,
    registry: Registry,
    area: str,
    end: date,
) -> str | None:
    """Why the board covering `area` on `end` has no figure of `indicator` for the quarter ending
    `end`: its partner returns start too recently for one summed over 12 months or more, in the
    words of its scorecard and workbook (`first_figures_note`); None otherwise."""
    if not summed_over_a_year(indicator, registry):
        return None
    # Pandas is loaded for a missing value only, so the command without --area stays fast.
    from lscb_metrics.publish.figures import authority_codes, first_return_quarter

    # As its scorecard and workbook take it: every code the authority had that the board covers.
    board_areas = {
        code
        for (code,) in connection.execute(
            "SELECT area_code FROM reference.boards WHERE board IN (SELECT board FROM "
            "reference.boards WHERE area_code = ? AND coalesce(covered_from <= ?, true) "
            "AND coalesce(covered_until >= ?, true))",
            [area, end, end],
        ).fetchall()
    }
    covered = [code for code in authority_codes(connection, area) if code in board_areas]
    if not covered:
        return None
    return first_figures_note(first_return_quarter(connection, covered, end), quarter_of(end))


def exact(number: float | None) -> str:
    """A curated number as stored, unrounded: a whole one without '.0' (a count of 4805, not
    4805.0), 'none' where there is none."""
    if number is None or number != number:  # NaN: no figure
        return "none"
    return str(int(number)) if float(number).is_integer() else repr(float(number))


def public_edition(
    connection: duckdb.DuckDBPyConnection, area: str, ends: set[date]
) -> dict[tuple[str, str, str, date], str]:
    """A line saying how the public edition shows each of the area's figures at `ends`, and
    why it withholds one, by (indicator, breakdown, source type, period end)."""
    # Disclosure control reads every figure of the area in the period (a total and its parts):
    # pandas is loaded for a trace only, so the command without --area stays fast.
    from lscb_metrics.publish.figures import catalogue_frame, figure_rows, published_figures

    listed = ", ".join(f"DATE '{end.isoformat()}'" for end in sorted(ends))
    rows = figure_rows(connection, f"v.area_code = {sql_text(area)} AND v.period_end IN ({listed})")
    shown = published_figures(rows, catalogue_frame(connection))
    return {
        (row.indicator_id, row.breakdown, row.source_type, row.period_end): (
            f"  public edition: value {row.value}, numerator {row.numerator}, denominator "
            f"{row.denominator}"
            + (f"; c because {row.withheld_because}" if row.withheld_because else "")
            + ("; as its publisher printed it" if isinstance(row.value_symbol, str) else "")
        )
        for row in shown.itertuples()
    }


@dataclass(frozen=True)
class _Source:
    """Where one area's figures are traced: the warehouse, the registry and data/raw."""

    connection: duckdb.DuckDBPyConnection
    registry: Registry
    area: str
    data_dir: Path

    def records(self, sql: str, parameters: Sequence[Any]) -> list[dict[str, Any]]:
        """The rows of a query as dicts keyed by column name."""
        result = self.connection.execute(sql, list(parameters))
        names = [column[0] for column in result.description]
        return [dict(zip(names, values, strict=True)) for values in result.fetchall()]

    def measure_trace(self, name: str, row: dict[str, Any]) -> list[str]:
        """Lines tracing one measure of a value to submitted cells or a published file and row."""
        area = self.area
        if row["source_type"] == "partner_return":
            cells = self.records(
                "SELECT f.period_end, f.value, f.submission_id, f.source_sha256, s.file_name, "
                "string_agg(r.location || ' = ' || r.value, '; ' ORDER BY r.location) AS cells "
                "FROM staged.partner_facts f LEFT JOIN audit.submissions s USING (submission_id) "
                "LEFT JOIN staged.return_rows r "
                "ON r.submission_id = f.submission_id AND r.column_name = f.measure "
                "WHERE f.measure = ? AND f.area_code = ? AND f.breakdown = ? "
                "AND f.period_end BETWEEN ? AND ? GROUP BY ALL ORDER BY f.period_end",
                [name, area, row["breakdown"], row["period_start"], row["period_end"]],
            )
            return [f"  {name}:"] + [
                f"    {cell['period_end']}: {cell['value']} from submission "
                f"{cell['submission_id']} ({cell['file_name'] or 'case list'}, sha256 "
                f"{cell['source_sha256']}), cells "
                f"{cell['cells'] or 'none: derived from the case list'}"
                for cell in cells
            ]
        if not self.registry.measures[name].published:
            # LAIT publishes some figures (children killed or seriously injured) as a rate
            # alone: the value is traced to that rate, and this count has no published row.
            return [f"  {name}: not published (the publisher gives the value alone)"]
        facts = self.records(
            "SELECT value, symbol, source, source_sha256, geographic_level, time_period "
            "FROM reference.published_facts WHERE measure = ? AND area_code = ? "
            "AND period_end = ? AND breakdown = 'Total'",
            [name, area, row["period_end"]],
        )
        source = self.registry.measures[name].published[0]
        table = self.registry.tables[source.table]
        lines = [f"  {name}:"]
        for fact in facts:
            if source.table == "LAIT":
                where = f"Short Desc {source.column}, period {fact['time_period']}, area {area}"
            else:
                column = _DFE_AREA_COLUMN.get(fact["geographic_level"], "country_code")
                where = (
                    f"time_period {row['period_end'].year}, {column} {area}, column {source.column}"
                )
            lines.append(
                f"    {fact['value'] if fact['value'] is not None else fact['symbol']} from "
                f"{traced_file(self.data_dir / 'reference', table.file, fact['source_sha256'])} "
                f"(sha256 {fact['source_sha256']}), row {where}; {fact['source']}"
            )
        return lines

    def population_trace(self, indicator: Indicator, row: dict[str, Any]) -> list[str]:
        """Lines tracing the child population of a rate to its ONS file or the local override."""
        from lscb_metrics.periods import estimate_mid_year, population_mid_year

        partner = row["source_type"] == "partner_return"
        months = indicator.window_months if partner else 12
        latest = population_mid_year(row["period_end"])
        years = list(range(latest - max(months // 12, 1) + 1, latest + 1))
        (source,) = self.registry.measures[POPULATION_MEASURE].published
        ons_pattern = self.registry.tables[source.table].file
        reference = self.data_dir / "reference"
        boards = self.records("SELECT board FROM reference.boards WHERE area_code = ?", [self.area])
        board = boards[0]["board"] if boards else "<board>"
        local_file = self.data_dir / "local" / board / LOCAL_POPULATION
        lines = [f"  {POPULATION_MEASURE} (mid-years {', '.join(map(str, years))}):"]
        kinds = ["published", "partner_return"] if partner else ["published"]
        [known] = self.records(
            "SELECT max(mid_year) AS latest FROM reference.population WHERE area_code = ? "
            "AND population_0_17 IS NOT NULL AND list_contains(?, source_type)",
            [self.area, kinds],
        )
        for wanted in years:
            year = estimate_mid_year(wanted, known["latest"])
            if year != wanted:
                lines.append(f"    mid-{wanted}: not yet published; the latest estimate stands:")
            found = {
                record["source_type"]: record
                for record in self.records(
                    "SELECT source_type, population_0_17, source, source_sha256 "
                    "FROM reference.population WHERE area_code = ? AND mid_year = ?",
                    [self.area, year],
                )
            }
            local = found.get("partner_return") if partner else None
            used = local or found.get("published")
            if used is None:
                lines.append(f"    mid-{year}: no estimate")
            elif local:
                lines.append(
                    f"    mid-{year}: {used['population_0_17']} from the local override "
                    f"{local_file} ({used['source']})"
                )
            else:
                lines.append(
                    f"    mid-{year}: {used['population_0_17']} from "
                    f"{traced_file(reference, ons_pattern, used['source_sha256'])}"
                    f" (sha256 {used['source_sha256']}), row time_period {year}, area {self.area}"
                )
        return lines


def traced_file(folder: Path, pattern: str, sha256: str) -> str:
    """The file matching `pattern` under `folder` whose SHA-256 is `sha256`; where none has it
    (the warehouse predates a `reference add`), the pattern and that the file was replaced."""
    matches = sorted(folder.glob(pattern))
    for path in matches:
        if file_sha256(path) == sha256:
            return str(path)
    # Naming today's file beside yesterday's hash sent the reader to rows that may differ.
    return (
        f"{folder / pattern} (no longer shipped: replaced by a newer release, see "
        "data/raw/DATA_LOG.md; run again to recompute on it)"
    )
