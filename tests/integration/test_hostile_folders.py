"""Input folders are untrusted: links, pipes, hostile names and files changed mid-run.

The ingest stage runs as the flow runs it (tests/stages.py) over a copy of one demo return and
the planted entries; nothing here needs the Prefect server.
"""

from __future__ import annotations

import os
import shutil
import stat
from datetime import UTC, datetime
from pathlib import Path

import pytest

from lscb_metrics import pipeline
from lscb_metrics.cases.ingest import write_case_warehouse
from lscb_metrics.config import settings
from lscb_metrics.intake.hashing import file_sha256
from lscb_metrics.store import private_copies, regular_files, staged_copy
from lscb_metrics.submissions import archive, ingest, return_context
from tests.stages import received_returns

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "data" / "raw" / "returns" / "2014-15-Q2" / "SBC-CSC_referrals.xlsx"
LONG_NAME = "r" * 245 + ".xlsx"  # 250 characters: a '.NAME.partial' file would exceed NAME_MAX
ESCAPE_NAME = "ok\x1b[2J\x1b]0;pwned\x07\nfake.xlsx"
FORMULA_NAME = '=HYPERLINK("http:example.invalid").xlsx'


@pytest.fixture
def hostile(tmp_path: Path) -> Path:
    """A returns folder holding one real return under a plain name, then links, a pipe, a
    linked folder, hostile names and a copy of the same content under a second name."""
    returns = tmp_path / "returns" / "2014-15-Q2"
    returns.mkdir(parents=True)
    shutil.copyfile(DEMO, returns / "referrals.xlsx")
    (returns / "environ.csv").symlink_to("/proc/self/environ")
    (returns / "passwd.csv").symlink_to("/etc/passwd")
    (returns / "linked").symlink_to(tmp_path / "elsewhere", target_is_directory=True)
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "secret.csv").write_text("a,b\n")
    os.mkfifo(returns / "pipe.csv")
    for number, name in enumerate((LONG_NAME, ESCAPE_NAME)):
        (returns / name).write_bytes(f"not a workbook {number}".encode())
    (returns / "referrals_v2.xlsx").write_bytes(DEMO.read_bytes())
    return tmp_path


def test_walk_never_follows_links_and_says_what_it_skipped(hostile: Path) -> None:
    files, skipped = regular_files(hostile / "returns", (".csv", ".xlsx"))
    assert {path.name for path in files} == {
        "referrals.xlsx",
        "referrals_v2.xlsx",
        LONG_NAME,
        ESCAPE_NAME,
    }
    reasons = dict(skipped)
    assert reasons["returns/2014-15-Q2/environ.csv"].startswith("a symbolic link")
    assert reasons["returns/2014-15-Q2/passwd.csv"].startswith("a symbolic link")
    assert reasons["returns/2014-15-Q2/linked"].startswith("a symbolic link")
    assert reasons["returns/2014-15-Q2/pipe.csv"].startswith("not a regular file")


def test_a_link_swapped_in_after_listing_is_never_opened(hostile: Path) -> None:
    # O_NOFOLLOW: a link planted between listing and copying is refused, not followed
    with pytest.raises(OSError):
        staged_copy(hostile / "returns" / "2014-15-Q2" / "environ.csv", hostile)
    with pytest.raises(OSError):
        staged_copy(hostile / "returns" / "2014-15-Q2" / "pipe.csv", hostile)


def test_hostile_folder_is_received_without_a_leak_or_a_crash(
    hostile: Path, demo_reference
) -> None:
    run_settings = settings(
        warehouse=str(hostile / "w.duckdb"), returns_dir=str(hostile / "returns")
    )
    found = pipeline.candidate_files(run_settings)
    skipped = dict(found.skipped)
    assert skipped["returns/2014-15-Q2/referrals_v2.xlsx"] == (
        "a duplicate: the same content as returns/2014-15-Q2/referrals.xlsx"
    )
    submissions = received_returns(run_settings, demo_reference)
    assert len(submissions) == 3
    kept = [Path(s.archived_path) for s in submissions]
    for path in kept:
        assert stat.S_IMODE(path.stat().st_mode) == 0o400
        assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
        assert b"root:" not in path.read_bytes() and b"PATH=" not in path.read_bytes()
    # hostile names are kept under the submission id and shown escaped
    by_name = {Path(s.file_path).name: s for s in submissions}
    assert LONG_NAME in by_name
    escaped_name = "ok\\x1b[2J\\x1b]0;pwned\\x07\\nfake.xlsx"
    assert escaped_name in by_name
    for name in (LONG_NAME, escaped_name):
        submission = by_name[name]
        assert Path(submission.archived_path).name == f"{submission.submission_id}.xlsx"
    assert Path(by_name["referrals.xlsx"].archived_path).name == "referrals.xlsx"
    assert not any("\x1b" in s.file_path or "\n" in s.file_path for s in submissions)


