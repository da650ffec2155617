"""The measures derived from tiny hand-made lists, each checked against a count made by hand."""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Callable
from datetime import date
from pathlib import Path

import numpy as np
import pytest
from case_lists import (
    COVER_HEADER,
    KEY,
    LA_LOOKUP,
    SCHEMAS,
    derive,
    facts_by,
    southend_target,
    write_csv,
)

from lscb_metrics.boards import load_boards
from lscb_metrics.cases import derive_case_facts, pseudonym
from lscb_metrics.cases.workdays import bank_holidays, working_days_between
from lscb_metrics.errors import ConfigurationError
from lscb_metrics.facts import FACT_COLUMNS
from lscb_metrics.periods import Quarter
from lscb_metrics.returns.spec import ASSESSMENT_TARGET

Q1, Q2 = "2014-15 Q1", "2014-15 Q2"
THURROCK = ("E06000034", "Thurrock", "E12000006")


def test_referrals_and_rereferrals(tmp_path: Path) -> None:
    header = ["child_id", "referral_date", "referral_source", "referral_outcome"]
    rows = [
        ["SOU-A", "2013-07-01", "police", "nfa"],  # history
        ["SOU-A", "2014-07-01", "6", "assessment"],  # exactly 12 months after: a re-referral
        ["SOU-B", "2013-06-30", "police", "nfa"],  # history
        ["SOU-B", "2014-07-01", "2A", "single assessment"],  # 12 months and a day: not
        ["SOU-C", "01/08/2014", "Family or public", "early help"],
        ["SOU-D", "2014-07-10", "health", "assessment"],
        ["SOU-D", "2014-08-10", "3F", "NFA"],  # a month after D's first: a re-referral
    ]
    facts = facts_by(derive([write_csv(tmp_path / "r.csv", header, rows)]))
    assert facts[("referrals", Q2)] == 5 and facts[("referrals", Q1)] == 0
    assert facts[("rereferrals_within_12_months", Q2)] == 2
    assert facts[("referrals_source_police", Q2)] == 1
    assert facts[("referrals_source_schools", Q2)] == 1
    assert facts[("referrals_source_health", Q2)] == 2
    assert facts[("referrals_source_family_public", Q2)] == 1
    assert facts[("referrals_source_other", Q2)] == 0
    assert facts[("referrals_to_assessment", Q2)] == 3
    assert ("referrals", "2013-14 Q2") not in facts  # history is never a quarter of its own


def _working_days_after(start: date, count: int) -> str:
    """The day `count` working days after `start` (a working day), as ISO text."""
    calendar = np.busdaycalendar(holidays=bank_holidays(2014, 2015))
    day = np.busday_offset(np.datetime64(start), count, busdaycal=calendar).astype(date)
    assert working_days_between(start, day) == count
    return day.isoformat()


def test_assessment_timeliness_against_45_days_and_the_local_target(tmp_path: Path) -> None:
    start = date(2014, 6, 2)
    header = ["child_id", "assessment_start_date", "assessment_authorised_date"]
    rows = [
        [f"SOU-{days}", start.isoformat(), _working_days_after(start, days)]
        for days in (40, 41, 45, 46)
    ]
    rows.append(["SOU-OPEN", "2014-09-01", ""])  # not authorised: not completed
    path = write_csv(tmp_path / "a.csv", header, rows)
    default = facts_by(derive([path]))
    assert default[("assessments_completed", Q2)] == 4  # all authorised in August
    assert default[("assessments_within_45_days", Q2)] == 3
    assert default[("assessments_within_local_target", Q2)] == 1
    local = facts_by(derive([path], southend_target(41)))
    assert local[("assessments_within_local_target", Q2)] == 2
    open_only = write_csv(tmp_path / "b.csv", header, [["SOU-1", "2014-07-01", ""]])
    assert set(derive([open_only]).facts["value"]) == {0.0}  # nothing completed: zeros


def test_child_protection_plans(tmp_path: Path) -> None:
    header = ["child_id", "plan_start_date", "plan_end_date", "abuse_category", "subsequent_plan"]
    rows = [
        ["SOU-1", "2012-09-30", "", "neglect", ""],  # two years at 30 Sep 2014, to the day
        ["SOU-2", "2012-10-01", "", "PHY", ""],  # a day short of two years
        ["SOU-3", "2014-05-01", "2014-09-30", "EMO", ""],  # ends on the quarter's last day
        ["SOU-4", "2013-01-01", "2013-06-30", "SAB", ""],  # history: an earlier plan...
        ["SOU-4", "2014-07-01", "", "MUL", ""],  # ...so this is a subsequent plan
        ["SOU-5", "2013-01-01", "2013-06-30", "neglect", ""],
        ["SOU-5", "2014-07-02", "", "neglect", "no"],  # the list says not (an adoption, say)
        ["SOU-6", "2014-07-03", "", "emotional", "yes"],  # the list says so: a plan elsewhere
    ]
    facts = facts_by(derive([write_csv(tmp_path / "p.csv", header, rows)]))
    assert facts[("cp_plans_at_end", Q1)] == 3  # 1, 2, 3
    assert facts[("cp_plans_at_end", Q2)] == 5  # 1, 2, 4, 5, 6 (3 ended on 30 September)
    assert facts[("cp_plans_two_years_or_more", Q2)] == 1
    assert facts[("cp_plans_two_years_or_more", Q1)] == 0
    assert [
        facts[(f"cp_plans_{c}", Q2)]
        for c in ("neglect", "physical", "emotional", "sexual", "multiple")
    ] == [2, 1, 1, 0, 1]
    assert facts[("cp_plan_starts", Q1)] == 1 and facts[("cp_plan_starts", Q2)] == 3
    assert facts[("cp_plan_starts_subsequent", Q2)] == 2  # SOU-4 from history, SOU-6 as said
    assert facts[("cp_plans_ended", Q2)] == 1 and facts[("cp_plans_ended", Q1)] == 0


