"""A run validates on a Dask cluster started as the README starts one (`dask scheduler`,
`dask worker` in processes of their own), whose processes cannot import the project's flows/
folder by name: it sits beside src/ and is not installed."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from lscb_metrics.cli import main

QUARTER = "2014-15-Q2"
DEMO_RETURNS = Path(__file__).resolve().parents[2] / "data/raw/returns" / QUARTER
DASK = Path(sys.executable).parent / "dask"


def _started(command: list[str], cwd: Path, log: Path) -> subprocess.Popen[bytes]:
    """`command` started in `cwd`, its output in `log`, with workers not daemonic (README)."""
    environment = {**os.environ, "DASK_DISTRIBUTED__WORKER__DAEMON": "False"}
    environment.pop("PYTHONPATH", None)
    with log.open("wb") as out:
        return subprocess.Popen(command, cwd=cwd, env=environment, stdout=out, stderr=out)


@pytest.fixture
def scheduler_address(tmp_path: Path) -> Iterator[str]:
    """A scheduler and two worker processes started with the dask command, in a folder that is
    not the project's."""
    scheduler_file = tmp_path / "scheduler.json"
    common = ["--scheduler-file", str(scheduler_file)]
    scheduler = _started(
        [str(DASK), "scheduler", "--host", "127.0.0.1", "--port", "0", *common],
        tmp_path,
        tmp_path / "scheduler.log",
    )
    workers = _started(
        [str(DASK), "worker", "--nworkers", "2", "--nthreads", "1", *common],
        tmp_path,
        tmp_path / "workers.log",
    )
    try:
        deadline = time.monotonic() + 60
        while not scheduler_file.exists() and time.monotonic() < deadline:
            time.sleep(0.5)
        yield json.loads(scheduler_file.read_text())["address"]
    finally:
        for process in (workers, scheduler):
            process.terminate()
            process.wait(timeout=30)


def test_a_run_validates_on_a_cluster_started_with_the_dask_command(
    scheduler_address, prefect_server, tmp_path, capsys
):
    returns = tmp_path / "returns"
    shutil.copytree(DEMO_RETURNS, returns / QUARTER)
    files = sum(1 for _ in (returns / QUARTER).iterdir())
    warehouse = tmp_path / "data" / "warehouse.duckdb"
    command = ["run", "--period", QUARTER, "--warehouse", str(warehouse), "--returns", str(returns)]
    assert main([*command, "--dask", scheduler_address]) == 0, capsys.readouterr().err
    assert f"{files} files: {files} accepted, 0 rejected" in capsys.readouterr().out
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        accepted = connection.sql(
            "SELECT count(*) FROM audit.submissions WHERE status = 'accepted'"
        ).fetchall()[0][0]
    assert accepted == files
