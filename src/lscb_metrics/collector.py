"""CPython's cyclic garbage collector, set for a run: a batch job that loads a large heap
(every submission's facts, every area's published figures) and holds most of it to the end.

With CPython's defaults the collector rescans that whole heap a dozen times in a next run over
ten years of returns (3.3 s of the run's own process), and once more as the interpreter exits
(2.5 s), to find almost nothing: the run's data is acyclic and freed by reference counting. So
a run collects its young objects every 50,000 allocations rather than every 700 (Python's own
advice for long-lived heaps: https://docs.python.org/3/library/gc.html#gc.freeze). And the
program ends without the interpreter's teardown, which frees that heap one object at a time
(1.2 s after a next run) where the operating system takes the memory back at once.
"""

from __future__ import annotations

import atexit
import contextlib
import gc
import os
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import NoReturn

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


def exit_promptly(code: int) -> NoReturn:
    """End the process with exit status `code`: its exit handlers run (logging's last flush,
    multiprocessing's children, temporary folders) and its output is flushed, as at any exit,
    but the interpreter does not then tear down the heap. Where a thread of ours is still
    running (none should be), the ordinary exit, which waits for it."""
    main = threading.main_thread()
    if any(t is not main and not t.daemon and t.is_alive() for t in threading.enumerate()):
        gc.freeze()  # the teardown's last collection then skips what the process holds
        sys.exit(code)
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError):  # a closed pipe, a closed stream
            stream.flush()
    os._exit(code)
