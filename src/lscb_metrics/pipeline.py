"""The run's steps as plain functions; the Prefect flow (flows/quarterly.py) is the only
place that orders them.

ingest (read, validate, reduce to facts) -> choose submissions -> compute indicator values and
comparisons (`compute_run`) -> quality checks on the new relations (`check_run`) -> commit every
layer in one transaction, or record the run as failed (`commit_run`) -> publish files.
"""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from lscb_metrics import warehouse
from lscb_metrics.catalogue import Indicator, load_catalogue
from lscb_metrics.compute import comparisons, indicator_values, with_intervals
from lscb_metrics.config import Settings
from lscb_metrics.errors import PublicationBlocked
from lscb_metrics.facts import conform_facts, empty_facts
from lscb_metrics.intake.failures import case_failure
from lscb_metrics.intake.rules import CASE_NOT_A_FILE
from lscb_metrics.measures import MEASURES_FILE, load_registry
from lscb_metrics.periods import Quarter
from lscb_metrics.reference import (
    la_lookup,
    la_numbers,
    load_areas,
    load_cin_facts,
    load_lait_facts,
    load_population,
    load_statistical_neighbours,
)
from lscb_metrics.returns import load_agencies, load_return_specs

if TYPE_CHECKING:
    from lscb_metrics.cases import CaseResult
    from lscb_metrics.quality import QualityResult
from lscb_metrics.store import Skipped, StagedFile, regular_files, staging_folder
from lscb_metrics.submissions import (
    Discovery,
    ReturnContext,
    Submission,
    archive,
    choose_submissions,
    discover_returns,
    failures_table,
    flag_unusual_values,
    ingest,
    missing_returns,
    rows_table,
    skipped_table,
    submissions_table,
)


@dataclass
class Reference:
    """Published reference data and the board's local figures, as loaded for a run."""

    areas: pd.DataFrame
    la_lookup: dict[str, tuple[str, str, str | None]]
    la_numbers: dict[str, str]
    published_facts: pd.DataFrame
    population: pd.DataFrame
    neighbours: pd.DataFrame
    local_comparators: pd.DataFrame


def load_reference(settings: Settings, catalogue: tuple[Indicator, ...]) -> Reference:
    """Reference data for a run from the shipped files (read as published)."""
    areas = load_areas(settings.reference_dir)
    registry = load_registry(settings.schemas_dir / MEASURES_FILE)
    published_values = {i.published_value for i in catalogue if i.published_value}
    published = pd.concat(
        [
            load_cin_facts(settings.reference_dir, registry),
            load_lait_facts(settings.reference_dir, registry, published_values),
        ],
        ignore_index=True,
    )
    ons = load_population(settings.reference_dir, registry).assign(source_type="published")
    local = pd.read_csv(settings.local_dir / "local_population.csv", dtype={"area_code": str})
    population = pd.concat([ons, local.assign(source_type="partner_return")], ignore_index=True)
    comparators = pd.read_csv(settings.local_dir / "local_comparators.csv", dtype=str)
    comparators["period_end"] = pd.to_datetime(comparators["period_end"]).dt.date
    comparators["value"] = comparators["value"].astype(float)
    return Reference(
        areas=areas,
        la_lookup=la_lookup(areas),
        la_numbers=la_numbers(areas),
        published_facts=published,
        population=population,
        neighbours=load_statistical_neighbours(settings.reference_dir, settings.sn_model),
        local_comparators=comparators,
    )


def candidate_files(settings: Settings) -> Discovery:
    """Files a run considers, staged: the inbox (returns folder) first, then the archive of
    accepted files, one per content, so a file removed from the inbox still counts once stored;
    with the entries skipped."""
    staging = staging_folder(settings.store_dir.parent)
    return discover_returns(settings.returns_dir, settings.store_dir, staging=staging)


def receive(
    path: StagedFile,
    settings: Settings,
    context: ReturnContext,
    receipts: Mapping[str, datetime],
    now: datetime,
) -> Submission:
    """Validate one file and keep it: archived if accepted, quarantined if rejected."""
    inbox = path.source.is_relative_to(settings.returns_dir)
    base = settings.returns_dir if inbox else path.source.parent
    # Receipt times are naive UTC, as the warehouse stores them, so they compare across runs.
    received = now.astimezone(UTC).replace(tzinfo=None)
    submission = ingest(path, base, context, received)
    submission.received_at = receipts.get(submission.sha256, received)
    archive(submission, path, settings.store_dir, settings.quarantine_dir)
    return submission


CASE_SUFFIXES = (".csv", ".xlsx")


