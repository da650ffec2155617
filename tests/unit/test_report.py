"""The run summary's line for a rejected file: what went wrong first and where its report is."""

from __future__ import annotations

from datetime import UTC, datetime

from lscb_metrics.intake.failures import Failure
from lscb_metrics.report import rejection_line
from lscb_metrics.submissions import Submission


def test_a_rejected_file_names_its_first_error_and_its_report() -> None:
    warning = Failure("VAL-010", "warning", "Data!B4", "b", "7", "unusual")
    errors = [
        Failure("COV-003", "error", "Cover!C7", "agency_code", "X", "not a known agency"),
        Failure("VAL-001", "error", "Data!C4", "c", "-1", "negative"),
    ]
    kept = "/data/quarantine/S-1/returns.xlsx"
    submission = Submission(
        "S-1",
        "cornwall/returns.xlsx",
        "0" * 64,
        1,
        datetime.now(UTC),
        failures=[warning, *errors],
        archived_path=kept,
    )
    assert rejection_line(submission) == (
        "cornwall/returns.xlsx (2 errors, first COV-003 at Cover!C7); "
        "report: /data/quarantine/S-1/validation_report.html"
    )


def test_a_file_not_kept_has_no_report_to_name() -> None:
    submission = Submission("S-2", "gone.xlsx", "0" * 64, 1, datetime.now(UTC))
    assert rejection_line(submission) == "gone.xlsx (0 errors)"