def test_a_file_rewritten_during_the_run_is_archived_as_it_was_read(
    tmp_path: Path, demo_reference
) -> None:
    returns = tmp_path / "returns"
    returns.mkdir()
    source = returns / "referrals.xlsx"
    shutil.copyfile(DEMO, source)
    run_settings = settings(warehouse=str(tmp_path / "w.duckdb"), returns_dir=str(returns))
    [staged] = pipeline.candidate_files(run_settings).files
    source.write_bytes(b"rewritten after it was found")
    source.rename(returns / "renamed.xlsx")
    context = return_context(run_settings.schemas_dir, demo_reference.la_lookup)
    submission = ingest(staged, returns, context, datetime.now(UTC).replace(tzinfo=None))
    archive(submission, staged, run_settings.store_dir, run_settings.quarantine_dir)
    assert submission.status == "accepted"
    assert submission.sha256 == file_sha256(DEMO) == file_sha256(Path(submission.archived_path))


def test_a_case_list_swapped_for_a_link_after_listing_is_never_read(tmp_path: Path) -> None:
    cases = tmp_path / "cases"
    cases.mkdir()
    (cases / "referrals.csv").write_text("la_code\nE06000033\n")
    (cases / "assessments.csv").write_text("la_code\nE06000033\n")
    listed, _ = regular_files(cases, (".csv",))
    (cases / "assessments.csv").unlink()
    (cases / "assessments.csv").symlink_to("/proc/self/environ")  # after listing
    private = tmp_path / "private"
    private.mkdir()
    copies, skipped = private_copies(listed, private, cases)
    assert [copy.name for copy in copies] == ["referrals.csv"]
    assert copies[0].read_text() == "la_code\nE06000033\n"
    assert stat.S_IMODE(copies[0].parent.stat().st_mode) == 0o700
    assert [entry.path for entry in skipped] == ["cases/assessments.csv"]
    assert "could not be read" in skipped[0].reason


CANARY_KEY = "canary-pseudonymisation-key-" + "c" * 32
CHILD_NAME, ADDRESS = "Canary Childname", "7 Canary Wharf Road SS9 9ZZ"


def test_hostile_cases_folder_leaks_no_key_and_no_identifier(
    tmp_path: Path,
    demo_reference,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.delenv("LSCB_PSEUDONYMISATION_KEY_FILE", raising=False)
    monkeypatch.setenv("LSCB_PSEUDONYMISATION_KEY", CANARY_KEY)
    cases = tmp_path / "cases"
    cases.mkdir()
    (cases / "environ.csv").symlink_to("/proc/self/environ")
    row = ["E06000033", "2014-07-01", "2014-09-30", "SOU-1", CHILD_NAME, ADDRESS, "2014-07-02"]
    # no header row: the first child's details are where the headers should be
    (cases / "headerless.csv").write_text(",".join(row) + "\n" + ",".join(row) + "\n")
    # a title row above the header
    title = f"Referrals for {CHILD_NAME}, {ADDRESS}"
    header = "la_code,period_start,period_end,child_id,referral_date"
    (cases / "titled.csv").write_text(f"{title}\n{header}\n" + ",".join(row[:4]) + ",2014-07-02\n")
    result = pipeline.derive_cases(settings(cases_dir=str(cases)), demo_reference)
    assert "LSCB_PSEUDONYMISATION_KEY" not in os.environ
    audit = pipeline.case_relations(result)["audit.case_failures"].to_csv()
    printed = capsys.readouterr()
    logs = "\n".join(record.getMessage() for record in caplog.records)
    assert "CAS-022" in audit and "symbolic link" in audit
    # The derived relations written to a warehouse, and every file the run left anywhere but
    # the cases folder itself (its private copies of the lists are gone), hold none of it.
    write_case_warehouse(result, tmp_path / "w.duckdb")
    left = {
        str(path): path.read_bytes().decode("utf-8", "replace")
        for path in tmp_path.rglob("*")
        if path.is_file() and not path.is_relative_to(cases)
    }
    places = {"audit": audit, "output": printed.out + printed.err, "logs": logs, **left}
    assert str(tmp_path / "w.duckdb") in places
    for where, text in places.items():
        for planted in (CANARY_KEY, "Canary", "Childname", "Wharf", "SS9 9ZZ", "PATH="):
            assert planted not in text, f"{planted!r} in {where}"
