"""`lscb-metrics board init` in a copy of the project: an area another board covers is refused,
naming the area and that board."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest
import yaml

from lscb_metrics.boards import load_boards
from lscb_metrics.cli import main
from lscb_metrics.returns.spec import ASSESSMENT_TARGET
from tests.stages import project_copy

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


def test_a_partnerships_readme_shows_the_per_area_target_it_may_give(project: Path) -> None:
    both = ["--area", CORNWALL, "--area", SCILLY, "--name", "Cornwall and Scilly SCP"]
    assert main(["board", "init", *both, "--slug", "kernow"]) == 0
    folder = project / "schemas/boards/kernow"
    readme = (folder / "README.md").read_text()
    example = f"{{{CORNWALL}: 45, {SCILLY}: 45}}"
    assert f"each area's, `{example}`" in readme
    # The example is a profile's own grammar: given as it stands, the board loads.
    profile = folder / "board.yaml"
    document = yaml.safe_load(profile.read_text())
    document["local_targets"] = {ASSESSMENT_TARGET: yaml.safe_load(example)}
    profile.write_text(yaml.safe_dump(document))
    board = load_boards(project / "schemas").by_slug["kernow"]
    assert board.local_targets_on(SCILLY, date(2025, 3, 31)) == {ASSESSMENT_TARGET: 45}
