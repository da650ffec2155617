"""The run's console: one line per stage with its count and time, a progress indication while a
stage works, and everything else (Prefect's per-task chatter, warnings, tracebacks) in the run's
log file and the Prefect UI rather than on the terminal (`--verbose` shows it too).

Works on a terminal (a line redrawn in place) and in a pipe or a scheduler's log (dots, never
redrawn), with the standard library only.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any, TextIO

from lscb_metrics.config import environment_variable
from lscb_metrics.errors import LscbError, without_quoted_text
from lscb_metrics.progress import LOGGER as PROGRESS

#: Width of the stage name column.
NAME_WIDTH = 16
#: Dots a counted stage prints in a pipe over its whole run.
DOTS = 10
BAR_WIDTH = 24
#: Seconds between marks of life for a stage that cannot count its work.
TICK_SECONDS = 3.0
#: Loggers Prefect's configuration gives a console handler of their own (not propagating to
#: the root), besides the root itself.
CONSOLE_LOGGERS = ("", "uvicorn", "fastapi", "prefect._internal")
#: The log file's lines: Prefect's console layout, naming the flow or task run where there is one.
LOG_LINE = "%(asctime)s.%(msecs)03d | %(levelname)-7s | {} - %(message)s"
#: Prefect's override of its console handler's level, read by processes the run starts (the
#: validation pool's workers), whose logs reach the Prefect UI but would also reach the terminal.
CHILD_CONSOLE_LEVEL = "PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL"


class StageConsole(logging.Handler):
    """Renders the progress logger's events (lscb_metrics.progress) on `stream`."""

    def __init__(self, stream: TextIO) -> None:
        super().__init__(logging.DEBUG)
        self.stream = stream
        self.tty = stream.isatty()
        self.stage: str | None = None
        self.started = 0.0
        self.total: int | None = None
        self.done = 0
        self.marks = 0
        self.ticker: threading.Event | None = None

    def emit(self, record: logging.LogRecord) -> None:
        """Draw one event; records that are not stage events print as a line of their own."""
        event = getattr(record, "lscb_progress", None)
        if event is None:
            self._line(record.getMessage())
            return
        kind, stage, value = event
        if kind == "begin":
            self._begin(stage, value)
        elif kind == "step" and stage == self.stage:
            self.done += 1
            self._draw()
        elif kind == "end":
            self._end(stage, value)

    def close(self) -> None:
        """Stop the ticker and end an unfinished stage line."""
        self.acquire()
        try:
            self._stop_ticker()
            if self.stage is not None:
                self._write("\n")
                self.stage = None
        finally:
            self.release()
        super().close()

    def _begin(self, stage: str, total: int | None) -> None:
        """Open `stage`'s line."""
        if self.stage is not None:
            self._write("\n")
        self._stop_ticker()
        self.stage, self.total, self.done, self.marks = stage, total, 0, 0
        self.started = time.monotonic()
        self._write(f"{'':<{NAME_WIDTH}}" if self.tty else f"{stage:<{NAME_WIDTH}}")
        self._draw()
        if total is None:
            self.ticker = threading.Event()
            threading.Thread(target=self._tick, args=(self.ticker,), daemon=True).start()

    def _end(self, stage: str, detail: str) -> None:
        """Close `stage`'s line with what it produced and how long it took."""
        self._stop_ticker()
        seconds = time.monotonic() - self.started if stage == self.stage else 0.0
        text = f"{detail} ({seconds:.1f} s)"
        if self.tty:
            self._write(f"\r\x1b[K{stage:<{NAME_WIDTH}}{text}\n")
        else:
            self._write(f"{' ' if self.marks else ''}{text}\n")
        self.stage = None

    def _draw(self) -> None:
        """Show how far the open stage has got: a bar or a clock on a terminal, dots in a pipe."""
        elapsed = time.monotonic() - self.started
        if self.tty:
            if self.total:
                filled = BAR_WIDTH * self.done // self.total
                bar = f"[{'#' * filled}{'.' * (BAR_WIDTH - filled)}] {self.done}/{self.total}"
            else:
                bar = f"{elapsed:.0f} s"
            self._write(f"\r\x1b[K{self.stage:<{NAME_WIDTH}}{bar}")
            return
        due = DOTS * self.done // self.total if self.total else int(elapsed // TICK_SECONDS)
        if due > self.marks:
            self._write("." * (due - self.marks))
            self.marks = due

    def _tick(self, stop: threading.Event) -> None:
        """Redraw an uncounted stage until it ends, so a long step shows it is alive."""
        while not stop.wait(1.0):
            self.acquire()
            try:
                if not stop.is_set():
                    self._draw()
            except BrokenPipeError:
                return  # the output was closed: the run's own next line stops it, quietly
            finally:
                self.release()

    def _stop_ticker(self) -> None:
        """End the open stage's ticker, if it has one."""
        if self.ticker is not None:
            self.ticker.set()
            self.ticker = None

    def _line(self, text: str) -> None:
        """`text` on a line of its own, after any open stage line."""
        if self.stage is not None:
            self._write("\n")
            self.stage = None
            self._stop_ticker()
        self._write(text + "\n")

    def _write(self, text: str) -> None:
        """Write and flush at once, so a pipe's reader sees each mark as it happens."""
        self.stream.write(text)
        self.stream.flush()


