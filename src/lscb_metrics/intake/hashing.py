"""The one way a file is fingerprinted: submissions, case lists and reference files alike."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import BinaryIO

_CHUNK = 1 << 20


def file_sha256(path: Path) -> str:
    """SHA-256 of the file's bytes, as lowercase hex."""
    # Streamed rather than read whole: a national case list can be gigabytes.
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def copied_sha256(source: BinaryIO, target: BinaryIO) -> tuple[str, int]:
    """SHA-256 (lowercase hex) and size of what is copied from `source` to `target`, in one
    pass: the digest is of exactly the bytes written."""
    digest = hashlib.sha256()
    size = 0
    while chunk := source.read(_CHUNK):
        digest.update(chunk)
        target.write(chunk)
        size += len(chunk)
    return digest.hexdigest(), size
