"""The analysts' data dictionary: every warehouse relation and column, every indicator, and
example queries that run against the warehouse it was generated from.

Descriptions come from `schemas/warehouse.yaml` and the indicator catalogue; column names and
types come from the warehouse itself, so the dictionary shows what is really there (and says
when the two disagree).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from lscb_metrics.catalogue import Indicator, filled_title, load_catalogue
from lscb_metrics.explain import lineage_text
from lscb_metrics.measures import MEASURES_FILE, Registry, load_registry
from lscb_metrics.publish.figures import published_sources, read_only
from lscb_metrics.returns.spec import ReturnSpec, load_return_specs
from lscb_metrics.warehouse import SCHEMAS, relation_descriptions

NOT_DESCRIBED = "(not described in schemas/warehouse.yaml)"
EXAMPLES_HEADING = "## Example queries"


@dataclass(frozen=True)
class ExampleQuery:
    """A common question and the SQL that answers it; `{area}` stands for the board's area."""

    question: str
    explanation: str
    sql: str


#: Every board's figures side by side (the README gives the same query). A board is joined to
#: an area for the quarters it covers it: after a merger two boards list the area, and a join on
#: the area alone would give each of its figures twice, once under each board.
BOARDS_SIDE_BY_SIDE = ExampleQuery(
    "Every board's latest child protection plan rate, side by side",
    "Each board's own figure (partner returns) for the latest quarter any board has, per area "
    "it covers then, beside England, the region and its statistical neighbours; a board "
    "without returns for that quarter has no row.",
    """SELECT b.board, c.area_code, c.area_name, c.time_period, c.value, c.england_value,
       c.region_value, c.sn_average, c.vs_england
FROM curated.comparisons AS c
JOIN reference.boards AS b
  ON b.area_code = c.area_code
  AND c.period_end BETWEEN coalesce(b.covered_from, DATE '0001-01-01')
                       AND coalesce(b.covered_until, DATE '9999-12-31')
WHERE c.indicator_id = 'cp_plan_rate' AND c.source_type = 'partner_return'
  AND c.breakdown = 'Total'
  AND c.period_end = (SELECT max(period_end) FROM curated.comparisons
                      WHERE indicator_id = 'cp_plan_rate' AND source_type = 'partner_return')
ORDER BY b.board, c.area_code;""",
)

EXAMPLES = (
    ExampleQuery(
        "Our latest child protection plan rate beside England and our statistical neighbours",
        "The latest figure from each source (partner returns and published statistics), with "
        "England, the statistical-neighbour average, the comparison with England and the rank.",
        """SELECT time_period, source_type, value, england_value, sn_average, vs_england,
       rank, rank_of, comparator_note
FROM curated.comparisons
WHERE indicator_id = 'cp_plan_rate' AND area_code = '{area}'
QUALIFY row_number() OVER (PARTITION BY source_type ORDER BY period_end DESC) = 1
ORDER BY source_type;""",
    ),
    ExampleQuery(
        "Which indicators changed most since last year",
        "The board's latest quarter from partner returns against the same quarter a year "
        "earlier, largest relative change first.",
        """SELECT c.indicator_id, k.title, c.breakdown, c.time_period, c.previous_value,
       c.value, c.change, c.change_pct
FROM curated.comparisons AS c
JOIN curated.indicator_catalogue AS k USING (indicator_id)
WHERE c.area_code = '{area}' AND c.source_type = 'partner_return'
  AND c.change_pct IS NOT NULL
  AND c.period_end = (SELECT max(period_end) FROM curated.comparisons
                      WHERE area_code = '{area}' AND source_type = 'partner_return')
ORDER BY abs(c.change_pct) DESC
LIMIT 10;""",
    ),
    ExampleQuery(
        "Trace a figure to the submitted file",
        "Every partner return file a figure was computed from (a rolling 12-month figure has "
        "one per quarter), with its SHA-256 and where the unchanged file is kept (relative to "
        "the warehouse's folder).",
        """WITH figure AS (
    SELECT indicator_id, time_period, value, unnest(submission_ids) AS submission_id
    FROM curated.indicator_values
    WHERE indicator_id = 'cp_plan_rate' AND area_code = '{area}'
      AND source_type = 'partner_return'
      AND period_end = (SELECT max(period_end) FROM curated.indicator_values
                        WHERE area_code = '{area}' AND source_type = 'partner_return')
)
SELECT f.indicator_id, f.time_period, f.value, s.file_path, s.sha256, s.agency_code,
       s.period_end, s.status, s.archived_path
FROM figure AS f
JOIN audit.submissions AS s USING (submission_id)
ORDER BY s.period_end;""",
    ),
    ExampleQuery(
        "Every local authority's referral rate for a year, ranked",
        "The latest published year; rank 1 is the highest rate (the indicator has no polarity).",
        """SELECT rank, area_code, area_name, value AS referral_rate, rank_of
FROM curated.comparisons
WHERE indicator_id = 'referral_rate' AND geographic_level = 'Local authority'
  AND source_type = 'published'
  AND period_end = (SELECT max(period_end) FROM curated.comparisons
                    WHERE indicator_id = 'referral_rate' AND source_type = 'published')
ORDER BY rank, area_name;""",
    ),
    BOARDS_SIDE_BY_SIDE,
    ExampleQuery(
        "Each board's last run: complete or not, and what it is missing",
        "One row per board from audit.board_runs (a run of one board with --board records "
        "that board only); missing_returns names each return by agency code, return type and, "
        "for a partnership, area (its name and ONS code).",
        """SELECT board, period, outcome, published, len(missing_returns) AS missing,
       len(submissions_rejected) AS rejected, missing_returns
FROM audit.board_runs
QUALIFY row_number() OVER (PARTITION BY board ORDER BY started_at DESC) = 1
ORDER BY board;""",
    ),
    ExampleQuery(
        "What the last run used, rejected and missed",
        "The audit record of the latest run; audit.validation_failures has every problem found "
        "in a rejected file, located as the partner sees it.",
        """SELECT period, outcome, started_at, submissions_used, submissions_rejected,
       missing_returns, sn_model
FROM audit.runs
ORDER BY started_at DESC
LIMIT 1;""",
    ),
)

