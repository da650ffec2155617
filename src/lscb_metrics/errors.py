"""Errors a user can act on. The CLI prints their message (never a traceback) and exits 2."""

import re

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
