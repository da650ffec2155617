"""Test-session set-up: offline, telemetry off, Prefect state in a temporary folder."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from lscb_metrics.config import use_python_strings

PROJECT_ROOT = Path(__file__).resolve().parents[1]

os.environ["DO_NOT_TRACK"] = "1"
os.environ["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"
os.environ["GX_ANALYTICS_ENABLED"] = "false"
os.environ.setdefault("PREFECT_HOME", tempfile.mkdtemp(prefix="lscb-prefect-"))
# As a run: before any test module makes a frame or a return's schema.
use_python_strings()


@pytest.fixture(scope="session")
def project_root() -> Path:
    """The project folder."""
    return PROJECT_ROOT


@pytest.fixture(scope="session")
def prefect_server() -> Iterator[None]:
    """Prefect's temporary local server, started once for the whole session (10-20 s)."""
    # Prefect sets up its logging when prefect.main is first imported, binding its console handler
    # to sys.stderr as it is then: import it now, not inside a test whose stderr is captured.
    import prefect.main  # noqa: F401
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield


@pytest.fixture(scope="session")
def demo_run(prefect_server: None, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The quarterly flow itself on the shipped demo returns for 2014-15 Q2, into a temporary
    warehouse (its curated files beside it), and the Prefect artifacts it published. One of the
    suite's two full runs; tests that change a warehouse must work on a copy of it."""
    from prefect.client.orchestration import get_client

    from flows.quarterly import quarterly_run

    warehouse = tmp_path_factory.mktemp("demo") / "warehouse.duckdb"
    summary = quarterly_run(period="2014-15-Q2", warehouse=str(warehouse))
    with get_client(sync_client=True) as client:
        # Other tests' runs publish under the same keys: the newest of each key is this run's.
        newest_last = sorted(client.read_artifacts(), key=lambda artifact: artifact.created)
        artifacts = {artifact.key: artifact for artifact in newest_last}
    return {"summary": summary, "warehouse": warehouse, "artifacts": artifacts}


@pytest.fixture(scope="session")
def demo_warehouse(demo_run: dict[str, Any]) -> Path:
    """The demo run's warehouse (read-only use; copy it to change it)."""
    return demo_run["warehouse"]


@pytest.fixture(scope="session")
def demo_reference(tmp_path_factory: pytest.TempPathFactory) -> Any:
    """Published reference data as a run loads it (pipeline.load_reference), once per session;
    its cache beside a temporary warehouse, not in the project's data folder."""
    from lscb_metrics import pipeline
    from lscb_metrics.catalogue import load_catalogue
    from lscb_metrics.config import settings

    run_settings = settings(warehouse=str(tmp_path_factory.mktemp("reference") / "w.duckdb"))
    catalogue = load_catalogue(run_settings.schemas_dir / "indicators.yaml")
    return pipeline.load_reference(run_settings, catalogue)


@pytest.fixture(scope="session")
def demo_board() -> Any:
    """The Southend board profile (the demo's first board)."""
    from lscb_metrics.boards import load_boards

    return load_boards().by_slug["southend"]


@pytest.fixture(scope="session")
def new_board(tmp_path_factory: pytest.TempPathFactory, demo_reference: Any) -> tuple[Path, Any]:
    """A warehouse where Thurrock's returns start in 2014-15 Q1, run for 2014-15 Q2 (a board in
    its first quarters, with no figure summed over 12 months yet), with the run's summary;
    read-only use."""
    import shutil

    from lscb_metrics.config import settings
    from tests.stages import committed_board_run

    root = tmp_path_factory.mktemp("new-board")
    for quarter in ("2014-15-Q1", "2014-15-Q2"):
        returns = PROJECT_ROOT / "data/raw/returns/thurrock" / quarter
        shutil.copytree(returns, root / "returns" / quarter)
    run_settings = settings(
        warehouse=str(root / "warehouse.duckdb"), returns_dir=str(root / "returns")
    )
    summary = committed_board_run(run_settings, "2014-15-Q2", demo_reference, "thurrock")
    return run_settings.warehouse, summary
