"""Browser tests: the demo scorecard, written once per session for headless Chromium to open."""

from __future__ import annotations

from pathlib import Path

import pytest

from lscb_metrics.config import settings
from lscb_metrics.periods import parse_quarter
from lscb_metrics.pipeline import run_without_orchestration
from lscb_metrics.publish.scorecard import write_scorecard


# Same build as tests/integration/publish/conftest.py; once that fixture moves up to
# tests/conftest.py this one goes, and a full test run builds the warehouse only once.
@pytest.fixture(scope="session")
def demo_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo warehouse: the shipped demo returns run for 2014-15 Q2 without Prefect."""
    warehouse = tmp_path_factory.mktemp("demo") / "warehouse.duckdb"
    run_without_orchestration(settings(warehouse=str(warehouse)), parse_quarter("2014-15-Q2"))
    return warehouse


@pytest.fixture(scope="session")
def scorecard_page(demo_warehouse: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """scorecard.html written from the demo warehouse."""
    return write_scorecard(demo_warehouse, tmp_path_factory.mktemp("scorecard"))[0]
