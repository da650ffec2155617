"""Validation reports for the partner: summary, verdict and every failure, safe to open."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import openpyxl
import pytest

from lscb_metrics.boards import Boards
from lscb_metrics.intake.failures import Failure, failure
from lscb_metrics.intake.rules import NOT_WHOLE_NUMBER, UNEXPECTED_COLUMN, formula_safe, shown
from lscb_metrics.returns import (
    CoverField,
    ReportSummary,
    ReturnSpec,
    read_return,
    report_summary,
    report_text,
    validate_return,
)
from lscb_metrics.returns import write_validation_report as write_report
from lscb_metrics.returns.report import REPORT_HTML, REPORT_XLSX, TABLE_HEADER_ROW

from .conftest import LA_LOOKUP, ReturnTable, write_csv

COVER = {
    "return_type": "training",
    "agency_code": "SUH",
    "la_code": "E06000033",
    "period_start": datetime(2014, 7, 1),
    "period_end": "30/09/2014",
}
FORMULA = '=HYPERLINK("http://example.invalid","1")'
# As no rule writes it since text among figures is described, never quoted: the report must be
# safe whatever a failure holds.
NOT_A_NUMBER = failure(
    NOT_WHOLE_NUMBER,
    "Data!C14",
    "staff_requiring_training",
    shown(FORMULA),
    title="Staff requiring training",
    hint="Enter 0 if there were none.",
    cell=f"'{shown(FORMULA)}'",
)
NOTES = failure(
    UNEXPECTED_COLUMN,
    "Data!D1",
    "Staf traned",
    "Staf traned",
    cell="'Staf traned'",
    return_title="Training",
    nearest=" (the nearest is 'Staff trained and in date')",
    advice="",
)
# As no rule writes it: every field starting like a formula or holding markup and controls.
HOSTILE = Failure("VAL-001", "error", "=1+1", "+cmd", "@SUM(A1)", "-2+3 <script>x</script>\x1b[2J")


def _summary(failures: list[Failure]) -> ReportSummary:
    return report_summary(failures, COVER, LA_LOOKUP)


@pytest.mark.parametrize(
    ("failures", "verdict", "errors", "warnings"),
    [
        ([], "accepted", 0, 0),
        ([NOTES], "accepted with warnings", 0, 1),
        ([NOT_A_NUMBER, NOTES], "rejected", 1, 1),
    ],
)
def test_summary_gives_the_verdict_and_counts(
    failures: list[Failure], verdict: str, errors: int, warnings: int
) -> None:
    summary = _summary(failures)
    assert (summary.verdict, summary.error_count, summary.warning_count) == (
        verdict,
        errors,
        warnings,
    )
    assert (summary.return_type, summary.agency_code) == ("training", "SUH")


@pytest.mark.parametrize(
    ("start", "end", "period"),
    [
        (datetime(2014, 7, 1), "30/09/2014", "2014-15 Q2 (2014-07-01 to 2014-09-30)"),
        (41821, 41851, "2014-07-01 to 2014-07-31"),
        # digits and separators that are not a date are quoted; other text may name a child
        ("31/06/2014", None, "31/06/2014 to (unknown)"),
        ("Jayden Smith", None, "text to (unknown)"),
        # a date cell beside text that is not a date is shown as a date, never '00:00:00'
        ("Q2 2014-15", datetime(2014, 9, 30), "text to 2014-09-30"),
        (None, None, "(unknown)"),
    ],
)
def test_summary_states_the_period_the_cover_gives(start: object, end: object, period: str) -> None:
    cover = {**COVER, "period_start": start, "period_end": end}
    assert report_summary([], cover, LA_LOOKUP).period == period


@pytest.mark.parametrize(
    ("la_code", "area"),
    [
        ("E06000033", "Southend-on-Sea (E06000033)"),
        # a DfE number is named by the ONS code it stands for
        (882, "Southend-on-Sea (E06000033)"),
        # a code we do not know is shown where it has a code's shape, so the partner sees it
        ("E06000999", "E06000999"),
        # anything else may be a child's name or a postcode
        ("Jayden Smith", "text"),
        (None, "(unknown)"),
    ],
)
def test_summary_names_the_area_by_our_reference_and_its_ons_code(
    la_code: object,
    area: str,
    training: ReturnTable,
    tmp_path: Path,
    specs: dict[str, ReturnSpec],
    boards: Boards,
    cover_fields: tuple[CoverField, ...],
) -> None:
    training.cover["Local authority code"] = la_code
    raw = read_return(write_csv(training, tmp_path / "training.csv"), specs, cover_fields)
    result = validate_return(raw, specs, boards, LA_LOOKUP)
    summary = report_summary(result.failures, raw.cover, LA_LOOKUP)
    assert summary.area == area
    assert f"  Area:        {area}" in report_text(result.failures, "t.csv", summary)


def test_summary_of_an_unread_file_is_unknown() -> None:
    summary = report_summary([], {}, LA_LOOKUP)
    fields = (summary.return_type, summary.agency_code, summary.area, summary.period)
    assert fields == ("(unknown)",) * 4


def test_summary_echoes_the_cover_safely() -> None:
    summary = report_summary([], {**COVER, "agency_code": "=cmd|' /C calc'!A0"}, LA_LOOKUP)
    assert summary.agency_code == "'=cmd|' /C calc'!A0"


def test_report_files_are_written_into_the_folder(tmp_path: Path) -> None:
    folder = tmp_path / "quarantine" / "S-1"
    paths = write_report([NOT_A_NUMBER], "SUH_training.csv", _summary([NOT_A_NUMBER]), folder)
    assert paths == (folder / REPORT_XLSX, folder / REPORT_HTML)
    assert sorted(p.name for p in folder.iterdir()) == sorted([REPORT_XLSX, REPORT_HTML])


def test_a_clean_file_gets_the_page_alone(tmp_path: Path) -> None:
    assert write_report([], "SUH_training.csv", _summary([]), tmp_path) == (
        None,
        tmp_path / REPORT_HTML,
    )
    assert "No problems found." in (tmp_path / REPORT_HTML).read_text(encoding="utf-8")
    assert not (tmp_path / REPORT_XLSX).exists()


def test_report_files_are_the_same_bytes_every_time(tmp_path: Path) -> None:
    failures = [NOT_A_NUMBER, NOTES]
    first = write_report(failures, "t.csv", _summary(failures), tmp_path / "a")
    second = write_report(failures, "t.csv", _summary(failures), tmp_path / "b")
    assert [p.read_bytes() for p in first] == [p.read_bytes() for p in second]


def test_the_same_report_again_leaves_its_files_as_they_are(tmp_path: Path) -> None:
    failures = [NOT_A_NUMBER, NOTES]
    workbook, page = write_report(failures, "t.csv", _summary(failures), tmp_path)
    written = {path: path.stat().st_mtime_ns for path in (workbook, page)}
    workbook.write_bytes(b"as the run before wrote it")

    # A run flagging the same unusual values again rewrites nothing: the page says it all.
    assert write_report(failures, "t.csv", _summary(failures), tmp_path) == (workbook, page)
    assert workbook.read_bytes() == b"as the run before wrote it"
    assert page.stat().st_mtime_ns == written[page]


def test_a_changed_report_rewrites_page_and_workbook(tmp_path: Path) -> None:
    write_report([NOTES], "t.csv", _summary([NOTES]), tmp_path)
    failures = [NOT_A_NUMBER, NOTES]
    workbook, page = write_report(failures, "t.csv", _summary(failures), tmp_path)
    fresh = write_report(failures, "t.csv", _summary(failures), tmp_path / "fresh")

    assert [workbook.read_bytes(), page.read_bytes()] == [p.read_bytes() for p in fresh]


def test_a_report_whose_workbook_is_gone_gets_it_back(tmp_path: Path) -> None:
    failures = [NOT_A_NUMBER]
    workbook, _ = write_report(failures, "t.csv", _summary(failures), tmp_path)
    workbook.unlink()

    write_report(failures, "t.csv", _summary(failures), tmp_path)

    assert openpyxl.load_workbook(workbook).active.max_row > TABLE_HEADER_ROW


def test_workbook_has_a_title_summary_and_a_table_of_failures(tmp_path: Path) -> None:
    failures = [NOT_A_NUMBER, NOTES]
    workbook, _ = write_report(failures, "SUH_training.csv", _summary(failures), tmp_path)
    book = openpyxl.load_workbook(workbook)
    assert book.sheetnames == ["Report"]
    sheet = book["Report"]
    assert sheet["A1"].value == "Validation report for SUH_training.csv"
    summary = {sheet.cell(row, 1).value: sheet.cell(row, 2).value for row in range(3, 11)}
    assert summary["Verdict"] == "rejected"
    assert summary["Area"] == "Southend-on-Sea (E06000033)"
    assert summary["Period"] == "2014-15 Q2 (2014-07-01 to 2014-09-30)"
    table = [
        [cell.value for cell in row]
        for row in sheet.iter_rows(min_row=TABLE_HEADER_ROW, max_col=6, values_only=False)
    ]
    assert table == [
        ["Location", "Column", "Value found", "Rule", "Severity", "Message"],
        [
            "Data!C14",
            "staff_requiring_training",
            shown(FORMULA),
            "VAL-001",
            "error",
            NOT_A_NUMBER.message.removeprefix("Data!C14: "),
        ],
        [
            "Data!D1",
            "Staf traned",
            "Staf traned",
            "COL-002",
            "warning",
            NOTES.message.removeprefix("Data!D1: "),
        ],
    ]
    assert sheet.freeze_panes == f"A{TABLE_HEADER_ROW + 1}"
    assert not sheet.merged_cells.ranges
    assert sheet.column_dimensions["F"].width > sheet.column_dimensions["D"].width


def test_workbook_never_holds_a_formula(tmp_path: Path) -> None:
    workbook, _ = write_report([HOSTILE], FORMULA, _summary([HOSTILE]), tmp_path)
    sheet = openpyxl.load_workbook(workbook)["Report"]
    cells = [cell for row in sheet.iter_rows() for cell in row if cell.value is not None]
    assert all(cell.data_type == "s" and cell.quotePrefix for cell in cells)
    assert all(formula_safe(cell.value) == cell.value for cell in cells)
    assert [c.value for c in sheet[TABLE_HEADER_ROW + 1]][:3] == ["'=1+1", "'+cmd", "'@SUM(A1)"]


def test_page_is_escaped_and_loads_nothing(tmp_path: Path) -> None:
    _, page = write_report([HOSTILE], "<b>.csv", _summary([HOSTILE]), tmp_path)
    html = page.read_text(encoding="utf-8")
    assert "<script>" not in html and "<b>" not in html
    assert "&lt;script&gt;x&lt;/script&gt;" in html
    assert "\x1b" not in html
    assert "default-src 'none'" in html
    assert not any(marker in html for marker in ("http:", "https:", "src=", "href=", "url("))


def test_page_says_when_there_is_nothing_to_fix(tmp_path: Path) -> None:
    _, page = write_report([], "t.csv", _summary([]), tmp_path)
    assert "No problems found." in page.read_text(encoding="utf-8")


def test_text_lists_the_summary_and_every_failure() -> None:
    failures = [NOT_A_NUMBER, NOTES]
    text = report_text(failures, "SUH_training.csv", _summary(failures))
    lines = text.splitlines()
    assert lines[0] == "Validation report for SUH_training.csv"
    assert "  Verdict:     rejected" in lines
    assert lines[-2:] == [
        f"ERROR   VAL-001  {NOT_A_NUMBER.message}",
        f"WARNING COL-002  {NOTES.message}",
    ]


def test_text_replaces_control_characters() -> None:
    text = report_text([HOSTILE], "t.csv", _summary([HOSTILE]))
    assert "\x1b" not in text
    assert "\ufffd[2J" in text
