"""Validation reports for the partner: what their file says it is, the verdict, every failure.

Written as `validation_report.xlsx` and `validation_report.html` beside a kept file, and as
text for `lscb-metrics validate`. Everything echoed from the partner's file is made safe for
where it goes: control characters are replaced, text a spreadsheet could run as a formula is
written as quoted text cells, and the HTML page is escaped and loads nothing from anywhere. The
same failures always give the same bytes (fixed timestamps inside the workbook).
"""

from __future__ import annotations

import html
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import openpyxl
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from lscb_metrics.atomic import write_atomically
from lscb_metrics.intake.failures import Failure
from lscb_metrics.intake.read import CellValue, filled
from lscb_metrics.intake.rules import (
    COVER_DIFFERS,
    TEXT,
    UNREADABLE,
    date_like,
    formula_safe,
    shown,
)
from lscb_metrics.periods import PeriodError, Quarter, quarter_from_dates
from lscb_metrics.reference.areas import area_label, area_on
from lscb_metrics.returns.validate import AreaLookup, area_key, cover_text, date_value
from lscb_metrics.xlsx import workbook_bytes

REPORT_XLSX = "validation_report.xlsx"
REPORT_HTML = "validation_report.html"
ACCEPTED = "accepted"
ACCEPTED_WITH_WARNINGS = "accepted with warnings"
REJECTED = "rejected"
UNKNOWN = "(unknown)"
SHEET_TITLE = "Report"
#: The failures table: heading, then width in characters in the workbook.
TABLE_COLUMNS = (
    ("Location", 24),
    ("Column", 30),
    ("Value found", 24),
    ("Rule", 10),
    ("Severity", 10),
    ("Message", 110),
)
TABLE_HEADER_ROW = 12  # below the title (row 1) and the summary (rows 3-10)
# Fixed times inside the workbook (zip entries and document properties): reproducible bytes.
_STYLE = """
body { font-family: Arial, Helvetica, sans-serif; margin: 2em; color: #0b0c0c; }
table { border-collapse: collapse; margin-top: 1em; }
th, td { border: 1px solid #b1b4b6; padding: 0.3em 0.6em; text-align: left; vertical-align: top; }
th { background: #f3f2f1; }
tr.error td { background: #fbe9e7; }
tr.warning td { background: #fff7e0; }
dt { font-weight: bold; float: left; clear: left; width: 9em; }
dd { margin-left: 10em; }
"""


@dataclass(frozen=True)
class ReportSummary:
    """What a file says it is (as read, made safe to echo) and what validation made of it."""

    return_type: str
    agency_code: str
    area: str
    period: str
    verdict: str
    error_count: int
    warning_count: int


def report_summary(
    failures: Sequence[Failure], cover: Mapping[str, CellValue], la_lookup: AreaLookup
) -> ReportSummary:
    """The summary of a file from its failures and its cover as read (`{}` if it was unreadable),
    naming its area as `la_lookup` does."""
    errors = sum(f.severity == "error" for f in failures)
    start, end = cover.get("period_start"), cover.get("period_end")
    quarter = _quarter(date_value(start), date_value(end))
    return ReportSummary(
        return_type=_stated("return_type", cover, failures),
        agency_code=_stated("agency_code", cover, failures),
        area=_stated_area(cover, failures, la_lookup, quarter.end if quarter else None),
        period=period_label(start, end),
        verdict=verdict(failures),
        error_count=errors,
        warning_count=len(failures) - errors,
    )


def verdict(failures: Sequence[Failure]) -> str:
    """`rejected` if any failure is an error, else `accepted with warnings` or `accepted`."""
    if any(f.severity == "error" for f in failures):
        return REJECTED
    return ACCEPTED_WITH_WARNINGS if failures else ACCEPTED


def period_label(start: CellValue, end: CellValue) -> str:
    """The period a cover states: '2014-15 Q2 (2014-07-01 to 2014-09-30)' when it is a quarter,
    else the dates or text as given."""
    if not (filled(start) or filled(end)):
        return UNKNOWN
    first, last = date_value(start), date_value(end)
    if first is None or last is None:
        return f"{_stated_date(start)} to {_stated_date(end)}"
    dates = f"{first.isoformat()} to {last.isoformat()}"
    quarter = _quarter(first, last)
    return f"{quarter.label} ({dates})" if quarter else dates


