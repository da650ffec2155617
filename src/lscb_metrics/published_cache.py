"""Frames derived from the published figures alone, computed once for each fingerprint of what
they depend on, and kept for the runs after.

Every area of England's published figures (about 36,000 values) are the same for every board and
every quarter until a new publication is added, the catalogue changes or the code that derives
them does. Three things derived from them alone were most of a run's work: reading the shipped
files (load reference), their indicator values and comparisons (compute), and their rows of each
edition's open-data file (publish, once per board). Each is kept as parquet files named by its
kind and the fingerprint of all it depends on, in a folder beside the warehouse; a kind's files
of any other fingerprint are removed. The folder is disposable: without it everything is derived
again.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from lscb_metrics.atomic import write_atomically
from lscb_metrics.digests import code_digest, fingerprint, frame_digest

if TYPE_CHECKING:
    from lscb_metrics.catalogue import Indicator
    from lscb_metrics.pipeline import Reference

CACHE_FOLDER = ".published-cache"
#: Package modules whose code decides a published figure's value or comparison.
COMPUTING_CODE = ("compute", "stats", "catalogue.py", "facts.py", "periods.py", "pipeline.py")
#: Columns holding lists, which parquet gives back as arrays.
LIST_COLUMNS = ("submission_ids", "source_sha256s")
RELATIONS = "relations"

Relations = tuple[pd.DataFrame, pd.DataFrame]


def cache_folder(warehouse: Path) -> Path:
    """The cache folder of the warehouse at `warehouse` (beside it)."""
    return warehouse.parent / CACHE_FOLDER


def published_fingerprint(reference: Reference, catalogue: tuple[Indicator, ...]) -> str:
    """SHA-256 (hex) of everything the published figures' values and comparisons depend on."""
    return fingerprint(
        repr(catalogue).encode(),
        # The shipped files as read (published facts, areas and their LA numbers, neighbours,
        # ONS populations), then the boards' local figures that join them.
        reference.shipped_key.encode(),
        frame_digest(reference.population),
        frame_digest(reference.local_comparators),
        code_digest(COMPUTING_CODE),
    )


def cached_published_relations(
    folder: Path, fingerprint: str, compute: Callable[[], Relations]
) -> tuple[Relations, bool]:
    """The published relations kept in `folder` under `fingerprint`, or computed by `compute`
    and kept there; with whether they came from the cache."""
    (values, compared), cached = cached_frames(
        folder, RELATIONS, fingerprint, ("values", "comparisons"), compute
    )
    return (values, compared), cached


def cached_frames(
    folder: Path,
    kind: str,
    fingerprint: str,
    names: tuple[str, ...],
    compute: Callable[[], tuple[pd.DataFrame, ...]],
) -> tuple[tuple[pd.DataFrame, ...], bool]:
    """The frames `names` of `kind` kept in `folder` under `fingerprint`, or computed by
    `compute` (one frame per name) and kept there, the kind's other fingerprints removed; with
    whether they came from the cache. Processes may fill the same entry at once: each file is
    written whole under a name of its own, then renamed into place."""
    paths = [folder / f"{kind}-{fingerprint[:32]}.{name}.parquet" for name in names]
    try:
        return tuple(_read(path) for path in paths), True
    except OSError:
        pass
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    for stale in folder.glob(f"{kind}-*.parquet"):
        if stale not in paths:
            stale.unlink(missing_ok=True)
    frames = compute()
    if len(frames) != len(names):
        raise ValueError(f"{kind}: computed {len(frames)} frames for {len(names)} names")
    for frame, path in zip(frames, paths, strict=True):
        write_atomically(path, lambda partial, frame=frame: frame.to_parquet(partial, index=False))
    # Read back, so that a run's frames are the same whether or not they were kept.
    return tuple(_read(path) for path in paths), False


def _read(path: Path) -> pd.DataFrame:
    """A kept frame, its list columns lists again; OSError when it is absent or unreadable."""
    try:
        table = pq.read_table(path)
        # Its text stays in Arrow's strings, as pandas reads it by default: a process keeping
        # Python's (`config.use_python_strings`) would copy each of these cells into one.
        frame = table.to_pandas(types_mapper=_arrow_text)
    except (OSError, ValueError) as error:  # pyarrow reports a damaged file as ArrowInvalid
        raise OSError(f"{path}: {error}") from error
    for column in LIST_COLUMNS:
        if column in frame.columns:
            # pyarrow gives them as lists at once; pandas as arrays, each to be made a list.
            frame[column] = table.column(column).to_pylist()
    return frame


def _arrow_text(arrow_type: pa.DataType) -> pd.StringDtype | None:
    """pandas' text dtype in Arrow's strings for an Arrow text type; None for any other."""
    if arrow_type in (pa.string(), pa.large_string()):
        return pd.StringDtype("pyarrow", na_value=float("nan"))
    return None
