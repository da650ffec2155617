"""A time and memory budget for reading one partner file, enforced in a worker process.

The readers cap what a file may hold (dimensions, cell length, digits, unpacked size), but a
crafted file may still find a slow or greedy path through a library; read in the run's own
process, it would stall or exhaust the whole quarter. So each file is read and validated in a
worker process whose address space is capped (RLIMIT_AS: what it holds when forked plus the
memory budget) and whose answer is awaited for at most the time budget; a worker over budget is
killed, the file rejected (RET-002) with the reason, and a new worker forked for the next file.

A worker is forked for each thread reading files at once and reused for every file (fork, not
spawn: it inherits the modules already imported, so starting it takes milliseconds, not the
seconds of a fresh Python); each file costs a round trip through a pipe. Budgets:
LSCB_FILE_SECONDS (default 60) and LSCB_FILE_MEMORY_MB (default 2048), generous beside the well
under a second and tens of MB a return needs. Where fork or rlimits are missing (not Linux),
files are read in process.
"""

from __future__ import annotations

import atexit
import multiprocessing
import os
import pickle
import resource
import signal
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any, TypeVar

from lscb_metrics.errors import ConfigurationError

T = TypeVar("T")

SECONDS_VARIABLE = "LSCB_FILE_SECONDS"
MEMORY_VARIABLE = "LSCB_FILE_MEMORY_MB"
DEFAULT_SECONDS = 60.0
DEFAULT_MEMORY_MB = 2048


@dataclass(frozen=True)
class Budget:
    """What one file may take to read: wall-clock seconds and MB of memory."""

    seconds: float
    memory_mb: int


class OverBudget(Exception):
    """A file took more time or memory to read than its budget; `problem` says which."""

    def __init__(self, problem: str) -> None:
        super().__init__(problem)
        self.problem = problem


def file_budget() -> Budget:
    """The budget from LSCB_FILE_SECONDS and LSCB_FILE_MEMORY_MB, else the defaults;
    ConfigurationError for a value that is not a positive number."""
    return Budget(
        _positive(SECONDS_VARIABLE, DEFAULT_SECONDS, float),
        int(_positive(MEMORY_VARIABLE, DEFAULT_MEMORY_MB, int)),
    )


def within_budget(function: Callable[..., T], *args: Any) -> T:
    """`function(*args)` run in a budgeted worker of this process no other thread is using;
    OverBudget if it took more than the budget's time or memory. Exceptions it raises are
    raised here."""
    if not _supported():
        return function(*args)
    if multiprocessing.current_process().daemon:
        # A daemonic process may not start one; Dask's workers are daemonic by default.
        raise ConfigurationError(
            "files are read under their budget in a worker process of their own, which this "
            "daemonic process may not start: start Dask workers with "
            "DASK_DISTRIBUTED__WORKER__DAEMON=False"
        )
    worker = _taken(file_budget())
    try:
        return worker.call(function, args)
    finally:
        with _LOCK:
            if worker.usable(worker.budget):
                _IDLE.append(worker)


def start_workers(count: int) -> None:
    """Fork workers now, for `count` threads to read files at once (where workers are used):
    forked later by a thread that reads while others work, a worker could inherit a lock one of
    them holds, and wait for it for ever."""
    if not _supported() or multiprocessing.current_process().daemon:
        return
    budget = file_budget()
    taken = [_taken(budget) for _ in range(count)]
    with _LOCK:
        _IDLE.extend(taken)


def _taken(budget: Budget) -> _Worker:
    """A worker under `budget` no other thread is using: an idle one, else one forked now."""
    with _LOCK:
        while _IDLE:
            worker = _IDLE.pop()
            if worker.usable(budget):
                return worker
            worker.close()
    return _Worker(budget)


def _supported() -> bool:
    """Whether a forked worker with an address-space limit is available (Linux)."""
    return sys.platform.startswith("linux") and "fork" in multiprocessing.get_all_start_methods()


