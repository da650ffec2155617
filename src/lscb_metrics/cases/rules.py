"""Every rule a case list is validated against: its stable code and its plain-English message.

Codes never change meaning once published. The date checks of each list (CAS-X01 ...) are
declared with their messages in `schemas/cases/*.yaml`; everything else lives here and only here.

A case list holds personal data, so a failure never repeats what a cell holds: it says where
(file, row and column, as the partner sees them) and which child, by pseudonym only (P-...),
and what to enter instead. Dates may be shown where a declared check compares them, because a
typed date cannot carry a name. Templates never take a cell's text as a field.
"""

from __future__ import annotations

from dataclasses import dataclass

from lscb_metrics.returns.rules import Rule, Severity

#: At most this many failures of one rule are listed per file; the rest are counted.
MAX_LISTED_PER_RULE = 100


@dataclass(frozen=True)
class CaseFailure:
    """One problem in a case list, located as the partner sees the file, naming no child."""

    code: str
    severity: Severity
    file: str
    location: str  # 'row 14, column "Referral date"', 'Data!D14', or '' for the whole file
    column: str | None
    child: str | None  # the child's pseudonym (P-...), never their identifier
    message: str


UNREADABLE = Rule("CAS-001", "error", "The file cannot be read as a case list.", "{problem}")
NOT_A_CASE_LIST = Rule(
    "CAS-002",
    "error",
    "The columns are not those of any case list.",
    "the columns are not those of a case list we collect ({choices}). The first row must "
    "head the columns, e.g. {example}.",
)
MISSING_COLUMN = Rule(
    "CAS-003",
    "error",
    "A column the list needs is missing.",
    "there is no '{title}' column. Add a column headed '{title}'.",
)
DUPLICATE_COLUMN = Rule(
    "CAS-004",
    "error",
    "Two columns have headers naming the same column.",
    "'{label}' is a second '{title}' column. Keep one.",
)
IDENTIFYING_COLUMN = Rule(
    "CAS-005",
    "warning",
    "A column that identifies people was dropped unread.",
    "the column '{label}' looks like it holds names, addresses, postcodes or another "
    "service's number for a person, and was dropped without being read. Leave such columns "
    "out of case lists: the child ID is all that is needed to link a child's records.",
)
UNEXPECTED_COLUMN = Rule(
    "CAS-006",
    "warning",
    "A column is not part of the list and was ignored.",
    "'{label}' is not a column of the {list_title} list and was ignored.",
)
NO_ROWS = Rule(
    "CAS-007",
    "error",
    "The list has a header but no rows.",
    "there are no rows below the header. A list with nothing to report still needs sending "
    "for its period, with at least the history it holds.",
)

BLANK_VALUE = Rule(
    "CAS-010",
    "error",
    "A cell that must be filled is blank.",
    "'{title}' is blank; every row needs it.",
)
NOT_A_DATE = Rule(
    "CAS-011",
    "error",
    "A date cell does not hold a date.",
    "'{title}' is not a date. Enter a date such as 2014-07-01 or 01/07/2014.",
)
NOT_ALLOWED_CODE = Rule(
    "CAS-012",
    "error",
    "A code is not one of the column's codes.",
    "'{title}' is not one of the codes for it. Use one of: {choices}.",
)
NOT_YES_NO = Rule(
    "CAS-013",
    "error",
    "A yes/no cell holds something else.",
    "'{title}' must be yes or no, or blank when not known.",
)
NOT_IN_RANGE = Rule(
    "CAS-014",
    "error",
    "A number is not a whole number in the column's range.",
    "'{title}' is not a whole number from {minimum} to {maximum}.",
)
UNKNOWN_AREA = Rule(
    "CAS-015",
    "error",
    "The local authority code is not known.",
    "'{title}' is not a local authority code we know. Give the ONS code (e.g. E06000033) or "
    "the DfE number (e.g. 882).",
)
NOT_QUARTERS = Rule(
    "CAS-016",
    "error",
    "The period is not whole financial quarters.",
    "the period ({period}) is not whole financial quarters. It must start on 1 April, 1 July, "
    "1 October or 1 January and end on the last day of a quarter, on or after its start.",
)
PERIOD_DIFFERS = Rule(
    "CAS-017",
    "error",
    "The period differs between rows of one authority's list.",
    "the period differs from the one on {first_location} for the same local authority. Every "
    "row of one authority's list gives the same period.",
)
DUPLICATE_RECORD = Rule(
    "CAS-018",
    "error",
    "A record is given twice.",
    "this child's record with this {key_title} is already on {first_location}. Give each "
    "record once (a child referred twice on one day is one referral).",
)
OVERLAPPING_PLAN = Rule(
    "CAS-019",
    "error",
    "A child protection plan starts before the child's previous plan ended.",
    "this plan starts before the same child's plan on {first_location} ended. A child has one "
    "plan at a time: end the earlier plan, or merge the two.",
)
PERIOD_OVERLAP = Rule(
    "CAS-020",
    "error",
    "Two lists cover the same quarter for one authority.",
    "the {list_title} list for {area} covers {quarter}, as does {other_file}. Send each "
    "quarter of each authority in one list only; neither is used until one is withdrawn.",
)
MORE_FAILURES = Rule(
    "CAS-021",
    "error",
    "More rows fail a rule than are listed.",
    "{count} more rows fail {code} ({summary}); the first {listed} are listed.",
)

#: Every rule by code.
RULES: dict[str, Rule] = {
    rule.code: rule
    for rule in (
        UNREADABLE,
        NOT_A_CASE_LIST,
        MISSING_COLUMN,
        DUPLICATE_COLUMN,
        IDENTIFYING_COLUMN,
        UNEXPECTED_COLUMN,
        NO_ROWS,
        BLANK_VALUE,
        NOT_A_DATE,
        NOT_ALLOWED_CODE,
        NOT_YES_NO,
        NOT_IN_RANGE,
        UNKNOWN_AREA,
        NOT_QUARTERS,
        PERIOD_DIFFERS,
        DUPLICATE_RECORD,
        OVERLAPPING_PLAN,
        PERIOD_OVERLAP,
        MORE_FAILURES,
    )
}


def case_failure(
    rule: Rule,
    file: str,
    location: str = "",
    column: str | None = None,
    child: str | None = None,
    note: str = "",
    **fields: object,
) -> CaseFailure:
    """A CaseFailure of `rule`, its message led by where it is and which child it concerns,
    and followed by `note`."""
    text = rule.template.format(**fields) + note
    return located_failure(rule.code, rule.severity, text, file, location, column, child)


def located_failure(
    code: str,
    severity: Severity,
    text: str,
    file: str,
    location: str = "",
    column: str | None = None,
    child: str | None = None,
) -> CaseFailure:
    """A CaseFailure whose message is `text` led by the file, location and child."""
    where = ", ".join(part for part in (file, location) if part)
    about = f" (child {child})" if child else ""
    return CaseFailure(code, severity, file, location, column, child, f"{where}{about}: {text}")
