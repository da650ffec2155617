"""Validation rules: for every rule code, a return that passes it and one that fails it."""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lscb_metrics.board_setup import rule_sides, satisfying
from lscb_metrics.boards import load_boards
from lscb_metrics.intake.declarations import label_key
from lscb_metrics.intake.rules import RETURN_RULES, RULES, shown
from lscb_metrics.periods import Quarter
from lscb_metrics.returns import (
    ColumnSpec,
    ReturnSpec,
    ValidationResult,
    load_cover_fields,
    load_return_specs,
    read_return,
    validate_file,
    validate_return,
)
from lscb_metrics.returns.validate import return_schema, whole_number

from .conftest import (
    LA_LOOKUP,
    SCHEMAS,
    SOUTHEND,
    ReturnTable,
    cover,
    write_csv,
)

Validate = Callable[..., ValidationResult]
Write = Callable[[ReturnTable, str], Path]
SPECS = load_return_specs(SCHEMAS)
BOARDS = load_boards(SCHEMAS)
AGENCIES = BOARDS.by_slug["southend"].agencies
SOUTHEND_TARGETS = BOARDS.by_slug["southend"].local_targets_on("E06000033", date.max)
COVER_FIELDS = load_cover_fields(SCHEMAS)


@dataclass(frozen=True)
class Case:
    """A change that breaks one rule, and where each format reports it."""

    id: str
    code: str
    table: str  # fixture holding the valid return it starts from
    change: Callable[[ReturnTable], None]
    locations: dict[str, str]  # file format -> expected location
    phrase: str
    expected_return_type: str | None = None


def _cover(label: str, value: object) -> Callable[[ReturnTable], None]:
    """Set a cover value."""
    return lambda table: table.cover.__setitem__(label, value)


def _cell(row: int, column: str, value: object) -> Callable[[ReturnTable], None]:
    """Set a data cell."""
    return lambda table: table.set(row, column, value)


def _no_agency(table: ReturnTable) -> None:
    del table.cover["Agency code"]


def _no_rows(table: ReturnTable) -> None:
    table.rows.clear()


def _empty_data_sheet(table: ReturnTable) -> None:
    table.header.clear()
    table.rows.clear()


def _second_agency_label(table: ReturnTable) -> None:
    table.extra_cover_rows.append(("Agency", "SBC-CSC"))


def _second_agency_column(table: ReturnTable) -> None:
    table.cover["agency"] = "SBC-CSC"


def _agency_changes_on_row_2(table: ReturnTable) -> None:
    table.row_cover[1] = {"Agency code": "SEPT"}


def _drop_police(table: ReturnTable) -> None:
    table.drop_column("Referrals from police")


def _add_notes(table: ReturnTable) -> None:
    table.add_column("Notes", ["checked by J"])


def _add_second_referrals(table: ReturnTable) -> None:
    table.add_column("Total referrals", [100])


def _repeat_level_1(table: ReturnTable) -> None:
    table.set(1, "Training level", "level_1")


def _title_above_header(table: ReturnTable) -> None:
    table.rows.insert(0, list(table.header))
    table.header = ["Quarterly figures", *[None] * (len(table.header) - 1)]


def _without_headings(table: ReturnTable) -> None:
    table.headings = False


def _add_totals_row(table: ReturnTable) -> None:
    table.rows.append(["Grand Total", 395, 363])


def _split_last_figure(table: ReturnTable) -> None:
    # '1,000' written unquoted, as a text editor or a partner's own system writes it
    table.rows[0][-1:] = [1, "000"]


