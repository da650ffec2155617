"""The Prefect API a command-line run reports to: a long-running server when PREFECT_API_URL is
set, otherwise a temporary local server started here, given time to start on a slow machine,
tried twice, and always stopped (also on SIGINT and SIGTERM) so no server process outlives us.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from lscb_metrics.errors import ConfigurationError, LscbError

#: Prefect's own default (PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS, 20 s) is too short
#: for a busy 2-core machine, where the server has been seen to need well over 20 s.
DEFAULT_TIMEOUT_SECONDS = 90
TIMEOUT_VARIABLE = "LSCB_SERVER_TIMEOUT"
#: How long to wait for queued logs and events to reach the server before it stops.
DRAIN_SECONDS = 5


class ServerDidNotStart(LscbError):
    """Prefect's temporary server did not answer in time, twice."""


def startup_timeout() -> int:
    """Seconds to wait for the temporary server: LSCB_SERVER_TIMEOUT, or 90."""
    text = os.environ.get(TIMEOUT_VARIABLE, str(DEFAULT_TIMEOUT_SECONDS))
    if not text.isdigit() or int(text) == 0:
        raise ConfigurationError(f"{TIMEOUT_VARIABLE}={text!r}: give a whole number of seconds")
    return int(text)


@contextmanager
def prefect_api(announce: Callable[[str], None], server_log: Path) -> Iterator[str]:
    """The API URL to run against for the duration: PREFECT_API_URL's server when set, else a
    temporary local server writing its output to `server_log`, stopped on the way out.
    `announce` gets one line for a retry."""
    from prefect.settings import PREFECT_API_URL, temporary_settings

    configured = PREFECT_API_URL.value()
    if configured:
        yield configured
        return
    timeout = startup_timeout()
    server = _started_server(timeout, server_log)
    if server is None:
        announce(
            f"Prefect's temporary server did not start within {timeout} s; trying once more "
            f"(set {TIMEOUT_VARIABLE} to wait longer)"
        )
        server = _started_server(timeout, server_log)
    if server is None:
        raise ServerDidNotStart(
            f"Prefect's temporary server did not start within {timeout} s, twice. On a slow "
            f"or busy machine set {TIMEOUT_VARIABLE}=180 (seconds), or run a long-running "
            "server (`prefect server start`) and set PREFECT_API_URL=http://127.0.0.1:4200/api"
        )
    try:
        with temporary_settings({PREFECT_API_URL: server.api_url}):
            try:
                yield server.api_url
            finally:
                _drain_to_server()
    finally:
        server.stop()


def _started_server(timeout: int, server_log: Path) -> Any | None:
    """A running temporary Prefect server, or None if it did not answer within `timeout`."""
    server = _server_class(server_log)()
    try:
        server.start(timeout=timeout)
    except BaseException as error:
        server.stop()  # also when stopped by a signal while waiting: no server left behind
        if isinstance(error, RuntimeError):  # "Timed out while attempting to connect ..."
            return None
        raise
    return server


def _drain_to_server() -> None:
    """Send queued logs and events while the server still listens, so nothing retries against a
    stopped server at exit."""
    from prefect.events.worker import EventsWorker
    from prefect.logging.handlers import APILogWorker

    APILogWorker.drain_all(timeout=DRAIN_SECONDS)
    EventsWorker.drain_all(timeout=DRAIN_SECONDS)


def _server_class(server_log: Path) -> type:
    """SubprocessASGIServer whose process sits in a session of its own and writes to
    `server_log`."""
    from prefect.server.api.server import SubprocessASGIServer

    class OwnSessionServer(SubprocessASGIServer):
        """Prefect's temporary server, out of reach of the terminal's Ctrl-C, which goes to the
        whole foreground process group: the run must stop first and report its end to a server
        still listening, then stop the server itself."""

        def _run_uvicorn_command(self) -> subprocess.Popen[Any]:
            popen = subprocess.Popen
            subprocess.Popen = _in_own_session(popen, server_log)  # type: ignore[misc]
            try:
                return super()._run_uvicorn_command()
            finally:
                subprocess.Popen = popen  # type: ignore[misc]

    return OwnSessionServer


def _in_own_session(popen: type, output: Path) -> Callable[..., subprocess.Popen[Any]]:
    """`popen` starting its process in a new session, writing to `output` and, on Linux, ended
    with its parent."""
    ended_with_parent = _parent_death_signal()

    def started(*args: Any, **kwargs: Any) -> subprocess.Popen[Any]:
        with open(output, "a", encoding="utf-8") as out:
            return popen(
                *args,
                start_new_session=True,
                preexec_fn=ended_with_parent,
                stdout=out,
                stderr=subprocess.STDOUT,
                **kwargs,
            )

    return started


def _parent_death_signal() -> Callable[[], None] | None:
    """On Linux, what the child runs before exec to get SIGTERM when its parent dies, even by
    SIGKILL, so a killed run leaves no server behind; None elsewhere. Prepared in the parent:
    the child must not import anything between fork and exec."""
    if not sys.platform.startswith("linux"):
        return None
    import ctypes

    prctl = ctypes.CDLL(None, use_errno=True).prctl
    pr_set_pdeathsig = 1
    return lambda: prctl(pr_set_pdeathsig, signal.SIGTERM.value)
