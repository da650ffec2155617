"""Validating case lists: every failure located by file, row and column, with its stable code,
naming children by pseudonym only and never repeating what a cell holds."""

from __future__ import annotations

from pathlib import Path

import pytest
from case_lists import COVER_HEADER, KEY, codes, derive, write_csv, write_xlsx

from lscb_metrics.cases import pseudonym
from lscb_metrics.intake.failures import MAX_LISTED_PER_RULE

REFERRAL = ["child_id", "date_of_birth", "referral_date", "referral_source", "referral_outcome"]


def referral(child: str = "SOU-1", day: str = "2014-07-01", source: str = "police") -> list[str]:
    return [child, "2009-05-17", day, source, "assessment"]


def only(result, code: str):
    """The one failure with `code`."""
    found = [f for f in result.failures if f.code == code]
    assert len(found) == 1, [f.message for f in result.failures]
    return found[0]


def test_a_valid_list_has_no_failures_and_gives_facts(tmp_path: Path) -> None:
    result = derive([write_csv(tmp_path / "r.csv", REFERRAL, [referral()])])
    assert result.failures == []
    assert list(result.lists["status"]) == ["accepted"]
    assert set(result.facts["time_period"]) == {"2014-15 Q1", "2014-15 Q2"}


def test_bad_cells_are_located_by_row_and_column_naming_the_pseudonym(tmp_path: Path) -> None:
    rows = [
        referral("SOU-1"),
        referral("SOU-2", day="32/07/2014"),  # row 3: not a date
        referral("SOU-3", source="Planty"),  # row 4: not a source code
        referral("", day="2014-07-02"),  # row 5: no child
    ]
    result = derive([write_csv(tmp_path / "r.csv", REFERRAL, rows)])
    assert codes(result) == ["CAS-011", "CAS-012", "CAS-010"]
    date_failure = only(result, "CAS-011")
    assert date_failure.location == "row 3, column 6"
    assert date_failure.child == pseudonym(KEY, "SOU-2")
    assert "SOU-2" not in date_failure.message and "32/07" not in date_failure.message
    assert date_failure.message.startswith(
        f"r.csv, row 3, column 6 (child {pseudonym(KEY, 'SOU-2')}): "
    )
    code_failure = only(result, "CAS-012")
    assert (
        "Planty" not in code_failure.message and "police, schools, health" in code_failure.message
    )
    assert only(result, "CAS-010").location == "row 5, column 4"
    assert list(result.lists["status"]) == ["rejected"]
    assert result.facts.empty


def test_a_workbook_is_located_by_cell(tmp_path: Path) -> None:
    rows = [referral(), referral("SOU-2", day="soon")]
    result = derive([write_xlsx(tmp_path / "r.xlsx", REFERRAL, rows)])
    assert only(result, "CAS-011").location == "Data!F3"


def test_identifying_columns_are_dropped_with_a_warning_naming_the_position(tmp_path: Path) -> None:
    # the header is never echoed: in a list without a header row it is a child's details
    header = [*REFERRAL, "Surname", "Postcode"]
    result = derive([write_csv(tmp_path / "r.csv", header, [[*referral(), "Smith", "SS1 1AA"]])])
    assert [f.severity for f in result.failures] == ["warning", "warning"]
    assert "Surname" not in result.failures[0].message and "Smith" not in result.failures[0].message
    assert [f.location for f in result.failures] == ["column 9", "column 10"]
    assert not result.facts.empty  # warnings do not reject the list


def test_header_problems(tmp_path: Path) -> None:
    missing = write_csv(tmp_path / "a.csv", ["child_id", "referral_date", "referral_source"], [])
    doubled = write_csv(tmp_path / "b.csv", [*REFERRAL, "Referral date"], [])
    unknown = write_csv(tmp_path / "c.csv", ["colour", "shape"], [])
    extra = write_csv(tmp_path / "d.csv", [*REFERRAL, "notes"], [[*referral(), "x"]])
    result = derive([missing, doubled, unknown, extra])
    assert codes(result) == ["CAS-003", "CAS-004", "CAS-002", "CAS-006"]
    assert "'Referral outcome'" in result.failures[0].message


def test_the_list_type_comes_from_the_columns_not_the_file_name(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "plans.csv", ["Child ID", "Section 47 start date"], [["SOU-1", "2014-07-01"]]
    )
    result = derive([path])
    assert result.failures == [] and set(result.facts["measure"]) == {"section_47_enquiries"}


def test_authority_and_period_problems(tmp_path: Path) -> None:
    header = ["la_code", "period_start", "period_end", *REFERRAL]
    unknown = write_csv(
        tmp_path / "a.csv",
        header,
        [
            ["E09999999", "2014-04-01", "2014-09-30", *referral(child)]
            for child in ("SOU-1", "SOU-2")
        ],
    )
    not_quarters = write_csv(
        tmp_path / "b.csv", header, [["882", "2014-04-02", "2014-09-30", *referral()]]
    )
    differs = write_csv(
        tmp_path / "c.csv",
        header,
        [
            ["882", "2014-04-01", "2014-09-30", *referral()],
            ["882", "2014-04-01", "2014-06-30", *referral("SOU-2")],
        ],
    )
    result = derive([unknown, not_quarters, differs])
    assert codes(result) == ["CAS-015", "CAS-016", "CAS-017"]
    assert only(result, "CAS-015").message.endswith("(2 rows give it; this is the first.)")
    assert "E09999999" not in only(result, "CAS-015").message
    assert only(result, "CAS-017").location == "row 3"