BOTH = ("xlsx", "csv")
CASES = [
    Case(
        "missing-field",
        "COV-001",
        "referrals",
        _no_agency,
        {"xlsx": "Cover", "csv": "line 1"},
        "'Agency code' is missing or blank",
    ),
    Case(
        "blank-field",
        "COV-001",
        "referrals",
        _cover("Agency code", None),
        {"xlsx": "Cover!B4", "csv": 'line 2, column "Agency code"'},
        "'Agency code' is missing or blank",
    ),
    Case(
        "unknown-return",
        "COV-002",
        "referrals",
        _cover("Return type", "referals"),
        {"xlsx": "Cover!B3", "csv": 'line 2, column "Return type"'},
        # a cover code that is not ours is described, never quoted: it may be a child's name
        "text in 'Return type' is not a return we collect (the nearest is referrals)",
    ),
    Case(
        "unknown-agency",
        "COV-003",
        "referrals",
        _cover("Agency code", "NHS-X"),
        {"xlsx": "Cover!B4", "csv": 'line 2, column "Agency code"'},
        "text in 'Agency code' is not a known agency code. Use one of: SBC-CSC",
    ),
    Case(
        "agency-not-allowed",
        "COV-004",
        "referrals",
        _cover("Agency code", "SUH"),
        {"xlsx": "Cover!B4", "csv": 'line 2, column "Agency code"'},
        "SUH (Southend Hospital) does not send the Referrals",
    ),
    Case(
        "unknown-area",
        "COV-005",
        "referrals",
        _cover("Local authority code", "E06000999"),
        {"xlsx": "Cover!B5", "csv": 'line 2, column "Local authority code"'},
        # an area code's shape cannot name anyone: quoted, so the partner sees what was read
        "'E06000999' in 'Local authority code' is not a local authority code we know",
    ),
    Case(
        "not-a-quarter",
        "COV-006",
        "referrals",
        _cover("Period end", date(2014, 10, 31)),
        {"xlsx": "Cover!B6", "csv": 'line 2, column "Period start"'},
        "2014-07-01 to 2014-10-31 is not a financial quarter",
    ),
    Case(
        "not-a-date",
        "COV-007",
        "referrals",
        _cover("Period start", "July 2014"),
        {"xlsx": "Cover!B6", "csv": 'line 2, column "Period start"'},
        "text in 'Period start' is not a date",
    ),
    Case(
        "wrong-return",
        "COV-008",
        "referrals",
        lambda table: None,
        {"xlsx": "Cover!B3", "csv": 'line 2, column "Return type"'},
        "this file is a referrals return but a cp_plans return was expected",
        expected_return_type="cp_plans",
    ),
    Case(
        "cover-differs",
        "COV-009",
        "training",
        _agency_changes_on_row_2,
        {"csv": 'line 3, column "Agency code"'},
        "'SEPT' in 'Agency code' differs from 'SUH' on line 2",
    ),
    Case(
        "second-cover-label",
        "COV-010",
        "referrals",
        _second_agency_label,
        {"xlsx": "Cover!A8"},
        "'Agency' gives 'Agency code' a second time",
    ),
    Case(
        "second-cover-column",
        "COV-010",
        "referrals",
        _second_agency_column,
        {"csv": 'line 1, column "agency"'},
        "'agency' gives 'Agency code' a second time",
    ),
    Case(
        "columns-of-another-return",
        "COV-011",
        "referrals",
        _cover("Return type", "assessments"),
        {"xlsx": "Cover!B3", "csv": 'line 2, column "Return type"'},
        "'assessments' does not match the columns, which are those of the Referrals to",
    ),
    Case(
        "zero-width-space-in-agency",
        "COV-012",
        "referrals",
        _cover("Agency code", "SBC\u200b-CSC"),
        {"xlsx": "Cover!B4", "csv": 'line 2, column "Agency code"'},
        "'SBC\\u200b-CSC' in 'Agency code' holds a character you cannot see",
    ),
    Case(
        "missing-column",
        "COL-001",
        "referrals",
        _drop_police,
        {"xlsx": "Data!1:1", "csv": "line 1"},
        "there is no 'Referrals from police' column",
    ),
    Case(
        "unexpected-column",
        "COL-002",
        "referrals",
        _add_notes,
        {"xlsx": "Data!K1", "csv": "line 1, column 16"},
        "text heading this column is not one of the Referrals to children's social care (front "
        "door) return's headings, so the column was ignored. The return's columns are headed: "
        "'Referrals received', ",
    ),
    Case(
        "duplicate-column",
        "COL-003",
        "referrals",
        _add_second_referrals,
        {"xlsx": "Data!K1", "csv": 'line 1, column "Total referrals"'},
        "'Total referrals' heading this column names the same column as an earlier heading "
        "('Referrals received'). Keep one.",
    ),
    Case(
        "header-below-a-title",
        "COL-004",
        "referrals",
        _title_above_header,
        {"xlsx": "Data!2:2", "csv": "line 2"},
        "the column headers are in this row, below the first. Delete the rows above them",
    ),
    Case(
        "csv-without-its-headings",
        "COL-005",
        "referrals",
        _without_headings,
        {"csv": "line 1"},
        # One mistake, one error: not each of the five cover columns reported missing.
        "the first line holds figures where the headings belong, so none of the cover columns",
    ),
    Case(
        "not-a-number",
        "VAL-001",
        "referrals",
        _cell(0, "Referrals received", "N/A"),
        {"xlsx": "Data!A2", "csv": 'line 2, column "Referrals received"'},
        # Letters among the figures are described, never quoted: they may name a child.
        "text in 'Referrals received' is not a whole number. Enter 0 if there were none.",
    ),
    Case(
        "fraction",
        "VAL-001",
        "referrals",
        _cell(0, "Referrals from health services", 2.5),
        {"xlsx": "Data!E2", "csv": 'line 2, column "Referrals from health services"'},
        "'2.5' in 'Referrals from health services' is not a whole number",
    ),
    Case(
        "dash",
        "VAL-001",
        "referrals",
        _cell(0, "Referrals from schools", "-"),
        {"xlsx": "Data!D2", "csv": 'line 2, column "Referrals from schools"'},
        "''-' in 'Referrals from schools' is not a whole number",
    ),
    Case(
        "negative",
        "VAL-002",
        "referrals",
        _cell(0, "Referrals from police", -5),
        {"xlsx": "Data!C2", "csv": 'line 2, column "Referrals from police"'},
        "'-5' in 'Referrals from police' is negative",
    ),
    Case(
        "above-max",
        "VAL-003",
        "assessments",
        _cell(0, "Local target (working days)", 50),
        {"xlsx": "Data!D2", "csv": 'line 2, column "Local target (working days)"'},
        "'50' in 'Local target (working days)' is out of range. Enter a whole number from 1 to 45",
    ),
    Case(
        "below-min",
        "VAL-003",
        "assessments",
        _cell(0, "Local target (working days)", 0),
        {"xlsx": "Data!D2", "csv": 'line 2, column "Local target (working days)"'},
        "'0' in 'Local target (working days)' is out of range",
    ),
    Case(
        "not-the-boards-local-target",
        "BRD-003",
        "assessments",
        _cell(0, "Local target (working days)", 35),
        {"xlsx": "Data!D2", "csv": 'line 2, column "Local target (working days)"'},
        "'35' in 'Local target (working days)' is not Southend Local Safeguarding Children "
        "Board's local target for Southend-on-Sea, 40",
    ),
    Case(
        "too-large",
        "VAL-003",
        "referrals",
        _cell(0, "Referrals received", "1" * 25),
        {"xlsx": "Data!A2", "csv": 'line 2, column "Referrals received"'},
        "is out of range. Enter a whole number from 0 to 9007199254740991.",
    ),
    Case(
        "code-not-allowed",
        "VAL-004",
        "training",
        _cell(0, "Training level", "level 9"),
        {"xlsx": "Data!A2", "csv": 'line 2, column "Training level"'},
        # words in a code column may be a name: described, with the code nearest to them
        "text in 'Training level' is not one of the column's codes (the nearest is level_4). "
        "Use one of: level_1, level_2",
    ),
    Case(
        "blank-cell",
        "VAL-005",
        "referrals",
        _cell(0, "Referrals from police", None),
        {"xlsx": "Data!C2", "csv": 'line 2, column "Referrals from police"'},
        "'Referrals from police' is blank. Enter 0 if there were none.",
    ),
    Case(
        "too-many-digits",
        "VAL-006",
        "referrals",
        _cell(0, "Referrals from police", "9" * 41),
        {"xlsx": "Data!C2", "csv": 'line 2, column "Referrals from police"'},
        "in 'Referrals from police' has more digits than any figure can have",
    ),
    Case(
        "no-rows",
        "ROW-001",
        "referrals",
        _no_rows,
        {"xlsx": "Data!2:2", "csv": "line 2"},
        "there are no rows of figures below the header",
    ),
    Case(
        # One failure for the sheet, not one per missing column beside "no rows".
        "empty-data-sheet",
        "ROW-005",
        "training",
        _empty_data_sheet,
        {"xlsx": "Data!1:1"},
        "the sheet is empty. Type the column headings in its first row ('Training level', "
        "'Staff requiring training', 'Staff trained and in date')",
    ),
    Case(
        "repeated-key",
        "ROW-002",
        "training",
        _repeat_level_1,
        {"xlsx": "Data!A3", "csv": 'line 3, column "Training level"'},
        "'level_1' is already given on an earlier row. Give each Training level once.",
    ),
    Case(
        "totals-row",
        "ROW-003",
        "training",
        _add_totals_row,
        {"xlsx": "Data!6:6", "csv": "line 6"},
        "this looks like a totals row ('Grand Total'). Delete it",
    ),
    Case(
        "line-longer-than-header",
        "ROW-004",
        "referrals",
        _split_last_figure,
        {"csv": "line 2"},
        "this line has 16 values but the header names 15 columns",
    ),
]
FORMAT_CASES = [
    pytest.param(case, file_format, id=f"{case.code}-{case.id}-{file_format}")
    for case in CASES
    for file_format in BOTH
    if file_format in case.locations
]


