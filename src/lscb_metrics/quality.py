"""Data-quality checkpoint over the curated warehouse, with great_expectations (GX 1.x).

One Expectation Suite per relation, built from the indicator catalogue, and one Checkpoint that
validates them all; its Data Docs site is written on request (`QualityDocs`). Each expectation
has a severity in its meta: a run whose new curated relations fail an `error` expectation is not
committed or published (`check_frames` runs before the warehouse transaction); `warning`
failures are recorded on the run. GX is imported inside the functions only: it takes seconds to
import and the command line's fast paths must not pay for it.
"""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from html import escape
from itertools import groupby
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd

from lscb_metrics import warehouse as warehouse_db
from lscb_metrics.catalogue import Indicator, load_catalogue
from lscb_metrics.errors import without_quoted_text
from lscb_metrics.facts import GEOGRAPHIC_LEVELS

if TYPE_CHECKING:
    from great_expectations import Checkpoint
    from great_expectations.core.expectation_validation_result import (
        ExpectationSuiteValidationResult,
        ExpectationValidationResult,
    )
    from great_expectations.core.run_identifier import RunIdentifier
    from great_expectations.data_context import EphemeralDataContext
    from great_expectations.expectations import Expectation

KEY = ["indicator_id", "area_code", "breakdown", "period_end", "source_type"]
LOCAL_AUTHORITY = "Local authority"
SOURCE_TYPES = ["published", "partner_return"]
QUARTILE_BANDS = ["A", "B", "C", "D"]
RUN_OUTCOMES = ["complete", "incomplete"]
VALUES = "curated.indicator_values"
COMPARISONS = "curated.comparisons"
RUNS = "audit.runs"
DOCS_SITE = "quality"
SUMMARY_FILE = "summary.html"
# The latest run, how many missing returns it names and rejected submissions its boards count
# against their quarters (not those for other quarters or since corrected), and how many
# submissions it saw and rejected without naming them: one row, none before any run. (Files
# rejected by earlier runs and since taken away stay on record, last seen by those runs.)
RUN_ACCOUNTING = """
SELECT run_id, period, started_at, outcome,
       len(coalesce(missing_returns, []::VARCHAR[]))
         + (SELECT count(DISTINCT rejected)
            FROM (SELECT unnest(b.submissions_rejected) AS rejected
                  FROM audit.board_runs AS b WHERE b.run_id = r.run_id)) AS reasons_given,
       (SELECT count(*) FROM audit.submissions AS s
         WHERE s.status = 'rejected' AND s.last_seen_run = r.run_id
           AND NOT list_contains(coalesce(r.submissions_rejected, []::VARCHAR[]), s.submission_id)
       ) AS unflagged_rejections
FROM audit.runs AS r
ORDER BY started_at DESC, run_id
LIMIT 1
"""
# Enough failing rows to name the indicators at fault without bloating the Data Docs pages.
RESULT_FORMAT = {"result_format": "SUMMARY", "partial_unexpected_count": 20}


ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True)
class QualityResult:
    """Outcome of the quality checkpoint: what failed, in plain English, and the Data Docs.

    `errors` block a publication; `failed` lists every failure, errors and warnings alike."""

    success: bool
    failed: list[str]
    errors: list[str]


class QualityDocs:
    """The checkpoint's pages, written on request: GX's Data Docs (from the validation results
    its context keeps) and `summary.html`. Only a published run shows them, and GX takes half
    a second to render them, which a run spends while its editions are written rather than
    between its checks and its commit."""

    def __init__(
        self, context: EphemeralDataContext, folder: Path, summary: str, identifiers: list[Any]
    ) -> None:
        self.context = context
        self.folder = folder
        self.summary = summary
        self.identifiers = identifiers

    def write(self) -> Path:
        """Write the pages into the folder the checkpoint was given; that folder."""
        with quiet_gx():
            self.context.build_data_docs(
                site_names=[DOCS_SITE], resource_identifiers=self.identifiers
            )
        self.folder.mkdir(parents=True, exist_ok=True)
        (self.folder / SUMMARY_FILE).write_text(self.summary, encoding="utf-8")
        return self.folder


