"""Errors a user can act on (`LscbError`), whose message the CLI prints (never a traceback)
before it exits 2, and what the run's records may show of any other error (`unexpected`)."""

import functools
import re
from collections.abc import Callable
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
T = TypeVar("T")

#: A passage in quotes on one line, as Python's and the libraries' messages quote a value.
_QUOTED = re.compile(r"'[^'\n]*'|\"[^\"\n]*\"")
#: What a quoted passage is replaced by.
WITHHELD_QUOTE = "'…'"


def without_quoted_text(text: str) -> str:
    """`text` with every passage in single or double quotes replaced by '…'.

    An unexpected error's message quotes what it failed on (a cell's text, a file's name),
    which can name a child; error reports and logs must not (UK GDPR Article 5(1)(c), data
    minimisation). Quotes are how Python's and the libraries' messages set a value apart."""
    return _QUOTED.sub(WITHHELD_QUOTE, text)


class LscbError(Exception):
    """Base class: the message says what went wrong and what to do."""


class WarehouseBusy(LscbError):
    """Another run holds the warehouse."""


class ConfigurationError(LscbError):
    """A setting, path or option is wrong."""


class CatalogueError(LscbError, ValueError):
    """The indicator catalogue or the measures registry is not well formed; the message names
    the file and line."""


class PublicationBlocked(LscbError):
    """Error-level quality checks failed: nothing was committed or published."""


class WarehouseCorrupt(LscbError):
    """The warehouse file is not a DuckDB database."""


class PublishingFailed(LscbError):
    """The run was committed but its files were not all written; the next run republishes."""


class ReleaseRefused(LscbError):
    """A newer published file was not taken in place of a shipped one; the message says why."""


class WarehouseLayoutError(LscbError):
    """The warehouse was written by an lscb_metrics whose layout this one cannot use as it is;
    the message names the versions and what to do."""


class UnexpectedError(Exception):
    """An error of another kind, which the program did not expect: its message names that kind
    and withholds what the original's message quoted (see `unexpected`)."""


def unexpected(error: Exception) -> UnexpectedError:
    """`error` as an `UnexpectedError`, "ValueError: could not read '…'", raised where `error`
    was (its traceback, so a log still shows where) but holding nothing else of it."""
    if isinstance(error, UnexpectedError):
        return error
    message = f"{type(error).__name__}: {without_quoted_text(str(error))}"
    return UnexpectedError(message).with_traceback(error.__traceback__)


def withholding_quotes(function: Callable[P, T]) -> Callable[P, T]:
    """Decorator for a Prefect task or flow: an unexpected error leaves it as `unexpected(error)`;
    an `LscbError`, whose message quotes nothing identifying, leaves it as it is.

    Prefect records a failed run's exception on its server as it is raised: in the state's
    message, in its logs (with the traceback) and, for a flow run, pickled in PREFECT_HOME's
    result storage. None of its hooks runs before the failed state is sent, so the error must
    already withhold its quotes when it leaves our function. It is raised `from None`: a chained
    original would be printed in the logged traceback."""

    @functools.wraps(function)
    def withholding(*args: P.args, **kwargs: P.kwargs) -> T:
        try:
            return function(*args, **kwargs)
        except LscbError:
            raise
        except Exception as error:
            raise unexpected(error) from None

    return withholding
