"""The digests that key what is kept between runs (validation results, published figures, open
data): of byte strings, files, the package's own code and frames. One definition, so that every
cache is invalidated by the same rules."""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Iterable
from pathlib import Path

import pandas as pd

import lscb_metrics

_PACKAGE_DIR = Path(lscb_metrics.__file__).parent
#: The modules that lay out, write and read what is kept between runs: every key covers them, so
#: a cache an older lscb_metrics laid out otherwise is never read as this one's, but rebuilt.
CACHE_CODE = ("digests.py", "atomic.py", "validation_cache.py", "published_cache.py")


def fingerprint(*parts: bytes) -> str:
    """SHA-256 (hex) of the package version, the caches' own code and `parts`, each
    length-prefixed."""
    digest = hashlib.sha256()
    for part in (lscb_metrics.__version__.encode(), _cache_code_digest(_PACKAGE_DIR), *parts):
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.hexdigest()


@functools.cache
def _cache_code_digest(package: Path) -> bytes:
    """`code_digest` of CACHE_CODE in `package`, read once a process (every fingerprint
    covers it): the code cannot change under a run."""
    return code_digest(CACHE_CODE, package)


def code_digest(names: Iterable[str], package: Path | None = None) -> bytes:
    """SHA-256 of the source of the modules and subpackages `names` of `package` (default:
    this package)."""
    package = package or _PACKAGE_DIR
    paths = [package / name for name in names]
    sources = (
        source for path in paths for source in (path.rglob("*.py") if path.is_dir() else [path])
    )
    return contents_digest(sources, package)


def files_digest(folder: Path) -> bytes:
    """SHA-256 of the name (within `folder`) and contents of every file under `folder`."""
    return contents_digest((path for path in folder.rglob("*") if path.is_file()), folder)


def contents_digest(paths: Iterable[Path], base: Path) -> bytes:
    """SHA-256 of each of `paths` in order of name: its name within `base`, length and bytes."""
    digest = hashlib.sha256()
    for path in sorted(paths):
        content = path.read_bytes()
        digest.update(f"{path.relative_to(base).as_posix()}:{len(content)}:".encode())
        digest.update(content)
    return digest.digest()


def frame_digest(frame: pd.DataFrame) -> bytes:
    """A digest of a frame's columns and every value (row order included)."""
    hashed = pd.util.hash_pandas_object(frame.astype(str), index=False).to_numpy()
    return hashlib.sha256(repr(list(frame.columns)).encode() + hashed.tobytes()).digest()
