"""Test-session set-up: offline, telemetry off, Prefect state in a temporary folder."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[1]

os.environ["DO_NOT_TRACK"] = "1"
os.environ["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"
os.environ["GX_ANALYTICS_ENABLED"] = "false"
os.environ.setdefault("PREFECT_HOME", tempfile.mkdtemp(prefix="lscb-prefect-"))


@pytest.fixture(scope="session")
def project_root() -> Path:
    """The project folder."""
    return PROJECT_ROOT


@pytest.fixture(scope="session")
def demo_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo warehouse (shipped returns, 2014-15 Q2), built once per session without Prefect.

    Tests that change a warehouse must work on a copy of it.
    """
    from lscb_metrics.config import settings
    from lscb_metrics.periods import parse_quarter
    from lscb_metrics.pipeline import run_without_orchestration

    warehouse = tmp_path_factory.mktemp("demo") / "warehouse.duckdb"
    run_without_orchestration(settings(warehouse=str(warehouse)), parse_quarter("2014-15-Q2"))
    return warehouse
