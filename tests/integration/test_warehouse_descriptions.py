"""The warehouse a run builds: every relation and column described, as the README promises."""

from __future__ import annotations

import re
from fnmatch import fnmatch
from pathlib import Path

import duckdb

from lscb_metrics.warehouse import relation_descriptions


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


def readme_relations(readme: str) -> dict[str, set[str]]:
    """The relations README's "The warehouse" table names, by schema (`case_*` as written)."""
    table = readme.split("## The warehouse", 1)[1].split("Every table and column", 1)[0]
    listed: dict[str, set[str]] = {}
    for line in table.splitlines():
        cells = line.split("|")
        if len(cells) > 3 and cells[1].strip().startswith("`"):
            schema = cells[1].strip().strip("`")
            listed[schema] = set(re.findall(r"`([a-z_*]+)`", cells[2]))
    return listed


def test_the_warehouse_holds_exactly_the_documented_relations_and_columns(
    demo_warehouse: Path, project_root: Path
) -> None:
    declared = relation_descriptions(project_root / "schemas" / "warehouse.yaml")
    listed = readme_relations((project_root / "README.md").read_text(encoding="utf-8"))
    connection = duckdb.connect(str(demo_warehouse), read_only=True)
    try:
        schemas = {
            name
            for (name,) in connection.sql(
                "SELECT schema_name FROM duckdb_schemas() WHERE NOT internal "
                "AND database_name = current_database() AND schema_name <> 'main'"
            ).fetchall()
        }
        columns: dict[str, dict[str, str]] = {}
        for relation, column, kind in connection.sql(
            "SELECT schema_name || '.' || table_name, column_name, data_type "
            "FROM duckdb_columns() WHERE NOT internal ORDER BY column_index"
        ).fetchall():
            columns.setdefault(relation, {})[column] = kind
    finally:
        connection.close()
    # README names every schema the warehouse has and every relation declared, and no other.
    assert schemas == set(listed)
    named = {f"{schema}.{name}" for schema, names in listed.items() for name in names}
    assert [r for r in declared if not any(fnmatch(r, pattern) for pattern in named)] == []
    assert [p for p in named if not any(fnmatch(r, p) for r in declared)] == []
    # Every declared relation is in the warehouse (those of case lists only with --cases), with
    # exactly its declared columns, none typed NULL.
    case_lists = {r for r in declared if ".case_" in r}
    assert set(columns) == set(declared) - case_lists
    for relation, kinds in columns.items():
        assert set(kinds) == set(declared[relation]["columns"]), relation
        assert [c for c, kind in kinds.items() if "NULL" in kind] == [], relation


def test_an_analyst_finds_each_boards_current_local_target(demo_warehouse: Path) -> None:
    connection = duckdb.connect(str(demo_warehouse), read_only=True)
    try:
        current = connection.sql(
            "SELECT b.board_name, t.area_code, t.value FROM reference.local_targets AS t "
            "JOIN reference.boards AS b USING (board, area_code) "
            "WHERE t.target = 'assessment_working_days' AND t.in_force_until IS NULL "
            "ORDER BY t.area_code"
        ).fetchall()
    finally:
        connection.close()
    assert current == [
        ("Southend Local Safeguarding Children Board", "E06000033", 40),
        ("Thurrock Local Safeguarding Children Board", "E06000034", 45),
    ]
