"""Plain-text and markdown summaries of a run, for the command line and the Prefect UI."""

from __future__ import annotations

import math
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from lscb_metrics.config import shown_path
from lscb_metrics.intake.rules import markdown_safe
from lscb_metrics.periods import first_figures_note, parse_quarter
from lscb_metrics.publish.figures import compared_years
from lscb_metrics.quality import counted
from lscb_metrics.reference.areas import area_label
from lscb_metrics.returns.report import REPORT_HTML
from lscb_metrics.revisions import revision_message
from lscb_metrics.stats import round_half_away_from_zero

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    from lscb_metrics.boards import Board
    from lscb_metrics.pipeline import BoardOutcome, RemovedBoard, RunSummary
    from lscb_metrics.submissions import Submission


def formatted(value: float, decimals: int) -> str:
    """`value` rounded for publication (halves away from zero), or '-' when missing."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    return f"{round_half_away_from_zero(float(value), decimals):,.{decimals}f}"


def headline_rows(summary: RunSummary, board: Board) -> pd.DataFrame:
    """The board's own figures for the run's quarter, by area, beside England and its
    neighbours."""
    own = own_comparisons(summary, board)
    decimals = summary.values.drop_duplicates("indicator_id").set_index("indicator_id")["decimals"]
    return pd.DataFrame(
        {
            "indicator": own["indicator_id"],
            "area": own["area_name"],
            "breakdown": own["breakdown"],
            "value": [
                formatted(v, int(decimals[i]))
                for v, i in zip(own["value"], own["indicator_id"], strict=True)
            ],
            "england": [
                formatted(v, int(decimals[i]))
                for v, i in zip(own["england_value"], own["indicator_id"], strict=True)
            ],
            "neighbours": [
                formatted(v, int(decimals[i]))
                for v, i in zip(own["sn_average"], own["indicator_id"], strict=True)
            ],
        }
    )


def own_comparisons(summary: RunSummary, board: Board) -> pd.DataFrame:
    """The comparisons of the board's own figures (partner returns) for the run's quarter."""
    compared = summary.comparisons
    return compared[
        (compared["source_type"] == "partner_return")
        & (compared["period_end"] == summary.quarter.end)
        & compared["area_code"].isin(board.areas)
    ]


def comparator_years(compared: pd.DataFrame) -> str:
    """The periods ('2024-25') of the published figures that `compared` rows are compared with,
    joined by 'and'; '' where none is compared."""
    return " and ".join(sorted(compared_years(compared)))


def returns_rows(summary: RunSummary, board: Board) -> list[dict[str, object]]:
    """One row per file the run considered for the board's areas (or for no known board):
    what it says it is and what became of it."""
    others = {code for o in summary.boards if o.board != board for code in o.board.areas}
    return [
        {
            "file": s.file_path,
            "return": s.cover.get("return_type"),
            "agency": s.cover.get("agency_code"),
            "period_end": str(s.cover.get("period_end") or ""),
            "status": s.status,
            "errors": s.error_count,
        }
        for s in sorted(summary.submissions, key=lambda s: s.file_path)
        if s.cover.get("area_code") not in others
    ]


def biggest_changes(summary: RunSummary, board: Board, count: int = 5) -> pd.DataFrame:
    """The board's rates and percentages that moved most (in %) on the year before."""
    compared = summary.comparisons
    counts = set(summary.values.loc[summary.values["unit"] == "count", "indicator_id"])
    own = compared[
        (compared["source_type"] == "partner_return")
        & (compared["period_end"] == summary.quarter.end)
        & compared["area_code"].isin(board.areas)
        & compared["change_pct"].notna()
        & ~compared["indicator_id"].isin(counts)
    ]
    order = own["change_pct"].abs().sort_values(ascending=False).index
    return own.loc[
        order[:count],
        ["indicator_id", "area_name", "breakdown", "previous_value", "value", "change_pct"],
    ]


def submission_counts(submissions: Iterable[Submission]) -> dict[str, int]:
    """Number of `submissions` by status."""
    counts: dict[str, int] = {}
    for submission in submissions:
        counts[submission.status] = counts.get(submission.status, 0) + 1
    return counts