def _written(
    case: Case, file_format: str, request: pytest.FixtureRequest, write: Write, broken: bool
) -> Path:
    """The case's starting return, broken by its change or not, written in `file_format`."""
    table = copy.deepcopy(request.getfixturevalue(case.table))
    if broken:
        case.change(table)
    return write(table, file_format)


@pytest.mark.parametrize(("case", "file_format"), FORMAT_CASES)
def test_rule_passes_on_the_valid_return(
    case: Case, file_format: str, request: pytest.FixtureRequest, write: Write, validate: Validate
) -> None:
    path = _written(case, file_format, request, write, broken=False)
    result = validate(path)
    assert case.code not in {f.code for f in result.failures}
    assert result.valid
    assert result.failures == []


@pytest.mark.parametrize(("case", "file_format"), FORMAT_CASES)
def test_rule_fails_with_location_and_message(
    case: Case, file_format: str, request: pytest.FixtureRequest, write: Write, validate: Validate
) -> None:
    path = _written(case, file_format, request, write, broken=True)
    result = validate(path, case.expected_return_type)
    matching = [f for f in result.failures if f.code == case.code]
    assert matching, [f.message for f in result.failures]
    failure = matching[0]
    assert failure.location == case.locations[file_format]
    assert case.phrase in failure.message
    assert failure.message.startswith(f"{failure.location}: ")
    assert failure.severity == RULES[case.code].severity
    assert result.valid == (failure.severity == "warning" and len(result.failures) == 1)


@pytest.mark.parametrize("rows", [1, 2], ids=["one-line", "two-lines"])
def test_a_csv_without_its_headings_gets_one_error_whatever_its_length(
    rows: int, tmp_path: Path, validate: Validate, referrals: ReturnTable
) -> None:
    # Its first line is read as the headings: not five missing cover columns, nor (with one
    # line) a return with no rows of figures.
    referrals.headings = False
    referrals.rows = [list(referrals.rows[0]) for _ in range(rows)]

    result = validate(write_csv(referrals, tmp_path / "figures.csv"))

    assert [f.code for f in result.failures] == ["COL-005"]


def test_unreadable_file_fails_ret_001(
    tmp_path: Path, specs: dict[str, ReturnSpec], agencies: dict, referrals: ReturnTable
) -> None:
    good = write_csv(referrals, tmp_path / "good.csv")
    assert validate_file(good, specs, BOARDS, LA_LOOKUP).failures == []
    bad = tmp_path / "bad.xlsx"
    bad.write_text("this is not a workbook", encoding="utf-8")
    result = validate_file(bad, specs, BOARDS, LA_LOOKUP)
    assert not result.valid
    [failure] = result.failures
    assert (failure.code, failure.location) == ("RET-001", "bad.xlsx")
    assert "bad.xlsx: this is not a readable Excel workbook" in failure.message


def test_every_rule_code_has_a_passing_and_a_failing_case() -> None:
    # RNG-001 judges a figure against earlier quarters, not one file: tests/unit/test_history.py;
    # BRD-001 and BRD-002 need two boards, BRD-004 a reorganised area, BRD-005 a partnership,
    # BRD-006 an agency that joined or left: tests/unit/test_boards.py.
    # REV-001 judges a resubmission against the series: tests/unit/test_revisions.py; RET-002 a
    # file over its time or memory budget: tests/integration/test_attacks_cli.py.
    tested = {case.code for case in CASES} | {"RET-001", "RNG-001", "BRD-001", "BRD-002", "BRD-004"}
    tested |= {"BRD-005", "BRD-006"}
    tested |= {"REV-001", "RET-002"}
    assert tested == {rule.code for rule in RETURN_RULES}


