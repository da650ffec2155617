"""Validating a raw partner return against its declaration, with every failure located.

The cover is checked by hand (it is a handful of fields). The data is typed cell by cell, so
that '1,234' is read as 1234 while 'N/A' is reported rather than silently lost, and then checked
by a pandera schema built from the return's declaration: column types, counts >= 0, min/max,
allowed codes, a unique row key and the declared cross-column rules. Validation is lazy, so a
partner gets every problem in one go, each with the cell it is in.

A row labelled as a total ('Total', 'Grand total') is rejected rather than skipped: its figures
would otherwise be added to the rows they total, and only the partner can say which is right.
A cover date may be an Excel date number (41821 for 1 July 2014), as a date cell shows when it
has lost its date format.
"""

from __future__ import annotations

import numbers
import re
from collections.abc import Callable, Iterable, Mapping
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
import pandera.pandas as pa
from pandera.errors import SchemaErrors

from lscb_metrics.intake import rules
from lscb_metrics.intake.declarations import CheckSpec, label_key, nearest_label
from lscb_metrics.intake.failures import Failure, check_failure, failure
from lscb_metrics.intake.read import CellValue, UnreadableFile, filled
from lscb_metrics.intake.rules import (
    area_code_like,
    cell_named,
    cell_shown,
    code_like,
    date_like,
    figure_named,
    figure_shown,
    hidden_escapes,
    holds_hidden_character,
    nearest,
    number_like,
    shown,
    visible,
)
from lscb_metrics.periods import PeriodError, Quarter, quarter_from_dates
from lscb_metrics.reference.areas import area_label, area_on, not_in_force_reason
from lscb_metrics.returns.read import RawReturn, read_return, unheaded
from lscb_metrics.returns.spec import (
    LOCAL_TARGETS,
    Agency,
    ColumnSpec,
    CoverField,
    ReturnSpec,
    agency_named,
    cover_index,
    return_spec_named,
)

if TYPE_CHECKING:
    from lscb_metrics.boards import Board, Boards

#: ONS code or DfE number (as text) -> (ONS area code, area name, ONS region code).
AreaLookup = Mapping[str, tuple[str, str, str | None]]
#: Whether a cover field's cell may be quoted back (`_cover_fits`), by field name and cell.
CoverFits = Callable[[str, CellValue], bool]

#: The largest magnitude a number may have: facts are float64, exact only up to 2**53.
MAX_WHOLE = 2**53 - 1
# ASCII digits only: full-width or other scripts' digits, a leading '+' (which a spreadsheet
# reads as a formula) and odd spaces are not numbers a partner typed.
_NUMBER_RE = re.compile(r"-?(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]*)?")
_ASCII_BLANKS = " \t\r\n"
#: The longest text read as a number: 2**53 has 16 digits, so this leaves room for separators
#: and decimal zeros while keeping parsing linear (int(Decimal) is quadratic in the digits).
MAX_NUMBER_CHARS = 40
# Cover fields that hold codes, in which an invisible character would pass for the code.
_CODE_FIELDS = ("return_type", "agency_code", "la_code")
# Dates as typed in the UK or as a spreadsheet writes a date cell to CSV in the format it shows
# (LibreOffice's default 01/07/14, Excel's 01-Jul-14): always day first, a two-digit year is
# 20yy (Python's rule for %y, which reads 00-68 as 2000-2068), and the quarter check catches a
# month-first date, which is never a quarter's first or last day read day first.
_DATE_FORMATS = (
    "%d/%m/%Y",
    "%d/%m/%y",
    "%d-%b-%y",
    "%d-%b-%Y",
    "%d %b %Y",
    "%d %B %Y",
    "%d/%m/%Y %H:%M",
    "%d/%m/%Y %H:%M:%S",
)
# Excel counts dates in days from 30 December 1899. Only numbers that are dates in 2000-2099
# are taken as dates, so a stray count or year is still reported as not a date.
_EXCEL_EPOCH = date(1899, 12, 30)
_EXCEL_SERIALS = range(
    (date(2000, 1, 1) - _EXCEL_EPOCH).days, (date(2099, 12, 31) - _EXCEL_EPOCH).days + 1
)
# A cell saying one of these (compared by label_key) marks a row that adds up the others.
_TOTAL_LABELS = frozenset({"total", "totals", "grandtotal", "overalltotal", "sum"})
#: How alike (difflib's ratio of matching keys, `nearest_label`) a heading must be to one of the
#: return's to be quoted: a slip or two in a heading ('Staf traned' for 'staff trained', 0.91),
#: not a word that happens to share letters with one ('Leven' for 'level' is 0.8).
_MISTYPED_HEADING = 0.85
#: The characters our headings are written with: letters, digits, spaces and ( ) / : _ -.
_HEADING_LIKE = re.compile(r"[A-Za-z0-9 ()/:_-]+")
# pandera's names for its own structural checks
_NOT_NULLABLE = "not_nullable"
_MISSING_COLUMN = "column_in_dataframe"
_UNEXPECTED_COLUMN = "column_in_schema"
_DUPLICATE_KEY = "multiple_fields_uniqueness"


@dataclass(frozen=True)
class Cover:
    """The cover of a valid return, typed."""

    return_type: str
    agency_code: str
    area_code: str
    area_name: str
    region_code: str | None
    period_start: date
    period_end: date
    quarter: Quarter


