"""The quarterly run as a Prefect flow: ingest -> validate -> compute -> quality -> commit ->
publish. This flow is the only place the steps are ordered.

Tasks are thin wrappers over `lscb_metrics.pipeline`; run it with `lscb-metrics run --period
2014-15-Q2` (an ephemeral local Prefect server starts by itself) or serve it on its quarterly
schedule with `lscb-metrics schedule`.

Large inputs (the submissions with their facts, the reference data, the plan) are passed to
tasks called in the flow's own process `quote`d: Prefect otherwise walks every object inside
them looking for futures, which took 3 s of every run; none of them holds a future. What is
submitted to a task runner is not quoted: prefect-dask hands a quoted value to the task still
wrapped.

Every task, and the flow, is `withholding_quotes`: Prefect's server keeps the message of an
error they raise, which must not quote what the error met (a name typed in a cell, say).
"""

from __future__ import annotations

import sys
import tempfile
from concurrent.futures import Future
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

import cloudpickle
from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE
from prefect.deployments.runner import RunnerDeployment
from prefect.schedules import Cron
from prefect.utilities.annotations import quote

from lscb_metrics import __version__, pipeline, progress, publishing
from lscb_metrics.boards import load_boards
from lscb_metrics.cases import CaseResult
from lscb_metrics.catalogue import load_catalogue
from lscb_metrics.config import Settings, settings
from lscb_metrics.errors import withholding_quotes
from lscb_metrics.intake.budget import start_workers as start_file_readers
from lscb_metrics.parallel import (
    batches,
    dask_address,
    pooled,
    validation_pool,
    validation_workers,
)
from lscb_metrics.periods import UK_TIME, Quarter, last_complete_quarter, parse_quarter
from lscb_metrics.quality import QualityDocs, QualityResult
from lscb_metrics.report import headline_rows, returns_rows, run_summary_markdown
from lscb_metrics.signals import shielded
from lscb_metrics.store import Skipped, StagedFile, run_lock
from lscb_metrics.submissions import return_context
from lscb_metrics.validation_cache import declaration_fingerprints, load_pack, save_pack
from lscb_metrics.warehouse import StagedRun, previous_receipts

#: 06:00 on the 15th of the month after each quarter ends, UK time: partners' returns are due by
#: the 10th, which leaves a few days for late and corrected files.
QUARTERLY_SCHEDULE = Cron("0 6 15 1,4,7,10 *", timezone=UK_TIME)


@task(name="load reference data", cache_policy=NO_CACHE)
@withholding_quotes
@progress.reported("load reference", progress.references_detail)
def load_reference(run_settings: Settings) -> pipeline.Reference:
    """Published statistics and local figures, read from the shipped files."""
    catalogue = load_catalogue(run_settings.schemas_dir / "indicators.yaml")
    return pipeline.load_reference(run_settings, catalogue)


@task(name="validate returns", cache_policy=NO_CACHE)
@withholding_quotes
def receive(
    paths: list[StagedFile],
    run_settings: Settings,
    context: pipeline.ReturnContext,
    receipts: dict[str, datetime],
    started_at: datetime,
) -> list[pipeline.Submission]:
    """Validate a batch of partner returns and keep each (archived or quarantined)."""
    submissions = [
        pipeline.receive(path, run_settings, context, receipts, started_at)
        for path in progress.each("receive", paths)
    ]
    logger = get_run_logger()
    for submission in submissions:
        if submission.status != "accepted":
            logger.warning("%s: %d errors", submission.file_path, submission.error_count)
    return submissions


@task(name="derive case lists", cache_policy=NO_CACHE)
@withholding_quotes
def derive_cases(run_settings: Settings, reference: pipeline.Reference) -> CaseResult | None:
    """Measures from case-level lists, pseudonymised at the door (when a cases folder is set)."""
    if run_settings.cases_dir is None:
        return None
    progress.began("cases")
    cases = pipeline.derive_cases(run_settings, reference)
    assert cases is not None  # a cases folder is set
    progress.finished("cases", progress.cases_detail(cases))
    get_run_logger().info(
        "case lists: %d facts, %d failures", len(cases.facts), len(cases.failures)
    )
    return cases


@task(name="compute", cache_policy=NO_CACHE)
@withholding_quotes
@progress.reported("compute", progress.computed_detail)
def compute(
    run_settings: Settings,
    quarter: Quarter,
    submissions: list[pipeline.Submission],
    reference: pipeline.Reference,
    started_at: datetime,
    cases: CaseResult | None,
    board: str | None,
    skipped: list[Skipped],
    workers: int,
    publish_incomplete: bool,
) -> pipeline.RunPlan:
    """Indicator values, comparisons and every other relation of the run, not yet written,
    computed on up to `workers` processes."""
    return pipeline.compute_run(
        run_settings,
        quarter,
        submissions,
        reference,
        started_at,
        cases,
        board,
        skipped,
        workers,
        publish_incomplete,
    )