def run_quality_checkpoint(warehouse: Path, catalogue_path: Path, docs_dir: Path) -> QualityResult:
    """Validate the warehouse's curated relations and latest run; write the pages in `docs_dir`."""
    result, docs = check_frames(
        warehouse_frames(warehouse), load_catalogue(catalogue_path), docs_dir
    )
    docs.write()
    return result


def check_frames(
    frames: dict[str, pd.DataFrame], catalogue: tuple[Indicator, ...], docs_dir: Path
) -> tuple[QualityResult, QualityDocs]:
    """Validate curated values, comparisons and the run's accounting (`frames`, keyed like
    `warehouse_frames`) with every suite; the result, and its pages for `docs_dir`, written on
    request."""
    from great_expectations.data_context.types.resource_identifiers import (
        ExpectationSuiteIdentifier,
    )

    with quiet_gx(), tempfile.TemporaryDirectory(prefix="lscb-quality-") as staging:
        context = gx_context(docs_dir)
        checkpoint = quality_checkpoint(context, frames, catalogue, Path(staging))
        result = checkpoint.run(run_id=run_identifier(frames[RUNS]))
    described = [
        (severity, line)
        for suite_result in result.run_results.values()
        for severity, line in failure_descriptions(suite_result, frames[suite_result.suite_name])
    ]
    failed = sorted(line for _, line in described)
    errors = sorted(line for severity, line in described if severity == ERROR)
    checks = [
        (suite_result.suite_name, check.expectation_config.description, bool(check.success))
        for suite_result in result.run_results.values()
        for check in suite_result.results
    ]
    # The pages of each validation result and of its suite, as GX's UpdateDataDocsAction asks.
    identifiers = [
        identifier
        for result_identifier, suite_result in result.run_results.items()
        for identifier in (
            result_identifier,
            ExpectationSuiteIdentifier(name=suite_result.suite_name),
        )
    ]
    return (
        QualityResult(success=not errors, failed=failed, errors=errors),
        QualityDocs(context, docs_dir, summary_html(checks, failed), identifiers),
    )


def summary_html(checks: list[tuple[str, str, bool]], failed: list[str]) -> str:
    """A self-contained page of every expectation and whether it held, readable offline (GX's
    own Data Docs load their styles and tables from the web)."""
    rows = "".join(
        f"<tr><td>{escape(suite)}</td><td>{escape(description)}</td>"
        f"<td>{'passed' if passed else '<strong>FAILED</strong>'}</td></tr>\n"
        for suite, description, passed in sorted(checks)
    )
    problems = "".join(f"<li>{escape(line)}</li>" for line in failed) or "<li>none</li>"
    verdict = "passed" if not failed else "FAILED"
    return (
        '<!DOCTYPE html>\n<html lang="en-GB">\n<head>\n<meta charset="utf-8">\n'
        "<title>Warehouse quality checkpoint</title>\n<style>body{font-family:system-ui,"
        "sans-serif;margin:2em}table{border-collapse:collapse}td,th{border:1px solid #999;"
        "padding:.3em .6em;text-align:left}</style>\n</head>\n<body>\n"
        f"<h1>Warehouse quality checkpoint: {verdict}</h1>\n<h2>Problems</h2>\n<ul>{problems}</ul>"
        '\n<h2>Every check</h2>\n<table>\n<thead><tr><th scope="col">Relation</th>'
        '<th scope="col">Expectation</th><th scope="col">Result</th></tr></thead>\n'
        f"<tbody>\n{rows}</tbody>\n</table>\n"
        "<p>Full detail: the great_expectations Data Docs in index.html (needs its web assets).</p>"
        "\n</body>\n</html>\n"
    )


