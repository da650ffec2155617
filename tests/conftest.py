"""Test-session set-up: offline, telemetry off, Prefect state in a temporary folder."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[1]

os.environ["DO_NOT_TRACK"] = "1"
os.environ["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"
os.environ.setdefault("PREFECT_HOME", tempfile.mkdtemp(prefix="lscb-prefect-"))


@pytest.fixture(scope="session")
def project_root() -> Path:
    """The project folder."""
    return PROJECT_ROOT
