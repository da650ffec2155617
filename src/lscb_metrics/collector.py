"""CPython's cyclic garbage collector, set for a run: a batch job that loads a large heap
(every submission's facts, every area's published figures) and holds most of it to the end.

With CPython's defaults the collector rescans that whole heap a dozen times in a next run over
ten years of returns (3.3 s of the run's own process), and once more as the interpreter exits
(2.5 s), to find almost nothing: the run's data is acyclic and freed by reference counting. So
a run collects its young objects every 50,000 allocations rather than every 700, and the
program freezes what it holds before it exits, which the last collection then skips; the
operating system takes the memory back either way. (Instagram's and Python's own advice for
long-lived heaps: https://docs.python.org/3/library/gc.html#gc.freeze.)
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

#: Allocations between young collections, then young collections between middle ones, then
#: middle collections between full ones (CPython's defaults: 700, 10, 10).
RUN_THRESHOLDS = (50_000, 20, 10)


@contextmanager
def run_collection() -> Iterator[None]:
    """The collector at RUN_THRESHOLDS for the duration, as it was before afterwards."""
    before = gc.get_threshold()
    gc.set_threshold(*RUN_THRESHOLDS)
    try:
        yield
    finally:
        gc.set_threshold(*before)


def skip_final_collection() -> None:
    """Leave every object the process holds out of the collection the interpreter makes as it
    exits (for a process about to end: nothing frozen is ever collected)."""
    gc.freeze()