def report_text(failures: Sequence[Failure], file_name: str, summary: ReportSummary) -> str:
    """The report as plain text for the command line: summary, then one line per failure."""
    lines = [
        f"Validation report for {file_name}",
        *(f"  {label + ':':13}{value}" for label, value in _summary_rows(file_name, summary)[1:]),
        "",
        *(f"{f.severity.upper():8}{f.code:9}{f.message}" for f in failures),
    ]
    return "\n".join(_printable(line) for line in lines).rstrip() + "\n"


def write_validation_report(
    failures: Sequence[Failure], file_name: str, summary: ReportSummary, folder: Path
) -> tuple[Path | None, Path]:
    """`validation_report.html` written into `folder`, and `validation_report.xlsx` beside it
    when there is a problem to list (a clean file's report is the page alone: writing a workbook
    for each of thousands of clean files would cost more than validating them); their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    page = folder / REPORT_HTML
    html = report_html(failures, file_name, summary).encode("utf-8")
    workbook = folder / REPORT_XLSX
    if failures and workbook.is_file() and _holds(page, html):
        # The page shows every failure and summary line the workbook is made of: the same page
        # means the same workbook, as when each run flags the same unusual values again.
        return workbook, page
    _replace(page, html)
    if not failures:
        return None, page
    _replace(workbook, workbook_bytes(report_workbook(failures, file_name, summary)))
    return workbook, page


def _holds(path: Path, content: bytes) -> bool:
    """Whether the file at `path` holds exactly `content`."""
    try:
        return path.read_bytes() == content
    except OSError:
        return False


def report_workbook(
    failures: Sequence[Failure], file_name: str, summary: ReportSummary
) -> Workbook:
    """The report as a one-sheet workbook: title, summary, then a table of the failures."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = SHEET_TITLE
    _put(sheet, 1, 1, f"Validation report for {file_name}").font = Font(bold=True, size=14)
    for row, (label, value) in enumerate(_summary_rows(file_name, summary), start=3):
        _put(sheet, row, 1, label).font = Font(bold=True)
        _put(sheet, row, 2, value).alignment = Alignment(horizontal="left")
    for column, (heading, width) in enumerate(TABLE_COLUMNS, start=1):
        _put(sheet, TABLE_HEADER_ROW, column, heading).font = Font(bold=True)
        sheet.column_dimensions[get_column_letter(column)].width = width
    for row, failure in enumerate(failures, start=TABLE_HEADER_ROW + 1):
        for column, value in enumerate(_table_cells(failure), start=1):
            _put(sheet, row, column, value).alignment = Alignment(wrap_text=True, vertical="top")
    last_column = get_column_letter(len(TABLE_COLUMNS))
    last_row = TABLE_HEADER_ROW + max(len(failures), 1)
    sheet.auto_filter.ref = f"A{TABLE_HEADER_ROW}:{last_column}{last_row}"
    sheet.freeze_panes = f"A{TABLE_HEADER_ROW + 1}"
    workbook.properties.creator = "lscb_metrics"
    workbook.properties.title = "Validation report"
    return workbook


def report_html(failures: Sequence[Failure], file_name: str, summary: ReportSummary) -> str:
    """The report as a self-contained, escaped HTML page that loads nothing."""
    title = _html(f"Validation report for {file_name}")
    summary_items = "".join(
        f"<dt>{_html(label)}</dt><dd>{_html(value)}</dd>\n"
        for label, value in _summary_rows(file_name, summary)
    )
    headings = "".join(f"<th>{_html(heading)}</th>" for heading, _ in TABLE_COLUMNS)
    rows = (
        "".join(
            f'<tr class="{_html(f.severity)}">'
            + "".join(f"<td>{_html(value)}</td>" for value in _table_cells(f))
            + "</tr>\n"
            for f in failures
        )
        or f'<tr><td colspan="{len(TABLE_COLUMNS)}">No problems found.</td></tr>\n'
    )
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        # nothing may load or run, even if some text were not escaped
        '<meta http-equiv="Content-Security-Policy" '
        "content=\"default-src 'none'; style-src 'unsafe-inline'\">\n"
        f"<title>{title}</title>\n<style>{_STYLE}</style>\n</head>\n<body>\n"
        f"<h1>{title}</h1>\n<dl>\n{summary_items}</dl>\n"
        f"<table>\n<thead><tr>{headings}</tr></thead>\n<tbody>\n{rows}</tbody>\n</table>\n"
        "</body>\n</html>\n"
    )