class _Worker:
    """One forked process that runs calls one at a time under the budget."""

    def __init__(self, budget: Budget) -> None:
        self.budget = budget
        self.pid = os.getpid()
        context = multiprocessing.get_context("fork")
        self.connection, child = context.Pipe()
        self.process = context.Process(
            target=_serve, args=(child, budget.memory_mb), name="lscb-file-reader", daemon=True
        )
        self.process.start()
        child.close()

    def usable(self, budget: Budget) -> bool:
        """Whether this worker can take the next call: alive, of this process, same budget."""
        return self.pid == os.getpid() and self.process.is_alive() and self.budget == budget

    def call(self, function: Callable[..., T], args: tuple[Any, ...]) -> T:
        """The call's result, or its exception raised here; OverBudget (and this worker
        stopped) when it runs out of time or memory."""
        self.connection.send((function, args))
        if not self.connection.poll(self.budget.seconds):
            self.close()
            raise OverBudget(
                f"reading the file took longer than {self.budget.seconds:g} s, the time allowed "
                "for one file, so it was stopped."
            )
        try:
            ok, outcome = self.connection.recv()
        except (EOFError, OSError):
            self.close()
            raise OverBudget(_memory_problem(self.budget)) from None
        if ok:
            return outcome
        if outcome is MemoryError:
            self.close()
            raise OverBudget(_memory_problem(self.budget))
        raise outcome

    def close(self) -> None:
        """Stop the worker at once (it may be stuck in a slow call)."""
        if self.process.is_alive():
            self.process.kill()
        self.process.join(timeout=5)
        self.connection.close()


#: This process's workers not reading a file now, and the lock of the list.
_IDLE: list[_Worker] = []
_LOCK = threading.Lock()


def _forget_workers() -> None:
    """In a process just forked: its parent's workers are not its own, and the list's lock may
    have been held by a thread the fork left behind."""
    global _LOCK
    _IDLE.clear()
    _LOCK = threading.Lock()


os.register_at_fork(after_in_child=_forget_workers)


def _memory_problem(budget: Budget) -> str:
    """RET-002's reason for a file that needed more memory than allowed."""
    return (
        f"reading the file needed more than {budget.memory_mb:,} MB of memory, the memory "
        "allowed for one file, so it was stopped."
    )


def _serve(connection: Connection, memory_mb: int) -> None:
    """The worker's loop: cap the address space, then run each call sent and send back
    (True, result), (False, exception), or (False, MemoryError) before exiting."""
    # The run stops its worker itself: Ctrl-C at the terminal reaches the whole process group.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    in_use = _address_space_bytes()
    limit = in_use + memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    while True:
        try:
            function, args = connection.recv()
        except EOFError:
            return
        try:
            connection.send((True, function(*args)))
        except MemoryError:
            connection.send((False, MemoryError))
            return  # a process that ran out of memory is not trusted with the next file
        except Exception as error:  # raised again in the caller, as if called there
            try:  # an exception the caller could not rebuild is sent as its type and text
                pickle.loads(pickle.dumps(error))
            except Exception:
                error = RuntimeError(f"{type(error).__name__}: {error}")
            connection.send((False, error))


def _address_space_bytes() -> int:
    """This process's virtual memory size (what RLIMIT_AS counts), from /proc."""
    with open("/proc/self/statm", encoding="ascii") as statm:
        pages = int(statm.read().split()[0])
    return pages * os.sysconf("SC_PAGE_SIZE")


def _positive(variable: str, default: float, kind: type) -> float:
    """A positive number from the environment variable, else `default`."""
    text = os.environ.get(variable)
    if text is None:
        return default
    try:
        value = kind(text)
    except ValueError:
        value = 0
    if value <= 0:
        raise ConfigurationError(f"{variable} must be a positive number, not {text!r}")
    return value


@atexit.register
def _stop_workers() -> None:
    """Stop this process's workers when it ends."""
    with _LOCK:
        for worker in _IDLE:
            worker.close()
        _IDLE.clear()
