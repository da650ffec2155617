"""Failures tell the truth, through the real command: the cause of a busy or broken warehouse
before any work, what was committed when publishing fails, a clean stop on SIGTERM, one line
per stage on the console and no traceback on it."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import duckdb
import pytest
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import (
    FlowRunFilter,
    FlowRunFilterId,
    LogFilter,
    LogFilterFlowRunId,
)
from prefect.client.schemas.sorting import FlowRunSort
from prefect.logging.handlers import APILogWorker

from lscb_metrics import pipeline, publishing
from lscb_metrics.cli import main

QUARTER = "2014-15-Q2"
DEMO_RETURNS = Path(__file__).resolve().parents[2] / "data/raw/returns" / QUARTER


def relations_digest(warehouse: Path, folder: Path) -> dict[str, str]:
    """SHA-256 of every relation in the warehouse, exported to CSV in a fixed order."""
    folder.mkdir()
    digests = {}
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        names = connection.execute(
            "SELECT table_schema || '.' || table_name FROM information_schema.tables"
        ).fetchall()
        for (name,) in names:
            target = folder / f"{name}.csv"
            connection.execute(f"COPY (SELECT * FROM {name} ORDER BY ALL) TO '{target}' (HEADER)")
            digests[name] = hashlib.sha256(target.read_bytes()).hexdigest()
    return digests


@pytest.fixture
def quarter_returns(tmp_path: Path) -> Path:
    """A returns folder holding only the demo's 2014-15 Q2 returns: a run reads 20 files."""
    returns = tmp_path / "returns"
    shutil.copytree(DEMO_RETURNS, returns / QUARTER)
    return returns


@pytest.fixture
def one_quarter(demo_warehouse: Path, tmp_path: Path, quarter_returns: Path) -> tuple[Path, Path]:
    """A copy of the demo warehouse (with an empty store beside it) and one quarter's returns."""
    warehouse = tmp_path / "warehouse.duckdb"
    shutil.copyfile(demo_warehouse, warehouse)
    return warehouse, quarter_returns


def run_args(warehouse: Path, returns: Path | None = None) -> list[str]:
    """`lscb-metrics run` for the demo quarter on `warehouse`."""
    extra = ["--returns", str(returns)] if returns else []
    return ["run", "--period", QUARTER, "--warehouse", str(warehouse), *extra]


HOLD_READ_ONLY = textwrap.dedent(
    """
    import sys, time, duckdb
    connection = duckdb.connect(sys.argv[1], read_only=True)
    print("OPEN", flush=True)
    time.sleep(600)
    """
)


