"""Helpers for tests: a copy of the project to change, and one stage of the run as the flow
runs it, without the rest."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

from lscb_metrics import pipeline, warehouse
from lscb_metrics.config import Settings
from lscb_metrics.submissions import Submission, return_context

PROJECT = Path(__file__).resolve().parents[1]


def project_copy(root: Path) -> Path:
    """A copy of the project's schemas and raw data (without the returns) under `root`."""
    shutil.copytree(PROJECT / "schemas", root / "schemas")
    shutil.copytree(
        PROJECT / "data/raw", root / "data/raw", ignore=shutil.ignore_patterns("returns", "cases")
    )
    return root


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
