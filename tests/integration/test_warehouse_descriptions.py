"""The warehouse a run builds: every relation and column described, as the README promises."""

from __future__ import annotations

from pathlib import Path

import duckdb


def test_every_relation_and_column_has_a_description(demo_warehouse: Path) -> None:
    connection = duckdb.connect(str(demo_warehouse), read_only=True)
    try:
        relations = connection.sql(
            "SELECT schema_name || '.' || table_name, comment FROM duckdb_tables() "
            "WHERE NOT internal"
        ).fetchall()
        columns = connection.sql(
            "SELECT schema_name || '.' || table_name || '.' || column_name, comment "
            "FROM duckdb_columns() WHERE NOT internal"
        ).fetchall()
    finally:
        connection.close()
    assert len(relations) >= 17 and len(columns) >= 200
    assert [name for name, comment in relations if not (comment or "").strip()] == []
    assert [name for name, comment in columns if not (comment or "").strip()] == []
    described = dict(relations)
    # Each relation keeps its own description: one missing key once merged two.
    assert described["audit.revisions"].startswith("Figures a resubmission changed")
    assert described["staged.return_rows"].startswith("Every typed data cell")
