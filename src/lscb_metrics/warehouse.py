"""The DuckDB warehouse adapter: layers staged -> reference -> curated, plus audit (the files
themselves are kept unchanged in data/store/ and data/quarantine/, not in the warehouse).

A run writes all of its relations in ONE transaction, so the warehouse holds either the whole
run or (after a crash or kill at any point) exactly what it held before. DuckDB allows one
writing process per file; a second run stops at once with a clear message. The same transaction
brings a warehouse an older lscb_metrics wrote up to the current layout (lscb_metrics.layout):
audit.runs gains the columns it lacks, empty for the runs before, and the layout is recorded.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pyarrow as pa

import lscb_metrics
from lscb_metrics.layout import (
    LAYOUTS,
    LAYOUTS_DDL,
    Layout,
    Recorded,
    layout_refusal,
    recorded_layout,
)
from lscb_metrics.marked_yaml import load_marked
from lscb_metrics.sql import sql_text
from lscb_metrics.warehouse_file import connect

SCHEMAS = ("staged", "reference", "curated", "audit")
DATE_COLUMNS = (
    "period_start",
    "period_end",
    "comparator_period_end",
    "covered_from",
    "covered_until",
    "in_force_from",
    "in_force_until",
)
# Lists that may all be empty in a run, which DuckDB could not type by looking at them.
LIST_COLUMNS = ("submission_ids", "source_sha256s")

RUNS = "audit.runs"
#: audit.runs, the one relation a run appends to rather than writes whole: its columns and
#: types, in order. A column added here is added to an older warehouse's audit.runs, empty for
#: the runs recorded before (schemas/warehouse.yaml says what that means, and raises `layout`).
RUNS_COLUMNS = {
    "run_id": "VARCHAR PRIMARY KEY",
    "period": "VARCHAR",
    "started_at": "TIMESTAMP",
    "finished_at": "TIMESTAMP",
    "outcome": "VARCHAR",
    "submissions_used": "VARCHAR[]",
    "submissions_rejected": "VARCHAR[]",
    "missing_returns": "VARCHAR[]",
    "sn_model": "VARCHAR",
    "quality_passed": "BOOLEAN",
    "quality_failures": "VARCHAR[]",
    "tool_version": "VARCHAR",
}


#: What brings the rows an older warehouse recorded to each layout (schemas/warehouse.yaml's
#: `layouts`): the relation and the SQL, run by the commit that brings the warehouse to that
#: layout, after the run's relations are written (so on the earlier rows they keep).
LAYOUT_STEPS: dict[int, tuple[str, str]] = {
    # A kept file was recorded by its absolute path, `<the warehouse's folder>/store/<id>/<file>`
    # (or quarantine/): relative to that folder wherever it was, the warehouse moved or shared
    # still finds its files, and names nobody's home folder.
    2: (
        "audit.submissions",
        "UPDATE audit.submissions "
        "SET archived_path = regexp_extract(archived_path, '[^/]+/[^/]+/[^/]+$') "
        "WHERE starts_with(archived_path, '/')",
    ),
}


def relation_descriptions(path: Path) -> dict[str, dict[str, Any]]:
    """Relation and column descriptions declared in schemas/warehouse.yaml; CatalogueError naming
    the line of a key given twice (which YAML would silently take as an overwrite)."""
    return load_marked(path)["relations"]


@contextmanager
def staged_run(
    path: Path,
    relations: Mapping[str, pd.DataFrame],
    descriptions: Mapping[str, Mapping[str, Any]],
    layout: Layout,
) -> Iterator[StagedRun]:
    """The run's relations being written into one open transaction on a thread of their own,
    which `StagedRun.commit` completes with the run's record; rolled back unless committed.
    DuckDB writes without holding Python's lock, so the writing overlaps what this thread does
    meanwhile (a run's quality checkpoint)."""
    # Converted here, not on the thread: pandas may reorganise a frame's blocks as it copies it,
    # which must not happen while the quality checkpoint reads the same frames.
    tables = {name: _arrow_relation(frame) for name, frame in relations.items()}
    staged = StagedRun(connect(path), path, tables, descriptions, layout)
    try:
        yield staged
    finally:
        staged.rollback()


class StagedRun:
    """A run's relations written, on a thread, into a transaction left open for `commit`."""

    def __init__(
        self,
        connection: duckdb.DuckDBPyConnection,
        path: Path,
        tables: Mapping[str, tuple[pa.Table, str]],
        descriptions: Mapping[str, Mapping[str, Any]],
        layout: Layout,
    ) -> None:
        self._connection = connection
        self._layout = layout
        self._descriptions = descriptions
        self._error: BaseException | None = None
        self._recorded: Recorded | None = None
        self._open = True
        connection.execute("BEGIN TRANSACTION")
        self._writer = threading.Thread(
            target=self._write, args=(path, tables), name="lscb-commit", daemon=True
        )
        self._writer.start()

    def _write(self, path: Path, tables: Mapping[str, tuple[pa.Table, str]]) -> None:
        """Every relation written and described; an error kept for `commit` to raise."""
        connection = self._connection
        try:
            self._recorded = _usable_layout(connection, path, self._layout)
            for schema in SCHEMAS:
                connection.execute(f"CREATE SCHEMA IF NOT EXISTS {schema}")
            _runs_brought_up(connection)
            for name, (table, replace) in tables.items():
                _replace_relation(connection, name, table, replace)
                describe_relation(connection, name, self._descriptions.get(name, {}))
            describe_relation(connection, RUNS, self._descriptions.get(RUNS, {}))
        except BaseException as error:  # raised again in this run's own thread, by commit
            self._error = error

    def commit(self, run_record: Mapping[str, Any]) -> None:
        """Once every relation is written: the run's record appended, the rows of an older
        layout brought up, and the transaction committed."""
        self._writer.join()
        if self._error is not None:
            raise self._error
        connection, layout, recorded = self._connection, self._layout, self._recorded
        _insert_run(connection, run_record)
        if recorded is not None:
            _rows_brought_up(connection, recorded.layout, layout.number)
        if recorded is None or recorded.layout < layout.number:
            _record_layout(
                connection, layout, None if recorded is None else recorded.layout, run_record
            )
        describe_relation(connection, LAYOUTS, self._descriptions.get(LAYOUTS, {}))
        connection.execute("COMMIT")
        self._close()

    def rollback(self) -> None:
        """Everything written undone, once the writing has stopped (nothing if committed)."""
        if not self._open:
            return
        self._writer.join()
        # A transaction DuckDB has already ended (a COMMIT that failed) has nothing to roll back,
        # and the error saying so must not take the place of the one that failed the run; closing
        # the connection undoes whatever is left uncommitted.
        with contextlib.suppress(duckdb.Error):
            self._connection.execute("ROLLBACK")
        self._close()

    def _close(self) -> None:
        self._open = False
        self._connection.close()


def previous_relation(
    path: Path, name: str, columns: tuple[str, ...] | None = None
) -> pd.DataFrame | None:
    """Relation `name` as the warehouse holds it before this run, or None if there is none;
    with `columns`, exactly those, any that an older warehouse's relation lacks empty."""
    if not path.exists():
        return None
    schema, table = name.split(".", 1)
    connection = connect(path, read_only=True)
    try:
        [(exists,)] = connection.execute(
            "SELECT count(*) FROM information_schema.tables "
            "WHERE table_schema = ? AND table_name = ?",
            [schema, table],
        ).fetchall()
        if not exists:
            return None
        earlier = connection.execute(f"SELECT * FROM {name}").df()
        return earlier if columns is None else earlier.reindex(columns=list(columns))
    finally:
        connection.close()


def previous_receipts(path: Path) -> dict[str, datetime]:
    """When each file (by SHA-256) was first received, from the warehouse's audit record."""
    submissions = previous_relation(path, "audit.submissions")
    if submissions is None:
        return {}
    received = pd.to_datetime(submissions["received_at"]).dt.to_pydatetime()
    return dict(zip(submissions["sha256"], received, strict=True))


def record_run(path: Path, run_record: Mapping[str, Any], layout: Layout) -> None:
    """Append a run's audit record alone (a run that published nothing), in one transaction.
    The warehouse keeps its layout: its other relations are still the older version's."""
    with _transaction(path) as connection:
        _usable_layout(connection, path, layout)
        connection.execute("CREATE SCHEMA IF NOT EXISTS audit")
        _runs_brought_up(connection)
        _insert_run(connection, run_record)


def _usable_layout(
    connection: duckdb.DuckDBPyConnection, path: Path, layout: Layout
) -> Recorded | None:
    """The warehouse's recorded layout, which a run may write to; WarehouseLayoutError (and so
    no change) where a newer lscb_metrics wrote it since the run began."""
    recorded = recorded_layout(connection)
    refusal = layout_refusal(path, recorded, layout)
    if refusal is not None:
        raise refusal
    return recorded


def _runs_brought_up(connection: duckdb.DuckDBPyConnection) -> None:
    """audit.runs as RUNS_COLUMNS declares it: created, or given the columns an older
    warehouse's lacks (empty for the runs recorded before)."""
    columns = ", ".join(f"{name} {kind}" for name, kind in RUNS_COLUMNS.items())
    connection.execute(f"CREATE TABLE IF NOT EXISTS {RUNS} ({columns})")
    present = _columns_of(connection, RUNS)
    for name, kind in RUNS_COLUMNS.items():
        if name not in present:
            connection.execute(f"ALTER TABLE {RUNS} ADD COLUMN {name} {kind}")


def _rows_brought_up(connection: duckdb.DuckDBPyConnection, earlier: int, layout: int) -> None:
    """The rows a warehouse at layout `earlier` recorded brought to `layout` (LAYOUT_STEPS), in
    the relations it has."""
    for number, (relation, sql) in sorted(LAYOUT_STEPS.items()):
        if earlier < number <= layout and _columns_of(connection, relation):
            connection.execute(sql)


def _record_layout(
    connection: duckdb.DuckDBPyConnection,
    layout: Layout,
    previous: int | None,
    run_record: Mapping[str, Any],
) -> None:
    """Record in audit.layouts that the run's commit brought the warehouse to `layout`."""
    connection.execute(LAYOUTS_DDL)
    connection.execute(
        f"INSERT INTO {LAYOUTS} VALUES (?, ?, ?, ?, ?, ?)",
        [
            layout.number,
            previous,
            lscb_metrics.__version__,
            run_record["run_id"],
            datetime.now(UTC).replace(tzinfo=None),
            layout.changes_since(previous),
        ],
    )


@contextmanager
def _transaction(path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """A connection inside one transaction: committed if the block ends, rolled back if it
    raises (or the process dies, which DuckDB's write-ahead log undoes)."""
    connection = connect(path)
    try:
        connection.execute("BEGIN TRANSACTION")
        yield connection
        connection.execute("COMMIT")
    except BaseException:
        connection.execute("ROLLBACK")
        raise
    finally:
        connection.close()


def _insert_run(connection: duckdb.DuckDBPyConnection, run_record: Mapping[str, Any]) -> None:
    """INSERT the run's record into audit.runs."""
    columns = ", ".join(run_record)
    placeholders = ", ".join("?" for _ in run_record)
    connection.execute(
        f"INSERT INTO audit.runs ({columns}) VALUES ({placeholders})", list(run_record.values())
    )


def _arrow_relation(frame: pd.DataFrame) -> tuple[pa.Table, str]:
    """`frame` as the Arrow table `_replace_relation` writes, and the REPLACE clause typing its
    date columns DATE and its list columns lists of text."""
    # Shallow: pandas copies on write, so retyping columns here leaves the caller's frame as it is.
    staged = frame.copy(deep=False)
    casts = []
    for column in DATE_COLUMNS:
        if column in staged.columns:
            staged[column] = pd.to_datetime(staged[column])
            casts.append(f"CAST({column} AS DATE) AS {column}")
    casts += [f"CAST({c} AS VARCHAR[]) AS {c}" for c in LIST_COLUMNS if c in staged.columns]
    replace = f" REPLACE ({', '.join(casts)})" if casts else ""
    # Through Arrow, which types a column from all its values: DuckDB's pandas scan guesses from
    # the first rows and fails on lists that start empty.
    incoming = pa.Table.from_pandas(staged, preserve_index=False)
    return incoming.cast(text_for_untyped(incoming.schema)), replace


def _replace_relation(
    connection: duckdb.DuckDBPyConnection, name: str, table: pa.Table, replace: str
) -> None:
    """CREATE OR REPLACE `name` from `table` (see `_arrow_relation`)."""
    connection.register("_incoming", table)
    # Unregistered only after success: in a failed transaction unregistering fails too, and its
    # error would hide DuckDB's own; the connection is then rolled back and closed.
    connection.execute(f"CREATE OR REPLACE TABLE {name} AS SELECT *{replace} FROM _incoming")
    connection.unregister("_incoming")


def text_for_untyped(schema: pa.Schema) -> pa.Schema:
    """`schema` with every column of no type (each value empty, as in a run without revisions or
    withdrawals) typed as text, and lists of such columns as lists of text."""
    # DuckDB would keep such a column typed NULL: an analyst's comparison, string function or
    # UNION with a later run's relation then fails or silently yields nothing.

    def typed(kind: pa.DataType) -> pa.DataType:
        if pa.types.is_null(kind):
            return pa.string()
        if pa.types.is_list(kind) and pa.types.is_null(kind.value_type):
            return pa.list_(pa.string())
        return kind

    return pa.schema([field.with_type(typed(field.type)) for field in schema])


def describe_relation(
    connection: duckdb.DuckDBPyConnection, name: str, description: Mapping[str, Any]
) -> None:
    """Attach the declared table and column comments to relation `name`."""
    if "description" in description:
        connection.execute(f"COMMENT ON TABLE {name} IS {sql_text(description['description'])}")
    present = _columns_of(connection, name)
    for column, text in description.get("columns", {}).items():
        if column in present:
            connection.execute(f"COMMENT ON COLUMN {name}.{column} IS {sql_text(text)}")


def _columns_of(connection: duckdb.DuckDBPyConnection, name: str) -> set[str]:
    """The columns relation `name` has (none where it does not exist)."""
    return {
        row[0]
        for row in connection.execute(
            "SELECT column_name FROM information_schema.columns "
            "WHERE table_schema = ? AND table_name = ?",
            name.split(".", 1),
        ).fetchall()
    }
