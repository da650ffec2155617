"""What a run imports while it waits for Prefect's server, and forks that wait for it."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from lscb_metrics import cli


@pytest.fixture
def slow_module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A module that takes half a second to import, on the path for this test."""
    name = "lscb_test_slow_import"
    (tmp_path / f"{name}.py").write_text(
        "import time\ntime.sleep(0.5)\nDONE = True\n", encoding="utf-8"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    yield name
    sys.modules.pop(name, None)


def test_a_fork_waits_for_the_imports_ahead(
    slow_module: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cli, "IMPORTED_AHEAD", (slow_module,))
    ahead = cli.imported_ahead()

    pid = os.fork()
    if pid == 0:  # the child: it must have the module whole, imported before the fork
        os._exit(0 if getattr(sys.modules.get(slow_module), "DONE", False) else 1)
    _, status = os.waitpid(pid, 0)

    assert not ahead.is_alive()
    assert os.waitstatus_to_exitcode(status) == 0


def test_a_module_that_fails_to_import_leaves_the_rest_imported(
    slow_module: str, tmp_path: Path
) -> None:
    (tmp_path / "lscb_test_broken_import.py").write_text("raise ImportError('no')\n")

    cli._import_each(("lscb_test_broken_import", slow_module))

    assert slow_module in sys.modules
    assert "lscb_test_broken_import" not in sys.modules


def test_the_modules_imported_ahead_exist() -> None:
    # A name Prefect or GX no longer has would be skipped silently, its import paid in the run.
    import importlib.util

    assert all(importlib.util.find_spec(name) for name in cli.IMPORTED_AHEAD)
