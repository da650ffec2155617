"""Benchmark: the cost of a quarterly run with years of history behind it, for three boards.

Builds a scratch project in a temporary folder (a copy of schemas/, data/raw/reference and
data/raw/local; every command pointed at it with LSCB_PROJECT_ROOT, so the real project is never
written) holding three boards: the two shipped ones, Southend (E06000033) and Thurrock
(E06000034), and Essex (E10000012), the third member of the seed's Southend, Essex and Thurrock
arrangement, scaffolded with `lscb-metrics board init`. It writes a SYNTHETIC history with the
project's own writers: every return of every agency of each board for each quarter of --years
years (about 2,000 files for 10 years). Southend's come from scripts/make_demo_returns.py (the
demo's figures, its XLSX and CSV files, for any quarter); Thurrock's and Essex's from
scripts/make_board_returns.py (`board_setup.plausible_returns`: figures scaled to the board's
child population, adjusted until every declared check holds).

Then it times whole runs of `lscb-metrics run` (Python, Prefect's temporary server, validation,
compute, quality checks, commit and publishing), each in a fresh process, and prints each run's
stage lines as the console prints them (seconds per stage):

- first: the first run over the whole history (every file validated), with 2 workers, and once
  more into another warehouse with 1 worker (in process), unless --no-compare;
- next: the next quarter's files added and that quarter run (only they are new): the median of
  --repeat runs, each from a copy of the warehouse, store and editions as they were before it;
- next_1yr: the same next run in a project with --control-years years of history (the control).

Every run must accept every file and find each board complete, or the benchmark stops. The last
line reads exactly:

    runs: first_s=<s> next_s=<s> next_1yr_s=<s> files=<files in the first run>

Usage: .venv/bin/python benchmarks/bench_runs.py [--years 10] [--control-years 1] [--repeat 3]
       [--no-compare]
Smoke test: --years 1 --control-years 1 --repeat 1 --no-compare.
Goal on a 2-core machine: next_s <= 15 and next_s <= 1.5 x next_1yr_s.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from lscb_metrics.console import NAME_WIDTH

ROOT = Path(__file__).resolve().parents[1]
CLI = Path(sys.executable).with_name("lscb-metrics")
#: The quarter the next run reports on: the demo's last, so that every reference table has it.
NEXT = (2014, 2)
#: The scaffolded third board: (slug, area, name).
ESSEX = ("essex", "E10000012", "Essex Safeguarding Children Board")
#: Environment variables that would point a run away from the scratch project.
PROJECT_OVERRIDES = ("LSCB_WAREHOUSE", "LSCB_RETURNS", "LSCB_CASES")
#: A console stage line ends with the stage's seconds, e.g. "compute  ... 1,234 values (20.1 s)".
STAGE_LINE = re.compile(r"\((\d+(?:\.\d+)?) s\)$")


def _script(name: str):
    """scripts/<name>.py as a module (scripts/ is not a package)."""
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up while being made
    spec.loader.exec_module(module)
    return module


demo = _script("make_demo_returns")
board_returns = _script("make_board_returns")


@dataclass(frozen=True)
class HistoryReturn(demo.Return):
    """A Southend demo return sent for any quarter, with the figures of demo quarter `index`."""

    when: demo.Quarter = demo.QUARTERS[0]

    @property
    def quarter(self):
        return self.when


@dataclass(frozen=True)
class Run:
    """One timed `lscb-metrics run`: its seconds, returns line and stage lines."""

    seconds: float
    returns: str
    stages: list[tuple[str, str]]  # (stage, what it did and its seconds)


def quarters_before(count: int) -> list:
    """The `count` financial quarters before NEXT, oldest first."""
    year, number = NEXT
    found = []
    for _ in range(count):
        year, number = (year, number - 1) if number > 1 else (year - 1, 4)
        found.append(demo.Quarter(year, number))
    return found[::-1]


def project_environment(project: Path) -> dict[str, str]:
    """The environment of a command working on the scratch `project`."""
    environment = {k: v for k, v in os.environ.items() if k not in PROJECT_OVERRIDES}
    environment["LSCB_PROJECT_ROOT"] = str(project)
    return environment


def scratch_project(project: Path) -> list[str]:
    """A project at `project` with the shipped boards and Essex scaffolded; the boards' slugs."""
    shutil.copytree(ROOT / "schemas", project / "schemas")
    for folder in ("reference", "local"):
        shutil.copytree(ROOT / "data" / "raw" / folder, project / "data" / "raw" / folder)
    slug, area, name = ESSEX
    command = [str(CLI), "board", "init", "--area", area, "--name", name, "--slug", slug]
    init = subprocess.run(
        command, env=project_environment(project), capture_output=True, text=True, check=False
    )
    if init.returncode != 0:
        raise SystemExit(f"board init failed:\n{init.stdout}\n{init.stderr}")
    return sorted(p.name for p in (project / "schemas" / "boards").iterdir() if p.is_dir())


