"""Benchmark: national-scale case lists through ingest, validation, pseudonymisation and derivation.

Generates SYNTHETIC case lists (lscb_metrics.cases.synthetic: about 650,000 referrals, 600,000
assessments, 170,000 section 47 enquiries and 70,000 plan starts a year over 150 authorities at
--scale 1) into a temporary folder, then times, each in a fresh process:

- the pipeline: `derive_case_facts` (read, type, validate, pseudonymise, derive) writing its
  facts and pseudonymised rows into a new DuckDB warehouse file;
- the baseline, in the same run: DuckDB reading the same files (typed as declared) and computing
  the same counts with the same derivation SQL, with no validation and no pseudonymisation.

Both find the files in the page cache (they are read once first, untimed).

Peak memory is the pipeline process's ru_maxrss (DuckDB allocates outside Python, so tracemalloc
would miss it). Generation is timed separately and excluded. With --repeat N the medians are
reported. The last line reads exactly:

    benchmark: wall_s=<seconds> peak_mb=<MB> baseline_s=<seconds> ratio=<wall/baseline>

Usage: .venv/bin/python benchmarks/bench_case_lists.py [--years 10] [--authorities 150]
       [--scale 1.0] [--repeat 1] [--files DIR]
Goal on a 2-core, 24 GB machine: the 10-year national set in at most 60 s, peak <= 3 GB, and at
most 3 times the baseline.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import resource
import secrets
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import duckdb

from lscb_metrics.cases import derive_case_facts, load_case_specs
from lscb_metrics.cases.derive import measure_counts, quarters_frame, working_days_frame
from lscb_metrics.cases.stage import DEFAULT_LOCAL_TARGET_DAYS
from lscb_metrics.cases.synthetic import (
    FIRST_YEAR,
    LIST_TYPES,
    synthetic_la_lookup,
    write_case_lists,
)
from lscb_metrics.cases.validate import quarters_between
from lscb_metrics.intake.declarations import SCHEMAS_DIR
from lscb_metrics.periods import Quarter

MB = 1024  # ru_maxrss is in KiB on Linux


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--years", type=int, default=10, help="financial years (default 10)")
    parser.add_argument("--authorities", type=int, default=150, help="authorities (default 150)")
    parser.add_argument("--scale", type=float, default=1.0, help="volume per authority x F")
    parser.add_argument("--repeat", type=int, default=1, help="runs of each; medians reported")
    parser.add_argument("--files", type=Path, help="generate into (or reuse) this folder")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="lscb-bench-") as scratch:
        folder = args.files or Path(scratch) / "lists"
        started = time.perf_counter()
        paths = sorted(folder.glob("*.csv")) if args.files and folder.is_dir() else []
        if not paths:
            paths = _in_process(write_case_lists, folder, args.years, args.authorities, args.scale)
        generation_s = time.perf_counter() - started
        os.sync()  # the files just written are on disk, not being written back during a run
        _warm(paths)
        rows = sum(_rows(path) for path in paths)
        size_mb = sum(path.stat().st_size for path in paths) / 1e6
        print(
            f"generated {len(paths)} files, {rows:,} rows, {size_mb:,.0f} MB "
            f"in {generation_s:.1f} s (not timed below)"
        )
        runs = []
        for run in range(args.repeat):
            warehouse = Path(scratch) / f"warehouse-{run}.duckdb"
            wall, peak = _in_process(_pipeline, paths, args.authorities, warehouse)
            baseline, baseline_peak = _in_process(_baseline, paths, args.years)
            runs.append((wall, peak, baseline))
            print(
                f"run {run + 1}: pipeline {wall:.2f} s ({rows / wall:,.0f} rows/s, peak "
                f"{peak:,.0f} MB); baseline {baseline:.2f} s (peak {baseline_peak:,.0f} MB)"
            )
    wall = statistics.median(r[0] for r in runs)
    peak = statistics.median(r[1] for r in runs)
    baseline = statistics.median(r[2] for r in runs)
    print(f"rows per second: {rows / wall:,.0f} (baseline {rows / baseline:,.0f})")
    ratio = wall / baseline
    figures = f"wall_s={wall:.2f} peak_mb={peak:.0f} baseline_s={baseline:.2f} ratio={ratio:.2f}"
    print(f"benchmark: {figures}")
    return 0


def _in_process(function, *args):  # type: ignore[no-untyped-def]
    """`function(*args)` in a fresh process (so each run's peak memory is its own)."""
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        return pool.apply(function, args)


def _pipeline(paths: list[Path], authorities: int, warehouse: Path) -> tuple[float, float]:
    """Seconds to derive the lists' facts into a warehouse, and the process's peak MB."""
    key = secrets.token_bytes(32)
    lookup = synthetic_la_lookup(authorities)
    started = time.perf_counter()
    result = derive_case_facts(paths, SCHEMAS_DIR, lookup, key, {}, warehouse=warehouse)
    wall = time.perf_counter() - started
    if result.errors:
        raise SystemExit(f"the synthetic lists failed validation: {result.errors[0].message}")
    return wall, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / MB


def _baseline(paths: list[Path], years: int) -> tuple[float, float]:
    """Seconds for DuckDB to read the same files, typed as declared, and compute the same counts
    with the same derivation SQL, with no validation or pseudonymisation; and the peak MB."""
    specs = load_case_specs(SCHEMAS_DIR)
    first, last = Quarter(FIRST_YEAR, 1), Quarter(FIRST_YEAR + years - 1, 4)
    started = time.perf_counter()
    connection = duckdb.connect(":memory:")
    connection.execute("SET enable_progress_bar = false")
    for list_type in LIST_TYPES:
        files = [str(path) for path in paths if path.stem.endswith(f"_{list_type}")]
        spec = specs[list_type]
        kept = [c for c in spec.columns if c.type in ("date", "code", "flag")]
        types = {c.name: _BASELINE_TYPES[c.type] for c in kept}
        columns = ", ".join(name for name in types if name not in ("period_start", "period_end"))
        connection.execute(
            f"CREATE TABLE cases_{list_type} AS SELECT la_code AS unit, child_id AS child, "
            f"{columns} FROM read_csv({files}, types = {types})"
        )
    units = [
        u for (u,) in connection.execute("SELECT DISTINCT unit FROM cases_referrals").fetchall()
    ]
    quarters = quarters_frame(dict.fromkeys(units, quarters_between(first.start, last.end)))
    quarters["local_target"] = DEFAULT_LOCAL_TARGET_DAYS
    connection.register("case_quarters", quarters)
    bounds = connection.execute(
        "SELECT min(assessment_start_date), max(assessment_authorised_date) FROM cases_assessments"
    ).fetchall()[0]
    connection.register("working_days", working_days_frame(*bounds))
    for list_type in LIST_TYPES:
        measure_counts(connection, list_type, quarters)
    connection.close()
    return time.perf_counter() - started, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / MB


_BASELINE_TYPES = {"date": "DATE", "code": "VARCHAR", "flag": "BOOLEAN"}


def _warm(paths: Sequence[Path]) -> None:
    """Read every file once so that both runs find them in the page cache, not on disk."""
    for path in paths:
        with path.open("rb") as handle:
            while handle.read(1 << 24):
                pass


def _rows(path: Path) -> int:
    """Data rows in a CSV file (lines less the header)."""
    with path.open("rb") as handle:
        return sum(block.count(b"\n") for block in iter(lambda: handle.read(1 << 20), b"")) - 1


if __name__ == "__main__":
    os.environ.setdefault("DO_NOT_TRACK", "1")
    sys.exit(main())
