"""A corrected return supersedes the earlier one; both stay on record (stage level: ingest and
compute, with the first round committed as the warehouse adapter commits it)."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

import openpyxl

from lscb_metrics import pipeline, warehouse
from lscb_metrics.config import settings
from lscb_metrics.layout import declared_layout
from lscb_metrics.periods import parse_quarter
from tests.stages import received_returns

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "data/raw/returns"
CORPUS = ROOT / "tests/corpus"
PLANS = "SBC-CSC_cp_plans.xlsx"


def test_a_later_corrected_return_supersedes_the_first(tmp_path, demo_reference):
    returns = tmp_path / "returns"
    # The council's plans returns for every quarter (the earlier ones set the usual range).
    for source in sorted(DEMO.glob(f"*/{PLANS}")):
        (returns / source.parent.name).mkdir(parents=True)
        shutil.copyfile(source, returns / source.parent.name / PLANS)
    # A bad file arrives with the first run, and is taken out of the returns folder afterwards.
    bad = shutil.copy(CORPUS / "fractional_count.csv", returns / "fractional_count.csv")
    run_settings = settings(warehouse=str(tmp_path / "w.duckdb"), returns_dir=str(returns))
    quarter = parse_quarter("2014-15-Q2")
    started = datetime.now(UTC)
    first = pipeline.compute_run(
        run_settings,
        quarter,
        received_returns(run_settings, demo_reference),
        demo_reference,
        started,
    )
    layout = declared_layout(run_settings.warehouse_declaration)
    with warehouse.staged_run(run_settings.warehouse, first.relations, {}, layout) as staged:
        staged.commit(first.run_record)

    # The council corrects its September plans: 165 children, not 161 (neglect 4 more).
    corrected = returns / "2014-15-Q2" / "SBC-CSC_cp_plans_v2.xlsx"
    shutil.copyfile(returns / "2014-15-Q2" / PLANS, corrected)
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
    second = pipeline.compute_run(
        run_settings,
        quarter,
        received_returns(run_settings, demo_reference),
        demo_reference,
        started,
    )

    submissions = second.relations["audit.submissions"]
    versions = submissions[
        submissions["return_type"].eq("cp_plans")
        & (submissions["period_end"].astype(str) == "2014-09-30")
    ].sort_values("version")
    assert list(
        zip(versions["file_name"], versions["version"], versions["status"], strict=True)
    ) == [
        (PLANS, 1, "superseded"),
        ("SBC-CSC_cp_plans_v2.xlsx", 2, "accepted"),
    ]
    values = second.relations["curated.indicator_values"]
    [plans] = values.loc[
        values["indicator_id"].eq("cp_plans")
        & values["source_type"].eq("partner_return")
        & (values["period_end"].astype(str) == "2014-09-30"),
        "value",
    ]
    assert plans == 165
    # Still on record, though no longer in the returns folder.
    [rejected_status] = submissions.loc[
        submissions["file_name"].eq("fractional_count.csv"), "status"
    ]
    assert rejected_status == "rejected"
    failures = second.relations["audit.validation_failures"]
    v2 = set(versions.loc[versions["version"].eq(2), "submission_id"])
    warnings = failures[failures["submission_id"].isin(v2)]
    assert ("RNG-001", "Data!H2") in set(zip(warnings["code"], warnings["location"], strict=True))
    report = (tmp_path / "store").glob("*/SBC-CSC_cp_plans_v2.xlsx")
    assert "RNG-001" in (next(report).parent / "validation_report.html").read_text()
