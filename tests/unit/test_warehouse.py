"""Warehouse descriptions: schemas/warehouse.yaml read strictly, every relation in it apart."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from lscb_metrics.errors import CatalogueError
from lscb_metrics.layout import declared_layout
from lscb_metrics.warehouse import (
    _arrow_relation,
    _replace_relation,
    relation_descriptions,
    staged_run,
)

SCHEMAS = Path(__file__).resolve().parents[2] / "schemas"


def test_the_shipped_descriptions_keep_each_relation_apart() -> None:
    relations = relation_descriptions(SCHEMAS / "warehouse.yaml")
    assert relations["audit.revisions"]["description"].startswith("Figures a resubmission")
    assert "superseded_id" in relations["audit.revisions"]["columns"]
    assert relations["staged.return_rows"]["columns"]["location"].startswith("Cell as")


def test_a_relation_described_twice_over_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "warehouse.yaml"
    path.write_text(
        "relations:\n"
        "  audit.revisions:\n"
        "    description: Figures a resubmission changed.\n"
        "    description: Every typed data cell.\n",
        encoding="utf-8",
    )
    with pytest.raises(CatalogueError, match=r"warehouse\.yaml:4: 'description' given twice"):
        relation_descriptions(path)


def test_the_value_note_description_covers_a_rate_on_the_latest_estimate() -> None:
    # value_note also annotates a present value (a board's 2025-26 rate on mid-2024, until
    # mid-2025 is shipped), yet was described as saying only why a value is missing: an analyst
    # taking `value_note IS NOT NULL` for missing values dropped every such rate.
    relations = relation_descriptions(SCHEMAS / "warehouse.yaml")
    note = relations["curated.indicator_values"]["columns"]["value_note"]
    assert "latest" in note and "revised" in note
    assert "latest" in relations["curated.comparisons"]["columns"]["comparator_note"]


def test_a_relation_that_cannot_be_written_raises_duckdbs_own_error() -> None:
    # In a transaction DuckDB has aborted, tidying up fails too ("Current transaction is
    # aborted"): that message must not take the place of the one saying what went wrong.
    connection = duckdb.connect(":memory:")
    connection.execute("BEGIN TRANSACTION")
    with pytest.raises(duckdb.CatalogException, match="no_such_schema"):
        _replace_relation(
            connection, "no_such_schema.values", *_arrow_relation(pd.DataFrame({"value": [1.0]}))
        )


def test_a_relation_without_rows_keeps_the_types_its_rows_would_have() -> None:
    from lscb_metrics.revisions import revisions_table
    from lscb_metrics.submissions import skipped_table
    from lscb_metrics.withdraw import withdrawals_table

    # A run without revisions, withdrawals or skipped entries (the demo's) wrote these columns
    # typed NULL, as were lists that are all empty and columns that are always empty.
    connection = duckdb.connect(":memory:")
    connection.execute("CREATE SCHEMA audit")
    relations = {
        "audit.revisions": revisions_table([], {}),
        "audit.withdrawals": withdrawals_table([]),
        "audit.skipped_entries": skipped_table([], "run-1"),
        "audit.board_runs": pd.DataFrame({"missing_returns": [[]], "symbol": [None]}),
    }
    for name, frame in relations.items():
        _replace_relation(connection, name, *_arrow_relation(frame))
    types = dict(
        connection.execute(
            "SELECT table_name || '.' || column_name, data_type FROM duckdb_columns() "
            "WHERE schema_name = 'audit'"
        ).fetchall()
    )
    assert [column for column, kind in types.items() if "NULL" in kind] == []
    assert types["revisions.value"] == types["revisions.usual_change"] == "DOUBLE"
    assert types["revisions.period_end"] == "DATE"
    assert types["revisions.message"] == types["skipped_entries.path"] == "VARCHAR"
    assert types["withdrawals.withdrawn_at"] == "TIMESTAMP"
    assert types["board_runs.missing_returns"] == "VARCHAR[]"
    assert types["board_runs.symbol"] == "VARCHAR"


def test_a_withdrawal_keeps_the_description_of_audit_withdrawals(tmp_path: Path) -> None:
    from datetime import datetime

    from lscb_metrics.withdraw import WITHDRAWALS, Withdrawal, record_in_warehouse

    # Replacing the table dropped its comments: until the next run, an analyst reading
    # duckdb_columns() after `lscb-metrics withdraw` found audit.withdrawals undescribed.
    path = tmp_path / "warehouse.duckdb"
    withdrawal = Withdrawal(
        "S-0123456789abcdef", "ab" * 32, "SUH_training.csv", "wrong hospital", "analyst",
        datetime(2015, 1, 2, 3, 4, 5),
    )  # fmt: skip
    description = relation_descriptions(SCHEMAS / "warehouse.yaml")[WITHDRAWALS]
    record_in_warehouse(path, [withdrawal], description)
    connection = duckdb.connect(str(path), read_only=True)
    try:
        [(table,)] = connection.sql(
            "SELECT comment FROM duckdb_tables() WHERE table_name = 'withdrawals'"
        ).fetchall()
        columns = dict(
            connection.sql(
                "SELECT column_name, comment FROM duckdb_columns() WHERE table_name = 'withdrawals'"
            ).fetchall()
        )
    finally:
        connection.close()
    assert table == description["description"]
    assert columns["reason"] == description["columns"]["reason"]


def curated_values(path: Path) -> list[tuple[float]]:
    """The rows of curated.values in the warehouse at `path`."""
    with duckdb.connect(str(path), read_only=True) as connection:
        return connection.execute("SELECT value FROM curated.values").fetchall()


@pytest.fixture
def warehouse_with_a_value(tmp_path: Path) -> Path:
    """A warehouse whose curated.values holds one row, 1.0."""
    path = tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(path)) as connection:
        connection.execute("CREATE SCHEMA curated")
        connection.execute("CREATE TABLE curated.values AS SELECT 1.0 AS value")
    return path


def test_a_staged_run_left_uncommitted_changes_nothing(warehouse_with_a_value: Path) -> None:
    layout = declared_layout(SCHEMAS / "warehouse.yaml")
    new = {"curated.values": pd.DataFrame({"value": [2.0, 3.0]})}
    with staged_run(warehouse_with_a_value, new, {}, layout):
        pass  # the quality checkpoint failed, say: the run never commits
    assert curated_values(warehouse_with_a_value) == [(1.0,)]


def test_a_relation_the_staged_run_cannot_write_fails_its_commit(
    warehouse_with_a_value: Path,
) -> None:
    # The relations are written on a thread of their own: its error is raised where the run
    # commits, as DuckDB gave it, and nothing it wrote before it stays.
    layout = declared_layout(SCHEMAS / "warehouse.yaml")
    new = {
        "curated.values": pd.DataFrame({"value": [2.0]}),
        "no_such_schema.values": pd.DataFrame({"value": [3.0]}),
    }
    with (
        pytest.raises(duckdb.CatalogException, match="no_such_schema"),
        staged_run(warehouse_with_a_value, new, {}, layout) as staged,
    ):
        staged.commit({"run_id": "run-1", "period": "2014-15 Q2"})
    assert curated_values(warehouse_with_a_value) == [(1.0,)]
    with duckdb.connect(str(warehouse_with_a_value), read_only=True) as connection:
        assert connection.execute(
            "SELECT count(*) FROM duckdb_tables() WHERE schema_name = 'audit'"
        ).fetchall() == [(0,)]


def test_staging_a_frame_for_the_warehouse_leaves_the_frame_as_it_was() -> None:
    frame = pd.DataFrame({"period_end": [date(2014, 9, 30)], "submission_ids": [["S-1"]]})

    table, replace = _arrow_relation(frame)

    assert str(table.schema.field("period_end").type).startswith("timestamp")
    assert "CAST(period_end AS DATE)" in replace
    # The run's plan keeps its dates as dates: the quality checkpoint and the editions read it.
    assert frame["period_end"].tolist() == [date(2014, 9, 30)]
