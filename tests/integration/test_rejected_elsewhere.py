"""A file rejected for another quarter leaves the board's quarter complete, and the run that
saw it passes the quality checkpoint (stage level: ingest, compute, quality, on Thurrock's real
returns)."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

from lscb_metrics import pipeline
from lscb_metrics.config import settings
from lscb_metrics.periods import parse_quarter
from tests.stages import received_returns

ROOT = Path(__file__).resolve().parents[2]
Q2_RETURNS = ROOT / "data/raw/returns/thurrock/2014-15-Q2"


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
    run_settings = settings(warehouse=str(tmp_path / "w.duckdb"), returns_dir=str(returns))
    submissions = received_returns(run_settings, demo_reference)
    assert [s.status for s in submissions].count("rejected") == 1

    plan = pipeline.compute_run(
        run_settings,
        parse_quarter("2014-15-Q2"),
        submissions,
        demo_reference,
        datetime.now(UTC),
        board_slug="thurrock",
    )

    [thurrock] = plan.summary.boards
    assert (thurrock.outcome, thurrock.rejected, thurrock.publishes) == ("complete", [], True)
    # The run names the file it rejected, so it is not complete as a whole ...
    assert plan.summary.outcome == "incomplete"
    assert len(plan.run_record["submissions_rejected"]) == 1
    # ... and its record is consistent: the checkpoint passes and the figures are committed.
    quality = pipeline.check_run(plan, tmp_path / "docs")
    assert quality.success, quality.failed