@task(name="quality checkpoint", cache_policy=NO_CACHE)
@withholding_quotes
@progress.reported("quality", progress.quality_detail)
def check_quality(plan: pipeline.RunPlan, docs_dir: Path) -> tuple[QualityResult, QualityDocs]:
    """great_expectations checkpoint over the new curated relations, before they are committed;
    its pages for `docs_dir`, written when the run publishes."""
    result, docs = pipeline.check_run(plan, docs_dir)
    logger = get_run_logger()
    logger.info("quality checkpoint %s", "passed" if result.success else "FAILED")
    for failure in result.failed:
        logger.warning("quality: %s", failure)
    return result, docs


@task(name="commit", cache_policy=NO_CACHE)
@withholding_quotes
@progress.reported("commit", progress.committed_detail)
@shielded
@progress.committing
def commit(
    run_settings: Settings,
    plan: pipeline.RunPlan,
    quality: QualityResult,
    staged: StagedRun,
) -> pipeline.RunSummary:
    """Every layer, written meanwhile into one transaction (`staged`), committed to the
    warehouse, unless quality checks failed."""
    return pipeline.commit_run(run_settings, plan, quality, staged)


@task(name="publish files", cache_policy=NO_CACHE)
@withholding_quotes
@progress.reported("publish", progress.published_detail)
@progress.publishing
def publish_files(
    summary: pipeline.RunSummary,
    run_settings: Settings,
    quality_docs: QualityDocs,
    workers: int,
    templates: Future[dict[str, list[Path]]],
) -> list[Path]:
    """Analyst copies, data dictionary and quality pages; each board's new edition, written on
    up to `workers` processes, with its partner `templates`; meanwhile the run's artifacts."""
    files = publishing.publish_files(
        summary, run_settings, quality_docs, workers, templates, partial(publish_artifacts, summary)
    )
    get_run_logger().info("%d files written to %s", len(files), run_settings.curated_dir)
    return files


def tasks_by_value() -> None:
    """Have this module's tasks pickled by value rather than by name."""
    # flows/ sits beside src/ and is not installed, so a Dask scheduler or worker started with
    # `dask scheduler` / `dask worker` cannot import `flows.quarterly` to unpickle a task by name.
    cloudpickle.register_pickle_by_value(sys.modules[__name__])


