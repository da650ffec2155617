"""The run's steps as plain functions; the Prefect flow (flows/quarterly.py) is the only
place that orders them.

ingest (read, validate, reduce to facts) -> choose submissions -> compute indicator values and
comparisons (`compute_run`) -> quality checks on the new relations (`check_run`) -> commit every
layer in one transaction, or record the run as failed (`commit_run`) -> publish files
(`publishing.py`).
"""

from __future__ import annotations

import tempfile
import uuid
from collections.abc import Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb
import pandas as pd

import lscb_metrics
from lscb_metrics import warehouse
from lscb_metrics.boards import Board, Boards, load_boards
from lscb_metrics.catalogue import Indicator, load_catalogue
from lscb_metrics.compute import comparisons, indicator_values, published_limits, with_intervals
from lscb_metrics.config import (
    BOARD_ATTENDANCE,
    BOARD_RECORDS,
    LOCAL_COMPARATORS,
    LOCAL_FILES,
    LOCAL_POPULATION,
    Settings,
)
from lscb_metrics.digests import code_digest, files_digest, fingerprint
from lscb_metrics.errors import ConfigurationError, PublicationBlocked
from lscb_metrics.facts import conform_facts, empty_facts
from lscb_metrics.history import unusual_values
from lscb_metrics.intake.failures import case_failure
from lscb_metrics.intake.hashing import file_sha256
from lscb_metrics.intake.rules import AREA_NOT_COVERED, CASE_NOT_A_FILE
from lscb_metrics.layout import declared_layout
from lscb_metrics.local_records import (
    attendance_facts,
    attendance_failures,
    board_record_facts,
    board_record_failures,
)
from lscb_metrics.measures import MEASURES_FILE, Registry, load_registry
from lscb_metrics.parallel import forked_map
from lscb_metrics.periods import Quarter, parse_quarter
from lscb_metrics.published_cache import (
    cache_folder,
    cached_frames,
    cached_published_relations,
    published_fingerprint,
)
from lscb_metrics.reference import (
    area_names,
    la_lookup,
    la_numbers,
    load_areas,
    load_cin_facts,
    load_cla_facts,
    load_cla_sfr_facts,
    load_fingertips_facts,
    load_lait_facts,
    load_population,
    load_population_ages_facts,
    load_statistical_neighbours,
    text_as_objects,
)
from lscb_metrics.returns import load_return_specs
from lscb_metrics.returns.spec import ASSESSMENT_TARGET
from lscb_metrics.revisions import Revision, recent_revisions, revisions_table
from lscb_metrics.validation_cache import Pack
from lscb_metrics.withdraw import (
    WITHDRAWALS,
    load_withdrawals,
    marked_withdrawn,
    set_aside,
    withdrawals_table,
    withdrawn_dir,
)

if TYPE_CHECKING:
    from lscb_metrics.cases import CaseResult
    from lscb_metrics.quality import QualityDocs, QualityResult
from lscb_metrics.store import (
    KnownFile,
    Skipped,
    StagedFile,
    private_copies,
    regular_files,
    staging_folder,
)
from lscb_metrics.submissions import (
    Discovery,
    ReturnContext,
    Submission,
    SubmissionList,
    archive,
    budgeted_ingest,
    choose_submissions,
    corrected_rejections,
    discover_returns,
    failures_table,
    flag_unusual_values,
    for_board,
    gathered,
    identify,
    missing_returns,
    rows_table,
    skipped_table,
    submissions_table,
)


@dataclass
class Reference:
    """Published reference data, the boards, and each board's local figures, as loaded for a run."""

    boards: Boards
    areas: pd.DataFrame
    la_lookup: dict[str, tuple[str, str, str | None]]
    la_numbers: dict[str, str]
    published_facts: pd.DataFrame
    population: pd.DataFrame
    neighbours: pd.DataFrame
    local_comparators: pd.DataFrame
    #: The fingerprint of the shipped published files as read (see `load_reference`).
    shipped_key: str
    board_records: pd.DataFrame = field(default_factory=empty_facts)


def load_reference(settings: Settings, catalogue: tuple[Indicator, ...]) -> Reference:
    """Reference data for a run: the shipped published files (read as published, once for each
    version of them, see `published_reference`), the boards and their local figures."""
    registry = load_registry(settings.schemas_dir / MEASURES_FILE)
    published_values = sorted({i.published_value for i in catalogue if i.published_value})
    key = fingerprint(
        files_digest(settings.reference_dir),
        (settings.schemas_dir / MEASURES_FILE).read_bytes(),
        repr((published_values, settings.sn_model)).encode(),
        code_digest(READING_CODE),
    )
    frames, _ = cached_frames(
        cache_folder(settings.warehouse),
        "reference",
        key,
        ("areas", "facts", "population", "neighbours"),
        lambda: published_reference(settings, registry, set(published_values)),
    )
    # As the loaders give them: text as objects, None where missing (parquet gives `str`).
    areas, published, ons, neighbours = (text_as_objects(frame) for frame in frames)
    boards = load_boards(settings.schemas_dir)
    lookup = la_lookup(areas)
    for board in boards.by_slug.values():
        unknown = [area for area in board.areas if area not in lookup]
        if unknown:
            raise ConfigurationError(
                f"{board.profile}: area(s) {', '.join(unknown)} are not local authority codes in "
                "the shipped DfE files"
            )
    local = local_figures(settings.local_dir, boards, LOCAL_POPULATION, {"area_code": str}).astype(
        {"mid_year": "int64", "population_0_17": "int64"}
    )
    population = pd.concat([ons, local.assign(source_type="partner_return")], ignore_index=True)
    comparators = local_figures(settings.local_dir, boards, LOCAL_COMPARATORS, str)
    comparators["period_end"] = pd.to_datetime(comparators["period_end"]).dt.date
    comparators["value"] = comparators["value"].astype(float)
    return Reference(
        boards=boards,
        areas=areas,
        la_lookup=lookup,
        la_numbers=la_numbers(areas),
        published_facts=published,
        population=population,
        neighbours=neighbours,
        local_comparators=comparators,
        shipped_key=key,
        board_records=load_board_records(settings.local_dir, boards, registry),
    )