@dataclass(frozen=True)
class ValidationResult:
    """What validation made of a return: typed cover and data, and every failure found.

    `cover` is None unless the whole cover is valid. `data` has the declared columns that were
    present, typed (counts and integers Int64, codes str), indexed by the row or line they came
    from; cells that could not be read are missing (<NA>) and reported in `failures`.
    """

    return_type: str | None
    cover: Cover | None
    data: pd.DataFrame
    failures: list[Failure] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        """Whether the return has no errors (warnings allowed)."""
        return not self.errors

    @property
    def errors(self) -> list[Failure]:
        """The failures that reject the return."""
        return [f for f in self.failures if f.severity == "error"]

    @property
    def warnings(self) -> list[Failure]:
        """The failures that are only reported."""
        return [f for f in self.failures if f.severity == "warning"]


def validate_return(
    raw: RawReturn,
    specs: Mapping[str, ReturnSpec],
    boards: Boards,
    la_lookup: AreaLookup,
    expected_return_type: str | None = None,
) -> ValidationResult:
    """Every failure of `raw` against its declaration and the board covering its area, with the
    typed cover and data."""
    spec = return_spec_named(specs, cover_text(raw.cover.get("return_type")))
    # A cover cell is quoted back only where it fits its field: a name typed there is not.
    fits = partial(_cover_fits, specs=specs, agencies=boards.all_agencies())
    period = _period(raw, fits)
    day = period.end if isinstance(period, Quarter) else None
    area = area_on(la_lookup, area_key(raw.cover.get("la_code")), day)
    # A return is judged by the board covering its area in its own quarter: the board a
    # partnership replaced for the quarters before the merger.
    board = boards.covering(area[0], day) if area else None
    # Only the covering board's agencies may speak for an area; with no known area the code is
    # still checked against every board's, so a mistyped code is named as such.
    agencies = board.agencies if board else boards.all_agencies()
    agency = agency_named(agencies, cover_text(raw.cover.get("agency_code")))
    invisible = _invisible_failures(raw, fits)
    checked = [
        *_missing_field_failures(raw),
        *_cover_repeat_failures(raw),
        *_conflict_failures(raw, fits),
        *_return_type_failures(raw, spec, specs, expected_return_type, fits),
        *_agency_failures(raw, agency, agencies, spec, boards, board, fits),
        *_agency_area_failures(raw, agency, spec, board, area, la_lookup, day),
        *_agency_quarter_failures(raw, agency, spec, board, area, period),
        *_area_failures(raw, area, board, boards, period, fits),
        *(period if isinstance(period, list) else []),
    ]
    # A code with an invisible character is reported as that, not also as an unknown code.
    hidden = {f.column for f in invisible}
    cover_failures = [*invisible, *(f for f in checked if f.column not in hidden)]
    if spec is None or (expected_return_type and spec.return_type != expected_return_type):
        # Without the right declaration the data cannot be judged, only found missing.
        failures = [*cover_failures, *_no_rows_failures(raw)]
        return ValidationResult(None, None, pd.DataFrame(), failures)
    layout = _layout_failures(raw, spec, specs)
    if layout:
        # None of the return's columns is where it should be: judging the cells would only
        # repeat that, column by column.
        return ValidationResult(None, None, pd.DataFrame(), [*cover_failures, *layout])
    cover = None
    if not cover_failures and agency and area and board and isinstance(period, Quarter):
        cover = Cover(spec.return_type, agency.code, *area, period.start, period.end, period)
    totals = _totals_rows(raw)
    # A totals row, or a line whose values a split figure moved on, is reported once, as such,
    # rather than cell by cell.
    set_aside = [*totals, *(long.line for long in raw.long_lines)]
    typed = typed_data(raw.data[~raw.data.index.isin(set_aside)], spec)
    failures = [
        *cover_failures,
        *_column_repeat_failures(raw, spec),
        *_no_rows_failures(raw),
        *_totals_failures(raw, totals),
        *_long_line_failures(raw),
        *_schema_failures(raw, typed, spec),
        *_local_target_failures(raw, typed, spec, board, area, period),
    ]
    present = [name for name in spec.column_names if name in typed.columns]
    return ValidationResult(spec.return_type, cover, typed[present], failures)


def validate_file(
    path: Path,
    specs: Mapping[str, ReturnSpec],
    boards: Boards,
    la_lookup: AreaLookup,
    expected_return_type: str | None = None,
    cover_fields: tuple[CoverField, ...] | None = None,
) -> ValidationResult:
    """`validate_return` of the file at `path`; a file that cannot be read fails RET-001."""
    try:
        raw = read_return(path, specs, cover_fields)
    except UnreadableFile as error:
        unreadable = failure(rules.UNREADABLE, error.file_name, problem=error.problem)
        return ValidationResult(None, None, pd.DataFrame(), [unreadable])
    return validate_return(raw, specs, boards, la_lookup, expected_return_type)


def return_schema(spec: ReturnSpec) -> pa.DataFrameSchema:
    """The pandera schema a typed return's data must satisfy."""
    return pa.DataFrameSchema(
        columns={column.name: _column_schema(column) for column in spec.columns},
        checks=[
            pa.Check(partial(_rule_holds, check, spec), name=check.code) for check in spec.checks
        ],
        unique=list(spec.row_key) or None,
        report_duplicates="exclude_first",
        strict=True,
    )


