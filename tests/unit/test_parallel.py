"""Workers for validation: the setting, and files dealt into batches."""

from __future__ import annotations

import pytest

from lscb_metrics.errors import ConfigurationError
from lscb_metrics.parallel import (
    BATCHES_PER_WORKER,
    POOLED_FROM_FILES,
    batches,
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

    from lscb_metrics.pipeline import edition_writers

    with edition_writers(1) as pool:  # --workers 1: in the run's own process
        assert isinstance(pool, ThreadPoolExecutor)
    with edition_writers(2) as pool:
        assert isinstance(pool, ProcessPoolExecutor) and pool._max_workers == 2
