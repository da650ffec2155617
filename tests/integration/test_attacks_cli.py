"""The attacks of issue 12 through the real command (`python -m lscb_metrics.cli` in a child
process), each with its expected outcome: several attack files in one `validate`, a file over
its time or memory budget, a bad stored file withdrawn, a period outside the data. None starts
Prefect; the runs themselves are in test_run_failures.py and test_hostile_folders.py."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

import duckdb
import pytest
import yaml

from lscb_metrics import pipeline
from lscb_metrics.config import settings
from lscb_metrics.intake.budget import OverBudget, within_budget
from lscb_metrics.store import staged_copy
from lscb_metrics.submissions import budgeted_ingest, return_context, submissions_table
from tests.stages import received_returns

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "tests" / "corpus"
DEMO = ROOT / "data" / "raw" / "returns" / "2014-15-Q2"
# The attacks on a single file, each in the corpus with the codes it must give.
ATTACK_FILES = (
    "stray_cell_xfd1048576.xlsx",  # was: 300 s and 9.1 GB
    "dimension_record_d1048576.xlsx",  # was: 65 s and 2 GB
    "huge_number_in_xlsx.xlsx",  # was: never finished
    "too_many_digits.csv",
    "zip_bomb.xlsx",
    "external_link.xlsx",
    "webservice_formula.xlsx",
    "filterxml_formula.xlsx",
    "macros_vba_project.xlsx",
    "zero_width_agency.csv",
    "rtl_override_agency.csv",
    "fullwidth_digits.csv",
    "plus_sign_count.csv",
    "nbsp_padded_number.csv",
    "formula_text_agency.csv",
    "agency_of_another_board.csv",  # was: superseded Southend's figure with Thurrock's area
)


def cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """`lscb-metrics ARGS` in a child process, as a user runs it."""
    return subprocess.run(
        [sys.executable, "-m", "lscb_metrics.cli", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=300,
        cwd=ROOT,
    )


def expected_codes() -> dict[str, list[str]]:
    """file -> the codes tests/corpus/cases.yaml says it must give."""
    cases = yaml.safe_load((CORPUS / "cases.yaml").read_text(encoding="utf-8"))["cases"]
    return {case["file"]: case["codes"] for case in cases}


def reports(printed: str) -> dict[str, str]:
    """Each file's validation report in `validate`'s output, by file name."""
    parts = printed.split("Validation report for ")[1:]
    return {part.split("\n", 1)[0].strip(): part for part in parts}


def test_every_attack_file_is_refused_quickly_with_its_codes() -> None:
    codes = expected_codes()
    started = time.monotonic()
    done = cli("validate", *(str(CORPUS / name) for name in ATTACK_FILES))
    took = time.monotonic() - started
    assert done.returncode == 2  # the worst of them: a file that cannot be read
    assert "Traceback" not in done.stdout + done.stderr
    found = reports(done.stdout)
    assert sorted(found) == sorted(ATTACK_FILES)
    for name in ATTACK_FILES:
        assert "Verdict:     rejected" in found[name], name
        for code in codes[name]:
            assert f"ERROR   {code}" in found[name], (name, code)
    assert took < 120  # one of these alone took over 300 s and 9 GB before


def test_a_file_over_its_time_budget_is_refused_with_ret_002() -> None:
    demo = DEMO / "SBC-CSC_referrals.xlsx"
    done = cli("validate", str(demo), env={"LSCB_FILE_SECONDS": "0.001"})
    assert done.returncode == 2
    assert "ERROR   RET-002" in done.stdout
    assert "took longer than 0.001 s, the time allowed for one file" in done.stdout
    assert "Traceback" not in done.stdout + done.stderr
    assert cli("validate", str(demo)).returncode == 0  # the same file within the default budget


def test_the_budget_stops_a_runaway_read_and_the_next_file_goes_on(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("LSCB_FILE_SECONDS", "1")
    monkeypatch.setenv("LSCB_FILE_MEMORY_MB", "100")
    started = time.monotonic()
    with pytest.raises(OverBudget, match="longer than 1 s"):
        within_budget(time.sleep, 60)
    assert time.monotonic() - started < 10  # stopped, not waited for
    with pytest.raises(OverBudget, match="more than 100 MB of memory"):
        within_budget(bytearray, 400 * 1024 * 1024)
    assert within_budget(sum, [1, 2, 3]) == 6  # a new worker takes the next file


def test_a_run_rejects_a_file_over_budget_and_keeps_it(
    tmp_path: Path, demo_reference, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LSCB_FILE_SECONDS", "0.001")
    staging = tmp_path / "staging"
    staging.mkdir()
    staged = staged_copy(DEMO / "SUH_training.csv", staging)
    context = return_context(settings().schemas_dir, demo_reference.la_lookup)
    submission = budgeted_ingest(staged, DEMO, context, datetime(2014, 10, 10))
    assert submission.status == "rejected"
    [failure] = submission.failures
    assert failure.code == "RET-002" and failure.location == "SUH_training.csv"


def test_a_period_outside_the_data_is_refused_before_any_work(tmp_path: Path) -> None:
    done = cli("run", "--period", "9999-00-Q1", "--warehouse", str(tmp_path / "w.duckdb"))
    assert done.returncode == 2
    assert "Traceback" not in done.stderr and len(done.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "w.duckdb").exists()


@pytest.fixture
def stored(tmp_path: Path, demo_reference) -> Path:
    """A warehouse whose audit.submissions lists the demo quarter's returns, received as a run
    receives them (kept in the store beside it), and the returns folder they came from."""
    inbox = tmp_path / "returns"
    shutil.copytree(DEMO, inbox)
    warehouse = tmp_path / "warehouse.duckdb"
    run_settings = settings(warehouse=str(warehouse), returns_dir=str(inbox))
    received = received_returns(run_settings, demo_reference)
    submissions = submissions_table(received, run_settings.warehouse.parent)
    with duckdb.connect(str(warehouse)) as connection:
        connection.execute("CREATE SCHEMA audit")
        connection.register("received", submissions)
        connection.execute("CREATE TABLE audit.submissions AS SELECT * FROM received")
    return warehouse


def test_withdraw_takes_a_stored_file_out_for_good(stored: Path, tmp_path: Path) -> None:
    with duckdb.connect(str(stored), read_only=True) as connection:
        [(submission_id, sha256)] = connection.execute(
            "SELECT submission_id, sha256 FROM audit.submissions "
            "WHERE file_name = 'SUH_training.csv' AND status = 'accepted'"
        ).fetchall()
    reason = "figures were for another hospital"
    done = cli("withdraw", submission_id, "--reason", reason, "--warehouse", str(stored))
    assert done.returncode == 0, done.stderr
    assert f"{submission_id} (SUH_training.csv) withdrawn" in done.stdout
    assert not (tmp_path / "store" / submission_id).exists()
    kept = tmp_path / "withdrawn" / submission_id
    assert (kept / "SUH_training.csv").is_file() and (kept / "withdrawal.json").is_file()
    with duckdb.connect(str(stored), read_only=True) as connection:
        [row] = connection.execute(
            "SELECT submission_id, sha256, reason, withdrawn_by FROM audit.withdrawals"
        ).fetchall()
        [(status,)] = connection.execute(
            "SELECT status FROM audit.submissions WHERE submission_id = ?", [submission_id]
        ).fetchall()
    assert row[:3] == (submission_id, sha256, reason) and row[3]
    assert status == "withdrawn"
    # a second withdrawal of it, and an id that is not one, each say why in one line
    again = cli("withdraw", submission_id, "--reason", reason, "--warehouse", str(stored))
    assert again.returncode == 2 and "already withdrawn" in again.stderr
    bogus = cli("withdraw", "../../etc", "--reason", reason, "--warehouse", str(stored))
    assert bogus.returncode == 2 and "is not a submission id" in bogus.stderr
    # The next run finds the same content in the inbox and leaves it out.
    inbox = tmp_path / "returns"
    found = pipeline.candidate_files(settings(warehouse=str(stored), returns_dir=str(inbox)))
    assert sha256 not in {file.sha256 for file in found.files}
    assert len(found.files) == 19
    [(path, why)] = [s for s in found.skipped if "withdrawn" in s.reason]
    assert path == "SUH_training.csv" and submission_id in why and reason in why
