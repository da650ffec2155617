"""The Prefect API a command-line run reports to: a long-running server when PREFECT_API_URL is
set, otherwise a temporary local server started here, given time to start on a slow machine,
tried twice, and always stopped (also on SIGINT and SIGTERM) so no server process outlives us.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import random
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http import HTTPStatus
from pathlib import Path

from lscb_metrics.config import KEY_VARIABLE, environment_variable
from lscb_metrics.errors import ConfigurationError, LscbError

#: Prefect's own default (PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS, 20 s) is too short
#: for a busy 2-core machine, where the server has been seen to need well over 20 s.
DEFAULT_TIMEOUT_SECONDS = 90
TIMEOUT_VARIABLE = "LSCB_SERVER_TIMEOUT"
#: How long to wait for queued logs and events to reach the server before it stops.
DRAIN_SECONDS = 5
#: How long a long-running server named by PREFECT_API_URL has to answer before the run stops.
CONFIGURED_SECONDS = 10
API_URL_VARIABLE = "PREFECT_API_URL"
#: The ports Prefect's own temporary server picks from.
SERVER_PORTS = range(8000, 9000)
#: uvicorn's exit status when it cannot start, as when another program took its port.
PORT_TAKEN = 3
#: What a run's temporary server goes without, which saves about 0.7 s of its start (a third
#: of the wait for it on 2 cores): registering Prefect's block types, which imports every
#: installed Prefect collection (prefect-dask, and Dask with it) and hashes them, for blocks no
#: run uses; and the service running automations, which a server that lives for one run has none
#: of. A long-running server (PREFECT_API_URL) keeps its own settings.
LEAN_SERVER = {
    "PREFECT_API_BLOCKS_REGISTER_ON_START": "false",
    "PREFECT_MEMOIZE_BLOCK_AUTO_REGISTRATION": "false",
    "PREFECT_SERVER_SERVICES_TRIGGERS_ENABLED": "false",
}
#: Never handed to the server: it has no use for the key.
SECRET_VARIABLES = (KEY_VARIABLE,)


class ServerDidNotStart(LscbError):
    """Prefect's temporary server did not answer in time, twice."""


def startup_timeout() -> int:
    """Seconds to wait for the temporary server: LSCB_SERVER_TIMEOUT, or 90."""
    text = os.environ.get(TIMEOUT_VARIABLE, str(DEFAULT_TIMEOUT_SECONDS))
    if not text.isdigit() or int(text) == 0:
        raise ConfigurationError(f"{TIMEOUT_VARIABLE}={text!r}: give a whole number of seconds")
    return int(text)


class TemporaryServer:
    """Prefect's temporary API server, started the way Prefect's own `SubprocessASGIServer`
    starts it (uvicorn serving `prefect.server.api.server:create_app` on a free local port,
    without the UI) but without importing the server's code into this process, which takes
    seconds: so it boots on the other core while the run imports its own code. It runs in a
    session of its own (out of reach of the terminal's Ctrl-C: the run must report its end to
    a server still listening, then stop it), writes to the run's log and, on Linux, ends with
    its parent even when that is killed."""

    def __init__(self, server_log: Path) -> None:
        self.server_log = server_log
        self.port = _free_port()
        self.process = _launched(self.port, server_log)

    @property
    def api_url(self) -> str:
        """The server's API address."""
        return f"http://127.0.0.1:{self.port}/api"

    def answers_within(self, timeout: float) -> bool:
        """Whether the server's health check answers within `timeout` seconds."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            ended = self.process.poll()
            # uvicorn gives the same status to every failure to start (an unwritable
            # PREFECT_HOME too): only a port now in use was taken meanwhile, so take another.
            if ended == PORT_TAKEN and _in_use(self.port):
                self.port = _free_port()
                self.process = _launched(self.port, self.server_log)
                continue
            if ended is not None:
                return False
            if _answers(self.api_url):
                return True
            # A refused connection costs a millisecond: asking often starts the run sooner.
            time.sleep(0.05)
        return False

    @property
    def exited(self) -> int | None:
        """The server's exit status if it has stopped by itself, else None."""
        return self.process.poll()

    def ask_to_stop(self) -> None:
        """Ask the server to stop (SIGTERM), without waiting for it: `stop` reaps it."""
        if self.process.poll() is None:
            self.process.terminate()

    def stop(self) -> None:
        """Stop the server (a polite SIGTERM, then SIGKILL) and reap it."""
        self.ask_to_stop()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


