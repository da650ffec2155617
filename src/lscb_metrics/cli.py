"""The `lscb-metrics` command: run a quarter, validate a return, explain an indicator, take a
newer published release, withdraw a stored submission, serve the schedule.

Every expected problem ends in a one-line message and a non-zero exit, never a traceback
(set LSCB_DEBUG=1 to see one for an unexpected error).
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import os
import signal
import sys
import threading
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, NoReturn

from lscb_metrics import __version__
from lscb_metrics.collector import exit_promptly, run_collection
from lscb_metrics.errors import LscbError, unexpected
from lscb_metrics.signals import RunStopped

EXIT_OK, EXIT_INVALID, EXIT_ERROR = 0, 1, 2
#: The environment `run` reads besides its options' own variables, for `run --help`.
RUN_ENVIRONMENT = """\
environment (an option given wins over its variable):
  LSCB_WAREHOUSE, LSCB_RETURNS, LSCB_SN_MODEL, LSCB_CASES, LSCB_WORKERS,
  LSCB_DASK_ADDRESS       the defaults of the options above, as each says
  LSCB_PSEUDONYMISATION_KEY, LSCB_PSEUDONYMISATION_KEY_FILE
                          the key that --cases needs, or a file holding it
  LSCB_PROJECT_ROOT       the project folder (schemas/, data/), if not this one
  PREFECT_API_URL         report to this Prefect server rather than start one
  LSCB_SERVER_TIMEOUT     seconds to wait for the temporary Prefect server (90)
  LSCB_FILE_SECONDS, LSCB_FILE_MEMORY_MB
                          each file's reading budget (60 s, 2048 MB)
  LSCB_DEBUG=1            show the traceback of an unexpected error
