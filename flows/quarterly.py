"""The quarterly run as a Prefect flow: ingest -> validate -> compute -> quality -> commit ->
publish. This flow is the only place the steps are ordered.

Tasks are thin wrappers over `lscb_metrics.pipeline`; run it with `lscb-metrics run --period
2014-15-Q2` (an ephemeral local Prefect server starts by itself) or serve it on its quarterly
schedule with `lscb-metrics schedule`.
"""

from __future__ import annotations

import tempfile
from datetime import UTC, date, datetime
from pathlib import Path

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE
from prefect.deployments.runner import RunnerDeployment
from prefect.schedules import Cron

from lscb_metrics import pipeline, progress
from lscb_metrics.cases import CaseResult
from lscb_metrics.catalogue import load_catalogue
from lscb_metrics.config import Settings, settings
from lscb_metrics.periods import Quarter, parse_quarter, quarter_of
from lscb_metrics.quality import QualityResult
from lscb_metrics.report import headline_rows, returns_rows, run_summary_markdown
from lscb_metrics.signals import shielded
from lscb_metrics.store import run_lock
from lscb_metrics.submissions import return_context
from lscb_metrics.warehouse import previous_receipts

#: 06:00 on the 15th of the month after each quarter ends, UK time: partners' returns are due by
#: the 10th, which leaves a few days for late and corrected files.
QUARTERLY_SCHEDULE = Cron("0 6 15 1,4,7,10 *", timezone="Europe/London")


@task(name="load reference data", cache_policy=NO_CACHE)
@progress.reported("load reference", progress.references_detail)
def load_reference(run_settings: Settings) -> pipeline.Reference:
    """Published statistics and local figures, read from the shipped files."""
    catalogue = load_catalogue(run_settings.schemas_dir / "indicators.yaml")
    return pipeline.load_reference(run_settings, catalogue)


@task(name="receive return", cache_policy=NO_CACHE)
@progress.counted("receive")
def receive(
    path: Path,
    run_settings: Settings,
    context: pipeline.ReturnContext,
    receipts: dict[str, datetime],
    started_at: datetime,
) -> pipeline.Submission:
    """Validate one partner return and keep it (archived or quarantined)."""
    submission = pipeline.receive(path, run_settings, context, receipts, started_at)
    get_run_logger().info(
        "%s: %s (%d errors)", submission.file_path, submission.status, submission.error_count
    )
    return submission


@task(name="derive case lists", cache_policy=NO_CACHE)
def derive_cases(run_settings: Settings, reference: pipeline.Reference) -> CaseResult | None:
    """Measures from case-level lists, pseudonymised at the door (when a cases folder is set)."""
    cases = pipeline.derive_cases(run_settings, reference)
    if cases is not None:
        get_run_logger().info(
            "case lists: %d facts, %d failures", len(cases.facts), len(cases.failures)
        )
    return cases


@task(name="compute", cache_policy=NO_CACHE)
@progress.reported("compute", progress.computed_detail)
def compute(
    run_settings: Settings,
    quarter: Quarter,
    submissions: list[pipeline.Submission],
    reference: pipeline.Reference,
    started_at: datetime,
    cases: CaseResult | None,
) -> pipeline.RunPlan:
    """Indicator values, comparisons and every other relation of the run, not yet written."""
    return pipeline.compute_run(run_settings, quarter, submissions, reference, started_at, cases)


@task(name="quality checkpoint", cache_policy=NO_CACHE)
@progress.reported("quality", progress.quality_detail)
def check_quality(plan: pipeline.RunPlan, docs_dir: Path) -> QualityResult:
    """great_expectations checkpoint over the new curated relations, before they are committed."""
    result = pipeline.check_run(plan, docs_dir)
    logger = get_run_logger()
    logger.info("quality checkpoint %s", "passed" if result.success else "FAILED")
    for failure in result.failed:
        logger.warning("quality: %s", failure)
    return result


@task(name="commit", cache_policy=NO_CACHE)
@progress.reported("commit", progress.committed_detail)
@shielded
@progress.committing
def commit(
    run_settings: Settings, plan: pipeline.RunPlan, quality: QualityResult
) -> pipeline.RunSummary:
    """Every layer written to the warehouse in one transaction, unless quality checks failed."""
    return pipeline.commit_run(run_settings, plan, quality)


@task(name="publish files", cache_policy=NO_CACHE)
@progress.reported("publish", progress.published_detail)
@progress.publishing
def publish_files(run_settings: Settings, quarter: Quarter, quality_docs: Path) -> list[Path]:
    """Exports, workbook, scorecard, data dictionary, templates and quality pages."""
    files = pipeline.publish_files(run_settings, quarter, quality_docs)
    get_run_logger().info("%d files written to %s", len(files), run_settings.curated_dir)
    return files


def default_quarter(today: date) -> Quarter:
    """The last complete quarter before `today` (what a scheduled run reports on)."""
    return quarter_of(today).previous()


@flow(name="lscb-quarterly-run", log_prints=True)
def quarterly_run(
    period: str | None = None,
    warehouse: str | None = None,
    returns_dir: str | None = None,
    sn_model: str | None = None,
    cases_dir: str | None = None,
) -> pipeline.RunSummary:
    """Run the pipeline for one quarter (default: the last complete quarter)."""
    started_at = datetime.now(UTC)
    run_settings = settings(
        warehouse=warehouse, returns_dir=returns_dir, sn_model=sn_model, cases_dir=cases_dir
    )
    quarter = parse_quarter(period) if period else default_quarter(started_at.date())
    logger = get_run_logger()
    logger.info("quarter %s; warehouse %s", quarter.label, run_settings.warehouse)
    with run_lock(run_settings.warehouse):
        reference = load_reference(run_settings)
        paths = pipeline.candidate_files(run_settings)
        logger.info("%d return files found", len(paths))
        progress.began("receive", total=len(paths))
        context = return_context(run_settings.schemas_dir, reference.la_lookup)
        receipts = previous_receipts(run_settings.warehouse)
        futures = [
            receive.submit(path, run_settings, context, receipts, started_at) for path in paths
        ]
        submissions = [future.result() for future in futures]
        progress.finished("receive", progress.received_detail(submissions))
        cases = derive_cases(run_settings, reference)
        plan = compute(run_settings, quarter, submissions, reference, started_at, cases)
        with tempfile.TemporaryDirectory(prefix="lscb-quality-docs-") as docs:
            quality = check_quality(plan, Path(docs))
            summary = commit(run_settings, plan, quality)
            summary.files = publish_files(run_settings, quarter, Path(docs))
    create_markdown_artifact(
        key="quarterly-run-summary",
        markdown=run_summary_markdown(summary),
        description=f"LSCB quarterly run {quarter.label}",
    )
    create_table_artifact(
        key="quarterly-figures",
        table=headline_rows(summary).to_dict(orient="records"),
        description=f"The board's figures for {quarter.label} beside England and neighbours",
    )
    create_table_artifact(
        key="quarterly-returns",
        table=returns_rows(summary),
        description=f"Returns considered by the {quarter.label} run and their status",
    )
    return summary


def scheduled_deployment() -> RunnerDeployment:
    """The production deployment: the flow on its quarterly schedule, one run at a time."""
    return quarterly_run.to_deployment(
        name="lscb-quarterly",
        schedules=[QUARTERLY_SCHEDULE],
        concurrency_limit=1,
        description="Quarterly LSCB run for the quarter just ended (see QUARTERLY_SCHEDULE).",
    )
