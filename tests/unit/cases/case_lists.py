"""Shared helpers for the case-list tests: tiny lists written as CSV or XLSX, and deriving them.

A list is given as rows of cells under a header, so one table serves both formats. Every
identifier here is made up.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path

import openpyxl

from lscb_metrics.cases import CaseResult, derive_case_facts
from lscb_metrics.cases.stage import LocalTargets
from lscb_metrics.periods import FIRST_YEAR, Quarter

SCHEMAS = Path(__file__).parents[3] / "schemas"
SOUTHEND = ("E06000033", "Southend-on-Sea", "E12000006")
LA_LOOKUP = {"E06000033": SOUTHEND, "882": SOUTHEND}
KEY = b"unit-test key, never a real one: 0123456789"
COVER = ["E06000033", "2014-04-01", "2014-09-30"]  # 2014-15 Q1 and Q2
COVER_HEADER = ["la_code", "period_start", "period_end"]


def write_csv(path: Path, header: Sequence[str], rows: Sequence[Sequence[object]]) -> Path:
    """A CSV list: `header`, then `rows`, each led by the Southend 2014-15 Q1-Q2 cover unless
    the header gives the cover itself."""
    cover = [] if "la_code" in header else COVER
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow([*([] if cover == [] else COVER_HEADER), *header])
        writer.writerows([*cover, *row] for row in rows)
    return path


def write_xlsx(path: Path, header: Sequence[str], rows: Sequence[Sequence[object]]) -> Path:
    """The same as `write_csv`, as a one-sheet workbook named Data."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Data"
    sheet.append([*COVER_HEADER, *header])
    for row in rows:
        sheet.append([*COVER, *row])
    workbook.save(path)
    return path


def derive(files: Sequence[Path], local_targets: LocalTargets | None = None) -> CaseResult:
    """The lists derived with the test key and Southend lookup."""
    return derive_case_facts(files, SCHEMAS, LA_LOOKUP, KEY, local_targets or {})


def southend_target(days: int) -> LocalTargets:
    """Southend's local target for assessments: `days` working days in every quarter."""
    return {SOUTHEND[0]: ((Quarter(FIRST_YEAR, 1), days),)}


def facts_by(result: CaseResult) -> dict[tuple[str, str], float]:
    """(measure, time_period) -> value."""
    return {(f.measure, f.time_period): f.value for f in result.facts.itertuples()}


def codes(result: CaseResult) -> list[str]:
    """The failure codes, in order."""
    return [f.code for f in result.failures]