#: Package code that reads the shipped published files: a change to it reads them again.
READING_CODE = ("reference", "facts.py", "measures.py", "periods.py", "pipeline.py")


def published_reference(
    settings: Settings, registry: Registry, published_values: set[str]
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The shipped published files as a run uses them: (areas, published facts, ONS child
    populations, statistical neighbours in the settings' model)."""
    reference_dir = settings.reference_dir
    published = pd.concat(
        [
            load_cin_facts(reference_dir, registry),
            load_lait_facts(reference_dir, registry, published_values),
            load_fingertips_facts(reference_dir, registry),
            load_cla_facts(reference_dir, registry),
            load_cla_sfr_facts(reference_dir, registry),
            load_population_ages_facts(reference_dir, registry),
        ],
        ignore_index=True,
    )
    return (
        load_areas(reference_dir),
        published,
        load_population(reference_dir, registry).assign(source_type="published"),
        load_statistical_neighbours(reference_dir, settings.sn_model),
    )


def local_figures(local_dir: Path, boards: Boards, name: str, dtype: Any) -> pd.DataFrame:
    """Every board's local figure file `name` (`local_dir`/<slug>/), one table; a board
    without the file has none, and a row for an area outside its board is refused."""
    frames = []
    for board in boards.by_slug.values():
        path = local_dir / board.slug / name
        if not path.is_file():
            continue
        frame = pd.read_csv(path, dtype=dtype)
        if frame.empty:  # a new board's file: the header alone
            continue
        foreign = sorted(set(frame["area_code"]) - set(board.areas))
        if foreign:
            raise ConfigurationError(f"{path}: area(s) {foreign} are not {board.name}'s")
        frames.append(frame)
    if not frames:
        return pd.DataFrame(columns=list(LOCAL_FILES[name])).astype(dtype)
    return pd.concat(frames, ignore_index=True)


def load_board_records(local_dir: Path, boards: Boards, registry: Registry) -> pd.DataFrame:
    """Facts of every board's own records (board_records.csv, board_attendance.csv in
    `local_dir`/<slug>/); a file breaking a LOC-* rule stops the run with every failure listed,
    and nothing of it is used."""
    readers = {
        BOARD_RECORDS: (
            lambda frame: board_record_failures(frame, registry),
            lambda frame, source, digest: board_record_facts(frame, registry, source, digest),
        ),
        BOARD_ATTENDANCE: (attendance_failures, attendance_facts),
    }
    frames = [empty_facts()]
    for board in boards.by_slug.values():
        for name, (failures_of, facts_of) in readers.items():
            path = local_dir / board.slug / name
            if not path.is_file():
                continue
            frame = pd.read_csv(path, dtype=str, keep_default_na=False)
            missing = [c for c in LOCAL_FILES[name] if c not in frame.columns]
            if missing:
                raise ConfigurationError(f"{path}: missing column(s) {', '.join(missing)}")
            foreign = sorted(set(frame["area_code"]) - set(board.areas))
            if foreign:
                raise ConfigurationError(f"{path}: area(s) {foreign} are not {board.name}'s")
            failures = failures_of(frame)
            if failures:
                listed = "\n".join(f"  - {failure.message}" for failure in failures)
                raise ConfigurationError(f"{path}: not used, because:\n{listed}")
            source = f"{board.name}: own records, {name}"
            frames.append(facts_of(frame, source, file_sha256(path)))
    return conform_facts(pd.concat(frames, ignore_index=True))


def candidate_files(settings: Settings, pack: Pack | None = None) -> Discovery:
    """Files a run considers: the inbox (returns folder) first, then the archive of accepted
    files, one per content, so a file removed from the inbox still counts once stored; with the
    entries skipped (withdrawn content among them). Contents the validation `pack` holds are
    known, not staged."""
    staging = staging_folder(settings.store_dir.parent)
    kept = pack.kept() if pack is not None else None
    found = discover_returns(settings.returns_dir, settings.store_dir, staging, kept)
    return set_aside(found, load_withdrawals(withdrawn_dir(settings)))


def receive(
    path: StagedFile,
    settings: Settings,
    context: ReturnContext,
    receipts: Mapping[str, datetime],
    now: datetime,
) -> Submission:
    """Validate one staged file and keep it: archived if accepted, quarantined if rejected."""
    received = naive_utc(now)
    submission = budgeted_ingest(path, found_in(path, settings), context, received)
    submission.received_at = receipts.get(submission.sha256, received)
    archive(submission, path, settings.store_dir, settings.quarantine_dir)
    return submission


def recall_validated(
    found: Discovery,
    settings: Settings,
    receipts: Mapping[str, datetime],
    now: datetime,
    pack: Pack,
) -> list[Submission]:
    """The files validated before under the same declarations (known to the validation
    `pack`), as submissions rebuilt from their records; the staged files need validating."""
    received = naive_utc(now)
    recalled = [
        pack.recall(identify(file, found_in(file, settings), received)) for file in found.known
    ]
    for submission in recalled:
        submission.received_at = receipts.get(submission.sha256, received)
    return recalled


def found_in(file: StagedFile | KnownFile, settings: Settings) -> Path:
    """The folder a candidate file was found in: the inbox, or its own folder in the store."""
    source = file.source
    return settings.returns_dir if source.is_relative_to(settings.returns_dir) else source.parent


def naive_utc(moment: datetime) -> datetime:
    """`moment` as naive UTC, as the warehouse stores receipt times, so they compare across runs."""
    return moment.astimezone(UTC).replace(tzinfo=None)


CASE_SUFFIXES = (".csv", ".xlsx")


def derive_cases(settings: Settings, reference: Reference) -> CaseResult | None:
    """Measures derived from case-level lists in the cases folder, pseudonymised at the door;
    None when the run has no cases folder. Refuses to start without a pseudonymisation key."""
    if settings.cases_dir is None:
        return None
    from lscb_metrics.cases import derive_case_facts, load_pseudonymisation_key

    key = load_pseudonymisation_key()
    files, skipped = regular_files(settings.cases_dir, CASE_SUFFIXES)
    # read from private copies: a list swapped for a link after listing is never followed
    with tempfile.TemporaryDirectory(prefix="lscb-cases-") as private:
        copies, unreadable = private_copies(files, Path(private), settings.cases_dir)
        result = derive_case_facts(
            copies,
            settings.schemas_dir,
            reference.la_lookup,
            key,
            reference.boards.local_target(ASSESSMENT_TARGET),
        )
    skipped = [*skipped, *unreadable]
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
    published: tuple[pd.DataFrame, pd.DataFrame] | None = None,
    workers: int = 1,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """curated.indicator_values and curated.comparisons for every catalogued indicator: the
    published figures' (`published`, as `published_relations` gives them, when already
    computed), and the boards' own, compared with them; on up to `workers` processes."""
    if published is None:
        published = published_relations(reference, catalogue, workers)
    own_facts = pd.concat([partner_facts, reference.board_records], ignore_index=True)
    own = indicator_relations(reference, own_facts, catalogue, published[0], workers)
    order = ["indicator_id", "source_type", "area_code", "breakdown", "period_end"]
    values = pd.concat([published[0], own[0]], ignore_index=True)
    values["breakdown_name"] = (
        values["breakdown"].map(agency_names).astype(object).fillna(values["breakdown"])
    )
    values = values.sort_values(order, kind="stable").reset_index(drop=True)
    compared = pd.concat([published[1], own[1]], ignore_index=True)
    compared = compared.sort_values(order, kind="stable").reset_index(drop=True)
    return values, compared


def published_relations(
    reference: Reference, catalogue: tuple[Indicator, ...], workers: int = 1
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Indicator values and comparisons of the published figures alone (every area of England;
    the same for every board and run until the reference data or catalogue changes)."""
    return indicator_relations(reference, reference.published_facts, catalogue, None, workers)


def indicator_relations(
    reference: Reference,
    facts: pd.DataFrame,
    catalogue: tuple[Indicator, ...],
    published_values: pd.DataFrame | None,
    workers: int = 1,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Values and comparisons of every catalogued indicator from `facts`, compared with the
    published figures among them, or with `published_values` where given; each indicator's
    figures are independent of the others', so they are computed on up to `workers`
    processes."""
    context = (
        None
        if published_values is None
        else dict(tuple(published_values.groupby("indicator_id", sort=False)))
    )

    def relations_of(indicator: Indicator) -> tuple[pd.DataFrame, pd.DataFrame]:
        rows = indicator.breakdown_rows(facts)
        values = indicator_values(rows, reference.population, indicator, reference.areas)
        values = with_intervals(values, indicator, published_limits(rows, indicator))
        values["decimals"] = indicator.decimals
        compared = comparisons(
            values,
            indicator,
            reference.neighbours,
            reference.local_comparators,
            reference.la_numbers,
            None if context is None else context.get(indicator.id, values.iloc[:0]),
        )
        return values, compared

    pairs = forked_map(relations_of, catalogue, workers)
    return (
        pd.concat([values for values, _ in pairs], ignore_index=True),
        pd.concat([compared for _, compared in pairs], ignore_index=True),
    )


def catalogue_table(catalogue: tuple[Indicator, ...], registry: Registry) -> pd.DataFrame:
    """The catalogue as rows, for analysts who query the warehouse, with where a board's own
    figures of each come from (`Registry.collected_from`, from the measures registry)."""
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
            "subject": i.subject,
            "part_of": i.part_of,
            "change_years": i.change_years,
            "collected_from": registry.collected_from(i.numerator),
            "report_period": i.report_period,
        }
        for i in catalogue
    )


@dataclass(frozen=True)
class BoardOutcome:
    """How one board fared in a run: its outcome, the returns it is missing, its rejected
    files, whether it has accepted returns for the quarter, and whether its new edition is
    published (`kept`: the edition kept instead, being complete or of a later quarter)."""

    board: Board
    outcome: str
    missing: list[str]
    rejected: list[str]
    has_returns: bool
    kept: str | None = None  # quarter of the edition kept instead of this run's (see kept_edition)
    #: Withdrawn submissions the board's last run used: this run's figures drop them.
    withdrawn: tuple[str, ...] = ()
    #: The quarter of the board's current edition, published again without `withdrawn`.
    republishes: Quarter | None = None
    #: The first quarter of partner returns of each of its areas in the quarter (by ONS code),
    #: whoever sent them, as its edition takes it (`first_return_quarters`), for a board the
    #: run publishes.
    first_quarters: Mapping[str, Quarter] = field(default_factory=dict)

    @property
    def publishes(self) -> bool:
        """True when the run writes the board a new edition."""
        return (self.has_returns and self.kept is None) or self.republishes is not None

    def edition_quarter(self, run_quarter: Quarter) -> Quarter:
        """The quarter of the edition the run writes (and records) for the board."""
        return self.republishes or run_quarter


@dataclass
class RunSummary:
    """What a run did, for the command line and the Prefect UI."""

    run_id: str
    quarter: Quarter
    outcome: str
    warehouse: Path
    submissions: Sequence[Submission]
    missing: list[str]
    values: pd.DataFrame
    comparisons: pd.DataFrame
    files: list[Path] = field(default_factory=list)
    quality: QualityResult | None = None
    boards: list[BoardOutcome] = field(default_factory=list)
    revisions: list[Revision] = field(default_factory=list)
    #: Entries of the input folders the run did not read (audit.skipped_entries).
    skipped: list[Skipped] = field(default_factory=list)
    #: Rejected files a later valid file corrected (`submissions.corrected_rejections`).
    corrected: frozenset[str] = frozenset()
    #: Boards the warehouse has run whose profile is gone (`removed_boards`).
    removed: list[RemovedBoard] = field(default_factory=list)
    #: Each area's name by ONS code (`area_names`), for the lines naming an area to a person.
    area_names: dict[str, str] = field(default_factory=dict)
    #: The project folder, from which the run summary names the files it points to
    #: (`config.shown_path`); None: named by absolute path.
    root: Path | None = None

    @property
    def writes(self) -> bool:
        """True when the run commits: a board has accepted returns for its quarter, or a board's
        figures still use a submission since withdrawn. Otherwise it writes nothing at all."""
        return any(board.has_returns or board.withdrawn for board in self.boards)

    @property
    def publishable(self) -> list[BoardOutcome]:
        """The boards of the run that get a new edition (the others keep their last one)."""
        return [board for board in self.boards if board.publishes]


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
    board_slug: str | None = None,
    skipped: list[Skipped] | None = None,
    workers: int = 1,
    publish_incomplete: bool = False,
) -> RunPlan:
    """Every relation the run for `quarter` would write, from ingested submissions (and derived
    case lists), and its audit record; nothing is written.

    The run is for one board (`board_slug`) or all. A board outside the run keeps exactly the
    submissions its own last run used, so its figures do not change. An incomplete edition does
    not replace a board's complete one unless `publish_incomplete`. Indicators are computed on
    up to `workers` processes."""
    catalogue = load_catalogue(settings.schemas_dir / "indicators.yaml")
    specs = load_return_specs(settings.schemas_dir)
    boards = reference.boards
    run_boards = boards.selected(board_slug)
    previous_board_runs = warehouse.previous_relation(
        settings.warehouse, BOARD_RUNS, BOARD_RUN_COLUMNS
    )
    removed = checked_removed_boards(settings, boards)
    used = kept_submissions(
        choose_submissions(submissions, quarter), boards, run_boards, previous_board_runs
    )
    reference = own_records_of(reference, run_boards, previous_board_runs)
    partner_facts = conform_facts(gathered("facts", used)) if used else empty_facts()
    unusual = unusual_values(partner_facts, partner_facts)
    if not unusual.empty:
        by_id = {s.submission_id: s for s in used}
        for submission_id, facts in unusual.groupby("submission_id", sort=False):
            flag_unusual_values(by_id[submission_id], facts, specs)
    revised = recent_revisions(used, submissions, partner_facts, quarter)
    withdrawals = load_withdrawals(withdrawn_dir(settings))
    partner_facts = partner_measures(partner_facts, cases, quarter)
    agency_names = {
        a.code: a.name for board in boards.by_slug.values() for a in board.agencies.values()
    }
    published, _ = cached_published_relations(
        cache_folder(settings.warehouse),
        published_fingerprint(reference, catalogue),
        lambda: published_relations(reference, catalogue, workers),
    )
    values, compared = curated_relations(
        reference, partner_facts, catalogue, agency_names, published, workers
    )
    rejected = [s for s in submissions if s.status == "rejected"]
    withdrawn_ids = frozenset(w.submission_id for w in withdrawals)
    run_started = naive_utc(started_at)
    corrected = corrected_rejections(submissions)
    counted = [
        s for s in rejected if counts_in_run(s, run_started) and s.submission_id not in corrected
    ]
    names = area_names(reference.areas)
    outcomes = []
    for board in run_boards:
        outcome = board_outcome(board, used, counted, quarter, boards, names)
        outcome = kept_edition(
            outcome, previous_board_runs, publish_incomplete, withdrawn_ids, quarter
        )
        withdrawn = last_used_withdrawn(board, previous_board_runs, withdrawn_ids)
        outcome = replace(outcome, withdrawn=withdrawn)
        outcomes.append(
            withdrawal_edition(outcome, previous_board_runs, used, counted, boards, names)
        )
    # The run's record names every rejected file it saw; only those counted against a board's
    # quarter make the run incomplete, so one left in the folder for another quarter, or since
    # corrected, does not make every later run incomplete.
    # A board covering no area in the quarter (one a partnership replaced) expects nothing.
    expecting = [o for o in outcomes if o.board.areas_on(quarter.end)]
    outcome = "complete" if all(o.outcome == "complete" for o in expecting) else "incomplete"
    missing = [f"{o.board.slug}: {item}" for o in outcomes for item in o.missing]
    run_id = str(uuid.uuid4())
    relations = {
        "audit.submissions": marked_withdrawn(
            with_earlier_records(
                submissions_table(submissions, settings.warehouse.parent).assign(
                    last_seen_run=run_id
                ),
                settings.warehouse,
                "audit.submissions",
            ),
            withdrawals,
        ).astype({"version": "Int64"}),  # earlier warehouses kept it as a decimal
        WITHDRAWALS: withdrawals_table(withdrawals),
        "audit.validation_failures": with_earlier_records(
            failures_table(submissions), settings.warehouse, "audit.validation_failures"
        ),
        BOARD_RUNS: board_runs_table(run_id, quarter, outcomes, used, previous_board_runs),
        "audit.skipped_entries": skipped_table(skipped or [], run_id),
        "audit.revisions": revisions_table(revised, names),
        "staged.return_rows": rows_table(used),
        "staged.partner_facts": partner_facts,
        **case_relations(cases),
        "reference.published_facts": reference.published_facts,
        "reference.population": reference.population,
        "reference.statistical_neighbours": reference.neighbours,
        "reference.areas": reference.areas,
        "reference.boards": boards_table(boards),
        "reference.local_targets": local_targets_table(boards),
        "curated.indicator_catalogue": catalogue_table(
            catalogue, load_registry(settings.schemas_dir / MEASURES_FILE)
        ),
        "curated.indicator_values": values,
        "curated.comparisons": compared,
    }
    # The run summary says what each edition will say of an area's first returns: by the
    # editions' own queries, over the relations the run commits.
    with run_relations(relations, ("staged.partner_facts", "reference.areas")) as connection:
        outcomes = [
            replace(o, first_quarters=first_return_quarters(connection, o.board, quarter))
            if o.publishes
            else o
            for o in outcomes
        ]
    run_record = {
        "run_id": run_id,
        "period": quarter.label,
        "started_at": started_at.replace(tzinfo=None),
        "outcome": outcome,
        "submissions_used": sorted(s.submission_id for s in used),
        "submissions_rejected": sorted(s.submission_id for s in rejected),
        "missing_returns": missing,
        "sn_model": settings.sn_model,
        "tool_version": lscb_metrics.__version__,
    }
    summary = RunSummary(
        run_id,
        quarter,
        outcome,
        settings.warehouse,
        SubmissionList(submissions),
        missing,
        values,
        compared,
    )
    summary.boards = outcomes
    summary.revisions = revised
    summary.skipped = skipped or []
    summary.corrected = corrected
    summary.removed = removed
    summary.area_names = names
    summary.root = settings.root
    return RunPlan(summary, relations, run_record, catalogue)