def derive_cases(settings: Settings, reference: Reference) -> CaseResult | None:
    """Measures derived from case-level lists in the cases folder, pseudonymised at the door;
    None when the run has no cases folder. Refuses to start without a pseudonymisation key."""
    if settings.cases_dir is None:
        return None
    from lscb_metrics.cases import derive_case_facts, load_pseudonymisation_key

    key = load_pseudonymisation_key()
    files, skipped = regular_files(settings.cases_dir, CASE_SUFFIXES)
    result = derive_case_facts(files, settings.schemas_dir, reference.la_lookup, key, {})
    passed_over = [case_failure(CASE_NOT_A_FILE, s.path, reason=s.reason) for s in skipped]
    return replace(result, failures=[*result.failures, *passed_over])


def partner_measures(
    aggregate: pd.DataFrame, cases: CaseResult | None, quarter: Quarter
) -> pd.DataFrame:
    """The board's facts up to `quarter`: from case lists where they give a measure for an area
    and quarter, from aggregate returns otherwise (never both, which would count twice)."""
    if cases is None or cases.facts.empty:
        return aggregate
    derived = cases.facts[cases.facts["period_end"] <= quarter.end]
    key = ["area_code", "measure", "breakdown", "period_end"]
    covered = derived[key].drop_duplicates().assign(_covered=True)
    kept = aggregate.merge(covered, on=key, how="left")
    kept = kept[kept["_covered"].isna()].drop(columns="_covered")
    return conform_facts(pd.concat([kept, derived], ignore_index=True))


def case_relations(cases: CaseResult | None) -> dict[str, pd.DataFrame]:
    """staged.case_* relations (pseudonymised rows, lists, facts) and audit.case_failures."""
    if cases is None:
        return {}
    from lscb_metrics.cases.ingest import failures_frame

    relations = {
        "staged.case_facts": cases.facts,
        "staged.case_lists": cases.lists,
        "audit.case_failures": failures_frame(cases.failures),
    }
    relations |= {f"staged.case_{name}": table.to_pandas() for name, table in cases.staged.items()}
    return relations


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
        rows = indicator.breakdown_rows(facts)
        values = indicator_values(rows, reference.population, indicator, reference.areas)
        values = with_intervals(values, indicator)
        values["decimals"] = indicator.decimals
        values_frames.append(values)
        comparison_frames.append(
            comparisons(
                values,
                indicator,
                reference.neighbours,
                reference.local_comparators,
                reference.la_numbers,
            )
        )
    values = pd.concat(values_frames, ignore_index=True)
    values["breakdown_name"] = (
        values["breakdown"].map(agency_names).astype(object).fillna(values["breakdown"])
    )
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
    files: list[Path] = field(default_factory=list)
    quality: QualityResult | None = None


@dataclass
class RunPlan:
    """A computed run not yet committed: every relation it would write and its audit record."""

    summary: RunSummary
    relations: dict[str, pd.DataFrame]
    run_record: dict[str, Any]
    catalogue: tuple[Indicator, ...]


def compute_run(
    settings: Settings,
    quarter: Quarter,
    submissions: list[Submission],
    reference: Reference,
    started_at: datetime,
    cases: CaseResult | None = None,
    skipped: list[Skipped] | None = None,
) -> RunPlan:
    """Every relation the run for `quarter` would write, from ingested submissions (and derived
    case lists), and its audit record; nothing is written."""
    catalogue = load_catalogue(settings.schemas_dir / "indicators.yaml")
    specs = load_return_specs(settings.schemas_dir)
    agencies = load_agencies(settings.schemas_dir)
    used = choose_submissions(submissions, quarter)
    partner_facts = (
        conform_facts(pd.concat([s.facts for s in used], ignore_index=True))
        if used
        else empty_facts()
    )
    for submission in used:
        flag_unusual_values(submission, partner_facts, specs)
    partner_facts = partner_measures(partner_facts, cases, quarter)
    agency_names = {a.code: a.name for a in agencies.values()}
    values, compared = curated_relations(reference, partner_facts, catalogue, agency_names)
    missing = missing_returns(used, quarter, agencies)
    rejected = [s for s in submissions if s.status == "rejected"]
    outcome = "incomplete" if missing or rejected else "complete"
    run_id = str(uuid.uuid4())
    relations = {
        "audit.submissions": with_earlier_records(
            submissions_table(submissions).assign(last_seen_run=run_id),
            settings.warehouse,
            "audit.submissions",
        ),
        "audit.validation_failures": with_earlier_records(
            failures_table(submissions), settings.warehouse, "audit.validation_failures"
        ),
        "audit.skipped_entries": skipped_table(skipped or [], run_id),
        "staged.return_rows": rows_table(used),
        "staged.partner_facts": partner_facts,
        **case_relations(cases),
        "reference.published_facts": reference.published_facts,
        "reference.population": reference.population,
        "reference.statistical_neighbours": reference.neighbours,
        "reference.areas": reference.areas,
        "curated.indicator_catalogue": catalogue_table(catalogue),
        "curated.indicator_values": values,
        "curated.comparisons": compared,
    }
    run_record = {
        "run_id": run_id,
        "period": quarter.label,
        "started_at": started_at.replace(tzinfo=None),
        "outcome": outcome,
        "submissions_used": sorted(s.submission_id for s in used),
        "submissions_rejected": sorted(s.submission_id for s in rejected),
        "missing_returns": missing,
        "sn_model": settings.sn_model,
    }
    summary = RunSummary(
        run_id, quarter, outcome, settings.warehouse, submissions, missing, values, compared
    )
    return RunPlan(summary, relations, run_record, catalogue)


