"""CHANGELOG.md: its newest version is the one the package declares, and versions go newest
first, each with its date."""

from __future__ import annotations

import re
from pathlib import Path

import lscb_metrics

CHANGELOG = Path(__file__).resolve().parents[2] / "CHANGELOG.md"
HEADING = re.compile(r"^## (\d+)\.(\d+)\.(\d+) \((\d{4}-\d{2}-\d{2})\)$", re.MULTILINE)


def test_the_newest_version_is_the_packages_and_versions_go_newest_first() -> None:
    versions = [tuple(map(int, found[:3])) for found in HEADING.findall(CHANGELOG.read_text())]
    assert versions, "CHANGELOG.md has no '## X.Y.Z (YYYY-MM-DD)' heading"
    assert ".".join(map(str, versions[0])) == lscb_metrics.__version__
    assert versions == sorted(versions, reverse=True)
    assert len(set(versions)) == len(versions)