BOARD_RUNS = "audit.board_runs"


@contextmanager
def run_relations(
    relations: Mapping[str, pd.DataFrame], names: tuple[str, ...]
) -> Iterator[duckdb.DuckDBPyConnection]:
    """An in-memory DuckDB connection holding the run's `relations` named `names` under their
    warehouse names, so that a query the editions make of the warehouse can be made of the run
    before it is committed; closed afterwards."""
    connection = duckdb.connect()
    try:
        for name in names:
            schema, table = name.split(".", 1)
            connection.execute(f"CREATE SCHEMA IF NOT EXISTS {schema}")
            connection.register(f"{schema}_{table}", relations[name])
            connection.execute(f"CREATE VIEW {name} AS SELECT * FROM {schema}_{table}")
        yield connection
    finally:
        connection.close()


@dataclass(frozen=True)
class RemovedBoard:
    """A board the warehouse has run whose profile is gone: its slug, the quarter of its last
    published edition, and the areas its last run's figures were for."""

    slug: str
    edition: str | None
    areas: tuple[str, ...]


def removed_boards(
    previous_board_runs: pd.DataFrame | None,
    previous_submissions: pd.DataFrame | None,
    boards: Boards,
) -> list[RemovedBoard]:
    """The boards of audit.board_runs without a profile now, each with its last edition's
    quarter and its areas (those of the submissions its last run used, in audit.submissions)."""
    if previous_board_runs is None or previous_board_runs.empty:
        return []
    areas_of = (
        {}
        if previous_submissions is None
        else previous_submissions.set_index("submission_id")["area_code"].to_dict()
    )
    removed = []
    for slug in sorted(set(previous_board_runs["board"]) - set(boards.by_slug)):
        last = last_board_run(previous_board_runs, slug)
        published = last_board_run(previous_board_runs, slug, published=True)
        used = [] if last is None else list(last["submissions_used"])
        areas = tuple(sorted({areas_of[i] for i in used if areas_of.get(i)}))
        edition = None if published is None else str(published["period"])
        removed.append(RemovedBoard(slug, edition, areas))
    return removed