def write_southend(returns: Path, quarters: Sequence) -> int:
    """Every Southend return of each quarter, with the demo's figures; the number of files."""
    templates = [r for r in demo.all_returns() if r.index == 0 and not r.early]
    written = 0
    for quarter in quarters:
        # The demo's ten quarters' figures in turn, so that each quarter's files differ.
        index = (quarter.year_start * 4 + quarter.number) % len(demo.QUARTERS)
        for template in templates:
            item = HistoryReturn(template.return_type, template.agency, index, when=quarter)
            path = returns / "southend" / item.relative_path
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(
                demo.xlsx_bytes(item) if path.suffix == ".xlsx" else demo.csv_bytes(item)
            )
            written += 1
    return written


def write_quarters(project: Path, boards: Sequence[str], quarters: Sequence) -> int:
    """Every return of every agency of `boards` for `quarters` (consecutive) in the project's
    data/raw/returns/<board>/; the number of files."""
    returns = project / "data" / "raw" / "returns"
    written = 0
    previous = os.environ.get("LSCB_PROJECT_ROOT")
    os.environ["LSCB_PROJECT_ROOT"] = str(project)  # make_board_returns reads the settings
    try:
        for board in boards:
            if board == "southend":
                written += write_southend(returns, quarters)
                continue
            before = sum(1 for p in (returns / board).rglob("*") if p.is_file())
            arguments = [board, quarters[0].cli_name, quarters[-1].cli_name, "--force"]
            if board_returns.main(arguments) != 0:
                raise SystemExit(f"make_board_returns.py {' '.join(arguments)} failed")
            written += sum(1 for p in (returns / board).rglob("*") if p.is_file()) - before
    finally:
        if previous is None:
            del os.environ["LSCB_PROJECT_ROOT"]
        else:
            os.environ["LSCB_PROJECT_ROOT"] = previous
    return written


def timed_run(project: Path, boards: Sequence[str], period, warehouse: Path, workers: int) -> Run:
    """`lscb-metrics run` of `period` for every board in a fresh process; exits unless it
    accepts every file and finds each board complete."""
    command = [str(CLI), "run", "--period", period.cli_name, "--warehouse", str(warehouse)]
    started = time.perf_counter()
    run = subprocess.run(
        [*command, "--workers", str(workers)],
        env=project_environment(project),
        capture_output=True,
        text=True,
        check=False,
    )
    seconds = time.perf_counter() - started
    lines = run.stdout.splitlines()
    returns = next((line for line in lines if line.startswith("Returns: ")), "Returns: none")
    incomplete = [b for b in boards if not any(f"({b}): complete" in line for line in lines)]
    if run.returncode != 0 or "rejected" in returns or incomplete:
        raise SystemExit(
            f"the {period.cli_name} run did not accept every file or left {incomplete} incomplete:"
            f"\n{run.stdout[-3000:]}\n{run.stderr[-3000:]}"
        )
    # In a pipe a stage line is the stage padded to NAME_WIDTH, progress dots, the detail.
    stages = [
        (line[:NAME_WIDTH].rstrip(), line[NAME_WIDTH:].lstrip(". "))
        for line in lines
        if STAGE_LINE.search(line)
    ]
    return Run(seconds, returns, stages)


def show(label: str, run: Run) -> None:
    """A timed run's seconds, returns and stage lines."""
    print(f"  {label}: {run.seconds:.1f} s; {run.returns}")
    for stage, detail in run.stages:
        print(f"    {stage:<{NAME_WIDTH}}{detail}")
    staged = sum(float(STAGE_LINE.search(detail).group(1)) for _, detail in run.stages)
    rest = run.seconds - staged
    print(
        f"    {'(the rest)':<{NAME_WIDTH}}Python's start and imports, between stages ({rest:.1f} s)"
    )