"""


def build_parser() -> argparse.ArgumentParser:
    """The command-line interface."""
    parser = argparse.ArgumentParser(
        prog="lscb-metrics",
        description="Partner returns to published LSCB safeguarding figures.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser(
        "run",
        help="run the quarterly pipeline into the warehouse",
        epilog=RUN_ENVIRONMENT,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    run.add_argument(
        "--period",
        help="financial quarter, e.g. 2014-15-Q2 (Q1 Apr-Jun ... Q4 Jan-Mar); "
        "default: the last complete quarter",
    )
    run.add_argument(
        "--warehouse", help="DuckDB file (default $LSCB_WAREHOUSE, else data/warehouse.duckdb)"
    )
    run.add_argument(
        "--returns", help="folder of partner returns (default $LSCB_RETURNS, else data/raw/returns)"
    )
    run.add_argument(
        "--sn-model",
        choices=["2021", "2025"],
        help="DfE statistical-neighbour model (default $LSCB_SN_MODEL, else 2025)",
    )
    run.add_argument(
        "--verbose",
        action="store_true",
        help="also show Prefect's log on the terminal (it is always in the run's log file)",
    )
    run.add_argument(
        "--cases",
        help="folder of case-level lists to derive measures from (default $LSCB_CASES, else "
        "none; needs $LSCB_PSEUDONYMISATION_KEY or $LSCB_PSEUDONYMISATION_KEY_FILE)",
    )
    run.add_argument("--board", help="run one board (its slug); default: every board")
    run.add_argument(
        "--publish-incomplete",
        action="store_true",
        help="publish a board's incomplete edition even where it would replace a complete one "
        "(by default the complete edition stays published)",
    )
    run.add_argument(
        "--workers",
        type=int,
        help="processes that validate returns, compute and publish (default $LSCB_WORKERS, "
        "else 2; 1 = in process)",
    )
    run.add_argument(
        "--dask",
        metavar="ADDRESS",
        help="validate on the Dask cluster whose scheduler is at ADDRESS, e.g. "
        "tcp://scheduler:8786 (default $LSCB_DASK_ADDRESS; none: this machine's processes)",
    )
    validate = commands.add_parser(
        "validate", help="check return files without loading them (one report each)"
    )
    validate.add_argument(
        "file", type=Path, nargs="+", help="the returns to check (.xlsx or .csv), as sent"
    )
    template = commands.add_parser(
        "template", help="write the XLSX template a partner fills in for a return"
    )
    template.add_argument("return_type", help="e.g. referrals, cp_plans, training")
    template.add_argument("--out", type=Path, help="file to write (default RETURN_template.xlsx)")
    template.add_argument("--board", help="board whose agencies and areas the cover offers")
    template.add_argument(
        "--period",
        help="quarter the returns are for, e.g. 2023-24-Q1 (the cover offers the board's areas "
        "in being then); default: the last complete quarter",
    )
    board = commands.add_parser("board", help="set up a board (safeguarding partnership)")
    board_commands = board.add_subparsers(dest="board_command", required=True)
    init = board_commands.add_parser(
        "init", help="scaffold a board profile, its local folder, templates and README"
    )
    init.add_argument(
        "--area",
        required=True,
        action="append",
        help="ONS code or DfE number of an area the board covers; give it once for each area",
    )
    init.add_argument(
        "--name", required=True, help='e.g. "Leeds Safeguarding Children Partnership"'
    )
    init.add_argument(
        "--slug", help="folder name (default: from the first area's name, e.g. leeds)"
    )
    explain = commands.add_parser(
        "explain", help="print an indicator's lineage, and with --area and --period its figures"
    )
    explain.add_argument("indicator", help="indicator id, e.g. referral_rate")
    explain.add_argument("--area", help="ONS area code or DfE LA number, e.g. E06000033 or 882")
    explain.add_argument("--period", help="period label, e.g. 2014-15-Q2 or 2013-14")
    explain.add_argument(
        "--warehouse", help="DuckDB file (default $LSCB_WAREHOUSE, else data/warehouse.duckdb)"
    )
    report = commands.add_parser(
        "report", help="write the annual report's data chapter (DOCX, Markdown, PDF) for a year"
    )
    report_year = report.add_mutually_exclusive_group(required=True)
    report_year.add_argument("--year", help="financial year, e.g. 2013-14")
    report_year.add_argument(
        "--year-to",
        metavar="QUARTER",
        help="the report year's last quarter, e.g. 2014-15-Q2 for October 2013 to September "
        "2014 (2013-14-Q4 is --year 2013-14)",
    )
    report.add_argument("--board", help="board slug (needed when there is more than one)")
    report.add_argument(
        "--warehouse", help="DuckDB file (default $LSCB_WAREHOUSE, else data/warehouse.duckdb)"
    )
    report.add_argument(
        "--edition",
        choices=("public", "internal"),
        default="public",
        help="public (disclosure-controlled, the default) or internal (exact figures, marked "
        "OFFICIAL-SENSITIVE, for the board and its members)",
    )
    report.add_argument(
        "--out",
        type=Path,
        help="folder to write (default: reports/BOARD/YEAR/EDITION in the curated folder; YEAR "
        "is 2013-14, or year-to-2014-15-Q2 for --year-to)",
    )
    reference = commands.add_parser("reference", help="published reference tables (DfE, ONS)")
    reference_commands = reference.add_subparsers(dest="reference_command", required=True)
    add = reference_commands.add_parser(
        "add", help="take a newer DfE or ONS release of a shipped table in place of the old one"
    )
    add.add_argument("file", type=Path, help="the new release, named as the table's files are")
    add.add_argument(
        "--source", required=True, help="where it came from, for the data log (e.g. a URL)"
    )
    add.add_argument(
        "--date",
        type=date.fromisoformat,
        default=date.today(),
        help="date obtained, YYYY-MM-DD (default today)",
    )
    add.add_argument(
        "--allow-fewer-years",
        action="store_true",
        help="take a release that lacks years the shipped file has",
    )
    withdraw = commands.add_parser(
        "withdraw", help="take a stored submission out of the figures (kept, audited, not used)"
    )
    withdraw.add_argument("submission_id", help="e.g. S-3f2a9c0d1e4b5a67 (audit.submissions)")
    withdraw.add_argument("--reason", required=True, help="why, for audit.withdrawals")
    withdraw.add_argument(
        "--warehouse", help="DuckDB file (default $LSCB_WAREHOUSE, else data/warehouse.duckdb)"
    )
    commands.add_parser("schedule", help="serve the quarterly run on its schedule (Prefect)")
    return parser


def console() -> NoReturn:
    """The `lscb-metrics` program: `main`, then an exit that skips the interpreter's teardown of
    everything a run held (`collector.exit_promptly`)."""
    exit_promptly(main())


def main(argv: list[str] | None = None) -> int:
    """Entry point; returns the exit code."""
    args = build_parser().parse_args(argv)
    try:
        from lscb_metrics.config import project_root, set_offline_environment, use_python_strings

        set_offline_environment(project_root())
        if args.command != "run":  # a run imports pandas once Prefect's server is starting
            use_python_strings()
        if args.command == "validate":
            return validate_files(args.file)
        if args.command == "run":
            with run_collection():
                return run_period(
                    args.period,
                    args.warehouse,
                    args.returns,
                    args.sn_model,
                    args.cases,
                    args.board,
                    args.workers,
                    args.dask,
                    args.verbose,
                    args.publish_incomplete,
                )
        if args.command == "template":
            return write_return_template(args.return_type, args.out, args.board, args.period)
        if args.command == "board":
            return init_board(args.area, args.name, args.slug)
        if args.command == "reference":
            return add_reference(args.file, args.source, args.date, args.allow_fewer_years)
        if args.command == "report":
            return write_annual_report(
                args.year, args.board, args.warehouse, args.out, args.edition, args.year_to
            )
        if args.command == "explain":
            return explain_indicator(args.indicator, args.area, args.period, args.warehouse)
        if args.command == "withdraw":
            return withdraw_submission(args.submission_id, args.reason, args.warehouse)
        return serve_schedule()
    except LscbError as error:
        print(f"lscb-metrics: {error}", file=sys.stderr)
        return EXIT_ERROR
    except BrokenPipeError:
        # The reader of the output has gone (`| head`): stop without a word, as a program
        # killed by SIGPIPE does, except that a run still says what the warehouse holds.
        _discard_output()
        if args.command == "run":
            print(f"lscb-metrics: stopped: its output was closed. {_state()}", file=sys.stderr)
        return 128 + signal.SIGPIPE
    except (KeyboardInterrupt, RunStopped) as stop:
        code = stop.exit_code if isinstance(stop, RunStopped) else 128 + signal.SIGINT
        print(
            f"lscb-metrics: stopped by {signal.Signals(code - 128).name}. {_state()}",
            file=sys.stderr,
        )
        return code
    except Exception as error:  # the last line of defence: no traceback for users
        if os.environ.get("LSCB_DEBUG"):
            raise
        print(
            f"lscb-metrics: unexpected error: {unexpected(error)}\n{_state()} {_details()}",
            file=sys.stderr,
        )
        return EXIT_ERROR


def _discard_output() -> None:
    """Point stdout at the null device, so that Python's flush at exit meets no broken pipe."""
    with contextlib.suppress(OSError, ValueError):  # a stdout without a file (a test's capture)
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


