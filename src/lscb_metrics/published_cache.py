"""The published figures' indicator values and comparisons, computed once for each version of
the reference data, catalogue and computing code, and kept for the runs after.

Every area of England's published figures (about 25,000 values) are the same for every board and
every quarter until a new publication is added, the catalogue changes or the code that computes
them does; recomputing them was most of a run's compute stage. They are kept as two parquet files
named by the fingerprint of all that they depend on, beside the store; any other fingerprint's
files are removed. The folder is disposable: without it the figures are computed again.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

import lscb_metrics
from lscb_metrics.atomic import write_atomically

if TYPE_CHECKING:
    from lscb_metrics.catalogue import Indicator
    from lscb_metrics.pipeline import Reference

CACHE_FOLDER = ".published-cache"
#: Package modules whose code decides a published figure's value or comparison.
COMPUTING_CODE = ("compute", "stats", "catalogue.py", "facts.py", "periods.py", "pipeline.py")
#: Columns holding lists, which parquet gives back as arrays.
LIST_COLUMNS = ("submission_ids", "source_sha256s")
_PACKAGE_DIR = Path(lscb_metrics.__file__).parent

Relations = tuple[pd.DataFrame, pd.DataFrame]


def published_fingerprint(reference: Reference, catalogue: tuple[Indicator, ...]) -> str:
    """SHA-256 (hex) of everything the published figures' values and comparisons depend on."""
    digest = hashlib.sha256()
    for part in (
        lscb_metrics.__version__.encode(),
        repr(catalogue).encode(),
        repr(sorted(reference.la_numbers.items())).encode(),
        *(_frame_digest(frame) for frame in _inputs(reference)),
        *(path.read_bytes() for path in _computing_code()),
    ):
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.hexdigest()


def cached_published_relations(
    folder: Path, fingerprint: str, compute: Callable[[], Relations]
) -> tuple[Relations, bool]:
    """The published relations kept in `folder` under `fingerprint`, or computed by `compute`
    and kept there; with whether they came from the cache."""
    stem = folder / fingerprint[:32]
    try:
        values = _read(stem.with_suffix(".values.parquet"))
        compared = _read(stem.with_suffix(".comparisons.parquet"))
    except OSError:
        pass
    else:
        return (values, compared), True
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    for stale in folder.glob("*.parquet"):
        stale.unlink(missing_ok=True)
    suffixes = (".values.parquet", ".comparisons.parquet")
    for frame, suffix in zip(compute(), suffixes, strict=True):
        write_atomically(
            stem.with_suffix(suffix),
            lambda partial, frame=frame: frame.to_parquet(partial, index=False),
        )
    # Read back, so that a run's figures are the same frames whether or not they were kept.
    values, compared = (_read(stem.with_suffix(suffix)) for suffix in suffixes)
    return (values, compared), False


def _read(path: Path) -> pd.DataFrame:
    """A kept frame, its list columns lists again; OSError when it is absent or unreadable."""
    try:
        frame = pd.read_parquet(path)
    except (OSError, ValueError) as error:  # pyarrow reports a damaged file as ArrowInvalid
        raise OSError(f"{path}: {error}") from error
    for column in LIST_COLUMNS:
        if column in frame.columns:
            frame[column] = [list(items) for items in frame[column]]
    return frame


def _inputs(reference: Reference) -> Iterable[pd.DataFrame]:
    """The reference frames the published figures are computed from."""
    return (
        reference.published_facts,
        reference.population,
        reference.neighbours,
        reference.areas,
        reference.local_comparators,
    )


def _frame_digest(frame: pd.DataFrame) -> bytes:
    """A digest of a frame's columns and every value (row order included)."""
    hashed = pd.util.hash_pandas_object(frame.astype(str), index=False).to_numpy()
    return hashlib.sha256(repr(list(frame.columns)).encode() + hashed.tobytes()).digest()


def _computing_code() -> list[Path]:
    """The source files of COMPUTING_CODE, in a stable order."""
    paths = [_PACKAGE_DIR / name for name in COMPUTING_CODE]
    return sorted(
        source for path in paths for source in (path.rglob("*.py") if path.is_dir() else [path])
    )
