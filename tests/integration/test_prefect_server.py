"""Prefect's temporary server as a run starts and stops it."""

from __future__ import annotations

from pathlib import Path

from lscb_metrics.prefect_server import TemporaryServer


def test_a_server_asked_to_stop_ends_and_is_reaped_by_stop(tmp_path: Path) -> None:
    server = TemporaryServer(tmp_path / "server.log")
    try:
        assert server.answers_within(120)

        # The run asks once nothing reports to the server, and prints its summary meanwhile.
        server.ask_to_stop()
        server.process.wait(timeout=30)

        assert server.exited is not None
    finally:
        server.stop()
    assert server.process.returncode is not None
