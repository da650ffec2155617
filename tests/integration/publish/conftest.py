"""One demo warehouse for the publication tests: the shipped demo returns run for 2014-15 Q2."""

from __future__ import annotations

from pathlib import Path

import pytest

from lscb_metrics.config import settings
from lscb_metrics.periods import parse_quarter
from lscb_metrics.pipeline import run_without_orchestration


@pytest.fixture(scope="session")
def demo_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo warehouse, built once per session without Prefect (about 30 s)."""

    warehouse = tmp_path_factory.mktemp("demo") / "warehouse.duckdb"
    run_without_orchestration(settings(warehouse=str(warehouse)), parse_quarter("2014-15-Q2"))
    return warehouse


@pytest.fixture(scope="session")
def schemas_dir(project_root: Path) -> Path:
    """The project's declarations (schemas/)."""
    return project_root / "schemas"


@pytest.fixture(scope="session")
def board_area_code() -> str:
    """ONS code of Southend-on-Sea, the area the demo returns are for."""
    return "E06000033"
