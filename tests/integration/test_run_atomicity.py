"""A run is all or nothing, repeatable, and never runs twice at once on one warehouse."""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import duckdb
import pytest

from lscb_metrics.cli import main
from lscb_metrics.config import settings
from lscb_metrics.periods import parse_quarter
from lscb_metrics.pipeline import run_without_orchestration
from lscb_metrics.store import run_lock

CURATED = ("curated.indicator_values", "curated.comparisons")


def curated_digest(warehouse: Path, folder: Path) -> dict[str, str]:
    """SHA-256 of each curated relation exported to CSV in a fixed order."""
    folder.mkdir(exist_ok=True)
    digests = {}
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        for relation in CURATED:
            target = folder / f"{relation}.csv"
            connection.execute(
                f"COPY (SELECT * FROM {relation} ORDER BY ALL) TO '{target}' (HEADER)"
            )
            digests[relation] = hashlib.sha256(target.read_bytes()).hexdigest()
    return digests


def run_count(warehouse: Path) -> int:
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        return connection.execute("SELECT count(*) FROM audit.runs").fetchall()[0][0]


@pytest.fixture
def warehouse_copy(demo_warehouse: Path, tmp_path: Path) -> Path:
    target = tmp_path / "warehouse.duckdb"
    shutil.copyfile(demo_warehouse, target)
    return target


def test_running_the_same_period_again_gives_identical_curated_relations(warehouse_copy, tmp_path):
    before = curated_digest(warehouse_copy, tmp_path / "a")
    run_without_orchestration(settings(warehouse=str(warehouse_copy)), parse_quarter("2014-15-Q2"))
    assert curated_digest(warehouse_copy, tmp_path / "b") == before
    assert run_count(warehouse_copy) == 2


# A run of an earlier quarter would rewrite the curated relations (fewer partner quarters), so a
# half-committed kill would show. The child pauses inside the load, after two relations are
# written, so the kill lands mid-transaction every time.
KILLED_RUN = textwrap.dedent(
    """
    import sys, time
    from lscb_metrics import warehouse
    from lscb_metrics.config import settings
    from lscb_metrics.periods import parse_quarter
    from lscb_metrics.pipeline import run_without_orchestration

    written = []
    replace = warehouse._replace_relation

    def slow_replace(connection, name, frame):
        replace(connection, name, frame)
        written.append(name)
        if len(written) == 2:
            print("LOADING", flush=True)
            time.sleep(600)

    warehouse._replace_relation = slow_replace
    run_without_orchestration(settings(warehouse=sys.argv[1]), parse_quarter("2013-14-Q4"))
    """
)


def test_a_run_killed_mid_load_leaves_the_warehouse_as_it_was(warehouse_copy, tmp_path):
    before = curated_digest(warehouse_copy, tmp_path / "a")
    runs_before = run_count(warehouse_copy)
    child = subprocess.Popen(
        [sys.executable, "-c", KILLED_RUN, str(warehouse_copy)],
        stdout=subprocess.PIPE,
        text=True,
        env=os.environ.copy(),
    )
    try:
        assert child.stdout.readline().strip() == "LOADING"
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=60)
    assert child.returncode == -signal.SIGKILL
    assert curated_digest(warehouse_copy, tmp_path / "b") == before
    assert run_count(warehouse_copy) == runs_before
    # The killed run's lock died with it: the next run goes ahead and commits.
    summary = run_without_orchestration(
        settings(warehouse=str(warehouse_copy)), parse_quarter("2013-14-Q4")
    )
    assert summary.outcome in {"complete", "incomplete"}
    assert run_count(warehouse_copy) == runs_before + 1


def test_a_second_run_stops_with_a_clear_message_while_one_is_running(warehouse_copy, capsys):
    with run_lock(warehouse_copy):
        code = main(["run", "--period", "2014-15-Q2", "--warehouse", str(warehouse_copy)])
    err = capsys.readouterr().err
    assert code == 2
    assert "another run is using the warehouse" in err
    assert "Traceback" not in err