#: A shell command opening a copy of the warehouse read-only, by the duckdb Python package the
#: project installs (no `duckdb` command is installed); the README gives the same.
READ_ONLY_COMMAND = (
    ".venv/bin/python -c \"import duckdb; duckdb.connect('/tmp/w.duckdb', read_only=True)"
    ".sql('SELECT run_id, period, outcome FROM audit.runs').show()\""
)

OPENING_SECTION = f"""## Opening the warehouse while a run may be writing

DuckDB lets one process write to a database file at a time, and while a process has the file
open for writing no other process can open it at all, not even read-only (DuckDB reports that
it could not set a lock on the file). A run holds `data/warehouse.duckdb` while it publishes,
and a notebook holding it would make the next run stop with "the warehouse is in use by another
run". So an analyst never opens the live file; open a copy, read-only:

```sh
cp data/warehouse.duckdb /tmp/w.duckdb
{READ_ONLY_COMMAND}
```

or in a notebook or script:

```python
import shutil, duckdb
shutil.copy("data/warehouse.duckdb", "/tmp/w.duckdb")
con = duckdb.connect("/tmp/w.duckdb", read_only=True)
```

- Copy when no run is writing: a run writes everything in one transaction and closes the file
  when it ends; while `data/warehouse.duckdb.wal` exists a run is still writing, so wait for it
  to go before copying. A copy that opens and shows the expected row in `audit.runs` is whole.
- The copy is a snapshot: copy again after the next quarterly run.
- Or read the exports written by `lscb_metrics.publish.write_exports`, which need no
  warehouse at all: `SELECT * FROM 'curated_indicator_values.parquet'`.
- Values in `curated` are unrounded and not disclosure-controlled. `round()` in these queries
  is for reading only; publish through the export or workbook, which round halves away from
  zero to the catalogue's decimals and suppress small counts.
"""


def write_data_dictionary(
    warehouse: Path, schemas_dir: Path, out_path: Path, example_area: str
) -> Path:
    """Write the markdown data dictionary of `warehouse` (declarations under `schemas_dir`),
    its example queries for the area `example_area` (ONS code)."""
    with read_only(warehouse) as connection:
        columns = warehouse_columns(connection)
        tables = warehouse_tables(connection)
        sources = published_sources(connection)
    registry = load_registry(schemas_dir / MEASURES_FILE)
    text = data_dictionary(
        columns,
        tables,
        relation_descriptions(schemas_dir / "warehouse.yaml"),
        load_catalogue(schemas_dir / "indicators.yaml", registry),
        registry,
        load_return_specs(schemas_dir),
        sources,
        example_area,
    )
    out_path.parent.mkdir(parents=True, exist_ok=True)
    out_path.write_text(text, encoding="utf-8")
    return out_path


def warehouse_tables(connection: duckdb.DuckDBPyConnection) -> list[str]:
    """Every relation in the warehouse as schema.table, in layer order then by name."""
    rows = connection.sql(
        "SELECT schema_name, table_name FROM duckdb_tables() WHERE NOT internal"
    ).fetchall()
    layer = {schema: n for n, schema in enumerate(SCHEMAS)}
    ordered = sorted(rows, key=lambda row: (layer.get(row[0], len(layer)), row[0], row[1]))
    return [f"{schema}.{table}" for schema, table in ordered]


