"""Helpers for tests: a copy of the project to change, and one stage of the run as the flow
runs it, without the rest."""

from __future__ import annotations

import shutil
from collections.abc import Mapping
from datetime import UTC, datetime
from itertools import product
from pathlib import Path

import openpyxl

from lscb_metrics import pipeline, warehouse
from lscb_metrics.board_setup import synthetic_rows
from lscb_metrics.boards import Board
from lscb_metrics.config import Settings
from lscb_metrics.periods import Quarter
from lscb_metrics.returns import load_return_specs
from lscb_metrics.submissions import Submission, return_context

PROJECT = Path(__file__).resolve().parents[1]


def project_copy(root: Path) -> Path:
    """A copy of the project's schemas and raw data (without the returns) under `root`."""
    shutil.copytree(PROJECT / "schemas", root / "schemas")
    shutil.copytree(
        PROJECT / "data/raw", root / "data/raw", ignore=shutil.ignore_patterns("returns", "cases")
    )
    return root


def fill_template(template: Path, out: Path, cover: dict[str, object], rows: list[dict]) -> None:
    """Fill a generated template as a partner would: cover values in column B, figures in the
    data rows under their titles (row-key cells come filled)."""
    book = openpyxl.load_workbook(template)
    sheet = book["Cover"]
    for row in sheet.iter_rows(min_row=3):
        title = row[0].value
        if title in cover:
            row[1].value = cover[title]
    data = book["Data"]
    titles = [cell.value for cell in data[1]]
    for number, values in enumerate(rows, start=2):
        for position, title in enumerate(titles, start=1):
            if title in values:
                data.cell(row=number, column=position, value=values[title])
    book.save(out)


def fill_templates(
    board: Board,
    schemas_dir: Path,
    templates: Path,
    quarter: Quarter,
    children: Mapping[str, int],
    out: Path,
) -> list[Path]:
    """Every return the board's agencies send for `quarter`, for each area each sends for, filled
    in the board's `templates` as a partner would, with figures scaled to each area's
    `children`; written under `out`/<quarter>/ (one file per agency, return and area)."""
    specs = load_return_specs(schemas_dir)
    areas = board.areas_on(quarter.end)
    written = []
    for agency, area in product(board.agencies.values(), areas):
        if not (agency.sends_in(quarter.end) and agency.sends_for(area)):
            continue
        which = f"_{area}" if len(areas) > 1 else ""
        for return_type in agency.returns:
            spec = specs[return_type]
            titles = {column.name: column.title for column in spec.columns}
            seed = f"{quarter.cli_name}/{agency.code}{which}"
            rows = [
                {titles[name]: value for name, value in row.items()}
                for row in synthetic_rows(
                    spec, children[area], seed, board.local_targets_on(area, quarter.end)
                )
            ]
            cover = {
                "Agency code": agency.code,
                "Local authority code": area,
                "Period start": quarter.start,
                "Period end": quarter.end,
            }
            path = out / quarter.cli_name / f"{agency.code}_{return_type}{which}.xlsx"
            path.parent.mkdir(parents=True, exist_ok=True)
            fill_template(templates / f"{return_type}.xlsx", path, cover, rows)
            written.append(path)
    return written


def received_returns(run_settings: Settings, reference: pipeline.Reference) -> list[Submission]:
    """The ingest stage as the flow runs it: every candidate file validated and kept (archived
    or quarantined), receipts taken from the warehouse."""
    now = datetime.now(UTC)
    context = return_context(run_settings.schemas_dir, reference.la_lookup)
    receipts = warehouse.previous_receipts(run_settings.warehouse)
    return [
        pipeline.receive(file, run_settings, context, receipts, now)
        for file in pipeline.candidate_files(run_settings).files
    ]


def committed_board_run(
    run_settings: Settings, quarter: str, reference: pipeline.Reference, board_slug: str
) -> pipeline.RunSummary:
    """One board's run for `quarter` (e.g. '2014-15-Q2') received, computed and committed as the
    flow does, its quality checks taken as passed; its summary."""
    from lscb_metrics.periods import parse_quarter
    from lscb_metrics.quality import QualityResult

    plan = pipeline.compute_run(
        run_settings,
        parse_quarter(quarter),
        received_returns(run_settings, reference),
        reference,
        datetime.now(UTC),
        board_slug=board_slug,
    )
    with pipeline.staged_commit(run_settings, plan) as staged:
        return pipeline.commit_run(run_settings, plan, QualityResult(True, [], []), staged)