def typed_data(data: pd.DataFrame, spec: ReturnSpec) -> pd.DataFrame:
    """`data` with each declared column typed; unreadable cells become missing."""
    typed = data.copy()
    for column in spec.columns:
        if column.name in typed.columns:
            typed[column.name] = _typed_column(data[column.name], column)
    return typed


def whole_number(value: CellValue) -> int | None:
    """A cell as a whole number ('1,234' and ' 12 ' too), or None if it is not one."""
    if isinstance(value, bool):
        return None
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        return int(value) if float(value).is_integer() else None
    text = value.strip(_ASCII_BLANKS) if isinstance(value, str) else ""
    if len(text) <= MAX_NUMBER_CHARS and _NUMBER_RE.fullmatch(text):
        number = Decimal(text.replace(",", ""))
        return int(number) if number == number.to_integral_value() else None
    return None


def too_many_digits(value: CellValue) -> bool:
    """Whether a cell is text of digits too long to be any figure (refused unparsed)."""
    return (
        isinstance(value, str)
        and len(value.strip(_ASCII_BLANKS)) > MAX_NUMBER_CHARS
        and (bool(_NUMBER_RE.fullmatch(value.strip(_ASCII_BLANKS)[:MAX_NUMBER_CHARS])))
    )


def date_value(value: CellValue) -> date | None:
    """A cell as a date (date cell, Excel date number, ISO text or a day-first date such as
    01/07/2014, 1/7/14 or 1-Jul-14), or None if it is not one."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    serial = whole_number(value)
    if serial is not None and serial in _EXCEL_SERIALS:
        return _EXCEL_EPOCH + timedelta(days=serial)
    if not isinstance(value, str):
        return None
    text = value.strip()
    with suppress(ValueError):
        return datetime.fromisoformat(text).date()
    for form in _DATE_FORMATS:
        with suppress(ValueError):
            return datetime.strptime(text, form).date()
    return None


def cover_text(value: CellValue) -> str:
    """A cover cell as text: '' when blank, whole numbers without a decimal point."""
    if value is None:
        return ""
    number = whole_number(value) if isinstance(value, numbers.Real) else None
    return str(number) if number is not None else str(value).strip()


def area_key(value: CellValue) -> str:
    """A local authority code as looked up: ONS codes upper-cased, DfE numbers as digits."""
    return cover_text(value).upper()


def _invisible_failures(raw: RawReturn, fits: CoverFits) -> list[Failure]:
    """COV-012 for each code in the cover holding an invisible, control or bidirectional
    character (a zero-width space inside 'SUH' would otherwise match the agency)."""
    return [
        _cover_failure(
            rules.INVISIBLE_CHARACTER,
            raw,
            name,
            fits,
            hidden=hidden_escapes(value.strip(_ASCII_BLANKS)),
        )
        for name in _CODE_FIELDS
        if isinstance(value := raw.cover.get(name), str)
        and holds_hidden_character(value.strip(_ASCII_BLANKS))
    ]


def _cover_fits(
    name: str, value: CellValue, specs: Mapping[str, ReturnSpec], agencies: Mapping[str, Agency]
) -> bool:
    """Whether a cover cell may be quoted back: blank, one of our return types or agencies, an
    area code's shape, or in a period field a date or digits and separators. Anything else may
    be a child's name, a date of birth or a postcode (which can look like an agency's code)."""
    text = visible(cover_text(value))
    if not text:
        return True
    if name == "return_type":
        return return_spec_named(specs, text) is not None
    if name == "agency_code":
        return agency_named(agencies, text) is not None
    if name == "la_code":
        return area_code_like(text)
    if name in ("period_start", "period_end"):
        return date_value(value) is not None or date_like(text)
    return False


def _cover_named(name: str, value: CellValue, fits: CoverFits) -> tuple[str, str]:
    """A cover cell as a failure's value (`cell_shown`) and as its message names it
    (`cell_named`): quoted where it `fits` the field, else described."""
    is_date = date_value(value) is not None
    text = cover_text(value)
    fit = fits(name, value)
    return cell_shown(text, fit, is_date), cell_named(text, fit, is_date)


def _cover_failure(
    rule: rules.Rule, raw: RawReturn, name: str, fits: CoverFits, **fields: str
) -> Failure:
    """A failure of `rule` on the cover field `name`, naming its cell as `_cover_named` does."""
    titles = {f.name: f.title for f in raw.cover_fields}
    value, cell = _cover_named(name, raw.cover.get(name), fits)
    location = raw.locations.cover(name)
    return failure(rule, location, name, value, title=titles[name], cell=cell, **fields)


def _missing_field_failures(raw: RawReturn) -> list[Failure]:
    """COV-001 for each cover field that is absent or blank; COL-005 alone for a CSV file that
    lacks them all because its first line holds figures (a file sent without its headings)."""
    if _without_headings(raw):
        titles = ", ".join(f"'{f.title}'" for f in raw.cover_fields)
        location = raw.locations.row(raw.locations.header_row)
        return [failure(rules.NO_HEADING_ROW, location, titles=titles)]
    if raw.file_format == "csv" and raw.data.empty:
        return []  # a CSV gives its cover on its rows of figures, and ROW-001 says there are none
    return [
        failure(rules.MISSING_COVER_FIELD, raw.locations.cover(f.name), f.name, title=f.title)
        for f in raw.cover_fields
        if not filled(raw.cover.get(f.name))
    ]


def _without_headings(raw: RawReturn) -> bool:
    """Whether `raw` is a CSV file sent without its line of headings: none of the cover columns
    was found, and its first line holds figures."""
    return (
        raw.file_format == "csv"
        and not any(filled(raw.cover.get(f.name)) for f in raw.cover_fields)
        and _holds_figures(raw.data.columns)
    )


def _cover_repeat_failures(raw: RawReturn) -> list[Failure]:
    """COV-010 for each cover field given twice."""
    titles = {f.name: f.title for f in raw.cover_fields}
    return [
        failure(
            rules.DUPLICATE_COVER_FIELD, r.location, r.name, label=r.label, title=titles[r.name]
        )
        for r in raw.repeats
        if r.name in titles
    ]


def _column_repeat_failures(raw: RawReturn, spec: ReturnSpec) -> list[Failure]:
    """COL-003 for each data column whose header is given twice, named as `_heading` says."""
    titles = {c.name: c.title for c in spec.columns}
    cover_names = {f.name for f in raw.cover_fields}
    failures: list[Failure] = []
    for repeat in raw.repeats:
        if repeat.name in cover_names:
            continue
        heading = _heading(repeat.label, raw, spec)
        # A heading not one of the return's is its own column's name: described, it is kept
        # out of the failure's column too.
        known = repeat.name in titles
        failures.append(
            failure(
                rules.DUPLICATE_COLUMN,
                repeat.location,
                repeat.name if known else heading.column,
                cell=heading.cell,
                title=f" ('{titles[repeat.name]}')" if known else "",
                advice=heading.advice,
            )
        )
    return failures


def _conflict_failures(raw: RawReturn, fits: CoverFits) -> list[Failure]:
    """COV-009 for each CSV cover column whose value changes between rows."""
    titles = {f.name: f.title for f in raw.cover_fields}
    return [
        failure(
            rules.COVER_DIFFERS,
            c.location,
            c.field,
            value,
            title=titles[c.field],
            cell=cell,
            first_cell=_cover_named(c.field, c.first_value, fits)[1],
            first_location=c.first_location,
        )
        for c in raw.cover_conflicts
        for value, cell in [_cover_named(c.field, c.value, fits)]
    ]


def _return_type_failures(
    raw: RawReturn,
    spec: ReturnSpec | None,
    specs: Mapping[str, ReturnSpec],
    expected: str | None,
    fits: CoverFits,
) -> list[Failure]:
    """COV-002 for a return type we do not collect, COV-008 for one not expected here."""
    value = raw.cover.get("return_type")
    location = raw.locations.cover("return_type")
    if not filled(value):
        return []
    if spec is None:
        closest = nearest(nearest_label(cover_text(value), specs))
        choices = ", ".join(specs)
        rule = rules.UNKNOWN_RETURN_TYPE
        return [_cover_failure(rule, raw, "return_type", fits, nearest=closest, choices=choices)]
    if expected and spec.return_type != expected:
        return [
            failure(
                rules.WRONG_RETURN_TYPE,
                location,
                "return_type",
                shown(value),
                found=spec.return_type,
                expected=expected,
            )
        ]
    return []


def _agency_failures(
    raw: RawReturn,
    agency: Agency | None,
    agencies: Mapping[str, Agency],
    spec: ReturnSpec | None,
    boards: Boards,
    board: Board | None,
    fits: CoverFits,
) -> list[Failure]:
    """COV-003 for an agency code no board knows, BRD-002 for another board's agency (it may
    not speak for this area), COV-004 for an agency that does not send this return."""
    value = raw.cover.get("agency_code")
    location = raw.locations.cover("agency_code")
    if not filled(value):
        return []
    if agency is None:
        choices = ", ".join(agencies)
        elsewhere = agency_named(boards.all_agencies(), cover_text(value))
        if board is not None and elsewhere is not None:
            return [
                failure(
                    rules.AGENCY_NOT_IN_BOARD,
                    location,
                    "agency_code",
                    shown(value),
                    board=board.name,
                    choices=choices,
                )
            ]
        closest = nearest(nearest_label(cover_text(value), agencies))
        rule = rules.UNKNOWN_AGENCY
        return [_cover_failure(rule, raw, "agency_code", fits, nearest=closest, choices=choices)]
    if spec is not None and spec.return_type not in agency.returns:
        return [
            failure(
                rules.AGENCY_NOT_ALLOWED,
                location,
                "agency_code",
                shown(value),
                agency=agency.code,
                agency_name=agency.name,
                return_title=spec.title,
                returns=", ".join(agency.returns),
            )
        ]
    return []


def _agency_area_failures(
    raw: RawReturn,
    agency: Agency | None,
    spec: ReturnSpec | None,
    board: Board | None,
    area: tuple[str, str, str | None] | None,
    la_lookup: AreaLookup,
    day: date | None,
) -> list[Failure]:
    """BRD-005 for an agency of the board that sends for some of its areas only (a council of
    a partnership, `areas:` in the profile) and not for the return's: its figures would stand
    as another council's."""
    if agency is None or board is None or area is None or agency.sends_for(area[0]):
        return []
    names = {code: entry[1] for code in agency.areas if (entry := la_lookup.get(code))}
    return _agency_failure(
        rules.AGENCY_NOT_FOR_AREA,
        raw,
        agency,
        areas=", ".join(area_label(code, names) for code in agency.areas),
        area=area[1],
        area_code=area[0],
        choices=_senders(board, spec, area, day),
    )