def log_path(warehouse: Path, now: datetime) -> Path:
    """Where a run on `warehouse` keeps its log: logs/ beside the warehouse."""
    return warehouse.parent / "logs" / f"lscb-run-{now:%Y%m%d-%H%M%S}.log"


@contextmanager
def run_console(log_file: Path, stream: TextIO, *, verbose: bool = False) -> Iterator[None]:
    """Stage lines on `stream`; every log record, warning and traceback of the run in
    `log_file`, and on stderr as well only when `verbose`. Restores logging as it was."""
    log_file.parent.mkdir(parents=True, exist_ok=True)
    to_file = logging.FileHandler(log_file, encoding="utf-8")
    to_file.setFormatter(_log_formatter())
    to_file.setLevel(logging.INFO)
    stages = StageConsole(stream)
    detached: list[tuple[logging.Logger, logging.Handler]] = []
    for name in CONSOLE_LOGGERS:
        logger = logging.getLogger(name)
        if not verbose:
            for handler in [h for h in logger.handlers if _is_console(h)]:
                logger.removeHandler(handler)
                detached.append((logger, handler))
        if name == "" or not logger.propagate:
            logger.addHandler(to_file)
    previous = PROGRESS.level, PROGRESS.propagate
    # Stage events go to the console and the file only, not also through Prefect's handlers.
    PROGRESS.setLevel(logging.DEBUG)
    PROGRESS.propagate = False
    PROGRESS.addHandler(stages)
    PROGRESS.addHandler(to_file)
    logging.captureWarnings(True)
    try:
        with environment_variable(CHILD_CONSOLE_LEVEL, None if verbose else "CRITICAL"):
            yield
    except LscbError as error:
        logging.getLogger(__name__).error("%s", error)
        raise
    except BaseException:
        logging.getLogger(__name__).exception("the run ended early")
        raise
    finally:
        logging.captureWarnings(False)
        PROGRESS.removeHandler(stages)
        PROGRESS.removeHandler(to_file)
        PROGRESS.setLevel(previous[0])
        PROGRESS.propagate = previous[1]
        stages.close()
        for name in CONSOLE_LOGGERS:
            logging.getLogger(name).removeHandler(to_file)
        for logger, handler in detached:
            logger.addHandler(handler)
        to_file.close()


def _log_formatter() -> logging.Formatter:
    """Formatter for the log file: what a library's message or any traceback quotes is withheld
    (`errors.without_quoted_text`); this package's own messages quote nothing identifying and
    are written as they are."""
    from prefect.logging.formatters import PrefectFormatter

    class WithoutQuotedText(PrefectFormatter):
        def format(self, record: logging.LogRecord) -> str:
            message = record.getMessage()
            if not _is_own(record):
                message = without_quoted_text(message)
            # exc_text is another handler's rendering of the traceback, cached on the record.
            changes = {"msg": message, "args": None, "exc_text": None}
            return super().format(logging.makeLogRecord({**record.__dict__, **changes}))

        def formatException(self, ei: Any) -> str:
            # The indented lines are the program's own source; the others are messages.
            lines = super().formatException(ei).splitlines()
            return "\n".join(
                line if line.startswith(" ") else without_quoted_text(line) for line in lines
            )

    return WithoutQuotedText(
        LOG_LINE.format("%(name)s"),
        "%Y-%m-%d %H:%M:%S",
        flow_run_fmt=LOG_LINE.format("Flow run %(flow_run_name)r"),
        task_run_fmt=LOG_LINE.format("Task run %(task_run_name)r"),
    )


def _is_own(record: logging.LogRecord) -> bool:
    """Whether `record` comes from one of this package's loggers."""
    return record.name == "lscb_metrics" or record.name.startswith("lscb_metrics.")


def _is_console(handler: logging.Handler) -> bool:
    """Whether `handler` is one of the terminal handlers Prefect's logging configuration
    installs (other handlers, such as pytest's capture, are left alone)."""
    return (
        isinstance(handler, logging.StreamHandler)
        and not isinstance(handler, logging.FileHandler)
        and type(handler).__module__.startswith("prefect.")
    )
