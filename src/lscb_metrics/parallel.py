"""How many processes a run works on, and how work is shared among them.

Validation is CPU-bound Python, so files are validated in a pool of processes, a few batches per
worker: one Prefect task per batch rather than per file keeps the orchestration's cost small
beside the validation's. The pool is Prefect's ProcessPoolTaskRunner on this machine or, given
a Dask scheduler's address (LSCB_DASK_ADDRESS), prefect-dask's DaskTaskRunner on that cluster,
for a hub validating many boards' returns on several machines.

Within a task, work on data already in memory (each indicator's figures) is shared among forked
processes (`forked_map`), which inherit that data rather than receive a pickled copy.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, TypeVar

from lscb_metrics.errors import ConfigurationError

if TYPE_CHECKING:
    from prefect.task_runners import TaskRunner

T = TypeVar("T")
R = TypeVar("R")

#: Batches per worker: enough that a slow batch does not leave the other workers idle.
BATCHES_PER_WORKER = 4
#: Fewer new files than this are validated on threads of the run's own process (each through a
#: forked file reader): a worker takes about 5 s to start (Python, pandas, Prefect), more than a
#: quarter's returns take to validate.
POOLED_FROM_FILES = 100
#: A Dask scheduler's address (tcp://host:8786) to validate on instead of this machine's pool.
DASK_ADDRESS_VARIABLE = "LSCB_DASK_ADDRESS"


def validation_workers(option: int | None = None) -> int:
    """Processes that validate files: the option, else LSCB_WORKERS, else 2 (at most the CPUs);
    1 means in the run's own process."""
    text = option if option is not None else os.environ.get("LSCB_WORKERS")
    if text is None:
        return max(1, min(2, os.cpu_count() or 1))
    try:
        workers = int(text)
    except ValueError:
        workers = 0
    if workers < 1:
        raise ConfigurationError(f"workers must be a whole number from 1, not {text!r}")
    return workers


def dask_address(option: str | None = None) -> str | None:
    """The Dask scheduler to validate on: the option, else LSCB_DASK_ADDRESS, else None (this
    machine's processes)."""
    address = option or os.environ.get(DASK_ADDRESS_VARIABLE) or None
    if address is not None and "://" not in address:
        raise ConfigurationError(
            f"{DASK_ADDRESS_VARIABLE}={address!r}: give a Dask scheduler's address, e.g. "
            "tcp://scheduler:8786"
        )
    return address


def pooled(files: int, workers: int, cluster: str | None = None) -> bool:
    """Whether `files` new files are worth validating on a pool of `workers` processes (any new
    file is, on a Dask `cluster`, which is there to take them)."""
    if cluster is not None:
        return files > 0
    return workers > 1 and files >= POOLED_FROM_FILES


def batches(
    items: Sequence[T], workers: int, per_worker: int = BATCHES_PER_WORKER
) -> list[list[T]]:
    """`items` dealt round-robin into at most `per_worker` batches per worker, none empty."""
    count = min(len(items), workers * per_worker)
    return [list(items[start::count]) for start in range(count)]


@contextmanager
def validation_pool(workers: int, cluster: str | None = None) -> Iterator[TaskRunner]:
    """Prefect's pool of `workers` processes or, given its address, the Dask `cluster`'s
    workers, each reporting to this run's API."""
    from prefect.client.orchestration import get_client
    from prefect.settings import PREFECT_API_URL, temporary_settings

    with get_client(sync_client=True) as client:
        api_url = str(client.api_url)
    # A run's temporary server is not in the settings the pool hands its workers, and each
    # would start a server of its own (about 5 s) unless told the address.
    with temporary_settings({PREFECT_API_URL: api_url}), _task_runner(workers, cluster) as runner:
        yield runner


def _task_runner(workers: int, cluster: str | None) -> TaskRunner:
    """The task runner of `validation_pool` (prefect-dask imported only for a cluster)."""
    from prefect.task_runners import ProcessPoolTaskRunner

    if cluster is None:
        return ProcessPoolTaskRunner(max_workers=workers)
    from prefect_dask import DaskTaskRunner

    return DaskTaskRunner(address=cluster)


def forked_map(function: Callable[[T], R], items: Sequence[T], workers: int) -> list[R]:
    """`function` of each of `items`, in order, on up to `workers` forked processes, which
    inherit `function` and `items` (neither is pickled, so `function` may close over large
    frames; only results travel back); in this process for one worker, or where there is no
    fork."""
    workers = min(workers, len(items))
    if not forks(workers):
        return [function(item) for item in items]
    with forked_pool(workers, _inherit, (function, items)) as pool:
        return list(pool.map(_call_inherited, range(len(items))))


def forks(workers: int) -> bool:
    """Whether work for `workers` processes goes to forked ones: two or more, where the
    platform forks."""
    return workers >= 2 and "fork" in multiprocessing.get_all_start_methods()


def forked_pool(
    workers: int,
    initializer: Callable[..., None] | None = None,
    initargs: tuple[Any, ...] = (),
) -> ProcessPoolExecutor:
    """`workers` forked processes: they start at once, with this process's modules and data,
    and `initargs` reach `initializer` in each unpickled."""
    return ProcessPoolExecutor(
        workers,
        mp_context=multiprocessing.get_context("fork"),
        initializer=initializer,
        initargs=initargs,
    )


#: In a worker of `forked_map`: the function and items it inherited.
_inherited: tuple[Callable[[Any], Any], Sequence[Any]] | None = None


def _inherit(function: Callable[[Any], Any], items: Sequence[Any]) -> None:
    """Keep what the forked worker inherited (initargs reach a forked worker unpickled)."""
    global _inherited  # a worker's one piece of state, set once as it starts
    _inherited = (function, items)


def _call_inherited(index: int) -> Any:
    """The inherited function of the inherited item `index`."""
    if _inherited is None:
        raise RuntimeError("_call_inherited runs only in a worker of forked_map")
    function, items = _inherited
    return function(items[index])