def _agency_quarter_failures(
    raw: RawReturn,
    agency: Agency | None,
    spec: ReturnSpec | None,
    board: Board | None,
    area: tuple[str, str, str | None] | None,
    period: Quarter | list[Failure],
) -> list[Failure]:
    """BRD-006 for an agency of the board that had not joined it yet, or had left it, in the
    return's quarter (`from:`, `until:` in the profile): its figures would stand beside those
    of the partner that sent them then."""
    if agency is None or board is None or not isinstance(period, Quarter):
        return []
    if agency.sends_in(period.end):
        return []
    return _agency_failure(
        rules.AGENCY_NOT_IN_QUARTER,
        raw,
        agency,
        board=board.name,
        span=agency.span,
        quarter=period.label,
        choices=_senders(board, spec, area, period.end),
    )


def _senders(
    board: Board,
    spec: ReturnSpec | None,
    area: tuple[str, str, str | None] | None,
    day: date | None,
) -> str:
    """The codes of the board's agencies that send the return for the area in the quarter
    ending on `day` (each where known), as a message offers them."""
    codes = [
        other.code
        for other in board.agencies.values()
        if (area is None or other.sends_for(area[0]))
        and (day is None or other.sends_in(day))
        and (spec is None or spec.return_type in other.returns)
    ]
    return ", ".join(codes) or "none of the board's agencies"


