"""Browser tests: the demo scorecard's editions, written once per session for headless Chromium
to open."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from lscb_metrics.editions import INTERNAL
from lscb_metrics.publish.scorecard import write_scorecard


@pytest.fixture(scope="session")
def scorecard_page(
    demo_warehouse: Path, tmp_path_factory: pytest.TempPathFactory, demo_board: Any
) -> Path:
    """scorecard.html written from the demo warehouse (tests/conftest.py)."""
    return write_scorecard(demo_warehouse, tmp_path_factory.mktemp("scorecard"), demo_board)[0]


@pytest.fixture(scope="session")
def internal_scorecard_page(
    demo_warehouse: Path, tmp_path_factory: pytest.TempPathFactory, demo_board: Any
) -> Path:
    """The internal edition's scorecard.html (unsuppressed, under its protective marking)."""
    out = tmp_path_factory.mktemp("internal-scorecard")
    return write_scorecard(demo_warehouse, out, demo_board, edition=INTERNAL)[0]
