"""How many processes validate partner returns, and how the files are shared among them.

Validation is CPU-bound Python, so files are validated in a pool of processes (Prefect's
ProcessPoolTaskRunner), a few batches per worker: one Prefect task per batch rather than per file
keeps the orchestration's cost small beside the validation's.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TypeVar

from prefect.client.orchestration import get_client
from prefect.settings import PREFECT_API_URL, temporary_settings
from prefect.task_runners import ProcessPoolTaskRunner

from lscb_metrics.errors import ConfigurationError

T = TypeVar("T")

#: Batches per worker: enough that a slow batch does not leave the other workers idle.
BATCHES_PER_WORKER = 4
#: Fewer new files than this are validated in the run's own process: a worker takes about 5 s
#: to start (Python, pandas, Prefect), more than a quarter's returns take to validate.
POOLED_FROM_FILES = 100


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


def pooled(files: int, workers: int) -> bool:
    """Whether `files` new files are worth validating on a pool of `workers` processes."""
    return workers > 1 and files >= POOLED_FROM_FILES


def batches(items: Sequence[T], workers: int) -> list[list[T]]:
    """`items` dealt round-robin into at most BATCHES_PER_WORKER batches per worker, none empty."""
    count = min(len(items), workers * BATCHES_PER_WORKER)
    return [list(items[start::count]) for start in range(count)]


@contextmanager
def process_pool(workers: int) -> Iterator[ProcessPoolTaskRunner]:
    """Prefect's pool of `workers` processes, each reporting to this run's API."""
    with get_client(sync_client=True) as client:
        api_url = str(client.api_url)
    # A run's temporary server is not in the settings the pool hands its workers, and each
    # would start a server of its own (about 5 s) unless told the address.
    with (
        temporary_settings({PREFECT_API_URL: api_url}),
        ProcessPoolTaskRunner(max_workers=workers) as runner,
    ):
        yield runner