def quarter_submissions(summary: RunSummary) -> list[Submission]:
    """The run's submissions whose cover names the run's quarter."""
    return [s for s in summary.submissions if s.cover.get("period_end") == summary.quarter.end]


#: How the run summary words a submission status that is not a plain word.
STATUS_WORDS = {"not_in_run": "for a later quarter"}


def returns_line(summary: RunSummary) -> str:
    """The returns a run found (every quarter's: the returns folder and the store hold them
    all), then the run's quarter's, by status."""

    def by_status(submissions: Iterable[Submission]) -> str:
        counts = submission_counts(submissions)
        return ", ".join(
            f"{n} {STATUS_WORDS.get(status, status)}" for status, n in sorted(counts.items())
        )

    if not summary.submissions:
        return "Returns: none found"
    return (
        f"Returns: {by_status(summary.submissions)} (all quarters); "
        f"for {summary.quarter.label}: {by_status(quarter_submissions(summary)) or 'none'}"
    )


#: Rejected files (and revised figures) named one by one in the run summary; the rest are counted
#: (a folder of 2,000 bad files must not print 2,000 lines: each is in audit.submissions).
LISTED = 10


def run_summary_text(summary: RunSummary) -> str:
    """What the business manager reads at the end of `lscb-metrics run`."""
    lines = [
        f"Run {summary.quarter.label}: {summary.outcome}",
        f"Warehouse: {summary.warehouse}",
        returns_line(summary),
    ]
    if summary.skipped:
        lines.append(
            f"Not read: {len(summary.skipped)} entries (duplicates, links, withdrawn content; "
            "each with why in audit.skipped_entries)"
        )
        lines += [
            f"  not read: {entry.path} ({entry.reason})" for entry in summary.skipped[:LISTED]
        ]
        if len(summary.skipped) > LISTED:
            lines.append(f"  ... and {len(summary.skipped) - LISTED:,} more not read")
    rejected = [s for s in summary.submissions if s.status == "rejected"]
    lines += [
        f"  rejected: {rejection_line(s, summary.warehouse, summary.root)}"
        + ("; corrected by a later file" if s.submission_id in summary.corrected else "")
        for s in rejected[:LISTED]
    ]
    if len(rejected) > LISTED:
        lines.append(f"  ... and {len(rejected) - LISTED:,} more rejected (audit.submissions)")
    revised = revision_lines(summary)
    lines += [f"  revised: {message}" for message in revised[:LISTED]]
    if len(revised) > LISTED:
        lines.append(f"  ... and {len(revised) - LISTED:,} more revised (audit.revisions)")
    if not summary.writes:
        lines.append(
            f"No board has accepted returns for {summary.quarter.label}: the warehouse and "
            "every board's last published edition stay as they were (files received are kept "
            "in the store for later runs)."
        )
    if summary.quality is not None:
        verdict = "passed" if summary.quality.success else "FAILED"
        lines.append(f"Quality checkpoint: {verdict}")
        lines += [f"  {failure}" for failure in summary.quality.failed]
    if summary.files:
        lines.append(f"Published files: {len(summary.files)}")
    lines += [removed_board_line(gone, summary.area_names) for gone in summary.removed]
    lines += boards_overview_lines(summary)
    for outcome in summary.boards:
        lines += ["", *board_summary_lines(summary, outcome)]
    return "\n".join(lines)


def boards_overview_lines(summary: RunSummary) -> list[str]:
    """For a run of several boards, one line per board (outcome, returns missing, files
    rejected, whether it gets a new edition) under a count of each outcome, ahead of every
    board's figures: a hub's ten boards make hundreds of lines, and which boards are incomplete
    must not be found by scrolling."""
    if len(summary.boards) < 2:
        return []
    counts = Counter(outcome.outcome for outcome in summary.boards)
    tally = ", ".join(f"{n} {outcome}" for outcome, n in sorted(counts.items()))
    width = max(len(outcome.board.slug) for outcome in summary.boards)
    lines = [f"Boards for {summary.quarter.label}: {tally}"]
    for outcome in summary.boards:
        details = [
            *([f"{counted(len(outcome.missing), 'return')} missing"] if outcome.missing else []),
            *([f"{counted(len(outcome.rejected), 'file')} rejected"] if outcome.rejected else []),
            "new edition" if outcome.publishes else "edition unchanged",
        ]
        lines.append(f"  {outcome.board.slug:<{width}}  {outcome.outcome}: {', '.join(details)}")
    return lines


