"""Every rule a partner return or a case list is validated against: its stable code, severity,
one-line summary and partner-readable message template, each declared here and only here.

Codes never change meaning once published, because partners and the board's data team refer
to them. The cross-column checks of each declaration (REF-X01 ..., CAS-X01 ...) are declared
with their own messages in `schemas/`; a declared check may never take a code registered here.

Return templates are written for the partner: what is wrong, where, and what to enter instead;
the location (e.g. `Data!C4` or `line 4, column "Referrals"`) is put in front of every message.
A case list holds personal data, so its templates (CASE_..., codes CAS-...) never take a cell's
text as a field: a case-list failure says where and which child, by pseudonym only. A cell of a
return (or of a board record) is quoted only where it fits what the cell takes (`cell_named`):
a figure written as a number, a code written as our codes are, an area code's or a date's shape.
Anything else typed there may be a child's name, a date of birth or a postcode, and is described.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    import pandas as pd

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Rule:
    """A validation rule: stable code, severity, one-line summary and message template."""

    code: str
    severity: Severity
    summary: str
    template: str


def rule_registry(rules: Iterable[Rule]) -> dict[str, Rule]:
    """`rules` by code; ValueError if a code is declared twice."""
    registry: dict[str, Rule] = {}
    for rule in rules:
        if registry.setdefault(rule.code, rule) is not rule:
            raise ValueError(f"rule code {rule.code} is declared twice")
    return registry


# Partner returns.

UNREADABLE = Rule("RET-001", "error", "The file cannot be read as a return.", "{problem}")

MISSING_COVER_FIELD = Rule(
    "COV-001",
    "error",
    "A cover field is missing or blank.",
    "'{title}' is missing or blank. Every return must state it.",
)
UNKNOWN_RETURN_TYPE = Rule(
    "COV-002",
    "error",
    "The return type is not one we collect.",
    "{cell} in '{title}' is not a return we collect{nearest}. Use one of: {choices}.",
)
UNKNOWN_AGENCY = Rule(
    "COV-003",
    "error",
    "The agency code is not a known partner agency.",
    "{cell} in '{title}' is not a known agency code{nearest}. Use one of: {choices}.",
)
AGENCY_NOT_ALLOWED = Rule(
    "COV-004",
    "error",
    "The agency does not send this return.",
    "{agency} ({agency_name}) does not send the {return_title} return; it sends: {returns}.",
)
AREA_NOT_COVERED = Rule(
    "BRD-001",
    "error",
    "No board here covers the area the return is for.",
    "No board here covers {area} ({area_code}); returns are accepted for: {boards}. Check the "
    "local authority code, or send the return to the board that covers the area.",
)
AGENCY_NOT_IN_BOARD = Rule(
    "BRD-002",
    "error",
    "The agency is not one of the partner agencies of the board that covers the area.",
    "'{value}' is not one of {board}'s agencies. Use one of: {choices}.",
)
LOCAL_TARGET_DIFFERS = Rule(
    "BRD-003",
    "error",
    "The local target in the return is not the board's for the return's area.",
    "'{value}' in '{title}' is not {board}'s local target for {area}, {target} ({meaning}). "
    "Enter {target}, or ask the board's business manager whether the target has changed.",
)
AREA_NOT_IN_FORCE = Rule(
    "BRD-004",
    "error",
    "The local authority code was not in use in the return's quarter.",
    "{area} ({area_code}) was not a local authority in {quarter}: {reason}. Give the code of "
    "the authority the quarter's figures are for.",
)
AGENCY_NOT_FOR_AREA = Rule(
    "BRD-005",
    "error",
    "The agency does not send returns for the area the return is for.",
    "{agency} ({agency_name}) sends returns for {areas} only, not for {area} ({area_code}). "
    "Give the area the figures are for, or the code of the agency that sends them: {choices}.",
)
AGENCY_NOT_IN_QUARTER = Rule(
    "BRD-006",
    "error",
    "The agency was not one of the board's partners in the return's quarter.",
    "{agency} ({agency_name}) sends {board}'s returns {span} only, not for {quarter}. Give the "
    "quarter the figures are for, or the code of the agency that sent them then: {choices}.",
)
UNKNOWN_AREA = Rule(
    "COV-005",
    "error",
    "The local authority code is not known.",
    "{cell} in '{title}' is not a local authority code we know. Give the area's ONS code (E "
    "and eight digits) or its DfE three-digit number.",
)
NOT_A_QUARTER = Rule(
    "COV-006",
    "error",
    "Period start to period end is not one financial quarter.",
    "the period {problem}. A return covers one financial quarter "
    "(Q1 Apr-Jun, Q2 Jul-Sep, Q3 Oct-Dec, Q4 Jan-Mar).",
)
NOT_A_DATE = Rule(
    "COV-007",
    "error",
    "A cover date is not a date.",
    "{cell} in '{title}' is not a date. Enter a date such as 01/07/2014.",
)
WRONG_RETURN_TYPE = Rule(
    "COV-008",
    "error",
    "The return type is not the one expected here.",
    "this file is a {found} return but a {expected} return was expected here. "
    "Check the file was sent to the right place.",
)
COVER_DIFFERS = Rule(
    "COV-009",
    "error",
    "A cover value differs between rows of a CSV return.",
    "{cell} in '{title}' differs from {first_cell} on {first_location}. "
    "Every row must give the same cover values.",
)
DUPLICATE_COVER_FIELD = Rule(
    "COV-010",
    "error",
    "A cover field is given twice.",
    "'{label}' gives '{title}' a second time. Keep one.",
)
RETURN_TYPE_MISMATCH = Rule(
    "COV-011",
    "error",
    "The return type does not match the columns.",
    "'{value}' does not match the columns, which are those of the {found_title} return "
    "({found}). Correct the return type, or send the {stated_title} figures.",
)
INVISIBLE_CHARACTER = Rule(
    "COV-012",
    "error",
    "A code holds an invisible, control or direction-changing character.",
    "{cell} in '{title}' holds a character you cannot see ({hidden}, written as its escape), "
    "such as a zero-width space or a right-to-left mark. Type the code again by hand rather "
    "than pasting it.",
)

MISSING_COLUMN = Rule(
    "COL-001",
    "error",
    "A column of the return is missing.",
    "there is no '{title}' column. Add a column headed '{title}'.",
)
UNEXPECTED_COLUMN = Rule(
    "COL-002",
    "warning",
    "A column is not part of the return and is ignored.",
    "{cell} heading this column is not one of the {return_title} return's headings, so the "
    "column was ignored{nearest}.{advice}",
)
DUPLICATE_COLUMN = Rule(
    "COL-003",
    "error",
    "Two columns have headers naming the same column.",
    "{cell} heading this column names the same column as an earlier heading{title}. Keep "
    "one.{advice}",
)
HEADER_NOT_FIRST = Rule(
    "COL-004",
    "error",
    "The column headers are not in the first row.",
    "the column headers are in this row, below the first. Delete the rows above them: the "
    "headers must be the first row of the Data sheet (or of the CSV file).",
)
NO_HEADING_ROW = Rule(
    "COL-005",
    "error",
    "The CSV file has no row of headings.",
    "the first line holds figures where the headings belong, so none of the cover columns "
    "({titles}) was found. Insert a first line of headings, as the template has.",
)

NOT_WHOLE_NUMBER = Rule(
    "VAL-001",
    "error",
    "A value is not a whole number.",
    "{cell} in '{title}' is not a whole number. {hint}",
)
NEGATIVE = Rule(
    "VAL-002",
    "error",
    "A count is negative.",
    "{cell} in '{title}' is negative; a count cannot be below 0. {hint}",
)
OUT_OF_RANGE = Rule(
    "VAL-003",
    "error",
    "A value is below the column's minimum or above its maximum.",
    "{cell} in '{title}' is out of range. {hint}",
)
NOT_ALLOWED_CODE = Rule(
    "VAL-004",
    "error",
    "A code is not one of the column's allowed codes.",
    "{cell} in '{title}' is not one of the column's codes{nearest}. Use one of: {choices}.",
)
BLANK_VALUE = Rule(
    "VAL-005",
    "error",
    "A cell in a row of figures is blank.",
    "'{title}' is blank. {hint}",
)
TOO_MANY_DIGITS = Rule(
    "VAL-006",
    "error",
    "A number has more digits than any figure can have.",
    "{cell} in '{title}' has more digits than any figure can have, so it was not read. {hint}",
)

NO_DATA_ROWS = Rule(
    "ROW-001",
    "error",
    "The return has a header but no rows of figures.",
    "there are no rows of figures below the header. Add the figures for the quarter.",
)
DUPLICATE_ROW_KEY = Rule(
    "ROW-002",
    "error",
    "Two rows have the same key.",
    "{key} is already given on an earlier row. Give each {key_titles} once.",
)
TOTALS_ROW = Rule(
    "ROW-003",
    "error",
    "A row is a totals row.",
    "this looks like a totals row ('{value}'). Delete it: the rows are added up for you, "
    "so a totals row would count every figure twice.",
)
LINE_TOO_LONG = Rule(
    "ROW-004",
    "error",
    "A line of a CSV return has more values than the header has columns.",
    "this line has {values} values but the header names {columns} columns, so its figures are "
    "not under their headers. A value written with a comma in it (a figure such as 1,283, or "
    "a note) is split in two unless it is in quotes: write figures without commas (1283), or "
    "save the file from Excel as 'CSV UTF-8 (Comma delimited) (*.csv)', which quotes them.",
)
EMPTY_DATA_SHEET = Rule(
    "ROW-005",
    "error",
    "The sheet of figures is empty: no header, no rows.",
    "the sheet is empty. Type the column headings in its first row ({titles}), or copy them "
    "from the template, then add the figures for the quarter below them.",
)
UNUSUAL_VALUE = Rule(
    "RNG-001",
    "warning",
    "A figure is far outside the area's usual range for it.",
    "{value} in '{title}' is {direction} the usual figure ({typical}, the median of the previous "
    "{count} quarters). Check it is right; it is accepted as it is.",
)

REVISED = Rule(
    "REV-001",
    "warning",
    "A resubmission changes a figure by more than the series usually moves.",
    "{measure} revised to {value} from {previous} (submission {superseded}): {usual}. It is "
    "used as sent; confirm it with the partner.",
)
OVER_BUDGET = Rule(
    "RET-002",
    "error",
    "The file took more time or memory to read than any return needs.",
    "{problem} A return holds one quarter's totals and is read in well under a second: "
    "save it again from the template, or send it as CSV.",
)


# Case lists.

CASE_UNREADABLE = Rule("CAS-001", "error", "The file cannot be read as a case list.", "{problem}")
CASE_NOT_A_CASE_LIST = Rule(
    "CAS-002",
    "error",
    "The columns are not those of any case list.",
    "the columns are not those of a case list we collect ({choices}). The first row must "
    "head the columns, e.g. {example}.",
)
CASE_MISSING_COLUMN = Rule(
    "CAS-003",
    "error",
    "A column the list needs is missing.",
    "there is no '{title}' column. Add a column headed '{title}'.",
)
CASE_DUPLICATE_COLUMN = Rule(
    "CAS-004",
    "error",
    "Two columns have headers naming the same column.",
    "this is a second '{title}' column. Keep one.",
)
CASE_IDENTIFYING_COLUMN = Rule(
    "CAS-005",
    "warning",
    "A column that identifies people was dropped unread.",
    "this column's header looks like it heads names, addresses, postcodes or another "
    "service's number for a person, and was dropped without being read. Leave such columns "
    "out of case lists: the child ID is all that is needed to link a child's records.",
)
CASE_UNEXPECTED_COLUMN = Rule(
    "CAS-006",
    "warning",
    "A column is not part of the list and was ignored.",
    "this column's header is not one of the {list_title} list's and the column was ignored.",
)
CASE_NO_ROWS = Rule(
    "CAS-007",
    "error",
    "The list has a header but no rows.",
    "there are no rows below the header. A list with nothing to report still needs sending "
    "for its period, with at least the history it holds.",
)

CASE_BLANK_VALUE = Rule(
    "CAS-010",
    "error",
    "A cell that must be filled is blank.",
    "'{title}' is blank; every row needs it.",
)
CASE_NOT_A_DATE = Rule(
    "CAS-011",
    "error",
    "A date cell does not hold a date.",
    "'{title}' is not a date. Enter a date such as 2014-07-01 or 01/07/2014.",
)
CASE_NOT_ALLOWED_CODE = Rule(
    "CAS-012",
    "error",
    "A code is not one of the column's codes.",
    "'{title}' is not one of the codes for it. Use one of: {choices}.",
)
CASE_NOT_YES_NO = Rule(
    "CAS-013",
    "error",
    "A yes/no cell holds something else.",
    "'{title}' must be yes or no, or blank when not known.",
)
CASE_NOT_IN_RANGE = Rule(
    "CAS-014",
    "error",
    "A number is not a whole number in the column's range.",
    "'{title}' is not a whole number from {minimum} to {maximum}.",
)
CASE_UNKNOWN_AREA = Rule(
    "CAS-015",
    "error",
    "The local authority code is not known.",
    "'{title}' is not a local authority code we know. Give the ONS code (e.g. E06000033) or "
    "the DfE number (e.g. 882).",
)
CASE_NOT_QUARTERS = Rule(
    "CAS-016",
    "error",
    "The period is not whole financial quarters.",
    "the period ({period}) is not whole financial quarters. It must start on 1 April, 1 July, "
    "1 October or 1 January and end on the last day of a quarter, on or after its start.",
)
CASE_PERIOD_DIFFERS = Rule(
    "CAS-017",
    "error",
    "The period differs between rows of one authority's list.",
    "the period differs from the one on {first_location} for the same local authority. Every "
    "row of one authority's list gives the same period.",
)
CASE_DUPLICATE_RECORD = Rule(
    "CAS-018",
    "error",
    "A record is given twice.",
    "this child's record with this {key_title} is already on {first_location}. Give each "
    "record once (a child referred twice on one day is one referral).",
)
CASE_OVERLAPPING_PLAN = Rule(
    "CAS-019",
    "error",
    "A child protection plan starts before the child's previous plan ended.",
    "this plan starts before the same child's plan on {first_location} ended. A child has one "
    "plan at a time: end the earlier plan, or merge the two.",
)
CASE_PERIOD_OVERLAP = Rule(
    "CAS-020",
    "error",
    "Two lists cover the same quarter for one authority.",
    "the {list_title} list for {area} covers {quarter}, as does {other_file}. Send each "
    "quarter of each authority in one list only; neither is used until one is withdrawn.",
)
CASE_MORE_FAILURES = Rule(
    "CAS-021",
    "error",
    "More rows fail a rule than are listed.",
    "{count} more rows fail {code} ({summary}); the first {listed} are listed.",
)
CASE_NOT_A_FILE = Rule(
    "CAS-022",
    "warning",
    "An entry of the cases folder is not a regular file and was skipped.",
    "this entry is {reason}, so it was skipped unread. Put the list itself in the folder.",
)

# A board's own records (data/raw/local/<board>/board_records.csv and board_attendance.csv),
# kept by its business manager: `{line}` is the file's line, header line 1.

LOCAL_UNKNOWN_MEASURE = Rule(
    "LOC-001",
    "error",
    "The measure is not one a board records in this file.",
    "line {line}: {cell} is not a measure recorded in {file}{nearest}. Use one of: {choices}.",
)
LOCAL_NOT_A_YEAR = Rule(
    "LOC-002",
    "error",
    "The financial year is not written as a financial year.",
    "line {line}: {cell} is not a financial year. Write it as 2013-14 (April 2013 to March 2014).",
)
LOCAL_NOT_A_NUMBER = Rule(
    "LOC-003",
    "error",
    "The value is not a number of 0 or more.",
    "line {line}: {cell} is not a number of 0 or more. Enter the figure without a currency "
    "sign or thousands separator (38847.60), and 0 if there were none.",
)
LOCAL_DUPLICATE_ROW = Rule(
    "LOC-004",
    "error",
    "The same figure is given twice.",
    "line {line}: {key} is given again (first on line {first}). Keep one row.",
)
LOCAL_NOT_A_MONTH = Rule(
    "LOC-005",
    "error",
    "The meeting is not written as a year and month.",
    "line {line}: {cell} is not a meeting month. Write it as 2013-11.",
)
LOCAL_PART_EXCEEDS_WHOLE = Rule(
    "LOC-006",
    "error",
    "A figure is more than the figure it is part of.",
    "line {line}: {measure} ({value}) is more than {whole} ({whole_value}) for {key}.",
)
LOCAL_UNKNOWN_STATUS = Rule(
    "LOC-007",
    "error",
    "The attendance status is not one the register uses.",
    "line {line}: {cell} is not an attendance status{nearest}. Use one of: {choices}.",
)
LOCAL_BLANK_VALUE = Rule(
    "LOC-008",
    "error",
    "A required field is blank.",
    "line {line}: '{column}' is blank. Every row needs it.",
)

LOCAL_NOT_AS_AT = Rule(
    "LOC-009",
    "error",
    "The as-at date is not a date on or before the end of the financial year.",
    "line {line}: {cell} is not a date on or before {year_end}, the end of {year}. Write it "
    "as 2012-06-30, or leave it blank for a figure of the whole year.",
)
LOCAL_FLOW_AS_AT = Rule(
    "LOC-010",
    "error",
    "A figure counted over the year is given as at a date.",
    "line {line}: {measure} is counted over the whole financial year, so it has no as-at date. "
    "Leave as_at blank.",
)

LOCAL_HIDDEN_CHARACTER = Rule(
    "LOC-011",
    "error",
    "A field holds a character you cannot see.",
    "line {line}: {cell} in '{column}' holds a character you cannot see ({hidden}, written as "
    "its escape). Type it again by hand rather than pasting it.",
)

#: The rules of a board's own records.
LOCAL_RECORD_RULES: tuple[Rule, ...] = (
    LOCAL_UNKNOWN_MEASURE,
    LOCAL_NOT_A_YEAR,
    LOCAL_NOT_A_NUMBER,
    LOCAL_DUPLICATE_ROW,
    LOCAL_NOT_A_MONTH,
    LOCAL_PART_EXCEEDS_WHOLE,
    LOCAL_UNKNOWN_STATUS,
    LOCAL_BLANK_VALUE,
    LOCAL_NOT_AS_AT,
    LOCAL_FLOW_AS_AT,
    LOCAL_HIDDEN_CHARACTER,
)
#: The rules of partner returns.
RETURN_RULES: tuple[Rule, ...] = (
    UNREADABLE,
    MISSING_COVER_FIELD,
    UNKNOWN_RETURN_TYPE,
    UNKNOWN_AGENCY,
    AGENCY_NOT_ALLOWED,
    AREA_NOT_COVERED,
    AGENCY_NOT_IN_BOARD,
    LOCAL_TARGET_DIFFERS,
    AREA_NOT_IN_FORCE,
    AGENCY_NOT_FOR_AREA,
    AGENCY_NOT_IN_QUARTER,
    UNKNOWN_AREA,
    NOT_A_QUARTER,
    NOT_A_DATE,
    WRONG_RETURN_TYPE,
    COVER_DIFFERS,
    DUPLICATE_COVER_FIELD,
    RETURN_TYPE_MISMATCH,
    INVISIBLE_CHARACTER,
    MISSING_COLUMN,
    UNEXPECTED_COLUMN,
    DUPLICATE_COLUMN,
    HEADER_NOT_FIRST,
    NO_HEADING_ROW,
    NOT_WHOLE_NUMBER,
    NEGATIVE,
    OUT_OF_RANGE,
    NOT_ALLOWED_CODE,
    BLANK_VALUE,
    TOO_MANY_DIGITS,
    NO_DATA_ROWS,
    DUPLICATE_ROW_KEY,
    TOTALS_ROW,
    LINE_TOO_LONG,
    EMPTY_DATA_SHEET,
    UNUSUAL_VALUE,
    REVISED,
    OVER_BUDGET,
)
#: The rules of case lists.
CASE_LIST_RULES: tuple[Rule, ...] = (
    CASE_UNREADABLE,
    CASE_NOT_A_CASE_LIST,
    CASE_MISSING_COLUMN,
    CASE_DUPLICATE_COLUMN,
    CASE_IDENTIFYING_COLUMN,
    CASE_UNEXPECTED_COLUMN,
    CASE_NO_ROWS,
    CASE_BLANK_VALUE,
    CASE_NOT_A_DATE,
    CASE_NOT_ALLOWED_CODE,
    CASE_NOT_YES_NO,
    CASE_NOT_IN_RANGE,
    CASE_UNKNOWN_AREA,
    CASE_NOT_QUARTERS,
    CASE_PERIOD_DIFFERS,
    CASE_DUPLICATE_RECORD,
    CASE_OVERLAPPING_PLAN,
    CASE_PERIOD_OVERLAP,
    CASE_MORE_FAILURES,
    CASE_NOT_A_FILE,
)
#: Every rule by code.
RULES: dict[str, Rule] = rule_registry((*RETURN_RULES, *CASE_LIST_RULES, *LOCAL_RECORD_RULES))

#: What to enter instead in a return, by column type (and range, for integer columns).
COUNT_HINT = "Enter 0 if there were none."
RANGE_HINT = "Enter a whole number{range}."
CODE_HINT = "Enter one of: {choices}."
#: What a column heading that is not quoted (COL-002) asks for: the return's headings, typed in
#: the first row where it holds figures in their place (a file sent without its header row).
HEADINGS_HINT = " The return's columns are headed: {titles}."
NO_HEADINGS_HINT = (
    " The first row looks like a row of figures, not headings: head the columns in the first "
    "row, as the template does: {titles}."
)

#: How long an echoed value may be before it is cut short.
MAX_SHOWN = 40
#: Text starting with one of these is run as a formula when a report is opened in a
#: spreadsheet, unless it is a plain number ('-12', '+1,480'); both as regular expressions that
#: Python, pandas' Arrow strings and DuckDB (RE2) read alike.
SQL_FORMULA_START = r"^[=+\-@\t\r]"
SQL_PLAIN_NUMBER = r"[+-]?[0-9,]*\.?[0-9]+"
_FORMULA_START = re.compile(SQL_FORMULA_START)
_PLAIN_NUMBER = re.compile(SQL_PLAIN_NUMBER)


#: What a cell of figures may hold and still be quoted back: a number as people type one, with
#: a sign, a currency or percent sign, thousands commas (or spaces between groups of three) and
#: a decimal point ('3.5', '1,283', '-2', '£40', '12%'), or a sign or dash alone. Anything else
#: typed among the figures may be a child's name, a date of birth or a postcode, which no
#: report, log or run summary may hold; dates and postcodes written with digits ('12.03.2010',
#: '12 03 2010', '01702 123456') do not fit it either.
_NUMBER_LIKE = re.compile(r"[+-]?[£$€]? ?[+-]?(?:\d{1,3}(?: \d{3})+|\d[\d,]*)?(?:\.\d+)? ?%?")
#: Excel's error values (Microsoft, "How to correct a #... error"): a formula's saved result,
#: from a fixed list, never text anyone typed.
EXCEL_ERRORS = frozenset(
    {"#DIV/0!", "#N/A", "#NAME?", "#NULL!", "#NUM!", "#REF!", "#VALUE!", "#SPILL!", "#CALC!"}
)
#: Our codes as they are written: lower-case letters and digits joined by underscores or hyphens,
#: with an underscore or a digit ('level_2', 'board_contributions', '2013-14', '2012-06-30'). A
#: name is written with capitals and a postcode without a separator, so neither fits.
_CODE_LIKE = re.compile(r"(?=.*[0-9_])[a-z0-9]+(?:[_-][a-z0-9]+)+")
#: A local authority code's shapes: ONS (a country's letter and eight digits, E06000033) or DfE
#: (three digits, 882). No name, date of birth or postcode has either shape.
_AREA_CODE_LIKE = re.compile(r"[EWSN][0-9]{8}|[0-9]{3}", re.IGNORECASE)
#: A date written as digits and one kind of separator ('31/06/2014', '2014/07/01'): quoted in a
#: cover date, which asks for one, so the partner sees what could not be read.
_DATE_LIKE = re.compile(r"[0-9]{1,4}([/.-])[0-9]{1,2}\1[0-9]{1,4}")
#: How a message names a cell it does not quote.
A_DATE, TEXT = "a date", "text"


def number_like(value: object) -> bool:
    """Whether a cell of figures holds only a number as people write one (`_NUMBER_LIKE`) or an
    Excel error value, and so may be quoted back."""
    text = " ".join(str(value).split())
    return text in EXCEL_ERRORS or bool(_NUMBER_LIKE.fullmatch(text))


def code_like(value: object) -> bool:
    """Whether a cell's visible text is written as our codes are (`_CODE_LIKE`)."""
    return bool(_CODE_LIKE.fullmatch(visible(str(value)).strip()))


