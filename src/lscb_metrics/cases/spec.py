"""Declarations of the case-level lists, read from `schemas/cases/`.

The grammar is that of `schemas/returns/`: columns with name, title, type, aliases and
description, and declared checks with a stable code, a rule and a message. Case lists add column
types for a child's record (`child_id`, `date`, `date_of_birth`, `code` with per-code aliases,
`flag`, `area`), `required`, and checks that compare dates (`referral_date <= period_end`).
`cover.yaml` declares the columns every list repeats on each row (authority and period).
Declarations are checked when loaded, so a mistake is reported against its file.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from functools import cached_property, partial
from operator import attrgetter
from pathlib import Path
from typing import Any, Literal

from lscb_metrics.cases.pseudonymise import looks_identifying
from lscb_metrics.intake import declarations as grammar
from lscb_metrics.intake.declarations import (
    SCHEMAS_DIR,
    CheckSpec,
    DeclaredColumns,
    Labelled,
    SpecError,
)

CaseColumnType = Literal["child_id", "date", "date_of_birth", "code", "flag", "integer", "area"]
COLUMN_TYPES: tuple[str, ...] = (
    "child_id", "date", "date_of_birth", "code", "flag", "integer", "area",
)  # fmt: skip
#: Types a declared check may compare (a date of birth never appears in a message).
CHECKABLE_TYPES: tuple[str, ...] = ("date", "integer")
CASES_FOLDER = "cases"
COVER_FILE = "cover.yaml"

_CHECK_CODE_RE = re.compile(r"^CAS-X\d{2}$")
_COMPARISONS: dict[type, str] = {
    ast.Lt: "<", ast.LtE: "<=", ast.Gt: ">", ast.GtE: ">=", ast.Eq: "=", ast.NotEq: "<>",
}  # fmt: skip
_COLUMN_KEYS = {"name", "title", "type", "aliases", "description", "required", "allowed"}


@dataclass(frozen=True)
class AllowedCode:
    """One code a `code` column accepts, and the other spellings that mean it."""

    code: str
    aliases: tuple[str, ...] = ()

    @property
    def labels(self) -> tuple[str, ...]:
        """Every spelling of the code."""
        return (self.code, *self.aliases)


@dataclass(frozen=True)
class CaseColumn(Labelled):
    """One column of a case list (or of the cover every list repeats)."""

    name: str
    title: str
    type: CaseColumnType
    required: bool = False
    aliases: tuple[str, ...] = ()
    allowed: tuple[AllowedCode, ...] = ()
    minimum: int | None = None
    maximum: int | None = None
    description: str = ""

    @property
    def codes(self) -> tuple[str, ...]:
        """The canonical codes of a `code` column."""
        return tuple(allowed.code for allowed in self.allowed)

    @cached_property
    def code_index(self) -> dict[str, str]:
        """Matching key of every spelling of a code -> the code."""
        return grammar.labels_index((allowed.code, allowed.labels) for allowed in self.allowed)


@dataclass(frozen=True)
class CaseCheck(CheckSpec):
    """A declared rule comparing a row's dates (or numbers), e.g. `a <= b`, and its SQL."""

    sql: str  # the rule as a DuckDB predicate over the columns, NULL when any is blank


@dataclass(frozen=True)
class CaseListSpec(DeclaredColumns):
    """What one case list holds: its columns (cover first, so `column_names` starts with the
    cover), row key and declared checks."""

    list_type: str
    title: str
    description: str
    row_key: tuple[str, ...]
    columns: tuple[CaseColumn, ...]
    checks: tuple[CaseCheck, ...]

    @property
    def key_date(self) -> str:
        """The date column that, with the child, identifies a record (e.g. referral_date)."""
        return self.row_key[1]

    @property
    def event_dates(self) -> tuple[str, ...]:
        """The list's own date columns (not the cover's period, not the date of birth)."""
        cover = ("period_start", "period_end")
        return tuple(c.name for c in self.columns if c.type == "date" and c.name not in cover)

    @property
    def required_columns(self) -> tuple[CaseColumn, ...]:
        """Columns every file of this list must have."""
        return tuple(column for column in self.columns if column.required)


def load_case_specs(schemas_dir: Path = SCHEMAS_DIR) -> dict[str, CaseListSpec]:
    """Every case list declared in `cases/*.yaml` (each with the cover columns first), keyed by
    list type."""
    folder = schemas_dir / CASES_FOLDER
    cover = _cover_columns(folder / COVER_FILE)
    paths = sorted(path for path in folder.glob("*.yaml") if path.name != COVER_FILE)
    if not paths:
        raise SpecError(f"{folder}: no case list declarations (*.yaml) found")
    parse = partial(_list_spec, cover=cover)
    return grammar.keyed_declarations(paths, parse, attrgetter("list_type"), "list type", "check")


def _cover_columns(path: Path) -> tuple[CaseColumn, ...]:
    """The columns every case list repeats on each row, all required."""
    document = grammar.yaml_mapping(
        grammar.yaml_document(path), path, "the file", {"fields"}, {"fields"}
    )
    fields = grammar.yaml_list(document["fields"], path, "fields")
    columns = tuple(_column(item, path, required=True) for item in fields)
    if [column.name for column in columns] != ["la_code", "period_start", "period_end"]:
        raise SpecError(f"{path}: the cover must declare la_code, period_start, period_end")
    return columns


