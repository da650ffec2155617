"""Fingerprinting files: one SHA-256 for submissions, case lists and reference files."""

from __future__ import annotations

import hashlib
from pathlib import Path

from lscb_metrics.intake.hashing import file_sha256


def test_file_sha256(tmp_path: Path) -> None:
    path = tmp_path / "file.csv"
    path.write_bytes(b"a,b\n1,2\n")
    assert file_sha256(path) == hashlib.sha256(b"a,b\n1,2\n").hexdigest()


def test_file_sha256_of_an_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    assert file_sha256(path) == hashlib.sha256(b"").hexdigest()
