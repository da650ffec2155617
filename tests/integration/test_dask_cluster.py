"""A run validates its new returns on a Dask cluster given one address (prefect-dask), as a hub
spreading many boards' returns over machines would: here a real local cluster of 2 worker
processes, its scheduler in this process."""

from __future__ import annotations

import multiprocessing
import shutil
from pathlib import Path

import dask
import duckdb
import pytest
from distributed import LocalCluster

from lscb_metrics.cli import main
from lscb_metrics.errors import ConfigurationError
from lscb_metrics.intake.budget import within_budget
from lscb_metrics.parallel import dask_address, pooled

QUARTER = "2014-15-Q2"
DEMO_RETURNS = Path(__file__).resolve().parents[2] / "data/raw/returns" / QUARTER


@pytest.fixture(scope="module")
def cluster():
    """Two worker processes, one thread each, and their scheduler; the workers not daemonic, so
    that each can read files under their budget in a process of its own."""
    with (
        dask.config.set({"distributed.worker.daemon": False}),
        LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as local,
    ):
        yield local


def test_a_run_validates_on_the_cluster_at_the_address_it_is_given(
    cluster, demo_warehouse, tmp_path, capsys
):
    warehouse = tmp_path / "warehouse.duckdb"
    shutil.copyfile(demo_warehouse, warehouse)  # an empty store beside it: every file is new
    returns = tmp_path / "returns"
    shutil.copytree(DEMO_RETURNS, returns / QUARTER)
    files = sum(1 for _ in (returns / QUARTER).iterdir())
    command = ["run", "--period", QUARTER, "--warehouse", str(warehouse), "--returns", str(returns)]
    assert main([*command, "--dask", cluster.scheduler_address]) == 0
    out = capsys.readouterr().out
    assert f"{files} files: {files} accepted, 0 rejected" in out
    # The batches were tasks of the cluster's scheduler (named after the flow's task
    # function), run by its workers.
    assert "receive" in cluster.scheduler.task_prefixes, list(cluster.scheduler.task_prefixes)
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        accepted = connection.sql(
            "SELECT count(*) FROM audit.submissions WHERE status = 'accepted' "
            "AND last_seen_run = (SELECT max_by(run_id, started_at) FROM audit.runs)"
        ).fetchall()[0][0]
    assert accepted == files


def test_any_new_file_goes_to_a_cluster_and_a_bad_address_is_refused(monkeypatch):
    assert pooled(1, 1, "tcp://scheduler:8786") and not pooled(0, 2, "tcp://scheduler:8786")
    assert not pooled(1, 2)  # on this machine a pool pays only from 100 files
    monkeypatch.setenv("LSCB_DASK_ADDRESS", "tcp://hub:8786")
    assert dask_address() == "tcp://hub:8786" and dask_address("tcp://other:1") == "tcp://other:1"
    with pytest.raises(ConfigurationError, match="tcp://scheduler:8786"):
        dask_address("scheduler")


def _budgeted_in_a_daemon(answer) -> None:
    """Read under the file budget from a daemonic process, as on a default Dask worker."""
    try:
        within_budget(sum, [1, 2])
    except ConfigurationError as error:
        answer.send(str(error))
    else:
        answer.send("read")


def test_a_daemonic_worker_is_told_how_to_keep_the_file_budget():
    context = multiprocessing.get_context("fork")
    answer, child_end = context.Pipe()
    daemon = context.Process(target=_budgeted_in_a_daemon, args=(child_end,), daemon=True)
    daemon.start()
    said = answer.recv()
    daemon.join(timeout=30)
    assert "DASK_DISTRIBUTED__WORKER__DAEMON=False" in said
