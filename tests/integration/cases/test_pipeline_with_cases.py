"""The run with case-level lists: measures derived from the lists replace the aggregate ones,
the figures stay the same, and no key means no run."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb

from lscb_metrics.cli import main
from lscb_metrics.config import settings
from lscb_metrics.periods import parse_quarter
from lscb_metrics.pipeline import run_without_orchestration

CASES = Path(__file__).resolve().parents[3] / "data/raw/cases"
KEY = "a test key that is long enough to be a real pseudonymisation key"


def test_case_lists_feed_the_same_figures(tmp_path, monkeypatch):
    monkeypatch.setenv("LSCB_PSEUDONYMISATION_KEY", KEY)
    warehouse = tmp_path / "w.duckdb"
    run_without_orchestration(
        settings(warehouse=str(warehouse), cases_dir=str(CASES)), parse_quarter("2014-15-Q2")
    )
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        [(plans, sources)] = connection.execute(
            "SELECT value, source FROM curated.indicator_values WHERE indicator_id = 'cp_plans' "
            "AND source_type = 'partner_return' AND period_end = ?",
            [date(2014, 9, 30)],
        ).fetchall()
        [(from_cases, from_returns)] = connection.execute(
            "SELECT count(*) FILTER (source LIKE 'southend_%'), "
            "count(*) FILTER (source NOT LIKE 'southend_%') FROM staged.partner_facts "
            "WHERE measure = 'cp_plans_at_end'"
        ).fetchall()
        [(staged_rows,)] = connection.execute(
            "SELECT count(*) FROM staged.case_cp_plans"
        ).fetchall()
    # 161 children on a plan at 30 September 2014, now counted from the plans themselves.
    assert plans == 161
    assert "southend_cp_plans.csv" in sources
    # Each quarter's measure comes from the lists alone, never from both paths.
    assert (from_cases, from_returns) == (10, 0)
    assert staged_rows > 0


def test_no_pseudonymisation_key_no_run(tmp_path, monkeypatch, capsys):
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