def _declared_checks() -> list:
    """A test parameter per declared cross-column check."""
    return [
        pytest.param(spec.return_type, check.code, id=check.code)
        for spec in SPECS.values()
        for check in spec.checks
    ]


def _generic_table(spec: ReturnSpec, agencies: dict) -> ReturnTable:
    """A valid one-row return of any declared type."""
    agency = next(a.code for a in agencies.values() if spec.return_type in a.returns)
    values = {c.name: 10 + 7 * i for i, c in enumerate(spec.columns) if c.type == "count"}
    values = satisfying(spec, values)
    values |= {c.name: SOUTHEND_TARGETS[c.local_target] for c in spec.columns if c.local_target}
    row = [
        c.allowed[0] if c.type == "code" else values.get(c.name, c.minimum or 0)
        for c in spec.columns
    ]
    return ReturnTable(cover(spec.return_type, agency), [c.title for c in spec.columns], [row])


def _breaking(spec: ReturnSpec, table: ReturnTable, code: str) -> ReturnTable:
    """The table with one value of the check's columns raised so that the check fails."""
    check = next(c for c in spec.checks if c.code == code)
    parts, _, bound = rule_sides(check.rule)
    beyond_any_bound = sum(v for v in table.rows[0] if isinstance(v, int)) + 1
    for name in [*parts, bound]:
        broken = copy.deepcopy(table)
        title = spec.column(name).title
        broken.set(0, title, table.rows[0][table.header.index(title)] + beyond_any_bound)
        frame = pd.DataFrame([dict(zip(spec.column_names, broken.rows[0], strict=True))])
        if not frame.eval(check.rule).iloc[0]:
            return broken
    raise AssertionError(f"cannot break {code}")


@pytest.mark.parametrize(("return_type", "code"), _declared_checks())
def test_declared_check_passes_and_fails(
    return_type: str,
    code: str,
    tmp_path: Path,
    specs: dict[str, ReturnSpec],
    agencies: dict,
    validate: Validate,
) -> None:
    spec = specs[return_type]
    table = _generic_table(spec, agencies)
    assert validate(write_csv(table, tmp_path / "valid.csv")).failures == []
    result = validate(write_csv(_breaking(spec, table, code), tmp_path / "broken.csv"))
    failure = next(f for f in result.failures if f.code == code)
    message = next(c.message for c in spec.checks if c.code == code)
    assert failure.location == "line 2"
    assert failure.message.startswith(f"line 2: {message} (")
    assert not result.valid


@pytest.mark.parametrize(
    ("police", "code"),
    [(-12, "VAL-002"), ("N/A", "VAL-001"), (None, "VAL-005"), (2**60, "VAL-003")],
)
def test_a_cell_failing_its_own_check_is_not_also_summed(
    police: object, code: str, write: Write, validate: Validate, referrals: ReturnTable
) -> None:
    # One mistake, one error: REF-X02 on this row could only say again that police is wrong.
    referrals.set(0, "Referrals from police", police)
    result = validate(write(referrals, "csv"))
    assert [(f.code, f.column) for f in result.failures] == [(code, "referrals_source_police")]


def test_valid_cells_that_do_not_add_up_still_fail_the_sum(
    write: Write, validate: Validate, referrals: ReturnTable
) -> None:
    # Police 31 instead of 30: by source 101, received 100. A bad cell elsewhere in the row is
    # not one the sum uses, so it hides nothing.
    referrals.set(0, "Referrals from police", 31)
    referrals.set(0, "Children in need at period end", -5)
    result = validate(write(referrals, "csv"))
    assert [f.code for f in result.failures] == ["VAL-002", "REF-X02"]
    assert "Referrals from police: 31" in result.failures[1].message


@pytest.mark.parametrize(
    ("target", "code"), [(60, "VAL-003"), (0, "VAL-003"), ("N/A", "VAL-001"), (35, "BRD-003")]
)
def test_a_local_target_failing_its_own_check_is_not_also_compared_with_the_boards(
    target: object, code: str, write: Write, validate: Validate, assessments: ReturnTable
) -> None:
    # One mistake, one error: 60 is out of range whatever the board's target; 35 is in range
    # and only then is it a target other than Southend's 40.
    assessments.set(0, "Local target (working days)", target)
    result = validate(write(assessments, "csv"))
    assert [(f.code, f.column) for f in result.failures] == [(code, "local_target_days")]


@pytest.mark.parametrize(
    ("level", "codes"), [("Jayden Smith", ["VAL-004", "VAL-004"]), ("level_1", ["ROW-002"])]
)
def test_a_key_failing_its_own_check_is_not_also_a_repeated_key(
    level: str, codes: list[str], write: Write, validate: Validate, training: ReturnTable
) -> None:
    # One mistake, one error: a name typed as the level on two rows is not a level given twice,
    # and is never quoted as one; a level of ours given twice is.
    training.set(0, "Training level", level)
    training.set(1, "Training level", level)
    result = validate(write(training, "csv"))
    assert [f.code for f in result.failures] == codes
    assert not any("Jayden" in f.message or "Jayden" in str(f.value) for f in result.failures)


# --- typing and cleaning ---------------------------------------------------------------------


def test_valid_return_is_typed(write: Write, validate: Validate, referrals: ReturnTable) -> None:
    result = validate(write(referrals, "xlsx"))
    assert result.valid
    assert result.return_type == "referrals"
    cover = result.cover
    assert cover is not None
    assert (cover.agency_code, cover.area_code, cover.area_name, cover.region_code) == (
        "SBC-CSC",
        *SOUTHEND,
    )
    assert (cover.period_start, cover.period_end) == (date(2014, 7, 1), date(2014, 9, 30))
    assert cover.quarter == Quarter(2014, 2)
    assert type(cover.period_start) is date
    assert (result.data.dtypes == "Int64").all()
    assert result.data.loc[2, "referrals"] == 100