def check_run(plan: RunPlan, docs_dir: Path) -> QualityResult:
    """The great_expectations checkpoint over the run's new curated relations and accounting,
    before anything is committed; Data Docs in `docs_dir`."""
    from lscb_metrics.quality import COMPARISONS, RUNS, VALUES, check_frames, run_accounting

    frames = {
        VALUES: plan.relations[VALUES],
        COMPARISONS: plan.relations[COMPARISONS],
        RUNS: run_accounting(plan.run_record, plan.relations["audit.submissions"]),
    }
    return check_frames(frames, plan.catalogue, docs_dir)


def commit_run(settings: Settings, plan: RunPlan, quality: QualityResult) -> RunSummary:
    """Commit every relation and the run record in one transaction, or, where error-level
    quality checks failed, record the run as failed and leave everything else as it was."""
    record = {
        **plan.run_record,
        "finished_at": datetime.now(UTC).replace(tzinfo=None),
        "quality_passed": quality.success,
        "quality_failures": quality.failed,
    }
    plan.summary.quality = quality
    if quality.errors:
        warehouse.record_run(settings.warehouse, {**record, "outcome": "failed"})
        reasons = "\n".join(f"  - {line}" for line in quality.errors)
        raise PublicationBlocked(
            f"{plan.summary.quarter.label}: not published, because the new figures failed "
            f"error-level quality checks:\n{reasons}\nThe warehouse's figures and "
            f"{settings.curated_dir} are as they were; the run is recorded as failed in "
            "audit.runs."
        )
    warehouse.publish_run(
        settings.warehouse,
        plan.relations,
        record,
        warehouse.relation_descriptions(settings.schemas_dir / "warehouse.yaml"),
    )
    return plan.summary


WORKBOOK_FILE = "lscb_report_tables.xlsx"
DICTIONARY_FILE = "data_dictionary.md"
TEMPLATES_DIR = "templates"
QUALITY_DIR = "quality"


def with_earlier_records(current: pd.DataFrame, path: Path, name: str) -> pd.DataFrame:
    """`current` audit rows plus the warehouse's earlier rows for submissions this run did not
    see again (a rejected file since removed from the returns folder stays on record)."""
    earlier = warehouse.previous_relation(path, name)
    if earlier is None or earlier.empty:
        return current
    earlier = earlier[~earlier["submission_id"].isin(current["submission_id"])]
    earlier = earlier[[column for column in current.columns if column in earlier.columns]]
    return pd.concat([current, earlier], ignore_index=True).sort_values(
        "submission_id", kind="stable"
    )


def publish_files(settings: Settings, quarter: Quarter, quality_docs: Path) -> list[Path]:
    """Everything report writers and analysts open, written from the committed warehouse into
    the curated folder: exports, the report workbook, the scorecard and charts, the data
    dictionary, the partner templates and the quality checkpoint's pages (from `quality_docs`)."""
    from lscb_metrics.publish import (
        ScorecardError,
        write_data_dictionary,
        write_exports,
        write_scorecard,
        write_template,
        write_workbook,
    )

    out = settings.curated_dir
    out.mkdir(parents=True, exist_ok=True)
    written = write_exports(settings.warehouse, out)
    written.append(write_workbook(settings.warehouse, out / WORKBOOK_FILE, quarter.end))
    try:
        written += write_scorecard(settings.warehouse, out, quarter.end)
    except ScorecardError as error:
        print(f"scorecard not written: {error}")
    written.append(
        write_data_dictionary(settings.warehouse, settings.schemas_dir, out / DICTIONARY_FILE)
    )
    written += [
        write_template(
            return_type, settings.schemas_dir, out / TEMPLATES_DIR / f"{return_type}.xlsx"
        )
        for return_type in sorted(load_return_specs(settings.schemas_dir))
    ]
    quality_dir = out / QUALITY_DIR
    shutil.rmtree(quality_dir, ignore_errors=True)
    shutil.copytree(quality_docs, quality_dir)
    return written
