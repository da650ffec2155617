"""The one rule registry: every code declared once, each with a severity and a message."""

from __future__ import annotations

import re
import string

import pytest

from lscb_metrics.intake.rules import (
    CASE_LIST_RULES,
    LOCAL_RECORD_RULES,
    RETURN_RULES,
    RULES,
    Rule,
    rule_registry,
)


def test_the_registry_holds_every_return_case_list_and_local_record_rule_once() -> None:
    # tests/unit/returns/test_validate.py, tests/unit/cases/test_case_rules.py and
    # tests/unit/test_local_records.py each prove one of these families both ways, so together
    # they cover every registered code.
    families = (*RETURN_RULES, *CASE_LIST_RULES, *LOCAL_RECORD_RULES)
    codes = [rule.code for rule in families]
    assert len(codes) == len(set(codes)) == len(RULES)
    assert set(codes) == set(RULES)
    assert all(RULES[rule.code] is rule for rule in families)


def test_case_list_codes_are_cas_and_return_codes_are_not() -> None:
    assert all(rule.code.startswith("CAS-") for rule in CASE_LIST_RULES)
    assert not any(rule.code.startswith("CAS-") for rule in RETURN_RULES)
    assert all(rule.code.startswith("LOC-") for rule in LOCAL_RECORD_RULES)


@pytest.mark.parametrize("rule", list(RULES.values()), ids=lambda rule: rule.code)
def test_every_rule_is_stable_and_readable(rule: Rule) -> None:
    assert re.fullmatch(r"[A-Z]{3}-\d{3}", rule.code)
    assert rule.severity in ("error", "warning")
    assert rule.summary.endswith(".") and rule.template.strip()
    fields = [name for _, name, _, _ in string.Formatter().parse(rule.template) if name]
    assert all(name.isidentifier() for name in fields)


def test_case_list_templates_never_take_a_cells_text() -> None:
    # A case list holds personal data: `value` is what a return's templates quote from a cell,
    # and `label` a header, which in a list without a header row is a child's name or address.
    for rule in CASE_LIST_RULES:
        fields = {name for _, name, _, _ in string.Formatter().parse(rule.template) if name}
        assert not fields & {"value", "label"}, rule.code


def test_a_code_declared_twice_is_refused() -> None:
    first = Rule("ABC-001", "error", "One.", "one")
    with pytest.raises(ValueError, match="ABC-001 is declared twice"):
        rule_registry([first, Rule("ABC-001", "warning", "Two.", "two")])