def _details() -> str:
    """Where to find the traceback of an unexpected error."""
    from lscb_metrics.progress import LEDGER

    if LEDGER.log is not None:
        return f"Details are in {LEDGER.log} (set LSCB_DEBUG=1 to see them here)."
    return "Set LSCB_DEBUG=1 and rerun to see the details."


def _state() -> str:
    """What the warehouse holds after a run ended early, truthfully: unchanged unless the run
    got as far as committing."""
    from lscb_metrics.progress import LEDGER

    if LEDGER.committed is None:
        return "The warehouse is unchanged."
    return (
        f"The {LEDGER.committed}, but its files may not all be published: run the quarter "
        "again to republish them."
    )


def validate_files(paths: list[Path]) -> int:
    """Validate returns and print what to fix in each: 0 all valid, 1 one invalid, 2 one
    unreadable (the worst of them)."""
    from lscb_metrics.boards import load_boards
    from lscb_metrics.config import settings
    from lscb_metrics.reference import la_lookup, load_areas
    from lscb_metrics.returns import load_return_specs

    run_settings = settings()
    specs = load_return_specs(run_settings.schemas_dir)
    lookup = la_lookup(load_areas(run_settings.reference_dir))
    boards = load_boards(run_settings.schemas_dir)
    return max(validate_file(path, specs, boards, lookup) for path in paths)


