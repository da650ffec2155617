"""SIGINT and SIGTERM end a run cleanly: as an exception the command line reports in one line,
never in the middle of the warehouse commit.

Prefect replaces the SIGTERM handler while a flow runs and, when the signal comes, re-sends it
to the handler it replaced, which is ours: so a stop always ends as RunStopped.
"""

from __future__ import annotations

import functools
import os
import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
T = TypeVar("T")

STOPPING = (signal.SIGINT, signal.SIGTERM)


class RunStopped(BaseException):
    """The run was stopped by a signal. A BaseException, so no `except Exception` swallows it."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum

    @property
    def exit_code(self) -> int:
        """The shell's convention for a process ended by this signal: 128 + its number."""
        return 128 + self.signum


def _raise_stopped(signum: int, _frame: FrameType | None) -> None:
    """Signal handler: stop the run where it is."""
    raise RunStopped(signum)


@contextmanager
def stop_on_signals() -> Iterator[None]:
    """SIGINT and SIGTERM raise RunStopped in the main thread for the duration."""
    previous = {signum: signal.signal(signum, _raise_stopped) for signum in STOPPING}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def shielded(function: Callable[P, T]) -> Callable[P, T]:
    """Decorator: a stop signal that arrives during the call waits until the call has returned
    (so a commit is finished, not cut short), then is delivered again."""

    @functools.wraps(function)
    def uninterrupted(*args: P.args, **kwargs: P.kwargs) -> T:
        if threading.current_thread() is not threading.main_thread():
            return function(*args, **kwargs)  # signals only ever reach the main thread
        held: list[int] = []
        previous = {signum: signal.signal(signum, _holder(held)) for signum in STOPPING}
        try:
            return function(*args, **kwargs)
        finally:
            for signum, handler in previous.items():
                signal.signal(signum, handler)
            for signum in held[:1]:
                os.kill(os.getpid(), signum)

    return uninterrupted


def _holder(held: list[int]) -> Callable[[int, FrameType | None], None]:
    """Signal handler that only notes the signal in `held`."""

    def hold(signum: int, _frame: FrameType | None) -> None:
        held.append(signum)

    return hold