def checked_removed_boards(settings: Settings, boards: Boards) -> list[RemovedBoard]:
    """The boards the warehouse has run whose profile is gone (`removed_boards`), read from it;
    ConfigurationError where one looks renamed (`check_not_renamed`). The flow asks first,
    before it writes anything."""
    previous_board_runs = warehouse.previous_relation(
        settings.warehouse, BOARD_RUNS, BOARD_RUN_COLUMNS
    )
    removed = removed_boards(
        previous_board_runs,
        warehouse.previous_relation(settings.warehouse, "audit.submissions"),
        boards,
    )
    check_not_renamed(removed, boards, previous_board_runs)
    return removed


def check_not_renamed(
    removed: list[RemovedBoard], boards: Boards, previous_board_runs: pd.DataFrame | None
) -> None:
    """ConfigurationError where a board that has never run covers, from its first quarter on
    (no `from:`), an area of a board whose profile is gone: the folder was most likely renamed,
    and going on would start the board again with no history, its last edition and own records
    left under the old name. A board that names the quarter it took the area over from is a
    new board."""
    ran = set() if previous_board_runs is None else set(previous_board_runs["board"])
    for gone in removed:
        for board in boards.by_slug.values():
            taken = [
                area for area in gone.areas if area in board.areas and board.span(area)[0] is None
            ]
            if board.slug in ran or not taken:
                continue
            raise ConfigurationError(
                f"board {board.slug!r} covers {', '.join(taken)}, which board {gone.slug!r} "
                f"covered until its profile (schemas/boards/{gone.slug}/) was removed; the run "
                f"cannot tell a renamed folder from a new board. If you renamed the folder, name "
                f"it {gone.slug} again: a board's folder name is how the warehouse, its editions "
                f"(data/curated/{gone.slug}/) and its own records (data/raw/local/{gone.slug}/) "
                "know it; change `name:` in its profile to rename the board. If it is a new "
                f"board taking the area over, give the area in {board.profile} the first "
                "quarter it covers it (`{code: AREA, from: 2019-20-Q2}`), and keep "
                f"{gone.slug}'s profile with that area's last quarter (`until:`) so that its "
                "earlier returns stay valid. Nothing was written: the warehouse, the files "
                "received (data/store/) and every edition are unchanged."
            )