def validate_file(path: Path, specs: dict, boards: Any, lookup: dict) -> int:
    """Validate one return and print what to fix: 0 valid, 1 invalid, 2 unreadable."""
    from lscb_metrics.intake.budget import OverBudget, within_budget
    from lscb_metrics.intake.failures import failure
    from lscb_metrics.intake.read import UnreadableFile
    from lscb_metrics.intake.rules import OVER_BUDGET, UNREADABLE, escaped
    from lscb_metrics.returns import read_return, report_summary, report_text, validate_return

    if not path.is_file():
        print(f"{escaped(str(path))}: no such file", file=sys.stderr)
        return EXIT_ERROR
    try:
        # read and judged in the budgeted worker, as a run reads each file (intake.budget)
        raw = within_budget(read_return, path, specs)
        result = within_budget(validate_return, raw, specs, boards, lookup)
    except (UnreadableFile, OverBudget) as error:
        rule = OVER_BUDGET if isinstance(error, OverBudget) else UNREADABLE
        unreadable = [failure(rule, path.name, problem=error.problem)]
        print(report_text(unreadable, path.name, report_summary(unreadable, {}, lookup)))
        # the partner's file name, escaped as everywhere else: it must not act on the terminal
        print(f"{escaped(path.name)} cannot be read as a return: {error.problem}", file=sys.stderr)
        return EXIT_ERROR
    summary = report_summary(result.failures, raw.cover, lookup)
    print(report_text(result.failures, path.name, summary))
    return EXIT_OK if result.valid else EXIT_INVALID


def write_return_template(
    return_type: str, out: Path | None, board_slug: str | None, period: str | None
) -> int:
    """Write a partner template generated from the return's declaration, for one board and
    the quarter `period` (default: the last complete quarter)."""
    from lscb_metrics.boards import load_boards
    from lscb_metrics.config import settings
    from lscb_metrics.periods import parse_quarter
    from lscb_metrics.publish import write_template
    from lscb_metrics.returns import load_return_specs

    run_settings = settings()
    schemas_dir = run_settings.schemas_dir
    known = sorted(load_return_specs(schemas_dir))
    if return_type not in known:
        print(
            f"lscb-metrics: no return called {return_type!r}; choose one of: {', '.join(known)}",
            file=sys.stderr,
        )
        return EXIT_ERROR
    boards = load_boards(schemas_dir)
    if board_slug is None and len(boards.by_slug) > 1:
        print(
            f"lscb-metrics: choose the board with --board ({', '.join(boards.by_slug)})",
            file=sys.stderr,
        )
        return EXIT_ERROR
    [board] = boards.selected(board_slug) if board_slug else boards.by_slug.values()
    path = write_template(
        return_type,
        schemas_dir,
        out or Path(f"{return_type}_template.xlsx"),
        board,
        run_settings.reference_dir,
        parse_quarter(period) if period else None,
    )
    print(f"{return_type} template written to {path}")
    return EXIT_OK


def explain_indicator(
    indicator_id: str, area: str | None, period: str | None, warehouse: str | None
) -> int:
    """Print an indicator's lineage; with `area` and `period`, its figures traced from the
    warehouse (read-only): 0 printed, 1 no such indicator, warehouse or value."""
    from lscb_metrics.catalogue import load_catalogue
    from lscb_metrics.config import settings
    from lscb_metrics.explain import NoSuchRow, lineage_text, local_targets_in, trace_text
    from lscb_metrics.measures import MEASURES_FILE, load_registry

    run_settings = settings(warehouse=warehouse)
    registry = load_registry(run_settings.schemas_dir / MEASURES_FILE)
    catalogue = {
        i.id: i for i in load_catalogue(run_settings.schemas_dir / "indicators.yaml", registry)
    }
    indicator = catalogue.get(indicator_id)
    if indicator is None:
        print(
            f"lscb-metrics: no indicator {indicator_id!r}; choose one of: {', '.join(catalogue)}",
            file=sys.stderr,
        )
        return EXIT_INVALID
    if area is None or period is None:
        print(lineage_text(indicator, registry))
        if area is None and period is None:
            return EXIT_OK
        print("lscb-metrics: give both --area and --period to trace a value", file=sys.stderr)
        return EXIT_INVALID
    from lscb_metrics.boards import load_boards
    from lscb_metrics.explain import traced_area
    from lscb_metrics.intake.declarations import SpecError

    if area.strip().isdigit():  # only a DfE number needs the shipped area files read
        from lscb_metrics.reference import la_lookup, load_areas

        area = traced_area(la_lookup(load_areas(run_settings.reference_dir)), area, period)
    # The title as the area's own outputs give it: its board's local target in the period.
    try:
        targets = local_targets_in(load_boards(run_settings.schemas_dir), area, period)
    except SpecError:
        targets = None  # a broken profile does not stop a trace; `run` and `validate` name it
    print(lineage_text(indicator, registry, targets))
    if not run_settings.warehouse.is_file():
        print(f"lscb-metrics: no warehouse at {run_settings.warehouse}", file=sys.stderr)
        return EXIT_INVALID
    import duckdb

    from lscb_metrics.layout import check_layout
    from lscb_metrics.warehouse_file import connect

    try:
        check_layout(run_settings.warehouse, run_settings.warehouse_declaration, reading=True)
        connection = connect(run_settings.warehouse, read_only=True)
    except duckdb.Error as error:
        print(f"lscb-metrics: cannot open {run_settings.warehouse}: {error}", file=sys.stderr)
        return EXIT_INVALID
    try:
        data_dir = run_settings.reference_dir.parent
        print(trace_text(connection, indicator, registry, area, period, data_dir))
    except (NoSuchRow, duckdb.CatalogException) as error:
        print(f"lscb-metrics: {run_settings.warehouse}: {error}".splitlines()[0], file=sys.stderr)
        return EXIT_INVALID
    finally:
        connection.close()
    return EXIT_OK


