"""Browser tests: the demo scorecard, written once per session for headless Chromium to open."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from lscb_metrics.publish.scorecard import write_scorecard


@pytest.fixture(scope="session")
def scorecard_page(
    demo_warehouse: Path, tmp_path_factory: pytest.TempPathFactory, demo_board: Any
) -> Path:
    """scorecard.html written from the demo warehouse (tests/conftest.py)."""
    return write_scorecard(demo_warehouse, tmp_path_factory.mktemp("scorecard"), demo_board)[0]