def area_code_like(value: object) -> bool:
    """Whether a cell's visible text has the shape of an ONS or DfE local authority code."""
    return bool(_AREA_CODE_LIKE.fullmatch(visible(str(value)).strip()))


def date_like(value: object) -> bool:
    """Whether a cell's visible text is a date written as digits and separators."""
    return bool(_DATE_LIKE.fullmatch(visible(str(value)).strip()))


def cell_shown(value: object, fits: bool, is_date: bool = False) -> str:
    """A cell as safe to echo: `shown` where it `fits` what the cell takes (a number among the
    figures, one of our codes); otherwise what it is, quoting none of it: A_DATE where
    `is_date` (the caller read it as one), else TEXT."""
    if fits:
        return shown(value)
    return A_DATE if is_date else TEXT


def cell_named(value: object, fits: bool, is_date: bool = False) -> str:
    """A cell as a message names it: `cell_shown` in quotes where that is the cell's own text
    ("'3.5'"), bare where it describes it ("a date", "text")."""
    echo = cell_shown(value, fits, is_date)
    return f"'{echo}'" if fits else echo


def figure_shown(value: object, is_date: bool = False) -> str:
    """A cell of figures as safe to echo: `cell_shown`, quoted where it is `number_like`."""
    return cell_shown(value, number_like(value), is_date)