def write_annual_report(
    year: str | None,
    board_slug: str | None,
    warehouse: str | None,
    out: Path | None,
    edition_name: str = "public",
    year_to: str | None = None,
) -> int:
    """Write the board's data chapter for the financial year `year` ('2013-14'), or for the
    report year ending with the quarter `year_to` ('2014-15-Q2'), in the edition named
    `edition_name` as DOCX and Markdown from the warehouse (read-only); where LibreOffice is
    installed also a PDF and a PNG of one of its pages."""
    from lscb_metrics.boards import load_boards
    from lscb_metrics.config import settings
    from lscb_metrics.editions import EDITIONS
    from lscb_metrics.intake.declarations import SpecError
    from lscb_metrics.layout import check_layout
    from lscb_metrics.periods import parse_quarter
    from lscb_metrics.publish.annual_report import (
        CHARTS_DIR,
        REPORTS_DIR,
        last_quarter_of,
        office_program,
        report_label,
        report_year_name,
        write_report,
    )
    from lscb_metrics.reference import load_areas
    from lscb_metrics.reference.areas import area_label, area_names

    # a mistyped year fails before anything is read; '2013/14' names the folder 2013-14
    last = parse_quarter(year_to) if year_to else last_quarter_of(str(year))
    label, name = report_label(last), report_year_name(last)
    run_settings = settings(warehouse=warehouse)
    if not run_settings.warehouse.is_file():
        print(f"lscb-metrics: no warehouse at {run_settings.warehouse}", file=sys.stderr)
        return EXIT_ERROR
    boards = load_boards(run_settings.schemas_dir)
    if board_slug is None and len(boards.by_slug) > 1:
        print(
            f"lscb-metrics: choose the board with --board ({', '.join(boards.by_slug)})",
            file=sys.stderr,
        )
        return EXIT_ERROR
    try:
        [board] = boards.selected(board_slug) if board_slug else boards.by_slug.values()
    except SpecError as error:
        print(f"lscb-metrics: {error}", file=sys.stderr)
        return EXIT_ERROR
    check_layout(run_settings.warehouse, run_settings.warehouse_declaration, reading=True)
    [edition] = [edition for edition in EDITIONS if edition.name == edition_name]
    edition_dir = out or run_settings.curated_dir / REPORTS_DIR / board.slug / label / edition.name
    soffice = office_program()
    # A chapter for each area in being and covered at the year's end: both sides of a
    # reorganisation each in its own years, and an area a merger handed over by the board
    # covering it then.
    areas = board.area_folders_on(last.end)
    names = area_names(load_areas(run_settings.reference_dir))
    if not areas:
        print(
            f"lscb-metrics: {board.name} covered no area at the end of {name}; its areas: "
            f"{', '.join(board.area_described(area, names) for area in board.areas)}",
            file=sys.stderr,
        )
        return EXIT_ERROR
    for area, folder in areas:
        out_dir = edition_dir / folder
        files = write_report(run_settings.warehouse, board, last, out_dir, edition, area)
        of_area = f", {area_label(area, names)}" if folder else ""
        print(f"{board.name}, {name}: data chapter written ({edition.name} edition{of_area})")
        charts = f"{len(files.charts)} charts in {out_dir / CHARTS_DIR}"
        print(f"  {files.docx}\n  {files.markdown}\n  {charts}")
        chapter_pdf(files.docx, soffice)
    return EXIT_OK