def test_numbers_with_commas_and_spaces_are_accepted(
    write: Write, validate: Validate, referrals: ReturnTable
) -> None:
    referrals.set(0, "Children in need at period end", "1,234")
    referrals.set(0, "Section 47 enquiries started", " 12 ")
    referrals.set(0, "Referrals going on to a single assessment", "90.0")
    result = validate(write(referrals, "csv"))
    assert result.failures == []
    row = result.data.loc[2]
    assert (row["children_in_need"], row["section_47_enquiries"]) == (1234, 12)
    assert row["referrals_to_assessment"] == 90


def test_a_figure_split_by_an_unquoted_comma_is_refused_not_read_as_two(
    tmp_path: Path, validate: Validate, training: ReturnTable
) -> None:
    # 'Staff trained and in date' typed as 1,283 without quotes: read as 1 and an extra value
    path = write_csv(training, tmp_path / "training.csv")
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[2] = lines[2].rsplit(",", 1)[0] + ",1,283"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = validate(path)
    assert [(f.code, f.location) for f in result.failures] == [("ROW-004", "line 3")]
    assert 3 not in result.data.index


@pytest.mark.parametrize(
    ("value", "number"),
    [
        (3, 3),
        (3.0, 3),
        ("1,234,567", 1234567),
        (" 7 ", 7),
        ("+4", None),  # a spreadsheet reads a leading '+' as a formula (tests/corpus)
        ("\uff14", None),  # full-width digit
        ("\u00a04\u00a0", None),  # no-break spaces
        ("1" * 41, None),  # longer than any figure: refused unparsed
        ("-4", -4),
        ("2.5", None),
        ("1,23", None),
        ("N/A", None),
        ("-", None),
        ("", None),
        (None, None),
        (True, None),
        (float("nan"), None),
        (date(2014, 1, 1), None),
    ],
)
def test_whole_number(value: object, number: int | None) -> None:
    assert whole_number(value) == number


def test_codes_match_ignoring_case_and_punctuation(
    write: Write, validate: Validate, training: ReturnTable
) -> None:
    training.set(0, "Training level", "Level 1")
    result = validate(write(training, "xlsx"))
    assert result.failures == []
    assert result.data["training_level"].tolist() == ["level_1", "level_2", "level_3", "level_4"]


@pytest.mark.parametrize(
    ("la_code", "start", "end"),
    [
        (882, "01/07/2014", "30/09/2014"),
        ("882", "2014-07-01", "2014-09-30"),
        ("e06000033", date(2014, 7, 1), "2014-09-30T00:00:00"),
        # as LibreOffice (en-GB) and Excel write date cells to CSV in the format they show
        ("882", "01/07/14", "30/09/14"),
        ("882", "1/7/14", "30/9/14"),
        ("882", "01-Jul-14", "30-Sep-14"),
        ("882", "1 July 2014", "30 Sep 2014"),
        ("882", "01/07/2014 00:00", "30/09/2014 00:00"),
    ],
)
def test_cover_values_in_other_forms_are_accepted(
    write: Write,
    validate: Validate,
    referrals: ReturnTable,
    la_code: object,
    start: object,
    end: object,
) -> None:
    referrals.cover.update(
        {"Local authority code": la_code, "Period start": start, "Period end": end}
    )
    result = validate(write(referrals, "xlsx"))
    assert result.failures == []
    assert result.cover is not None
    assert result.cover.area_code == "E06000033"
    assert result.cover.quarter.label == "2014-15 Q2"


def test_a_month_first_date_is_never_read_as_the_quarter(
    write: Write, validate: Validate, referrals: ReturnTable
) -> None:
    # 1 July to 30 September written month first: 7 January, and no 30th month
    referrals.cover.update({"Period start": "7/1/14", "Period end": "9/30/14"})
    result = validate(write(referrals, "csv"))
    assert result.cover is None
    assert [(f.code, f.column) for f in result.failures] == [("COV-007", "period_end")]


def test_cover_labels_may_be_aliases_and_return_type_a_title(
    write: Write, validate: Validate, referrals: ReturnTable
) -> None:
    referrals.cover = {
        "RETURN": "Referrals to children's social care (front door)",
        "organisation code": "sbc-csc",
        "LA": "E06000033",
        "From": date(2014, 7, 1),
        "To": date(2014, 9, 30),
    }
    result = validate(write(referrals, "csv"))
    assert result.failures == []
    assert result.cover is not None
    assert (result.return_type, result.cover.agency_code) == ("referrals", "SBC-CSC")


def test_a_blank_row_is_ignored(write: Write, validate: Validate, training: ReturnTable) -> None:
    training.rows.insert(1, [None, None, None])
    result = validate(write(training, "xlsx"))
    assert result.failures == []
    assert result.data.index.tolist() == [2, 4, 5, 6]


def test_every_problem_is_reported_at_once(
    write: Write, validate: Validate, referrals: ReturnTable
) -> None:
    referrals.cover["Agency code"] = "NHS-X"
    referrals.set(0, "Referrals received", "N/A")
    referrals.set(0, "Referrals from police", -5)
    referrals.set(0, "Children in need at period end", "lots")
    result = validate(write(referrals, "xlsx"))
    assert [(f.code, f.location) for f in result.failures] == [
        ("COV-003", "Cover!B4"),
        ("VAL-001", "Data!A2"),
        ("VAL-002", "Data!C2"),
        ("VAL-001", "Data!J2"),
    ]
    assert result.cover is None
    assert pd.isna(result.data.loc[2, "referrals"])


