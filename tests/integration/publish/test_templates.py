"""write_template: a partner's filled-in template round-trips through read_return and
validate_return; the template's own Excel validation and protection match the declaration."""

from __future__ import annotations

import re
import shutil
import time
from dataclasses import replace
from datetime import date
from pathlib import Path

import openpyxl
import pytest

from lscb_metrics.board_setup import scaffold_board
from lscb_metrics.boards import Board, load_boards
from lscb_metrics.config import settings
from lscb_metrics.errors import ConfigurationError
from lscb_metrics.periods import FIRST_YEAR, Quarter, parse_quarter
from lscb_metrics.publish import write_template
from lscb_metrics.reference import la_lookup, load_areas
from lscb_metrics.returns import (
    ReturnSpec,
    ValidationResult,
    load_cover_fields,
    load_return_specs,
    read_return,
    validate_return,
)
from lscb_metrics.returns.spec import ASSESSMENT_TARGET

RETURN_TYPES = sorted(load_return_specs())
# Realistic figures that pass every declared check (sources add up to the total, etc.).
FIGURES = {
    "referrals": [
        {
            "referrals": 450,
            "rereferrals_within_12_months": 100,
            "referrals_source_police": 150,
            "referrals_source_schools": 100,
            "referrals_source_health": 80,
            "referrals_source_family_public": 40,
            "referrals_source_other": 80,
            "referrals_to_assessment": 420,
            "section_47_enquiries": 110,
            "children_in_need": 1050,
        }
    ],
    "training": [
        {"staff_requiring_training": 120 * level, "staff_trained_in_date": 100 * level}
        for level in range(1, 5)
    ],
}

SOUTHEND = load_boards().by_slug["southend"]


@pytest.fixture(scope="module")
def lookup() -> dict[str, tuple[str, str, str | None]]:
    """ONS and DfE codes of every local authority, as validation looks them up."""
    return la_lookup(load_areas(settings().reference_dir))


def figures(spec: ReturnSpec) -> list[dict[str, int]]:
    """Figures for each data row of `spec`: FIGURES, else 0 counts, the lowest integers and
    Southend's own local targets (BRD-003)."""
    if spec.return_type in FIGURES:
        return FIGURES[spec.return_type]
    targets = SOUTHEND.local_targets_on("E06000033", date.max)
    return [
        {
            c.name: targets[c.local_target] if c.local_target else c.minimum or 0
            for c in spec.columns
            if c.type in ("count", "integer")
        }
    ]


def filled(
    template: Path, spec: ReturnSpec, agency: str, rows: list[dict[str, int]], out: Path
) -> Path:
    """`template` filled in as a partner would, saved to `out`."""
    workbook = openpyxl.load_workbook(template)
    cover = workbook["Cover"]
    values = {"Agency code": agency, "Local authority code": "E06000033"}
    values |= {"Period start": date(2014, 7, 1), "Period end": date(2014, 9, 30)}
    for label, value in cover.iter_rows(min_row=3, max_col=2):
        if label.value in values:
            value.value = values[label.value]
    data = workbook["Data"]
    titles = {c.title: c.name for c in spec.columns}
    header = [titles[cell.value] for cell in data[1]]
    for row, figures_ in enumerate(rows, start=2):
        for column, name in enumerate(header, start=1):
            if name in figures_:
                data.cell(row=row, column=column, value=figures_[name])
    workbook.save(out)
    return out


def validated(path: Path, schemas_dir: Path, lookup: dict) -> ValidationResult:
    """read_return then validate_return of `path`, against the declarations in `schemas_dir`."""
    specs = load_return_specs(schemas_dir)
    raw = read_return(path, specs, load_cover_fields(schemas_dir))
    return validate_return(raw, specs, load_boards(schemas_dir), lookup)


@pytest.mark.parametrize("return_type", RETURN_TYPES)
def test_a_filled_template_is_accepted(
    return_type: str, schemas_dir: Path, tmp_path: Path, lookup: dict
) -> None:
    spec = load_return_specs(schemas_dir)[return_type]
    agency = next(
        a
        for a in load_boards(schemas_dir).by_slug["southend"].agencies.values()
        if return_type in a.returns
    )
    template = write_template(return_type, schemas_dir, tmp_path / f"{return_type}.xlsx", SOUTHEND)
    path = filled(template, spec, agency.code, figures(spec), tmp_path / "filled.xlsx")
    result = validated(path, schemas_dir, lookup)
    assert result.valid, [f.message for f in result.failures]
    assert result.cover is not None and result.cover.return_type == return_type
    assert result.cover.period_end == date(2014, 9, 30)
    assert len(result.data) == len(figures(spec))


