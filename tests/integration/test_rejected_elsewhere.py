"""A file rejected for another quarter, or corrected by the partner's later file, leaves the
board's quarter and the run complete, and the run that saw it passes the quality checkpoint
(stage level: ingest, compute, quality, on Thurrock's real returns)."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest

from lscb_metrics import pipeline
from lscb_metrics.config import settings
from lscb_metrics.periods import parse_quarter
from lscb_metrics.report import run_summary_text
from tests.stages import project_copy, received_returns

ROOT = Path(__file__).resolve().parents[2]
Q2_RETURNS = ROOT / "data/raw/returns/thurrock/2014-15-Q2"
CASEWORK = Q2_RETURNS / "TC-CSC_casework.csv"


def test_a_file_rejected_for_another_quarter_does_not_stop_the_run(
    tmp_path, demo_reference
) -> None:
    returns = tmp_path / "returns"
    shutil.copytree(Q2_RETURNS, returns / "2014-15-Q2")
    # The council's December casework, sent early with a fractional count: a Q3 file, rejected.
    casework = (Q2_RETURNS / "TC-CSC_casework.csv").read_text()
    (returns / "TC-CSC_casework_q3.csv").write_text(
        casework.replace("2014-07-01,2014-09-30,1235", "2014-10-01,2014-12-31,1235.5")
    )
    plan = thurrock_q2_run(tmp_path, returns, demo_reference)

    [thurrock] = plan.summary.boards
    assert (thurrock.outcome, thurrock.rejected, thurrock.publishes) == ("complete", [], True)
    # The run's record names the file it rejected, though it counts against no board's Q2 ...
    assert plan.summary.outcome == "complete"
    assert len(plan.run_record["submissions_rejected"]) == 1
    # ... and is consistent: the checkpoint passes and the figures are committed.
    quality, _ = pipeline.check_run(plan, tmp_path / "docs")
    assert quality.success, quality.failed


@pytest.mark.parametrize(
    ("bad_folder", "good_folder", "outcome"),
    [
        ("1_sent", "2_corrected", "complete"),  # the correction came after the rejected file
        ("2_sent_again", "1_sent", "incomplete"),  # a failed correction of an accepted file
    ],
)
def test_a_rejected_file_corrected_by_a_later_one_no_longer_counts(
    tmp_path, demo_reference, bad_folder: str, good_folder: str, outcome: str
) -> None:
    returns = tmp_path / "returns"
    shutil.copytree(
        Q2_RETURNS, returns / "2014-15-Q2", ignore=shutil.ignore_patterns(CASEWORK.name)
    )
    # Both files are new to the run, so they are in order of receipt by path.
    (returns / good_folder).mkdir()
    shutil.copyfile(CASEWORK, returns / good_folder / CASEWORK.name)
    (returns / bad_folder).mkdir()
    (returns / bad_folder / CASEWORK.name).write_text(
        CASEWORK.read_text().replace("2014-07-01,2014-09-30,1235", "2014-07-01,2014-09-30,1235.5")
    )

    plan = thurrock_q2_run(tmp_path, returns, demo_reference)

    [thurrock] = plan.summary.boards
    assert (thurrock.outcome, plan.summary.outcome) == (outcome, outcome)
    assert len(thurrock.rejected) == (outcome == "incomplete")
    # The summary still lists the rejected file, and says when it was corrected.
    corrected = "corrected by a later file" in run_summary_text(plan.summary)
    assert corrected == (outcome == "complete")
    assert len(plan.run_record["submissions_rejected"]) == 1
    quality, _ = pipeline.check_run(plan, tmp_path / "docs")
    assert quality.success, quality.failed


def test_the_summary_names_the_rejected_files_report_as_it_is_opened_from_the_project(
    tmp_path, demo_reference, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The business manager runs lscb-metrics from the project folder: the report's path was the
    # warehouse's record of it (quarantine/S-.../), or the full path to their home folder.
    root = project_copy(tmp_path / "project")
    monkeypatch.setenv("LSCB_PROJECT_ROOT", str(root))
    returns = root / "data/raw/returns"
    shutil.copytree(Q2_RETURNS, returns / "2014-15-Q2")
    (returns / "2014-15-Q2" / CASEWORK.name).write_text(
        CASEWORK.read_text().replace("2014-07-01,2014-09-30,1235", "2014-07-01,2014-09-30,1235.5")
    )
    plan = thurrock_q2_run(root / "data", returns, demo_reference)

    [line] = [line for line in run_summary_text(plan.summary).splitlines() if "rejected:" in line]
    shown = line.rsplit("; report: ", 1)[1]
    assert shown.startswith("data/quarantine/S-")
    assert (root / shown).is_file()


def thurrock_q2_run(tmp_path: Path, returns: Path, reference: pipeline.Reference):
    """Thurrock's 2014-15 Q2 run (not committed) over the files in `returns`, one rejected."""
    run_settings = settings(warehouse=str(tmp_path / "w.duckdb"), returns_dir=str(returns))
    submissions = received_returns(run_settings, reference)
    assert [s.status for s in submissions].count("rejected") == 1
    return pipeline.compute_run(
        run_settings,
        parse_quarter("2014-15-Q2"),
        submissions,
        reference,
        datetime.now(UTC),
        board_slug="thurrock",
    )
