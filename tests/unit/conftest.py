"""Fixtures shared by the unit tests: a private copy of the declarations to break."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

SCHEMAS = Path(__file__).resolve().parents[2] / "schemas"


@pytest.fixture
def schemas(tmp_path: Path) -> Path:
    """A private copy of schemas/ to break."""
    return Path(shutil.copytree(SCHEMAS, tmp_path / "schemas"))


def _edit(path: Path, change: Callable[[dict], None]) -> None:
    """Change a declaration file's parsed YAML and write it back."""
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(document)
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")


@pytest.fixture
def edit_declaration() -> Callable[[Path, Callable[[dict], None]], None]:
    """A function that changes a declaration file's parsed YAML and writes it back."""
    return _edit
