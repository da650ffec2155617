"""The run's steps as plain functions; the Prefect flow (flows/quarterly.py) only orchestrates.

ingest (read, validate, reduce to facts) -> choose submissions -> compute indicator values and
comparisons -> publish every layer to the warehouse in one transaction.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from lscb_metrics import warehouse
from lscb_metrics.catalogue import Indicator, load_catalogue
from lscb_metrics.comparisons import comparisons
from lscb_metrics.config import Settings
from lscb_metrics.facts import conform_facts, empty_facts
from lscb_metrics.indicators import indicator_values, published_rate_values, with_intervals
from lscb_metrics.periods import Quarter
from lscb_metrics.reference import (
    la_lookup,
    load_areas,
    load_cin_facts,
    load_lait_facts,
    load_population,
    load_statistical_neighbours,
)
from lscb_metrics.returns import (
    Agency,
    Cover,
    ReturnSpec,
    UnreadableReturn,
    load_agencies,
    load_return_specs,
    read_return,
    return_facts,
    sha256_of,
    validate_return,
)

RETURN_SUFFIXES = (".csv", ".xlsx")


@dataclass
class Reference:
    """Published reference data and the board's local figures, as loaded for a run."""

    areas: pd.DataFrame
    la_lookup: dict[str, tuple[str, str, str | None]]
    published_facts: pd.DataFrame
    population: pd.DataFrame
    neighbours: pd.DataFrame
    local_comparators: pd.DataFrame


@dataclass
class Submission:
    """One partner return file: what it says, whether it passed, and its facts."""

    submission_id: str
    file_path: str
    sha256: str
    size_bytes: int
    modified: float
    status: str = "rejected"
    cover: dict[str, Any] = field(default_factory=dict)
    row_count: int = 0
    failures: list[dict[str, Any]] = field(default_factory=list)
    facts: pd.DataFrame = field(default_factory=empty_facts)

    @property
    def error_count(self) -> int:
        """Failures that block the submission."""
        return sum(f["severity"] == "error" for f in self.failures)

    @property
    def key(self) -> tuple[Any, ...]:
        """What a resubmission replaces: agency, return type and period."""
        return (
            self.cover.get("agency_code"),
            self.cover.get("return_type"),
            self.cover.get("period_end"),
        )


def load_reference(settings: Settings, catalogue: tuple[Indicator, ...]) -> Reference:
    """Reference data for a run from the shipped files (read as published)."""
    areas = load_areas(settings.reference_dir)
    lait_measures = {
        i.published_lait: f"lait:{i.published_lait}" for i in catalogue if i.published_lait
    }
    published = pd.concat(
        [
            load_cin_facts(settings.reference_dir),
            load_lait_facts(settings.reference_dir, lait_measures),
        ],
        ignore_index=True,
    )
    ons = load_population(settings.reference_dir).assign(source_type="published")
    local = pd.read_csv(settings.local_dir / "local_population.csv", dtype={"area_code": str})
    population = pd.concat([ons, local.assign(source_type="partner_return")], ignore_index=True)
    comparators = pd.read_csv(settings.local_dir / "local_comparators.csv", dtype=str)
    comparators["period_end"] = pd.to_datetime(comparators["period_end"]).dt.date
    comparators["value"] = comparators["value"].astype(float)
    return Reference(
        areas=areas,
        la_lookup=la_lookup(areas),
        published_facts=published,
        population=population,
        neighbours=load_statistical_neighbours(settings.reference_dir, settings.sn_model),
        local_comparators=comparators,
    )


def discover_returns(returns_dir: Path) -> list[Path]:
    """Every candidate return file under `returns_dir`, in a stable order."""
    return sorted(
        path
        for path in returns_dir.rglob("*")
        if path.is_file() and path.suffix.lower() in RETURN_SUFFIXES
    )


@dataclass(frozen=True)
class ReturnContext:
    """What validating a return needs, loaded once per run: declarations, agencies, LA codes."""

    specs: dict[str, ReturnSpec]
    agencies: dict[str, Agency]
    la_lookup: dict[str, tuple[str, str, str | None]]


def return_context(
    schemas_dir: Path, lookup: dict[str, tuple[str, str, str | None]]
) -> ReturnContext:
    """The declarations under `schemas_dir` with the run's LA lookup."""
    return ReturnContext(load_return_specs(schemas_dir), load_agencies(schemas_dir), lookup)


