"""The validation cache: a file is validated once for each (content SHA-256, declaration
fingerprint), and later runs reuse the result kept beside its archived copy.

A record is `validation-<key>-<fingerprint>.json` (status, cover, failures, report), with
`.facts.parquet` and `.rows.parquet` for an accepted file, in the file's store or quarantine
folder (`<store>/<submission id>/`). It is written as soon as the file is validated, outside the
warehouse's transaction, so a failed run does not lose it.

`key` names what the result depended on. An accepted file was judged against cover.yaml, its own
return's declaration, the agencies, the LA code list and the validating code only, so its key is
its return type and a change to another return's declaration leaves it valid. A rejected file
may have been judged against every return's declaration (an unknown or mismatched return type),
so its key is `any` and its fingerprint covers them all. Records of other fingerprints stay: they
are valid again if a declaration is changed back.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable, Mapping
from dataclasses import asdict
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

import lscb_metrics
from lscb_metrics.intake.failures import Failure
from lscb_metrics.returns.report import ReportSummary
from lscb_metrics.submissions import Submission

ANY = "any"
RECORD_PREFIX = "validation-"
FINGERPRINT_CHARS = 16
#: Package modules whose code decides a return's validation result and facts.
VALIDATING_CODE = ("returns", "intake", "submissions.py", "facts.py", "periods.py", "xlsx.py")
_PACKAGE_DIR = Path(lscb_metrics.__file__).parent


def declaration_fingerprints(
    schemas_dir: Path, la_lookup: Mapping[str, tuple[str, str, str | None]]
) -> dict[str, str]:
    """The fingerprint of what validating each return type depends on, keyed by return type,
    and of every return's declaration together under ANY."""
    agencies = [schemas_dir / "agencies.yaml", *sorted(schemas_dir.glob("boards/**/*.yaml"))]
    shared = _digest(
        [
            lscb_metrics.__version__.encode(),
            _files_digest(_validating_code(), _PACKAGE_DIR).encode(),
            (schemas_dir / "cover.yaml").read_bytes(),
            _files_digest((path for path in agencies if path.is_file()), schemas_dir).encode(),
            repr(sorted(la_lookup.items())).encode(),
        ]
    ).encode()
    returns = sorted((schemas_dir / "returns").glob("*.yaml"))
    fingerprints = {path.stem: _digest([shared, path.read_bytes()]) for path in returns}
    fingerprints[ANY] = _digest([shared, _files_digest(returns, schemas_dir).encode()])
    return fingerprints


def remember(submission: Submission, fingerprints: Mapping[str, str]) -> Path | None:
    """The record of `submission`'s validation written beside its archived copy (None when it
    was not archived)."""
    if submission.archived_path is None:
        return None
    archived = Path(submission.archived_path)
    return_type = submission.cover.get("return_type")
    accepted = submission.status == "accepted"
    key = return_type if accepted and return_type in fingerprints else ANY
    stem = archived.parent / f"{RECORD_PREFIX}{key}-{fingerprints[key][:FINGERPRINT_CHARS]}"
    if accepted:
        _write_parquet(submission.facts, stem.with_suffix(".facts.parquet"))
        _write_parquet(submission.rows, stem.with_suffix(".rows.parquet"))
    record = {
        "status": submission.status,
        "archived_name": archived.name,
        "cover": {name: _json_value(value) for name, value in submission.cover.items()},
        "row_count": submission.row_count,
        "failures": [asdict(f) for f in submission.failures],
        "report": None if submission.report is None else asdict(submission.report),
    }
    path = stem.with_suffix(".json")
    # Written last and renamed into place: a record exists only once its frames do.
    partial = path.with_name(f".{path.name}.partial")
    partial.write_text(json.dumps(record, indent=1), encoding="utf-8")
    os.replace(partial, path)
    return path


def recall(
    submission: Submission, folders: Iterable[Path], fingerprints: Mapping[str, str]
) -> Submission | None:
    """`submission` (identified, not yet validated) completed from a record that is valid under
    `fingerprints`, found in one of `folders` (store, quarantine); None when there is none."""
    for folder in folders:
        for path in sorted((folder / submission.submission_id).glob(f"{RECORD_PREFIX}*.json")):
            key, _, fingerprint = path.stem.removeprefix(RECORD_PREFIX).rpartition("-")
            if fingerprints.get(key, "")[:FINGERPRINT_CHARS] == fingerprint:
                return _recalled(submission, path)
    return None


def _recalled(submission: Submission, path: Path) -> Submission:
    """`submission` with the validation result recorded at `path`."""
    record = json.loads(path.read_text(encoding="utf-8"))
    submission.status = record["status"]
    submission.archived_path = str(path.parent / record["archived_name"])
    submission.cover = {name: _cover_value(value) for name, value in record["cover"].items()}
    submission.row_count = record["row_count"]
    submission.failures = [Failure(**f) for f in record["failures"]]
    submission.report = None if record["report"] is None else ReportSummary(**record["report"])
    if submission.status == "accepted":
        # The file's name is the one it arrived under this time, as a fresh validation says.
        source = Path(submission.file_path).name
        submission.facts = pd.read_parquet(path.with_suffix(".facts.parquet")).assign(source=source)
        submission.rows = pd.read_parquet(path.with_suffix(".rows.parquet"))
    return submission


def _write_parquet(frame: pd.DataFrame, path: Path) -> None:
    """`frame` written to `path` atomically (a temporary name, then renamed)."""
    partial = path.with_name(f".{path.name}.partial")
    frame.to_parquet(partial, index=False)
    os.replace(partial, path)


def _json_value(value: Any) -> Any:
    """A cover value as JSON: dates as {"date": ISO text}, everything else as it is."""
    return {"date": value.isoformat()} if isinstance(value, date) else value


def _cover_value(value: Any) -> Any:
    """A cover value read back from JSON (the inverse of `_json_value`)."""
    return date.fromisoformat(value["date"]) if isinstance(value, dict) else value


def _validating_code() -> list[Path]:
    """The source files of VALIDATING_CODE, in a stable order."""
    paths = [_PACKAGE_DIR / name for name in VALIDATING_CODE]
    return sorted(
        source for path in paths for source in (path.rglob("*.py") if path.is_dir() else [path])
    )


def _files_digest(paths: Iterable[Path], base: Path) -> str:
    """One digest of the files' names (relative to `base`) and contents."""
    return _digest(
        part for path in paths for part in (str(path.relative_to(base)).encode(), path.read_bytes())
    )


def _digest(parts: Iterable[bytes]) -> str:
    """SHA-256 of the parts, each prefixed by its length so that no two lists collide."""
    hasher = hashlib.sha256()
    for part in parts:
        hasher.update(len(part).to_bytes(8, "big"))
        hasher.update(part)
    return hasher.hexdigest()