def chapter_pdf(docx: Path, soffice: str | None) -> None:
    """The data chapter `docx` as PDF, with a PNG of one of its pages, where LibreOffice
    (`soffice`) is installed; what was written, printed."""
    from lscb_metrics.publish.annual_report import page_png, page_texts, pdf_of, screenshot_page

    if soffice is None:
        print("  no PDF: LibreOffice (soffice) is not installed")
        return
    pdf = pdf_of(docx, soffice)
    texts = page_texts(pdf)
    print(f"  {pdf} ({len(texts) or 'unknown number of'} pages)")
    page = screenshot_page(texts)
    picture = page_png(pdf, page, pdf.with_name(f"{pdf.stem}_page{page}.png"))
    if picture is not None:
        print(f"  {picture} (page {page})")


def _flows_module():
    """The flows package of this checkout (it sits beside src/, not inside the package; the
    project folder of LSCB_PROJECT_ROOT holds data and schemas, not code)."""
    root = str(Path(__file__).resolve().parents[2])
    if root not in sys.path:
        sys.path.insert(0, root)
    import flows.quarterly

    return flows.quarterly


#: What a run imports as it goes, in the order it first needs them: Prefect's parameter
#: serialiser (FastAPI's encoder, 0.08 s) and task engine as the flow starts, Arrow's datasets as
#: it reads the shipped files, great_expectations (2 s) at the quality stage.
IMPORTED_AHEAD = (
    "fastapi.encoders",
    "prefect.utilities.visualization",
    "prefect.task_engine",
    "anyio._backends._asyncio",
    "pyarrow.dataset",
    "great_expectations",
)


def imported_ahead() -> threading.Thread:
    """A thread importing IMPORTED_AHEAD while the run waits for Prefect's server (a failure
    is reported, if at all, where the run imports the module); every fork waits for it."""
    ahead = threading.Thread(target=_import_each, args=(IMPORTED_AHEAD,), name="lscb-imports")
    ahead.daemon = True
    # A process forked while another thread is importing inherits that module's lock held by a
    # thread it does not have, and hangs if it imports the module too.
    os.register_at_fork(before=lambda: _joined(ahead))
    ahead.start()
    return ahead


def _import_each(modules: tuple[str, ...]) -> None:
    """Import `modules` in order, going on past any that fails."""
    for module in modules:
        with contextlib.suppress(Exception):
            importlib.import_module(module)


def _joined(thread: threading.Thread) -> None:
    """Wait for `thread` to finish, unless it is the one asking or has not started."""
    if thread is not threading.current_thread() and thread.ident is not None:
        thread.join()


def run_period(
    period: str | None,
    warehouse: str | None,
    returns: str | None,
    sn_model: str | None,
    cases: str | None = None,
    board: str | None = None,
    workers: int | None = None,
    dask: str | None = None,
    verbose: bool = False,
    publish_incomplete: bool = False,
) -> int:
    """Run the quarterly flow (one board, or every board), one console line per stage, and
    print its summary."""
    from lscb_metrics import progress
    from lscb_metrics.config import board_slugs, settings, use_python_strings
    from lscb_metrics.console import log_path, run_console
    from lscb_metrics.layout import check_layout
    from lscb_metrics.parallel import dask_address, validation_workers
    from lscb_metrics.periods import parse_quarter
    from lscb_metrics.prefect_server import launched_api
    from lscb_metrics.signals import stop_on_signals
    from lscb_metrics.store import run_lock
    from lscb_metrics.warehouse_file import check_writable

    if period:
        parse_quarter(period)  # a mistyped period fails before Prefect starts
    run_settings = settings(
        warehouse=warehouse, returns_dir=returns, sn_model=sn_model, cases_dir=cases
    )
    if not run_settings.returns_dir.is_dir():
        print(f"lscb-metrics: no returns folder at {run_settings.returns_dir}", file=sys.stderr)
        return EXIT_ERROR
    slugs = board_slugs(run_settings.schemas_dir)
    if board is not None and board not in slugs:
        print(
            f"lscb-metrics: no board {board!r}; the boards are: {', '.join(slugs) or 'none'} "
            "(set one up with `lscb-metrics board init`)",
            file=sys.stderr,
        )
        return EXIT_ERROR
    if run_settings.cases_dir is not None:
        from lscb_metrics.cases import load_pseudonymisation_key

        load_pseudonymisation_key()  # no key, no run: refuse before anything is read
    validation_workers(workers)  # a bad worker count or address fails before Prefect starts
    dask_address(dask)
    # Fail now, naming the cause, if another run or another program holds the warehouse, or a
    # newer lscb_metrics wrote it.
    with run_lock(run_settings.warehouse):
        check_writable(run_settings.warehouse)
        check_layout(run_settings.warehouse, run_settings.warehouse_declaration)
    log_file = log_path(run_settings.warehouse, datetime.now())
    # Prefect's temporary server takes seconds to start: it starts first, while this process
    # imports the flow and Prefect, which configures logging when first imported, so before
    # the console takes over.
    with launched_api(log_file) as pending:
        # A malformed profile stops the run here, named in one line, before the flow begins;
        # loading the profiles imports pandas, which the flow needs anyway, so while the server
        # boots rather than before it (`board_slugs` above reads folders only).
        use_python_strings()
        from lscb_metrics.boards import load_boards

        load_boards(run_settings.schemas_dir)
        flows = _flows_module()
        progress.LEDGER.start(log_file)
        with stop_on_signals(), run_console(log_file, sys.stdout, verbose=verbose):
            progress.began("start Prefect")
            # What the flow imports as it goes takes seconds: imported while the server starts,
            # which leaves this process waiting.
            imported_ahead()
            with pending.ready(progress.LOGGER.warning) as api:
                progress.finished("start Prefect", f"API {api}")
                summary = flows.quarterly_run(
                    period=period,
                    warehouse=warehouse,
                    returns_dir=returns,
                    sn_model=sn_model,
                    cases_dir=cases,
                    board=board,
                    workers=workers,
                    dask=dask,
                    publish_incomplete=publish_incomplete,
                )
        from lscb_metrics.report import run_summary_text

        print(run_summary_text(summary))
        print(f"Log: {log_file}")
    return EXIT_OK