def _agency_failure(
    rule: rules.Rule, raw: RawReturn, agency: Agency, **fields: str
) -> list[Failure]:
    """The failure of `rule` on the return's agency code, naming the agency."""
    return [
        failure(
            rule,
            raw.locations.cover("agency_code"),
            "agency_code",
            shown(raw.cover.get("agency_code")),
            agency=agency.code,
            agency_name=agency.name,
            **fields,
        )
    ]


def _area_failures(
    raw: RawReturn,
    area: tuple[str, str, str | None] | None,
    board: Board | None,
    boards: Boards,
    period: Quarter | list[Failure],
    fits: CoverFits,
) -> list[Failure]:
    """COV-005 for a local authority code that is not known, BRD-004 for one not in use in the
    return's quarter, BRD-001 for one no board covers."""
    value = raw.cover.get("la_code")
    location = raw.locations.cover("la_code")
    if not filled(value):
        return []
    if area is None:
        return [_cover_failure(rules.UNKNOWN_AREA, raw, "la_code", fits)]
    # Cumbria's code after April 2023 would take the last county estimate, "to be revised",
    # for a population ONS will never estimate again.
    reason = not_in_force_reason(area[0], period.end) if isinstance(period, Quarter) else None
    if reason is not None:
        return [
            failure(
                rules.AREA_NOT_IN_FORCE,
                location,
                "la_code",
                shown(value),
                area=area[1],
                area_code=area[0],
                quarter=period.label,
                reason=reason,
            )
        ]
    if board is None:
        return [
            failure(
                rules.AREA_NOT_COVERED,
                location,
                "la_code",
                shown(value),
                area=area[1],
                area_code=area[0],
                boards=boards.described(),
            )
        ]
    return []


def _local_target_failures(
    raw: RawReturn,
    typed: pd.DataFrame,
    spec: ReturnSpec,
    board: Board | None,
    area: tuple[str, str, str | None] | None,
    period: Quarter | list[Failure],
) -> list[Failure]:
    """BRD-003 for each value of a column tied to a local target that is not the board's for
    the return's area in its quarter (its latest where the cover gives none): its figures would
    be published under that target ("within 40 working days"). A cell failing its own check
    (out of range, not a whole number) is reported as that alone, as `_rule_holds` does."""
    if board is None or area is None:
        return []
    # A target the board has since changed still holds for the quarters before the change.
    day = period.end if isinstance(period, Quarter) else date.max
    targets = board.local_targets_on(area[0], day)
    failures: list[Failure] = []
    for column in spec.columns:
        if column.local_target is None or column.name not in typed.columns:
            continue
        target = targets[column.local_target]
        values = typed[column.name]
        judged = _own_checks_passed(values, column)
        for row in values.index[judged & values.ne(target)]:
            failures.append(
                failure(
                    rules.LOCAL_TARGET_DIFFERS,
                    raw.locations.cell(int(row), column.name),
                    column.name,
                    shown(raw.data.at[row, column.name]),
                    title=column.title,
                    board=board.name,
                    area=area[1],
                    target=target,
                    meaning=LOCAL_TARGETS[column.local_target][1],
                )
            )
    return failures


def _period(raw: RawReturn, fits: CoverFits) -> Quarter | list[Failure]:
    """The quarter the cover's period is, or why it is not one (COV-007, COV-006)."""
    values = {name: raw.cover.get(name) for name in ("period_start", "period_end")}
    dates = {name: date_value(value) for name, value in values.items()}
    not_dates = [
        _cover_failure(rules.NOT_A_DATE, raw, name, fits)
        for name, value in values.items()
        if filled(value) and dates[name] is None
    ]
    start, end = dates["period_start"], dates["period_end"]
    if not_dates or start is None or end is None:
        return not_dates
    try:
        return quarter_from_dates(start, end)
    except PeriodError as error:
        location = raw.locations.cover("period_start")
        problem = str(error)
        return [
            failure(
                rules.NOT_A_QUARTER, location, "period_start", f"{start} to {end}", problem=problem
            )
        ]