def median_run(
    project: Path, boards: Sequence[str], period, warehouse: Path, repeat: int
) -> tuple[float, Run]:
    """The median seconds of `repeat` runs of `period` with 2 workers, each from a copy of the
    warehouse's folder (warehouse, store, quarantine, editions) as it was before the first; and
    the run whose time is the median (the upper one of an even count)."""
    state = warehouse.parent
    before = state.with_name(f"{state.name}-before")
    shutil.copytree(state, before, symlinks=True)
    runs = []
    for number in range(repeat):
        if number:
            shutil.rmtree(state)
            shutil.copytree(before, state, symlinks=True)
        runs.append(timed_run(project, boards, period, warehouse, 2))
        print(f"  {period.cli_name} run {number + 1} of {repeat}: {runs[-1].seconds:.1f} s")
    shutil.rmtree(before)
    middle = sorted(runs, key=lambda run: run.seconds)[len(runs) // 2]
    return statistics.median(run.seconds for run in runs), middle


def incremental_runs(
    project: Path, years: int, compare: bool, repeat: int
) -> tuple[Run, Run | None, float, int]:
    """The first run over `years` of history with 2 workers and (if `compare`) with 1, the
    median seconds of the next quarter's run, and the number of files in the first."""
    boards = scratch_project(project)
    history = quarters_before(4 * years)
    files = write_quarters(project, boards, history)
    print(f"{years} year(s) of history, boards {', '.join(boards)}: {files} files")
    warehouse = project / "runs" / "two" / "warehouse.duckdb"
    first = timed_run(project, boards, history[-1], warehouse, 2)
    show(f"first run, {history[-1].cli_name}, 2 workers", first)
    single = None
    if compare:  # its own warehouse, so its own store: nothing validated before
        single = timed_run(project, boards, history[-1], project / "runs" / "one" / "w.duckdb", 1)
        show(f"first run, {history[-1].cli_name}, 1 worker", single)
    next_quarter = demo.Quarter(*NEXT)
    added = write_quarters(project, boards, [next_quarter])
    print(f"next quarter {next_quarter.cli_name}: {added} new files")
    next_s, middle = median_run(project, boards, next_quarter, warehouse, repeat)
    show(f"next run, {next_quarter.cli_name}, median of {repeat}", middle)
    return first, single, next_s, files


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--years", type=int, default=10, help="years of history (default 10)")
    parser.add_argument("--control-years", type=int, default=1, help="the control's history")
    parser.add_argument("--repeat", type=int, default=3, help="next runs to take the median of")
    parser.add_argument("--no-compare", action="store_true", help="skip the 1-worker first run")
    args = parser.parse_args(argv)
    if min(args.years, args.control_years, args.repeat) < 1:
        parser.error("--years, --control-years and --repeat must be at least 1")
    # Prefect's state where the demo keeps it, as before scratch projects, so that the temporary
    # server does not create its database in every scratch project.
    os.environ.setdefault("PREFECT_HOME", str(ROOT / ".prefect"))
    with tempfile.TemporaryDirectory(prefix="lscb-bench-runs-") as folder:
        scratch = Path(folder)
        first, single, next_s, files = incremental_runs(
            scratch / "history", args.years, not args.no_compare, args.repeat
        )
        print(
            f"{args.years} years, {files} files: first run {first.seconds:.1f} s, "
            f"next {next_s:.1f} s"
        )
        if single is not None:
            print(f"workers: first_1_s={single.seconds:.2f} first_2_s={first.seconds:.2f}")
        control = next_s
        if args.control_years != args.years:
            *_, control, _ = incremental_runs(
                scratch / "control", args.control_years, False, args.repeat
            )
        print(f"control, {args.control_years} year(s) of history: next {control:.1f} s")
    print(
        f"runs: first_s={first.seconds:.2f} next_s={next_s:.2f} next_1yr_s={control:.2f} "
        f"files={files}"
    )
    return 0


if __name__ == "__main__":
    os.environ.setdefault("DO_NOT_TRACK", "1")
    sys.exit(main())
