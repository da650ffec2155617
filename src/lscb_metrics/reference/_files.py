"""Reading shipped reference files, with errors that name the file and the problem."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pandas as pd


def reference_file(reference_dir: Path | str, pattern: str) -> Path:
    """The one file under `reference_dir` matching the glob `pattern` (e.g. 'dfe_cin/c1_*.csv')."""
    folder = Path(reference_dir)
    matches = sorted(folder.glob(pattern))
    if not matches:
        raise FileNotFoundError(f"no reference file matching {pattern!r} in {folder}")
    if len(matches) > 1:
        names = ", ".join(m.name for m in matches)
        raise ValueError(f"several reference files match {pattern!r} in {folder}: {names}")
    return matches[0]


def csv_text(path: Path, usecols: Iterable[str] | None = None) -> pd.DataFrame:
    """A CSV file with every cell as text ('' for blank), so published symbols survive."""
    wanted = None if usecols is None else list(usecols)
    try:
        frame = pd.read_csv(
            path,
            dtype=str,
            keep_default_na=False,
            na_values=[],
            encoding="utf-8-sig",
            usecols=None if wanted is None else lambda column: column in wanted,
        )
    except (OSError, UnicodeDecodeError, pd.errors.ParserError) as error:
        raise ValueError(f"cannot read {path}: {error}") from error
    if wanted is not None:
        require_columns(frame, wanted, path)
        frame = frame[wanted]
    return frame


def require_columns(frame: pd.DataFrame, columns: Iterable[str], path: Path) -> None:
    """Raise ValueError naming `path` when `frame` lacks any of `columns`."""
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"{path}: expected column(s) {missing} are missing")