def ingest(path: Path, returns_dir: Path, context: ReturnContext) -> Submission:
    """Read, validate and reduce one file to facts; a bad file becomes a rejected Submission."""
    digest = sha256_of(path)
    stat = path.stat()
    submission = Submission(
        submission_id=f"S-{digest[:16]}",
        file_path=str(path.relative_to(returns_dir)),
        sha256=digest,
        size_bytes=stat.st_size,
        modified=stat.st_mtime,
    )
    try:
        raw = read_return(path)
    except UnreadableReturn as error:
        submission.failures.append(
            {
                "code": "RET-001",
                "severity": "error",
                "location": path.name,
                "column_name": None,
                "value": None,
                "message": str(error),
            }
        )
        return submission
    result = validate_return(raw, context.specs, context.agencies, context.la_lookup)
    submission.cover = stated_cover(raw.cover, result.cover)
    submission.row_count = len(result.data) if result.data is not None else 0
    submission.failures = [
        {
            "code": f.code,
            "severity": f.severity,
            "location": f.location,
            "column_name": f.column,
            "value": None if f.value is None else str(f.value),
            "message": f.message,
        }
        for f in result.failures
    ]
    if result.valid:
        submission.status = "accepted"
        submission.facts = return_facts(
            result,
            context.specs[result.return_type],
            submission_id=submission.submission_id,
            source=path.name,
            sha256=digest,
        )
    return submission


def stated_cover(raw_cover: dict[str, Any], cover: Cover | None) -> dict[str, Any]:
    """What the file says it is: the validated cover, or its raw text when it did not pass."""
    if cover is not None:
        return {
            "return_type": cover.return_type,
            "agency_code": cover.agency_code,
            "area_code": cover.area_code,
            "period_start": cover.period_start,
            "period_end": cover.period_end,
        }
    return {
        "return_type": _text(raw_cover.get("return_type")),
        "agency_code": _text(raw_cover.get("agency_code")),
        "area_code": _text(raw_cover.get("la_code")),
        "period_start": None,
        "period_end": None,
    }


def _text(value: Any) -> str | None:
    """A raw cover value as short text for the audit record (None when absent)."""
    return None if value is None else str(value).strip()[:40]


def choose_submissions(submissions: list[Submission], quarter: Quarter) -> list[Submission]:
    """Mark which accepted submissions the run uses: the latest file for each agency, return
    and period (a resubmission supersedes the earlier one), for periods up to the run's quarter."""
    latest: dict[tuple[Any, ...], Submission] = {}
    for submission in sorted(submissions, key=lambda s: (s.modified, s.file_path)):
        if submission.status != "accepted":
            continue
        if submission.cover["period_end"] > quarter.end:
            submission.status = "not_in_run"
            continue
        earlier = latest.get(submission.key)
        if earlier is not None:
            earlier.status = "superseded"
        latest[submission.key] = submission
    return list(latest.values())


def missing_returns(used: list[Submission], quarter: Quarter, schemas_dir: Path) -> list[str]:
    """Returns each agency should have sent for `quarter` that the run has no accepted file for."""
    received = {
        (s.cover["agency_code"], s.cover["return_type"])
        for s in used
        if s.cover["period_end"] == quarter.end
    }
    return sorted(
        f"{agency.code}: {return_type}"
        for agency in load_agencies(schemas_dir).values()
        for return_type in agency.returns
        if (agency.code, return_type) not in received
    )


