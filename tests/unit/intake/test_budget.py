"""The file budget's worker process: forked once per process, ahead of time on request."""

from __future__ import annotations

import multiprocessing
import os

from lscb_metrics.intake.budget import start_worker, within_budget


def readers() -> list[int]:
    """The pids of this process's file-reading workers."""
    return [p.pid for p in multiprocessing.active_children() if p.name == "lscb-file-reader"]


def test_the_worker_forked_ahead_of_time_is_the_one_that_reads_the_files() -> None:
    start_worker()
    forked = readers()

    assert len(forked) == 1
    assert within_budget(os.getpid) == forked[0]
    start_worker()  # one worker a process: a second call keeps it
    assert readers() == forked