def run_accounting(
    run_record: dict[str, Any], submissions: pd.DataFrame, board_runs: pd.DataFrame
) -> pd.DataFrame:
    """The run's row as RUN_ACCOUNTING gives it for a committed run, from the run record and
    audit.submissions and audit.board_runs not yet committed."""
    rejected = set(run_record["submissions_rejected"])
    counted = {
        submission_id
        for named in board_runs.loc[board_runs["run_id"].eq(run_record["run_id"])][
            "submissions_rejected"
        ]
        for submission_id in named
    }
    unflagged = submissions[
        submissions["status"].eq("rejected")
        & submissions["last_seen_run"].eq(run_record["run_id"])
        & ~submissions["submission_id"].isin(rejected)
    ]
    return pd.DataFrame(
        [
            {
                "run_id": run_record["run_id"],
                "period": run_record["period"],
                "started_at": pd.Timestamp(run_record["started_at"]),
                "outcome": run_record["outcome"],
                "reasons_given": len(run_record["missing_returns"]) + len(counted),
                "unflagged_rejections": len(unflagged),
            }
        ]
    )


def warehouse_frames(warehouse: Path) -> dict[str, pd.DataFrame]:
    """The frames the checkpoint validates, read from the warehouse opened read-only."""
    connection = warehouse_db.connect(warehouse, read_only=True)
    try:
        return {
            VALUES: connection.execute(f"SELECT * FROM {VALUES}").df(),
            COMPARISONS: connection.execute(f"SELECT * FROM {COMPARISONS}").df(),
            RUNS: connection.execute(RUN_ACCOUNTING).df(),
        }
    finally:
        connection.close()


@contextmanager
def quiet_gx() -> Iterator[None]:
    """GX's loggers silenced below ERROR for the duration (its INFO/WARNING chatter is noise
    in a scheduled run; failures are reported through the result instead)."""
    gx_logger = logging.getLogger("great_expectations")
    level = gx_logger.level
    gx_logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        gx_logger.setLevel(level)


def gx_context(docs_dir: Path) -> EphemeralDataContext:
    """An in-memory GX context with one Data Docs site in `docs_dir`, offline and quiet."""
    import great_expectations as gx
    from great_expectations.data_context.types.base import (
        DataContextConfig,
        InMemoryStoreBackendDefaults,
        ProgressBarsConfig,
    )

    config = DataContextConfig(
        store_backend_defaults=InMemoryStoreBackendDefaults(init_temp_docs_sites=False),
        analytics_enabled=False,
        progress_bars=ProgressBarsConfig(globally=False),
        data_docs_sites={
            DOCS_SITE: {
                "class_name": "SiteBuilder",
                # The how-to buttons link GX's online documentation; the site is for the board.
                "show_how_to_buttons": False,
                "store_backend": {
                    "class_name": "TupleFilesystemStoreBackend",
                    "base_directory": str(docs_dir.resolve()),
                },
                "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
            }
        },
    )
    return gx.get_context(mode="ephemeral", project_config=config)


def quality_checkpoint(
    context: EphemeralDataContext,
    frames: dict[str, pd.DataFrame],
    catalogue: tuple[Indicator, ...],
    staging: Path,
) -> Checkpoint:
    """A Checkpoint validating each frame against its suite (its Data Docs: `QualityDocs`)."""
    import great_expectations as gx

    suites = {
        VALUES: indicator_values_suite(catalogue),
        COMPARISONS: comparisons_suite(catalogue),
        RUNS: runs_suite(),
    }
    # A Checkpoint hands the same batch parameters to every Validation Definition, so in-memory
    # dataframe assets would all see one frame: each frame is staged as its own Parquet asset.
    source = context.data_sources.add_pandas("warehouse")
    definitions = []
    for name, expectations in suites.items():
        path = staging / f"{name}.parquet"
        # Uncompressed: written and read back at once, so compressing it is time thrown away.
        gx_batch(frames[name], expectations).to_parquet(path, index=False, compression=None)
        batch = source.add_parquet_asset(name, path=path).add_batch_definition_whole_dataframe(name)
        suite = context.suites.add(gx.ExpectationSuite(name=name, expectations=expectations))
        definitions.append(
            context.validation_definitions.add(
                gx.ValidationDefinition(name=name, data=batch, suite=suite)
            )
        )
    return context.checkpoints.add(
        gx.Checkpoint(
            name="lscb_quality",
            validation_definitions=definitions,
            result_format=RESULT_FORMAT,
        )
    )


