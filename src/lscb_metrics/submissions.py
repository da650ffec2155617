"""Partner submissions: find, validate, archive or quarantine, and choose the ones a run uses.

A submission is one file, identified by its SHA-256. It is accepted (stored in the archive) or
rejected (quarantined with its report); a later accepted file for the same agency, return and
period supersedes the earlier one, and both stay on record in `audit.submissions`.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from lscb_metrics.boards import Board, Boards, load_boards
from lscb_metrics.facts import empty_facts
from lscb_metrics.history import unusual_value_failures
from lscb_metrics.intake.budget import OverBudget, within_budget
from lscb_metrics.intake.failures import Failure, failure
from lscb_metrics.intake.read import UnreadableFile
from lscb_metrics.intake.rules import OVER_BUDGET, UNREADABLE, escaped
from lscb_metrics.periods import PeriodError, Quarter, quarter_from_dates
from lscb_metrics.reference.areas import area_label
from lscb_metrics.returns import (
    Cover,
    CoverField,
    ReturnSpec,
    load_cover_fields,
    load_return_specs,
    read_return,
    return_facts,
    validate_return,
)
from lscb_metrics.returns.report import (
    ReportSummary,
    report_summary,
    verdict,
    write_validation_report,
)
from lscb_metrics.returns.validate import date_value
from lscb_metrics.store import (
    KnownFile,
    Skipped,
    StagedFile,
    archived_copy,
    kept_name,
    kept_where,
    regular_files,
    staged_or_known,
)

RETURN_SUFFIXES = (".csv", ".xlsx", ".xls", ".xlsm", ".ods", ".txt")
SUBMISSION_COLUMNS = (
    "submission_id",
    "file_name",
    "file_path",
    "sha256",
    "size_bytes",
    "received_at",
    "return_type",
    "agency_code",
    "area_code",
    "period_start",
    "period_end",
    "version",
    "status",
    "row_count",
    "error_count",
    "warning_count",
    "archived_path",
)
FAILURE_COLUMNS = (
    "submission_id",
    "code",
    "severity",
    "location",
    "column_name",
    "value",
    "message",
)


#: What a submission without facts or typed rows has of each.
EMPTY_FRAMES: dict[str, Callable[[], pd.DataFrame]] = {"facts": empty_facts, "rows": pd.DataFrame}


class Frames:
    """A submission's facts and typed rows: its own, set as it is validated, or, for one recalled
    from the validation pack, the pack's, taken when first read. Not a dataclass: Prefect walks
    a flow's result through every dataclass field, which would take them all, one by one."""

    def __init__(self, packed: PackedFrames | None = None) -> None:
        self.own: dict[str, pd.DataFrame] = {}
        self.packed = packed

    def of(self, submission: Submission, name: str) -> pd.DataFrame:
        """The submission's frame `name` ("facts" or "rows")."""
        if name not in self.own:
            self.own[name] = (
                EMPTY_FRAMES[name]()
                if self.packed is None
                else self.packed.frame(name, [submission])
            )
        return self.own[name]

    def in_pack(self, name: str) -> PackedFrames | None:
        """The pack frame `name` is still to be taken from, if it is."""
        return self.packed if name not in self.own else None


class SubmissionList(Sequence["Submission"]):
    """Submissions in order, read as a list is. Not a list: Prefect walks every list and
    dataclass of a flow's result, item by item and field by field, for futures to wait on; a
    run's 1,763 files took 0.1 s of its end."""

    def __init__(self, items: Iterable[Submission]) -> None:
        self._items = list(items)

    def __getitem__(self, index: Any) -> Any:
        return self._items[index]

    def __len__(self) -> int:
        return len(self._items)


@dataclass
class Submission:
    """One partner return file: what it says, whether it passed, its facts and its rows."""

    submission_id: str
    file_path: str
    sha256: str
    size_bytes: int
    received_at: datetime
    status: str = "rejected"
    version: int | None = None
    cover: dict[str, Any] = field(default_factory=dict)
    row_count: int = 0
    failures: list[Failure] = field(default_factory=list)
    report: ReportSummary | None = None
    archived_path: str | None = None
    frames: Frames = field(default_factory=Frames, repr=False, compare=False)

    @property
    def facts(self) -> pd.DataFrame:
        """The facts of an accepted file (none for a rejected one)."""
        return self.frames.of(self, "facts")

    @facts.setter
    def facts(self, frame: pd.DataFrame) -> None:
        self.frames.own["facts"] = frame

    @property
    def rows(self) -> pd.DataFrame:
        """Every typed data cell of an accepted file, with its location (`typed_rows`)."""
        return self.frames.of(self, "rows")

    @rows.setter
    def rows(self, frame: pd.DataFrame) -> None:
        self.frames.own["rows"] = frame

    @property
    def error_count(self) -> int:
        """Failures that block the submission."""
        return sum(f.severity == "error" for f in self.failures)

    @property
    def key(self) -> tuple[Any, ...]:
        """What a resubmission replaces: area (and so board), agency, return type and period."""
        return (
            self.cover.get("area_code"),
            self.cover.get("agency_code"),
            self.cover.get("return_type"),
            self.cover.get("period_end"),
        )


