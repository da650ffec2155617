"""Fixtures shared by the publication tests (the demo warehouse itself is in tests/conftest.py)."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def schemas_dir(project_root: Path) -> Path:
    """The project's declarations (schemas/)."""
    return project_root / "schemas"


@pytest.fixture(scope="session")
def board_area_code() -> str:
    """ONS code of Southend-on-Sea, the area the demo returns are for."""
    return "E06000033"