@pytest.mark.parametrize("return_type", ["referrals", "training"])
def test_a_negative_count_is_rejected(
    return_type: str, schemas_dir: Path, tmp_path: Path, lookup: dict
) -> None:
    spec = load_return_specs(schemas_dir)[return_type]
    agency = next(
        a
        for a in load_boards(schemas_dir).by_slug["southend"].agencies.values()
        if return_type in a.returns
    )
    template = write_template(return_type, schemas_dir, tmp_path / "template.xlsx", SOUTHEND)
    rows = [dict(row) for row in FIGURES[return_type]]
    count = next(c.name for c in spec.columns if c.type == "count")
    rows[0][count] = -3
    result = validated(
        filled(template, spec, agency.code, rows, tmp_path / "bad.xlsx"), schemas_dir, lookup
    )
    assert not result.valid
    assert [f.code for f in result.errors if f.column == count] == ["VAL-002"]


def test_cover_layout_and_excel_validation(schemas_dir: Path, tmp_path: Path) -> None:
    workbook = openpyxl.load_workbook(
        write_template("training", schemas_dir, tmp_path / "t.xlsx", SOUTHEND)
    )
    cover = workbook["Cover"]
    assert cover["A1"].value and cover["A1"].font.bold
    fields = load_cover_fields(schemas_dir)
    assert [cover.cell(row=3 + n, column=1).value for n in range(len(fields))] == [
        f.title for f in fields
    ]
    assert cover["B3"].value == "training"
    by_cell = {str(v.sqref): v for v in cover.data_validations.dataValidation}
    senders = sorted(
        a.code
        for a in load_boards(schemas_dir).by_slug["southend"].agencies.values()
        if "training" in a.returns
    )
    assert by_cell["B4"].type == "list"
    assert by_cell["B4"].formula1.strip('"').split(",") == senders
    assert by_cell["B6"].type == by_cell["B7"].type == "date"
    assert all(v.showInputMessage and v.prompt for v in by_cell.values())
    assert cover.protection.sheet and cover["B3"].protection.locked
    assert not cover["B4"].protection.locked


def test_data_sheet_validation_and_protection(schemas_dir: Path, tmp_path: Path) -> None:
    spec = load_return_specs(schemas_dir)["training"]
    workbook = openpyxl.load_workbook(
        write_template("training", schemas_dir, tmp_path / "t.xlsx", SOUTHEND)
    )
    data = workbook["Data"]
    assert [cell.value for cell in data[1]] == [c.title for c in spec.columns]
    assert [data.cell(row=r, column=1).value for r in range(2, 6)] == list(
        spec.column("training_level").allowed
    )
    validations = {str(v.sqref): v for v in data.data_validations.dataValidation}
    assert validations["A2:A5"].type == "list"
    for letter in ("B", "C"):
        count = validations[f"{letter}2:{letter}5"]
        assert (count.type, count.operator, count.formula1) == ("whole", "greaterThanOrEqual", "0")
        assert count.showInputMessage and count.prompt
    assert data.protection.sheet
    assert all(cell.protection.locked for cell in data[1])
    assert not data["B2"].protection.locked and not data["C5"].protection.locked


def test_guidance_lists_columns_and_checks(schemas_dir: Path, tmp_path: Path) -> None:
    spec = load_return_specs(schemas_dir)["referrals"]
    workbook = openpyxl.load_workbook(
        write_template("referrals", schemas_dir, tmp_path / "r.xlsx", SOUTHEND)
    )
    text = [cell for row in workbook["Guidance"].iter_rows(values_only=True) for cell in row]
    for column in spec.columns:
        assert column.title in text
        if column.description:
            assert column.description in text
    for check in spec.checks:
        assert check.code in text and check.message in text
    assert "Re-referrals within 12 months <= Referrals received" in text