def rejection_line(submission: Submission, warehouse: Path, root: Path | None) -> str:
    """A rejected file, its first error's code and place, and where its report is kept (the
    messages themselves are in the report, written for the partner), as `shown_path` shows it
    from the project `root`; the kept copy is recorded beside `warehouse`
    (`store.kept_where`)."""
    first = next((f for f in submission.failures if f.severity == "error"), None)
    where = f", first {first.code} at {first.location}" if first is not None else ""
    if submission.archived_path is None:
        return f"{submission.file_path} ({counted(submission.error_count, 'error')}{where})"
    # An older record's absolute path stays as it is: joining onto an absolute path gives it.
    report = (warehouse.parent / submission.archived_path).parent / REPORT_HTML
    return (
        f"{submission.file_path} ({counted(submission.error_count, 'error')}{where}); "
        f"report: {shown_path(report, root)}"
    )


def revision_lines(summary: RunSummary) -> list[str]:
    """REV-001's message for each figure of the run's boards' areas that a resubmission revised
    beyond the usual range (audit.revisions keeps every board's)."""
    areas = {area for outcome in summary.boards for area in outcome.board.areas}
    return [
        revision_message(r, summary.area_names) for r in summary.revisions if r.area_code in areas
    ]


def removed_board_line(gone: RemovedBoard, names: Mapping[str, str]) -> str:
    """What became of a board whose profile was removed, for the run summary, its areas named
    by `names` (`area_names`) and ONS code."""
    edition = (
        f"its {gone.edition} edition in data/curated/{gone.slug}/ is left as it was"
        if gone.edition
        else "it has no published edition"
    )
    areas = ", ".join(area_label(area, names) for area in gone.areas) or "no area"
    return (
        f"Board {gone.slug} has no profile any more (schemas/boards/{gone.slug}/): {edition}; "
        f"its returns, for {areas}, are rejected as no board's (BRD-001) and hold back no other "
        "board (move them out of the returns folder); its figures are no longer in the curated "
        "tables, while its runs stay in audit.board_runs and its files in the store. Put its "
        "profile back to bring its figures back."
    )


def board_summary_lines(summary: RunSummary, outcome: BoardOutcome) -> list[str]:
    """One board's part of the run summary: outcome, missing returns, edition and figures."""
    board = outcome.board
    quarter = outcome.edition_quarter(summary.quarter)
    lines = [f"{board.name} ({board.slug}): {outcome.outcome}"]
    if outcome.missing:
        lines.append(f"  Missing for {quarter.label}: " + "; ".join(outcome.missing))
    if outcome.rejected:
        more = ", ..." if len(outcome.rejected) > LISTED else ""
        lines.append(
            f"  Rejected for {quarter.label}: {len(outcome.rejected)} file(s) "
            f"({', '.join(outcome.rejected[:LISTED])}{more}; see audit.submissions)"
        )
    if outcome.withdrawn:
        lines.append(
            f"  Withdrawn since its last run: {', '.join(outcome.withdrawn)}; its figures in "
            "the warehouse no longer use them."
        )
    if outcome.republishes is not None:
        lines.append(
            f"  No accepted returns for {summary.quarter.label}: its {quarter.label} edition is "
            f"published again without the withdrawn figures (run {summary.run_id})."
        )
        return lines
    if not board.areas_on(summary.quarter.end):
        # A board a partnership replaced, or a partnership not yet formed: not a gap.
        areas = ", ".join(board.area_described(area, summary.area_names) for area in board.areas)
        lines.append(
            f"  Covers no area in {summary.quarter.label} (its areas: {areas}): its last published "
            "edition, if any, is unchanged and no return is expected."
        )
        return lines
    if not outcome.has_returns:
        lines.append(
            f"  No accepted returns for {summary.quarter.label}: its last published edition "
            "is unchanged."
        )
        return lines
    if outcome.kept is not None and parse_quarter(outcome.kept) > summary.quarter:
        lines.append(
            f"  Its {outcome.kept} edition is of a later quarter and stays published; this "
            f"run's figures for {summary.quarter.label} are in the warehouse."
        )
        return lines
    if outcome.kept is not None:
        lines.append(
            f"  Incomplete: its complete {outcome.kept} edition stays published (the figures "
            f"are in the warehouse); `lscb-metrics run --period {summary.quarter.cli_name} "
            f"--board {board.slug} --publish-incomplete` publishes this one."
        )
        return lines
    if summary.files:
        lines.append(f"  Edition: {summary.quarter.label}, run {summary.run_id}")
    lines += first_figures_lines(summary, outcome)
    headlines = headline_rows(summary, board)
    if not headlines.empty:
        # England's figures are a year or more behind the board's own: say which year they are.
        years = comparator_years(own_comparisons(summary, board))
        published = f" as published for {years}" if years else ""
        lines.append(
            f"  Figures for {summary.quarter.label} (England, statistical neighbours{published}):"
        )
        lines += [
            f"    {r.indicator}{'' if r.breakdown == 'Total' else ' [' + r.breakdown + ']'}"
            # a partnership has a line per figure for each area: each names its area
            f"{' (' + r.area + ')' if board.covers_several else ''}: "
            f"{r.value} (England {r.england}, neighbours {r.neighbours})"
            for r in headlines.itertuples()
        ]
    return lines


