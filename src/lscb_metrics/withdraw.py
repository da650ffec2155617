"""Withdrawing a stored submission: the one way to take a bad file out of the figures.

Every accepted file is kept in `store/` and read again by every run, so a file that should never
have been accepted (a return for the wrong area, figures a partner disowns) would come back each
quarter. `lscb-metrics withdraw SUBMISSION_ID --reason ...` moves its folder from `store/` to
`withdrawn/` beside it, unchanged, with a record of who withdrew it, when and why
(`withdrawal.json`, the source of truth, which survives rebuilding the warehouse from the
store) and writes that record to `audit.withdrawals` at once. The next run recomputes without
it, lists it as `withdrawn` in `audit.submissions`, and skips a file with the same content found
in the returns folder (`audit.skipped_entries`, naming the withdrawal): withdrawn content is never
taken in again; a partner who meant those figures sends them as a new file.
"""

from __future__ import annotations

import getpass
import json
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd

from lscb_metrics import warehouse_file
from lscb_metrics.config import Settings
from lscb_metrics.errors import LscbError
from lscb_metrics.intake.hashing import file_sha256
from lscb_metrics.intake.rules import escaped
from lscb_metrics.layout import check_layout
from lscb_metrics.store import PRIVATE_FILE, PRIVATE_FOLDER, Skipped, StagedFile, run_lock
from lscb_metrics.submissions import Discovery
from lscb_metrics.warehouse import describe_relation, relation_descriptions

RECORD_NAME = "withdrawal.json"
WITHDRAWALS = "audit.withdrawals"
_SUBMISSION_ID = re.compile(r"S-[0-9a-f]{16}")
#: Files a store folder holds beside the kept return: its reports and validation records.
_NOT_THE_RETURN = re.compile(r"^(validation_report|validation-)")


class WithdrawError(LscbError, ValueError):
    """A withdrawal that cannot be made: no such stored submission, or no reason given."""


@dataclass(frozen=True)
class Withdrawal:
    """One withdrawn submission: which file, who withdrew it, when and why."""

    submission_id: str
    sha256: str
    file_name: str
    reason: str
    withdrawn_by: str
    withdrawn_at: datetime  # naive UTC, as the warehouse stores times


def withdrawn_dir(settings: Settings) -> Path:
    """The folder of withdrawn submissions, beside the store."""
    return settings.store_dir.parent / "withdrawn"


def withdraw(settings: Settings, submission_id: str, reason: str, now: datetime) -> Withdrawal:
    """Move the stored submission `submission_id` to the withdrawn folder with its record, and
    record it in the warehouse; WithdrawError if it is not in the store or no reason is given."""
    reason = " ".join(reason.split())
    if not reason:
        raise WithdrawError("give the reason for withdrawing it: --reason '...'")
    if not _SUBMISSION_ID.fullmatch(submission_id):
        raise WithdrawError(
            f"{escaped(submission_id)!r} is not a submission id (S- and 16 hexadecimal digits, "
            "as in audit.submissions)"
        )
    target_root = withdrawn_dir(settings)
    with run_lock(settings.warehouse):
        if settings.warehouse.exists():
            warehouse_file.check_writable(settings.warehouse)
            check_layout(settings.warehouse, settings.warehouse_declaration)
        folder = settings.store_dir / submission_id
        if not folder.is_dir():
            earlier = target_root / submission_id / RECORD_NAME
            if earlier.is_file():
                when = read_withdrawal(earlier).withdrawn_at
                raise WithdrawError(f"{submission_id} was already withdrawn on {when:%Y-%m-%d}")
            raise WithdrawError(
                f"{submission_id} is not in {settings.store_dir}: only an accepted, stored "
                "submission can be withdrawn (a rejected one is never used)"
            )
        kept = _kept_return(folder)
        record = Withdrawal(
            submission_id,
            file_sha256(kept),
            kept.name,
            reason,
            _user(),
            now.replace(tzinfo=None),
        )
        target_root.mkdir(mode=PRIVATE_FOLDER, parents=True, exist_ok=True)
        target = target_root / submission_id
        os.replace(folder, target)
        record_path = target / RECORD_NAME
        record_path.write_text(json.dumps(asdict(record), default=str, indent=2) + "\n")
        record_path.chmod(PRIVATE_FILE)
        if settings.warehouse.exists():
            descriptions = relation_descriptions(settings.warehouse_declaration)
            record_in_warehouse(
                settings.warehouse, load_withdrawals(target_root), descriptions.get(WITHDRAWALS, {})
            )
    return record


