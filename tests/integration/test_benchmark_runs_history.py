"""`make benchmark-runs` writes its history of returns with the project's own scripts: a change
to their API (a quarter's `folder`, now `cli_name`) broke the benchmark without any test failing.
This writes two quarters of the three boards' returns as the benchmark does, without the runs."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

BENCHMARK = Path(__file__).resolve().parents[2] / "benchmarks" / "bench_runs.py"


def test_the_benchmark_writes_every_boards_returns_for_its_quarters(tmp_path: Path) -> None:
    spec = importlib.util.spec_from_file_location("bench_runs", BENCHMARK)
    bench = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = bench  # its dataclasses look their module up while being made
    spec.loader.exec_module(bench)
    project = tmp_path / "history"
    boards = bench.scratch_project(project)
    assert boards == ["essex", "southend", "thurrock"]
    quarters = bench.quarters_before(2)
    assert [q.cli_name for q in quarters] == ["2013-14-Q4", "2014-15-Q1"]
    written = bench.write_quarters(project, boards, quarters)
    returns = project / "data" / "raw" / "returns"
    # Each board's every agency's returns, in a folder per quarter.
    counts = {
        (board, quarter.cli_name): sum(1 for _ in (returns / board / quarter.cli_name).iterdir())
        for board in boards
        for quarter in quarters
    }
    assert counts == {
        **dict.fromkeys([("southend", "2013-14-Q4"), ("southend", "2014-15-Q1")], 20),
        **dict.fromkeys([("thurrock", "2013-14-Q4"), ("thurrock", "2014-15-Q1")], 12),
        **dict.fromkeys([("essex", "2013-14-Q4"), ("essex", "2014-15-Q1")], 11),
    }
    assert written == sum(counts.values())