def gx_batch(frame: pd.DataFrame, expectations: list[Expectation]) -> pd.DataFrame:
    """`frame` as GX validates it: only the columns `expectations` read, in the frame's order.
    GX copies every column of a frame each time it filters its rows for a condition, and
    fingerprints a batch holding lists (the lineage columns, which no expectation reads) by
    pickling the whole frame (0.6 s a run) rather than by hashing its rows."""
    read = columns_read(expectations)
    if not read:  # a condition as text, or only table-level expectations
        return frame.drop(columns=list(warehouse_db.LIST_COLUMNS), errors="ignore")
    return frame[[column for column in frame.columns if column in read]]


def columns_read(expectations: list[Expectation]) -> set[str] | None:
    """The columns `expectations` read, as their column arguments and row conditions name them;
    None where a condition is GX's free text, whose columns cannot be told."""
    read: set[str] = set()
    for expectation in expectations:
        for argument in ("column", "column_A", "column_B"):
            if name := getattr(expectation, argument, None):
                read.add(name)
        read.update(getattr(expectation, "column_list", None) or ())
        condition = getattr(expectation, "row_condition", None)
        if condition is None:
            continue
        named = condition_columns(condition)
        if named is None:
            return None
        read |= named
    return read


def condition_columns(condition: object) -> set[str] | None:
    """The columns a GX row condition names (its parts' for an AND or OR); None for one given
    as text."""
    from great_expectations.expectations.row_conditions import (
        AndCondition,
        ComparisonCondition,
        NullityCondition,
        OrCondition,
    )

    if isinstance(condition, ComparisonCondition | NullityCondition):
        return {condition.column.name}
    if isinstance(condition, AndCondition | OrCondition):
        parts = [condition_columns(part) for part in condition.conditions]
        if any(part is None for part in parts):
            return None
        return set().union(*parts)
    return None


def indicator_values_suite(catalogue: tuple[Indicator, ...]) -> list[Expectation]:
    """Expectations for curated.indicator_values, value ranges taken from the catalogue."""
    import great_expectations.expectations as gxe

    return [
        key_unique_expectation(),
        gxe.ExpectColumnValuesToBeInSet(
            column="indicator_id",
            value_set=[i.id for i in catalogue],
            description="indicator_id is a catalogued indicator",
            meta={"failing": "not catalogued", "name_by": "indicator_id"},
        ),
        *value_range_expectations(catalogue),
        at_least("value", "lower_ci95", "lower_ci95 at most value", "with lower_ci95 above value"),
        at_least("upper_ci95", "value", "upper_ci95 at least value", "with upper_ci95 below value"),
        at_least(
            "period_end",
            "period_start",
            "period_start on or before period_end",
            "with period_start after period_end",
            skip_missing=False,
        ),
        gxe.ExpectColumnValuesToBeInSet(
            column="geographic_level",
            value_set=list(GEOGRAPHIC_LEVELS),
            description=f"geographic_level one of {', '.join(GEOGRAPHIC_LEVELS)}",
            meta={"failing": "at another level", "name_by": "geographic_level"},
        ),
        gxe.ExpectColumnValuesToBeInSet(
            column="source_type",
            value_set=SOURCE_TYPES,
            description=f"source_type one of {', '.join(SOURCE_TYPES)}",
            meta={"failing": "of another source type", "name_by": "source_type"},
        ),
    ]


