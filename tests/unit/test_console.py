"""The run's console, its signal handling and the temporary Prefect server's start, without a
run: stage lines in a pipe and on a terminal, a stop held back through the commit, a server that
starts late."""

from __future__ import annotations

import io
import logging
import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import ClassVar

import pytest

from lscb_metrics import prefect_server, progress
from lscb_metrics.console import run_console
from lscb_metrics.signals import RunStopped, shielded, stop_on_signals


class Terminal(io.StringIO):
    """A stream that says it is a terminal."""

    def isatty(self) -> bool:
        return True


def staged(stream: io.StringIO, tmp_path: Path, *, verbose: bool = False) -> str:
    """What the console shows for a counted stage of 4 items and an uncounted one."""
    with run_console(tmp_path / "run.log", stream, verbose=verbose):
        progress.began("receive", total=4)
        for _ in range(4):
            progress.advanced("receive")
        progress.finished("receive", "4 files")
        progress.began("compute")
        progress.finished("compute", "9 values")
    return stream.getvalue()


def test_in_a_pipe_each_stage_is_one_line_of_marks_result_and_time(tmp_path):
    lines = staged(io.StringIO(), tmp_path).splitlines()
    assert re.fullmatch(r"receive +\.{10} 4 files \(\d+\.\d s\)", lines[0])
    assert re.fullmatch(r"compute +9 values \(\d+\.\d s\)", lines[1])
    assert len(lines) == 2
    logged = (tmp_path / "run.log").read_text()
    assert "receive: 4 files" in logged and "one more done" not in logged


def test_on_a_terminal_the_stage_line_is_redrawn_with_a_bar(tmp_path):
    shown = staged(Terminal(), tmp_path)
    assert "[######" in shown and "2/4" in shown and "4/4" in shown
    assert re.search(r"\r\x1b\[Kreceive +4 files \(\d+\.\d s\)\n", shown)


class ClosedPipe(io.StringIO):
    """A stream whose reader has gone, after the first `allowed` writes."""

    def __init__(self, allowed: int) -> None:
        super().__init__()
        self.allowed = allowed

    def write(self, text: str) -> int:
        self.allowed -= 1
        if self.allowed < 0:
            raise BrokenPipeError(32, "Broken pipe")
        return super().write(text)


def test_a_pipe_closed_while_a_stage_ticks_ends_the_ticker_quietly(tmp_path, monkeypatch):
    failures: list[threading.ExceptHookArgs] = []
    monkeypatch.setattr(threading, "excepthook", failures.append)
    stream = ClosedPipe(allowed=1)  # the stage's name, then the pipe closes
    with pytest.raises(BrokenPipeError), run_console(tmp_path / "run.log", stream):
        progress.began("compute")
        time.sleep(3.5)  # the ticker's first mark, due at 3 s, meets the closed pipe
        progress.finished("compute", "9 values")
    assert failures == []


def test_prefect_console_handlers_leave_the_terminal_unless_verbose(tmp_path):
    from prefect.logging.handlers import PrefectConsoleHandler

    root = logging.getLogger()
    handler = PrefectConsoleHandler()
    root.addHandler(handler)
    try:
        with run_console(tmp_path / "quiet.log", io.StringIO()):
            assert handler not in root.handlers
            logging.getLogger("prefect.task_runs").warning(
                "Finished in state Completed()", extra={"task_run_name": "receive return-1"}
            )
        assert handler in root.handlers  # as it was after the run
        with run_console(tmp_path / "verbose.log", io.StringIO(), verbose=True):
            assert handler in root.handlers
    finally:
        root.removeHandler(handler)
    logged = (tmp_path / "quiet.log").read_text()
    assert "Task run 'receive return-1' - Finished in state Completed()" in logged


def test_the_log_withholds_what_a_librarys_message_or_a_traceback_quotes(tmp_path):
    # A library's message and a traceback quote what they failed on: here a name typed into a
    # cell. The log keeps the kind of error and where it was raised, not the name.
    log, cell = tmp_path / "run.log", "Jane Smith"
    with pytest.raises(ValueError), run_console(log, io.StringIO()):
        logging.getLogger("prefect.task_runs").error(
            "Task run failed with exception: %r",
            ValueError(f"invalid literal: {cell!r}"),
            extra={"task_run_name": "receive return-1"},
        )
        logging.getLogger("lscb_metrics.progress").warning("a 'quoted' file name of our own")
        raise ValueError(f"invalid literal for int() with base 10: {cell!r}")
    logged = log.read_text()
    assert "Jane" not in logged
    assert "Task run 'receive return-1' - Task run failed with exception: ValueError('…')" in logged
    assert "ValueError: invalid literal for int() with base 10: '…'" in logged
    assert "Traceback" in logged and "test_console.py" in logged  # where it was raised
    assert "a 'quoted' file name of our own" in logged  # this package's messages as written