def test_a_duckdb_session_holding_the_warehouse_is_named_before_any_work(
    demo_warehouse, tmp_path, capsys
):
    warehouse = tmp_path / "warehouse.duckdb"
    shutil.copyfile(demo_warehouse, warehouse)
    analyst = subprocess.Popen(
        [sys.executable, "-c", HOLD_READ_ONLY, str(warehouse)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert analyst.stdout.readline().strip() == "OPEN"
        started = time.monotonic()
        code = main(run_args(warehouse))
        took = time.monotonic() - started
    finally:
        analyst.kill()
        analyst.wait(timeout=30)
    out, err = capsys.readouterr()
    assert code == 2
    assert "is open in another program (python" in err and f", PID {analyst.pid})" in err
    assert "another run" not in err and "close that connection" in err
    assert "Traceback" not in out + err and len(err.strip().splitlines()) == 1
    assert took < 10 and not (tmp_path / "store").exists()  # stopped before any work


def test_a_warehouse_that_is_not_a_duckdb_database_gets_a_recovery_hint(tmp_path, capsys):
    warehouse = tmp_path / "warehouse.duckdb"
    warehouse.write_bytes(b"not a database, perhaps a half-copied file" * 100)
    assert main(run_args(warehouse)) == 2
    err = capsys.readouterr().err
    assert f"{warehouse} is not a DuckDB database" in err
    assert "Restore the previous copy" in err and "lscb-metrics run" in err
    assert str(tmp_path / "store") in err and "Traceback" not in err


def test_a_failure_before_the_commit_says_unchanged_and_the_relations_are_unchanged(
    prefect_server, one_quarter, tmp_path, capsys, monkeypatch
):
    warehouse, returns = one_quarter
    before = relations_digest(warehouse, tmp_path / "before")

    cell = "Jane Smith"

    def broken_compute(*args: object, **kwargs: object) -> None:
        # An unexpected error's message may quote what it met, here a name typed in a cell.
        raise RuntimeError(f"a fault in the compute core at {cell!r}")

    monkeypatch.setattr(pipeline, "compute_run", broken_compute)
    assert main(run_args(warehouse, returns)) == 2
    out, err = capsys.readouterr()
    assert "unexpected error: RuntimeError: a fault in the compute core at '…'" in err
    assert "The warehouse is unchanged." in err
    assert relations_digest(warehouse, tmp_path / "after") == before
    # The traceback is in the run's log, named on the console, and nowhere on the console.
    [log] = (tmp_path / "logs").glob("lscb-run-*.log")
    assert f"Details are in {log}" in err
    assert "Traceback" not in out + err and "Traceback" in log.read_text()
    assert "Jane" not in out + err + log.read_text()
    assert re.search(r"^receive +\.* ?20 files: 20 accepted, 0 rejected \(\d+\.\d s\)$", out, re.M)


def test_prefect_records_an_unexpected_error_without_what_its_message_quotes(
    prefect_server, quarter_returns, tmp_path, capsys, monkeypatch
):
    # Prefect's server keeps a failed run's state messages and logs, and the flow run's
    # exception itself (pickled in PREFECT_HOME/storage): none may hold the name it quoted.
    cell = "Jane Smith"  # a traceback prints source lines: the name only in a variable

    def unreadable(*args: object, **kwargs: object) -> None:
        raise ValueError(f"could not read {cell!r}")

    monkeypatch.setattr(pipeline, "load_reference", unreadable)
    assert main(run_args(tmp_path / "warehouse.duckdb", quarter_returns)) == 2
    assert "unexpected error: ValueError: could not read '…'" in capsys.readouterr().err
    APILogWorker.drain_all(timeout=5)  # the logs still queued for the server
    with get_client(sync_client=True) as client:
        [flow_run] = client.read_flow_runs(sort=FlowRunSort.START_TIME_DESC, limit=1)
        this_run = FlowRunFilter(id=FlowRunFilterId(any_=[flow_run.id]))
        [task_run] = client.read_task_runs(flow_run_filter=this_run)
        logs = client.read_logs(LogFilter(flow_run_id=LogFilterFlowRunId(any_=[flow_run.id])))
    assert task_run.name.startswith("load reference data") and task_run.state.is_failed()
    messages = [flow_run.state.message, task_run.state.message]
    # The kind of error is still named, for whoever reads the run in Prefect's UI.
    assert all("ValueError: could not read '…'" in message for message in messages)
    persisted = flow_run.state.result(raise_on_failure=False)
    recorded = [*messages, repr(persisted), *(log.message for log in logs)]
    assert logs and "Jane" not in "\n".join(recorded)


def test_a_publishing_failure_after_the_commit_says_what_was_committed(
    prefect_server, one_quarter, tmp_path, capsys, monkeypatch
):
    warehouse, returns = one_quarter
    before = relations_digest(warehouse, tmp_path / "before")

    def full_disk(*args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(publishing, "publish_files", full_disk)
    assert main(run_args(warehouse, returns)) == 2
    out, err = capsys.readouterr()
    assert re.search(rf"run \S+ for 2014-15 Q2 \(\w+\) is committed to {warehouse}", err)
    assert "not all published" in err and "No space left on device" in err
    assert "the next run republishes them" in err
    assert "unchanged" not in err and "Traceback" not in out + err
    after = relations_digest(warehouse, tmp_path / "after")
    assert after["audit.runs"] != before["audit.runs"]
    # One line per stage, each with its count and time, and none of Prefect's chatter.
    for stage in ("load reference", "receive", "compute", "quality", "commit"):
        assert re.search(rf"^{stage} .*\(\d+\.\d s\)$", out, re.M), stage
    assert "Finished in state" not in out + err
    [log] = (tmp_path / "logs").glob("lscb-run-*.log")
    assert "Finished in state Completed()" in log.read_text()


def test_an_edition_a_failure_stopped_is_not_left_on_the_disk(
    prefect_server, one_quarter, tmp_path, capsys, monkeypatch
):
    warehouse, returns = one_quarter
    curated = tmp_path / "curated"
    # Another board's edition a killed run left half written, and this run's own: neither may
    # keep the disk full once the run has stopped.
    (curated / ".essex.incoming" / "public").mkdir(parents=True)
    (curated / ".essex.incoming" / "public" / "scorecard.html").write_text("<html>")

    def full_disk(*args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(publishing, "publish_edition", full_disk)
    assert main(run_args(warehouse, returns)) == 2
    assert "No space left on device" in capsys.readouterr().err
    assert not list(curated.glob(".*.incoming"))


def children_of(pid: int) -> set[int]:
    """Process ids whose parent is `pid`, from /proc."""
    children = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # the process ended while we looked
        if int(fields[1]) == pid:
            children.add(int(stat.parent.name))
    return children


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs Linux's /proc")
def test_sigterm_stops_the_run_in_one_line_and_leaves_no_server_behind(quarter_returns, tmp_path):
    warehouse = tmp_path / "fresh" / "warehouse.duckdb"
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    run = subprocess.Popen(
        [sys.executable, "-m", "lscb_metrics.cli", *run_args(warehouse, quarter_returns)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        first = run.stdout.readline()  # the first stage line: Prefect's server is up
        children = children_of(run.pid)
        run.send_signal(signal.SIGTERM)
        _, err = run.communicate(timeout=60)
    finally:
        run.kill()
    assert first.startswith("start Prefect"), first + err
    assert children, "the run's Prefect server should be its child"
    assert run.returncode == 128 + signal.SIGTERM, err
    assert err.strip() == "lscb-metrics: stopped by SIGTERM. The warehouse is unchanged."
    time.sleep(0.5)
    assert not [pid for pid in children if Path(f"/proc/{pid}").exists()]