def init_board(areas: list[str], name: str, slug: str | None) -> int:
    """Scaffold a new board: its profile, local folder, templates and README."""
    from lscb_metrics.board_setup import scaffold_board
    from lscb_metrics.config import settings

    written = scaffold_board(settings(), areas, name, slug)
    print(f"board {written.slug} set up:")
    for path in written.paths:
        print(f"  {path}")
    print(written.next_steps)
    return EXIT_OK


def add_reference(path: Path, source: str, day: date, allow_fewer_years: bool) -> int:
    """Put a newer release of a shipped table in place of the old one, log it in
    data/raw/DATA_LOG.md and print the years it adds."""
    from lscb_metrics.config import settings
    from lscb_metrics.measures import MEASURES_FILE, load_registry
    from lscb_metrics.reference.releases import add_release, plan_release, year_names

    run_settings = settings()
    reference_dir = run_settings.reference_dir
    registry = load_registry(run_settings.schemas_dir / MEASURES_FILE)
    release = plan_release(path, reference_dir, registry, allow_fewer_years)
    add_release(release, reference_dir, reference_dir.parent / "DATA_LOG.md", source, day)
    new_years = (
        year_names(release.table, release.new_years) or "none (a revision of the same years)"
    )
    print(f"{release.table.name}: replaces {release.replaces.name}; new years: {new_years}")
    print(f"  now {release.target.relative_to(run_settings.root)}, SHA-256 {release.sha256}")
    print("  logged in data/raw/DATA_LOG.md; the next run reads it")
    return EXIT_OK


def withdraw_submission(submission_id: str, reason: str, warehouse: str | None) -> int:
    """Withdraw a stored submission and say what happens next."""
    from lscb_metrics.config import settings
    from lscb_metrics.withdraw import withdraw, withdrawn_dir

    run_settings = settings(warehouse=warehouse)
    record = withdraw(run_settings, submission_id, reason, datetime.now(UTC))
    print(
        f"{record.submission_id} ({record.file_name}) withdrawn by {record.withdrawn_by}: "
        f"kept in {withdrawn_dir(run_settings) / record.submission_id}, recorded in "
        "audit.withdrawals. The next run recomputes the figures without it, and skips any "
        "file with the same content."
    )
    return EXIT_OK


def serve_schedule() -> int:
    """Serve the flow on its quarterly cron schedule until interrupted."""
    from prefect import serve
    from prefect.settings import PREFECT_API_URL

    # Prefect's temporary server stops with this process on Ctrl-C, leaving nothing to pause the
    # deployment on (trying hangs); a long-running server keeps it, paused until served again.
    serve(_flows_module().scheduled_deployment(), pause_on_shutdown=bool(PREFECT_API_URL.value()))
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