def _no_rows_failures(raw: RawReturn) -> list[Failure]:
    """ROW-001 when there are no rows of figures (but for a CSV file whose one line of figures
    was read as its headings: COL-005 says so)."""
    if not raw.data.empty or _without_headings(raw):
        return []
    return [failure(rules.NO_DATA_ROWS, raw.locations.row(raw.locations.header_row + 1))]


def _layout_failures(
    raw: RawReturn, spec: ReturnSpec, specs: Mapping[str, ReturnSpec]
) -> list[Failure]:
    """When none of the return's columns was found: ROW-005 if the sheet is empty, COV-011 if the
    columns are another return's, COL-004 if the headers are in a row below the first."""
    if any(name in raw.data.columns for name in spec.column_names):
        return []
    if raw.data.columns.empty:
        titles = ", ".join(f"'{column.title}'" for column in spec.columns)
        return [
            failure(
                rules.EMPTY_DATA_SHEET, raw.locations.row(raw.locations.header_row), titles=titles
            )
        ]
    other = _return_with_columns(raw.data.columns, specs)
    if other is not None:
        value = raw.cover.get("return_type")
        return [
            failure(
                rules.RETURN_TYPE_MISMATCH,
                raw.locations.cover("return_type"),
                "return_type",
                shown(value),
                found=other.return_type,
                found_title=other.title,
                stated_title=spec.title,
            )
        ]
    header_row = _header_row_below(raw.data, spec)
    if header_row is not None:
        return [failure(rules.HEADER_NOT_FIRST, raw.locations.row(header_row))]
    return []


def _return_with_columns(
    labels: Iterable[object], specs: Mapping[str, ReturnSpec]
) -> ReturnSpec | None:
    """The return at least half of whose columns the labels name, if any."""
    keys = {label_key(str(label)) for label in labels}
    counts = [
        (len({spec.header_index[key] for key in keys if key in spec.header_index}), spec)
        for spec in specs.values()
    ]
    count, best = max(counts, key=lambda pair: pair[0])
    return best if 2 * count >= len(best.columns) else None


def _header_row_below(data: pd.DataFrame, spec: ReturnSpec) -> int | None:
    """The first row of the data that names one of the return's columns, if any."""
    return next(
        (
            row
            for row, cells in zip(data.index, data.itertuples(index=False), strict=True)
            if any(isinstance(c, str) and label_key(c) in spec.header_index for c in cells)
        ),
        None,
    )


def _totals_rows(raw: RawReturn) -> dict[int, str]:
    """Row number -> the label of each row that says it is a total ('Total', 'Grand total')."""
    labels = {
        row: _total_label(cells)
        for row, cells in zip(raw.data.index, raw.data.itertuples(index=False), strict=True)
    }
    return {row: label for row, label in labels.items() if label is not None}


def _total_label(cells: Iterable[CellValue]) -> str | None:
    """The first cell of a row that says it is a total, if any."""
    return next((c for c in cells if isinstance(c, str) and label_key(c) in _TOTAL_LABELS), None)


def _totals_failures(raw: RawReturn, totals: Mapping[int, str]) -> list[Failure]:
    """ROW-003 for each totals row."""
    return [
        failure(rules.TOTALS_ROW, raw.locations.row(row), value=shown(label))
        for row, label in totals.items()
    ]


def _long_line_failures(raw: RawReturn) -> list[Failure]:
    """ROW-004 for each CSV line with more values than the header has columns."""
    return [
        failure(
            rules.LINE_TOO_LONG,
            raw.locations.row(long.line),
            values=str(long.values),
            columns=str(long.columns),
        )
        for long in raw.long_lines
    ]


def _typed_column(values: pd.Series, column: ColumnSpec) -> pd.Series:
    """One declared column typed: codes as str (matched to an allowed code), others as Int64."""
    if column.type == "code":
        codes = [_code(value, column) for value in values]
        return pd.Series(codes, index=values.index, dtype=text_dtype())
    # A number beyond any bound is kept just beyond it, so the range check reports it rather
    # than Int64 overflowing.
    numbers = [whole_number(value) for value in values]
    kept = [n if n is None else max(-MAX_WHOLE - 1, min(n, MAX_WHOLE + 1)) for n in numbers]
    return pd.Series(kept, index=values.index, dtype="Int64")


def text_dtype() -> pd.StringDtype:
    """pandas' text dtype (`str`) as this process stores it now, Arrow's or Python's strings
    (`config.use_python_strings`): named when a schema is made, not when pandera is imported,
    as pandera's own `str` is, so a schema checks text typed as it is typed."""
    return pd.StringDtype(na_value=float("nan"))


def _code(value: CellValue, column: ColumnSpec) -> str | None:
    """A code cell as the allowed code it spells ('Level 1' is level_1), else its text."""
    text = cover_text(value)
    matches = [code for code in column.allowed if label_key(code) == label_key(text)]
    return matches[0] if matches else text or None