class PendingApi:
    """The API a run will report to, possibly still starting: see `launched_api`."""

    def __init__(self, server: TemporaryServer | None, server_log: Path, timeout: int) -> None:
        self.server = server
        self.server_log = server_log
        self.timeout = timeout

    @contextmanager
    def ready(self, announce: Callable[[str], None]) -> Iterator[str]:
        """The API URL once it answers, set as Prefect's API for the duration: PREFECT_API_URL's
        server when set (also in a Prefect profile), else the temporary server, started once
        more if it did not answer in time, with flow-run heartbeats off. `announce` gets one
        line for a retry."""
        from prefect.settings import (
            PREFECT_API_URL,
            PREFECT_FLOWS_HEARTBEAT_FREQUENCY,
            temporary_settings,
        )

        configured = PREFECT_API_URL.value()
        if configured:
            self.stop()
            if not _answers(configured, CONFIGURED_SECONDS):
                raise ServerDidNotStart(
                    f"no Prefect server answers at PREFECT_API_URL={configured}: start it "
                    "(`prefect server start`, with the same PREFECT_HOME), or unset "
                    "PREFECT_API_URL and the run starts a temporary server of its own"
                )
            yield configured
            return
        if self.server is None or not self.server.answers_within(self.timeout):
            if self.server is not None and self.server.exited is not None:
                raise ServerDidNotStart(stopped_at_start(self.server.exited, self.server_log))
            announce(
                f"Prefect's temporary server did not start within {self.timeout} s; trying once "
                f"more (set {TIMEOUT_VARIABLE} to wait longer)"
            )
            self.stop()
            self.server = TemporaryServer(self.server_log)
            if not self.server.answers_within(self.timeout):
                raise ServerDidNotStart(
                    f"Prefect's temporary server did not start within {self.timeout} s, twice. "
                    f"On a slow or busy machine set {TIMEOUT_VARIABLE}=180 (seconds), or run a "
                    "long-running server (`prefect server start`) and set "
                    "PREFECT_API_URL=http://127.0.0.1:4200/api"
                )
        with (
            _process_wide(API_URL_VARIABLE, self.server.api_url),
            # Heartbeats let a long-running server mark a run whose process died as crashed. A
            # temporary server dies with the run, so no one reads them; sending them cost every
            # run about 1 s (building each event, and up to 1 s waiting for the sender to stop).
            temporary_settings(
                {PREFECT_API_URL: self.server.api_url, PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}
            ),
        ):
            try:
                yield self.server.api_url
            finally:
                _drain_to_server()
                # Nothing reports to it now: it shuts down while the run prints its summary, and
                # `launched_api` reaps it on the way out.
                self.server.ask_to_stop()

    def stop(self) -> None:
        """Stop the temporary server, if one was started."""
        if self.server is not None:
            self.server.stop()
            self.server = None


@contextmanager
def launched_api(server_log: Path) -> Iterator[PendingApi]:
    """Start Prefect's temporary server now, unless PREFECT_API_URL is set, and stop it on the
    way out (also on SIGINT and SIGTERM), so no server process outlives the run; the pending
    API, whose `ready` waits for it."""
    timeout = startup_timeout()  # a mistyped timeout fails before anything starts
    configured = _configured_api_url()
    pending = PendingApi(None if configured else TemporaryServer(server_log), server_log, timeout)
    try:
        yield pending
    finally:
        pending.stop()


def _configured_api_url() -> str | None:
    """PREFECT_API_URL as far as it is known without importing Prefect, which takes seconds:
    Prefect's setting once Prefect is imported, else the environment's (a Prefect profile's is
    found by `PendingApi.ready`, which then stops the temporary server)."""
    if "prefect.settings" in sys.modules:
        from prefect.settings import PREFECT_API_URL

        return PREFECT_API_URL.value() or None
    return os.environ.get(API_URL_VARIABLE) or None


