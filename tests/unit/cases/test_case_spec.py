"""The case list declarations in schemas/cases, and what a malformed one is refused for."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from case_lists import SCHEMAS

from lscb_metrics.cases.derive import MEASURES
from lscb_metrics.cases.spec import load_case_specs
from lscb_metrics.intake.declarations import SpecError


def test_the_four_lists_are_declared() -> None:
    specs = load_case_specs(SCHEMAS)
    assert set(specs) == set(MEASURES) == {
        "referrals", "assessments", "section_47_enquiries", "cp_plans",
    }  # fmt: skip
    referrals = specs["referrals"]
    assert referrals.column_names[:3] == ("la_code", "period_start", "period_end")
    assert referrals.key_date == "referral_date"
    assert referrals.column("referral_source").code_index["6"] == "police"
    assert [c.code for c in referrals.checks] == ["CAS-X01"]
    assert specs["cp_plans"].event_dates == ("plan_start_date", "plan_end_date")


@pytest.fixture
def schemas(tmp_path: Path) -> Path:
    """A copy of the declarations to spoil."""
    copy = tmp_path / "schemas"
    shutil.copytree(SCHEMAS / "cases", copy / "cases")
    return copy


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("type: child_id, required: true", "type: text, required: true", "unknown type 'text'"),
        ("aliases: [dob,", "aliases: [child name, dob,", "looks identifying"),
        ("row_key: [child_id, referral_date]", "row_key: [referral_date]", "row_key must be"),
        ("rule: referral_date <= period_end", "rule: date_of_birth <= period_end", "not a date"),
        ("rule: referral_date <= period_end", "rule: referral_date + 1", "must compare columns"),
        ("code: CAS-X01", "code: REF-X01", "must look like CAS-X01"),
        ("{code: police,", "{code: Police!,", "lower_snake_case"),
    ],
)
def test_malformed_declarations_are_refused(
    schemas: Path, old: str, new: str, message: str
) -> None:
    path = schemas / "cases" / "referrals.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(SpecError, match=message):
        load_case_specs(schemas)


def test_a_check_code_used_twice_is_refused(schemas: Path) -> None:
    path = schemas / "cases" / "section_47_enquiries.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("CAS-X05", "CAS-X01"), encoding="utf-8"
    )
    with pytest.raises(SpecError, match="also used"):
        load_case_specs(schemas)