def _column_schema(column: ColumnSpec) -> pa.Column:
    """The pandera column for a declared column; each check's error is its rule code."""
    if column.type == "code":
        allowed = pa.Check.isin(column.allowed, error=rules.NOT_ALLOWED_CODE.code)
        return pa.Column(text_dtype(), allowed)
    low, high = _bounds(column)
    low_rule = rules.NEGATIVE if column.type == "count" else rules.OUT_OF_RANGE
    checks = [
        pa.Check.ge(low, error=low_rule.code),
        pa.Check.le(high, error=rules.OUT_OF_RANGE.code),
    ]
    return pa.Column("Int64", checks)


def _rule_holds(check: CheckSpec, spec: ReturnSpec, frame: pd.DataFrame) -> pd.Series | bool:
    """Per row, whether a declared rule holds."""
    if not set(check.columns) <= set(frame.columns):
        return True  # the missing column is reported on its own
    # A row with a missing, unreadable, negative or out-of-range value has that cell reported;
    # judging the rule on it would only repeat the problem, leaving the partner two to fix.
    judged = pd.DataFrame(
        {name: _own_checks_passed(frame[name], spec.column(name)) for name in check.columns}
    )
    return frame.eval(check.rule).where(judged.all(axis=1)).fillna(True).astype(bool)


def _own_checks_passed(values: pd.Series, column: ColumnSpec) -> pd.Series:
    """Per cell, whether it is filled and passes its column's own checks (range, codes)."""
    # pandera leaves a missing cell out of a check's output: it is reported as blank.
    results = [check(values).check_output for check in _column_schema(column).checks]
    return pd.concat(results, axis=1).all(axis=1).reindex(values.index, fill_value=False)


def _schema_failures(raw: RawReturn, typed: pd.DataFrame, spec: ReturnSpec) -> list[Failure]:
    """The failures pandera finds in the typed data, located in the partner's file."""
    try:
        return_schema(spec).validate(typed, lazy=True)
    except SchemaErrors as errors:
        cases = _ordered_cases(_judged_cases(errors.failure_cases, typed, spec), spec)
        located = [_case_failure(case, raw, typed, spec) for case in cases.to_dict("records")]
        return list(dict.fromkeys(located))  # a row-level failure comes once per column
    return []


def _judged_cases(cases: pd.DataFrame, typed: pd.DataFrame, spec: ReturnSpec) -> pd.DataFrame:
    """Failure cases without a repeated row key on a row whose key failed its own check."""
    # Two rows with one unknown code are VAL-004 twice: ROW-002 would repeat it, quoting what
    # the partner typed there (a child's name) as if it were a key.
    key = [name for name in spec.row_key if name in typed.columns]
    if not key:
        return cases
    judged = pd.concat([_own_checks_passed(typed[n], spec.column(n)) for n in key], axis=1)
    unjudged = judged.index[~judged.all(axis=1)]
    return cases[~((cases["check"] == _DUPLICATE_KEY) & cases["index"].isin(unjudged))]


def _ordered_cases(cases: pd.DataFrame, spec: ReturnSpec) -> pd.DataFrame:
    """Failure cases in reading order: whole columns, then each row's cells, then the row."""
    position = {name: i for i, name in enumerate(spec.column_names)}
    order = cases.assign(
        _row=pd.to_numeric(cases["index"], errors="coerce").fillna(-1),
        _whole_row=cases["schema_context"] != "Column",
        _column=cases["column"].map(lambda name: position.get(name, len(position))),
    )
    return order.sort_values(["_row", "_whole_row", "_column"], kind="stable")


def _case_failure(
    case: dict[str, Any], raw: RawReturn, typed: pd.DataFrame, spec: ReturnSpec
) -> Failure:
    """One pandera failure case as a Failure in the partner's terms."""
    check, name = case["check"], case["column"]
    locations = raw.locations
    if check == _MISSING_COLUMN:
        title = spec.column(case["failure_case"]).title
        location = locations.row(locations.header_row)
        return failure(rules.MISSING_COLUMN, location, case["failure_case"], title=title)
    if check == _UNEXPECTED_COLUMN:
        return _unexpected_column_failure(case["failure_case"], raw, spec)
    row = int(case["index"])
    declared = {c.code: c for c in spec.checks}
    if check in declared:
        return _declared_check_failure(declared[check], row, raw, typed, spec)
    if check == _DUPLICATE_KEY:
        return _duplicate_key_failure(row, raw, typed, spec)
    column = spec.column(name)
    raw_value = raw.data.at[row, name]
    location = locations.cell(row, name)
    is_date = filled(raw_value) and date_value(raw_value) is not None
    if check == rules.NOT_ALLOWED_CODE.code:
        # A code column's words ('Other', 'Level one') are shaped like a name, so only what is
        # written as a number or as our codes are is quoted; the nearest code says the rest.
        fits = number_like(raw_value) or code_like(raw_value)
        return failure(
            rules.NOT_ALLOWED_CODE,
            location,
            name,
            cell_shown(raw_value, fits, is_date),
            title=column.title,
            cell=cell_named(raw_value, fits, is_date),
            nearest=nearest(nearest_label(cover_text(raw_value), column.allowed)),
            choices=", ".join(column.allowed),
        )
    value = figure_shown(raw_value, is_date) if filled(raw_value) else None
    fields = {"title": column.title, "cell": figure_named(raw_value, is_date)}
    if check == _NOT_NULLABLE:
        rule = rules.NOT_WHOLE_NUMBER if filled(raw_value) else rules.BLANK_VALUE
        rule = rules.TOO_MANY_DIGITS if too_many_digits(raw_value) else rule
        return failure(rule, location, name, value, hint=_hint(column), **fields)
    if check == rules.NEGATIVE.code:
        return failure(rules.NEGATIVE, location, name, value, hint=_hint(column), **fields)
    return failure(rules.OUT_OF_RANGE, location, name, value, hint=_range_hint(column), **fields)