def _summary_rows(file_name: str, summary: ReportSummary) -> list[tuple[str, str]]:
    """(label, value) lines of the summary, the file first."""
    return [
        ("File", file_name),
        ("Return type", summary.return_type),
        ("Agency code", summary.agency_code),
        ("Area", summary.area),
        ("Period", summary.period),
        ("Verdict", summary.verdict),
        ("Errors", str(summary.error_count)),
        ("Warnings", str(summary.warning_count)),
    ]


def _table_cells(failure: Failure) -> tuple[str, ...]:
    """A failure as the table shows it; the message without the location it starts with."""
    message = failure.message.removeprefix(f"{failure.location}: ")
    return (
        failure.location,
        failure.column or "",
        failure.value or "",
        failure.code,
        failure.severity,
        message,
    )


def _stated(name: str, cover: Mapping[str, CellValue], failures: Sequence[Failure]) -> str:
    """A cover code as validation echoed it: UNKNOWN when blank; as the first failure on it
    echoes it (a name typed there is described, not quoted); as given where validation found it
    one of ours; else TEXT, as it was never checked (a file that could not be read)."""
    value = cover.get(name)
    if not filled(value):
        return UNKNOWN
    # COV-009 echoes another row's value than the one read
    echoes = [f.value for f in failures if f.column == name and f.code != COVER_DIFFERS.code]
    if echoes:
        return echoes[0] or TEXT
    unread = any(f.code == UNREADABLE.code for f in failures)
    return TEXT if unread else shown(cover_text(value))


def _stated_area(
    cover: Mapping[str, CellValue],
    failures: Sequence[Failure],
    la_lookup: AreaLookup,
    day: date | None,
) -> str:
    """The area a cover's code names on `day`, by our reference's name and its ONS code
    ('Southend-on-Sea (E06000033)', for a DfE number too); a code we do not know as `_stated`
    echoes it, so a name typed there is described, not quoted."""
    area = area_on(la_lookup, area_key(cover.get("la_code")), day)
    if area is None:
        return _stated("la_code", cover, failures)
    code, name, _ = area
    return area_label(code, {code: name})


def _quarter(first: date | None, last: date | None) -> Quarter | None:
    """The quarter from `first` to `last`, if they are one's first and last days."""
    if first is None or last is None:
        return None
    try:
        return quarter_from_dates(first, last)
    except PeriodError:
        return None


def _stated_date(value: CellValue) -> str:
    """A cover date as ISO text where it is a date (a date cell would show '00:00:00'), as
    given where it is written as digits and separators, else TEXT: it may be a child's name."""
    day = date_value(value)
    if day is not None:
        return day.isoformat()
    if not filled(value):
        return UNKNOWN
    return shown(cover_text(value)) if date_like(cover_text(value)) else TEXT


def _put(sheet: Worksheet, row: int, column: int, text: str) -> Cell:
    """A text cell that no spreadsheet will run as a formula, whatever the text."""
    cell = sheet.cell(row=row, column=column)
    cell.value = formula_safe(_printable(text))
    cell.data_type = "s"  # text even when it starts with '=' (openpyxl would make a formula)
    cell.quotePrefix = True  # and stays text when edited in Excel
    return cell


def _html(text: str) -> str:
    """Text escaped for HTML, quotes included."""
    return html.escape(_printable(text), quote=True)


def _printable(text: str) -> str:
    """`text` with control characters (terminal escapes, characters XLSX cannot hold) replaced."""
    return "".join("\ufffd" if unicodedata.category(c) == "Cc" else c for c in text)


def _replace(path: Path, content: bytes) -> None:
    """Write `content` to `path` whole, so no one sees half a report."""
    write_atomically(path, lambda partial: partial.write_bytes(content))
