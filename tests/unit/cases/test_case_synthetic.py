"""The seeded synthetic national lists: valid, reproducible, and in England's proportions."""

from __future__ import annotations

from pathlib import Path

from lscb_metrics.cases import derive_case_facts
from lscb_metrics.cases.synthetic import synthetic_la_lookup, write_case_lists

SCHEMAS = Path(__file__).parents[3] / "schemas"


def test_synthetic_lists_are_valid_and_reproducible(tmp_path: Path) -> None:
    paths = write_case_lists(tmp_path / "a", years=2, authorities=2, scale=0.1)
    again = write_case_lists(tmp_path / "b", years=2, authorities=2, scale=0.1)
    assert [p.read_bytes() for p in paths] == [p.read_bytes() for p in again]
    assert len(paths) == 8 and "E99000001" in paths[0].name
    result = derive_case_facts(paths, SCHEMAS, synthetic_la_lookup(2), b"s" * 32, {})
    assert result.failures == []
    totals = result.facts.groupby("measure")["value"].sum()
    per_year = totals / 2 / 2 / 0.1  # per authority at scale 1: England / 150
    assert 4000 < per_year["referrals"] < 4700  # 650,000 / 150
    assert 3600 < per_year["assessments_completed"] < 4300  # 600,000 / 150
    assert 0.15 < totals["rereferrals_within_12_months"] / totals["referrals"] < 0.3
    assert 0.85 < totals["assessments_within_45_days"] / totals["assessments_completed"] < 0.97
