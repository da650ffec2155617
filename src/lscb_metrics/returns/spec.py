"""Declarations of partner returns, cover fields and agencies, read from `schemas/`.

The YAML files are the single source of truth for what each return holds. They are checked
when loaded (with the grammar shared with case lists, intake/declarations.py), so a mistake in
a declaration is reported against its file rather than surfacing later as a confusing failure
in some partner's return.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from functools import partial
from operator import attrgetter
from pathlib import Path
from typing import Any, Literal

from lscb_metrics.intake import declarations as grammar
from lscb_metrics.intake.declarations import (
    SCHEMAS_DIR,
    CheckSpec,
    DeclaredColumns,
    Labelled,
    SpecError,
)
from lscb_metrics.periods import Quarter

ColumnType = Literal["count", "integer", "code"]
Aggregation = Literal["flow", "snapshot"]
Breakdown = Literal["total", "agency"]

COLUMN_TYPES: tuple[str, ...] = ("count", "integer", "code")
NUMERIC_TYPES: tuple[str, ...] = ("count", "integer")
AGGREGATIONS: tuple[str, ...] = ("flow", "snapshot")
BREAKDOWNS: tuple[str, ...] = ("total", "agency")
COVER_TYPES: tuple[str, ...] = ("string", "date")

_CODE_RE = re.compile(r"^[A-Z]{2,6}-X\d{2,3}$")
# Only what a declaration needs: sums and comparisons of columns and whole numbers. Anything
# else is refused so that DataFrame.eval never sees more than arithmetic.
_RULE_NODES = (
    ast.Compare,
    ast.BinOp,
    ast.Name,
    ast.Constant,
    ast.Load,
    ast.Add,
    ast.Sub,
    ast.Mult,
    ast.Eq,
    ast.NotEq,
    ast.Lt,
    ast.LtE,
    ast.Gt,
    ast.GtE,
)


#: The local target for completing a single assessment, in working days.
ASSESSMENT_TARGET = "assessment_working_days"
#: Local targets a board profile may set, with the default a new board gets and what each
#: means; a return column tied to one (`local_target`) must give the board's own.
LOCAL_TARGETS: dict[str, tuple[int, str]] = {
    ASSESSMENT_TARGET: (45, "working days within which a single assessment should end"),
}


@dataclass(frozen=True)
class ColumnSpec(Labelled):
    """One data column of a return."""

    name: str
    title: str
    type: ColumnType
    aliases: tuple[str, ...] = ()
    aggregation: Aggregation | None = None
    minimum: int | None = None
    maximum: int | None = None
    allowed: tuple[str, ...] = ()
    description: str = ""
    #: The board profile's local target (LOCAL_TARGETS) every value must equal.
    local_target: str | None = None


@dataclass(frozen=True)
class ReturnSpec(DeclaredColumns):
    """What one type of partner return holds and the rules its rows must satisfy."""

    return_type: str
    title: str
    description: str
    sent_by: tuple[str, ...]
    row_key: tuple[str, ...]
    columns: tuple[ColumnSpec, ...]
    checks: tuple[CheckSpec, ...]
    breakdown: Breakdown = "total"

    @property
    def measure_columns(self) -> tuple[ColumnSpec, ...]:
        """Columns that become facts: those with an aggregation."""
        return tuple(column for column in self.columns if column.aggregation)


@dataclass(frozen=True)
class CoverField(Labelled):
    """A field every return states about itself (return type, agency, area, period)."""

    name: str
    title: str
    type: Literal["string", "date"]
    aliases: tuple[str, ...] = ()
    description: str = ""


@dataclass(frozen=True)
class Agency:
    """A partner agency, the returns it sends, and the quarters it sends them for (every
    quarter where the profile gives neither `first` nor `last`)."""

    code: str
    name: str
    type: str
    returns: tuple[str, ...]
    #: The first and the last quarter it sends returns for: a partner that joined the board, or
    #: left it (a community rehabilitation company in 2021), keeps its earlier returns.
    first: Quarter | None = None
    last: Quarter | None = None
    #: The partnership's areas it sends returns for (`areas: [E06000034]`: a council joining a
    #: partnership by a merger reports for its own area); every area of the board when empty.
    areas: tuple[str, ...] = ()

    def sends_for(self, area: str) -> bool:
        """True where the agency sends returns for `area`."""
        return not self.areas or area in self.areas

    @property
    def current(self) -> bool:
        """True for an agency still on the board, which partner templates are written for."""
        return self.last is None

    def sends_in(self, period_end: date) -> bool:
        """True where the agency sends returns for the quarter ending on `period_end`."""
        started = self.first is None or self.first.end <= period_end
        return started and (self.last is None or period_end <= self.last.end)

    @property
    def span(self) -> str:
        """The quarters it sends returns for, as its profile dates them: 'from 2015-16 Q1',
        'until 2020-21 Q4', 'from 2015-16 Q1 until 2020-21 Q4' ('' for every quarter)."""
        since = f"from {self.first.label}" if self.first else ""
        return " ".join(filter(None, (since, f"until {self.last.label}" if self.last else "")))


def cover_index(fields: Iterable[CoverField]) -> dict[str, str]:
    """Matching key of every cover label -> cover field name."""
    return grammar.labels_index((field.name, field.labels) for field in fields)


def return_spec_named(specs: Mapping[str, ReturnSpec], text: str) -> ReturnSpec | None:
    """The return whose type or title `text` gives, ignoring case and punctuation."""
    return grammar.labelled(specs.values(), text, attrgetter("return_type", "title"))


def agency_named(agencies: Mapping[str, Agency], text: str) -> Agency | None:
    """The agency whose code or name `text` gives, ignoring case and punctuation."""
    return grammar.labelled(agencies.values(), text, attrgetter("code", "name"))


def load_cover_fields(schemas_dir: Path = SCHEMAS_DIR) -> tuple[CoverField, ...]:
    """The cover fields declared in `cover.yaml`."""
    path = schemas_dir / "cover.yaml"
    document = grammar.yaml_mapping(grammar.yaml_document(path), path, "the file", {"fields"})
    fields = tuple(
        _cover_field(item, path)
        for item in grammar.yaml_list(document.get("fields"), path, "fields")
    )
    if not fields:
        raise SpecError(f"{path}: declares no cover fields")
    grammar.checked_unique((field.name for field in fields), path, "cover field name")
    grammar.checked_unambiguous(((field.name, field.labels) for field in fields), path)
    return fields


def load_return_specs(schemas_dir: Path = SCHEMAS_DIR) -> dict[str, ReturnSpec]:
    """Every return declared in `returns/*.yaml`, keyed by return type."""
    cover_fields = load_cover_fields(schemas_dir)
    paths = sorted((schemas_dir / "returns").glob("*.yaml"))
    if not paths:
        raise SpecError(f"{schemas_dir / 'returns'}: no return declarations (*.yaml) found")
    parse = partial(_return_spec, cover_fields=cover_fields)
    key = attrgetter("return_type")
    return grammar.keyed_declarations(paths, parse, key, "return type", "check code")


def _return_spec(document: Any, path: Path, cover_fields: tuple[CoverField, ...]) -> ReturnSpec:
    """The ReturnSpec declared by one parsed YAML document."""
    keys = {"return_type", "title", "description", "sent_by", "row_key", "columns", "checks"}
    item = grammar.yaml_mapping(
        document, path, "the file", {*keys, "breakdown"}, required=keys - {"checks"}
    )
    return_type = grammar.yaml_name(item["return_type"], path, "return_type")
    columns = tuple(_column(c, path) for c in grammar.yaml_list(item["columns"], path, "columns"))
    if not columns:
        raise SpecError(f"{path}: declares no columns")
    grammar.checked_unique((column.name for column in columns), path, "column name")
    cover_labels = ((f"cover field {f.name}", f.labels) for f in cover_fields)
    grammar.checked_unambiguous([*((c.name, c.labels) for c in columns), *cover_labels], path)
    names = {column.name: column for column in columns}
    row_key = tuple(
        grammar.yaml_text(k, path, "row_key")
        for k in grammar.yaml_list(item["row_key"], path, "row_key")
    )
    for key in row_key:
        if key not in names:
            raise SpecError(f"{path}: row_key refers to unknown column {key!r}")
    numeric = {name for name, column in names.items() if column.type in NUMERIC_TYPES}
    checks = tuple(
        _check(c, path, numeric) for c in grammar.yaml_list(item.get("checks"), path, "checks")
    )
    grammar.checked_unique((check.code for check in checks), path, "check code")
    breakdown = item.get("breakdown", "total")
    if breakdown not in BREAKDOWNS:
        raise SpecError(f"{path}: breakdown {breakdown!r} is not one of {', '.join(BREAKDOWNS)}")
    return ReturnSpec(
        return_type=return_type,
        title=grammar.yaml_text(item["title"], path, "title"),
        description=grammar.yaml_text(item["description"], path, "description"),
        sent_by=tuple(
            grammar.yaml_text(s, path, "sent_by")
            for s in grammar.yaml_list(item["sent_by"], path, "sent_by")
        ),
        row_key=row_key,
        columns=columns,
        checks=checks,
        breakdown=breakdown,
    )


def _column(document: Any, path: Path) -> ColumnSpec:
    """One declared column."""
    keys = {"name", "title", "type", "aliases", "aggregation", "min", "max", "allowed"}
    item = grammar.yaml_mapping(
        document,
        path,
        "a column",
        {*keys, "description", "local_target"},
        {"name", "title", "type"},
    )
    name = grammar.yaml_name(item["name"], path, "column name")
    where = f"column {name}"
    column_type = grammar.declared_type(item, path, where, COLUMN_TYPES)
    aggregation = item.get("aggregation")
    if aggregation is not None and aggregation not in AGGREGATIONS:
        raise SpecError(f"{path}: {where} has unknown aggregation {aggregation!r}")
    if aggregation is not None and column_type not in NUMERIC_TYPES:
        raise SpecError(f"{path}: {where} is a code column and cannot have an aggregation")
    minimum, maximum = grammar.declared_bounds(item, path, where, column_type)
    if minimum is not None and maximum is not None and minimum > maximum:
        raise SpecError(f"{path}: {where} has min {minimum} above max {maximum}")
    allowed = tuple(
        grammar.yaml_text(a, path, f"{where} allowed")
        for a in grammar.yaml_list(item.get("allowed"), path, where)
    )
    grammar.checked_codes_allowed(column_type, allowed, path, where)
    grammar.checked_unambiguous(((code, (code,)) for code in allowed), path)
    local_target = item.get("local_target")
    if local_target is not None and local_target not in LOCAL_TARGETS:
        raise SpecError(
            f"{path}: {where} has unknown local_target {local_target!r} "
            f"(known: {', '.join(LOCAL_TARGETS)})"
        )
    return ColumnSpec(
        name=name,
        title=grammar.yaml_text(item["title"], path, f"{where} title"),
        type=column_type,
        aliases=tuple(
            grammar.yaml_text(a, path, f"{where} alias")
            for a in grammar.yaml_list(item.get("aliases"), path, where)
        ),
        aggregation=aggregation,
        minimum=minimum,
        maximum=maximum,
        allowed=allowed,
        description=str(item.get("description") or ""),
        local_target=local_target,
    )


def _check(document: Any, path: Path, numeric_columns: set[str]) -> CheckSpec:
    """One declared cross-column check, its rule parsed to find the columns it uses."""
    item, code, rule, tree = grammar.declared_check(
        document, path, _CODE_RE, "REF-X01 and not be a rule code"
    )
    if not isinstance(tree, ast.Compare):
        raise SpecError(f"{path}: check {code} rule {rule!r} must compare, e.g. a <= b")
    for node in ast.walk(tree):
        if not isinstance(node, _RULE_NODES) or (
            isinstance(node, ast.Constant) and type(node.value) is not int
        ):
            raise SpecError(
                f"{path}: check {code} rule {rule!r} may use only columns, whole numbers, "
                "+ - * and comparisons"
            )
    names = sorted((n.col_offset, n.id) for n in ast.walk(tree) if isinstance(n, ast.Name))
    columns = tuple(dict.fromkeys(name for _, name in names))
    if not columns:
        raise SpecError(f"{path}: check {code} rule {rule!r} refers to no columns")
    for column in columns:
        if column not in numeric_columns:
            raise SpecError(
                f"{path}: check {code} rule refers to unknown column {column!r} "
                "(rules may use count and integer columns)"
            )
    return CheckSpec(
        code, rule, grammar.yaml_text(item["message"], path, f"check {code} message"), columns
    )


def _cover_field(document: Any, path: Path) -> CoverField:
    """One declared cover field."""
    keys = {"name", "title", "type", "aliases", "description"}
    item = grammar.yaml_mapping(document, path, "a cover field", keys, {"name", "title", "type"})
    name = grammar.yaml_name(item["name"], path, "cover field name")
    if item["type"] not in COVER_TYPES:
        raise SpecError(f"{path}: cover field {name} has unknown type {item['type']!r}")
    return CoverField(
        name=name,
        title=grammar.yaml_text(item["title"], path, f"cover field {name} title"),
        type=item["type"],
        aliases=tuple(
            grammar.yaml_text(a, path, f"cover field {name} alias")
            for a in grammar.yaml_list(item.get("aliases"), path, name)
        ),
        description=str(item.get("description") or ""),
    )
