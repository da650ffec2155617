"""Loading and checking the return, cover and agency declarations in schemas/."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from lscb_metrics.intake.declarations import SpecError, label_key
from lscb_metrics.returns import (
    Agency,
    ReturnSpec,
    load_cover_fields,
    load_return_specs,
)
from lscb_metrics.returns.spec import agency_named, return_spec_named

from .conftest import SCHEMAS


def test_real_declarations_load(specs: dict[str, ReturnSpec], agencies: dict[str, Agency]) -> None:
    assert set(specs) == {
        "assessments",
        "casework",
        "child_deaths",
        "cp_plans",
        "injury_admissions",
        "private_fostering",
        "referrals",
        "road_injuries",
        "training",
    }
    assert len(agencies) == 14
    assert agencies["SUH"].returns == ("training", "injury_admissions")
    assert [f.name for f in load_cover_fields(SCHEMAS)] == [
        "return_type",
        "agency_code",
        "la_code",
        "period_start",
        "period_end",
    ]


def test_training_declaration(specs: dict[str, ReturnSpec]) -> None:
    training = specs["training"]
    assert training.breakdown == "agency"
    assert training.row_key == ("training_level",)
    level = training.column("training_level")
    assert (level.type, level.allowed[0], level.aggregation) == ("code", "level_1", None)
    assert [c.name for c in training.measure_columns] == [
        "staff_requiring_training",
        "staff_trained_in_date",
    ]
    assert [c.aggregation for c in training.measure_columns] == ["snapshot", "snapshot"]
    [check] = training.checks
    assert (check.code, check.columns) == (
        "TRN-X01",
        ("staff_trained_in_date", "staff_requiring_training"),
    )


def test_integer_column_and_defaults(specs: dict[str, ReturnSpec]) -> None:
    target = specs["assessments"].column("local_target_days")
    assert (target.type, target.minimum, target.maximum, target.aggregation) == (
        "integer",
        1,
        45,
        None,
    )
    assert specs["referrals"].breakdown == "total"
    assert "local_target_days" not in [c.name for c in specs["assessments"].measure_columns]


def test_header_index_covers_names_titles_and_aliases(specs: dict[str, ReturnSpec]) -> None:
    index = specs["referrals"].header_index
    assert index[label_key("Re-referrals")] == "rereferrals_within_12_months"
    assert index[label_key("Referrals received")] == "referrals"
    assert index[label_key("referrals")] == "referrals"


def test_matching_names(specs: dict[str, ReturnSpec], agencies: dict[str, Agency]) -> None:
    assert return_spec_named(specs, "Child protection plans").return_type == "cp_plans"
    assert return_spec_named(specs, "CP_PLANS").return_type == "cp_plans"
    assert return_spec_named(specs, "") is None
    assert agency_named(agencies, "essex police").code == "ESSEX-POLICE"
    assert agency_named(agencies, "sbc csc").code == "SBC-CSC"
    assert agency_named(agencies, "nobody") is None


def _column(name: str) -> Callable[[dict], dict]:
    return lambda doc: next(c for c in doc["columns"] if c["name"] == name)


POLICE = _column("referrals_source_police")
REFERRALS = "returns/referrals.yaml"


@pytest.mark.parametrize(
    ("file", "change", "phrase"),
    [
        (REFERRALS, lambda d: POLICE(d).update(type="number"), "unknown type 'number'"),
        (REFERRALS, lambda d: POLICE(d).update(name="referrals"), "duplicate column name"),
        (REFERRALS, lambda d: POLICE(d).update(aliases=["re referrals"]), "matches"),
        (REFERRALS, lambda d: POLICE(d).update(aliases=["agency"]), "cover field agency_code"),
        (REFERRALS, lambda d: POLICE(d).update(agregation="flow"), "unknown key(s) agregation"),
        (REFERRALS, lambda d: POLICE(d).update(aggregation="sum"), "unknown aggregation"),
        (REFERRALS, lambda d: POLICE(d).update(min=0), "min and max apply only to integer"),
        (REFERRALS, lambda d: POLICE(d).update(allowed=["a"]), "needs `allowed` codes"),
        (REFERRALS, lambda d: d.update(row_key=["nope"]), "row_key refers to unknown column"),
        (REFERRALS, lambda d: d.update(breakdown="month"), "breakdown 'month'"),
        (REFERRALS, lambda d: d.pop("title"), "lacks title"),
        (
            REFERRALS,
            lambda d: d["checks"][0].update(rule="rereferrals <= referrals"),
            "refers to unknown column 'rereferrals'",
        ),
        (
            REFERRALS,
            lambda d: d["checks"][0].update(rule="__import__('os') == referrals"),
            "may use only columns",
        ),
        (REFERRALS, lambda d: d["checks"][0].update(rule="referrals"), "must compare"),
        (REFERRALS, lambda d: d["checks"][0].update(rule="referrals <="), "not an expression"),
        (REFERRALS, lambda d: d["checks"][0].update(code="VAL-001"), "must look like REF-X01"),
        (REFERRALS, lambda d: d["checks"][1].update(code="REF-X01"), "duplicate check code"),
        (
            "returns/training.yaml",
            lambda d: d["checks"][0].update(rule="training_level <= staff_trained_in_date"),
            "refers to unknown column 'training_level'",
        ),
        ("returns/training.yaml", lambda d: d["checks"][0].update(code="REF-X01"), "also used in"),
        ("cover.yaml", lambda d: d["fields"][0].update(type="text"), "unknown type 'text'"),
        ("cover.yaml", lambda d: d["fields"][1].update(aliases=["return"]), "matches"),
    ],
)
def test_malformed_return_declarations_name_the_file(
    schemas: Path,
    file: str,
    change: Callable[[dict], None],
    phrase: str,
    edit_declaration: Callable,
) -> None:
    edit_declaration(schemas / file, change)
    with pytest.raises(SpecError) as raised:
        load_return_specs(schemas)
    assert str(raised.value).startswith(f"{schemas / file}: ")
    assert phrase in str(raised.value)


def test_invalid_yaml_and_missing_files_name_the_file(schemas: Path) -> None:
    (schemas / "returns" / "referrals.yaml").write_text("columns: [unclosed", encoding="utf-8")
    with pytest.raises(SpecError, match=r"referrals\.yaml: not valid YAML"):
        load_return_specs(schemas)
    (schemas / "cover.yaml").unlink()
    with pytest.raises(SpecError, match=r"cover\.yaml: file not found"):
        load_cover_fields(schemas)