def first_figures_lines(summary: RunSummary, outcome: BoardOutcome) -> list[str]:
    """Why an area whose partner returns are in their first quarters has no 12-month figures
    yet, in its edition's words (`first_figures_note`), each area named where the board has
    several in the quarter, as its edition has a folder for each."""
    several = len(outcome.board.areas_on(summary.quarter.end)) > 1
    notes = {
        area: note
        for area, first in outcome.first_quarters.items()
        if (note := first_figures_note(first, summary.quarter)) is not None
    }
    return [
        f"  {area_label(area, summary.area_names) + ': ' if several else ''}{note}"
        for area, note in notes.items()
    ]


def run_summary_markdown(summary: RunSummary) -> str:
    """The run summary as a markdown artifact for the Prefect UI."""
    counts = submission_counts(summary.submissions)
    quality = (
        "not run"
        if summary.quality is None
        else (
            "passed" if summary.quality.success else "FAILED: " + "; ".join(summary.quality.failed)
        )
    )
    return "\n".join(
        [
            f"# LSCB quarterly run {summary.quarter.label}: {summary.outcome}",
            "",
            "## Returns",
            *(f"- {status}: {n}" for status, n in sorted(counts.items())),
            "",
            *(f"- revised: {markdown_safe(message)}" for message in revision_lines(summary)),
            "",
            "## Quality checkpoint",
            quality,
            *(line for outcome in summary.boards for line in board_markdown(summary, outcome)),
        ]
    )


def board_markdown(summary: RunSummary, outcome: BoardOutcome) -> list[str]:
    """One board's section of the markdown summary."""
    board = outcome.board
    table = [
        "| indicator | area | breakdown | value | England | neighbours |",
        "|---|---|---|---|---|---|",
    ]
    table += [
        markdown_row((r.indicator, r.area, r.breakdown, r.value, r.england, r.neighbours))
        for r in headline_rows(summary, board).itertuples()
    ]
    changes = [
        markdown_row(
            (
                r.indicator_id,
                r.area_name,
                r.breakdown,
                formatted(r.previous_value, 1),
                formatted(r.value, 1),
                f"{formatted(r.change_pct, 0)}%",
            )
        )
        for r in biggest_changes(summary, board).itertuples()
    ]
    return [
        "",
        f"## {markdown_safe(board.name)}: {outcome.outcome}",
        "",
        "### Missing returns",
        "\n".join(f"- {markdown_safe(m)}" for m in outcome.missing) or "- none",
        "",
        "### Figures",
        *table,
        "",
        "### Changed most on the year before",
        "| indicator | area | breakdown | year before | now | change |",
        "|---|---|---|---|---|---|",
        *changes,
    ]


def markdown_row(cells: Iterable[object]) -> str:
    """A Markdown table row of `cells`, each reading as its own text (a breakdown may be an
    attendance register's member or a contributor, as the board wrote it)."""
    return "| " + " | ".join(markdown_safe(str(cell)) for cell in cells) + " |"
