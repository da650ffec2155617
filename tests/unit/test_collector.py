"""The collector set for a run, and put back after it; a process's heap frozen before it exits."""

from __future__ import annotations

import gc

import pytest

from lscb_metrics.collector import RUN_THRESHOLDS, run_collection, skip_final_collection


def test_a_run_collects_less_often_and_the_collector_is_put_back() -> None:
    before = gc.get_threshold()
    with run_collection():
        assert gc.get_threshold() == RUN_THRESHOLDS
        assert RUN_THRESHOLDS[0] > before[0]
    assert gc.get_threshold() == before


def test_the_collector_is_put_back_when_the_run_fails() -> None:
    before = gc.get_threshold()
    with pytest.raises(RuntimeError), run_collection():
        raise RuntimeError("a failed run")
    assert gc.get_threshold() == before


def test_skipping_the_final_collection_freezes_the_heap() -> None:
    held = [[] for _ in range(100)]
    try:
        skip_final_collection()
        assert gc.get_freeze_count() >= len(held)
    finally:
        gc.unfreeze()  # this test process goes on
