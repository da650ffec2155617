"""The file budget's worker processes: one for each thread reading at once, forked ahead of time
on request."""

from __future__ import annotations

import multiprocessing
import os
import time
from concurrent.futures import ThreadPoolExecutor

from lscb_metrics.intake.budget import start_workers, within_budget


def readers() -> list[int]:
    """The pids of this process's file-reading workers."""
    return [p.pid for p in multiprocessing.active_children() if p.name == "lscb-file-reader"]


def test_the_workers_forked_ahead_of_time_are_the_ones_that_read_the_files() -> None:
    start_workers(2)
    forked = readers()

    assert len(forked) >= 2  # more if earlier tests in this process read with more threads
    assert within_budget(os.getpid) in forked
    start_workers(2)  # kept for the next files: none forked again
    assert readers() == forked


def test_threads_reading_at_once_each_read_through_a_worker_of_their_own() -> None:
    start_workers(2)

    with ThreadPoolExecutor(2) as pool:
        # Each call holds its worker for a while, so the two overlap.
        pids = list(pool.map(lambda _: within_budget(_pid_after, 0.3), range(2)))

    assert len(set(pids)) == 2
    assert set(pids) <= set(readers())


def _pid_after(seconds: float) -> int:
    """In a worker: this worker's pid, after `seconds`."""
    time.sleep(seconds)
    return os.getpid()