def test_echoed_values_cannot_run_as_formulas_and_never_quote_a_note(
    write: Write, validate: Validate, referrals: ReturnTable
) -> None:
    referrals.set(0, "Referrals received", "=1+2")
    referrals.set(0, "Referrals from police", "£1,480")
    referrals.set(0, "Referrals from schools", "Jane Smith DOB 2009-05-17")
    result = validate(write(referrals, "csv"))
    formula, pounds, note = (f for f in result.failures if f.code == "VAL-001")
    # A formula is text: described, so nothing of it can run or be read in a report.
    assert (formula.value, note.value) == ("text", "text")
    assert "text in 'Referrals received'" in formula.message
    assert "'£1,480' in 'Referrals from police'" in pounds.message
    assert not any("Smith" in f.message or "2009" in f.message for f in result.failures)


@pytest.mark.parametrize(
    ("typed", "named"),
    [
        # Written as a number: quoted, so the partner sees what was read.
        ("3.5", "'3.5'"),
        ("1,283.5", "'1,283.5'"),
        ("-2.5", "'-2.5'"),
        ("£40.50", "'£40.50'"),
        ("12.5%", "'12.5%'"),
        ("1 283.5", "'1 283.5'"),
        # A child's name, a date of birth or a postcode typed among the figures: described.
        ("Jayden", "text"),
        ("SS12AB", "text"),
        ("SS1 2AB", "text"),
        ("12/03/2010", "a date"),
        ("2010-03-12", "a date"),
        ("12.03.2010", "text"),
        ("12 03 2010", "text"),
        ("01702 123456", "text"),
    ],
)
def test_a_cell_of_figures_is_quoted_only_where_it_is_written_as_a_number(
    write: Write, validate: Validate, referrals: ReturnTable, typed: str, named: str
) -> None:
    referrals.set(0, "Referrals from schools", typed)
    [found] = [f for f in validate(write(referrals, "csv")).failures if f.code == "VAL-001"]
    assert found.message.endswith(
        f": {named} in 'Referrals from schools' is not a whole number. Enter 0 if there were none."
    )
    assert found.value == named.strip("'")


def test_a_date_cell_among_the_figures_is_described_as_a_date(
    write: Write, validate: Validate, referrals: ReturnTable
) -> None:
    referrals.set(0, "Referrals from schools", datetime(2010, 3, 12))
    [found] = [f for f in validate(write(referrals, "xlsx")).failures if f.code == "VAL-001"]
    assert found.value == "a date"
    assert "2010" not in found.message


def test_echoed_text_is_cut_short() -> None:
    assert shown("AB-" * 30) == ("AB-" * 13) + "…"


def test_unexpected_column_is_only_a_warning(
    write: Write, validate: Validate, referrals: ReturnTable
) -> None:
    referrals.add_column("Notes", ["fine"])
    result = validate(write(referrals, "xlsx"))
    assert result.valid
    assert [f.code for f in result.warnings] == ["COL-002"]
    assert "Notes" not in result.data.columns


def test_unknown_return_type_skips_the_data(
    write: Write, validate: Validate, referrals: ReturnTable
) -> None:
    referrals.cover["Return type"] = "pudding"
    referrals.set(0, "Referrals received", "N/A")
    result = validate(write(referrals, "csv"))
    assert [f.code for f in result.failures] == ["COV-002"]
    assert result.return_type is None
    assert result.data.empty


def test_schema_is_built_from_the_declaration(specs: dict[str, ReturnSpec]) -> None:
    schema = return_schema(specs["training"])
    assert list(schema.columns) == [
        "training_level",
        "staff_requiring_training",
        "staff_trained_in_date",
    ]
    assert schema.unique == ["training_level"]
    assert [check.name for check in schema.checks] == ["TRN-X01"]
    assert schema.strict is True


# --- generated returns -----------------------------------------------------------------------

NUMBER_STYLES = (str, "{:,}".format, " {} ".format)


@dataclass(frozen=True)
class Generated:
    """A valid return built from a declaration, and the figures it should be read as."""

    spec: ReturnSpec
    table: ReturnTable
    expected: pd.DataFrame  # canonical columns, one row per data row


def _cell_value(draw: st.DrawFn, column: ColumnSpec, counts: dict[str, int]) -> int | str:
    """A valid value for `column`: a code, a count from `counts`, or an integer in range."""
    if column.type == "code":
        return draw(st.sampled_from(column.allowed))
    if column.local_target is not None:  # the board's own (BRD-003)
        return SOUTHEND_TARGETS[column.local_target]
    if column.type == "integer":
        return draw(st.integers(column.minimum or 0, column.maximum or 10_000))
    return counts[column.name]


def _as_typed(draw: st.DrawFn, value: int | str) -> str:
    """A value as a partner might type it: numbers plain, with commas or padded."""
    return draw(st.sampled_from(NUMBER_STYLES))(value) if isinstance(value, int) else value


@st.composite
def generated_returns(draw: st.DrawFn) -> Generated:
    """A valid CSV return of any declared type: random non-negative counts that satisfy the
    declared checks, random header and cover labels, columns in random order."""
    spec = draw(st.sampled_from(list(SPECS.values())))
    senders = [a for a in AGENCIES.values() if spec.return_type in a.returns]
    agency = draw(st.sampled_from(senders))
    quarter = Quarter(draw(st.integers(2008, 2030)), draw(st.integers(1, 4)))
    date_style = draw(st.sampled_from([date.isoformat, lambda d: d.strftime("%d/%m/%Y")]))
    cover_values = {
        "return_type": draw(st.sampled_from([spec.return_type, spec.title])),
        "agency_code": draw(st.sampled_from([agency.code, agency.name])),
        "la_code": draw(st.sampled_from(["E06000033", "882", "e06000033"])),
        "period_start": date_style(quarter.start),
        "period_end": date_style(quarter.end),
    }
    cover_labels = {f.name: draw(st.sampled_from(f.labels)) for f in COVER_FIELDS}
    key = spec.row_key[0] if spec.row_key else None
    keys = (
        draw(st.lists(st.sampled_from(spec.column(key).allowed), min_size=1, unique=True))
        if key
        else [None]
    )
    order = draw(st.permutations(spec.columns))
    rows, expected = [], []
    for key_value in keys:
        counts = satisfying(
            spec, {c.name: draw(st.integers(0, 5_000)) for c in spec.columns if c.type == "count"}
        )
        values = {c.name: _cell_value(draw, c, counts) for c in spec.columns}
        if key:
            values[key] = key_value
        rows.append([_as_typed(draw, values[c.name]) for c in order])
        expected.append(values)
    table = ReturnTable(
        cover={cover_labels[name]: value for name, value in cover_values.items()},
        header=[draw(st.sampled_from(c.labels)) for c in order],
        rows=rows,
    )
    dtypes = {c.name: "str" if c.type == "code" else "Int64" for c in spec.columns}
    frame = pd.DataFrame(expected, index=range(2, 2 + len(rows))).astype(dtypes)
    return Generated(spec, table, frame)


