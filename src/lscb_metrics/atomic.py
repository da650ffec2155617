"""Files written whole or not at all: what a reader (or the next run) finds is never half a file."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path


def write_atomically(path: Path, write: Callable[[Path], object]) -> Path:
    """`path` written by `write` into a hidden temporary name beside it, then renamed into
    place (a rename within a folder is atomic); `path`."""
    partial = path.with_name(f".{path.name}.partial")
    write(partial)
    os.replace(partial, path)
    return path