def own_records_of(
    reference: Reference, run_boards: tuple[Board, ...], previous_board_runs: pd.DataFrame | None
) -> Reference:
    """`reference` with the boards' own records (local files) of the boards in the run and of
    the boards that have run before only: a board that never ran has no figures yet."""
    ran = set() if previous_board_runs is None else set(previous_board_runs["board"])
    areas = {
        area
        for board in reference.boards.by_slug.values()
        if board in run_boards or board.slug in ran
        for area in board.areas
    }
    return replace(
        reference,
        board_records=reference.board_records[reference.board_records["area_code"].isin(areas)],
    )


def kept_submissions(
    used: list[Submission],
    boards: Boards,
    run_boards: tuple[Board, ...],
    previous_board_runs: pd.DataFrame | None,
) -> list[Submission]:
    """The latest accepted submissions of the boards in the run, and for every other board the
    submissions its last run used (none if it has never run)."""
    running = {board.slug for board in run_boards}
    kept_ids: set[str] = set()
    if previous_board_runs is not None and not previous_board_runs.empty:
        latest = previous_board_runs.sort_values("started_at").drop_duplicates("board", keep="last")
        for board, ids in zip(latest["board"], latest["submissions_used"], strict=True):
            if board not in running:
                kept_ids |= set(ids)
    return [
        s
        for s in used
        if (owner := boards.covering(s.cover.get("area_code"), s.cover["period_end"])) is not None
        and (owner.slug in running or s.submission_id in kept_ids)
    ]