def test_guidance_names_the_agency_of_each_code_in_the_drop_down(
    schemas_dir: Path, tmp_path: Path
) -> None:
    workbook = openpyxl.load_workbook(
        write_template("training", schemas_dir, tmp_path / "t.xlsx", SOUTHEND)
    )
    [agencies] = [v for v in workbook["Cover"].data_validations.dataValidation if v.sqref == "B4"]
    rows = list(workbook["Guidance"].iter_rows(values_only=True))
    named = {row[0]: row[1] for row in rows if row[0] in SOUTHEND.agencies}
    codes = agencies.formula1.strip('"').split(",")
    assert named == {code: SOUTHEND.agencies[code].name for code in codes}
    assert named["SEH"] == "South Essex Homes"
    cover = workbook["Cover"]
    assert "the Guidance sheet gives the agency each code stands for" in cover["C4"].value


def test_an_unknown_return_type_is_refused(schemas_dir: Path, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown return type"):
        write_template("no_such_return", schemas_dir, tmp_path / "x.xlsx", SOUTHEND)


def test_a_return_no_agency_of_the_board_sends_is_refused(
    schemas_dir: Path, tmp_path: Path
) -> None:
    # `board init`'s default agencies send no casework return: its template offered an empty
    # agency drop-down, and whatever a partner typed there was refused on receipt.
    board = replace(
        SOUTHEND,
        agencies={c: a for c, a in SOUTHEND.agencies.items() if "casework" not in a.returns},
    )
    out = tmp_path / "casework.xlsx"
    with pytest.raises(ConfigurationError) as refused:
        write_template("casework", schemas_dir, out, board)
    assert str(refused.value) == (
        f"no agency of {SOUTHEND.name} sends casework returns: add casework to the returns of "
        "the agency that sends it in schemas/boards/southend/board.yaml"
    )
    assert not out.exists()


CORNWALL = "E06000052"  # Cornwall: DfE number 908
CORNWALL_NAME = "Cornwall and the Isles of Scilly Safeguarding Children Partnership"
#: What a template of another board must not show: the demo board's name and its area's codes.
DEMO_BOARD = re.compile(r"Southend|E06000033|\b882\b")


def template_texts(path: Path) -> str:
    """Every cell of a template and every input message of its data validation, as text."""
    workbook = openpyxl.load_workbook(path)
    cells = [str(v) for sheet in workbook for row in sheet.iter_rows(values_only=True) for v in row]
    prompts = [
        f"{validation.prompt} {validation.error}"
        for sheet in workbook
        for validation in sheet.data_validations.dataValidation
    ]
    return " ".join([*cells, *prompts])


@pytest.fixture(scope="module")
def new_board_templates(
    tmp_path_factory: pytest.TempPathFactory, project_root: Path
) -> tuple[Board, list[Path]]:
    """A board scaffolded for Cornwall (`board init`) in a copy of the schemas, and the templates
    set-up wrote for its partners."""
    root = tmp_path_factory.mktemp("new-board")
    shutil.copytree(project_root / "schemas", root / "schemas")
    new_settings = replace(
        settings(warehouse=str(root / "warehouse.duckdb")),
        root=root,
        local_dir=root / "local",
        curated_dir=root / "curated",
    )
    scaffold = scaffold_board(new_settings, [CORNWALL], CORNWALL_NAME)
    board = load_boards(root / "schemas").by_slug[scaffold.slug]
    return board, sorted((root / "curated" / scaffold.slug / "templates").glob("*.xlsx"))


def test_a_new_boards_templates_name_it_and_give_its_own_area_as_the_example(
    new_board_templates: tuple[Board, list[Path]],
) -> None:
    board, templates = new_board_templates
    assert board.name == CORNWALL_NAME and board.areas == (CORNWALL,)
    assert len(templates) == len({r for a in board.agencies.values() for r in a.returns})
    example = "ONS code (E06000052) or DfE three-digit number (908)"
    for path in templates:
        workbook = openpyxl.load_workbook(path)
        cover, guidance = workbook["Cover"], workbook["Guidance"]
        assert cover["A1"].value.endswith(f"quarterly return to the {CORNWALL_NAME}"), path
        [area_row] = [
            row for row in cover.iter_rows(min_row=3) if row[0].value == "Local authority code"
        ]
        value_cell, help_cell = area_row[1], area_row[2]
        assert help_cell.value.startswith(example)
        [validation] = [
            v for v in cover.data_validations.dataValidation if value_cell.coordinate in v.sqref
        ]
        assert validation.prompt.startswith(example)
        assert validation.formula1 == f'"{CORNWALL}"'
        guidance_texts = {row[0]: row[1] for row in guidance.iter_rows(values_only=True)}
        assert guidance_texts["Local authority code"].startswith(example)
        assert not DEMO_BOARD.search(template_texts(path)), path
        assert "{" not in template_texts(path), path


def test_the_demo_boards_templates_keep_their_own_names_and_codes(
    schemas_dir: Path, tmp_path: Path
) -> None:
    workbook = openpyxl.load_workbook(
        write_template("referrals", schemas_dir, tmp_path / "r.xlsx", SOUTHEND)
    )
    assert workbook["Cover"]["A1"].value.endswith(
        ": quarterly return to the Southend Local Safeguarding Children Board"
    )
    assert workbook["Cover"]["C5"].value.startswith(
        "ONS code (E06000033) or DfE three-digit number (882)"
    )


def test_a_template_written_again_has_the_same_bytes(schemas_dir: Path, tmp_path: Path) -> None:
    """Each edition writes the partner templates again: unchanged, they must not look new."""
    first = write_template("training", schemas_dir, tmp_path / "a.xlsx", SOUTHEND).read_bytes()
    time.sleep(1.1)  # openpyxl stamps the time of saving, to the second
    again = write_template("training", schemas_dir, tmp_path / "b.xlsx", SOUTHEND).read_bytes()
    assert first == again


CUMBRIA, CUMBERLAND, WESTMORLAND = "E10000006", "E06000063", "E06000064"


def test_a_template_offers_the_areas_in_being_in_its_quarter(
    schemas_dir: Path, tmp_path: Path
) -> None:
    # A partnership across Cumbria's split (April 2023): partners filling in 2022-23 Q4 send for
    # the county, and from 2023-24 Q1 for Cumberland and Westmorland and Furness only; an
    # abolished code offered would only be refused (BRD-004).
    board = replace(SOUTHEND, areas=(CUMBRIA, CUMBERLAND, WESTMORLAND))

    def offered(label: str) -> tuple[str, str]:
        """The area drop-down's choices and the example of a template for quarter `label`."""
        path = tmp_path / f"{label}.xlsx"
        write_template("referrals", schemas_dir, path, board, quarter=parse_quarter(label))
        cover = openpyxl.load_workbook(path)["Cover"]
        [area_row] = [
            row for row in cover.iter_rows(min_row=3) if row[0].value == "Local authority code"
        ]
        [validation] = [
            v for v in cover.data_validations.dataValidation if area_row[1].coordinate in v.sqref
        ]
        return validation.formula1, area_row[2].value

    choices, example = offered("2022-23-Q4")
    assert choices == f'"{CUMBRIA}"'
    assert example.startswith(f"ONS code ({CUMBRIA}) or DfE three-digit number (909)")
    choices, example = offered("2023-24-Q1")
    assert choices == f'"{CUMBERLAND},{WESTMORLAND}"'
    assert example.startswith(f"ONS code ({CUMBERLAND}) or DfE three-digit number (942)")


def test_the_assessments_template_gives_each_areas_local_target(
    schemas_dir: Path, tmp_path: Path
) -> None:
    # BRD-003 refuses any other value: the partner reads before sending what to enter.
    def guidance(board: Board) -> str:
        path = tmp_path / f"{board.slug}.xlsx"
        write_template("assessments", schemas_dir, path, board, quarter=parse_quarter("2014-15-Q2"))
        [row] = [
            row
            for row in openpyxl.load_workbook(path)["Guidance"].values
            if row[0] == "Local target (working days)"
        ]
        return str(row[2])

    assert guidance(SOUTHEND).endswith(" Enter 40.")
    targets = {"E06000033": 40, "E06000034": 45}
    changes = {code: ((Quarter(FIRST_YEAR, 1), days),) for code, days in targets.items()}
    partnership = replace(
        SOUTHEND,
        slug="south-essex",
        areas=tuple(targets),
        local_targets={ASSESSMENT_TARGET: changes},
    )
    assert guidance(partnership).endswith(
        " Enter 40 for Southend-on-Sea (E06000033), 45 for Thurrock (E06000034)."
    )
