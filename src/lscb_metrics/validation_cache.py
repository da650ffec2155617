"""The validation cache: a file is validated once for each (content SHA-256, declaration
fingerprint), and later runs reuse the result.

The results are kept together in the pack (`<store>/.validation-pack/`): `pack.json` holds one
record per kept file (status, cover, failures, report, where its copy is kept, and the key and
fingerprint it was judged under), and two parquet files hold the accepted files' facts and typed
rows. A run reads its whole history in three reads, and knows each kept file's content without
opening it (the store is the pipeline's own, owner-only). The pack is rewritten as soon as a run
has received its files, before anything is computed, so a failed run keeps what it validated; it
is written as a new generation and then named in `pack.json`, never changed in place, and it can
always be deleted (every file is then validated again).

`key` names what a result depended on. An accepted file was judged against cover.yaml, its own
return's declaration, the profile of the board covering its area in its quarter, the LA code list
and the validating code only, so its key is its return type and that board (`referrals@southend`):
a change to another return's declaration, or to another board's profile, leaves it valid, and a
hub's boards do not re-validate each other's history. A rejected file may have been judged
against every return's declaration (an unknown or mismatched return type) and named every
board's agencies, so its key is `any` and its fingerprint covers them all.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

from lscb_metrics.atomic import write_atomically
from lscb_metrics.boards import Boards
from lscb_metrics.config import board_profiles
from lscb_metrics.digests import code_digest, contents_digest, fingerprint
from lscb_metrics.intake.declarations import yaml_document
from lscb_metrics.intake.failures import Failure
from lscb_metrics.returns.report import ReportSummary
from lscb_metrics.store import kept_where
from lscb_metrics.submissions import Frames, PackedFrames, Submission, gathered

ANY = "any"
FINGERPRINT_CHARS = 16
#: Package modules whose code decides a return's validation result and facts.
VALIDATING_CODE = (
    "returns",
    "intake",
    "submissions.py",
    "facts.py",
    "periods.py",
    "xlsx.py",
    "boards.py",  # which agencies may send a return for an area
    "reference/areas.py",  # the ONS code a DfE number had in a return's quarter
    "marked_yaml.py",  # how every declaration is read
)


#: Profile settings no accepted return depends on: a board renamed (`name:`), or publishing
#: differently, keeps its accepted files' results. A rejected file's messages name the boards,
#: so it is judged again.
UNJUDGED_PROFILE_KEYS = ("name", "publication")


def declaration_fingerprints(
    schemas_dir: Path, la_lookup: Mapping[str, tuple[str, str, str | None]]
) -> dict[str, str]:
    """The fingerprint of what validating each return type for each board depends on, keyed by
    `accepted_key`, and of every return's declaration and every profile together under ANY."""
    profiles = board_profiles(schemas_dir)
    code = code_digest(VALIDATING_CODE)
    cover = (schemas_dir / "cover.yaml").read_bytes()
    areas = repr(sorted(la_lookup.items())).encode()
    returns = sorted((schemas_dir / "returns").glob("*.yaml"))
    declared = {path.stem: path.read_bytes() for path in returns}
    fingerprints = {}
    for profile in profiles:
        judged = fingerprint(code, cover, judged_profiles([profile]), areas).encode()
        for return_type, declaration in declared.items():
            key = accepted_key(return_type, profile.parent.name)
            fingerprints[key] = fingerprint(judged, declaration)
    every = fingerprint(code, cover, contents_digest(profiles, schemas_dir), areas).encode()
    fingerprints[ANY] = fingerprint(every, contents_digest(returns, schemas_dir))
    return fingerprints


def accepted_key(return_type: str, board: str) -> str:
    """The key of an accepted file's result: its return type and the board that judged it."""
    return f"{return_type}@{board}"


def judged_profiles(paths: list[Path]) -> bytes:
    """What an accepted return is judged against in the profiles at `paths`: each one's
    settings but UNJUDGED_PROFILE_KEYS, in a canonical form, wherever its folder is (a board's
    folder renamed changes no result)."""
    documents = sorted(
        json.dumps(
            {
                key: value
                for key, value in (yaml_document(path) or {}).items()
                if key not in UNJUDGED_PROFILE_KEYS
            },
            sort_keys=True,
            default=str,
        )
        for path in paths
    )
    return json.dumps(documents).encode()


PACK_FOLDER = ".validation-pack"
PACK_INDEX = "pack.json"


@dataclass
class Pack:
    """The validation records of the files a run used, valid under its fingerprints, by
    SHA-256, with their facts and rows by submission id."""

    folder: Path
    records: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: The accepted files' facts and rows, whole: a recalled submission reads its own from
    #: them, and a rewrite keeps the rows of files still used.
    frames: PackedFrames = field(
        default_factory=lambda: PackedFrames(pd.DataFrame(), pd.DataFrame())
    )

    def kept(self) -> dict[str, Path]:
        """Each content's kept copy (store or quarantine), by SHA-256."""
        base = self.folder.parent.parent
        return {sha256: base / record["kept"] for sha256, record in self.records.items()}

    def recall(self, submission: Submission) -> Submission:
        """`submission` (identified by a content the pack holds) completed from its record."""
        record = self.records[submission.sha256]
        return _recalled(
            submission, record, self.folder.parent.parent / record["kept"], self.frames
        )