def test_a_stop_during_the_commit_waits_until_the_commit_has_finished():
    finished = []

    @shielded
    def commit() -> None:
        os.kill(os.getpid(), signal.SIGTERM)
        finished.append("commit")

    with stop_on_signals(), pytest.raises(RunStopped) as stopped:
        commit()
    assert finished == ["commit"]
    assert stopped.value.exit_code == 143


@pytest.fixture
def no_api_url():
    """No PREFECT_API_URL, as on a machine without a long-running server."""
    from prefect.settings import PREFECT_API_URL, temporary_settings

    with temporary_settings(restore_defaults={PREFECT_API_URL}):
        yield


class LateServer:
    """Stands in for Prefect's temporary server: answers on the attempts listed in `ANSWERS`."""

    ANSWERS: ClassVar[list[bool]] = []
    stopped: ClassVar[int] = 0
    exited = None  # still starting, however late

    def __init__(self, server_log: Path) -> None:
        self.api_url = "http://127.0.0.1:1/api"
        self.answers = self.ANSWERS.pop(0)

    def answers_within(self, timeout: float) -> bool:
        return self.answers

    def ask_to_stop(self) -> None:
        """Nothing to ask: the stand-in never ran."""

    def stop(self) -> None:
        LateServer.stopped += 1


def test_a_server_that_does_not_start_in_time_is_tried_once_more(no_api_url, tmp_path, monkeypatch):
    monkeypatch.setattr(prefect_server, "TemporaryServer", LateServer)
    monkeypatch.setattr(LateServer, "ANSWERS", [False, True])
    monkeypatch.setattr(prefect_server, "_drain_to_server", lambda: None)
    monkeypatch.setenv("LSCB_SERVER_TIMEOUT", "7")
    said = []
    with (
        prefect_server.launched_api(tmp_path / "log") as pending,
        pending.ready(said.append) as api,
    ):
        assert api == "http://127.0.0.1:1/api"
    assert said == [
        "Prefect's temporary server did not start within 7 s; trying once more "
        "(set LSCB_SERVER_TIMEOUT to wait longer)"
    ]
    assert LateServer.stopped == 2  # the late one, then the one that answered


def test_runs_on_the_temporary_server_send_no_heartbeats(no_api_url, tmp_path, monkeypatch):
    # A heartbeat tells a long-running server that the run's process is alive; the temporary
    # server dies with the run, so no one would read one.
    from prefect.settings import get_current_settings

    monkeypatch.setattr(prefect_server, "TemporaryServer", LateServer)
    monkeypatch.setattr(LateServer, "ANSWERS", [True])
    monkeypatch.setattr(prefect_server, "_drain_to_server", lambda: None)
    assert get_current_settings().flows.heartbeat_frequency is not None
    with prefect_server.launched_api(tmp_path / "log") as pending, pending.ready(print):
        assert get_current_settings().flows.heartbeat_frequency is None
    assert get_current_settings().flows.heartbeat_frequency is not None


def test_runs_on_a_long_running_server_keep_their_heartbeats(tmp_path, monkeypatch):
    from prefect.settings import PREFECT_API_URL, get_current_settings, temporary_settings

    monkeypatch.setattr(prefect_server, "_configured_api_url", lambda: "http://127.0.0.1:1/api")
    monkeypatch.setattr(prefect_server, "_answers", lambda api_url, timeout=1: True)
    every = get_current_settings().flows.heartbeat_frequency
    assert every is not None
    with (
        temporary_settings({PREFECT_API_URL: "http://127.0.0.1:1/api"}),
        prefect_server.launched_api(tmp_path / "log") as pending,
        pending.ready(print) as api,
    ):
        assert api == "http://127.0.0.1:1/api"
        assert get_current_settings().flows.heartbeat_frequency == every


@pytest.fixture
def servers(monkeypatch: pytest.MonkeyPatch) -> list:
    """The server processes `prefect_server` launches during the test, in order."""
    launched_servers: list = []
    launch = prefect_server._launched

    def launched(*args):
        launched_servers.append(launch(*args))
        return launched_servers[-1]

    monkeypatch.setattr(prefect_server, "_launched", launched)
    return launched_servers


