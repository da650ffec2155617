"""The run's console, its signal handling and the temporary Prefect server's start, without a
run: stage lines in a pipe and on a terminal, a stop held back through the commit, a server that
starts late."""

from __future__ import annotations

import io
import logging
import os
import re
import signal
from pathlib import Path

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


class FakeServer:
    api_url = "http://127.0.0.1:1/api"

    def stop(self) -> None:
        pass


def test_a_server_that_does_not_start_in_time_is_tried_once_more(no_api_url, tmp_path, monkeypatch):
    attempts = iter([None, FakeServer()])
    monkeypatch.setattr(prefect_server, "_started_server", lambda *_: next(attempts))
    monkeypatch.setattr(prefect_server, "_drain_to_server", lambda: None)
    monkeypatch.setenv("LSCB_SERVER_TIMEOUT", "7")
    said = []
    with prefect_server.prefect_api(said.append, tmp_path / "log") as api:
        assert api == FakeServer.api_url
    assert said == [
        "Prefect's temporary server did not start within 7 s; trying once more "
        "(set LSCB_SERVER_TIMEOUT to wait longer)"
    ]


def test_a_server_that_never_starts_says_how_to_wait_longer_or_use_another(
    no_api_url, tmp_path, monkeypatch
):
    monkeypatch.setattr(prefect_server, "_started_server", lambda *_: None)
    with (
        pytest.raises(prefect_server.ServerDidNotStart, match="LSCB_SERVER_TIMEOUT=180") as error,
        prefect_server.prefect_api(lambda _: None, tmp_path / "log"),
    ):
        pass
    assert "PREFECT_API_URL" in str(error.value) and "within 90 s, twice" in str(error.value)


@pytest.mark.parametrize("value", ["0", "ninety", "-5"])
def test_a_mistyped_server_timeout_is_refused(value, monkeypatch):
    monkeypatch.setenv("LSCB_SERVER_TIMEOUT", value)
    with pytest.raises(prefect_server.ConfigurationError, match="whole number of seconds"):
        prefect_server.startup_timeout()
