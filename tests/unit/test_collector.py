"""The collector set for a run, and put back after it; a process ending without its teardown."""

from __future__ import annotations

import gc
import subprocess
import sys
import textwrap

import pytest

from lscb_metrics.collector import RUN_THRESHOLDS, run_collection


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


def ended(program: str) -> subprocess.CompletedProcess[str]:
    """A Python process running `program`, which ends with `collector.exit_promptly`."""
    source = "from lscb_metrics.collector import exit_promptly\n" + textwrap.dedent(program)
    return subprocess.run(
        [sys.executable, "-c", source], capture_output=True, text=True, timeout=60, check=False
    )


def test_a_prompt_exit_keeps_the_status_runs_the_exit_handlers_and_flushes_output() -> None:
    done = ended(
        """
        import atexit, logging, sys, tempfile
        handler = logging.StreamHandler(sys.stderr)
        logging.getLogger("run").addHandler(handler)
        atexit.register(print, "exit handler ran")
        print("summary", end="")  # buffered: a pipe is not a terminal
        logging.getLogger("run").warning("last log line")
        exit_promptly(3)
        """
    )
    assert done.returncode == 3
    assert done.stdout == "summaryexit handler ran\n"
    assert done.stderr == "last log line\n"


def test_a_prompt_exit_waits_for_a_thread_still_running() -> None:
    done = ended(
        """
        import threading, time
        def late():
            time.sleep(0.5)
            print("thread finished")
        threading.Thread(target=late).start()
        exit_promptly(0)
        """
    )
    assert (done.returncode, done.stdout) == (0, "thread finished\n")