def figure_named(value: object, is_date: bool = False) -> str:
    """A cell of figures as a message names it: `cell_named`, quoted where it is
    `number_like`."""
    return cell_named(value, number_like(value), is_date)


def nearest(code: str | None) -> str:
    """The end of a message naming the allowed code nearest to what was typed, if any: it tells
    the partner what they meant without repeating what they typed."""
    return f" (the nearest is {code})" if code else ""


def shown(value: object) -> str:
    """`value` as safe to echo: cut to MAX_SHOWN characters, invisible and control characters
    escaped, a leading formula sign quoted."""
    text = " ".join(str(value).split())
    if len(text) > MAX_SHOWN:
        text = text[: MAX_SHOWN - 1] + "…"
    return formula_safe(escaped(text))


def escaped(text: str) -> str:
    """`text` with every character that is not plainly visible (controls such as ESC and
    newline, zero-width and bidirectional marks, odd spaces, undecodable bytes) written as its
    Python escape, so none can act on a terminal or hide in a report."""
    return "".join(
        char if char == " " or char.isprintable() else char.encode("unicode_escape").decode()
        for char in text
    )


def visible(text: str) -> str:
    """`text` without the characters `escaped` writes as escapes."""
    return "".join(char for char in text if escaped(char) == char)


def hidden_escapes(text: str) -> str:
    """The characters of `text` a reader cannot see, each written once as its escape
    ('\\u200b'): they name no one, so a message may show them when it quotes none of the text."""
    return ", ".join(dict.fromkeys(escaped(char) for char in text if escaped(char) != char))


