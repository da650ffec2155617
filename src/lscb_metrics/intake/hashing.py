"""The one way a file is fingerprinted: submissions, case lists and reference files alike."""

from __future__ import annotations

import hashlib
from pathlib import Path


def file_sha256(path: Path) -> str:
    """SHA-256 of the file's bytes, as lowercase hex."""
    # Streamed rather than read whole: a national case list can be gigabytes.
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()