def test_declared_checks_show_the_dates_they_compare(tmp_path: Path) -> None:
    header = ["child_id", "assessment_start_date", "assessment_authorised_date"]
    rows = [["SOU-1", "2014-07-10", "2014-07-01"], ["SOU-2", "2014-07-10", "2014-10-01"]]
    result = derive([write_csv(tmp_path / "a.csv", header, rows)])
    assert codes(result) == ["CAS-X02", "CAS-X04"]
    assert (
        "(Assessment authorised date: 2014-07-01; Assessment start date: 2014-07-10)"
        in result.failures[0].message
    )
    assert result.failures[1].location == "row 3"


def test_repeated_records_and_overlapping_plans(tmp_path: Path) -> None:
    referrals = write_csv(tmp_path / "r.csv", REFERRAL, [referral(), referral("SOU-2"), referral()])
    header = ["child_id", "plan_start_date", "plan_end_date", "abuse_category"]
    plans = write_csv(
        tmp_path / "p.csv",
        header,
        [["SOU-1", "2014-05-01", "2014-08-01", "NEG"], ["SOU-1", "2014-07-01", "", "EMO"]],
    )
    result = derive([referrals, plans])
    repeat, overlap = only(result, "CAS-018"), only(result, "CAS-019")
    assert repeat.location == "row 4, column 6" and "already on row 2" in repeat.message
    assert overlap.location == "row 3, column 5" and "row 2" in overlap.message


def test_two_lists_for_the_same_quarters_are_both_refused(tmp_path: Path) -> None:
    first = write_csv(tmp_path / "a.csv", REFERRAL, [referral()])
    second = write_csv(tmp_path / "b.csv", REFERRAL, [referral("SOU-2")])
    result = derive([first, second])
    assert codes(result) == ["CAS-020", "CAS-020"]
    assert "2014-15 Q1 to 2014-15 Q2" in result.failures[0].message
    assert result.facts.empty


def test_many_failures_of_one_rule_are_counted_after_the_first_hundred(tmp_path: Path) -> None:
    rows = [referral(f"SOU-{n}", day="never") for n in range(MAX_LISTED_PER_RULE + 5)]
    result = derive([write_csv(tmp_path / "r.csv", REFERRAL, rows)])
    assert codes(result).count("CAS-011") == MAX_LISTED_PER_RULE
    assert "5 more rows fail CAS-011" in only(result, "CAS-021").message


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (
            "la_code,period_start,period_end,child_id,referral_date,referral_source,referral_outcome\n"
            "882,2014-04-01,2014-09-30,SOU-1,2014-07-01,police,nfa,Planty McPlantface\n",
            "at line 2",
        ),
        ("", "first row is blank"),
    ],
)
def test_unreadable_files_quote_nothing_from_them(
    tmp_path: Path, content: str, problem: str
) -> None:
    path = tmp_path / "r.csv"
    path.write_text(content, encoding="utf-8")
    failure = only(derive([path]), "CAS-001")
    assert problem in failure.message and "Planty" not in failure.message


def test_a_file_that_is_not_csv_or_xlsx(tmp_path: Path) -> None:
    path = tmp_path / "r.pdf"
    path.write_bytes(b"%PDF-1.4")
    assert "not '.pdf'" in only(derive([path]), "CAS-001").message


def test_latin_1_text_in_a_dropped_column_does_not_stop_the_list(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    lines = ["la_code,period_start,period_end," + ",".join(REFERRAL) + ",Forename"]
    lines.append("E06000033,2014-04-01,2014-09-30," + ",".join(referral()) + ",Ren\xe9e")
    path.write_bytes(("\n".join(lines) + "\n").encode("cp1252"))
    result = derive([path])
    assert codes(result) == ["CAS-005"] and not result.facts.empty


def test_the_run_says_how_many_lists_were_rejected_and_where_their_problems_are(
    tmp_path: Path,
) -> None:
    from lscb_metrics.progress import cases_detail

    good = write_csv(tmp_path / "good.csv", REFERRAL, [referral()])
    # A file without the columns of any list is not read as one: it counts as a list rejected.
    unread = write_csv(tmp_path / "unread.csv", REFERRAL[:2], [["SOU-2", "2009-05-17"]])
    # A referral dated after its period's end rejects its list (of the next quarter, here).
    late = [["E06000033", "2014-10-01", "2014-12-31", *referral("SOU-3", day="2044-07-01")]]
    future = write_csv(tmp_path / "future.csv", [*COVER_HEADER, *REFERRAL], late)
    result = derive([good, unread, future])
    assert cases_detail(result) == (
        "3 lists: 1 accepted, 2 rejected; 2 errors, 0 warnings in audit.case_failures"
    )
