"""The measures registry (schemas/measures.yaml): every measure declared once, with its type,
the partner return columns that carry it, the published tables that give it nationally and
their rounding, and the case-list query that derives it.

Loaders read table and column names from here, the catalogue is checked against it, and the
return declarations (returns/*.yaml beside it) must agree with it, all with errors that name
the YAML file and line.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lscb_metrics.errors import CatalogueError
from lscb_metrics.marked_yaml import at, line_of, load_marked

MEASURES_FILE = "measures.yaml"
MEASURE_TYPES = ("flow", "snapshot")


@dataclass(frozen=True)
class Rounding:
    """How a publisher rounds a figure: the base by geographic level (none listed: not rounded
    to a base, e.g. a percentage to 1 decimal place)."""

    name: str
    description: str
    rounded_to: Mapping[str, int]


@dataclass(frozen=True)
class PublishedTable:
    """One published file under the reference folder."""

    name: str  # DfE table name (C1) or LAIT / ONS
    file: str  # glob under the reference folder
    category: str | None  # the only category (DfE) or age group (ONS) its rows carry
    loader: str  # module:function reading it into facts


@dataclass(frozen=True)
class PublishedSource:
    """Where a table gives a measure: a column (DfE, ONS) or a LAIT Short Desc."""

    table: str
    column: str
    rounding: str


@dataclass(frozen=True)
class ReturnColumn:
    """A partner return column carrying a measure."""

    return_type: str
    column: str


@dataclass(frozen=True)
class CaseDerivation:
    """The case list a measure is derived from, the query counting it, and its rule."""

    list_type: str
    query: str  # module:function returning the SQL
    rule: str


@dataclass(frozen=True)
class LocalSource:
    """A board's own record giving the measure: its local file, what it is, the measure it may
    not exceed, and the measure whose total over breakdowns it is (a share's denominator)."""

    file: str
    description: str
    part_of: str | None = None
    total_of: str | None = None


#: The board's own record files a measure may come from (data/raw/local/<board>/).
LOCAL_RECORD_FILES = ("board_records.csv", "board_attendance.csv")


@dataclass(frozen=True)
class Measure:
    """One declared measure."""

    name: str
    type: str
    returns: tuple[ReturnColumn, ...]
    published: tuple[PublishedSource, ...]
    cases: CaseDerivation | None
    line: int
    local: LocalSource | None = None


#: Where a board's own figures come from (`Registry.collected_from`).
PARTNER_RETURNS, BOARD_RECORDS = "partner returns", "board records"


@dataclass(frozen=True)
class Registry:
    """Every declared measure, published table and rounding, from the file at `path`."""

    path: Path
    measures: Mapping[str, Measure]
    tables: Mapping[str, PublishedTable]
    roundings: Mapping[str, Rounding]

    def published_in(self, table: str) -> tuple[tuple[Measure, PublishedSource], ...]:
        """Every (measure, source) the table `table` gives, in declaration order."""
        return tuple(
            (measure, source)
            for measure in self.measures.values()
            for source in measure.published
            if source.table == table
        )

    def collected_from(self, numerator: Iterable[str]) -> str | None:
        """Where a board's own figures of an indicator whose numerator adds `numerator` come
        from: PARTNER_RETURNS (a return's column, or a case list a partner sends), BOARD_RECORDS
        (its own records in data/raw/local) or None (it has published statistics only)."""
        measures = [self.measures[name] for name in numerator if name in self.measures]
        if any(measure.returns or measure.cases for measure in measures):
            return PARTNER_RETURNS
        if any(measure.local for measure in measures):
            return BOARD_RECORDS
        return None

    def tables_of(self, loader: str) -> tuple[PublishedTable, ...]:
        """The tables read by the function `loader` (module:function), in declaration order."""
        return tuple(table for table in self.tables.values() if table.loader == loader)


def load_registry(path: Path) -> Registry:
    """The registry at `path`, checked, and checked against the return declarations beside it."""
    document = load_marked(path)
    if not isinstance(document, dict) or not isinstance(document.get("measures"), dict):
        raise CatalogueError(f"{at(path, document)}: expected a mapping with `measures`")
    roundings = {
        name: Rounding(name, str(entry.get("description", "")), dict(entry.get("rounded_to", {})))
        for name, entry in document.get("roundings", {}).items()
    }
    tables = {name: _table(name, entry, path) for name, entry in document.get("tables", {}).items()}
    entries = document["measures"]
    measures = {
        name: _measure(name, entry, path, entries, tables, roundings)
        for name, entry in entries.items()
    }
    registry = Registry(path, measures, tables, roundings)
    check_return_columns(registry, path.parent / "returns")
    return registry


def _table(name: str, entry: Any, path: Path) -> PublishedTable:
    """One published table declaration."""
    for field in ("file", "loader"):
        if field not in entry:
            raise CatalogueError(f"{at(path, entry)}: table {name} has no {field}")
    return PublishedTable(name, entry["file"], entry.get("category"), entry["loader"])


def _measure(
    name: str,
    entry: Any,
    path: Path,
    entries: Any,
    tables: Mapping[str, PublishedTable],
    roundings: Mapping[str, Rounding],
) -> Measure:
    """One measure declaration, its table and rounding names checked."""
    where = at(path, entries, name)
    if not isinstance(entry, dict):
        raise CatalogueError(f"{where}: measure {name} must be a mapping")
    if entry.get("type") not in MEASURE_TYPES:
        raise CatalogueError(
            f"{at(path, entry, 'type')}: measure {name} type {entry.get('type')!r} is not "
            f"one of {', '.join(MEASURE_TYPES)}"
        )
    published = []
    for item in entry.get("published", []):
        if item.get("table") not in tables:
            raise CatalogueError(
                f"{at(path, item)}: measure {name}: unknown table {item.get('table')!r} "
                f"(declared: {', '.join(tables)})"
            )
        if item.get("rounding") not in roundings:
            raise CatalogueError(
                f"{at(path, item)}: measure {name}: unknown rounding {item.get('rounding')!r}"
            )
        column = item.get("column", item.get("short_desc"))
        published.append(PublishedSource(item["table"], str(column), item["rounding"]))
    cases = entry.get("cases")
    local = entry.get("local")
    if local is not None:
        if local.get("file") not in LOCAL_RECORD_FILES:
            raise CatalogueError(
                f"{at(path, local)}: measure {name}: local file {local.get('file')!r} is not one "
                f"of {', '.join(LOCAL_RECORD_FILES)}"
            )
        for field in ("part_of", "total_of"):
            if local.get(field) is not None and local[field] not in entries:
                raise CatalogueError(
                    f"{at(path, local, field)}: measure {name}: {field} {local[field]!r} is not "
                    "a declared measure"
                )
    return Measure(
        name=name,
        type=entry["type"],
        returns=tuple(ReturnColumn(r["return"], r["column"]) for r in entry.get("returns", [])),
        published=tuple(published),
        cases=CaseDerivation(cases["list"], cases["query"], cases["rule"]) if cases else None,
        line=line_of(entries, name),
        local=LocalSource(
            local["file"],
            str(local.get("description", "")),
            local.get("part_of"),
            local.get("total_of"),
        )
        if local
        else None,
    )


def check_return_columns(registry: Registry, returns_dir: Path) -> None:
    """Raise CatalogueError unless every return column with an aggregation carries exactly one
    declared measure of the same type, and every declared return column exists."""
    carried = {
        (column.return_type, column.column): measure
        for measure in registry.measures.values()
        for column in measure.returns
    }
    found = set()
    for return_path in sorted(returns_dir.glob("*.yaml")):
        document = load_marked(return_path)
        return_type = document.get("return_type")
        for column in document.get("columns", []):
            aggregation = column.get("aggregation")
            if aggregation is None:
                continue
            key = (return_type, column.get("name"))
            found.add(key)
            where = at(return_path, column, "aggregation")
            measure = carried.get(key)
            if measure is None:
                raise CatalogueError(
                    f"{where}: column {key[1]} of the {return_type} return carries no measure "
                    f"declared in {registry.path}"
                )
            if measure.type != aggregation:
                raise CatalogueError(
                    f"{where}: column {key[1]} has aggregation {aggregation} but "
                    f"{registry.path}:{measure.line} declares measure {measure.name} {measure.type}"
                )
    for key, measure in carried.items():
        if key not in found:
            raise CatalogueError(
                f"{registry.path}:{measure.line}: measure {measure.name} names return column "
                f"{key[0]}.{key[1]}, which no returns/*.yaml declares with an aggregation"
            )
