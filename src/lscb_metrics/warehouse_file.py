"""Opening the warehouse file: DuckDB's open errors as causes a user can act on (another
program holds it; it is not a DuckDB database). Only duckdb is imported, so that the commands
that only read (`explain`, `report`) check a warehouse quickly."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb

from lscb_metrics.errors import LscbError, WarehouseBusy, WarehouseCorrupt


def connect(path: Path, *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open the warehouse; WarehouseBusy if another program holds it, WarehouseCorrupt if it is
    not a DuckDB database."""
    if not read_only:
        path.parent.mkdir(parents=True, exist_ok=True)
    try:
        return duckdb.connect(str(path), read_only=read_only)
    except duckdb.IOException as error:
        known = _open_error(path, str(error))
        if known is None:
            raise
        raise known from error


def check_writable(path: Path) -> None:
    """Nothing when a run could open the warehouse for writing now (or it does not exist yet);
    WarehouseBusy or WarehouseCorrupt naming the cause otherwise."""
    if path.exists():
        connect(path).close()


def _open_error(path: Path, message: str) -> LscbError | None:
    """DuckDB's open error as the cause a user can act on, or None if it is neither."""
    if "not a valid DuckDB database" in message:
        return WarehouseCorrupt(
            f"{path} is not a DuckDB database (damaged or overwritten). Restore the previous "
            "copy from your backup, or move it aside and rebuild it with one `lscb-metrics run "
            f"--period <latest quarter> --warehouse {path}`: {path.parent / 'store'} keeps "
            "every accepted return, so one run recomputes every figure"
        )
    if "Could not set lock" in message:
        # DuckDB names the holder: "Conflicting lock is held in /usr/bin/python3 (PID 123)".
        holder = re.search(r"held in (.+?) \(PID (\d+)\)", message)
        named = f" ({Path(holder[1]).name}, PID {holder[2]})" if holder else ""
        return WarehouseBusy(
            f"the warehouse {path} is open in another program{named}, such as an analyst's "
            "DuckDB session or notebook; close that connection and run again (to read while "
            "runs happen, open a copy, or the Parquet files in the curated folder)"
        )
    return None
