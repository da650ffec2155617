"""`lscb-metrics board init` in a copy of the project: an area another board covers is refused,
naming the area and that board; a partnership of several councils gets each council's own
agencies, and its filled templates make a complete quarter."""

from __future__ import annotations

import shutil
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

import openpyxl
import pytest
import yaml

from lscb_metrics import pipeline
from lscb_metrics.boards import load_boards
from lscb_metrics.cli import main
from lscb_metrics.config import settings
from lscb_metrics.periods import parse_quarter
from lscb_metrics.returns.spec import ASSESSMENT_TARGET
from tests.stages import fill_templates, project_copy, received_returns

CORNWALL, SCILLY = "E06000052", "E06000053"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the project to set boards up in."""
    root = project_copy(tmp_path / "project")
    monkeypatch.setenv("LSCB_PROJECT_ROOT", str(root))
    return root


def test_an_area_another_board_covers_is_named_with_that_board(project: Path, capsys) -> None:
    assert main(["board", "init", "--area", CORNWALL, "--name", "Cornwall LSCB"]) == 0
    capsys.readouterr()
    # The new board's slug would also be cornwall; the covered area is the cause to name.
    both = ["--area", CORNWALL, "--area", SCILLY, "--name", "Cornwall and Scilly LSCB"]
    assert main(["board", "init", *both]) == 2
    assert capsys.readouterr().err == (
        f"lscb-metrics: Cornwall ({CORNWALL}) is already covered by board cornwall; an area "
        "belongs to one board\n"
    )
    assert sorted(p.name for p in (project / "schemas/boards").iterdir()) == [
        "cornwall",
        "southend",
        "thurrock",
    ]


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (
            ["--area", CORNWALL, "--area", "908", "--name", "Cornwall LSCB"],
            "'908' is Cornwall (E06000052) again; give each area once",
        ),
        (
            ["--area", CORNWALL, "--name", "Cornwall\nareas: [E06000033]"],
            "the board's name must be one line of text",
        ),
    ],
)
def test_a_profile_later_commands_would_refuse_is_not_written(
    project: Path, capsys, options: list[str], message: str
) -> None:
    # Cornwall given again by its DfE number, or a name whose line break would end the profile's
    # heading comment: either profile, once written, would stop every board's runs.
    assert main(["board", "init", *options]) == 2
    assert message in capsys.readouterr().err
    assert sorted(p.name for p in (project / "schemas/boards").iterdir()) == [
        "southend",
        "thurrock",
    ]


def test_an_agency_code_another_board_gives_another_agency_leaves_no_profile(
    project: Path, capsys
) -> None:
    # Thurrock's profile already calls the police CORNWALL-POLICE (a hub's own naming): Cornwall's
    # scaffolded police under that code but another name would stop every board's runs.
    thurrock = project / "schemas/boards/thurrock/board.yaml"
    document = yaml.safe_load(thurrock.read_text())
    document["agencies"][4]["code"] = "CORNWALL-POLICE"
    thurrock.write_text(yaml.safe_dump(document, sort_keys=False))
    assert main(["board", "init", "--area", CORNWALL, "--name", "Cornwall LSCB"]) == 2
    error = capsys.readouterr().err
    assert error.startswith("lscb-metrics: board 'cornwall' was not set up: ")
    assert "agency CORNWALL-POLICE is 'Essex Police' (police) here but" in error
    assert sorted(p.name for p in (project / "schemas/boards").iterdir()) == [
        "southend",
        "thurrock",
    ]


def test_the_first_board_of_a_project_without_the_demo_boards_is_set_up(
    project: Path, capsys
) -> None:
    # A real partnership removes the demo boards before setting up its own: board init then
    # found no profiles and stopped, telling the user to run board init.
    for demo in ("southend", "thurrock"):
        shutil.rmtree(project / "schemas/boards" / demo)
    assert main(["board", "init", "--area", CORNWALL, "--name", "Cornwall LSCB"]) == 0
    assert (project / "schemas/boards/cornwall/board.yaml").is_file()
    assert "cornwall" in capsys.readouterr().out


def test_the_next_steps_name_no_demo_quarter(project: Path, capsys) -> None:
    # They told every new board to run the demo's 2014-15 Q2, ten years before its first return.
    assert main(["board", "init", "--area", CORNWALL, "--name", "Cornwall LSCB"]) == 0
    out = capsys.readouterr().out
    readme = (project / "schemas/boards/cornwall/README.md").read_text()
    for text in (out, readme):
        assert "2014-15" not in text
        assert "`lscb-metrics run --board cornwall` for the last complete quarter" in text
        assert "templates from data/curated/cornwall/templates (one per return)" in text
    # The README is kept with the profile, on other machines too: it named this machine's path.
    assert str(project) not in readme


def test_the_readme_names_every_local_file_init_writes(project: Path) -> None:
    # It named local_population.csv and local_comparators.csv only, not the board's records
    # and attendance register written beside them.
    assert main(["board", "init", "--area", CORNWALL, "--name", "Cornwall LSCB"]) == 0
    readme = " ".join((project / "schemas/boards/cornwall/README.md").read_text().split())
    written = sorted(path.name for path in (project / "data/raw/local/cornwall").iterdir())
    assert len(written) == 4
    assert [name for name in written if f"`{name}`" not in readme] == []


def test_an_authority_ons_names_city_of_is_named_as_its_partners_say_it(project: Path) -> None:
    # Bristol's board was set up as bristol-city-of, its agencies "Bristol, City of Police"
    # and "Bristol, City of Children's Services", from ONS's "Bristol, City of".
    name = "Keeping Bristol Safe Partnership"
    assert main(["board", "init", "--area", "E06000023", "--name", name]) == 0
    board = load_boards(project / "schemas").by_slug["bristol"]
    names = {agency.name for agency in board.agencies.values()}
    assert {"Bristol Children's Services", "Bristol Police"} <= names
    assert not any("City of" in agency for agency in names)


def test_a_partnerships_readme_shows_the_per_area_target_it_may_give(project: Path) -> None:
    both = ["--area", CORNWALL, "--area", SCILLY, "--name", "Cornwall and Scilly SCP"]
    assert main(["board", "init", *both, "--slug", "kernow"]) == 0
    folder = project / "schemas/boards/kernow"
    readme = (folder / "README.md").read_text()
    assert f"covering Cornwall ({CORNWALL}), Isles of Scilly ({SCILLY})." in readme
    example = f"{{{CORNWALL}: 45, {SCILLY}: 45}}"
    assert f"each area's, `{example}`" in readme
    # The example is a profile's own grammar: given as it stands, the board loads.
    profile = folder / "board.yaml"
    document = yaml.safe_load(profile.read_text())
    document["local_targets"] = {ASSESSMENT_TARGET: yaml.safe_load(example)}
    profile.write_text(yaml.safe_dump(document))
    board = load_boards(project / "schemas").by_slug["kernow"]
    assert board.local_targets_on(SCILLY, date(2025, 3, 31)) == {ASSESSMENT_TARGET: 45}


def test_a_partnership_of_councils_gets_each_councils_agencies_and_a_complete_quarter(
    project: Path, demo_reference
) -> None:
    # Bedford and Luton: each council's children's services and road safety send for its own
    # area; one children's services for both would be refused by neither council's returns and
    # named as neither.
    bedford, luton = "E06000055", "E06000032"
    name = "Bedford and Luton Safeguarding Children Partnership"
    assert main(["board", "init", "--area", bedford, "--area", luton, "--name", name]) == 0
    board = load_boards(project / "schemas").by_slug["bedford"]
    by_code = {code: (a.name, a.areas) for code, a in board.agencies.items()}
    assert by_code == {
        "BEDFORD-CSC": ("Bedford Children's Services", (bedford,)),
        "LUTON-CSC": ("Luton Children's Services", (luton,)),
        "BEDFORD-POLICE": ("Bedford and Luton Police", ()),
        "BEDFORD-HEALTH": ("Bedford and Luton Health providers", ()),
        "BEDFORD-SCHOOLS": ("Bedford and Luton Schools", ()),
        "BEDFORD-PROBATION": ("Bedford and Luton Probation", ()),
        "BEDFORD-ROAD": ("Bedford Road Safety", (bedford,)),
        "LUTON-ROAD": ("Luton Road Safety", (luton,)),
        "BEDFORD-CDOP": ("Bedford and Luton Child Death Overview Panel", ()),
    }
    templates = project / "data/curated/bedford/templates"
    guidance = openpyxl.load_workbook(templates / "referrals.xlsx")["Guidance"]
    offered = " ".join(str(cell) for row in guidance.iter_rows(values_only=True) for cell in row)
    assert "BEDFORD-CSC" in offered and "LUTON-CSC" in offered

    # Each agency fills the templates for each area it sends for: the quarter is complete.
    quarter = parse_quarter("2014-15-Q2")
    returns = project / "data/raw/returns"
    children = {bedford: 38_000, luton: 56_000}
    fill_templates(board, project / "schemas", templates, quarter, children, returns)
    run_settings = settings()
    reference = replace(demo_reference, boards=load_boards(project / "schemas"))
    submissions = received_returns(run_settings, reference)
    assert {s.status for s in submissions} == {"accepted"}, [
        f.message for s in submissions for f in s.failures
    ]
    plan = pipeline.compute_run(run_settings, quarter, submissions, reference, datetime.now(UTC))
    [outcome] = [o for o in plan.summary.boards if o.board.slug == "bedford"]
    assert (outcome.outcome, outcome.missing) == ("complete", [])


NORTHAMPTONSHIRE = ("E10000021", "E06000061", "E06000062")  # split in April 2021
PAN_DORSET = ("E06000028", "E06000029", "E10000009", "E06000058", "E06000059")  # April 2019


@pytest.mark.parametrize(
    ("areas", "reorganised"),
    [(NORTHAMPTONSHIRE, parse_quarter("2021-22-Q1")), (PAN_DORSET, parse_quarter("2019-20-Q1"))],
)
def test_a_partnership_over_a_reorganisation_has_one_childrens_services_per_area_each_quarter(
    project: Path, areas: tuple[str, ...], reorganised
) -> None:
    # Northamptonshire's children's services were expected to go on sending after the split,
    # and offered in every template; Dorset county's had none, the Dorset unitary's code (from
    # the same name) sending for the unitary alone.
    init = ["board", "init", "--name", "Partnership", "--slug", "partnership"]
    assert main([*init, *(option for area in areas for option in ("--area", area))]) == 0
    board = load_boards(project / "schemas").by_slug["partnership"]
    for quarter in (reorganised.previous(), reorganised):
        senders = {
            area: [
                agency.code
                for agency in board.agencies.values()
                if "referrals" in agency.returns
                and agency.sends_in(quarter.end)
                and agency.sends_for(area)
            ]
            for area in board.areas_on(quarter.end)
        }
        assert all(len(codes) == 1 for codes in senders.values()), (quarter, senders)


def test_a_split_councils_own_agencies_follow_their_councils_quarters(project: Path) -> None:
    init = ["board", "init", "--name", "Northamptonshire SCP", "--slug", "northants"]
    assert main([*init, *(option for area in NORTHAMPTONSHIRE for option in ("--area", area))]) == 0
    board = load_boards(project / "schemas").by_slug["northants"]
    spans = {
        code: (agency.areas, agency.span)
        for code, agency in board.agencies.items()
        if code.endswith("-CSC")
    }
    county, north, west = NORTHAMPTONSHIRE
    assert spans == {
        "NORTHAMPTONSHIRE-CSC": ((county,), "until 2020-21 Q4"),
        "NORTH-NORTHAMPTONSHIRE-CSC": ((north,), "from 2021-22 Q1"),
        "WEST-NORTHAMPTONSHIRE-CSC": ((west,), "from 2021-22 Q1"),
    }
    # The partnership's own agencies are named after the councils in being ...
    assert board.agencies["NORTHANTS-POLICE"].name == (
        "North Northamptonshire and West Northamptonshire Police"
    )
    # ... the abolished council's no longer offered in the templates ...
    templates = project / "data/curated/northants/templates"
    guidance = openpyxl.load_workbook(templates / "referrals.xlsx")["Guidance"]
    offered = {row[0] for row in guidance.iter_rows(values_only=True)}
    assert {"NORTH-NORTHAMPTONSHIRE-CSC", "WEST-NORTHAMPTONSHIRE-CSC"} <= offered
    assert "NORTHAMPTONSHIRE-CSC" not in offered
    # ... and the README says whose returns come for which quarters.
    readme = (project / "schemas/boards/northants/README.md").read_text()
    assert "| Northamptonshire Children's Services (until 2020-21 Q4) |" in readme
