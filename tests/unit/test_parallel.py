"""Workers: the setting, files dealt into batches, and work shared among forked processes."""

from __future__ import annotations

import os
import threading

import pytest

from lscb_metrics.errors import ConfigurationError
from lscb_metrics.parallel import (
    BATCHES_PER_WORKER,
    POOLED_FROM_FILES,
    batches,
    forked_map,
    pooled,
    validation_workers,
)


def test_the_option_wins_over_the_environment(monkeypatch):
    monkeypatch.setenv("LSCB_WORKERS", "3")
    assert validation_workers(1) == 1
    assert validation_workers() == 3


def test_the_default_is_two_at_most_the_cpus(monkeypatch):
    monkeypatch.delenv("LSCB_WORKERS", raising=False)
    assert 1 <= validation_workers() <= 2


@pytest.mark.parametrize("text", ["0", "-2", "two"])
def test_a_bad_worker_count_is_refused(monkeypatch, text):
    monkeypatch.setenv("LSCB_WORKERS", text)
    with pytest.raises(ConfigurationError, match="workers"):
        validation_workers()


@pytest.mark.parametrize(("items", "workers"), [(0, 2), (3, 2), (100, 2), (100, 1)])
def test_batches_hold_every_item_once_and_none_is_empty(items, workers):
    dealt = batches(list(range(items)), workers)
    assert sorted(item for batch in dealt for item in batch) == list(range(items))
    assert all(dealt) and len(dealt) <= workers * BATCHES_PER_WORKER


def test_a_pool_is_started_only_for_enough_files_and_workers():
    assert pooled(POOLED_FROM_FILES, 2)
    assert not pooled(POOLED_FROM_FILES - 1, 2)
    assert not pooled(10 * POOLED_FROM_FILES, 1)


def test_editions_are_written_on_the_workers_the_run_was_given():
    from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

    from lscb_metrics.publishing import edition_writers

    with edition_writers(1) as pool:  # --workers 1: in the run's own process
        assert isinstance(pool, ThreadPoolExecutor)
    with edition_writers(2) as pool:
        assert isinstance(pool, ProcessPoolExecutor) and pool._max_workers == 2


def test_forked_map_keeps_order_and_runs_in_other_processes():
    # A lock cannot be pickled: the function reaches the workers by fork, not by pickle.
    lock = threading.Lock()

    def square_and_pid(number: int) -> tuple[int, int]:
        with lock:
            return number * number, os.getpid()

    results = forked_map(square_and_pid, list(range(12)), 2)
    assert [square for square, _ in results] == [n * n for n in range(12)]
    assert os.getpid() not in {pid for _, pid in results}


def test_forked_map_with_one_worker_runs_here():
    assert forked_map(lambda _: os.getpid(), ["a", "b"], 1) == [os.getpid()] * 2
    assert forked_map(lambda item: item, [], 2) == []


def test_forked_map_passes_a_workers_error_on():
    def fails_on_three(number: int) -> int:
        if number == 3:
            raise ValueError("three")
        return number

    with pytest.raises(ValueError, match="three"):
        forked_map(fails_on_three, [1, 2, 3, 4], 2)
