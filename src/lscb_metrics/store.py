"""The submission archive and quarantine: every file kept once, by SHA-256, never changed.

Partners' files arrive in the returns folder, which the pipeline only reads. Each file is copied
once into `data/store/<submission id>/` (accepted) or `data/quarantine/<submission id>/`
(rejected), read-only, with its validation report beside it. A file seen again (same SHA-256) is
not copied again. Copies are written to a temporary name and renamed, so a killed run never
leaves a half-written file under its final name.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from lscb_metrics.errors import WarehouseBusy

READ_ONLY = stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH


def archived_copy(source: Path, folder: Path) -> Path:
    """`source` copied unchanged into `folder` (once; read-only); the copy's path."""
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / source.name
    if target.exists():
        return target
    partial = folder / f".{source.name}.partial"
    shutil.copyfile(source, partial)
    partial.chmod(READ_ONLY)
    os.replace(partial, target)
    return target


@contextmanager
def run_lock(warehouse: Path) -> Iterator[None]:
    """Hold the warehouse's run lock for the duration; WarehouseBusy at once if another run holds
    it. The operating system releases the lock when the process ends, even on SIGKILL."""
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    lock_path = warehouse.with_name(warehouse.name + ".lock")
    with open(lock_path, "a+", encoding="utf-8") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            raise WarehouseBusy(
                f"another run is using the warehouse {warehouse} ({holder}); "
                "wait for it to finish and run again"
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()}, started {datetime.now(UTC):%Y-%m-%d %H:%M:%S} UTC")
        handle.flush()
        try:
            yield
        finally:
            handle.seek(0)
            handle.truncate()
            fcntl.flock(handle, fcntl.LOCK_UN)