def test_facts_layout_and_lineage(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "s.csv",
        ["child_id", "date_of_birth", "s47_start_date"],
        [["SOU-1", "2009-05-17", "2014-07-01"]],
    )
    result = derive([path])
    facts = result.facts
    assert list(facts.columns) == list(FACT_COLUMNS)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    row = facts[facts["time_period"] == Q2].iloc[0]
    assert (row.measure, row.value, row.area_code, row.area_name, row.region_code) == (
        "section_47_enquiries",
        1.0,
        "E06000033",
        "Southend-on-Sea",
        "E12000006",
    )
    assert (row.period_start, row.period_end) == (date(2014, 7, 1), date(2014, 9, 30))
    assert (row.breakdown, row.source_type, row.geographic_level) == (
        "Total",
        "partner_return",
        "Local authority",
    )
    assert (row.source, row.submission_id, row.source_sha256) == (
        "s.csv",
        f"S-{digest[:16]}",
        digest,
    )
    staged = result.staged["section_47_enquiries"].to_pylist()
    assert staged == [
        {
            "area_code": "E06000033",
            "submission_id": f"S-{digest[:16]}",
            "child": pseudonym(KEY, "SOU-1"),
            "birth_month": date(2009, 5, 1),
            "age": None,
            "s47_start_date": date(2014, 7, 1),
        }
    ]


def test_an_assessment_counts_against_the_local_target_of_its_quarter(tmp_path: Path) -> None:
    # The board moved its target from 40 to 41 working days from 2014-15 Q2: an assessment of
    # 41 days authorised in Q1 missed the target then, one authorised in Q2 met it.
    header = ["child_id", "assessment_start_date", "assessment_authorised_date"]
    rows = [
        [f"SOU-{n}", start.isoformat(), _working_days_after(start, 41)]
        for n, start in enumerate((date(2014, 4, 1), date(2014, 7, 1)))
    ]
    path = write_csv(tmp_path / "a.csv", header, rows)
    changed = {"E06000033": ((Quarter(2013, 1), 40), (Quarter(2014, 2), 41))}
    facts = facts_by(derive([path], changed))
    assert facts[("assessments_completed", Q1)] == facts[("assessments_completed", Q2)] == 1
    assert facts[("assessments_within_local_target", Q1)] == 0
    assert facts[("assessments_within_local_target", Q2)] == 1


def test_a_local_target_beyond_45_days_is_refused(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "s.csv", ["child_id", "s47_start_date"], [["SOU-1", "2014-07-01"]])
    with pytest.raises(ConfigurationError, match="from 1 to 45"):
        derive([path], southend_target(50))


def test_a_list_under_a_dfe_number_counts_for_the_ons_code_of_each_quarter(
    tmp_path: Path,
) -> None:
    # North Yorkshire (DfE 815) was E10000023 until March 2023 and is E06000065 since: a list
    # under 815 spanning the change counts each quarter for the code in force, as a return does.
    county = ("E10000023", "North Yorkshire", "E12000003")
    unitary = ("E06000065", "North Yorkshire", "E12000003")
    lookup = {"815": unitary, county[0]: county, unitary[0]: unitary}
    cover = ["815", "2023-01-01", "2023-06-30"]  # 2022-23 Q4 and 2023-24 Q1
    path = write_csv(
        tmp_path / "s.csv",
        ["la_code", "period_start", "period_end", "child_id", "s47_start_date"],
        [[*cover, "NY-1", "2023-02-01"], [*cover, "NY-2", "2023-05-02"]],
    )
    facts = derive_case_facts([path], SCHEMAS, lookup, KEY, {}).facts
    enquiries = facts[facts["measure"] == "section_47_enquiries"]
    assert dict(zip(enquiries["time_period"], enquiries["area_code"], strict=True)) == {
        "2022-23 Q4": "E10000023",
        "2023-24 Q1": "E06000065",
    }
    assert set(enquiries["value"]) == {1.0}


def test_each_area_of_a_partnership_counts_against_its_own_target(
    tmp_path: Path, schemas: Path, edit_declaration: Callable
) -> None:
    # Southend and Thurrock as one partnership whose profile gives each authority its own
    # assessment timescale: an assessment of 43 working days misses Southend's 40, meets
    # Thurrock's 45.
    shutil.rmtree(schemas / "boards" / "thurrock")
    targets = {"E06000033": 40, "E06000034": 45}
    edit_declaration(
        schemas / "boards" / "southend" / "board.yaml",
        lambda d: d.update(areas=list(targets), local_targets={ASSESSMENT_TARGET: targets}),
    )
    start = date(2014, 7, 1)
    header = [*COVER_HEADER, "child_id", "assessment_start_date", "assessment_authorised_date"]
    lists = [
        write_csv(
            tmp_path / f"{area}.csv",
            header,
            [[area, "2014-04-01", "2014-09-30", "C-1", start, _working_days_after(start, 43)]],
        )
        for area in targets
    ]
    lookup = {**LA_LOOKUP, THURROCK[0]: THURROCK}
    local = load_boards(schemas).local_target(ASSESSMENT_TARGET)
    facts = derive_case_facts(lists, SCHEMAS, lookup, KEY, local).facts
    within = facts[
        facts["measure"].eq("assessments_within_local_target") & facts["time_period"].eq(Q2)
    ]
    assert dict(zip(within["area_code"], within["value"], strict=True)) == {
        "E06000033": 0,
        "E06000034": 1,
    }