def _list_spec(document: Any, path: Path, cover: tuple[CaseColumn, ...]) -> CaseListSpec:
    """The CaseListSpec declared by one parsed YAML document."""
    keys = {"list_type", "title", "description", "row_key", "columns", "checks"}
    item = grammar.yaml_mapping(document, path, "the file", keys, keys - {"checks"})
    list_type = grammar.yaml_name(item["list_type"], path, "list_type")
    own = tuple(_column(c, path) for c in grammar.yaml_list(item["columns"], path, "columns"))
    columns = (*cover, *own)
    grammar.checked_unique((column.name for column in columns), path, "column name")
    grammar.checked_unambiguous(((column.name, column.labels) for column in columns), path)
    if [column.type for column in columns].count("child_id") != 1:
        raise SpecError(f"{path}: a case list has exactly one child_id column")
    names = {column.name: column for column in columns}
    row_key = tuple(
        grammar.yaml_text(key, path, "row_key")
        for key in grammar.yaml_list(item["row_key"], path, "row_key")
    )
    key_types = tuple(names[key].type if key in names else None for key in row_key)
    if key_types != ("child_id", "date"):
        raise SpecError(f"{path}: row_key must be the child_id column and a date column")
    checkable = {name for name, column in names.items() if column.type in CHECKABLE_TYPES}
    checks = tuple(
        _check(c, path, checkable) for c in grammar.yaml_list(item.get("checks"), path, "checks")
    )
    grammar.checked_unique((check.code for check in checks), path, "check code")
    return CaseListSpec(
        list_type=list_type,
        title=grammar.yaml_text(item["title"], path, "title"),
        description=grammar.yaml_text(item["description"], path, "description"),
        row_key=row_key,
        columns=columns,
        checks=checks,
    )


def _column(document: Any, path: Path, required: bool | None = None) -> CaseColumn:
    """One declared column; cover columns are always required."""
    keys = _COLUMN_KEYS | ({"min", "max"})
    item = grammar.yaml_mapping(document, path, "a column", keys, {"name", "title", "type"})
    name = grammar.yaml_name(item["name"], path, "column name")
    where = f"column {name}"
    column_type = grammar.declared_type(item, path, where, COLUMN_TYPES)
    allowed = tuple(
        _allowed(a, path, where) for a in grammar.yaml_list(item.get("allowed"), path, where)
    )
    grammar.checked_codes_allowed(column_type, allowed, path, where)
    grammar.checked_unambiguous(((a.code, a.labels) for a in allowed), path)
    minimum, maximum = grammar.declared_bounds(item, path, where, column_type)
    if column_type == "integer" and (minimum is None or maximum is None or minimum > maximum):
        raise SpecError(f"{path}: {where}: an integer column needs min <= max")
    aliases = grammar.yaml_list(item.get("aliases"), path, where)
    flag = item.get("required", False)
    if not isinstance(flag, bool):
        raise SpecError(f"{path}: {where}: required must be true or false")
    column = CaseColumn(
        name=name,
        title=grammar.yaml_text(item["title"], path, f"{where} title"),
        type=column_type,
        required=flag if required is None else required,
        aliases=tuple(grammar.yaml_text(alias, path, f"{where} alias") for alias in aliases),
        allowed=allowed,
        minimum=minimum,
        maximum=maximum,
        description=str(item.get("description") or ""),
    )
    identifying = [label for label in column.labels if looks_identifying(label)]
    if identifying:
        raise SpecError(
            f"{path}: {where} label {identifying[0]!r} looks identifying, so files would have "
            "the column dropped unread; choose another label"
        )
    return column


def _allowed(document: Any, path: Path, where: str) -> AllowedCode:
    """One allowed code with its aliases."""
    item = grammar.yaml_mapping(
        document, path, f"an allowed code of {where}", {"code", "aliases"}, {"code"}
    )
    return AllowedCode(
        code=grammar.yaml_name(item["code"], path, f"{where} code"),
        aliases=tuple(str(a) for a in grammar.yaml_list(item.get("aliases"), path, where)),
    )


def _check(document: Any, path: Path, checkable: set[str]) -> CaseCheck:
    """One declared check, its rule parsed into the columns it compares and its SQL."""
    item, code, rule, tree = grammar.declared_check(document, path, _CHECK_CODE_RE, "CAS-X01")
    operands = [tree.left, *tree.comparators] if isinstance(tree, ast.Compare) else []
    if not operands or not all(isinstance(op, ast.Name) for op in operands):
        raise SpecError(f"{path}: check {code} rule {rule!r} must compare columns, e.g. a <= b")
    if not all(type(op) in _COMPARISONS for op in tree.ops):
        raise SpecError(f"{path}: check {code} rule {rule!r} uses an unknown comparison")
    columns = tuple(dict.fromkeys(op.id for op in operands))
    for column in columns:
        if column not in checkable:
            raise SpecError(
                f"{path}: check {code} compares {column!r}, which is not a date or integer column"
            )
    pairs = zip(operands, tree.ops, operands[1:], strict=False)
    sql = " AND ".join(f'"{a.id}" {_COMPARISONS[type(op)]} "{b.id}"' for a, op, b in pairs)
    message = grammar.yaml_text(item["message"], path, f"check {code} message")
    return CaseCheck(code, rule, message, columns, sql)
