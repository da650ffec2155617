"""The warehouse's layout: which numbered version of schemas/warehouse.yaml its relations follow.

A warehouse keeps rows across runs (audit.runs, submissions, validation failures, board runs),
so one written by an older lscb_metrics is brought up to the relations this one declares, and
one written by a newer lscb_metrics is left alone: this version would drop the columns it does
not know. Each layout a warehouse is created at or brought up to is recorded in audit.layouts by
the commit of the run that did it, so a failed run leaves it as it was. A warehouse with
relations but no audit.layouts was written before layouts were recorded: layout 0.

Only duckdb and yaml are imported, so that `explain` checks a warehouse without pandas; a
warehouse that cannot be opened is named as `warehouse_file.connect` names it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import duckdb

import lscb_metrics
from lscb_metrics.errors import WarehouseLayoutError
from lscb_metrics.marked_yaml import load_marked
from lscb_metrics.warehouse_file import connect

LAYOUTS = "audit.layouts"
#: The layout of a warehouse written before layouts were recorded.
BEFORE_LAYOUTS = 0
LAYOUTS_DDL = f"""
CREATE TABLE IF NOT EXISTS {LAYOUTS} (
    layout INTEGER,
    previous_layout INTEGER,
    tool_version VARCHAR,
    run_id VARCHAR,
    recorded_at TIMESTAMP,
    changes VARCHAR
)
"""


@dataclass(frozen=True)
class Layout:
    """The layout schemas/warehouse.yaml declares, and what each layout changed."""

    number: int
    changes: Mapping[int, str]

    def changes_since(self, earlier: int | None) -> str:
        """What the layouts after `earlier` up to this one changed (a new warehouse: none)."""
        if earlier is None:
            return f"created at layout {self.number}"
        return " ".join(
            f"Layout {n}: {text}"
            for n, text in sorted(self.changes.items())
            if earlier < n <= self.number
        )


@dataclass(frozen=True)
class Recorded:
    """The layout a warehouse was last brought to, and by which lscb_metrics version (None
    where it was not recorded)."""

    layout: int
    tool_version: str | None


def declared_layout(declaration: Path) -> Layout:
    """The layout declared in schemas/warehouse.yaml (`layout`, and `layouts`: what each
    changed)."""
    document = load_marked(declaration)
    return Layout(
        int(document["layout"]),
        {int(number): str(text) for number, text in document.get("layouts", {}).items()},
    )


def recorded_layout(connection: duckdb.DuckDBPyConnection) -> Recorded | None:
    """The warehouse's latest recorded layout; layout 0 for one written before layouts were
    recorded; None for a warehouse that holds no relation yet."""
    tables = {
        name
        for (name,) in connection.execute(
            "SELECT schema_name || '.' || table_name FROM duckdb_tables() WHERE NOT internal"
        ).fetchall()
    }
    if LAYOUTS in tables:
        latest = connection.execute(
            f"SELECT layout, tool_version FROM {LAYOUTS} ORDER BY layout DESC, recorded_at DESC "
            "LIMIT 1"
        ).fetchone()
        if latest is not None:
            return Recorded(int(latest[0]), latest[1])
    return Recorded(BEFORE_LAYOUTS, None) if tables else None


def layout_refusal(
    path: Path, recorded: Recorded | None, layout: Layout, reading: bool = False
) -> WarehouseLayoutError | None:
    """Why this lscb_metrics cannot use the warehouse at `path` as it is, or None when it can:
    a newer layout is refused by every command; an older one by a command that only reads
    (`reading`), since only a run's commit brings it up to date."""
    if recorded is None or recorded.layout == layout.number:
        return None
    this = f"this is lscb_metrics {lscb_metrics.__version__}"
    if recorded.layout > layout.number:
        writer = f" {recorded.tool_version}" if recorded.tool_version else ""
        return WarehouseLayoutError(
            f"{path} was written by a newer lscb_metrics{writer} (warehouse layout "
            f"{recorded.layout}); {this}, which knows layouts up to {layout.number}, and would "
            "drop what it does not know. Nothing was changed: use the newer version again "
            "(`git pull`, then `make install`)"
        )
    if not reading:
        return None
    written = (
        "before warehouse layouts were recorded"
        if recorded.layout == BEFORE_LAYOUTS
        else f"at warehouse layout {recorded.layout}"
    )
    return WarehouseLayoutError(
        f"{path} was written by an older lscb_metrics ({written}); {this}, whose layout is "
        f"{layout.number}. Nothing was changed: run a quarter with this version first "
        "(`lscb-metrics run --period <latest quarter>`; its commit brings the warehouse up to "
        "date and keeps every row of its history), then run this command again"
    )


def check_layout(path: Path, declaration: Path, reading: bool = False) -> None:
    """Nothing when this lscb_metrics can use the warehouse at `path` (or there is none yet);
    WarehouseLayoutError naming the versions and what to do otherwise (see `layout_refusal`)."""
    if not path.is_file():
        return
    connection = connect(path, read_only=True)
    try:
        recorded = recorded_layout(connection)
    finally:
        connection.close()
    refusal = layout_refusal(path, recorded, declared_layout(declaration), reading)
    if refusal is not None:
        raise refusal