def board_outcome(
    board: Board,
    used: list[Submission],
    rejected: list[Submission],
    quarter: Quarter,
    boards: Boards,
    names: Mapping[str, str],
) -> BoardOutcome:
    """One board's outcome: complete, incomplete (returns missing or files rejected) or
    'no returns' for the quarter; a partnership's missing returns name their area by `names`
    (`area_names`) and ONS code."""
    has_returns = any(s.cover["period_end"] == quarter.end for s in for_board(used, board))
    missing = missing_returns(used, quarter, board, names)
    its_rejected = sorted(
        s.submission_id for s in rejected if rejected_against(s, board, boards, quarter)
    )
    if not has_returns:
        outcome = "no returns"
    else:
        outcome = "incomplete" if missing or its_rejected else "complete"
    return BoardOutcome(board, outcome, missing, its_rejected, has_returns)


def last_used_withdrawn(
    board: Board, previous_board_runs: pd.DataFrame | None, withdrawn: frozenset[str]
) -> tuple[str, ...]:
    """The `withdrawn` submissions among those the board's last run used (its figures in the
    warehouse, and perhaps its published edition, still hold them)."""
    last = last_board_run(previous_board_runs, board.slug)
    if last is None or not withdrawn:
        return ()
    return tuple(sorted(set(last["submissions_used"]) & withdrawn))


