"""SQL string literals, for what DuckDB cannot take as a parameter: ATTACH paths, COMMENT ON
texts, read_csv options and IN lists built from the board's codes."""

from __future__ import annotations

from collections.abc import Iterable


def sql_text(value: str) -> str:
    """`value` as a SQL string literal."""
    return "'" + value.replace("'", "''") + "'"


def sql_texts(values: Iterable[str]) -> str:
    """`values` as a SQL list of string literals, for `IN (...)` (NULL, matching nothing, when
    there are none)."""
    return ", ".join(sql_text(value) for value in values) or "NULL"
