"""figures.read_only: a connection of its own, closed afterwards, or the caller's, left open."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from lscb_metrics.publish.figures import read_only


@pytest.fixture
def warehouse(tmp_path: Path) -> Path:
    """An empty DuckDB file."""
    path = tmp_path / "warehouse.duckdb"
    duckdb.connect(str(path)).close()
    return path


def test_its_own_connection_is_closed_afterwards(warehouse: Path) -> None:
    with read_only(warehouse) as connection:
        assert connection.execute("SELECT 1").fetchall() == [(1,)]
    with pytest.raises(duckdb.ConnectionException):
        connection.execute("SELECT 1")


def test_the_callers_connection_is_used_and_left_open(warehouse: Path) -> None:
    opened = duckdb.connect(str(warehouse), read_only=True)
    with read_only(warehouse, opened) as connection:
        assert connection is opened
    assert opened.execute("SELECT 1").fetchall() == [(1,)]
    opened.close()
