"""What a run is doing, as it happens: stage events for the console, and whether the run has
committed, so that a failure or a stop says truthfully what the warehouse holds.

Stages are announced through the standard logger `lscb_metrics.progress` (thread-safe, silent
unless the command line listens, and kept in the run's log file). Each record carries an
`lscb_progress` attribute: (event, stage, value) with event "begin" (value: the number of items,
or None), "step" (one item done) or "end" (value: what the stage produced, in words).
"""

from __future__ import annotations

import functools
import logging
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, ParamSpec, TypeVar

from lscb_metrics.errors import PublishingFailed, unexpected

if TYPE_CHECKING:
    from lscb_metrics.cases import CaseResult
    from lscb_metrics.pipeline import Reference, RunPlan, RunSummary, Submission
    from lscb_metrics.quality import QualityDocs, QualityResult

LOGGER = logging.getLogger("lscb_metrics.progress")

P = ParamSpec("P")
T = TypeVar("T")


def began(stage: str, total: int | None = None) -> None:
    """Announce that `stage` starts, with `total` items to do when it counts them."""
    counted = f" ({total} items)" if total is not None else ""
    LOGGER.info("%s: started%s", stage, counted, extra={"lscb_progress": ("begin", stage, total)})


def advanced(stage: str) -> None:
    """Announce that one more item of `stage` is done."""
    LOGGER.debug("%s: one more done", stage, extra={"lscb_progress": ("step", stage, None)})


def finished(stage: str, detail: str) -> None:
    """Announce that `stage` is done, with what it produced."""
    LOGGER.info("%s: %s", stage, detail, extra={"lscb_progress": ("end", stage, detail)})


def reported(stage: str, detail: Callable[[T], str]) -> Callable[[Callable[P, T]], Callable[P, T]]:
    """Decorator: the function announced as `stage`, ending with `detail(result)`."""

    def decorate(function: Callable[P, T]) -> Callable[P, T]:
        @functools.wraps(function)
        def announced(*args: P.args, **kwargs: P.kwargs) -> T:
            began(stage)
            result = function(*args, **kwargs)
            finished(stage, detail(result))
            return result

        return announced

    return decorate


def each(stage: str, items: Iterable[T]) -> Iterator[T]:
    """`items`, one at a time, each announced as one more item of `stage` done once used."""
    for item in items:
        yield item
        advanced(stage)


@dataclass
class Ledger:
    """Where the current run logs, and what it has made permanent: the committed run, in
    words, or None."""

    log: Path | None = None
    committed: str | None = None

    def start(self, log: Path) -> None:
        """A new run, logging to `log`, has committed nothing yet."""
        self.log, self.committed = log, None


#: One run at a time per process (the warehouse's run lock sees to that across processes).
LEDGER = Ledger()


def committing(function: Callable[P, RunSummary]) -> Callable[P, RunSummary]:
    """Decorator for the commit step: once it returns, the ledger says what was committed."""

    @functools.wraps(function)
    def recorded(*args: P.args, **kwargs: P.kwargs) -> RunSummary:
        summary = function(*args, **kwargs)
        LEDGER.committed = (
            f"run {summary.run_id} for {summary.quarter.label} ({summary.outcome}) is committed "
            f"to {summary.warehouse}"
        )
        return summary

    return recorded


def publishing(function: Callable[P, list[Path]]) -> Callable[P, list[Path]]:
    """Decorator for the publish step: a failure there is PublishingFailed, saying what was
    committed and that the files were not all written."""

    @functools.wraps(function)
    def published(*args: P.args, **kwargs: P.kwargs) -> list[Path]:
        try:
            return function(*args, **kwargs)
        except Exception as error:
            committed = LEDGER.committed or "the run is committed"
            # Its cause too withholds what it quoted: Prefect logs the traceback, cause and all.
            cause = unexpected(error)
            raise PublishingFailed(
                f"{committed}, but its files were not all published ({cause}); the curated "
                "folder may mix old and new files. Fix the cause and run the quarter again: the "
                "next run republishes them"
            ) from cause

    return published


def references_detail(reference: Reference) -> str:
    """The reference stage in words."""
    return f"{len(reference.published_facts):,} published figures, {len(reference.areas)} areas"


def received_detail(submissions: list[Submission], not_read: int = 0) -> str:
    """The receive stage in words (`not_read`: entries skipped, audit.skipped_entries)."""
    rejected = sum(s.status == "rejected" for s in submissions)
    skipped = f", {not_read} not read" if not_read else ""
    return (
        f"{len(submissions)} files: {len(submissions) - rejected} accepted, {rejected} rejected"
        f"{skipped}"
    )


def cases_detail(cases: CaseResult) -> str:
    """The case-lists stage in words: the lists accepted and rejected (a file not read as a list
    at all counts as one rejected), and where the problems found in them are listed."""
    status = cases.lists["status"]
    unread = {f.file for f in cases.errors} - set(cases.lists["file"])
    rejected = int(status.eq("rejected").sum()) + len(unread)
    accepted, errors = int(status.eq("accepted").sum()), len(cases.errors)
    return (
        f"{accepted + rejected} lists: {accepted} accepted, {rejected} rejected; {errors} errors, "
        f"{len(cases.failures) - errors} warnings in audit.case_failures"
    )


def computed_detail(plan: RunPlan) -> str:
    """The compute stage in words."""
    return (
        f"{len(plan.summary.values):,} indicator values, "
        f"{len(plan.summary.comparisons):,} comparisons"
    )


def quality_detail(checked: tuple[QualityResult, QualityDocs]) -> str:
    """The quality stage in words, from its result (beside its pages)."""
    quality = checked[0]
    verdict = "passed" if quality.success else "FAILED"
    warnings = len(quality.failed) - len(quality.errors)
    return f"{verdict}, {len(quality.errors)} errors, {warnings} warnings"


def committed_detail(summary: RunSummary) -> str:
    """The commit stage in words."""
    return f"run {summary.run_id[:8]} ({summary.outcome})"


def published_detail(files: list[Path]) -> str:
    """The publish stage in words."""
    return f"{len(files)} files in {os.path.commonpath(files)}" if files else "no files"
