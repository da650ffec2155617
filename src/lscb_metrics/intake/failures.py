"""Failures of the registered rules (intake/rules.py), as each kind of file reports them.

A partner return holds aggregate figures, so its Failure may echo the value found (made safe by
`shown`). A case list holds personal data, so its CaseFailure never repeats what a cell holds:
it says where (file, row and column, as the partner sees them) and which child, by pseudonym
only (P-...). Dates may be shown where a declared check compares them, because a typed date
cannot carry a name.
"""

from __future__ import annotations

from dataclasses import dataclass

from lscb_metrics.intake.rules import Rule, Severity

#: At most this many failures of one rule are listed per case list file; the rest are counted.
MAX_LISTED_PER_RULE = 100


@dataclass(frozen=True)
class Failure:
    """One problem found in a return, located the way the partner sees their file."""

    code: str
    severity: Severity
    location: str
    column: str | None
    value: str | None
    message: str


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


def failure(
    rule: Rule, location: str, column: str | None = None, value: str | None = None, **fields: str
) -> Failure:
    """A Failure of `rule` at `location`, its template filled from `value` and `fields`."""
    message = rule.template.format(value=value, **fields)
    return Failure(rule.code, rule.severity, location, column, value, f"{location}: {message}")


def check_failure(code: str, message: str, location: str, values: str) -> Failure:
    """A Failure of a declared cross-column check, showing the values it compared."""
    return Failure(code, "error", location, None, values, f"{location}: {message} ({values})")


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