class PackedFrames:
    """The facts and typed rows of many recalled submissions, kept whole as the validation pack
    holds them: a run reads thousands of files' together (`gathered`), and splitting them into
    a frame per file and joining them again was most of the cost of recalling them."""

    def __init__(self, facts: pd.DataFrame, rows: pd.DataFrame) -> None:
        self.whole = {
            name: frame.sort_values("submission_id", kind="stable").reset_index(drop=True)
            if len(frame)
            else frame
            for name, frame in {"facts": facts, "rows": rows}.items()
        }
        self.positions = {name: _positions(frame) for name, frame in self.whole.items()}

    def frame(self, name: str, submissions: list[Submission]) -> pd.DataFrame:
        """The rows of frame `name` ("facts" or "rows") of `submissions`, in their order; facts
        carry the name each file arrived under this time, as a fresh validation gives them."""
        positions = self.positions[name]
        taken = [positions.get(s.submission_id, range(0)) for s in submissions]
        frame = self.whole[name].take([i for span in taken for i in span])
        if frame.empty:
            return EMPTY_FRAMES[name]()
        frame = frame.reset_index(drop=True)
        if name == "facts":
            names = {s.submission_id: Path(s.file_path).name for s in submissions}
            arrived = frame["submission_id"].map(names)
            if not arrived.eq(frame["source"]).all():
                frame["source"] = arrived
        return frame


def _positions(frame: pd.DataFrame) -> dict[str, range]:
    """Where each submission's rows are in `frame`, by submission id (its rows are together)."""
    if frame.empty:
        return {}
    ids = frame["submission_id"].to_numpy()
    starts = [0, *(i for i in range(1, len(ids)) if ids[i] != ids[i - 1])]
    return {ids[a]: range(a, b) for a, b in zip(starts, [*starts[1:], len(ids)], strict=True)}


def gathered(name: str, submissions: list[Submission]) -> pd.DataFrame:
    """Frame `name` ("facts" or "rows") of every one of `submissions`, in their order, in one
    frame: the recalled ones' taken from their pack together, not one by one."""
    pieces = []
    for packed, group in itertools.groupby(submissions, key=lambda s: s.frames.in_pack(name)):
        members = list(group)
        pieces += (
            [packed.frame(name, members)]
            if packed is not None
            else [getattr(s, name) for s in members]
        )
    pieces = [piece for piece in pieces if len(piece)]
    return pd.concat(pieces, ignore_index=True) if pieces else EMPTY_FRAMES[name]()


@dataclass(frozen=True)
class ReturnContext:
    """What validating a return needs, loaded once per run: declarations, boards, LA codes."""

    specs: dict[str, ReturnSpec]
    cover_fields: tuple[CoverField, ...]
    boards: Boards
    la_lookup: dict[str, tuple[str, str, str | None]]


def return_context(
    schemas_dir: Path, lookup: dict[str, tuple[str, str, str | None]]
) -> ReturnContext:
    """The declarations under `schemas_dir` with the run's LA lookup."""
    return ReturnContext(
        load_return_specs(schemas_dir),
        load_cover_fields(schemas_dir),
        load_boards(schemas_dir),
        lookup,
    )


@dataclass(frozen=True)
class Discovery:
    """What a run found in its folders: the files it will read (staged), those whose content
    was validated before (known, not read again), and the entries it skipped with why, for
    audit.skipped_entries."""

    files: list[StagedFile]
    skipped: list[Skipped]
    known: list[KnownFile] = field(default_factory=list)