# Prefect's default version, a hash of the flow function's file, would hash errors.py, where
# the wrapper `withholding_quotes` is: the version of lscb_metrics says which code ran instead.
@flow(name="lscb-quarterly-run", log_prints=True, version=__version__)
@withholding_quotes
def quarterly_run(
    period: str | None = None,
    warehouse: str | None = None,
    returns_dir: str | None = None,
    sn_model: str | None = None,
    cases_dir: str | None = None,
    board: str | None = None,
    workers: int | None = None,
    dask: str | None = None,
    publish_incomplete: bool = False,
) -> pipeline.RunSummary:
    """Run the pipeline for one quarter (default: the last complete quarter), for one board or
    every board; returns are validated, indicators computed and editions written on `workers`
    processes (default LSCB_WORKERS, else 2), returns validated instead in as many batches per
    worker on the Dask cluster whose scheduler is at `dask` (default LSCB_DASK_ADDRESS) where
    one is given. Where no board of the run has returns for the quarter, nothing is written; a
    board's incomplete edition replaces its complete one only with `publish_incomplete`."""
    started_at = datetime.now(UTC)
    run_settings = settings(
        warehouse=warehouse, returns_dir=returns_dir, sn_model=sn_model, cases_dir=cases_dir
    )
    quarter = parse_quarter(period) if period else last_complete_quarter(started_at)
    logger = get_run_logger()
    logger.info("quarter %s; warehouse %s", quarter.label, run_settings.warehouse)
    with run_lock(run_settings.warehouse):
        # A renamed board folder stops the run before it writes anything: received files would
        # otherwise be stored, and judged, under a board the run then refuses.
        pipeline.checked_removed_boards(run_settings, load_boards(run_settings.schemas_dir))
        # A run killed mid-swap (kill -9) left a board without its edition: put it back first,
        # whatever this run goes on to publish.
        for restored in publishing.restore_editions(run_settings.curated_dir):
            logger.warning("%s: put back the edition a stopped run had set aside", restored)
        reference = load_reference(run_settings)
        context = return_context(run_settings.schemas_dir, reference.la_lookup)
        receipts = previous_receipts(run_settings.warehouse)
        fingerprints = declaration_fingerprints(run_settings.schemas_dir, reference.la_lookup)
        pack = load_pack(run_settings.store_dir, fingerprints)
        found = pipeline.candidate_files(run_settings, pack)
        logger.info(
            "%d return files found (%d known), %d entries skipped",
            len(found.files) + len(found.known),
            len(found.known),
            len(found.skipped),
        )
        # The known files are recalled while the new ones are validated elsewhere.
        recall = partial(pipeline.recall_validated, found, run_settings, receipts, started_at, pack)
        todo = found.files
        progress.began("receive", total=len(todo))
        validators = validation_workers(workers)
        cluster = dask_address(dask)
        logger.info(
            "%d validated before; %d to validate on %s",
            len(found.known),
            len(todo),
            f"the Dask cluster at {cluster}" if cluster else f"{validators} worker(s)",
        )
        shared = {
            "run_settings": run_settings,
            "context": context,
            "receipts": receipts,
            "started_at": started_at,
        }
        if pooled(len(todo), validators, cluster):
            if cluster is not None:
                tasks_by_value()
            with validation_pool(validators, cluster) as runner:
                futures = [
                    runner.submit(receive, {"paths": batch, **shared})
                    for batch in batches(todo, validators)
                ]
                recalled = recall()
                fresh = [
                    submission
                    for future in futures
                    for submission in progress.each("receive", future.result())
                ]
        else:
            # A batch for each worker, on threads of this process, each validating through a
            # file reader of its own, forked before this thread goes on to recall the known files.
            dealt = batches(todo, validators, per_worker=1)
            start_file_readers(len(dealt))
            running = [
                receive.submit(
                    quote(batch), run_settings, quote(context), quote(receipts), started_at
                )
                for batch in dealt
            ]
            recalled = recall()
            fresh = [submission for batch in running for submission in batch.result()]
        submissions = recalled + fresh
        save_pack(pack, submissions, fingerprints, context.boards)
        progress.finished("receive", progress.received_detail(submissions, len(found.skipped)))
        cases = derive_cases(run_settings, quote(reference))
        plan = compute(
            run_settings,
            quarter,
            quote(submissions),
            quote(reference),
            started_at,
            quote(cases),
            board,
            quote(found.skipped),
            validators,
            publish_incomplete,
        )
        if not plan.summary.writes:
            logger.info(
                "%s: no board has accepted returns; warehouse and editions unchanged", quarter.label
            )
            return plan.summary
        with (
            tempfile.TemporaryDirectory(prefix="lscb-quality-docs-") as docs,
            # The partner templates need no figure: they are written meanwhile.
            publishing.templates_ahead(plan.summary, run_settings, validators) as templates,
        ):
            # The warehouse writes the new relations while the checkpoint checks them; they
            # are committed only once it has passed them.
            with pipeline.staged_commit(run_settings, plan) as staged:
                quality, quality_docs = check_quality(quote(plan), Path(docs))
                summary = commit(run_settings, quote(plan), quote(quality), quote(staged))
            summary.files = publish_files(
                quote(summary), run_settings, quote(quality_docs), validators, quote(templates)
            )
    return summary


def publish_artifacts(summary: pipeline.RunSummary) -> None:
    """The run's summary, and each board's figures and returns, as Prefect artifacts (made while
    the editions are written: they need only the committed run)."""
    quarter = summary.quarter
    create_markdown_artifact(
        key="quarterly-run-summary",
        markdown=run_summary_markdown(summary),
        description=f"LSCB quarterly run {quarter.label}",
    )
    for outcome in summary.boards:
        board = outcome.board
        create_table_artifact(
            key=f"quarterly-figures-{board.slug}",
            table=headline_rows(summary, board).to_dict(orient="records"),
            description=f"{board.name}: figures for {quarter.label} beside England and neighbours",
        )
        create_table_artifact(
            key=f"quarterly-returns-{board.slug}",
            table=returns_rows(summary, board),
            description=f"{board.name}: returns considered by the {quarter.label} run",
        )


def scheduled_deployment() -> RunnerDeployment:
    """The production deployment: the flow on its quarterly schedule, one run at a time."""
    return quarterly_run.to_deployment(
        name="lscb-quarterly",
        schedules=[QUARTERLY_SCHEDULE],
        concurrency_limit=1,
        description="Quarterly LSCB run for the quarter just ended (see QUARTERLY_SCHEDULE).",
    )