def withdrawal_edition(
    outcome: BoardOutcome,
    previous_board_runs: pd.DataFrame | None,
    used: list[Submission],
    rejected: list[Submission],
    boards: Boards,
    names: Mapping[str, str],
) -> BoardOutcome:
    """`outcome`, for a board whose figures drop a withdrawn submission in a run without returns
    for its quarter: the board's current edition published again for its own quarter, without
    them. Withdrawn figures must not stay published once the warehouse has dropped them, even
    where the edition becomes incomplete."""
    if outcome.has_returns or not outcome.withdrawn:
        return outcome
    current = last_board_run(previous_board_runs, outcome.board.slug, published=True)
    if current is None:
        return outcome
    quarter = parse_quarter(str(current["period"]))
    again = board_outcome(outcome.board, used, rejected, quarter, boards, names)
    return replace(again, withdrawn=outcome.withdrawn, republishes=quarter)


def kept_edition(
    outcome: BoardOutcome,
    previous_board_runs: pd.DataFrame | None,
    publish_incomplete: bool,
    withdrawn: frozenset[str] = frozenset(),
    quarter: Quarter | None = None,
) -> BoardOutcome:
    """`outcome`, its board's current edition kept when the new one would be worse: a run never
    replaces the last good published edition with an incomplete one (one early return must not
    turn a complete quarter into an almost empty one) unless told to, nor an edition of a later
    quarter than the run's `quarter` with an older one. An edition built on a `withdrawn`
    submission is not good: the new one replaces it."""
    if not outcome.has_returns:
        return outcome
    current = last_board_run(previous_board_runs, outcome.board.slug, published=True)
    if current is None:
        return outcome
    # Keeping it would leave figures published that the board has taken back.
    used = current.get("submissions_used")
    if used is not None and withdrawn & set(used):
        return outcome
    later = quarter is not None and parse_quarter(str(current["period"])) > quarter
    worse = (
        outcome.outcome != "complete"
        and current["outcome"] == "complete"
        and not publish_incomplete
    )
    return replace(outcome, kept=str(current["period"])) if later or worse else outcome


def last_board_run(
    previous_board_runs: pd.DataFrame | None, slug: str, published: bool = False
) -> pd.Series | None:
    """The board's latest row of audit.board_runs (of those that published an edition, with
    `published`), or None before any."""
    if previous_board_runs is None or previous_board_runs.empty:
        return None
    runs = previous_board_runs[previous_board_runs["board"].eq(slug)]
    if published:
        runs = runs[runs["published"].eq(True)]  # empty where an older warehouse did not say
    return None if runs.empty else runs.sort_values("started_at").iloc[-1]


def counts_in_run(submission: Submission, run_started: datetime) -> bool:
    """True when a rejected file can count against a board's quarter in the run that began at
    `run_started` (naive UTC): always where its cover names its quarter; otherwise only in the
    run that received it, so that an unreadable file left in the folder does not hold back
    every board's quarters for as long as it stays (it stays named in every run's summary)."""
    return submission.cover.get("period_end") is not None or submission.received_at >= run_started


def rejected_against(
    submission: Submission, board: Board, boards: Boards, quarter: Quarter
) -> bool:
    """True when a rejected file counts against `board` in `quarter`: its cover names an area
    the board covers in the quarter or, naming no area a board covers, one of the board's
    agencies; a cover that names another quarter is that quarter's. A file that names neither
    counts against every board, since none can say it was not theirs. A file for an authority
    no board covers in its quarter (BRD-001: a removed board's, or another hub's) is nobody's:
    it is listed, but holds back no board's quarter, whichever agency sent it."""
    period_end = submission.cover.get("period_end")
    if period_end is not None and period_end != quarter.end:
        return False
    if any(f.code == AREA_NOT_COVERED.code for f in submission.failures):
        return False
    owner = boards.covering(submission.cover.get("area_code"), quarter.end)
    if owner is None:
        agency = submission.cover.get("agency_code")
        owner = next((b for b in boards.by_slug.values() if agency in b.agencies), None)
    return owner in (board, None)


def board_runs_table(
    run_id: str,
    quarter: Quarter,
    outcomes: list[BoardOutcome],
    used: list[Submission],
    previous: pd.DataFrame | None,
) -> pd.DataFrame:
    """audit.board_runs: one row per board per run, the earlier rows kept."""
    now = datetime.now(UTC).replace(tzinfo=None)
    current = pd.DataFrame(
        [
            {
                "run_id": run_id,
                "board": o.board.slug,
                "period": o.edition_quarter(quarter).label,
                "started_at": now,
                "outcome": o.outcome,
                "submissions_used": sorted(s.submission_id for s in for_board(used, o.board)),
                "submissions_rejected": o.rejected,
                "missing_returns": o.missing,
                "published": o.publishes,
            }
            for o in outcomes
        ],
        columns=BOARD_RUN_COLUMNS,
    )
    if previous is None or previous.empty:
        return current
    return pd.concat([previous, current], ignore_index=True)


BOARD_RUN_COLUMNS = (
    "run_id",
    "board",
    "period",
    "started_at",
    "outcome",
    "submissions_used",
    "submissions_rejected",
    "missing_returns",
    "published",
)