def test_a_server_that_never_starts_says_how_to_wait_longer_and_is_not_left_running(
    no_api_url, tmp_path, monkeypatch, servers
):
    # Prefect's real server needs seconds to import its code: it cannot answer within 1 s.
    monkeypatch.setenv("LSCB_SERVER_TIMEOUT", "1")
    with (
        pytest.raises(prefect_server.ServerDidNotStart, match="LSCB_SERVER_TIMEOUT=180") as error,
        prefect_server.launched_api(tmp_path / "log") as pending,
        pending.ready(lambda _: None),
    ):
        pass
    assert "PREFECT_API_URL" in str(error.value) and "within 1 s, twice" in str(error.value)
    assert len(servers) == 2 and all(process.poll() is not None for process in servers)


def test_a_server_that_stops_as_it_starts_is_not_waited_for_nor_taken_for_a_slow_one(
    no_api_url, tmp_path, monkeypatch, servers
):
    # Prefect's server cannot keep its database in a PREFECT_HOME that is a file: uvicorn exits
    # with the status it also gives a port taken meanwhile.
    (tmp_path / "home").write_text("not a folder", encoding="utf-8")
    monkeypatch.setenv("PREFECT_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("LSCB_SERVER_TIMEOUT", "120")
    said = []
    with (
        pytest.raises(prefect_server.ServerDidNotStart) as error,
        prefect_server.launched_api(tmp_path / "run.log") as pending,
        pending.ready(said.append),
    ):
        pass
    message = str(error.value)
    assert "stopped as it started (exit status 3)" in message
    assert f"its error is in {tmp_path / 'run.log'}" in message
    assert f"PREFECT_HOME ({tmp_path / 'home'})" in message and "LSCB_SERVER_TIMEOUT" not in message
    assert "unable to open database file" in (tmp_path / "run.log").read_text(encoding="utf-8")
    assert len(servers) == 1 and said == []


def test_a_long_running_server_that_is_down_is_named_with_what_to_do(tmp_path):
    from prefect.settings import PREFECT_API_URL, temporary_settings

    down = f"http://127.0.0.1:{prefect_server._free_port()}/api"  # nothing listens there
    with (
        temporary_settings({PREFECT_API_URL: down}),
        pytest.raises(prefect_server.ServerDidNotStart) as error,
        prefect_server.launched_api(tmp_path / "run.log") as pending,
        pending.ready(print),
    ):
        pass
    assert pending.server is None  # none of its own was started
    message = str(error.value)
    assert f"no Prefect server answers at PREFECT_API_URL={down}" in message
    assert "prefect server start" in message and "unset PREFECT_API_URL" in message


def test_the_server_never_gets_the_pseudonymisation_key(no_api_url, tmp_path, monkeypatch):
    monkeypatch.setenv("LSCB_PSEUDONYMISATION_KEY", "canary-key-" + "k" * 40)
    monkeypatch.setenv("LSCB_SERVER_TIMEOUT", "60")
    # A new warehouse's log folder does not exist yet when the server starts writing to it.
    with prefect_server.launched_api(tmp_path / "logs" / "run.log") as pending:
        assert (tmp_path / "logs" / "run.log").is_file()
        environ = Path(f"/proc/{pending.server.process.pid}/environ")
        if not environ.exists():
            pytest.skip("no /proc here to read a process's environment")
        assert b"canary-key-" not in environ.read_bytes()
        assert pending.server.process.poll() is None


@pytest.mark.parametrize("value", ["0", "ninety", "-5"])
def test_a_mistyped_server_timeout_is_refused(value, monkeypatch):
    monkeypatch.setenv("LSCB_SERVER_TIMEOUT", value)
    with pytest.raises(prefect_server.ConfigurationError, match="whole number of seconds"):
        prefect_server.startup_timeout()


#: A run's start in a fresh Python: the server launched before Prefect is imported, then a
#: thread that carries no settings of its own (as Prefect's events and log workers do) asks
#: Prefect for its API.
THREAD_SEES = """
import sys, threading
from pathlib import Path
from lscb_metrics.prefect_server import launched_api
with launched_api(Path(sys.argv[1])) as pending:
    from prefect.settings import get_current_settings
    with pending.ready(print) as api:
        seen = []
        thread = threading.Thread(target=lambda: seen.append(get_current_settings().api.url))
        thread.start()
        thread.join()
        print("thread sees the run's server:", seen == [api])
"""


def test_prefects_background_threads_see_the_runs_server(tmp_path):
    environment = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    done = subprocess.run(
        [sys.executable, "-c", THREAD_SEES, str(tmp_path / "run.log")],
        capture_output=True,
        text=True,
        env=environment,
        timeout=180,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "thread sees the run's server: True" in done.stdout
