"""Files written whole or not at all: what a reader (or the next run) finds is never half a file."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path


def write_atomically(path: Path, write: Callable[[Path], object]) -> Path:
    """`path` written by `write` into a hidden temporary name beside it, then renamed into
    place (a rename within a folder is atomic); `path`. The temporary name is the process's
    own, so processes writing the same file at once never write into one another's, and is
    never longer than a file name may be."""
    partial = path.with_name(f".{os.getpid()}.{path.name[:200]}.partial")
    write(partial)
    os.replace(partial, path)
    return path