def _validated(table: ReturnTable, directory: Path) -> ValidationResult:
    """A generated table written as CSV, read and validated."""
    raw = read_return(write_csv(table, directory / "generated.csv"), SPECS, COVER_FIELDS)
    return validate_return(raw, SPECS, BOARDS, LA_LOOKUP)


@settings(max_examples=30, deadline=None)
@given(generated=generated_returns())
def test_generated_valid_returns_always_validate(
    generated: Generated, tmp_path_factory: pytest.TempPathFactory
) -> None:
    result = _validated(generated.table, tmp_path_factory.mktemp("generated"))
    assert result.failures == []
    assert result.return_type == generated.spec.return_type
    pd.testing.assert_frame_equal(result.data, generated.expected, check_names=False)


@settings(max_examples=30, deadline=None)
@given(generated=generated_returns(), data=st.data())
def test_a_negative_or_not_applicable_count_is_always_rejected_where_it_is(
    generated: Generated, data: st.DataObject, tmp_path_factory: pytest.TempPathFactory
) -> None:
    table = generated.table
    row = data.draw(st.integers(0, len(table.rows) - 1))
    counts = [
        label
        for label in table.header
        if generated.spec.column(generated.spec.header_index[label_key(label)]).type == "count"
    ]
    label = data.draw(st.sampled_from(counts))
    bad = data.draw(st.one_of(st.integers(-100_000, -1).map(str), st.just("N/A")))
    table.set(row, label, bad)
    result = _validated(table, tmp_path_factory.mktemp("mutated"))
    code = "VAL-001" if bad == "N/A" else "VAL-002"
    location = f'line {row + 2}, column "{label}"'
    assert not result.valid
    assert (code, location) in {(f.code, f.location) for f in result.failures}


@settings(max_examples=30, deadline=None)
@given(generated=generated_returns(), data=st.data())
def test_any_cell_contents_are_reported_never_raised(
    generated: Generated, data: st.DataObject, tmp_path_factory: pytest.TempPathFactory
) -> None:
    table = generated.table
    anything = st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=12)
    for _ in range(data.draw(st.integers(1, 4))):
        row = data.draw(st.integers(0, len(table.rows) - 1))
        table.set(row, data.draw(st.sampled_from(table.header)), data.draw(anything))
    label = data.draw(st.sampled_from(list(table.cover)))
    table.cover[label] = data.draw(st.one_of(st.just(table.cover[label]), anything))
    path = write_csv(table, tmp_path_factory.mktemp("anything") / "anything.csv")
    result = validate_file(path, SPECS, BOARDS, LA_LOOKUP)  # a NUL makes it unreadable
    assert all(f.message.startswith(f"{f.location}: ") for f in result.failures)
    assert result.valid == (result.errors == [])


@pytest.mark.parametrize(
    ("typed", "named"),
    [
        # Written as our codes are, or as a number: quoted, so the partner sees what was read.
        ("level_9", "'level_9'"),
        ("9", "'9'"),
        # Words may be a child's name ('Level nine' and 'Jayden Smith' are alike): described.
        ("Level nine", "text"),
        ("Jayden Smith", "text"),
        ("SS12AB", "text"),
        ("17/05/2009", "a date"),
    ],
)
def test_a_code_cell_is_quoted_only_where_it_is_written_as_a_code_or_a_number(
    write: Write, validate: Validate, training: ReturnTable, typed: str, named: str
) -> None:
    training.set(0, "Training level", typed)
    [found] = [f for f in validate(write(training, "csv")).failures if f.code == "VAL-004"]
    assert f": {named} in 'Training level' is not one of the column's codes" in found.message
    assert found.value == named.strip("'")


@pytest.mark.parametrize(
    ("label", "typed", "named"),
    [
        # ours, or shapes that cannot name anyone: quoted
        ("Local authority code", "E06000999", "'E06000999'"),
        ("Local authority code", "999", "'999'"),
        ("Period start", "31/06/2014", "'31/06/2014'"),
        # a name, a date of birth or a postcode where a code belongs: described
        ("Local authority code", "Jayden Smith", "text"),
        ("Local authority code", "SS1 2AB", "text"),
        ("Local authority code", "17/05/2009", "a date"),
        ("Agency code", "JAYDEN", "text"),
        ("Agency code", "SS12AB", "text"),
        ("Return type", "Jayden Smith", "text"),
        ("Period start", "Jayden Smith", "text"),
    ],
)
def test_a_cover_cell_is_quoted_only_where_it_fits_its_field(
    write: Write, validate: Validate, referrals: ReturnTable, label: str, typed: str, named: str
) -> None:
    referrals.cover[label] = typed
    failures = validate(write(referrals, "csv")).failures
    [found] = [f for f in failures if f.message.split(": ", 1)[1].startswith(f"{named} in ")]
    assert found.value == named.strip("'")
    assert not any(typed in f.message or typed == f.value for f in failures if named[0] != "'")