def holds_hidden_character(text: str) -> bool:
    """Whether `text` holds a character `escaped` writes as an escape: one a reader cannot see
    (COV-012, LOC-011, a board profile's names)."""
    return escaped(text) != text


#: Markdown's marks a name could use to make a link or an image fetched from the web (the `(`
#: after a `]`), code, emphasis or a table cell's end; escaped with a backslash, which every
#: renderer of GitHub's Markdown reads. Brackets alone make no link (the chapter's `[cp_plans
#: 2014-15-Q2]` stays as written), nor does an underscore inside a word (`referral_rate`).
_MARKDOWN_MARKS = re.compile(r"[\\`*|]|(?<=\])\(|(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])")


def markdown_safe(text: str) -> str:
    """`text` (a name a board or partner wrote) as Markdown that reads as the same text: its
    marks escaped and '<' written as an entity, so it makes no link, image, code or HTML."""
    return _MARKDOWN_MARKS.sub(lambda mark: "\\" + mark[0], text).replace("<", "&lt;")


def inert(value: object) -> object:
    """`value` as a spreadsheet cell that can never run: text made `formula_safe`, anything
    else unchanged."""
    return formula_safe(value) if isinstance(value, str) else value


def formula_safe(text: str) -> str:
    """`text` that a spreadsheet can never run as a formula: a leading formula sign quoted."""
    if _FORMULA_START.match(text) and not _PLAIN_NUMBER.fullmatch(text):
        return "'" + text
    return text


def inert_column(values: pd.Series) -> pd.Series:
    """`inert` of every cell of `values`, at once: text cells made `formula_safe`."""
    from pandas.api.types import infer_dtype  # pandas only where a frame is written

    if infer_dtype(values, skipna=True) not in ("string", "mixed", "mixed-integer"):
        return values
    risky = values.str.match(SQL_FORMULA_START, na=False) & ~values.str.fullmatch(
        SQL_PLAIN_NUMBER, na=False
    )
    return values.mask(risky, "'" + values[risky].astype(str)) if risky.any() else values
