"""The workbook a partner agency fills in, generated from the return's declaration.

The layout is exactly what `lscb_metrics.returns.read_return` accepts: a `Cover` sheet (title in
A1, the cover field titles in column A from row 3 and their values in column B) and a `Data`
sheet (column titles in row 1, figures below). Excel's own data validation (drop-downs of
allowed codes and agencies, whole numbers of 0 or more, dates) and input messages help the
partner get it right first time; the pipeline still validates every file it receives. A
`Guidance` sheet lists each column and the checks across columns, with the messages a partner
would see. The sheets are protected (without a password) so only the cells to fill can change.

A cover field's description may hold `{area_code}` and `{la_number}`: a board's templates give
its own (first) area's ONS code and DfE number there as the example, never another board's.
A template is for one quarter's returns: it offers the board's areas in being in that quarter.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from itertools import product
from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, Protection
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from lscb_metrics.boards import Board
from lscb_metrics.config import settings, shown_path
from lscb_metrics.errors import ConfigurationError
from lscb_metrics.intake.read import DATA_SHEET
from lscb_metrics.intake.rules import inert
from lscb_metrics.periods import Quarter, last_complete_quarter
from lscb_metrics.reference import load_areas
from lscb_metrics.reference.areas import area_names, la_numbers
from lscb_metrics.returns.read import COVER_SHEET, HEADER_ROW
from lscb_metrics.returns.spec import (
    ColumnSpec,
    CoverField,
    ReturnSpec,
    load_cover_fields,
    load_return_specs,
)

# The input message of a column is the hint the validator gives when the column is wrong, so
# the partner reads the same advice before and after sending.
from lscb_metrics.returns.validate import _hint as entry_hint
from lscb_metrics.xlsx import workbook_bytes

GUIDANCE_SHEET = "Guidance"
COVER_FIRST_ROW = 3
DATE_FORMAT = "dd/mm/yyyy"
TITLE_FONT = Font(bold=True, size=14)
BOLD = Font(bold=True)
UNLOCKED = Protection(locked=False)
# Excel's limits on data-validation texts and on a literal list of choices.
PROMPT_TITLE_LIMIT = 32
PROMPT_LIMIT = 255
LIST_LIMIT = 255
EARLIEST_PERIOD, LATEST_PERIOD = "DATE(2000,1,1)", "DATE(2099,12,31)"
EXCEL_WHOLE_MIN, EXCEL_WHOLE_MAX = -2147483648, 2147483647
#: `{name}` in a cover field's description, filled from `area_example`.
PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")


def write_template(
    return_type: str,
    schemas_dir: Path,
    out_path: Path,
    board: Board,
    reference_dir: Path | None = None,
    quarter: Quarter | None = None,
) -> Path:
    """Write the XLSX template of `return_type` declared under `schemas_dir`, for the partners
    of `board` filling in their returns for `quarter` (default: the last complete quarter), to
    `out_path`: its agencies and its areas in being in that quarter are the cover's choices,
    the first area's codes the examples, its DfE number (and each area's name) read from the
    reference data in `reference_dir` (default: the project's), and a column tied to a local
    target gives each area's in that quarter."""
    sources = TemplateSources.read(schemas_dir, reference_dir)
    return sources.write(return_type, out_path, board, quarter)


def write_templates(
    return_types: Sequence[str],
    schemas_dir: Path,
    folder: Path,
    board: Board,
    reference_dir: Path | None = None,
    quarter: Quarter | None = None,
) -> list[Path]:
    """`write_template` of each of `return_types`, to `<folder>/<return type>.xlsx`, with the
    declarations and the shipped areas read once for all."""
    sources = TemplateSources.read(schemas_dir, reference_dir)
    return [
        sources.write(return_type, folder / f"{return_type}.xlsx", board, quarter)
        for return_type in return_types
    ]


@dataclass(frozen=True)
class TemplateSources:
    """What templates are made from: the returns' declarations, the cover's fields, and the
    areas of the shipped DfE files (each area's name and DfE number)."""

    specs: Mapping[str, ReturnSpec]
    cover_fields: Sequence[CoverField]
    known: pd.DataFrame

    @classmethod
    def read(cls, schemas_dir: Path, reference_dir: Path | None) -> TemplateSources:
        """The declarations under `schemas_dir`, and the areas in `reference_dir` (default:
        the project's)."""
        return cls(
            load_return_specs(schemas_dir),
            load_cover_fields(schemas_dir),
            load_areas(reference_dir or settings().reference_dir),
        )

    def write(
        self, return_type: str, out_path: Path, board: Board, quarter: Quarter | None
    ) -> Path:
        """`write_template` from these sources."""
        if return_type not in self.specs:
            declared = ", ".join(self.specs)
            raise ValueError(f"unknown return type {return_type!r}; declared: {declared}")
        senders = sorted(
            (a.code, a.name)
            for a in board.agencies.values()
            if return_type in a.returns and a.current
        )
        if not senders:
            # Its agency drop-down would offer nothing, and a return filled in anyway is refused.
            profile = shown_path(board.profile, settings().root)
            raise ConfigurationError(
                f"no agency of {board.name} sends {return_type} returns: add {return_type} to "
                f"the returns of the agency that sends it in {profile}"
            )
        quarter = quarter or last_complete_quarter(datetime.now(UTC))
        # Only the authorities in being and covered in the quarter (Cumberland, not Cumbria,
        # from 2023-24; not an area a merger handed on): another code would be refused
        # (BRD-004, BRD-001). A board whose every area was abolished keeps them all.
        areas = board.areas_on(quarter.end) or board.current_areas or board.areas
        choices = {"agency_code": [code for code, _ in senders], "la_code": list(areas)}
        example = area_example(board, areas[0], self.known)
        names = area_names(self.known)
        named = [(a, names.get(a, a)) for a in areas]
        spec = with_targets(self.specs[return_type], board, named, quarter)
        cover_fields = tuple(
            replace(field, description=filled_in(field.description, example))
            for field in self.cover_fields
        )
        workbook = Workbook()
        _write_cover(workbook.active, spec, cover_fields, choices, board.name)
        _write_data(workbook.create_sheet(DATA_SHEET), spec)
        _write_guidance(workbook.create_sheet(GUIDANCE_SHEET), spec, cover_fields, senders)
        out_path.parent.mkdir(parents=True, exist_ok=True)
        # The same template gives the same bytes each edition: a partner's copy is visibly
        # current.
        out_path.write_bytes(workbook_bytes(workbook))
        return out_path


def area_example(board: Board, area: str, known: pd.DataFrame) -> dict[str, str]:
    """The codes of the board's area `area`, as its templates give them for an example:
    `area_code` (ONS) and `la_number` (DfE), from the shipped DfE files' areas (`known`)."""
    number = la_numbers(known).get(area)
    if number is None:
        raise ConfigurationError(
            f"{board.profile}: area {area} is not a local authority code in the shipped DfE files"
        )
    return {"area_code": area, "la_number": number}


def with_targets(
    spec: ReturnSpec, board: Board, areas: Sequence[tuple[str, str]], quarter: Quarter
) -> ReturnSpec:
    """`spec` with each column tied to a local target describing what each of the board's
    `areas` ((ONS code, name) pairs) must enter in `quarter`: 'Enter 40.', or for a partnership
    whose authorities' targets differ, 'Enter 40 for Southend-on-Sea (E06000033), 45 for
    Thurrock (E06000034).' (BRD-003 refuses any other)."""

    def described(column: ColumnSpec) -> ColumnSpec:
        if column.local_target is None:
            return column
        values = {
            code: board.local_targets_on(code, quarter.end)[column.local_target]
            for code, _ in areas
        }
        enter = (
            f"{next(iter(values.values()))}"
            if len(set(values.values())) == 1
            else ", ".join(f"{values[code]} for {name} ({code})" for code, name in areas)
        )
        return replace(column, description=f"{column.description} Enter {enter}.".lstrip())

    return replace(spec, columns=tuple(described(column) for column in spec.columns))


def filled_in(text: str, values: dict[str, str]) -> str:
    """`text` with each `{name}` of `values` replaced by its value; other braces left alone."""
    return PLACEHOLDER.sub(lambda match: values.get(match[1], match[0]), text)


def key_rows(spec: ReturnSpec) -> list[dict[str, str]]:
    """The data rows a template offers: one per combination of the row-key codes (one empty
    row when the return has no row key)."""
    keys = [spec.column(name) for name in spec.row_key]
    not_codes = [column.name for column in keys if column.type != "code"]
    if not_codes:
        raise ValueError(f"{spec.return_type}: templates need code row keys, not {not_codes}")
    return [
        dict(zip(spec.row_key, codes, strict=True)) for codes in product(*(c.allowed for c in keys))
    ]


def column_rule(column: ColumnSpec) -> str:
    """What a column accepts, in the partner's words, e.g. 'A whole number, 0 or more.'."""
    if column.type == "count":
        return f"A whole number, 0 or more. {entry_hint(column)}"
    return entry_hint(column)


def readable_rule(rule: str, spec: ReturnSpec) -> str:
    """A declared check's rule with column names replaced by the titles partners see."""
    titles = {column.name: column.title for column in spec.columns}
    return re.sub(r"[a-z][a-z0-9_]*", lambda m: titles.get(m[0], m[0]), rule)


def column_validation(column: ColumnSpec) -> DataValidation:
    """Excel validation of a data column: a drop-down of codes, or whole numbers in range."""
    if column.type == "code":
        validation = _choice_list(column.allowed, column.title)
    elif column.type == "count":
        validation = DataValidation(type="whole", operator="greaterThanOrEqual", formula1="0")
    else:
        validation = _whole_number_range(column.minimum, column.maximum)
    validation.error = _clipped(f"{column.title}: {column_rule(column)}", PROMPT_LIMIT)
    validation.errorTitle = _clipped(column.title, PROMPT_TITLE_LIMIT)
    validation.showErrorMessage = True
    _prompt(
        validation, column.title, " ".join(filter(None, (column.description, column_rule(column))))
    )
    return validation


def _whole_number_range(minimum: int | None, maximum: int | None) -> DataValidation:
    """Whole numbers within the bounds given; Excel's whole-number limits stand in for either
    bound that is absent."""
    low = EXCEL_WHOLE_MIN if minimum is None else minimum
    high = EXCEL_WHOLE_MAX if maximum is None else maximum
    return DataValidation(type="whole", operator="between", formula1=str(low), formula2=str(high))


def _choice_list(choices: tuple[str, ...] | list[str], what: str) -> DataValidation:
    """A drop-down of `choices`, written into the validation itself."""
    listed = ",".join(choices)
    if any("," in choice for choice in choices) or len(listed) > LIST_LIMIT:
        raise ValueError(f"{what}: the choices do not fit an Excel drop-down list: {listed}")
    return DataValidation(type="list", formula1=f'"{listed}"', allow_blank=False)


def _prompt(validation: DataValidation, title: str, text: str) -> None:
    """Show `text` as the input message when the cell is selected."""
    validation.showInputMessage = True
    validation.promptTitle = _clipped(title, PROMPT_TITLE_LIMIT)
    validation.prompt = _clipped(text, PROMPT_LIMIT)


def _clipped(text: str, limit: int) -> str:
    """`text` cut to Excel's `limit`, ending with an ellipsis when cut."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _cover_validation(field: CoverField, choices: dict[str, list[str]]) -> DataValidation:
    """Validation of a cover value: the board's agencies or areas as a drop-down, dates, or free
    text with its message."""
    if choices.get(field.name):
        validation = _choice_list(choices[field.name], field.title)
    elif field.type == "date":
        validation = DataValidation(
            type="date", operator="between", formula1=EARLIEST_PERIOD, formula2=LATEST_PERIOD
        )
        validation.error = "Enter a date, for example 01/07/2014."
        validation.showErrorMessage = True
    else:
        validation = DataValidation(allow_blank=True)
    _prompt(validation, field.title, field.description)
    return validation


def _write_cover(
    sheet: Worksheet,
    spec: ReturnSpec,
    fields: tuple[CoverField, ...],
    choices: dict[str, list[str]],
    board_name: str,
) -> None:
    """Cover: title (naming the board the return goes to), instruction, then one row per cover
    field (label, value, help)."""
    sheet.title = COVER_SHEET
    sheet["A1"] = f"{spec.title}: quarterly return to the {board_name}"
    sheet["A1"].font = TITLE_FONT
    sheet["A2"] = (
        "Fill in column B, then the figures on the Data sheet. The Guidance sheet explains "
        "every column and the checks the figures must pass."
    )
    for row, field in enumerate(fields, start=COVER_FIRST_ROW):
        sheet.cell(row=row, column=1, value=field.title).font = BOLD
        value = sheet.cell(row=row, column=2)
        sheet.cell(row=row, column=3, value=field.description).alignment = Alignment(
            wrap_text=True, vertical="top"
        )
        if field.name == "return_type":
            value.value = spec.return_type  # fixed: this template is for this return
            continue
        value.protection = UNLOCKED
        if field.type == "date":
            value.number_format = DATE_FORMAT
        validation = _cover_validation(field, choices)
        sheet.add_data_validation(validation)
        validation.add(value.coordinate)
    for letter, width in (("A", 24), ("B", 22), ("C", 80)):
        sheet.column_dimensions[letter].width = width
    sheet.protection.sheet = True


def _write_data(sheet: Worksheet, spec: ReturnSpec) -> None:
    """Data: column titles in row 1 (protected), a row per row key below (cells to fill)."""
    rows = key_rows(spec)
    first, last = HEADER_ROW + 1, HEADER_ROW + len(rows)
    for position, column in enumerate(spec.columns, start=1):
        letter = get_column_letter(position)
        header = sheet.cell(row=HEADER_ROW, column=position, value=column.title)
        header.font = BOLD
        header.alignment = Alignment(wrap_text=True, vertical="top")
        for row, keys in enumerate(rows, start=first):
            cell = sheet.cell(row=row, column=position, value=keys.get(column.name))
            if column.name not in keys:
                cell.protection = UNLOCKED
            if column.type != "code":
                cell.number_format = "0"
        validation = column_validation(column)
        sheet.add_data_validation(validation)
        validation.add(f"{letter}{first}:{letter}{last}")
        sheet.column_dimensions[letter].width = min(max(len(column.title) // 2, 12) + 4, 40)
    sheet.freeze_panes = f"A{first}"
    sheet.protection.sheet = True
    # Partners may still widen columns and rows to read long titles.
    sheet.protection.formatColumns = False
    sheet.protection.formatRows = False


def _write_guidance(
    sheet: Worksheet,
    spec: ReturnSpec,
    fields: tuple[CoverField, ...],
    senders: list[tuple[str, str]],
) -> None:
    """Guidance: the return's description, its cover fields, the agencies that send it (code
    and name), its columns and cross-column checks."""
    lines: list[tuple[str, list[str]]] = [
        ("title", [f"{spec.title}: guidance"]),
        ("text", [spec.description]),
        ("heading", ["Cover sheet"]),
        ("header", ["Field", "What to enter"]),
        *(("row", [field.title, field.description]) for field in fields),
        # The drop-down holds codes only; a partner finds their own by the agency's name.
        ("heading", ["Agency codes"]),
        ("header", ["Code", "Agency"]),
        *(("row", [code, name]) for code, name in senders),
        ("heading", ["Data sheet"]),
        ("header", ["Column", "What to enter", "Description"]),
        *(
            ("row", [column.title, column_rule(column), column.description])
            for column in spec.columns
        ),
        ("heading", ["Checks across columns (every row must pass each one)"]),
        ("header", ["Check", "Rule", "Message if it fails"]),
        *(
            ("row", [check.code, readable_rule(check.rule, spec), check.message])
            for check in spec.checks
        ),
    ]
    if not spec.checks:
        lines.append(("text", ["This return has no checks across columns."]))
    fonts = {"title": TITLE_FONT, "heading": Font(bold=True, size=12), "header": BOLD}
    for row, (style, values) in enumerate(lines, start=1):
        for position, value in enumerate(values, start=1):
            # an agency's name is the board's own text: never a formula a partner's Excel runs
            cell = sheet.cell(row=row, column=position, value=inert(value))
            cell.alignment = Alignment(wrap_text=style in ("row", "header"), vertical="top")
            if style in fonts:
                cell.font = fonts[style]
    for letter, width in (("A", 40), ("B", 60), ("C", 80)):
        sheet.column_dimensions[letter].width = width
    sheet.protection.sheet = True
