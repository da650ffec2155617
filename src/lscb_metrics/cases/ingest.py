"""Case lists in, facts out: the public entry point for the pipeline.

`derive_case_facts` reads, validates and pseudonymises the case lists in a private in-memory
DuckDB database (with nowhere to spill, so identifiers never reach a disk), derives the
aggregate measures per authority and quarter, and returns them as facts with the pseudonymised
rows and every failure. `write_case_warehouse` is the thin adapter that puts those into a
warehouse file (`staged.case_facts`, `staged.case_lists` and `staged.case_<list>`).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa

from lscb_metrics.cases.derive import (
    case_facts,
    measure_counts,
    quarters_frame,
    working_days_frame,
)
from lscb_metrics.cases.pseudonymise import pseudonym_text_sql
from lscb_metrics.cases.spec import CaseListSpec, load_case_specs
from lscb_metrics.cases.stage import (
    LocalTargets,
    StagedLists,
    local_target_days,
    stage_case_lists,
)
from lscb_metrics.cases.validate import AreaLookup, Unit
from lscb_metrics.facts import empty_facts
from lscb_metrics.intake.failures import CaseFailure
from lscb_metrics.intake.rules import formula_safe
from lscb_metrics.reference.areas import area_on
from lscb_metrics.sql import sql_text

log = logging.getLogger(__name__)

FAILURE_COLUMNS = ("file", "location", "column", "child", "code", "severity", "message")


@dataclass(frozen=True)
class CaseResult:
    """What deriving case lists gave.

    - facts: the derived measures, one fact per measure, authority and quarter covered
      (lscb_metrics.facts layout; source_type 'partner_return', breakdown 'Total');
    - staged: per list type, the pseudonymised rows of the usable lists (pyarrow tables, compact
      at national scale; `.to_pandas()` gives a DataFrame, and DuckDB reads either);
    - failures: every problem found, located by file, row and column, children by pseudonym;
    - lists: one row per authority's list in a file, with its period, rows and status.
    """

    facts: pd.DataFrame
    staged: Mapping[str, pa.Table]
    failures: Sequence[CaseFailure]
    lists: pd.DataFrame

    @property
    def errors(self) -> list[CaseFailure]:
        """The failures that reject a list."""
        return [f for f in self.failures if f.severity == "error"]


def derive_case_facts(
    case_files: Sequence[Path],
    schemas_dir: Path,
    la_lookup: AreaLookup,
    key: bytes,
    local_targets: LocalTargets,
    *,
    warehouse: Path | None = None,
) -> CaseResult:
    """Facts, pseudonymised rows and failures from the case lists at `case_files`.

    `schemas_dir` is the folder holding `cases/*.yaml`; `la_lookup` resolves authority codes as
    `lscb_metrics.reference.la_lookup` does; `key` is the pseudonymisation key
    (`load_pseudonymisation_key()`); `local_targets` gives an authority's local target for
    single assessments in working days by ONS code, each quarter's (40 where absent). With
    `warehouse`, the facts, lists and pseudonymised rows are also written into that DuckDB file
    straight from DuckDB (as `write_case_warehouse` would) and `staged` is left empty: the way
    to load national-scale lists without holding every row in Python.
    """
    specs = load_case_specs(schemas_dir)
    with _memory_database() as connection:
        staged = stage_case_lists(connection, case_files, specs, la_lookup, key, local_targets)
        facts = _facts(connection, staged, la_lookup, local_targets)
        lists = connection.execute(_LISTS_SQL).df()
        present = set(staged.unit_lists.values())
        rows = {t: staged_rows_sql(spec) for t, spec in specs.items() if t in present}
        if warehouse is None:
            tables = {t: connection.sql(sql).to_arrow_table() for t, sql in rows.items()}
        else:
            _replace_staged_tables(connection, warehouse, facts, lists, rows)
            tables = {}
    log.info("case lists: %d facts, %d failures", len(facts), len(staged.failures))
    return CaseResult(facts, tables, list(staged.failures), lists)


def staged_rows_sql(spec: CaseListSpec) -> str:
    """SELECT of a list type's pseudonymised rows from its usable lists: authority, submission,
    child pseudonym, and the list's own columns (a date of birth as the first of its month,
    `birth_month`)."""
    own = [
        f's."{c.name}" AS birth_month'
        if c.type == "date_of_birth"
        else f's."{c.name}"::VARCHAR AS "{c.name}"'
        if c.type == "code"
        else f's."{c.name}"'
        for c in spec.columns
        if c.type not in ("child_id", "area") and c.name not in ("period_start", "period_end")
    ]
    return (
        f"SELECT u.area_code, u.submission_id, {pseudonym_text_sql('s.child')} AS child, "
        f"{', '.join(own)} FROM cases_{spec.list_type} s JOIN case_units u ON u.unit = s.unit "
        "WHERE u.usable"
    )


def write_case_warehouse(result: CaseResult, warehouse: Path) -> None:
    """Replace staged.case_facts, staged.case_lists and staged.case_<list> in the warehouse
    file with `result`'s, in one transaction."""
    with duckdb.connect(":memory:") as connection:
        rows = {}
        for list_type, table in result.staged.items():
            connection.register(f"rows_{list_type}", table)
            rows[list_type] = f"SELECT * FROM rows_{list_type}"
        _replace_staged_tables(connection, warehouse, result.facts, result.lists, rows)


def failures_frame(failures: Sequence[CaseFailure]) -> pd.DataFrame:
    """Failures as a table: file, location, column, child pseudonym, code, severity, message."""
    return pd.DataFrame(
        [[getattr(f, c) for c in FAILURE_COLUMNS] for f in failures], columns=list(FAILURE_COLUMNS)
    )