def at_least(
    column_a: str, column_b: str, description: str, failing: str, *, skip_missing: bool = True
) -> Expectation:
    """Expect `column_a` >= `column_b` on every row (rows missing either value are skipped, or
    with skip_missing=False only rows missing both, GX's default); failing rows are named by
    their indicator."""
    import great_expectations.expectations as gxe

    return gxe.ExpectColumnPairValuesAToBeGreaterThanB(
        column_A=column_a,
        column_B=column_b,
        or_equal=True,
        ignore_row_if="either_value_is_missing" if skip_missing else "both_values_are_missing",
        description=description,
        meta={"failing": failing, "name_by": "indicator_id"},
    )


def value_range_expectations(catalogue: tuple[Indicator, ...]) -> list[Expectation]:
    """One range expectation per catalogue unit and multiplier: counts at least 0, percentages
    and rates per N between 0 and N."""
    import great_expectations.expectations as gxe
    from great_expectations.expectations.row_conditions import Column

    def unit_of(indicator: Indicator) -> tuple[str, int]:
        return indicator.unit, indicator.multiplier

    expectations = []
    for (unit, multiplier), group in groupby(sorted(catalogue, key=unit_of), key=unit_of):
        upper = None if multiplier == 1 else multiplier
        bounds = "at least 0" if upper is None else f"between 0 and {upper}"
        expectations.append(
            gxe.ExpectColumnValuesToBeBetween(
                column="value",
                min_value=0,
                max_value=upper,
                row_condition=Column("indicator_id").is_in(i.id for i in group),
                description=f"value of {unit} indicators {bounds}",
                meta={"failing": "outside", "name_by": "indicator_id"},
            )
        )
    return expectations


def comparisons_suite(catalogue: tuple[Indicator, ...]) -> list[Expectation]:
    """Expectations for curated.comparisons: keys, England comparators, ranks and bands."""
    import great_expectations.expectations as gxe
    from great_expectations.expectations.row_conditions import Column

    compared_with_england = [i.id for i in catalogue if "england" in i.comparators]
    # Only LA rows with a value need England beside them: where a published series has a gap
    # (road_ksi_rate 2019-21) England and every LA are blank alike and nothing is compared.
    needs_england = (
        (Column("geographic_level") == LOCAL_AUTHORITY)
        & Column("indicator_id").is_in(compared_with_england)
        & Column("comparator_period_end").is_not_null()
        & Column("value").is_not_null()
    )
    return [
        key_unique_expectation(),
        gxe.ExpectColumnValuesToNotBeNull(
            column="england_value",
            row_condition=needs_england,
            description=(
                "england_value present for every local authority value of an indicator "
                "compared with England"
            ),
            # A gap in England's published series is worth a look, not a reason to withhold.
            meta={
                "failing": "without an England value",
                "name_by": "indicator_id",
                "severity": WARNING,
            },
        ),
        gxe.ExpectColumnValuesToBeBetween(
            column="rank",
            min_value=1,
            description="rank at least 1",
            meta={"failing": "ranked below 1", "name_by": "indicator_id"},
        ),
        at_least("rank_of", "rank", "rank at most rank_of", "ranked beyond rank_of"),
        gxe.ExpectColumnValuesToBeInSet(
            column="quartile_band",
            value_set=QUARTILE_BANDS,
            description="quartile_band A to D where set",
            meta={"failing": "in another band", "name_by": "quartile_band"},
        ),
    ]


def runs_suite() -> list[Expectation]:
    """Expectations that every expected return of the latest run is present or flagged."""
    import great_expectations.expectations as gxe
    from great_expectations.expectations.row_conditions import Column

    return [
        gxe.ExpectTableRowCountToEqual(
            value=1, description="the latest run is recorded", meta={"noun": "run"}
        ),
        gxe.ExpectColumnValuesToBeInSet(
            column="outcome",
            value_set=RUN_OUTCOMES,
            description="latest run's outcome complete or incomplete",
            meta={"noun": "run", "failing": "with another outcome", "name_by": "outcome"},
        ),
        gxe.ExpectColumnValuesToBeBetween(
            column="reasons_given",
            min_value=1,
            row_condition=Column("outcome") == "incomplete",
            description=(
                "an incomplete run names its missing returns or the rejected submissions its "
                "boards count"
            ),
            meta={"noun": "run", "failing": "naming none", "name_by": "period"},
        ),
        gxe.ExpectColumnValuesToBeBetween(
            column="reasons_given",
            max_value=0,
            row_condition=Column("outcome") == "complete",
            description=(
                "a complete run names no missing returns, and its boards count no rejected "
                "submission"
            ),
            meta={"noun": "run", "failing": "naming some", "name_by": "period"},
        ),
        gxe.ExpectColumnValuesToBeBetween(
            column="unflagged_rejections",
            max_value=0,
            description=(
                "every submission rejected in audit.submissions is named in submissions_rejected"
            ),
            meta={"noun": "run", "failing": "leaving some out", "name_by": "period"},
        ),
    ]


