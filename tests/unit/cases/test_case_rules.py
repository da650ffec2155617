"""Case-list rules: for every registered CAS code, a list that passes it and one that fails it.

The return rules have theirs in tests/unit/returns/test_validate.py; between them every code in
the one registry (tests/unit/intake/test_rules.py) is proved both ways.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from case_lists import codes, derive, write_csv

from lscb_metrics.intake.failures import MAX_LISTED_PER_RULE
from lscb_metrics.intake.rules import CASE_LIST_RULES, CASE_NOT_A_FILE

REFERRAL = ["child_id", "date_of_birth", "referral_date", "referral_source", "referral_outcome"]
COVERED = ["la_code", "period_start", "period_end", *REFERRAL]
PLAN = ["child_id", "plan_start_date", "plan_end_date", "abuse_category", "subsequent_plan"]


def referral(child: str = "SOU-1", day: str = "2014-07-01", source: str = "police") -> list[str]:
    return [child, "2009-05-17", day, source, "assessment"]


def plan(child: str, start: str, end: str = "", flag: str = "yes") -> list[str]:
    return [child, start, end, "NEG", flag]


#: Writes the files of one side of a case into the folder: the valid side when `broken` is
#: False, the side that breaks the rule when it is True.
Files = Callable[[Path, bool], list[Path]]


@dataclass(frozen=True)
class Case:
    """A pair of case lists that differ only in what breaks one rule."""

    code: str
    files: Files
    clean: bool = True  # whether the valid side has no failures at all


Table = tuple[list[str], list[list[str]]]


def either(valid: Table, broken: Table) -> Files:
    """One CSV list: the `valid` or the `broken` header and rows."""
    return lambda folder, bad: [write_csv(folder / "r.csv", *(broken if bad else valid))]


def one_list(header: list[str], valid: list[list[str]], broken: list[list[str]]) -> Files:
    """One CSV list under `header`, its rows `valid` or `broken`."""
    return either((header, valid), (header, broken))


#: A valid referral list.
REFERRALS: Table = (REFERRAL, [referral()])


def not_a_list(folder: Path, bad: bool) -> list[Path]:
    """A PDF in place of a list, or a valid list."""
    if not bad:
        return [write_csv(folder / "r.csv", REFERRAL, [referral()])]
    path = folder / "r.pdf"
    path.write_bytes(b"%PDF-1.4")
    return [path]


def same_quarters(folder: Path, bad: bool) -> list[Path]:
    """Two lists of one authority, for the same quarters or for different ones."""
    first = write_csv(folder / "a.csv", REFERRAL, [referral()])
    period = ["2014-04-01", "2014-09-30"] if bad else ["2014-10-01", "2014-12-31"]
    day = "2014-07-02" if bad else "2014-10-02"
    second = write_csv(folder / "b.csv", COVERED, [["E06000033", *period, *referral("SOU-2", day)]])
    return [first, second]


def many_bad_dates(folder: Path, bad: bool) -> list[Path]:
    """A list with more bad dates than are listed, or exactly as many."""
    count = MAX_LISTED_PER_RULE + (5 if bad else 0)
    rows = [referral(f"SOU-{n}", day="never") for n in range(count)]
    return [write_csv(folder / "r.csv", REFERRAL, rows)]


Q1_Q2 = ("2014-04-01", "2014-09-30")
Q1 = ("2014-04-01", "2014-06-30")
#: A row's authority and (period start, period end).
Cover = tuple[str, tuple[str, str]]


def covers(valid: list[Cover], broken: list[Cover]) -> Files:
    """One list whose rows (a child each) give their own authority and period: `valid`, or
    `broken`, as (authority, (period start, period end))."""

    def rows(covers: list[Cover]) -> list[list[str]]:
        return [[la, *period, *referral(f"SOU-{n}")] for n, (la, period) in enumerate(covers)]

    return one_list(COVERED, rows(valid), rows(broken))


CASES = [
    Case("CAS-001", not_a_list),
    Case("CAS-002", either(REFERRALS, (["colour", "shape"], [["red", "round"]]))),
    Case(
        "CAS-003",
        either(
            REFERRALS,
            (["child_id", "referral_date", "referral_source"], [["SOU-1", "2014-07-01", "police"]]),
        ),
    ),
    Case(
        "CAS-004",
        either(REFERRALS, ([*REFERRAL, "Referral date"], [[*referral(), "2014-07-01"]])),
    ),
    Case("CAS-005", either(REFERRALS, ([*REFERRAL, "Surname"], [[*referral(), "Smith"]]))),
    Case("CAS-006", either(REFERRALS, ([*REFERRAL, "notes"], [[*referral(), "x"]]))),
    Case("CAS-007", one_list(REFERRAL, [referral()], [])),
    Case("CAS-010", one_list(REFERRAL, [referral()], [referral("")])),
    Case("CAS-011", one_list(REFERRAL, [referral()], [referral(day="32/07/2014")])),
    Case("CAS-012", one_list(REFERRAL, [referral()], [referral(source="Planty")])),
    Case(
        "CAS-013",
        one_list(PLAN, [plan("SOU-1", "2014-07-01")], [plan("SOU-1", "2014-07-01", flag="often")]),
    ),
    Case(
        "CAS-014",
        one_list([*REFERRAL, "age"], [[*referral(), "5"]], [[*referral(), "30"]]),
    ),
    Case("CAS-015", covers([("E06000033", Q1_Q2)], [("E09999999", Q1_Q2)])),
    Case("CAS-016", covers([("882", Q1_Q2)], [("882", ("2014-04-02", "2014-09-30"))])),
    Case("CAS-017", covers([("882", Q1_Q2)] * 2, [("882", Q1_Q2), ("882", Q1)])),
    Case(
        "CAS-018",
        one_list(
            REFERRAL,
            [referral(), referral("SOU-2")],
            [referral(), referral("SOU-2"), referral()],
        ),
    ),
    Case(
        "CAS-019",
        one_list(
            PLAN,
            [plan("SOU-1", "2014-04-10", "2014-05-01", "no"), plan("SOU-1", "2014-07-01")],
            [plan("SOU-1", "2014-05-01", "2014-08-01", "no"), plan("SOU-1", "2014-07-01")],
        ),
    ),
    Case("CAS-020", same_quarters),
    Case("CAS-021", many_bad_dates, clean=False),
]


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.code)
def test_case_rule_passes_on_the_valid_list(case: Case, tmp_path: Path) -> None:
    result = derive(case.files(tmp_path, False))
    assert case.code not in codes(result)
    if case.clean:
        assert result.failures == [], [f.message for f in result.failures]


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.code)
def test_case_rule_fails_on_the_broken_list(case: Case, tmp_path: Path) -> None:
    result = derive(case.files(tmp_path, True))
    assert case.code in codes(result), [f.message for f in result.failures]


def test_every_case_list_rule_code_has_a_passing_and_a_failing_case() -> None:
    # CAS-022 is found by the walk of the cases folder: tests/integration/test_hostile_folders.py
    walked = {CASE_NOT_A_FILE.code}
    assert [case.code for case in CASES] == [
        rule.code for rule in CASE_LIST_RULES if rule.code not in walked
    ]
