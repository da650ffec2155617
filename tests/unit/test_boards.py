"""Board profiles: loading, the checks on them, and returns accepted only from the board that
covers their area (BRD-001, BRD-002)."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from lscb_metrics.boards import load_boards
from lscb_metrics.intake.declarations import SpecError
from lscb_metrics.periods import parse_quarter, value_on
from lscb_metrics.returns import load_return_specs, read_return, validate_return
from lscb_metrics.submissions import missing_returns

SCHEMAS = Path(__file__).resolve().parents[2] / "schemas"
SOUTHEND = ("E06000033", "Southend-on-Sea", "E12000006")
THURROCK = ("E06000034", "Thurrock", "E12000006")
LEEDS = ("E08000035", "Leeds", "E12000003")
LOOKUP = {area[0]: area for area in (SOUTHEND, THURROCK, LEEDS)}
ASM = "assessment_working_days"


def test_the_demo_boards_load_with_their_areas_agencies_and_targets() -> None:
    boards = load_boards(SCHEMAS)
    assert set(boards.by_slug) == {"southend", "thurrock"}
    southend = boards.by_slug["southend"]
    assert southend.areas == ("E06000033",)
    assert len(southend.agencies) == 14
    assert southend.agencies["SUH"].returns == ("training", "injury_admissions")
    assert southend.local_targets_on("E06000033", date.max) == {"assessment_working_days": 40}
    # Essex Police serves both boards under one code.
    assert boards.covering("E06000034").agencies["ESSEX-POLICE"].name == "Essex Police"
    assert boards.covering("E08000035") is None
    # What the published files call each board: its name, and its short name for a short form.
    assert southend.name == "Southend Local Safeguarding Children Board"
    assert southend.short_name == "Southend LSCB"
    assert boards.by_slug["thurrock"].short_name == "Thurrock LSCB"


def test_a_board_without_a_short_name_goes_by_its_name(
    schemas: Path, edit_declaration: Callable
) -> None:
    edit_declaration(
        schemas / "boards" / "thurrock" / "board.yaml", lambda d: d.update(publication={})
    )
    thurrock = load_boards(schemas).by_slug["thurrock"]
    assert thurrock.short_name == thurrock.name == "Thurrock Local Safeguarding Children Board"


@pytest.mark.parametrize(
    ("change", "phrase"),
    [
        (lambda d: d["agencies"][0].update(returns=["pudding"]), "unknown return 'pudding'"),
        (lambda d: d["agencies"][5].update(returns=["referrals"]), "of type 'health'"),
        (lambda d: d["agencies"][1].update(code="SBC-CSC"), "duplicate agency code"),
        (lambda d: d["agencies"][0].pop("type"), "lacks type"),
        (lambda d: d.update(local_targets={"lunch_minutes": 30}), "unknown local target"),
        (lambda d: d.update(local_targets={"assessment_working_days": 0}), "above 0"),
        (lambda d: d.update(areas=[]), "at least one area"),
        (lambda d: d.update(areas=["E06000034"]), "already covered by board"),
        (lambda d: d.update(publication={"short_name": " "}), "publication short_name"),
        (lambda d: d["agencies"][2].update(until="2021-22-Q5"), "until"),
        # Two boards may list an area only in quarters that do not overlap.
        (
            lambda d: d.update(areas=["E06000033", {"code": "E06000034", "from": "2019-20-Q2"}]),
            "already covered by board",
        ),
        (lambda d: d.update(areas=[{"code": "E06000033", "until": "2012-13-Q5"}]), "until"),
        (lambda d: d["agencies"][0].update(areas=["E06000034"]), "does not cover"),
        (lambda d: d.update(name={"2019-20-Q2": " "}), "name must be non-blank"),
        (
            lambda d: d["agencies"][2].update({"from": "2015-16-Q1", "until": "2014-15-Q4"}),
            "is before its from 2015-16-Q1",
        ),
        # A target given by area: areas and quarters are never confused.
        (
            lambda d: d.update(local_targets={ASM: {"E06000033": 40, "2023-24-Q1": 45}}),
            "mixes areas (E06000033) with quarters (2023-24-Q1)",
        ),
        (
            lambda d: d.update(local_targets={ASM: {"E06000033": 40, "E06000034": 45}}),
            "names area(s) E06000034, which the board does not cover",
        ),
        (
            lambda d: d.update(
                areas=["E06000033", "E08000035"], local_targets={ASM: {"E06000033": 40}}
            ),
            "gives no value for area(s) E08000035",
        ),
        (
            lambda d: d.update(local_targets={ASM: {"E06000033": {"2023-24-Q5": 40}}}),
            "local target assessment_working_days for E06000033: period '2023-24-Q5'",
        ),
        (lambda d: d.update(local_targets={ASM: {"E06000033": 0}}), "above 0"),
        # Text every output shows as it is: an escape sequence would reach a terminal, a
        # newline forge a log line, a control character stop the workbook being written.
        (
            lambda d: d.update(name="Southend \x1b[31mBoard"),
            "name 'Southend \\x1b[31mBoard' holds a character you cannot see",
        ),
        (
            lambda d: d.update(name={"2019-20-Q2": "Southend\nFAKE LOG LINE"}),
            "name 'Southend\\nFAKE LOG LINE' holds a character you cannot see",
        ),
        (
            lambda d: d.update(publication={"short_name": "LSCB\u202e"}),
            "publication short_name 'LSCB\\u202e' holds a character you cannot see",
        ),
        (
            lambda d: d["agencies"][1].update(name="SBC\x07 IYSS"),
            "agency SBC-IYSS name 'SBC\\x07 IYSS' holds a character you cannot see",
        ),
        (
            lambda d: d["agencies"][1].update(code="SBC-IYSS\u200b"),
            "agency code 'SBC-IYSS\\u200b' holds a character you cannot see",
        ),
    ],
)
def test_malformed_profiles_name_the_file(
    schemas: Path, change: Callable[[dict], None], phrase: str, edit_declaration: Callable
) -> None:
    profile = schemas / "boards" / "southend" / "board.yaml"
    edit_declaration(profile, change)
    with pytest.raises(SpecError) as raised:
        load_boards(schemas)
    assert str(raised.value).startswith(str(profile)) or "already covered" in str(raised.value)
    assert phrase in str(raised.value)


def test_an_agency_shared_by_boards_has_one_name_and_type(
    schemas: Path, edit_declaration: Callable
) -> None:
    # Essex Police and the SET child death overview panel serve Southend and Thurrock alike:
    # their returns' messages and templates name them from either profile.
    def rename(document: dict) -> None:
        [police] = [a for a in document["agencies"] if a["code"] == "ESSEX-POLICE"]
        police["name"] = "Essex Constabulary"

    edit_declaration(schemas / "boards" / "thurrock" / "board.yaml", rename)
    with pytest.raises(SpecError, match="shared by boards stands for one agency") as raised:
        load_boards(schemas)
    assert "agency ESSEX-POLICE is 'Essex Constabulary' (police) here" in str(raised.value)
    assert "'Essex Police' (police) in board southend's profile" in str(raised.value)


def _csv(tmp_path: Path, agency: str, area: str, quarter: str = "2014-15-Q2") -> Path:
    """A private fostering return of `agency` for `area` and `quarter`."""
    path = tmp_path / "r.csv"
    start, end = parse_quarter(quarter).start, parse_quarter(quarter).end
    path.write_text(
        "return_type,agency_code,la_code,period_start,period_end,private_fostering_arrangements\n"
        f"private_fostering,{agency},{area},{start},{end},10\n",
        encoding="utf-8",
    )
    return path


@pytest.mark.parametrize(
    ("agency", "area", "codes", "phrase"),
    [
        ("SBC-CSC", "E06000033", set(), ""),
        ("TC-CSC", "E06000034", set(), ""),
        # Southend's children's services cannot speak for Thurrock, nor Thurrock's for Southend.
        ("SBC-CSC", "E06000034", {"BRD-002"}, "not one of Thurrock Local Safeguarding"),
        ("TC-CSC", "E06000033", {"BRD-002"}, "Use one of: SBC-CSC"),
        # A real area that no board here covers.
        ("SBC-CSC", "E08000035", {"BRD-001"}, "No board here covers Leeds (E08000035)"),
    ],
)
def test_a_return_only_speaks_for_its_own_board(
    tmp_path: Path, agency: str, area: str, codes: set[str], phrase: str
) -> None:
    specs = load_return_specs(SCHEMAS)
    raw = read_return(_csv(tmp_path, agency, area), specs)
    result = validate_return(raw, specs, load_boards(SCHEMAS), LOOKUP)
    assert {f.code for f in result.errors} == codes
    assert phrase in " ".join(f.message for f in result.failures)
    assert (result.cover is None) == bool(codes)


def test_a_councils_agency_speaks_only_for_its_own_area(
    tmp_path: Path, schemas: Path, edit_declaration: Callable
) -> None:
    # One partnership for Southend and Thurrock, each council's children's services sending for
    # its own area (`areas:`): Southend's return for Thurrock would stand as Thurrock's figures.
    shutil.rmtree(schemas / "boards" / "thurrock")

    def partnership(document: dict) -> None:
        document["areas"] = [SOUTHEND[0], THURROCK[0]]
        document["agencies"][0]["areas"] = [SOUTHEND[0]]
        document["agencies"].append(
            {
                "code": "TC-CSC",
                "name": "Thurrock Children's Services",
                "type": "local_authority",
                "returns": ["private_fostering"],
                "areas": [THURROCK[0]],
            }
        )

    edit_declaration(schemas / "boards" / "southend" / "board.yaml", partnership)
    boards, specs = load_boards(schemas), load_return_specs(schemas)

    def errors(agency: str, area: str) -> list[str]:
        raw = read_return(_csv(tmp_path, agency, area), specs)
        return [
            f"{f.code}: {f.message}" for f in validate_return(raw, specs, boards, LOOKUP).errors
        ]

    assert errors("SBC-CSC", SOUTHEND[0]) == errors("TC-CSC", THURROCK[0]) == []
    [refused] = errors("SBC-CSC", THURROCK[0])
    assert refused.startswith("BRD-005: ")
    assert (
        "SBC-CSC (SBC Children's Services) sends returns for Southend-on-Sea (E06000033) only, "
        "not for Thurrock (E06000034). Give the area the figures are for, or the code of the "
        "agency that sends them: TC-CSC." in refused
    )
    assert errors("TC-CSC", SOUTHEND[0])[0].startswith("BRD-005: ")


def test_an_agency_sends_only_for_the_quarters_it_is_on_the_board(
    tmp_path: Path, schemas: Path, edit_declaration: Callable
) -> None:
    # Southend's children's services handed private fostering to a trust from 2014-15 Q2: the
    # council's return for that quarter would stand beside the trust's, and the trust's for
    # the quarter before beside the council's.
    def handover(document: dict) -> None:
        document["agencies"][0]["until"] = "2014-15-Q1"
        document["agencies"].append(
            {
                "code": "SCT",
                "name": "Southend Children's Trust",
                "type": "local_authority",
                "returns": ["private_fostering"],
                "from": "2014-15-Q2",
            }
        )

    edit_declaration(schemas / "boards" / "southend" / "board.yaml", handover)
    boards, specs = load_boards(schemas), load_return_specs(schemas)

    def errors(agency: str, quarter: str) -> list[str]:
        raw = read_return(_csv(tmp_path, agency, SOUTHEND[0], quarter), specs)
        return [
            f"{f.code}: {f.message}" for f in validate_return(raw, specs, boards, LOOKUP).errors
        ]

    assert errors("SBC-CSC", "2014-15-Q1") == errors("SCT", "2014-15-Q2") == []
    assert errors("SBC-CSC", "2014-15-Q2") == [
        'BRD-006: line 2, column "agency_code": SBC-CSC (SBC Children\'s Services) sends '
        "Southend Local Safeguarding Children Board's returns until 2014-15 Q1 only, not for "
        "2014-15 Q2. Give the quarter the figures are for, or the code of the agency that sent "
        "them then: SCT."
    ]
    [early] = errors("SCT", "2014-15-Q1")
    assert "SCT (Southend Children's Trust) sends " in early
    assert "returns from 2014-15 Q2 only, not for 2014-15 Q1." in early
    assert early.endswith("that sent them then: SBC-CSC.")


def _assessments(tmp_path: Path, quarter: str, days: int, area: str = SOUTHEND[0]) -> Path:
    """Southend children's services' assessments return for `area` (default Southend) and
    `quarter` stating a local target of `days`."""
    start, end = parse_quarter(quarter).start, parse_quarter(quarter).end
    path = tmp_path / f"{area}-{quarter}-{days}.csv"
    path.write_text(
        "return_type,agency_code,la_code,period_start,period_end,assessments_completed,"
        "assessments_within_local_target,local_target_days,assessments_within_45_days\n"
        f"assessments,SBC-CSC,{area},{start},{end},100,80,{days},90\n",
        encoding="utf-8",
    )
    return path


def test_a_target_given_by_area_is_each_areas_own(
    schemas: Path, edit_declaration: Callable
) -> None:
    # A partnership of Southend and Leeds: Southend's target throughout, Leeds's changed.
    targets = {ASM: {"E06000033": 40, "E08000035": {"2013-14-Q1": 45, "2023-24-Q1": 35}}}
    edit_declaration(
        schemas / "boards" / "southend" / "board.yaml",
        lambda d: d.update(areas=["E06000033", "E08000035"], local_targets=targets),
    )
    boards = load_boards(schemas)
    board = boards.by_slug["southend"]
    before, after = parse_quarter("2022-23-Q4").end, parse_quarter("2023-24-Q1").end
    assert [
        board.local_targets_on(area, day)[ASM]
        for area in ("E06000033", "E08000035")
        for day in (before, after)
    ] == [40, 40, 45, 35]
    # What case lists count against: each area's own changes.
    assert boards.local_target(ASM)["E08000035"] == (
        (parse_quarter("2013-14-Q1"), 45),
        (parse_quarter("2023-24-Q1"), 35),
    )
    assert boards.local_target(ASM)["E06000034"][-1][1] == 45  # Thurrock's board's


@pytest.mark.parametrize("given", [40, {"E06000033": 40}, {"2013-14-Q1": 40}])
def test_a_board_wide_target_means_what_it_did(
    schemas: Path, edit_declaration: Callable, given: object
) -> None:
    edit_declaration(
        schemas / "boards" / "southend" / "board.yaml",
        lambda d: d.update(local_targets={ASM: given}),
    )
    southend = load_boards(schemas).by_slug["southend"]
    quarters = ("2000-01-Q1", "2014-15-Q2", "2025-26-Q4")
    days = {southend.local_targets_on("E06000033", parse_quarter(q).end)[ASM] for q in quarters}
    assert days == {40}


def test_a_partnerships_return_is_checked_against_its_own_areas_target(
    tmp_path: Path, schemas: Path, edit_declaration: Callable
) -> None:
    # Southend and Thurrock as one partnership (Thurrock's board gone), each authority keeping
    # its own assessment timescale; Thurrock's moved to 40 in 2023-24.
    shutil.rmtree(schemas / "boards" / "thurrock")
    targets = {ASM: {"E06000033": 40, "E06000034": {"2013-14-Q1": 45, "2023-24-Q1": 40}}}
    edit_declaration(
        schemas / "boards" / "southend" / "board.yaml",
        lambda d: d.update(areas=["E06000033", "E06000034"], local_targets=targets),
    )
    boards, specs = load_boards(schemas), load_return_specs(schemas)

    def errors(area: str, quarter: str, days: int) -> list[str]:
        raw = read_return(_assessments(tmp_path, quarter, days, area), specs)
        result = validate_return(raw, specs, boards, LOOKUP)
        return [f"{f.code}: {f.message}" for f in result.errors]

    assert errors(THURROCK[0], "2014-15-Q2", 45) == errors(SOUTHEND[0], "2014-15-Q2", 40) == []
    assert errors(THURROCK[0], "2023-24-Q1", 40) == []
    (refused,) = errors(THURROCK[0], "2014-15-Q2", 40)
    assert refused.startswith("BRD-003: ")
    assert (
        "'40' in 'Local target (working days)' is not Southend Local Safeguarding Children "
        "Board's local target for Thurrock, 45 (working days" in refused
    )
    assert [e[:7] for e in errors(SOUTHEND[0], "2014-15-Q2", 45)] == ["BRD-003"]
    assert [e[:7] for e in errors(THURROCK[0], "2023-24-Q1", 45)] == ["BRD-003"]


def test_a_changed_local_target_still_holds_for_the_quarters_before_it(
    tmp_path: Path, schemas: Path, edit_declaration: Callable
) -> None:
    # The board moved its assessment target from 40 to 45 working days in 2023-24: returns of
    # earlier quarters, which carry 40, stay valid when they are validated again.
    targets = {"assessment_working_days": {"2013-14-Q1": 40, "2023-24-Q1": 45}}
    edit_declaration(
        schemas / "boards" / "southend" / "board.yaml", lambda d: d.update(local_targets=targets)
    )
    boards = load_boards(schemas)
    southend = boards.by_slug["southend"]
    assert southend.local_targets_on("E06000033", date.max) == {"assessment_working_days": 45}
    assert southend.local_targets_on("E06000033", parse_quarter("2022-23-Q4").end) == {
        "assessment_working_days": 40
    }
    specs = load_return_specs(schemas)
    lookup = {SOUTHEND[0]: SOUTHEND}

    def codes(quarter: str, days: int) -> set[str]:
        raw = read_return(_assessments(tmp_path, quarter, days), specs)
        return {f.code for f in validate_return(raw, specs, boards, lookup).errors}

    assert codes("2014-15-Q2", 40) == codes("2023-24-Q1", 45) == set()
    assert codes("2014-15-Q2", 45) == codes("2023-24-Q1", 40) == {"BRD-003"}


def test_a_dfe_number_names_the_ons_code_its_authority_had_in_the_returns_quarter(
    tmp_path: Path, schemas: Path, edit_declaration: Callable
) -> None:
    # North Yorkshire kept its DfE number, 815, when its ONS code changed from E10000023 to
    # E06000065 in April 2023: a 2019-20 return under 815 is the county's, whose population
    # and published figures that year are under E10000023, not the new code's.
    old, new = (
        ("E10000023", "North Yorkshire", "E12000003"),
        ("E06000065", "North Yorkshire", "E12000003"),
    )
    edit_declaration(
        schemas / "boards" / "thurrock" / "board.yaml", lambda d: d.update(areas=[old[0], new[0]])
    )
    boards, specs = load_boards(schemas), load_return_specs(schemas)
    lookup = {old[0]: old, new[0]: new, "815": new}

    def area(start: str, end: str) -> str:
        path = tmp_path / f"{start}.csv"
        path.write_text(
            "return_type,agency_code,la_code,period_start,period_end,private_fostering_arrangements\n"
            f"private_fostering,TC-CSC,815,{start},{end},10\n",
            encoding="utf-8",
        )
        return validate_return(read_return(path, specs), specs, boards, lookup).cover.area_code

    assert area("2019-04-01", "2019-06-30") == old[0]
    assert area("2023-04-01", "2023-06-30") == new[0]


def test_a_return_for_an_authority_that_did_not_exist_in_its_quarter_is_refused(
    tmp_path: Path, schemas: Path, edit_declaration: Callable
) -> None:
    # Cumbria was replaced by Cumberland and Westmorland and Furness on 1 April 2023: Cumbria's
    # code after it would take the last county estimate for a population never estimated again.
    cumbria, cumberland = (
        ("E10000006", "Cumbria", "E12000002"),
        ("E06000063", "Cumberland", "E12000002"),
    )
    edit_declaration(
        schemas / "boards" / "thurrock" / "board.yaml",
        lambda d: d.update(areas=[cumbria[0], cumberland[0]]),
    )
    boards, specs = load_boards(schemas), load_return_specs(schemas)
    lookup = {cumbria[0]: cumbria, cumberland[0]: cumberland}

    def messages(area: str, start: str, end: str) -> list[str]:
        path = tmp_path / f"{area}{start}.csv"
        path.write_text(
            "return_type,agency_code,la_code,period_start,period_end,private_fostering_arrangements\n"
            f"private_fostering,TC-CSC,{area},{start},{end},10\n",
            encoding="utf-8",
        )
        result = validate_return(read_return(path, specs), specs, boards, lookup)
        return [f"{f.code} {f.message}" for f in result.errors]

    assert messages(cumbria[0], "2022-04-01", "2022-06-30") == []
    assert messages(cumberland[0], "2023-04-01", "2023-06-30") == []
    [late] = messages(cumbria[0], "2023-04-01", "2023-06-30")
    assert late.startswith("BRD-004 ")
    assert (
        "Cumbria (E10000006) was not a local authority in 2023-24 Q1: replaced by E06000063" in late
    )
    [early] = messages(cumberland[0], "2022-04-01", "2022-06-30")
    assert (
        "Cumberland (E06000063) was not a local authority in 2022-23 Q1: first used on 1 April 2023"
        in early
    )


def test_an_agency_that_left_the_board_keeps_its_returns_and_is_missed_only_while_it_sent_them(
    tmp_path: Path, schemas: Path, edit_declaration: Callable
) -> None:
    # Community rehabilitation companies ended in June 2021; one that joined later is expected
    # only from its first quarter.
    def dated(document: dict) -> None:
        by_code = {agency["code"]: agency for agency in document["agencies"]}
        by_code["ECRC"]["until"] = "2020-21-Q4"
        by_code["SEH"]["from"] = "2015-16-Q1"

    edit_declaration(schemas / "boards" / "southend" / "board.yaml", dated)
    southend = load_boards(schemas).by_slug["southend"]

    def missing(quarter: str) -> set[str]:
        return {
            line.split(":")[0] for line in missing_returns([], parse_quarter(quarter), southend, {})
        }

    assert {"ECRC", "SEH"} <= missing("2020-21-Q4")
    assert "ECRC" not in missing("2021-22-Q1")
    assert "SEH" not in missing("2014-15-Q4")
    # Its earlier returns stay valid, and templates are for the agencies still on the board.
    specs = load_return_specs(schemas)
    path = tmp_path / "ecrc.csv"
    path.write_text(
        "return_type,agency_code,la_code,period_start,period_end,staff_requiring_training,"
        "staff_trained_in_date,training_level\n"
        "training,ECRC,E06000033,2014-07-01,2014-09-30,100,90,level_1\n",
        encoding="utf-8",
    )
    result = validate_return(read_return(path, specs), specs, load_boards(schemas), LOOKUP)
    assert result.errors == []
    assert not southend.agencies["ECRC"].current and southend.agencies["SEH"].current


def test_a_board_renamed_from_a_quarter_carries_each_quarters_name(
    schemas: Path, edit_declaration: Callable
) -> None:
    old, new = "Southend Local Safeguarding Children Board", "Southend Safeguarding Partnership"
    edit_declaration(
        schemas / "boards" / "southend" / "board.yaml",
        lambda d: d.update(
            name={"2013-14-Q1": old, "2019-20-Q2": new},
            publication={"short_name": {"2013-14-Q1": "Southend LSCB", "2019-20-Q2": "SSCP"}},
        ),
    )
    southend = load_boards(schemas).by_slug["southend"]
    assert (southend.name, southend.short_name) == (new, "SSCP")
    before, after = (southend.as_of(parse_quarter(q).end) for q in ("2019-20-Q1", "2019-20-Q2"))
    assert (before.name, before.short_name) == (old, "Southend LSCB")
    assert (after.name, after.short_name) == (new, "SSCP")


def test_a_merger_hands_an_area_over_from_a_quarter(
    schemas: Path, edit_declaration: Callable
) -> None:
    area = {"code": "E06000034"}
    edit_declaration(
        schemas / "boards" / "southend" / "board.yaml",
        lambda d: d.update(areas=["E06000033", {**area, "from": "2019-20-Q2"}]),
    )
    edit_declaration(
        schemas / "boards" / "thurrock" / "board.yaml",
        lambda d: d.update(areas=[{**area, "until": "2019-20-Q1"}]),
    )
    boards = load_boards(schemas)
    q1, q2 = (parse_quarter(q).end for q in ("2019-20-Q1", "2019-20-Q2"))
    assert boards.covering("E06000034", q1).slug == "thurrock"
    assert boards.covering("E06000034", q2).slug == "southend"
    assert boards.covering("E06000034").slug == "southend"  # the one covering it now
    thurrock = boards.by_slug["thurrock"]
    assert thurrock.areas_on(q2) == ()
    assert thurrock.span("E06000034") == (None, parse_quarter("2019-20-Q1"))
    assert boards.by_slug["southend"].current_areas == ("E06000033", "E06000034")
    assert not missing_returns([], parse_quarter("2019-20-Q2"), thurrock, {})
    assert "E06000034 until 2019-20 Q1" in boards.described()
    # Case lists count Thurrock's assessments against Thurrock's board's 45 days up to the
    # merger, and against the partnership's 40 from its first quarter.
    changes = boards.local_target(ASM)["E06000034"]
    assert (value_on(changes, q1), value_on(changes, q2)) == (45, 40)


def test_a_board_of_one_area_keeps_its_files_at_the_top_of_the_edition() -> None:
    demo_board = load_boards(SCHEMAS).by_slug["southend"]
    assert demo_board.area_folders_on(date(2014, 9, 30)) == (("E06000033", ""),)


def test_an_authority_whose_code_changed_keeps_its_files_at_the_top_of_the_edition() -> None:
    demo_board = load_boards(SCHEMAS).by_slug["southend"]
    # North Yorkshire's two codes are one authority, in being one after the other; Cumbria's
    # successors are two, each with its own folder.
    york = replace(demo_board, areas=("E10000023", "E06000065"))
    assert york.area_folders_on(date(2023, 3, 31)) == (("E10000023", ""),)
    assert york.area_folders_on(date(2023, 6, 30)) == (("E06000065", ""),)
    cumbria = replace(demo_board, areas=("E10000006", "E06000063", "E06000064"))
    assert cumbria.area_folders_on(date(2023, 6, 30)) == (
        ("E06000063", "E06000063"),
        ("E06000064", "E06000064"),
    )


def test_local_targets_table_gives_each_value_the_days_it_is_in_force(
    schemas: Path, edit_declaration: Callable
) -> None:
    from lscb_metrics.pipeline import local_targets_table

    area = {"code": "E06000034"}
    edit_declaration(
        schemas / "boards" / "southend" / "board.yaml",
        lambda d: d.update(
            areas=["E06000033", {**area, "from": "2019-20-Q2"}],
            local_targets={ASM: {"2013-14-Q1": 40, "2023-24-Q1": 35}},
        ),
    )
    edit_declaration(
        schemas / "boards" / "thurrock" / "board.yaml",
        lambda d: d.update(
            areas=[{**area, "until": "2019-20-Q1"}],
            # Thurrock's change after it handed the area over is never in force there.
            local_targets={ASM: {"2013-14-Q1": 45, "2021-22-Q1": 50}},
        ),
    )
    table = local_targets_table(load_boards(schemas))
    rows = sorted(
        (row.area_code, row.board, row.value, row.in_force_from, row.in_force_until)
        for row in table.itertuples()
    )
    assert rows == [
        ("E06000033", "southend", 35, date(2023, 4, 1), None),
        ("E06000033", "southend", 40, None, date(2023, 3, 31)),
        ("E06000034", "southend", 35, date(2023, 4, 1), None),
        ("E06000034", "southend", 40, date(2019, 7, 1), date(2023, 3, 31)),
        ("E06000034", "thurrock", 45, None, date(2019, 6, 30)),
    ]
    assert set(table["target"]) == {ASM}
    # The current target of each board and area: the value with no last day.
    current = table[table["in_force_until"].isna()]
    assert sorted(current[["board", "area_code", "value"]].itertuples(index=False, name=None)) == [
        ("southend", "E06000033", 35),
        ("southend", "E06000034", 35),
    ]