def write_failure_report(failures: Sequence[CaseFailure], path: Path) -> None:
    """Write the failures as a CSV report (UTF-8), every cell safe to open in a spreadsheet.
    It names files, rows, columns and pseudonyms only: never a cell's contents."""
    frame = failures_frame(failures).fillna("")
    frame = frame.map(lambda value: formula_safe(str(value)))
    frame.to_csv(path, index=False, encoding="utf-8", lineterminator="\n")


def _memory_database() -> duckdb.DuckDBPyConnection:
    """A private in-memory DuckDB database that never writes to disk: no temporary directory,
    so nothing it holds (identifiers, before they are pseudonymised) can spill to a file."""
    connection = duckdb.connect(":memory:")
    connection.execute("SET temp_directory = ''")
    connection.execute("SET enable_progress_bar = false")
    return connection


def _replace_staged_tables(
    connection: duckdb.DuckDBPyConnection,
    warehouse: Path,
    facts: pd.DataFrame,
    lists: pd.DataFrame,
    rows: Mapping[str, str],
) -> None:
    """Replace the warehouse's staged.case_* tables, in one transaction: facts and lists from
    frames, each list type's rows from a SELECT run in `connection`."""
    connection.register("case_facts_frame", facts)
    connection.register("case_lists_frame", lists)
    tables = {
        "case_facts": "SELECT * FROM case_facts_frame",
        "case_lists": "SELECT * FROM case_lists_frame",
        **{f"case_{list_type}": sql for list_type, sql in rows.items()},
    }
    connection.execute(f"ATTACH {sql_text(str(warehouse))} AS warehouse")
    try:
        connection.execute("BEGIN TRANSACTION")
        connection.execute("CREATE SCHEMA IF NOT EXISTS warehouse.staged")
        for name, sql in tables.items():
            connection.execute(f"CREATE OR REPLACE TABLE warehouse.staged.{name} AS {sql}")
        connection.execute("COMMIT")
    finally:
        connection.execute("DETACH warehouse")


def _facts(
    connection: duckdb.DuckDBPyConnection,
    staged: StagedLists,
    la_lookup: AreaLookup,
    local_targets: LocalTargets,
) -> pd.DataFrame:
    """The facts of every usable list, from the tables staging left in `connection`; an
    assessment counts against the local target of its authority in its quarter."""
    usable = [unit for unit in staged.units if unit.usable]
    if not usable:
        return empty_facts()
    quarters = quarters_frame({unit.number: unit.quarters for unit in usable})
    area_of = {unit.number: unit.area[0] for unit in usable}
    quarters["local_target"] = [
        local_target_days(local_targets, area_of[unit], end)
        for unit, end in zip(quarters["unit"], quarters["period_end"], strict=True)
    ]
    connection.register("case_quarters", quarters)
    list_types = {staged.unit_lists[unit.number] for unit in usable}
    if "assessments" in list_types:
        # Working days are numbered over the completed assessments of usable lists only.
        bounds = connection.execute(
            "SELECT min(assessment_start_date), max(assessment_authorised_date) "
            "FROM cases_assessments JOIN case_units USING (unit) "
            "WHERE usable AND assessment_authorised_date IS NOT NULL"
        ).fetchall()[0]
        connection.register("working_days", working_days_frame(*bounds))
    facts = []
    for list_type in sorted(list_types):
        units = [unit for unit in usable if staged.unit_lists[unit.number] == list_type]
        listed = quarters[quarters["unit"].isin([unit.number for unit in units])]
        counts = measure_counts(connection, list_type, listed)
        facts.append(case_facts(counts, listed, _lineage(units, staged, la_lookup)))
    return areas_in_force(pd.concat(facts, ignore_index=True), la_lookup)


def areas_in_force(facts: pd.DataFrame, la_lookup: AreaLookup) -> pd.DataFrame:
    """`facts` with each row's authority under the ONS code it had in the row's quarter
    (`area_on`), as a return's cover is read: a list giving North Yorkshire's 815 (today
    E06000065) for 2019-20 counts for E10000023, whose population and published figures that
    year are."""
    number_of = {entry[0]: key for key, entry in la_lookup.items() if key.isdigit()}
    entries = [
        area_on(la_lookup, number_of.get(code, code), pd.Timestamp(end).date())
        or (code, name, region)
        for code, name, region, end in zip(
            facts["area_code"],
            facts["area_name"],
            facts["region_code"],
            facts["period_end"],
            strict=True,
        )
    ]
    return facts.assign(
        area_code=[entry[0] for entry in entries],
        area_name=[entry[1] for entry in entries],
        region_code=[entry[2] for entry in entries],
    )


def _lineage(units: Sequence[Unit], staged: StagedLists, la_lookup: AreaLookup) -> pd.DataFrame:
    """Per unit: its authority (code, name, region) and the file its facts come from."""
    rows = []
    for unit in units:
        item = staged.files[unit.file_number]
        area_code, area_name, region_code = la_lookup[unit.area[0]]
        rows.append(
            (unit.number, area_code, area_name, region_code, item.file.name,
             f"S-{item.sha256[:16]}", item.sha256)
        )  # fmt: skip
    columns = ["unit", "area_code", "area_name", "region_code", "source", "submission_id"]
    return pd.DataFrame(rows, columns=[*columns, "source_sha256"])


_LISTS_SQL = (
    "SELECT list_type, source AS file, submission_id, source_sha256, area_code, period_start, "
    "period_end, rows, CASE WHEN usable THEN 'accepted' ELSE 'rejected' END AS status "
    "FROM case_units ORDER BY unit"
)
