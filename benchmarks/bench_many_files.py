"""A returns folder of 2,000 small files: a run beside `lscb-metrics validate` on the same files.

The attack it answers (issue 12): 2,000 tiny files took 527 s, 1.4 GB and printed 2,000 lines.
The files are training returns (a few hundred bytes each) from Southend's agencies over six
quarters, every one a different content, with one in ten broken (a count typed as text) so the
run rejects and quarantines some. Each command runs in a fresh child of a wrapper process, so
the peak resident memory is the largest of that command and its children (the Prefect server,
the validation workers), from resource.getrusage(RUSAGE_CHILDREN). The same two commands over a
control folder of --control-files files (20) measure what a run costs whatever its files (Prefect,
the national figures, quality checks, publishing): the difference is what the files cost, per
file, in a run and in `validate`. The last two lines are:

    per_file: run_ms=... validate_ms=... run_added_mb=... validate_added_mb=...
    many_files: run_s=... run_peak_mb=... validate_s=... validate_peak_mb=... files=2000

Usage: .venv/bin/python benchmarks/bench_many_files.py [--files N] [--control-files N]
       (make benchmark-many-files)
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CLI = [sys.executable, "-m", "lscb_metrics.cli"]
AGENCIES = ("SUH", "SBC-CSC", "ESSEX-POLICE", "SEPT")
QUARTERS = (
    ("2013-04-01", "2013-06-30"),
    ("2013-07-01", "2013-09-30"),
    ("2013-10-01", "2013-12-31"),
    ("2014-01-01", "2014-03-31"),
    ("2014-04-01", "2014-06-30"),
    ("2014-07-01", "2014-09-30"),
)


def training_return(number: int) -> str:
    """The text of small training return `number` (CSV), broken when `number` is a multiple
    of 10."""
    start, end = QUARTERS[number % len(QUARTERS)]
    agency = AGENCIES[number // len(QUARTERS) % len(AGENCIES)]
    required = 1000 + number
    trained = "many" if number % 10 == 0 else str(900 + number % 97)
    cover = f"training,{agency},E06000033,{start},{end}"
    header = (
        "Return type,Agency code,Local authority code,Period start,Period end,"
        "Training level,Staff requiring training,Staff trained and in date"
    )
    return header + "\r\n" + f"{cover},level_1,{required},{trained}\r\n"


def write_returns(folder: Path, count: int) -> list[Path]:
    """`count` small returns under `folder`, one sub-folder per 100 as partners' uploads land."""
    paths = []
    for number in range(count):
        path = folder / f"batch{number // 100:02d}" / f"training_{number:04d}.csv"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(training_return(number), encoding="utf-8")
        paths.append(path)
    return paths


def measured(command: list[str], output: Path) -> dict[str, float]:
    """Wall seconds and peak MB of `command` (and its children), run from a fresh wrapper."""
    wrapper = (
        "import json, resource, subprocess, sys, time\n"
        "start = time.perf_counter()\n"
        "with open(sys.argv[1], 'w') as out:\n"
        "    code = subprocess.run(sys.argv[2:], stdout=out, stderr=subprocess.STDOUT).returncode\n"
        "took = time.perf_counter() - start\n"
        "peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024\n"
        "print(json.dumps({'s': took, 'peak_mb': peak, 'code': code}))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", wrapper, str(output), *command],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    return json.loads(done.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=2000)
    parser.add_argument(
        "--control-files", type=int, default=20, help="the folder that measures fixed costs"
    )
    args = parser.parse_args()
    os.environ.update(
        DO_NOT_TRACK="1",
        PREFECT_SERVER_ANALYTICS_ENABLED="false",
        GX_ANALYTICS_ENABLED="false",
    )
    os.environ.setdefault("PREFECT_HOME", str(ROOT / ".prefect"))
    many_run, many_validate = measured_folder(args.files, show=True)
    few_run, few_validate = measured_folder(args.control_files, show=False)
    extra = args.files - args.control_files
    print(
        f"control, {args.control_files} files: run {few_run['s']:.1f} s, "
        f"{few_run['peak_mb']:.0f} MB; validate {few_validate['s']:.1f} s, "
        f"{few_validate['peak_mb']:.0f} MB"
    )
    # What the files themselves cost, beside the run's fixed work (Prefect, the national
    # figures, quality checks, publishing) that the control pays as well.
    print(
        f"per_file: run_ms={1000 * (many_run['s'] - few_run['s']) / extra:.1f} "
        f"validate_ms={1000 * (many_validate['s'] - few_validate['s']) / extra:.1f} "
        f"run_added_mb={many_run['peak_mb'] - few_run['peak_mb']:.0f} "
        f"validate_added_mb={many_validate['peak_mb'] - few_validate['peak_mb']:.0f}"
    )
    print(
        f"many_files: run_s={many_run['s']:.1f} run_peak_mb={many_run['peak_mb']:.0f} "
        f"validate_s={many_validate['s']:.1f} validate_peak_mb={many_validate['peak_mb']:.0f} "
        f"files={args.files}"
    )


def measured_folder(files: int, show: bool) -> tuple[dict[str, float], dict[str, float]]:
    """A run and `validate` over a folder of `files` small returns: each one's seconds and
    peak MB; the run's output printed when `show`."""
    with tempfile.TemporaryDirectory(prefix="lscb-many-files-") as tmp:
        folder = Path(tmp)
        paths = write_returns(folder / "returns", files)
        validate = measured([*CLI, "validate", *map(str, paths)], folder / "validate.txt")
        run_output = folder / "run.txt"
        run = measured(
            [
                *CLI,
                *("run", "--period", "2014-15-Q2", "--warehouse", str(folder / "w.duckdb")),
                *("--returns", str(folder / "returns")),
            ],
            run_output,
        )
        if show:
            printed = run_output.read_text(encoding="utf-8")
            print(printed)
            print(f"run exit {run['code']}, {len(printed.splitlines())} lines printed")
    return run, validate


if __name__ == "__main__":
    main()