def curated_relations(
    reference: Reference,
    partner_facts: pd.DataFrame,
    catalogue: tuple[Indicator, ...],
    agency_names: dict[str, str],
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """curated.indicator_values and curated.comparisons for every catalogued indicator."""
    facts = pd.concat([reference.published_facts, partner_facts], ignore_index=True)
    values_frames, comparison_frames = [], []
    for indicator in catalogue:
        values = indicator_values(facts, reference.population, indicator, reference.areas)
        if indicator.published_lait:
            values = pd.concat(
                [values, published_rate_values(facts, indicator, reference.areas)],
                ignore_index=True,
            )
        values = with_intervals(values, indicator)
        values["decimals"] = indicator.decimals
        values_frames.append(values)
        comparison_frames.append(
            comparisons(values, indicator, reference.neighbours, reference.local_comparators)
        )
    values = pd.concat(values_frames, ignore_index=True)
    values["breakdown_name"] = values["breakdown"].map(agency_names).fillna(values["breakdown"])
    order = ["indicator_id", "source_type", "area_code", "breakdown", "period_end"]
    values = values.sort_values(order, kind="stable").reset_index(drop=True)
    compared = pd.concat(comparison_frames, ignore_index=True)
    compared = compared.sort_values(order, kind="stable").reset_index(drop=True)
    return values, compared


def catalogue_table(catalogue: tuple[Indicator, ...]) -> pd.DataFrame:
    """The catalogue as rows, for analysts who query the warehouse."""
    return pd.DataFrame(
        {
            "indicator_id": i.id,
            "title": i.title,
            "numerator": " + ".join(i.numerator),
            "denominator": i.denominator,
            "multiplier": i.multiplier,
            "unit": i.unit,
            "decimals": i.decimals,
            "polarity": i.polarity,
            "measure_type": i.measure_type,
            "window_months": i.window_months,
            "comparators": ", ".join(i.comparators),
            "breakdown": i.breakdown,
            "theme": i.theme,
        }
        for i in catalogue
    )


def submissions_table(submissions: list[Submission]) -> pd.DataFrame:
    """raw.submissions rows."""
    return pd.DataFrame(
        [
            {
                "submission_id": s.submission_id,
                "file_name": Path(s.file_path).name,
                "file_path": s.file_path,
                "sha256": s.sha256,
                "size_bytes": s.size_bytes,
                "return_type": s.cover.get("return_type"),
                "agency_code": s.cover.get("agency_code"),
                "area_code": s.cover.get("area_code"),
                "period_start": s.cover.get("period_start"),
                "period_end": s.cover.get("period_end"),
                "status": s.status,
                "row_count": s.row_count,
                "error_count": s.error_count,
                "warning_count": len(s.failures) - s.error_count,
            }
            for s in submissions
        ],
        columns=[
            "submission_id",
            "file_name",
            "file_path",
            "sha256",
            "size_bytes",
            "return_type",
            "agency_code",
            "area_code",
            "period_start",
            "period_end",
            "status",
            "row_count",
            "error_count",
            "warning_count",
        ],
    )


def failures_table(submissions: list[Submission]) -> pd.DataFrame:
    """raw.validation_failures rows."""
    return pd.DataFrame(
        [{"submission_id": s.submission_id, **f} for s in submissions for f in s.failures],
        columns=[
            "submission_id",
            "code",
            "severity",
            "location",
            "column_name",
            "value",
            "message",
        ],
    )


@dataclass
class RunSummary:
    """What a run did, for the command line and the Prefect UI."""

    run_id: str
    quarter: Quarter
    outcome: str
    warehouse: Path
    submissions: list[Submission]
    missing: list[str]
    values: pd.DataFrame
    comparisons: pd.DataFrame


def run_quarter(
    settings: Settings,
    quarter: Quarter,
    submissions: list[Submission],
    reference: Reference,
    started_at: datetime,
) -> RunSummary:
    """Compute and publish the run for `quarter` from ingested submissions, all or nothing."""
    catalogue = load_catalogue(settings.schemas_dir / "indicators.yaml")
    used = choose_submissions(submissions, quarter)
    partner_facts = (
        conform_facts(pd.concat([s.facts for s in used], ignore_index=True))
        if used
        else empty_facts()
    )
    agency_names = {a.code: a.name for a in load_agencies(settings.schemas_dir).values()}
    values, compared = curated_relations(reference, partner_facts, catalogue, agency_names)
    missing = missing_returns(used, quarter, settings.schemas_dir)
    rejected = [s for s in submissions if s.status == "rejected"]
    outcome = "incomplete" if missing or rejected else "complete"
    run_id = str(uuid.uuid4())
    relations = {
        "raw.submissions": submissions_table(submissions),
        "raw.validation_failures": failures_table(submissions),
        "staged.partner_facts": partner_facts,
        "reference.published_facts": reference.published_facts,
        "reference.population": reference.population,
        "reference.statistical_neighbours": reference.neighbours,
        "reference.areas": reference.areas,
        "curated.indicator_catalogue": catalogue_table(catalogue),
        "curated.indicator_values": values,
        "curated.comparisons": compared,
    }
    warehouse.publish_run(
        settings.warehouse,
        relations,
        {
            "run_id": run_id,
            "period": quarter.label,
            "started_at": started_at.replace(tzinfo=None),
            "finished_at": datetime.now(UTC).replace(tzinfo=None),
            "outcome": outcome,
            "submissions_used": sorted(s.submission_id for s in used),
            "submissions_rejected": sorted(s.submission_id for s in rejected),
            "missing_returns": missing,
            "sn_model": settings.sn_model,
        },
        warehouse.relation_descriptions(settings.schemas_dir / "warehouse.yaml"),
    )
    return RunSummary(
        run_id, quarter, outcome, settings.warehouse, submissions, missing, values, compared
    )


def run_without_orchestration(settings: Settings, quarter: Quarter) -> RunSummary:
    """The whole run in this process, step after step, for tests and scripts (no Prefect)."""
    started_at = datetime.now(UTC)
    reference = load_reference(settings, load_catalogue(settings.schemas_dir / "indicators.yaml"))
    context = return_context(settings.schemas_dir, reference.la_lookup)
    submissions = [
        ingest(path, settings.returns_dir, context)
        for path in discover_returns(settings.returns_dir)
    ]
    return run_quarter(settings, quarter, submissions, reference, started_at)
