"""Benchmark: the cost of a quarterly run with years of history behind it (incremental runs).

Builds a SYNTHETIC history of partner returns in a temporary folder with the demo's writers
(scripts/make_demo_returns.py): every return of every agency for each quarter of --years years,
--boards times over, then times whole runs of `lscb-metrics run` (Python, Prefect's temporary
server, validation, compute, quality checks, commit and publishing), each in a fresh process:

- first: the first run over the whole history (every file validated), with 2 workers, and once
  more into another warehouse with 1 worker (in process);
- next: the next quarter's files added to the inbox and that quarter run (only they are new);
- next_1yr: the same next run over a history of --control-years years (the control).

Until board profiles land a warehouse publishes one area, so the boards share the demo's area
(Southend) and agencies: board 2 and 3 send the same figures again in files of other bytes (an
XLSX titled for their board, a CSV with CRLF line ends or quoted fields), received as
resubmissions. Each is validated like any other file. The last line reads exactly:

    runs: first_s=<s> next_s=<s> next_1yr_s=<s> files=<files in the first run>

Usage: .venv/bin/python benchmarks/bench_runs.py [--years 10] [--boards 3] [--control-years 1]
       [--no-compare]
Goal on a 2-core machine: next_s <= 15 and next_s <= 1.5 x next_1yr_s.
"""

from __future__ import annotations

import argparse
import csv
import importlib.util
import io
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CLI = Path(sys.executable).with_name("lscb-metrics")
#: The quarter the next run reports on: the demo's last, so that every reference table has it.
NEXT = (2014, 2)


def _demo_writers():
    """scripts/make_demo_returns.py as a module (scripts/ is not a package)."""
    spec = importlib.util.spec_from_file_location(
        "make_demo_returns", ROOT / "scripts" / "make_demo_returns.py"
    )
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up while being made
    spec.loader.exec_module(module)
    return module


demo = _demo_writers()


@dataclass(frozen=True)
class HistoryReturn(demo.Return):
    """A demo return sent for any quarter (figures of the demo quarter `index`), by `board`."""

    when: demo.Quarter = demo.QUARTERS[0]
    board: int = 0

    @property
    def quarter(self):
        return self.when


def quarters_before(count: int) -> list:
    """The `count` financial quarters before NEXT, oldest first."""
    year, number = NEXT
    found = []
    for _ in range(count):
        year, number = (year, number - 1) if number > 1 else (year - 1, 4)
        found.append(demo.Quarter(year, number))
    return found[::-1]


def file_bytes(item: HistoryReturn) -> bytes:
    """The return's file as board `item.board` sends it: same figures, other bytes."""
    if item.relative_path.suffix == ".xlsx":
        demo.WORKBOOK_TITLE = f"Board {item.board + 1} partner return"
        return demo.xlsx_bytes(item)
    if item.board == 0:
        return demo.csv_bytes(item)
    text = demo.csv_bytes(item).decode("utf-8")
    rows = list(csv.reader(io.StringIO(text)))
    buffer = io.StringIO()
    quoting = csv.QUOTE_MINIMAL if item.board == 1 else csv.QUOTE_ALL
    csv.writer(buffer, lineterminator="\r\n", quoting=quoting).writerows(rows)
    return buffer.getvalue().encode("utf-8")


def write_quarters(folder: Path, quarters: Sequence, boards: int) -> int:
    """Every return of every agency for each quarter, once per board; the number of files."""
    templates = [r for r in demo.all_returns() if r.index == 0]
    written = 0
    for position, quarter in enumerate(quarters):
        for board in range(boards):
            for template in templates:
                item = HistoryReturn(
                    template.return_type, template.agency, position % 10, quarter, board
                )
                path = folder / f"board{board + 1}" / item.relative_path
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(file_bytes(item))
                written += 1
    return written


def timed_run(period, warehouse: Path, returns: Path, workers: int) -> float:
    """Seconds for `lscb-metrics run` of `period` in a fresh process; exits if it fails."""
    started = time.perf_counter()
    run = subprocess.run(
        [
            str(CLI),
            "run",
            "--period",
            period.folder,
            "--warehouse",
            str(warehouse),
            "--returns",
            str(returns),
            "--workers",
            str(workers),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    seconds = time.perf_counter() - started
    print(f"  {period.folder} run, {workers} worker(s), {warehouse.parent.name}: {seconds:.1f} s")
    if run.returncode != 0 or ": complete" not in run.stdout:
        raise SystemExit(
            f"the {period.folder} run did not complete:\n{run.stdout[-2000:]}\n{run.stderr[-3000:]}"
        )
    return seconds


def incremental_runs(
    scratch: Path, years: int, boards: int, compare: bool
) -> tuple[float, float | None, float, int]:
    """Seconds of the first run over `years` of history with 2 workers and (if `compare`) with
    1, then of the next quarter's run; and the number of files in the first."""
    returns = scratch / "returns"
    history = quarters_before(4 * years)
    files = write_quarters(returns, history, boards)
    warehouse = scratch / "two" / "warehouse.duckdb"
    first = timed_run(history[-1], warehouse, returns, 2)
    # Its own warehouse, so its own store: nothing validated before.
    single = timed_run(history[-1], scratch / "one" / "w.duckdb", returns, 1) if compare else None
    next_quarter = demo.Quarter(*NEXT)
    write_quarters(returns, [next_quarter], boards)
    return first, single, timed_run(next_quarter, warehouse, returns, 2), files


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--years", type=int, default=10, help="years of history (default 10)")
    parser.add_argument("--boards", type=int, default=3, help="boards sending (default 3)")
    parser.add_argument("--control-years", type=int, default=1, help="the control's history")
    parser.add_argument("--no-compare", action="store_true", help="skip the 1-worker first run")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="lscb-bench-runs-") as folder:
        scratch = Path(folder)
        first, single, next_s, files = incremental_runs(
            scratch / "history", args.years, args.boards, not args.no_compare
        )
        print(f"{args.years} years, {files} files: first run {first:.1f} s, next {next_s:.1f} s")
        if single is not None:
            print(f"workers: first_1_s={single:.2f} first_2_s={first:.2f}")
        control = next_s
        if args.control_years != args.years:
            *_, control, _ = incremental_runs(
                scratch / "control", args.control_years, args.boards, compare=False
            )
        print(f"control, {args.control_years} year(s) of history: next {control:.1f} s")
    print(f"runs: first_s={first:.2f} next_s={next_s:.2f} next_1yr_s={control:.2f} files={files}")
    return 0


if __name__ == "__main__":
    os.environ.setdefault("DO_NOT_TRACK", "1")
    sys.exit(main())