def key_unique_expectation() -> Expectation:
    """No two rows share (indicator_id, area_code, breakdown, period_end, source_type)."""
    import great_expectations.expectations as gxe

    return gxe.ExpectCompoundColumnsToBeUnique(
        column_list=KEY,
        description=f"no duplicate keys ({', '.join(KEY)})",
        meta={"failing": "sharing a key", "name_by": "indicator_id"},
    )


def run_identifier(runs: pd.DataFrame) -> RunIdentifier:
    """The GX run id naming the pipeline run checked (its period, id and start), so the Data Docs
    say which run they describe and re-checking the same warehouse gives the same pages."""
    from great_expectations.core.run_identifier import RunIdentifier

    if runs.empty:
        return RunIdentifier(run_name="no-run-recorded")
    latest = runs.iloc[0]
    return RunIdentifier(
        run_name=f"{latest['period'].replace(' ', '-')}_{latest['run_id']}",
        run_time=latest["started_at"].to_pydatetime(),
    )


def failure_descriptions(
    suite_result: ExpectationSuiteValidationResult, frame: pd.DataFrame
) -> list[tuple[str, str]]:
    """(severity, one plain-English line) per failed expectation of a suite."""
    return [
        (
            result.expectation_config.meta.get("severity", ERROR),
            f"{suite_result.suite_name}: {result.expectation_config.description} — "
            f"{failure_detail(result, frame)}",
        )
        for result in suite_result.results
        if not result.success
    ]


def failure_detail(result: ExpectationValidationResult, frame: pd.DataFrame) -> str:
    """How an expectation failed: the rows at fault (and what they are), or what was found."""
    meta = result.expectation_config.meta
    noun = meta.get("noun", "row")
    raised = raised_messages(result.exception_info or {})
    if raised:
        return f"could not be checked: {'; '.join(raised)}"
    outcome = result.result
    if "unexpected_count" not in outcome:
        return f"found {counted(outcome['observed_value'], noun)}"
    count = outcome["unexpected_count"]
    names = failing_names(outcome, frame[meta["name_by"]], count)
    return f"{counted(count, noun)} {meta['failing']} ({names})"


def raised_messages(exception_info: dict[str, Any]) -> list[str]:
    """Messages of the errors GX caught while checking (its info is flat or keyed by metric),
    without the values they quote: a run's lines reach its log, the Prefect server and the
    "not published" error, and a value of the audit relations can be a file's name."""
    entries = [exception_info] if "raised_exception" in exception_info else exception_info.values()
    return sorted(
        {without_quoted_text(e["exception_message"]) for e in entries if e.get("raised_exception")}
    )


def counted(count: int, noun: str) -> str:
    """'1 row', '3 rows'."""
    return f"{count} {noun}{'' if count == 1 else 's'}"


def failing_names(outcome: dict[str, Any], names: pd.Series, count: int) -> str:
    """What the failing rows GX reports are (their indicator, say); ', …' when it reports only
    some of them."""
    # GX reads each frame back from Parquet with a fresh RangeIndex: its row labels are positions.
    rows = outcome.get("partial_unexpected_index_list") or []
    found = sorted({str(names.iloc[row]) for row in rows})
    return ", ".join(found) + (", …" if count > len(rows) else "")
