"""The run with case-level lists: measures derived from the lists replace the aggregate ones,
the figures stay the same, and no key means no run."""

from __future__ import annotations

import re
import shutil
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb

from lscb_metrics.boards import Boards
from lscb_metrics.cases import pseudonymise
from lscb_metrics.cli import main
from lscb_metrics.config import settings
from lscb_metrics.periods import FIRST_YEAR, Quarter, parse_quarter
from lscb_metrics.pipeline import compute_run, derive_cases
from tests.stages import received_returns

ROOT = Path(__file__).resolve().parents[3]
CASES = ROOT / "data/raw/cases"
RETURNS = ROOT / "data/raw/returns"
KEY = "a test key that is long enough to be a real pseudonymisation key"


def test_case_lists_feed_the_same_figures(tmp_path, monkeypatch, demo_reference):
    monkeypatch.setenv("LSCB_PSEUDONYMISATION_KEY", KEY)
    # The aggregate plans returns of every quarter, which the lists must replace, not add to.
    for source in sorted(RETURNS.glob("*/SBC-CSC_cp_plans.xlsx")):
        (tmp_path / "returns" / source.parent.name).mkdir(parents=True)
        shutil.copyfile(source, tmp_path / "returns" / source.parent.name / source.name)
    run_settings = settings(
        warehouse=str(tmp_path / "w.duckdb"),
        returns_dir=str(tmp_path / "returns"),
        cases_dir=str(CASES),
    )
    plan = compute_run(
        run_settings,
        parse_quarter("2014-15-Q2"),
        received_returns(run_settings, demo_reference),
        demo_reference,
        datetime.now(UTC),
        derive_cases(run_settings, demo_reference),
    )
    values = plan.relations["curated.indicator_values"]
    [(plans, sources)] = values.loc[
        values["indicator_id"].eq("cp_plans")
        & values["source_type"].eq("partner_return")
        & values["period_end"].eq(date(2014, 9, 30)),
        ["value", "source"],
    ].itertuples(index=False)
    facts = plan.relations["staged.partner_facts"]
    plan_facts = facts[facts["measure"].eq("cp_plans_at_end")]
    from_cases = int(plan_facts["source"].str.startswith("southend_").sum())
    # 161 children on a plan at 30 September 2014, now counted from the plans themselves.
    assert plans == 161
    assert "southend_cp_plans.csv" in sources
    # Each quarter's measure comes from the lists alone, never from both paths.
    assert (from_cases, len(plan_facts) - from_cases) == (10, 0)
    assert len(plan.relations["staged.case_cp_plans"]) > 0


def test_case_lists_count_assessments_against_the_boards_own_target(
    monkeypatch, demo_reference
) -> None:
    monkeypatch.setenv("LSCB_PSEUDONYMISATION_KEY", KEY)
    run_settings = settings(cases_dir=str(CASES))
    southend = demo_reference.boards.by_slug["southend"]
    assert southend.target_changes("assessment_working_days", "E06000033")[-1][1] == 40

    def within(target_days: int) -> tuple[int, int]:
        """(within the local target, within 45 days) over every quarter, with the target."""
        days = {"E06000033": ((Quarter(FIRST_YEAR, 1), target_days),)}
        board = replace(southend, local_targets={"assessment_working_days": days})
        boards = Boards({**demo_reference.boards.by_slug, "southend": board})
        facts = derive_cases(run_settings, replace(demo_reference, boards=boards)).facts
        return tuple(  # type: ignore[return-value]
            int(facts.loc[facts["measure"].eq(m), "value"].sum())
            for m in ("assessments_within_local_target", "assessments_within_45_days")
        )

    local_40, statutory = within(40)
    # Some assessments took 41 to 45 working days: within 45, not within 40.
    assert local_40 < statutory
    # A board whose own target is 45 days counts exactly the statutory ones as within it.
    assert within(45) == (statutory, statutory)


def test_no_pseudonymisation_key_no_run(tmp_path, monkeypatch, capsys):
    # as a fresh process: no key taken out of the environment by an earlier run
    monkeypatch.setattr(pseudonymise, "_TAKEN", {})
    monkeypatch.delenv("LSCB_PSEUDONYMISATION_KEY", raising=False)
    monkeypatch.delenv("LSCB_PSEUDONYMISATION_KEY_FILE", raising=False)
    code = main(
        [
            "run",
            "--period",
            "2014-15-Q2",
            "--warehouse",
            str(tmp_path / "w.duckdb"),
            "--cases",
            str(CASES),
        ]
    )
    err = capsys.readouterr().err
    assert code == 2
    assert "LSCB_PSEUDONYMISATION_KEY" in err and "Traceback" not in err
    assert not (tmp_path / "w.duckdb").exists()


def test_a_run_says_how_many_case_lists_it_rejected(
    prefect_server, demo_warehouse, tmp_path, monkeypatch, capsys
):
    monkeypatch.setenv("LSCB_PSEUDONYMISATION_KEY", KEY)
    warehouse = tmp_path / "w.duckdb"
    shutil.copyfile(demo_warehouse, warehouse)
    shutil.copytree(RETURNS / "2014-15-Q2", tmp_path / "returns" / "2014-15-Q2")
    cases = tmp_path / "cases"
    shutil.copytree(CASES, cases)
    # The demo's four lists, and a file that is no list: a partner's notes on a child.
    (cases / "notes.csv").write_text("child_id,comment\nSOU-1,seen at school\n")
    argv = ["run", "--period", "2014-15-Q2", "--warehouse", str(warehouse)]
    code = main([*argv, "--returns", str(tmp_path / "returns"), "--cases", str(cases)])
    out = capsys.readouterr().out
    assert code == 0
    detail = "5 lists: 4 accepted, 1 rejected; 1 errors, 0 warnings in audit.case_failures"
    assert re.search(rf"^cases +{re.escape(detail)} \(\d+\.\d s\)$", out, re.M), out
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        rows = connection.sql("SELECT file, code FROM audit.case_failures").fetchall()
    assert rows == [("notes.csv", "CAS-002")]
