"""The submission archive and quarantine: every file kept once, by SHA-256, never changed.

Partners' files arrive in the returns folder, which the pipeline only reads and never trusts:
anyone who can write there can plant a symbolic link (to /proc/self/environ, say), a pipe or a
name full of terminal escapes, or change a file while a run reads it. So a folder is walked
without following links, and only regular files are taken (every other entry is skipped and
recorded with why); each file is opened once, through no link, and copied to a private staging
file that is hashed as it is written. Everything after that (reading, validating, archiving)
uses the staged copy, so the SHA-256 on record is always that of the bytes read and kept.

The staged copy is then renamed into `data/store/<submission id>/` (accepted) or
`data/quarantine/<submission id>/` (rejected), owner-only (0400 in a 0700 folder), with its
validation report beside it; a file seen again (same SHA-256) is not kept again. A name that is
long, hidden or holds characters a terminal or shell would act on is stored under the
submission id instead.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import stat
import tempfile
from collections.abc import Callable, Collection, Container, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO, NamedTuple

from lscb_metrics.errors import WarehouseBusy
from lscb_metrics.intake.hashing import copied_sha256
from lscb_metrics.intake.rules import escaped

PRIVATE_FILE = stat.S_IRUSR
PRIVATE_FOLDER = stat.S_IRWXU
#: The longest name (in UTF-8 bytes) kept as it is; longer ones are kept under the submission id.
MAX_KEPT_NAME = 100
STAGING_FOLDER = ".staging"
# Open flags for a partner's file: never through a symbolic link, and never blocking on a pipe
# swapped in after the folder was listed.
_OPEN_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC


class Skipped(NamedTuple):
    """An entry of an input folder that was not read, and why (for audit.skipped_entries)."""

    path: str
    reason: str


@dataclass(frozen=True)
class StagedFile:
    """A partner's file as received: where it was found, and the private copy of its bytes
    that is read, hashed and archived in its place."""

    source: Path
    path: Path
    sha256: str
    size_bytes: int


def regular_files(folder: Path, suffixes: Collection[str]) -> tuple[list[Path], list[Skipped]]:
    """Regular files under `folder` ending in one of `suffixes` (hidden names left out), in path
    order; and every entry skipped for what it is (a link, a pipe, an unreadable folder)."""
    found: list[Path] = []
    skipped: list[Skipped] = []
    pending = [folder]
    while pending:
        current = pending.pop()
        try:
            entries = list(os.scandir(current))
        except OSError as error:
            skipped.append(
                _skipped(
                    Path(current), folder, f"a folder that cannot be listed ({error.strerror})"
                )
            )
            continue
        for entry in entries:
            path = Path(entry.path)
            if entry.name.startswith("."):
                continue  # hidden files, and partial files being written by a copy
            try:
                if entry.is_symlink():
                    skipped.append(
                        _skipped(path, folder, "a symbolic link, which is never followed")
                    )
                elif entry.is_dir(follow_symlinks=False):
                    pending.append(path)
                elif path.suffix.lower() not in suffixes:
                    continue
                elif entry.is_file(follow_symlinks=False):
                    found.append(path)
                else:
                    skipped.append(
                        _skipped(path, folder, "not a regular file (a pipe, device or socket)")
                    )
            except OSError as error:
                skipped.append(
                    _skipped(path, folder, f"an entry that cannot be examined ({error.strerror})")
                )
    return sorted(found), sorted(skipped)


@dataclass(frozen=True)
class KnownFile:
    """A file whose content (SHA-256) was validated and kept before: its validation record
    stands in for it, so it is neither copied nor read again."""

    source: Path
    sha256: str
    size_bytes: int


#: Files up to this size are read into memory once and staged only if their content is new;
#: larger ones are streamed into the staged copy as they are hashed.
IN_MEMORY_BYTES = 8 << 20


def staged_copy(source: Path, folder: Path) -> StagedFile:
    """`source` copied once into a private file in `folder`, hashed as it is written; OSError
    if it is a link, not a regular file, or cannot be opened."""
    staged = staged_or_known(source, folder, frozenset())
    assert isinstance(staged, StagedFile)  # nothing is known
    return staged


def staged_or_known(source: Path, folder: Path, known: Container[str]) -> StagedFile | KnownFile:
    """`source` opened once, through no link, and hashed: a KnownFile when its SHA-256 is in
    `known`, otherwise a private copy in `folder` of exactly the bytes hashed. OSError if it is
    a link, not a regular file, or cannot be opened."""
    with open(os.open(source, _OPEN_FLAGS), "rb") as handle:
        if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
            raise OSError(f"{escaped(source.name)} is not a regular file")
        head = handle.read(IN_MEMORY_BYTES + 1)
        if len(head) <= IN_MEMORY_BYTES:
            digest, size = hashlib.sha256(head).hexdigest(), len(head)
            if digest in known:
                return KnownFile(source, digest, size)
            name = _private_file(folder, source.suffix, lambda copy: copy.write(head))
        else:
            handle.seek(0)
            digest, size = "", 0

            def copy_all(copy: BinaryIO) -> None:
                nonlocal digest, size
                digest, size = copied_sha256(handle, copy)

            name = _private_file(folder, source.suffix, copy_all)
            if digest in known:
                Path(name).unlink()
                return KnownFile(source, digest, size)
    return StagedFile(source, Path(name), digest, size)


def _private_file(folder: Path, suffix: str, write: Callable[[BinaryIO], object]) -> str:
    """A new owner-only (0400) file in `folder`, its content written by `write`; its name."""
    descriptor, name = tempfile.mkstemp(suffix=suffix.lower(), dir=folder)
    with open(descriptor, "wb") as copy:
        write(copy)
    os.chmod(name, PRIVATE_FILE)
    return name


def private_copies(paths: list[Path], folder: Path, root: Path) -> tuple[list[Path], list[Skipped]]:
    """Each file of `paths` copied once (through no link, as `staged_copy`) into its own
    owner-only sub-folder of `folder` under its own name, for readers that open a file by path
    (DuckDB's CSV reader) and so cannot refuse a link swapped in after listing; and each file
    that could not be copied, skipped with why (named relative to `root`'s parent)."""
    copies: list[Path] = []
    skipped: list[Skipped] = []
    for number, path in enumerate(paths):
        own = folder / str(number)
        own.mkdir(mode=PRIVATE_FOLDER)
        try:
            staged = staged_copy(path, own)
        except OSError as error:
            reason = f"a file that could not be read ({error.strerror or error})"
            skipped.append(_skipped(path, root, reason))
            continue
        copies.append(staged.path.rename(own / path.name))
    return copies, skipped


def staging_folder(beside: Path) -> Path:
    """A new, empty, owner-only staging folder in `beside` (on the archive's file system, so a
    staged copy is archived by a rename); what an earlier, killed run left there is removed."""
    folder = beside / STAGING_FOLDER
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(mode=PRIVATE_FOLDER, parents=True)
    return folder


def archived_copy(staged: StagedFile, folder: Path, name: str) -> Path:
    """The staged copy renamed into `folder` as `name` (once: a copy already there is kept and
    the staged one dropped); the kept copy's path. `folder` and its parent are owner-only."""
    folder.parent.mkdir(mode=PRIVATE_FOLDER, parents=True, exist_ok=True)
    folder.parent.chmod(PRIVATE_FOLDER)
    folder.mkdir(mode=PRIVATE_FOLDER, exist_ok=True)
    folder.chmod(PRIVATE_FOLDER)
    target = folder / name
    if target.exists():
        staged.path.unlink(missing_ok=True)
        return target
    os.replace(staged.path, target)
    return target


def kept_where(path: str | Path, folder: Path) -> str:
    """Where the kept copy at `path` is, as the warehouse and the validation pack record it:
    relative to `folder`, the one holding the warehouse and its store and quarantine
    (`store/S-3f2a9c0d1e4b5a67/referrals.csv`)."""
    # Not absolute: a warehouse moved with its folder, or copied to an analyst, still finds its
    # files, and names nobody's home folder.
    return Path(path).relative_to(folder).as_posix()


def kept_name(name: str, submission_id: str) -> str:
    """The name a file is archived under: its own, unless that is long, hidden or holds a
    character a terminal or shell acts on; then the submission id with the file's suffix."""
    plain = (
        name == escaped(name)
        and not name.startswith((".", "-"))
        and len(name.encode("utf-8", "surrogateescape")) <= MAX_KEPT_NAME
        and not set(name) & set("/\\$`'\"|;&<>*?")
    )
    return name if plain else submission_id + Path(name).suffix.lower()


def _skipped(path: Path, folder: Path, reason: str) -> Skipped:
    """A skipped entry, named relative to the folder walked and escaped for display."""
    return Skipped(escaped(str(path.relative_to(folder.parent))), reason)


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