def load_pack(store_dir: Path, fingerprints: Mapping[str, str]) -> Pack:
    """The pack in `store_dir`, holding only records valid under `fingerprints` (empty when
    there is none, or it cannot be read: every file is then validated again)."""
    folder = store_dir / PACK_FOLDER
    try:
        index = json.loads((folder / PACK_INDEX).read_text(encoding="utf-8"))
        generation = index["generation"]
        records = {
            record["sha256"]: record
            for record in index["records"]
            if fingerprints.get(record["key"], "")[:FINGERPRINT_CHARS] == record["fingerprint"]
        }
        ids = {record["submission_id"] for record in records.values()}
        facts = pd.read_parquet(folder / f"facts-{generation}.parquet")
        rows = pd.read_parquet(folder / f"rows-{generation}.parquet")
    except (OSError, ValueError, KeyError):
        return Pack(folder)
    return Pack(folder, records, PackedFrames(_of(facts, ids), _of(rows, ids)))


def save_pack(
    pack: Pack, submissions: list[Submission], fingerprints: Mapping[str, str], boards: Boards
) -> bool:
    """Rewrite the pack to hold exactly the records of `submissions` (those kept), each under
    the key of what its result depended on (`boards` say which board judged an accepted file),
    unless it already does; True when it was rewritten."""
    kept = [s for s in submissions if s.archived_path is not None]
    base = pack.folder.parent.parent
    records = {
        s.sha256: {
            **_record(s, Path(s.archived_path).name),
            "sha256": s.sha256,
            "submission_id": s.submission_id,
            "size_bytes": s.size_bytes,
            "key": (key := _key(s, fingerprints, boards)),
            "fingerprint": fingerprints[key][:FINGERPRINT_CHARS],
            "kept": kept_where(s.archived_path, base),
        }
        for s in kept
    }
    if records.keys() == pack.records.keys():
        return False
    accepted = sorted((s for s in kept if s.status == "accepted"), key=lambda s: s.submission_id)
    generation = uuid.uuid4().hex
    pack.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    for name in ("facts", "rows"):
        frame = gathered(name, accepted)
        write_atomically(
            pack.folder / f"{name}-{generation}.parquet",
            lambda partial, frame=frame: frame.to_parquet(partial, index=False),
        )
    index = {"generation": generation, "records": list(records.values())}
    write_atomically(
        pack.folder / PACK_INDEX,
        lambda partial: partial.write_text(json.dumps(index), encoding="utf-8"),
    )
    for stale in pack.folder.glob("*.parquet"):
        if generation not in stale.name:
            stale.unlink(missing_ok=True)
    return True


def _of(frame: pd.DataFrame, ids: set[str]) -> pd.DataFrame:
    """The rows of `frame` of the submissions in `ids`."""
    return frame[frame["submission_id"].isin(ids)] if len(frame) else frame


def _key(submission: Submission, fingerprints: Mapping[str, str], boards: Boards) -> str:
    """What the submission's result depended on: its own return type and the board covering its
    area in its quarter if it was accepted, every declaration and profile (ANY) if it was not."""
    if submission.status != "accepted":
        return ANY
    cover = submission.cover
    board = boards.covering(cover.get("area_code"), cover.get("period_end"))
    if board is None:
        return ANY
    key = accepted_key(str(cover.get("return_type")), board.slug)
    return key if key in fingerprints else ANY


def _record(submission: Submission, archived_name: str) -> dict[str, Any]:
    """The validation result of `submission`, as JSON-ready values."""
    return {
        "status": submission.status,
        "archived_name": archived_name,
        "cover": {name: _json_value(value) for name, value in submission.cover.items()},
        "row_count": submission.row_count,
        "failures": [asdict(f) for f in submission.failures],
        "report": None if submission.report is None else asdict(submission.report),
    }


def _recalled(
    submission: Submission, record: dict[str, Any], archived: Path, frames: PackedFrames
) -> Submission:
    """`submission` with the validation result in `record` (and, if accepted, its facts and
    rows, read from `frames` when first asked for)."""
    submission.status = record["status"]
    submission.archived_path = str(archived)
    submission.cover = {name: _cover_value(value) for name, value in record["cover"].items()}
    submission.row_count = record["row_count"]
    submission.failures = [Failure(**f) for f in record["failures"]]
    submission.report = None if record["report"] is None else ReportSummary(**record["report"])
    if submission.status == "accepted":
        submission.frames = Frames(packed=frames)
    return submission


def _json_value(value: Any) -> Any:
    """A cover value as JSON: dates as {"date": ISO text}, everything else as it is."""
    return {"date": value.isoformat()} if isinstance(value, date) else value


def _cover_value(value: Any) -> Any:
    """A cover value read back from JSON (the inverse of `_json_value`)."""
    return date.fromisoformat(value["date"]) if isinstance(value, dict) else value
