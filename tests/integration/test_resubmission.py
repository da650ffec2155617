"""A corrected return supersedes the earlier one; both stay on record."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import openpyxl

from lscb_metrics.config import settings
from lscb_metrics.periods import parse_quarter
from lscb_metrics.pipeline import run_without_orchestration

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "data/raw/returns"
CORPUS = ROOT / "tests/corpus"


def test_a_later_corrected_return_supersedes_the_first(tmp_path):
    returns = tmp_path / "returns"
    shutil.copytree(DEMO, returns)
    # A bad file arrives with the first run, and is taken out of the returns folder afterwards.
    bad = shutil.copy(CORPUS / "fractional_count.csv", returns / "fractional_count.csv")
    run_settings = settings(warehouse=str(tmp_path / "w.duckdb"), returns_dir=str(returns))
    quarter = parse_quarter("2014-15-Q2")
    run_without_orchestration(run_settings, quarter)

    # The council corrects its September plans: 165 children, not 161 (neglect 4 more).
    corrected = returns / "2014-15-Q2" / "SBC-CSC_cp_plans_v2.xlsx"
    shutil.copyfile(returns / "2014-15-Q2" / "SBC-CSC_cp_plans.xlsx", corrected)
    book = openpyxl.load_workbook(corrected)
    data = book["Data"]
    headers = [cell.value for cell in data[1]]
    for title in ("Children on a plan at period end", "Plans at period end: neglect"):
        cell = data.cell(row=2, column=headers.index(title) + 1)
        cell.value += 4
    # ... and slips: plans started typed ten times over. Questioned, but not blocked.
    starts = data.cell(row=2, column=headers.index("Plans started in the period") + 1)
    starts.value *= 10
    book.save(corrected)
    Path(bad).unlink()
    summary = run_without_orchestration(run_settings, quarter)
    # The bad file has gone from the folder: the run is not held back by it, nor is quality.
    assert summary.quality.success, summary.quality.failed

    with duckdb.connect(str(run_settings.warehouse), read_only=True) as connection:
        versions = connection.execute(
            "SELECT file_name, version, status FROM audit.submissions WHERE return_type = "
            "'cp_plans' AND period_end = DATE '2014-09-30' ORDER BY version"
        ).fetchall()
        [(rejected_status,)] = connection.execute(
            "SELECT status FROM audit.submissions WHERE file_name = 'fractional_count.csv'"
        ).fetchall()
        warnings = connection.execute(
            "SELECT f.code, f.location FROM audit.validation_failures f JOIN audit.submissions "
            "USING (submission_id) WHERE file_name = 'SBC-CSC_cp_plans_v2.xlsx'"
        ).fetchall()
        [(plans,)] = connection.execute(
            "SELECT value FROM curated.indicator_values WHERE indicator_id = 'cp_plans' "
            "AND source_type = 'partner_return' AND period_end = DATE '2014-09-30'"
        ).fetchall()
    assert versions == [
        ("SBC-CSC_cp_plans.xlsx", 1, "superseded"),
        ("SBC-CSC_cp_plans_v2.xlsx", 2, "accepted"),
    ]
    assert plans == 165
    # Still on record, though no longer in the returns folder.
    assert rejected_status == "rejected"
    assert ("RNG-001", "Data!H2") in warnings
    report = (tmp_path / "store").glob("*/SBC-CSC_cp_plans_v2.xlsx")
    assert "RNG-001" in (next(report).parent / "validation_report.html").read_text()