def _unexpected_column_failure(label: str, raw: RawReturn, spec: ReturnSpec) -> Failure:
    """COL-002 for a column whose heading is not one of the return's, named as `_heading` says."""
    titles = [*(column.title for column in spec.columns), *(f.title for f in raw.cover_fields)]
    close = nearest_label(label, titles)
    heading = _heading(label, raw, spec)
    return failure(
        rules.UNEXPECTED_COLUMN,
        raw.locations.header(label),
        heading.column,
        heading.value,
        cell=heading.cell,
        return_title=spec.title,
        nearest=nearest(f"'{close}'" if close else None),
        advice=heading.advice,
    )


@dataclass(frozen=True)
class _Heading:
    """A data column's heading as a failure gives it: quoted, or described with advice."""

    column: str | None  # the heading as shown, None where it is described
    value: str  # `cell_shown`: the heading as shown, or what it is ('text', 'a date')
    cell: str  # `cell_named`: as a message names it
    advice: str  # where described, the headings to type ('' where quoted)


def _heading(label: str, raw: RawReturn, spec: ReturnSpec) -> _Heading:
    """A column's heading (COL-002, COL-003) quoted where it is a slip in one of the return's
    (`_heading_fits`), else described, with the headings to type."""
    # A blank header's column is named by read, not by the partner: its name is ours to quote.
    headings = [*spec.header_index, *cover_index(raw.cover_fields)]
    fits = unheaded(label) or _heading_fits(label, headings)
    is_date = date_value(label) is not None
    listed = ", ".join(f"'{column.title}'" for column in spec.columns)
    hint = rules.NO_HEADINGS_HINT if _first_row_is_data(raw, spec) else rules.HEADINGS_HINT
    return _Heading(
        shown(label) if fits else None,
        cell_shown(label, fits, is_date),
        cell_named(label, fits, is_date),
        "" if fits else hint.format(titles=listed),
    )


def _heading_fits(label: str, headings: Iterable[str]) -> bool:
    """Whether a column's heading may be quoted back: written as our headings are and within a
    slip or two of one of `headings` ('Staf traned'). Any other heading may be a row of data read
    as the header, such as a child's name or date of birth."""
    return bool(_HEADING_LIKE.fullmatch(visible(label))) and (
        nearest_label(label, headings, cutoff=_MISTYPED_HEADING) is not None
    )


def _first_row_is_data(raw: RawReturn, spec: ReturnSpec) -> bool:
    """Whether the first row holds figures where the headings belong: none of it heads one of
    the return's columns, and a cell of it is a number or a date, which no heading is."""
    labels = [str(label) for label in raw.data.columns]
    return not any(name in labels for name in spec.column_names) and _holds_figures(labels)


def _holds_figures(labels: Iterable[object]) -> bool:
    """Whether a row read as headings holds a number or a date, which no heading is."""
    return any(
        whole_number(str(label)) is not None or date_value(str(label)) is not None
        for label in labels
    )


def _declared_check_failure(
    check: CheckSpec, row: int, raw: RawReturn, typed: pd.DataFrame, spec: ReturnSpec
) -> Failure:
    """A declared cross-column check failing on one row, with the values it compared."""
    values = "; ".join(
        f"{spec.column(name).title}: {typed.at[row, name]}" for name in check.columns
    )
    return check_failure(check.code, check.message, raw.locations.row(row), values)


def _duplicate_key_failure(
    row: int, raw: RawReturn, typed: pd.DataFrame, spec: ReturnSpec
) -> Failure:
    """ROW-002 for a row whose key was given on an earlier row."""
    key = ", ".join(f"'{shown(typed.at[row, name])}'" for name in spec.row_key)
    titles = " and ".join(spec.column(name).title for name in spec.row_key)
    location = raw.locations.cell(row, spec.row_key[0])
    return failure(
        rules.DUPLICATE_ROW_KEY, location, spec.row_key[0], key, key=key, key_titles=titles
    )


def _hint(column: ColumnSpec) -> str:
    """What to enter instead of a bad value in `column`."""
    if column.type == "count":
        return rules.COUNT_HINT
    if column.type == "code":
        return rules.CODE_HINT.format(choices=", ".join(column.allowed))
    return _range_hint(column)


def _range_hint(column: ColumnSpec) -> str:
    """The whole numbers a numeric column accepts, e.g. 'Enter a whole number from 1 to 45.'"""
    low, high = _bounds(column)
    return rules.RANGE_HINT.format(range=f" from {low} to {high}")


def _bounds(column: ColumnSpec) -> tuple[int, int]:
    """The smallest and largest value a numeric column accepts."""
    if column.type == "count":
        return 0, MAX_WHOLE
    low = -MAX_WHOLE if column.minimum is None else column.minimum
    return low, MAX_WHOLE if column.maximum is None else column.maximum
