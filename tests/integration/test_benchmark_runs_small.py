"""The runs benchmark goes end to end at a tiny scale and ends with its one-line summary; the
next quarter's run validates only the new files."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

BENCHMARK = Path(__file__).resolve().parents[2] / "benchmarks" / "bench_runs.py"
LAST_LINE = re.compile(
    r"^runs: first_s=(\d+\.\d+) next_s=(\d+\.\d+) next_1yr_s=(\d+\.\d+) files=(\d+)$"
)


def test_tiny_runs_benchmark_prints_its_summary_last() -> None:
    run = subprocess.run(
        [sys.executable, str(BENCHMARK), "--years", "1", "--boards", "1", "--no-compare"],
        capture_output=True,
        text=True,
        timeout=400,
        env={**os.environ, "DO_NOT_TRACK": "1"},
        check=False,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    match = LAST_LINE.match(run.stdout.strip().splitlines()[-1])
    assert match, run.stdout
    first, next_s, control, files = (float(group) for group in match.groups())
    assert files == 4 * 18 and first > 0 and next_s > 0 and control > 0
