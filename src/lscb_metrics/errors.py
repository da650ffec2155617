"""Errors a user can act on. The CLI prints their message (never a traceback) and exits 2."""


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