def test_a_cover_code_with_a_hidden_character_shows_the_character_alone_unless_it_is_ours(
    write: Write, validate: Validate, referrals: ReturnTable
) -> None:
    referrals.cover["Agency code"] = "SUH\u200b"
    referrals.cover["Local authority code"] = "Jayden\u200bSmith"
    agency, area = (f for f in validate(write(referrals, "csv")).failures if f.code == "COV-012")
    assert "'SUH\\u200b' in 'Agency code' holds a character you cannot see (\\u200b" in (
        agency.message
    )
    assert "text in 'Local authority code' holds a character you cannot see (\\u200b" in (
        area.message
    )
    assert "Jayden" not in area.message + str(area.value)


@pytest.mark.parametrize("file_format", ["xlsx", "csv"])
@pytest.mark.parametrize(
    ("heading", "named"),
    [
        # a slip in one of the return's headings: quoted, with the heading meant
        ("Staf trained and in date", "'Staf trained and in date'"),
        ("Staf traned", "'Staf traned'"),
        # a name, a date of birth, a word sharing letters with a heading: described
        ("Jayden Smith", "text"),
        ("Leven", "text"),
        ("17/05/2009", "a date"),
    ],
)
def test_a_column_heading_is_quoted_only_where_it_is_a_slip_in_one_of_the_returns(
    write: Write,
    validate: Validate,
    training: ReturnTable,
    file_format: str,
    heading: str,
    named: str,
) -> None:
    training.header[2] = heading
    failures = validate(write(training, file_format)).failures
    [found] = [f for f in failures if f.code == "COL-002"]
    assert found.message.split(": ", 1)[1].startswith(f"{named} heading this column is not ")
    assert found.value == named.strip("'")
    assert found.location == {"xlsx": "Data!C1", "csv": "line 1, column 8"}[file_format]
    if named.startswith("'"):
        assert found.message.endswith("(the nearest is 'Staff trained and in date').")
    else:
        assert found.column is None
        assert not any(heading in f"{f.location}{f.message}{f.value}" for f in failures)
        assert found.message.endswith(
            "The return's columns are headed: 'Training level', 'Staff requiring training', "
            "'Staff trained and in date'."
        )


@pytest.mark.parametrize("file_format", ["xlsx", "csv"])
def test_a_return_without_its_header_row_says_so_quoting_none_of_the_first_row(
    write: Write, validate: Validate, training: ReturnTable, file_format: str
) -> None:
    # The first row of figures where the headings belong, a child's name typed as its level.
    training.header = ["Jayden Smith", "620", "571"]
    failures = validate(write(training, file_format)).failures
    unexpected = [f for f in failures if f.code == "COL-002"]
    assert len(unexpected) == 3
    assert all(
        "The first row looks like a row of figures, not headings: head the columns in the first "
        "row, as the template does: 'Training level', 'Staff requiring training', 'Staff "
        "trained and in date'." in f.message
        for f in unexpected
    )
    assert not any(
        text in f"{f.location}{f.column}{f.message}{f.value}"
        for f in failures
        for text in ("Jayden", "620", "571")
    )


@pytest.mark.parametrize("file_format", ["xlsx", "csv"])
@pytest.mark.parametrize(
    ("header", "named", "location"),
    [
        # one of the return's headings given twice: quoted, with the column it names
        pytest.param(
            ["Training level", "Staff requiring training", "Staff requiring training"],
            "'Staff requiring training' heading this column names the same column as an earlier "
            "heading ('Staff requiring training'). Keep one.",
            'line 1, column "Staff requiring training"',
            id="the-returns-heading",
        ),
        # a slip in one of them, given twice: quoted
        pytest.param(
            ["Training level", "Staf traned", "Staf traned"],
            "'Staf traned' heading this column names the same column as an earlier heading. "
            "Keep one.",
            "line 1, column 8",
            id="a-slip",
        ),
    ],
)
def test_a_repeated_column_heading_is_quoted_where_it_fits(
    write: Write,
    validate: Validate,
    training: ReturnTable,
    file_format: str,
    header: list[str],
    named: str,
    location: str,
) -> None:
    training.header = header
    [found] = [f for f in validate(write(training, file_format)).failures if f.code == "COL-003"]
    assert found.message.split(": ", 1)[1] == named
    assert found.location == {"xlsx": "Data!C1", "csv": location}[file_format]


@pytest.mark.parametrize("file_format", ["xlsx", "csv"])
@pytest.mark.parametrize(
    ("heading", "named", "advice"),
    [
        # a first row of figures read as the header: two zeros, two dates of birth
        pytest.param("0", "text", "The first row looks like a row of figures", id="zeros"),
        pytest.param("17/05/2009", "a date", "The first row looks like a row of", id="dates"),
        # a child's name typed twice where a heading belongs
        pytest.param("Jayden Smith", "text", "The return's columns are headed: ", id="name"),
    ],
)
def test_a_repeated_column_heading_that_may_be_data_is_described_never_quoted(
    write: Write,
    validate: Validate,
    training: ReturnTable,
    file_format: str,
    heading: str,
    named: str,
    advice: str,
) -> None:
    training.header = ["level_1", heading, heading]
    failures = validate(write(training, file_format)).failures
    [found] = [f for f in failures if f.code == "COL-003"]
    message = found.message.split(": ", 1)[1]
    assert message.startswith(
        f"{named} heading this column names the same column as an earlier heading. Keep one. "
        f"{advice}"
    )
    assert message.endswith(
        "'Training level', 'Staff requiring training', 'Staff trained and in date'."
    )
    assert found.location == {"xlsx": "Data!C1", "csv": "line 1, column 8"}[file_format]
    assert found.column is None
    assert found.value is None
    assert not any(heading in f"{f.location}{f.column}{f.message}{f.value}" for f in failures)
