"""Publishing a run: each board's edition written beside the one it replaces, from the committed
warehouse, and swapped in whole, so `<curated>/<board>/` never mixes two quarters or two runs;
and the analyst copies, data dictionary and quality pages beside them.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from lscb_metrics.boards import Board
from lscb_metrics.config import Settings
from lscb_metrics.editions import EDITIONS, INTERNAL, PUBLIC, Edition
from lscb_metrics.facts import ENGLAND_CODE
from lscb_metrics.intake.rules import markdown_safe
from lscb_metrics.parallel import forked_pool, forks
from lscb_metrics.periods import Quarter
from lscb_metrics.pipeline import RunSummary
from lscb_metrics.signals import shielded

if TYPE_CHECKING:
    from lscb_metrics.quality import QualityDocs

WORKBOOK_FILE = "lscb_report_tables.xlsx"
DICTIONARY_FILE = "data_dictionary.md"
TEMPLATES_DIR = "templates"
QUALITY_DIR = "quality"


def publish_files(
    summary: RunSummary,
    settings: Settings,
    quality_docs: QualityDocs,
    workers: int,
    templates: Future[dict[str, list[Path]]],
    meanwhile: Callable[[], object] | None = None,
) -> list[Path]:
    """Everything report writers and analysts open, from the committed warehouse: in the curated
    folder the analyst copies, the data dictionary and the quality checkpoint's pages; and for
    each board with returns this quarter a new edition in `<curated>/<board>/`, swapped in
    whole, with the partner `templates` (`templates_ahead`) already in it. A board without
    returns keeps its last edition untouched. Called within `templates_ahead`, which removes
    the editions a failure leaves unfinished.

    The editions (each board's public and internal files) are written side by side in up to
    `workers` forked processes, each reading the committed warehouse read-only, while this
    process writes the analyst copies and calls `meanwhile` (the run's Prefect artifacts); they
    are swapped in once every one is written. A chart drawn exactly as in the board's current
    edition keeps its PNG."""
    from lscb_metrics.publish import write_data_dictionary, write_exports
    from lscb_metrics.publish.charts import drawn_pngs
    from lscb_metrics.publish.exports import PUBLISHED_ROWS
    from lscb_metrics.publish.figures import figure_rows_digest, read_only
    from lscb_metrics.publish.scorecard import CHARTS_DIR

    out = settings.curated_dir
    quarters = edition_quarters(summary)
    boards = [outcome.board for outcome in summary.publishable]
    jobs = [(board, edition) for board in boards for edition in EDITIONS]
    drawn: dict[str, dict[str, Path]] = {}
    for board in boards:
        current = settings.curated_dir / board.slug
        drawn[board.slug] = drawn_pngs(
            current / edition.name / folder / CHARTS_DIR
            for edition in EDITIONS
            for folder in ("", *board.areas)
        )
    # Every edition's open data holds the same published figures: the digest that keys the
    # lines each edition keeps of them is taken once, here, rather than in every edition.
    with read_only(settings.warehouse) as connection:
        published = figure_rows_digest(connection, PUBLISHED_ROWS)
    with edition_writers(min(len(jobs), workers)) as pool:
        futures = [
            pool.submit(
                write_edition_files,
                settings.warehouse,
                incoming_folder(settings, board) / edition.name,
                # An edition carries the board's name of its own quarter.
                board.as_of(quarters[board.slug].end),
                quarters[board.slug],
                edition,
                drawn[board.slug],
                published,
            )
            for board, edition in jobs
        ]
        written = write_exports(settings.warehouse, out)
        example_area = summary.boards[0].board.areas[0] if summary.boards else ENGLAND_CODE
        written.append(
            write_data_dictionary(
                settings.warehouse, settings.schemas_dir, out / DICTIONARY_FILE, example_area
            )
        )
        quality_dir = out / QUALITY_DIR
        shutil.rmtree(quality_dir, ignore_errors=True)
        shutil.copytree(quality_docs.write(), quality_dir)
        if meanwhile is not None:
            meanwhile()
        by_board = templates.result()
        editions = [future.result() for future in futures]
    for (board, _), paths in zip(jobs, editions, strict=True):
        by_board.setdefault(board.slug, []).extend(paths)
    for board in boards:
        written += publish_edition(
            summary, settings, board, quarters[board.slug], by_board[board.slug]
        )
    return written


def edition_quarters(summary: RunSummary) -> dict[str, Quarter]:
    """The quarter of each publishable board's new edition, by board."""
    return {o.board.slug: o.edition_quarter(summary.quarter) for o in summary.publishable}


@contextmanager
def templates_ahead(
    summary: RunSummary, settings: Settings, workers: int
) -> Iterator[Future[dict[str, list[Path]]]]:
    """Each publishable board's partner templates (`write_templates`), by board, being written
    into its incoming folder: for two or more `workers` in a forked process while this one
    checks and commits the run's figures, which keep one core busy, not two; else now. Every
    edition still being written is removed first (one run at a time holds the lock, so any
    found are left over), and again if the block fails: none is left unfinished on the disk."""
    settings.curated_dir.mkdir(parents=True, exist_ok=True)
    quarters = edition_quarters(summary)
    boards = [outcome.board for outcome in summary.publishable]
    with unfinished_editions_removed(settings.curated_dir):
        if not forks(workers):
            written: Future[dict[str, list[Path]]] = Future()
            written.set_result(_all_templates(settings, boards, quarters))
            yield written
            return
        # Forked before the warehouse's writing thread starts, so that no lock of it is copied.
        with forked_pool(1) as pool:
            yield pool.submit(_all_templates, settings, boards, quarters)


def _all_templates(
    settings: Settings, boards: Sequence[Board], quarters: Mapping[str, Quarter]
) -> dict[str, list[Path]]:
    """`write_templates` of each of `boards` for its edition's quarter, by board."""
    return {board.slug: write_templates(settings, board, quarters[board.slug]) for board in boards}


@contextmanager
def edition_writers(workers: int) -> Iterator[Executor]:
    """`workers` processes that write editions: forked (they inherit the imported modules, so
    they start at once); none for one, which writes in a thread of this process."""
    if not forks(workers):
        with ThreadPoolExecutor(max_workers=1) as pool:
            yield pool
        return
    with forked_pool(workers) as pool:
        yield pool


EDITION_FILE = "EDITION.md"


def incoming_folder(settings: Settings, board: Board) -> Path:
    """Where the board's next edition is written before it is swapped in."""
    return settings.curated_dir / f".{board.slug}{INCOMING_SUFFIX}"


INCOMING_SUFFIX = ".incoming"


@contextmanager
def unfinished_editions_removed(curated_dir: Path) -> Iterator[None]:
    """Every board's edition still being written in `curated_dir` removed before the block and
    again if it fails: one run at a time holds the lock, so any found are left over, whichever
    board they are for."""
    discard_incoming(curated_dir)
    try:
        yield
    except BaseException:
        discard_incoming(curated_dir)
        raise


def discard_incoming(curated_dir: Path) -> None:
    """Remove every `.<board>.incoming` folder in `curated_dir`."""
    for folder in curated_dir.glob(f".*{INCOMING_SUFFIX}"):
        shutil.rmtree(folder, ignore_errors=True)


def publish_edition(
    summary: RunSummary, settings: Settings, board: Board, quarter: Quarter, written: list[Path]
) -> list[Path]:
    """Complete the board's edition for `quarter` (its editions' and templates' `written`
    files already in its incoming folder) with EDITION.md, then swap it in for the last one
    whole, so `<curated>/<board>/` never mixes two quarters or two runs: the public files in
    `public/`, the internal ones (exact figures, marked) in `internal/`, the partner templates
    in `templates/`."""
    target = settings.curated_dir / board.slug
    incoming = incoming_folder(settings, board)
    # Each edition's folder says which quarter and run its files are, as the whole does: the
    # public folder is the one copied to the website, without the file beside it. The
    # templates, for returns still to come, carry the board's current name; the rest the name
    # of the edition's quarter.
    named = board.as_of(quarter.end)
    for edition in EDITIONS:
        folder = incoming / edition.name
        files = [path for path in written if folder in path.parents]
        if files:
            stated = folder / EDITION_FILE
            text = edition_folder_text(summary, named, quarter, edition, files, folder)
            stated.write_text(text, encoding="utf-8")
            written.append(stated)
    whole = incoming / EDITION_FILE
    whole.write_text(edition_text(summary, named, quarter, written, incoming), encoding="utf-8")
    swap_in(incoming, target)
    return [target / path.relative_to(incoming) for path in [*written, whole]]


def write_templates(settings: Settings, board: Board, quarter: Quarter) -> list[Path]:
    """The partner templates of the board's next edition, in its incoming folder: for the
    quarter after `quarter`, which partners fill in next."""
    from lscb_metrics.publish import templates

    folder = incoming_folder(settings, board) / TEMPLATES_DIR
    return templates.write_templates(
        board.template_returns,
        settings.schemas_dir,
        folder,
        board,
        settings.reference_dir,
        quarter.next(),
    )


def write_edition_files(
    warehouse_path: Path,
    out: Path,
    board: Board,
    quarter: Quarter,
    edition: Edition,
    drawn: Mapping[str, Path],
    published_digest: bytes | None = None,
) -> list[Path]:
    """The files of one edition of the board's quarter in `out`: open data, and for each of its
    areas existing in the quarter (`Board.area_folders_on`) workbook and scorecard with its
    charts (none where the warehouse has no scorecard for the quarter); the PNG of a chart in
    `drawn` (`charts.drawn_pngs`) is copied rather than rendered. The warehouse is opened once
    for all of them; `published_digest` is `exports.open_data_lines`' where the caller has
    taken it (once for all the editions of a run)."""
    from lscb_metrics.publish import ScorecardError, write_exports, write_scorecard, write_workbook
    from lscb_metrics.publish.figures import read_only

    with read_only(warehouse_path) as connection:
        written = write_exports(
            warehouse_path,
            out,
            board,
            edition,
            quarter.end,
            connection=connection,
            published_digest=published_digest,
        )
        for area, folder in board.area_folders_on(quarter.end):
            area_out = out / folder
            written.append(
                write_workbook(
                    warehouse_path,
                    area_out / WORKBOOK_FILE,
                    quarter.end,
                    board,
                    edition,
                    area,
                    connection=connection,
                )
            )
            try:
                written += write_scorecard(
                    warehouse_path,
                    area_out,
                    board,
                    quarter.end,
                    edition,
                    drawn,
                    area,
                    connection=connection,
                )
            except ScorecardError as error:
                print(f"{board.slug}: {edition.name} scorecard of {area} not written: {error}")
    return written


def edition_header(summary: RunSummary, board: Board, quarter: Quarter, title: str) -> str:
    """The lines every EDITION.md opens with: board, quarter, run and areas."""
    return (
        f"# {markdown_safe(board.name)}: {title} for {quarter.label}\n\n"
        f"- Quarter: {quarter.label} ({quarter.start} to {quarter.end})\n"
        f"- Run id: {summary.run_id}\n"
        f"- Areas: {', '.join(board.areas_on(quarter.end))}\n\n"
        "Every file below was written by that run, from the committed warehouse, and swapped "
        "in together.\n\n"
    )


def edition_folder_text(
    summary: RunSummary,
    board: Board,
    quarter: Quarter,
    edition: Edition,
    files: list[Path],
    folder: Path,
) -> str:
    """`<edition>/EDITION.md`: the quarter and run of every file of one edition's folder."""
    marking = f"**{edition.marking}**\n\n" if edition.marking else ""
    header = edition_header(summary, board, quarter, f"{edition.name} edition")
    return f"{marking}{header}{_listed(files, folder)}"


def edition_text(
    summary: RunSummary, board: Board, quarter: Quarter, files: list[Path], folder: Path
) -> str:
    """EDITION.md: the quarter, run and board every file of the edition belongs to."""
    return (
        edition_header(summary, board, quarter, "edition")
        + f"- `{PUBLIC.name}/`: the public edition, disclosure-controlled: the one to publish.\n"
        f"- `{INTERNAL.name}/`: the internal edition for the board and its members, exact "
        f'figures, every file marked "{INTERNAL.marking}". Never copy it with the public one.\n'
        f"- `{TEMPLATES_DIR}/`: the partner templates.\n\n" + _listed(files, folder)
    )


def _listed(files: list[Path], folder: Path) -> str:
    """A markdown list of `files`, by their path within `folder`."""
    return "".join(f"- `{path.relative_to(folder)}`\n" for path in sorted(files))


def previous_edition(target: Path) -> Path:
    """Where the edition in the folder `target` is set aside while a new one is swapped in."""
    return target.with_name(f".{target.name}{PREVIOUS_SUFFIX}")


PREVIOUS_SUFFIX = ".previous"


@shielded
def swap_in(incoming: Path, target: Path) -> None:
    """Replace the folder `target` by `incoming` with two renames, which a stop signal never
    comes between; the previous edition is removed only once the new one is in place, and put
    back where the new one cannot go in."""
    previous = previous_edition(target)
    shutil.rmtree(previous, ignore_errors=True)
    if target.exists():
        target.rename(previous)
    try:
        incoming.rename(target)
    except OSError:
        if previous.exists():
            previous.rename(target)
        raise
    shutil.rmtree(previous, ignore_errors=True)


def restore_editions(curated_dir: Path) -> list[Path]:
    """Every edition a run killed between the two renames of `swap_in` left set aside, put back
    in its board's folder (which that run left without one); the folders restored."""
    restored = []
    for previous in sorted(curated_dir.glob(f".*{PREVIOUS_SUFFIX}")):
        target = previous.with_name(previous.name[1 : -len(PREVIOUS_SUFFIX)])
        if previous.is_dir() and not target.exists():
            previous.rename(target)
            restored.append(target)
    return restored
