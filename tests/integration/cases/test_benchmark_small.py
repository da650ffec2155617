"""The case-list benchmark runs end to end at a tiny scale and ends with its one-line summary."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

BENCHMARK = Path(__file__).resolve().parents[3] / "benchmarks" / "bench_case_lists.py"
LAST_LINE = re.compile(
    r"^benchmark: wall_s=(\d+\.\d+) peak_mb=(\d+) baseline_s=(\d+\.\d+) ratio=(\d+\.\d+)$"
)


def test_tiny_benchmark_prints_its_summary_last() -> None:
    run = subprocess.run(
        [sys.executable, str(BENCHMARK), "--years", "1", "--authorities", "2", "--scale", "0.02"],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "DO_NOT_TRACK": "1"},
        check=False,
    )
    assert run.returncode == 0, run.stderr
    last = run.stdout.strip().splitlines()[-1]
    match = LAST_LINE.match(last)
    assert match, last
    wall, peak, baseline, ratio = (float(group) for group in match.groups())
    assert wall > 0 and peak > 0 and baseline > 0
    # The line prints each figure to 2 decimals; at this tiny scale that rounding alone moves
    # wall / baseline by up to ratio x (0.005 / wall + 0.005 / baseline).
    slack = ratio * (0.005 / wall + 0.005 / baseline) + 0.006
    assert abs(ratio - wall / baseline) <= slack
