"""A board's own records: each LOC-* rule passes a valid file and fails its broken twin, and
the facts (totals, shares' denominators, attendance by quarter) and the values computed from
annual records are what the rows say."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from lscb_metrics.catalogue import load_catalogue
from lscb_metrics.compute import indicator_values
from lscb_metrics.config import BOARD_RECORDS, LOCAL_FILES
from lscb_metrics.intake.rules import LOCAL_RECORD_RULES
from lscb_metrics.local_records import (
    attendance_facts,
    attendance_failures,
    board_record_facts,
    board_record_failures,
)
from lscb_metrics.measures import MEASURES_FILE, load_registry

SCHEMAS = Path(__file__).resolve().parents[2] / "schemas"
REGISTRY = load_registry(SCHEMAS / MEASURES_FILE)
AREA = "E06000033"
RECORD_COLUMNS = list(LOCAL_FILES[BOARD_RECORDS])


def records(*rows: tuple[str, ...]) -> pd.DataFrame:
    """board_records.csv rows (year, measure, breakdown, value[, as_at]) as read: text cells."""
    return pd.DataFrame(
        [
            [AREA, year, as_at[0] if as_at else "", measure, breakdown, value, "test", ""]
            for year, measure, breakdown, value, *as_at in rows
        ],
        columns=RECORD_COLUMNS,
    )


def register(*rows: tuple[str, str, str]) -> pd.DataFrame:
    """board_attendance.csv rows (meeting, member, status) as read."""
    return pd.DataFrame(
        [[AREA, *row] for row in rows], columns=["area_code", "meeting", "member", "status"]
    )


VALID_RECORDS = records(
    ("2013-14", "board_contributions", "Council", "300.50"),
    ("2013-14", "board_contributions", "Police", "100"),
    ("2013-14", "s11_standards_assessed", "ECFRS", "36"),
    ("2013-14", "s11_standards_met_or_partly", "ECFRS", "33"),
    ("2013-14", "board_reserves_carried_forward", "", "77434.96"),
    # The population its 2013-14 report quoted: ONS's estimate for mid-2012.
    ("2013-14", "population_all_ages", "", "175284", "2012-06-30"),
)
VALID_REGISTER = register(
    ("2013-11", "Chair", "attended"),
    ("2013-11", "Police", "apologies"),
    ("2014-05", "Chair", "substitute_attended"),
    ("2014-05", "Police", "vacant"),
)

#: One broken twin of the valid files per rule: (code, records or None, register or None).
BROKEN = {
    "LOC-001": (records(("2013-14", "board_contributionz", "Council", "1")), None),
    "LOC-002": (records(("2013-15", "board_contributions", "Council", "1")), None),
    "LOC-003": (records(("2013-14", "board_contributions", "Council", "£1,000")), None),
    "LOC-004": (
        records(
            ("2013-14", "board_contributions", "Council", "1"),
            ("2013-14", "board_contributions", "Council", "2"),
        ),
        None,
    ),
    "LOC-005": (None, register(("Nov 2013", "Chair", "attended"))),
    "LOC-006": (
        records(
            ("2013-14", "s11_standards_assessed", "ECFRS", "36"),
            ("2013-14", "s11_standards_met_or_partly", "ECFRS", "37"),
        ),
        None,
    ),
    "LOC-007": (None, register(("2013-11", "Chair", "present"))),
    "LOC-008": (records(("", "board_contributions", "Council", "1")), None),
    # A 2013-14 record cannot quote a figure from after March 2014.
    "LOC-009": (records(("2013-14", "population_0_4", "", "11641", "2014-06-30")), None),
    "LOC-010": (records(("2013-14", "board_expenditure", "", "96439", "2013-09-30")), None),
    # A name the run summary prints and the workbook holds: an escape sequence would act on
    # the terminal, and a control character stops the workbook being written.
    "LOC-011": (None, register(("2013-11", "Chair \x1b[2J", "attended"))),
}


def failures_of(board_records: pd.DataFrame | None, attendance: pd.DataFrame | None) -> list:
    """Every failure of the given files."""
    found = [] if board_records is None else board_record_failures(board_records, REGISTRY)
    return found + ([] if attendance is None else attendance_failures(attendance))


def test_valid_files_pass_every_rule() -> None:
    assert failures_of(VALID_RECORDS, VALID_REGISTER) == []


def test_every_local_rule_has_a_broken_fixture() -> None:
    assert set(BROKEN) == {rule.code for rule in LOCAL_RECORD_RULES}


@pytest.mark.parametrize("code", sorted(BROKEN))
def test_each_rule_fails_its_broken_file_with_its_message(code: str) -> None:
    found = failures_of(*BROKEN[code])
    assert [failure.rule.code for failure in found] == [code]
    assert found[0].message.startswith(f"{code} line ")


def test_a_value_is_refused_with_the_line_and_what_to_enter() -> None:
    [failure] = failures_of(*BROKEN["LOC-003"])
    assert failure.message == (
        "LOC-003 line 2: '£1,000' is not a number of 0 or more. Enter the figure without a "
        "currency sign or thousands separator (38847.60), and 0 if there were none."
    )


def test_a_value_that_is_not_written_as_a_number_is_described_not_quoted() -> None:
    # A name or a date of birth typed as a figure must not reach the console or the run's log.
    for typed, named in (("Jayden Smith", "text"), ("17/05/2009", "text")):
        [failure] = failures_of(records(("2013-14", "board_contributions", "Council", typed)), None)
        assert failure.message.startswith(f"LOC-003 line 2: {named} is not a number of 0 or more.")


@pytest.mark.parametrize(
    ("broken", "shows"),
    [
        # What fits the cell, as a code, a year or a date is written, is quoted; the nearest of
        # our own codes is named where one is close.
        (
            records(("2013-14", "board_contributionz", "Council", "1")),
            "LOC-001 line 2: 'board_contributionz' is not a measure recorded in board_records.csv "
            "(the nearest is board_contributions).",
        ),
        (records(("2013-15", "board_contributions", "Council", "1")), "LOC-002 line 2: '2013-15'"),
        (
            records(("2013-14", "population_0_4", "", "11641", "30/06/2012")),
            "LOC-009 line 2: '30/06/2012'",
        ),
        (register(("2013-13", "Chair", "attended")), "LOC-005 line 2: '2013-13'"),
        # Words may be a child's name: described, never quoted.
        (
            records(("2013-14", "Jayden Smith", "Council", "1")),
            "LOC-001 line 2: text is not a measure recorded in board_records.csv",
        ),
        (records(("Jayden Smith", "board_contributions", "Council", "1")), "LOC-002 line 2: text"),
        (
            records(("2013-14", "population_0_4", "", "11641", "Jayden Smith")),
            "LOC-009 line 2: text",
        ),
        (register(("Jayden Smith", "Chair", "attended")), "LOC-005 line 2: text"),
        (
            register(("2013-11", "Chair", "Jayden Smith")),
            "LOC-007 line 2: text is not an attendance status",
        ),
        (
            register(("2013-11", "Chair", "atended")),
            "LOC-007 line 2: text is not an attendance status (the nearest is attended).",
        ),
    ],
)
def test_a_record_is_quoted_only_where_it_is_written_as_a_code_a_year_or_a_date(
    broken: pd.DataFrame, shows: str
) -> None:
    [failure] = failures_of(*((broken, None) if "measure" in broken else (None, broken)))
    assert failure.message.startswith(shows)
    assert "Jayden" not in failure.message


def test_a_hidden_character_is_refused_and_every_message_shows_it_escaped() -> None:
    hostile = "Police\x1b]0;owned\x07\nLOC-000 line 9: all is well"
    found = failures_of(
        records(("2013-14", "board_contributions", hostile, "1\x1b[2J")),
        register(("2013-11", "Chair", "present\u202e")),
    )
    assert [failure.rule.code for failure in found] == [
        "LOC-011",
        "LOC-011",
        "LOC-003",
        "LOC-011",
        "LOC-007",
    ]
    assert found[0].message == (
        # the text around the hidden characters may be a name: only they are shown
        "LOC-011 line 2: text in 'breakdown' holds a character you cannot see (\\x1b, \\x07, "
        "\\n, written as its escape). Type it again by hand rather than pasting it."
    )
    assert all(failure.message.isprintable() for failure in found)


def test_records_are_facts_of_their_financial_year_with_totals_and_share_denominators() -> None:
    facts = board_record_facts(VALID_RECORDS, REGISTRY, "test", "sha")
    contributions = facts[facts["measure"] == "board_contributions"].set_index("breakdown")
    # The Total is the sum of the contributors: the file gives only their rows.
    assert contributions.loc["Total", "value"] == pytest.approx(400.50)
    assert set(contributions["period_start"]) == {date(2013, 4, 1)}
    assert set(contributions["period_end"]) == {date(2014, 3, 31)}
    assert set(contributions["time_period"]) == {"2013-14"}
    everyone = facts[facts["measure"] == "board_contributions_all"].set_index("breakdown")
    assert everyone.loc["Police", "value"] == pytest.approx(400.50)
    assert set(facts["source_type"]) == {"partner_return"}


def test_an_as_at_date_that_is_no_date_is_refused_with_what_to_write() -> None:
    [failure] = board_record_failures(
        records(("2013-14", "population_0_4", "", "11641", "30/06/2012")), REGISTRY
    )
    assert failure.message == (
        "LOC-009 line 2: '30/06/2012' is not a date on or before 2014-03-31, the end of "
        "2013-14. Write it as 2012-06-30, or leave it blank for a figure of the whole year."
    )


def test_the_same_figure_as_at_two_dates_is_two_figures() -> None:
    two = records(
        ("2013-14", "population_0_4", "", "11641", "2012-06-30"),
        ("2013-14", "population_0_4", "", "11700", "2013-06-30"),
    )
    assert board_record_failures(two, REGISTRY) == []
    [again] = board_record_failures(pd.concat([two, two.tail(1)], ignore_index=True), REGISTRY)
    assert again.message == (
        "LOC-004 line 4: E06000033 2013-14 as at 2013-06-30 population_0_4 (Total) is given "
        "again (first on line 3). Keep one row."
    )


def test_a_figure_as_at_a_date_is_a_fact_of_that_day_computed_as_a_snapshot() -> None:
    facts = board_record_facts(VALID_RECORDS, REGISTRY, "test", "sha")
    [residents] = facts[facts["measure"] == "population_all_ages"].itertuples()
    assert (residents.period_start, residents.period_end, residents.value) == (
        date(2012, 6, 30),
        date(2012, 6, 30),
        175284.0,
    )
    assert residents.source_type == "partner_return"
    catalogue = {i.id: i for i in load_catalogue(SCHEMAS / "indicators.yaml")}
    indicator = catalogue["population_all_ages"]
    areas = pd.DataFrame(
        [[AREA, "Southend-on-Sea", "Local authority", "E12000006"]],
        columns=["area_code", "area_name", "geographic_level", "region_code"],
    )
    population = pd.DataFrame(columns=["area_code", "mid_year", "population_0_17", "source_type"])
    [value] = indicator_values(
        indicator.breakdown_rows(facts), population, indicator, areas
    ).itertuples()
    # A snapshot as at 30 June 2012, the last day of 2012-13's first quarter.
    assert (value.value, value.period_end, value.time_period) == (
        175284.0,
        date(2012, 6, 30),
        "2012-13 Q1",
    )


def test_an_annual_record_is_its_own_12_month_window() -> None:
    catalogue = {i.id: i for i in load_catalogue(SCHEMAS / "indicators.yaml")}
    facts = board_record_facts(VALID_RECORDS, REGISTRY, "test", "sha")
    areas = pd.DataFrame(
        [[AREA, "Southend-on-Sea", "Local authority", "E12000006"]],
        columns=["area_code", "area_name", "geographic_level", "region_code"],
    )
    population = pd.DataFrame(columns=["area_code", "mid_year", "population_0_17", "source_type"])
    share = catalogue["board_contribution_share_pct"]
    values = indicator_values(share.breakdown_rows(facts), population, share, areas)
    council = values.set_index("breakdown").loc["Council"]
    # 300.50 of 400.50: 75.0%, for April 2013 to March 2014.
    assert council["value"] == pytest.approx(75.03, abs=0.01)
    assert council["period_start"] == date(2013, 4, 1)
    assert council["time_period"] == "2013-14"
    reserves = catalogue["board_reserves_carried_forward"]
    [held] = indicator_values(reserves.breakdown_rows(facts), population, reserves, areas)["value"]
    assert held == pytest.approx(77434.96)


def test_attendance_is_counted_by_member_and_meeting_with_empty_quarters_as_zero() -> None:
    facts = attendance_facts(VALID_REGISTER, "test", "sha").set_index(
        ["measure", "breakdown", "time_period"]
    )["value"]
    # The register runs from 2013-14 Q3 to 2014-15 Q1: four quarters, two with no meeting.
    assert facts[("board_meetings_expected", "Chair", "2013-14 Q4")] == 0
    assert facts[("board_meetings_attended", "Chair", "2014-15 Q1")] == 1  # a substitute
    # A vacant seat is not expected; apologies are expected and not attended.
    assert facts[("board_meetings_expected", "Police", "2014-15 Q1")] == 0
    assert facts[("board_meetings_expected", "Police", "2013-14 Q3")] == 1
    assert facts[("board_meetings_attended", "Police", "2013-14 Q3")] == 0
    assert facts[("board_meetings_expected", "Total", "2013-14 Q3")] == 2
    assert facts[("board_members_attended", "2013-11", "2013-14 Q3")] == 1
    assert facts[("board_members_expected", "2014-05", "2014-15 Q1")] == 1