def read_withdrawal(path: Path) -> Withdrawal:
    """A withdrawal record as written by `withdraw`."""
    fields = json.loads(path.read_text(encoding="utf-8"))
    return Withdrawal(**{**fields, "withdrawn_at": datetime.fromisoformat(fields["withdrawn_at"])})


def load_withdrawals(folder: Path) -> list[Withdrawal]:
    """Every withdrawal recorded under `folder`, oldest first."""
    records = [read_withdrawal(path) for path in sorted(folder.glob(f"S-*/{RECORD_NAME}"))]
    return sorted(records, key=lambda w: (w.withdrawn_at, w.submission_id))


def withdrawals_table(withdrawals: Iterable[Withdrawal]) -> pd.DataFrame:
    """audit.withdrawals rows."""
    columns = list(Withdrawal.__dataclass_fields__)
    table = pd.DataFrame([asdict(w) for w in withdrawals], columns=columns)
    return table.astype({"withdrawn_at": "datetime64[us]"})


def set_aside(found: Discovery, withdrawals: Iterable[Withdrawal]) -> Discovery:
    """`found` without the files whose content was withdrawn, each recorded as skipped with the
    withdrawal it matches (their staged copies removed)."""
    by_sha = {w.sha256: w for w in withdrawals}
    skipped = list(found.skipped)
    for file in [*found.files, *found.known]:
        withdrawal = by_sha.get(file.sha256)
        if withdrawal is None:
            continue
        if isinstance(file, StagedFile):
            file.path.unlink(missing_ok=True)
        skipped.append(
            Skipped(
                escaped(file.source.name),
                f"withdrawn content: the same as {withdrawal.submission_id}, withdrawn on "
                f"{withdrawal.withdrawn_at:%Y-%m-%d} by {withdrawal.withdrawn_by} "
                f"({withdrawal.reason}); a corrected return must be a new file",
            )
        )
    return Discovery(
        [file for file in found.files if file.sha256 not in by_sha],
        skipped,
        [file for file in found.known if file.sha256 not in by_sha],
    )


def marked_withdrawn(submissions: pd.DataFrame, withdrawals: Iterable[Withdrawal]) -> pd.DataFrame:
    """audit.submissions rows with the withdrawn submissions' status set to 'withdrawn'."""
    ids = [w.submission_id for w in withdrawals]
    return submissions.assign(
        status=submissions["status"].where(~submissions["submission_id"].isin(ids), "withdrawn")
    )


def record_in_warehouse(
    path: Path, withdrawals: list[Withdrawal], description: Mapping[str, Any]
) -> None:
    """audit.withdrawals replaced by `withdrawals`, with its declared `description` (which
    replacing a table drops), and their submissions marked withdrawn in audit.submissions, in
    one transaction."""
    table = withdrawals_table(withdrawals)
    with warehouse_file.connect(path) as connection:
        connection.execute("BEGIN TRANSACTION")
        connection.execute("CREATE SCHEMA IF NOT EXISTS audit")
        connection.register("incoming", table)
        connection.execute(f"CREATE OR REPLACE TABLE {WITHDRAWALS} AS SELECT * FROM incoming")
        connection.unregister("incoming")
        describe_relation(connection, WITHDRAWALS, description)
        [(has_submissions,)] = connection.execute(
            "SELECT count(*) FROM duckdb_tables() WHERE schema_name = 'audit' "
            "AND table_name = 'submissions'"
        ).fetchall()
        if has_submissions:
            connection.execute(
                "UPDATE audit.submissions SET status = 'withdrawn' "
                f"WHERE submission_id IN (SELECT submission_id FROM {WITHDRAWALS})"
            )
        connection.execute("COMMIT")


def _kept_return(folder: Path) -> Path:
    """The partner's file kept in a store folder (beside its reports and records)."""
    files = [p for p in folder.iterdir() if p.is_file() and not _NOT_THE_RETURN.match(p.name)]
    if len(files) != 1:
        raise WithdrawError(f"{folder} does not hold exactly one kept return")
    return files[0]


def _user() -> str:
    """Who is withdrawing: the login name, as the operating system gives it."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return f"uid {os.getuid()}"