def discover_returns(
    inbox: Path, store: Path, staging: Path, kept: Mapping[str, Path] | None = None
) -> Discovery:
    """Candidate return files in the inbox, then in the archive (`store`), one per SHA-256
    content, in a stable order. Hidden and partial files are left out; links, other non-regular
    entries, files gone or unreadable when read, and a second inbox file with the content of an
    earlier one are skipped with why.

    `kept` maps the SHA-256 of each content validated before to its kept copy: such an inbox
    file is read (to hash it) but not staged, and such a kept copy is not read at all. Every
    other file is copied once into `staging`."""
    kept = kept or {}
    kept_paths = {path: digest for digest, path in kept.items()}
    seen: dict[str, str] = {}
    found: list[StagedFile] = []
    known: list[KnownFile] = []
    skipped: list[Skipped] = []
    for folder in (inbox, store):
        if not folder.is_dir():
            continue
        paths, passed_over = regular_files(folder, RETURN_SUFFIXES)
        skipped += passed_over
        for path in paths:
            if path.name.startswith("validation_report"):
                continue
            shown_path = _display_path(path, folder.parent)
            digest = kept_paths.get(path) if folder == store else None
            if digest is not None:
                file: StagedFile | KnownFile = KnownFile(path, digest, path.stat().st_size)
            else:
                try:
                    file = staged_or_known(path, staging, kept)
                except OSError as error:
                    reason = f"a file that could not be read ({error.strerror or error})"
                    skipped.append(Skipped(shown_path, reason))
                    continue
            if file.sha256 in seen:
                if isinstance(file, StagedFile):
                    file.path.unlink()
                if folder == inbox:
                    reason = f"a duplicate: the same content as {seen[file.sha256]}"
                    skipped.append(Skipped(shown_path, reason))
                continue
            seen[file.sha256] = shown_path
            if isinstance(file, KnownFile):
                known.append(file)
            else:
                found.append(file)
    return Discovery(found, skipped, known)


def ingest(
    file: StagedFile,
    base_dir: Path,
    context: ReturnContext,
    received_at: datetime,
) -> Submission:
    """Read, validate and reduce one staged file to facts and typed rows; a file that cannot be
    read or fails validation becomes a rejected Submission carrying every failure."""
    submission = identify(file, base_dir, received_at)
    digest = submission.sha256
    name = Path(submission.file_path).name
    try:
        raw = read_return(file.path, context.specs, context.cover_fields)
    except UnreadableFile as error:
        submission.failures = [failure(UNREADABLE, name, problem=error.problem)]
        submission.report = report_summary(submission.failures, error.cover, context.la_lookup)
        if error.cover:
            submission.cover = stated_cover(error.cover, None)
        return submission
    result = validate_return(raw, context.specs, context.boards, context.la_lookup)
    submission.cover = stated_cover(raw.cover, result.cover)
    submission.row_count = len(raw.data)
    submission.failures = list(result.failures)
    submission.report = report_summary(submission.failures, raw.cover, context.la_lookup)
    if result.valid:
        submission.status = "accepted"
        spec = context.specs[result.return_type]
        submission.facts = return_facts(
            result, spec, submission_id=submission.submission_id, source=name, sha256=digest
        )
        submission.rows = typed_rows(result.data, raw.locations, spec, submission.submission_id)
    return submission


def budgeted_ingest(
    file: StagedFile, base_dir: Path, context: ReturnContext, received_at: datetime
) -> Submission:
    """`ingest` in the file budget's worker process (intake.budget): a file that takes more
    time or memory to read than allowed is rejected (RET-002) and the run goes on."""
    try:
        return within_budget(ingest, file, base_dir, context, received_at)
    except OverBudget as error:
        submission = identify(file, base_dir, received_at)
        name = Path(submission.file_path).name
        submission.failures = [failure(OVER_BUDGET, name, problem=error.problem)]
        submission.report = report_summary(submission.failures, {}, context.la_lookup)
        return submission


def identify(file: StagedFile | KnownFile, base_dir: Path, received_at: datetime) -> Submission:
    """The file as a submission not yet validated (or recalled): its identity, size and
    receipt."""
    return Submission(
        submission_id=f"S-{file.sha256[:16]}",
        file_path=_display_path(file.source, base_dir),
        sha256=file.sha256,
        size_bytes=file.size_bytes,
        received_at=received_at,
    )


def failure_record(failure: Failure) -> dict[str, Any]:
    """A validation failure as an audit.validation_failures row."""
    return {
        "code": failure.code,
        "severity": failure.severity,
        "location": failure.location,
        "column_name": failure.column,
        "value": None if failure.value is None else str(failure.value),
        "message": failure.message,
    }


def _display_path(path: Path, base_dir: Path) -> str:
    """`path` relative to the folder it was found in, escaped, for messages and the audit."""
    try:
        return escaped(str(path.relative_to(base_dir)))
    except ValueError:
        return escaped(path.name)