@contextmanager
def _process_wide(variable: str, value: str) -> Iterator[None]:
    """Prefect setting `variable` as `value` for the whole process and its children: in the
    environment and in Prefect's global settings, which Prefect's background threads read
    (left to the settings of their context, its events worker started a temporary server of
    its own during every run's validation)."""
    from prefect.context import refresh_global_settings_context

    try:
        with environment_variable(variable, value):
            refresh_global_settings_context()
            yield
    finally:
        refresh_global_settings_context()


def _drain_to_server() -> None:
    """Send queued logs and events while the server still listens, so nothing retries against a
    stopped server at exit."""
    from prefect.events.worker import EventsWorker
    from prefect.logging.handlers import APILogWorker

    APILogWorker.drain_all(timeout=DRAIN_SECONDS)
    EventsWorker.drain_all(timeout=DRAIN_SECONDS)


def _answers(api_url: str, timeout: float = 1) -> bool:
    """Whether the Prefect API at `api_url` answers its health check within `timeout` s."""
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # local: no proxy
    with (
        contextlib.suppress(OSError),
        opener.open(f"{api_url}/health", timeout=timeout) as response,
    ):
        return response.status == HTTPStatus.OK
    return False


def stopped_at_start(status: int, server_log: Path) -> str:
    """Why a run cannot go on when Prefect's temporary server stopped by itself as it started
    (waiting longer would not help), and what to check."""
    home = os.environ.get("PREFECT_HOME", "~/.prefect")
    return (
        f"Prefect's temporary server stopped as it started (exit status {status}); its error "
        f"is in {server_log}. Check that PREFECT_HOME ({home}) is a folder you can write, or "
        "run a long-running server (`prefect server start`) and set "
        "PREFECT_API_URL=http://127.0.0.1:4200/api"
    )


def _in_use(port: int) -> bool:
    """Whether another program holds the local `port`."""
    with contextlib.closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return True
    return False


def _free_port() -> int:
    """A local port nothing listens on now, from the range Prefect's temporary server uses."""
    ports = random.sample(SERVER_PORTS, 20)
    for port in ports:
        if not _in_use(port):
            return port
    raise ConfigurationError(
        f"no free local port for Prefect's temporary server among {ports}; set PREFECT_API_URL "
        "to a running server"
    )


def _launched(port: int, server_log: Path) -> subprocess.Popen[bytes]:
    """Prefect's API server starting on `port`, its output in `server_log`. The environment is
    this process's, which holds every Prefect setting (the server reads PREFECT_HOME's profile
    itself), without the pseudonymisation key."""
    environment = {
        **{name: value for name, value in os.environ.items() if name not in SECRET_VARIABLES},
        "PREFECT_UI_ENABLED": "0",
        "PREFECT__SERVER_EPHEMERAL": "1",
        "PREFECT__SERVER_FINAL": "1",
        **LEAN_SERVER,
    }
    command = [
        sys.executable,
        *("-m", "uvicorn", "--app-dir", _packages_folder()),
        *("--factory", "prefect.server.api.server:create_app"),
        *("--host", "127.0.0.1", "--port", str(port)),
        *("--log-level", "error", "--lifespan", "on"),
    ]
    server_log.parent.mkdir(parents=True, exist_ok=True)
    with open(server_log, "a", encoding="utf-8") as out:
        return subprocess.Popen(
            command,
            env=environment,
            start_new_session=True,
            preexec_fn=_parent_death_signal(),
            stdout=out,
            stderr=subprocess.STDOUT,
        )


def _packages_folder() -> str:
    """The folder Prefect is installed in, found without importing it (uvicorn's --app-dir,
    as Prefect gives it, so that no folder of the working directory shadows it)."""
    spec = importlib.util.find_spec("prefect")
    if spec is None or not spec.submodule_search_locations:
        raise ConfigurationError("Prefect is not installed: run `make install`")
    return str(Path(next(iter(spec.submodule_search_locations))).parent)


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