def boards_table(boards: Boards) -> pd.DataFrame:
    """reference.boards: each board's slug, name and the areas it covers, one row per area,
    with the first and last day it covers it where its profile dates them."""
    return pd.DataFrame(
        [
            {
                "board": board.slug,
                "board_name": board.name,
                "area_code": area,
                "covered_from": first.start if first else None,
                "covered_until": last.end if last else None,
            }
            for board in boards.by_slug.values()
            for area in board.areas
            for first, last in [board.span(area)]
        ],
        columns=["board", "board_name", "area_code", "covered_from", "covered_until"],
    )


LOCAL_TARGET_COLUMNS = ("board", "area_code", "target", "value", "in_force_from", "in_force_until")


def local_targets_table(boards: Boards) -> pd.DataFrame:
    """reference.local_targets: each board's local targets in each area it covers, one row per
    value with the first and last day it is in force there (None: since before the board's
    first quarter, or still in force), within the days the board covers the area."""
    rows = [
        (board.slug, area, target, value, since, until)
        for board in boards.by_slug.values()
        for area in board.areas
        for target in board.local_targets
        for value, since, until in days_in_force(
            board.target_changes(target, area), board.first_day(area), board.last_day(area)
        )
    ]
    return pd.DataFrame(rows, columns=list(LOCAL_TARGET_COLUMNS)).astype({"value": "Int64"})


def days_in_force(
    changes: tuple[tuple[Quarter, int], ...], first: date, last: date
) -> list[tuple[int, date | None, date | None]]:
    """Each value of `changes` (first quarter, value; the first value holds from before any
    quarter) with its first and last day in force between `first` and `last` (None: open-ended,
    `date.min` or `date.max`); a value replaced before `first`, or set after `last`, has none."""
    starts = [date.min, *(quarter.start for quarter, _ in changes[1:])]
    ends = [*(start - timedelta(days=1) for start in starts[1:]), date.max]
    spans = []
    for (_, value), start, end in zip(changes, starts, ends, strict=True):
        since, until = max(start, first), min(end, last)
        if since <= until:
            spans.append(
                (value, None if since == date.min else since, None if until == date.max else until)
            )
    return spans


def check_run(plan: RunPlan, docs_dir: Path) -> tuple[QualityResult, QualityDocs]:
    """The great_expectations checkpoint over the run's new curated relations and accounting,
    before anything is committed; its pages for `docs_dir`, written on request."""
    from lscb_metrics.quality import COMPARISONS, RUNS, VALUES, check_frames, run_accounting

    frames = {
        VALUES: plan.relations[VALUES],
        COMPARISONS: plan.relations[COMPARISONS],
        RUNS: run_accounting(
            plan.run_record, plan.relations["audit.submissions"], plan.relations[BOARD_RUNS]
        ),
    }
    return check_frames(frames, plan.catalogue, docs_dir)


def staged_commit(settings: Settings, plan: RunPlan) -> AbstractContextManager[warehouse.StagedRun]:
    """The plan's relations being written into the warehouse in a transaction that `commit_run`
    completes or abandons: begun before the quality checkpoint, whose seconds of Python it
    overlaps (`warehouse.staged_run`); rolled back unless committed."""
    return warehouse.staged_run(
        settings.warehouse,
        plan.relations,
        warehouse.relation_descriptions(settings.warehouse_declaration),
        declared_layout(settings.warehouse_declaration),
    )


def commit_run(
    settings: Settings, plan: RunPlan, quality: QualityResult, staged: warehouse.StagedRun
) -> RunSummary:
    """Commit every relation `staged` holds and the run record in one transaction, or, where
    error-level quality checks failed, roll them back, record the run as failed and leave
    everything else as it was."""
    record = {
        **plan.run_record,
        "finished_at": datetime.now(UTC).replace(tzinfo=None),
        "quality_passed": quality.success,
        "quality_failures": quality.failed,
    }
    plan.summary.quality = quality
    if quality.errors:
        staged.rollback()
        layout = declared_layout(settings.warehouse_declaration)
        warehouse.record_run(settings.warehouse, {**record, "outcome": "failed"}, layout)
        reasons = "\n".join(f"  - {line}" for line in quality.errors)
        raise PublicationBlocked(
            f"{plan.summary.quarter.label}: not published, because the new figures failed "
            f"error-level quality checks:\n{reasons}\nThe warehouse's figures and "
            f"{settings.curated_dir} are as they were; the run is recorded as failed in "
            "audit.runs."
        )
    staged.commit(record)
    return plan.summary


def first_return_quarters(
    connection: duckdb.DuckDBPyConnection, board: Board, quarter: Quarter
) -> dict[str, Quarter]:
    """The first quarter of the partner returns of each of the board's areas in `quarter` (by
    ONS code; none where it has none), whoever sent them, from the warehouse's relations (or
    the run's, `run_relations`): its scorecard and workbook take it so
    (`first_return_quarter`), and a partnership that took an area over with its history has
    that history's 12-month figures from its first quarter."""
    from lscb_metrics.publish.figures import authority_codes, first_return_quarter

    firsts = {}
    for area in board.areas_on(quarter.end):
        covered = [code for code in authority_codes(connection, area) if code in board.areas]
        first = first_return_quarter(connection, covered, quarter.end)
        if first is not None:
            firsts[area] = first
    return firsts


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
