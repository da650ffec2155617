"""A validated return as facts in the canonical layout."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from lscb_metrics.facts import FACT_COLUMNS
from lscb_metrics.returns import ReturnSpec, ValidationResult, return_facts

from .conftest import ReturnTable

Validate = Callable[..., ValidationResult]
Write = Callable[[ReturnTable, str], Path]
PROVENANCE = {"submission_id": "sub-1", "source": "return.xlsx", "sha256": "ab" * 32}


def test_one_fact_per_measure_of_a_single_row_return(
    write: Write, validate: Validate, specs: dict[str, ReturnSpec], referrals: ReturnTable
) -> None:
    result = validate(write(referrals, "xlsx"))
    facts = return_facts(result, specs["referrals"], **PROVENANCE)
    assert tuple(facts.columns) == FACT_COLUMNS
    assert facts["measure"].tolist() == list(specs["referrals"].column_names)
    assert dict(zip(facts["measure"], facts["value"], strict=True))["referrals"] == 100.0
    assert facts["value"].dtype == "float64"
    first = facts.iloc[0]
    assert (first.area_code, first.area_name, first.region_code) == (
        "E06000033",
        "Southend-on-Sea",
        "E12000006",
    )
    assert (first.geographic_level, first.breakdown, first.time_period) == (
        "Local authority",
        "Total",
        "2014-15 Q2",
    )
    assert (first.period_start, first.period_end) == (date(2014, 7, 1), date(2014, 9, 30))
    assert (first.source_type, first.source, first.submission_id, first.source_sha256) == (
        "partner_return",
        "return.xlsx",
        "sub-1",
        "ab" * 32,
    )
    assert first.symbol is None


def test_training_facts_are_summed_over_levels_and_broken_down_by_agency(
    write: Write, validate: Validate, specs: dict[str, ReturnSpec], training: ReturnTable
) -> None:
    result = validate(write(training, "csv"))
    facts = return_facts(result, specs["training"], **PROVENANCE)
    assert dict(zip(facts["measure"], facts["value"], strict=True)) == {
        "staff_requiring_training": 395.0,
        "staff_trained_in_date": 363.0,
    }
    assert set(facts["breakdown"]) == {"SUH"}


def test_measures_exclude_codes_and_settings(
    write: Write, validate: Validate, specs: dict[str, ReturnSpec], assessments: ReturnTable
) -> None:
    facts = return_facts(validate(write(assessments, "csv")), specs["assessments"], **PROVENANCE)
    assert "local_target_days" not in set(facts["measure"])
    assert len(facts) == 3


def test_an_invalid_return_has_no_facts(
    write: Write, validate: Validate, specs: dict[str, ReturnSpec], referrals: ReturnTable
) -> None:
    referrals.set(0, "Referrals received", "N/A")
    with pytest.raises(ValueError, match="only a valid return becomes facts"):
        return_facts(validate(write(referrals, "csv")), specs["referrals"], **PROVENANCE)


def test_facts_need_the_declaration_of_the_return(
    write: Write, validate: Validate, specs: dict[str, ReturnSpec], referrals: ReturnTable
) -> None:
    result = validate(write(referrals, "csv"))
    with pytest.raises(ValueError, match="a referrals return is not training"):
        return_facts(result, specs["training"], **PROVENANCE)