def typed_rows(
    data: pd.DataFrame, locations: Any, spec: ReturnSpec, submission_id: str
) -> pd.DataFrame:
    """Every typed data cell of an accepted return, long, with its cell location (lineage from a
    figure back to the row it came from)."""
    columns = [c.name for c in spec.columns if c.name in data.columns]
    long = data[columns].astype("object").reset_index(names="row").melt(id_vars="row")
    return pd.DataFrame(
        {
            "submission_id": submission_id,
            "return_type": spec.return_type,
            "location": [
                locations.cell(int(r), c)
                for r, c in zip(long["row"], long["variable"], strict=True)
            ],
            "column_name": long["variable"],
            "value": [None if pd.isna(v) else str(v) for v in long["value"]],
        }
    )


def stated_cover(raw_cover: dict[str, Any], cover: Cover | None) -> dict[str, Any]:
    """What the file says it is: the validated cover, or its raw text when it did not pass."""
    if cover is not None:
        return {
            "return_type": cover.return_type,
            "agency_code": cover.agency_code,
            "area_code": cover.area_code,
            "period_start": cover.period_start,
            "period_end": cover.period_end,
        }
    period_start, period_end = stated_period(raw_cover)
    return {
        "return_type": _text(raw_cover.get("return_type")),
        "agency_code": _text(raw_cover.get("agency_code")),
        "area_code": _text(raw_cover.get("la_code")),
        "period_start": period_start,
        "period_end": period_end,
    }


def stated_period(raw_cover: dict[str, Any]) -> tuple[date | None, date | None]:
    """The raw cover's period where its dates are a financial quarter, else (None, None)."""
    # A file rejected for its area or agency still names its quarter, and counts only there.
    start = date_value(raw_cover.get("period_start"))
    end = date_value(raw_cover.get("period_end"))
    if start is None or end is None:
        return None, None
    try:
        quarter_from_dates(start, end)
    except PeriodError:
        return None, None
    return start, end


def _text(value: Any) -> str | None:
    """A raw cover value as short text for the audit record (None when absent)."""
    return None if value is None else str(value).strip()[:40]


def archive(
    submission: Submission, file: StagedFile, store_dir: Path, quarantine_dir: Path
) -> Path:
    """Keep the staged file once, unchanged, with its validation report beside it: accepted
    files in the store, rejected ones in quarantine."""
    folder = store_dir if submission.status == "accepted" else quarantine_dir
    name = kept_name(file.source.name, submission.submission_id)
    copy = archived_copy(file, folder / submission.submission_id, name)
    submission.archived_path = str(copy)
    if submission.report is not None:
        shown_name = Path(submission.file_path).name
        write_validation_report(submission.failures, shown_name, submission.report, copy.parent)
    return copy.parent


def flag_unusual_values(
    submission: Submission, unusual: pd.DataFrame, specs: Mapping[str, ReturnSpec]
) -> None:
    """Add RNG-001 warnings for the submission's `unusual` facts (figures far outside the area's
    usual range, from history.unusual_values), and rewrite its report beside its archived file
    to show them."""
    spec = specs[submission.cover["return_type"]]
    locations = (
        submission.rows.drop_duplicates("column_name").set_index("column_name")["location"]
        if len(submission.rows)
        else pd.Series(dtype="object")
    )
    titles = {column.name: column.title for column in spec.columns}
    warnings = unusual_value_failures(unusual, locations.to_dict(), titles)
    if not warnings or submission.report is None or submission.archived_path is None:
        return
    submission.failures = [*submission.failures, *warnings]
    submission.report = replace(
        submission.report,
        verdict=verdict(submission.failures),
        warning_count=len(submission.failures) - submission.error_count,
    )
    folder = Path(submission.archived_path).parent
    shown_name = Path(submission.file_path).name
    write_validation_report(submission.failures, shown_name, submission.report, folder)


def choose_submissions(submissions: list[Submission], quarter: Quarter) -> list[Submission]:
    """Number the versions of each agency, return and period in order of receipt, mark earlier
    accepted versions superseded, and return the latest accepted ones up to the run's quarter."""
    latest: dict[tuple[Any, ...], Submission] = {}
    versions: dict[tuple[Any, ...], int] = {}
    for submission in sorted(submissions, key=lambda s: (s.received_at, s.file_path)):
        if submission.status != "accepted":
            continue
        versions[submission.key] = versions.get(submission.key, 0) + 1
        submission.version = versions[submission.key]
        if submission.cover["period_end"] > quarter.end:
            submission.status = "not_in_run"
            continue
        earlier = latest.get(submission.key)
        if earlier is not None:
            earlier.status = "superseded"
        latest[submission.key] = submission
    return sorted(latest.values(), key=lambda s: s.submission_id)