def warehouse_columns(connection: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every column of every relation: relation, column name and type, in column order."""
    return connection.sql(
        "SELECT schema_name || '.' || table_name AS relation, column_name, data_type "
        "FROM duckdb_columns() WHERE NOT internal ORDER BY relation, column_index"
    ).df()


def data_dictionary(
    columns: pd.DataFrame,
    tables: list[str],
    descriptions: Mapping[str, Mapping[str, Any]],
    catalogue: tuple[Indicator, ...],
    registry: Registry,
    specs: Mapping[str, ReturnSpec],
    sources: Mapping[str, list[str]],
    area: str,
) -> str:
    """The whole dictionary as markdown."""
    layers = ", ".join(f"`{schema}`" for schema in dict.fromkeys(t.split(".")[0] for t in tables))
    relations = "\n".join(
        relation_section(name, columns[columns["relation"] == name], descriptions.get(name, {}))
        for name in tables
    )
    indicators = "\n".join(
        indicator_section(indicator, registry, specs, sources.get(indicator.id, []))
        for indicator in catalogue
    )
    return f"""# Data dictionary: the lscb_metrics warehouse

Generated from the warehouse, `schemas/warehouse.yaml` and the indicator catalogue
(`schemas/indicators.yaml`) by `lscb_metrics.publish.write_data_dictionary`. Each relation
below says what it holds; the warehouse is a DuckDB file in layers:
{layers}. In DuckDB the same descriptions are on the relations:
`SELECT * FROM duckdb_columns() WHERE schema_name = 'curated'`.

## Relations

{relations}
## Indicators

Every indicator is `sum(numerator) / sum(denominator) x multiplier`. Its values are in
`curated.indicator_values`, its comparisons in `curated.comparisons`. Each measure is declared
once in `schemas/measures.yaml`, with the return columns, case lists and published tables that
give it.

{indicators}
{examples_section(area)}
{OPENING_SECTION}"""


def relation_section(name: str, columns: pd.DataFrame, declared: Mapping[str, Any]) -> str:
    """One relation: its description, then each column with its type and description."""
    described = declared.get("columns", {})
    rows = "\n".join(
        f"| `{column}` | {data_type} | {described.get(column, NOT_DESCRIBED)} |"
        for column, data_type in zip(columns["column_name"], columns["data_type"], strict=True)
    )
    missing = sorted(set(described) - set(columns["column_name"]))
    absent = f"\nDeclared but not in this warehouse: {', '.join(missing)}.\n" if missing else ""
    return f"""### `{name}`

{declared.get("description", NOT_DESCRIBED)}

| column | type | description |
|---|---|---|
{rows}
{absent}"""


def indicator_section(
    indicator: Indicator,
    registry: Registry,
    specs: Mapping[str, ReturnSpec],
    publications: list[str],
) -> str:
    """One indicator: what it is, how it is computed and compared, where it comes from, and its
    lineage as `lscb-metrics explain` prints it."""
    returns = sorted(
        spec.return_type
        for spec in specs.values()
        if set(indicator.measures) & set(spec.column_names)
    )
    window = f", over {indicator.window_months} months" if indicator.measure_type == "flow" else ""
    records = sorted(
        {
            registry.measures[name].local.file
            for name in indicator.measures
            if name in registry.measures and registry.measures[name].local is not None
        }
    )
    from_sources = [
        *([f"partner returns ({', '.join(returns)})"] if returns else []),
        *([f"the board's own records ({', '.join(records)})"] if records else []),
        *publications,
    ]
    disclosure = (
        "counts of 1 to 5 withheld in the public edition"
        if indicator.is_about_children
        else "not withheld"
    )
    return f"""### `{indicator.id}`: {filled_title(indicator.title)}

- Unit: {indicator.unit}, published to {indicator.decimals} decimal places
- Polarity: {indicator.polarity}
- Numerator: {" + ".join(indicator.numerator)}; denominator: {indicator.denominator or "none"}; \
multiplier: {indicator.multiplier}
- Measure: {indicator.measure_type}{window}; breakdown: {indicator.breakdown}
- Compared with: {", ".join(indicator.comparators) or "nothing (not compared)"}
- Theme: {indicator.theme}
- Subject: {indicator.subject} ({disclosure})
- Sources: {"; ".join(from_sources) or "none in this warehouse"}

Lineage (`lscb-metrics explain {indicator.id}`):

```text
{lineage_text(indicator, registry)}```
"""


def examples_section(area: str) -> str:
    """The example queries, written for the board's area."""
    blocks = "\n".join(
        f"### {example.question}\n\n{example.explanation}\n\n```sql\n"
        f"{example.sql.format(area=area)}\n```\n"
        for example in EXAMPLES
    )
    return f"""{EXAMPLES_HEADING}

Each query runs as written against this warehouse (a read-only copy; see below).

{blocks}"""