#: Statuses of a file that passed validation, whether or not this run uses it.
VALID_STATUSES = ("accepted", "superseded", "not_in_run")


def corrected_rejections(submissions: list[Submission]) -> frozenset[str]:
    """Ids of rejected files that a valid file for the same area, agency, return and quarter
    followed in order of receipt: the partner's correction, which replaces them as a
    resubmission replaces an accepted file. A valid file received before a rejected one does not
    correct it (the later file was meant to replace it, and failed)."""
    latest_valid: dict[tuple[Any, ...], tuple[datetime, str]] = {}
    for submission in submissions:
        if submission.status in VALID_STATUSES:
            order = (submission.received_at, submission.file_path)
            latest_valid[submission.key] = max(latest_valid.get(submission.key, order), order)
    return frozenset(
        s.submission_id
        for s in submissions
        if s.status == "rejected"
        and None not in s.key
        and latest_valid.get(s.key, (datetime.min, "")) > (s.received_at, s.file_path)
    )


def missing_returns(
    used: list[Submission], quarter: Quarter, board: Board, names: Mapping[str, str]
) -> list[str]:
    """Returns each of the board's agencies should have sent for `quarter` that the run has no
    accepted file for, for each of the board's areas existing then (where it covers several,
    named by `names` and ONS code: 'for Bedford (E06000055)')."""
    received = {
        (s.cover["agency_code"], s.cover["return_type"], s.cover["area_code"])
        for s in for_board(used, board)
        if s.cover["period_end"] == quarter.end
    }
    # Each area's figures come from its own returns: one area's return leaves the other's
    # figures missing, so a partnership's return is missing for each area it has not come for
    # (that exists in the quarter: an abolished authority sends nothing after it).
    return sorted(
        f"{agency.code}: {return_type}"
        f"{f' for {area_label(area, names)}' if board.covers_several else ''}"
        for agency in board.agencies.values()
        if agency.sends_in(quarter.end)
        for return_type in agency.returns
        for area in board.areas_on(quarter.end)
        if agency.sends_for(area) and (agency.code, return_type, area) not in received
    )


def for_board(submissions: list[Submission], board: Board) -> list[Submission]:
    """The submissions whose cover names one of the board's areas in a quarter it covers it."""
    return [
        s
        for s in submissions
        if s.cover.get("period_end") is not None
        and board.covers_on(s.cover.get("area_code"), s.cover["period_end"])
    ]


def submissions_table(submissions: list[Submission], folder: Path) -> pd.DataFrame:
    """audit.submissions rows: every file received, with its status, version and where it is
    kept, relative to `folder` (the warehouse's, beside which the store and quarantine are)."""
    return pd.DataFrame(
        [
            {
                "submission_id": s.submission_id,
                "file_name": Path(s.file_path).name,
                "file_path": s.file_path,
                "sha256": s.sha256,
                "size_bytes": s.size_bytes,
                "received_at": s.received_at,
                **s.cover,
                "version": s.version,
                "status": s.status,
                "row_count": s.row_count,
                "error_count": s.error_count,
                "warning_count": len(s.failures) - s.error_count,
                "archived_path": s.archived_path and kept_where(s.archived_path, folder),
            }
            for s in sorted(submissions, key=lambda s: s.submission_id)
        ],
        columns=list(SUBMISSION_COLUMNS),
    ).astype({"version": "Int64"})  # a whole number; none for a rejected file


def failures_table(submissions: list[Submission]) -> pd.DataFrame:
    """audit.validation_failures rows."""
    return pd.DataFrame(
        [
            {"submission_id": s.submission_id, **failure_record(f)}
            for s in sorted(submissions, key=lambda s: s.submission_id)
            for f in s.failures
        ],
        columns=list(FAILURE_COLUMNS),
    )


def skipped_table(skipped: list[Skipped], run_id: str) -> pd.DataFrame:
    """audit.skipped_entries rows: every entry of the input folders a run did not read."""
    return pd.DataFrame(skipped, columns=list(Skipped._fields)).assign(run_id=run_id)


def rows_table(submissions: list[Submission]) -> pd.DataFrame:
    """staged.return_rows: typed cells of the accepted submissions, with their locations."""
    rows = gathered("rows", sorted(submissions, key=lambda s: s.submission_id))
    columns = ["submission_id", "return_type", "location", "column_name", "value"]
    return rows if len(rows) else pd.DataFrame(columns=columns)
