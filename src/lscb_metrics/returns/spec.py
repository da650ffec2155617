"""Declarations of partner returns, cover fields and agencies, read from `schemas/`.

The YAML files are the single source of truth for what each return holds. They are checked
when loaded, so a mistake in a declaration is reported against its file rather than surfacing
later as a confusing failure in some partner's return.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any, Literal

import yaml

from lscb_metrics.intake.rules import RULES

#: `schemas/` at the project root, beside `src/`.
SCHEMAS_DIR = Path(__file__).resolve().parents[3] / "schemas"

ColumnType = Literal["count", "integer", "code"]
Aggregation = Literal["flow", "snapshot"]
Breakdown = Literal["total", "agency"]

COLUMN_TYPES: tuple[str, ...] = ("count", "integer", "code")
NUMERIC_TYPES: tuple[str, ...] = ("count", "integer")
AGGREGATIONS: tuple[str, ...] = ("flow", "snapshot")
BREAKDOWNS: tuple[str, ...] = ("total", "agency")
COVER_TYPES: tuple[str, ...] = ("string", "date")

_NAME_RE = re.compile(r"^[a-z][a-z0-9_]*$")
_CODE_RE = re.compile(r"^[A-Z]{2,6}-X\d{2,3}$")
# libyaml's loader when installed: the declarations are read on every validation, and the pure
# Python loader makes that most of the time `lscb-metrics validate` takes.
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
# Only what a declaration needs: sums and comparisons of columns and whole numbers. Anything
# else is refused so that DataFrame.eval never sees more than arithmetic.
_RULE_NODES = (
    ast.Expression,
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


class SpecError(ValueError):
    """A declaration in `schemas/` that is malformed; the message names the file."""


@dataclass(frozen=True)
class ColumnSpec:
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

    @property
    def labels(self) -> tuple[str, ...]:
        """Every header that names this column: name, title and aliases."""
        return (self.name, self.title, *self.aliases)


@dataclass(frozen=True)
class CheckSpec:
    """A rule across columns that every data row must satisfy, e.g. `a <= b`."""

    code: str
    rule: str
    message: str
    columns: tuple[str, ...]


class DeclaredColumns:
    """Column look-ups shared by declarations (returns, case lists) holding `columns`, each
    with a `name` and the `labels` a partner may head it with."""

    columns: tuple[Any, ...]

    @property
    def column_names(self) -> tuple[str, ...]:
        """Canonical column names in declaration order."""
        return tuple(column.name for column in self.columns)

    def column(self, name: str) -> Any:
        """The column called `name`."""
        return next(column for column in self.columns if column.name == name)

    @cached_property
    def header_index(self) -> dict[str, str]:
        """Matching key of every header a partner may use -> canonical column name."""
        return labels_index((column.name, column.labels) for column in self.columns)


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
class CoverField:
    """A field every return states about itself (return type, agency, area, period)."""

    name: str
    title: str
    type: Literal["string", "date"]
    aliases: tuple[str, ...] = ()
    description: str = ""

    @property
    def labels(self) -> tuple[str, ...]:
        """Every label that names this field: name, title and aliases."""
        return (self.name, self.title, *self.aliases)


@dataclass(frozen=True)
class Agency:
    """A partner agency and the returns it sends."""

    code: str
    name: str
    type: str
    returns: tuple[str, ...]


def label_key(text: str) -> str:
    """Matching key of a label: case-folded, without spaces, underscores or punctuation."""
    return re.sub(r"[\W_]+", "", text.casefold())


def labels_index(named_labels: Iterable[tuple[str, Iterable[str]]]) -> dict[str, str]:
    """Matching key -> name, for (name, labels) pairs already checked to be unambiguous."""
    return {label_key(label): name for name, labels in named_labels for label in labels}


def cover_index(fields: Iterable[CoverField]) -> dict[str, str]:
    """Matching key of every cover label -> cover field name."""
    return labels_index((field.name, field.labels) for field in fields)


def return_spec_named(specs: Mapping[str, ReturnSpec], text: str) -> ReturnSpec | None:
    """The return whose type or title `text` gives, ignoring case and punctuation."""
    key = label_key(text)
    matches = (s for s in specs.values() if key in (label_key(s.return_type), label_key(s.title)))
    return next(matches, None) if key else None


def agency_named(agencies: Mapping[str, Agency], text: str) -> Agency | None:
    """The agency whose code or name `text` gives, ignoring case and punctuation."""
    key = label_key(text)
    matches = (a for a in agencies.values() if key in (label_key(a.code), label_key(a.name)))
    return next(matches, None) if key else None


def load_cover_fields(schemas_dir: Path = SCHEMAS_DIR) -> tuple[CoverField, ...]:
    """The cover fields declared in `cover.yaml`."""
    path = schemas_dir / "cover.yaml"
    document = yaml_mapping(yaml_document(path), path, "the file", {"fields"})
    fields = tuple(
        _cover_field(item, path) for item in yaml_list(document.get("fields"), path, "fields")
    )
    if not fields:
        raise SpecError(f"{path}: declares no cover fields")
    checked_unique((field.name for field in fields), path, "cover field name")
    checked_unambiguous(((field.name, field.labels) for field in fields), path)
    return fields


def load_return_specs(schemas_dir: Path = SCHEMAS_DIR) -> dict[str, ReturnSpec]:
    """Every return declared in `returns/*.yaml`, keyed by return type."""
    cover_fields = load_cover_fields(schemas_dir)
    paths = sorted((schemas_dir / "returns").glob("*.yaml"))
    if not paths:
        raise SpecError(f"{schemas_dir / 'returns'}: no return declarations (*.yaml) found")
    specs: dict[str, ReturnSpec] = {}
    check_files: dict[str, Path] = {}
    for path in paths:
        spec = _return_spec(yaml_document(path), path, cover_fields)
        if spec.return_type in specs:
            raise SpecError(f"{path}: return type {spec.return_type!r} is declared twice")
        for check in spec.checks:
            if check.code in check_files:
                raise SpecError(
                    f"{path}: check code {check.code} is also used in {check_files[check.code]}"
                )
            check_files[check.code] = path
        specs[spec.return_type] = spec
    return specs


def load_agencies(schemas_dir: Path = SCHEMAS_DIR) -> dict[str, Agency]:
    """The partner agencies declared in `agencies.yaml`, keyed by agency code."""
    path = schemas_dir / "agencies.yaml"
    document = yaml_mapping(yaml_document(path), path, "the file", {"agencies"})
    agencies = tuple(
        _agency(item, path) for item in yaml_list(document.get("agencies"), path, "agencies")
    )
    checked_unique((agency.code for agency in agencies), path, "agency code")
    checked_unambiguous(((a.code, (a.code, a.name)) for a in agencies), path)
    specs = load_return_specs(schemas_dir)
    for agency in agencies:
        for return_type in agency.returns:
            spec = specs.get(return_type)
            if spec is None:
                raise SpecError(
                    f"{path}: agency {agency.code} sends unknown return {return_type!r}"
                )
            if agency.type not in spec.sent_by:
                raise SpecError(
                    f"{path}: agency {agency.code} is of type {agency.type!r}, which the "
                    f"{return_type} return's sent_by ({', '.join(spec.sent_by)}) does not include"
                )
    return {agency.code: agency for agency in agencies}


def yaml_document(path: Path) -> Any:
    """The parsed YAML in `path`."""
    try:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=_YAML_LOADER)
    except FileNotFoundError:
        raise SpecError(f"{path}: file not found") from None
    except (yaml.YAMLError, UnicodeDecodeError) as error:
        raise SpecError(f"{path}: not valid YAML: {error}") from None


def _return_spec(document: Any, path: Path, cover_fields: tuple[CoverField, ...]) -> ReturnSpec:
    """The ReturnSpec declared by one parsed YAML document."""
    keys = {"return_type", "title", "description", "sent_by", "row_key", "columns", "checks"}
    item = yaml_mapping(
        document, path, "the file", {*keys, "breakdown"}, required=keys - {"checks"}
    )
    return_type = yaml_name(item["return_type"], path, "return_type")
    columns = tuple(_column(c, path) for c in yaml_list(item["columns"], path, "columns"))
    if not columns:
        raise SpecError(f"{path}: declares no columns")
    checked_unique((column.name for column in columns), path, "column name")
    cover_labels = ((f"cover field {f.name}", f.labels) for f in cover_fields)
    checked_unambiguous([*((c.name, c.labels) for c in columns), *cover_labels], path)
    names = {column.name: column for column in columns}
    row_key = tuple(
        yaml_text(k, path, "row_key") for k in yaml_list(item["row_key"], path, "row_key")
    )
    for key in row_key:
        if key not in names:
            raise SpecError(f"{path}: row_key refers to unknown column {key!r}")
    numeric = {name for name, column in names.items() if column.type in NUMERIC_TYPES}
    checks = tuple(_check(c, path, numeric) for c in yaml_list(item.get("checks"), path, "checks"))
    checked_unique((check.code for check in checks), path, "check code")
    breakdown = item.get("breakdown", "total")
    if breakdown not in BREAKDOWNS:
        raise SpecError(f"{path}: breakdown {breakdown!r} is not one of {', '.join(BREAKDOWNS)}")
    return ReturnSpec(
        return_type=return_type,
        title=yaml_text(item["title"], path, "title"),
        description=yaml_text(item["description"], path, "description"),
        sent_by=tuple(
            yaml_text(s, path, "sent_by") for s in yaml_list(item["sent_by"], path, "sent_by")
        ),
        row_key=row_key,
        columns=columns,
        checks=checks,
        breakdown=breakdown,
    )


def _column(document: Any, path: Path) -> ColumnSpec:
    """One declared column."""
    keys = {"name", "title", "type", "aliases", "aggregation", "min", "max", "allowed"}
    item = yaml_mapping(
        document, path, "a column", {*keys, "description"}, {"name", "title", "type"}
    )
    name = yaml_name(item["name"], path, "column name")
    where = f"column {name}"
    column_type = item["type"]
    if column_type not in COLUMN_TYPES:
        raise SpecError(
            f"{path}: {where} has unknown type {column_type!r} "
            f"(expected one of {', '.join(COLUMN_TYPES)})"
        )
    aggregation = item.get("aggregation")
    if aggregation is not None and aggregation not in AGGREGATIONS:
        raise SpecError(f"{path}: {where} has unknown aggregation {aggregation!r}")
    if aggregation is not None and column_type not in NUMERIC_TYPES:
        raise SpecError(f"{path}: {where} is a code column and cannot have an aggregation")
    minimum, maximum = (yaml_whole(item.get(key), path, f"{where} {key}") for key in ("min", "max"))
    if column_type != "integer" and (minimum, maximum) != (None, None):
        raise SpecError(f"{path}: {where}: min and max apply only to integer columns")
    if minimum is not None and maximum is not None and minimum > maximum:
        raise SpecError(f"{path}: {where} has min {minimum} above max {maximum}")
    allowed = tuple(
        yaml_text(a, path, f"{where} allowed") for a in yaml_list(item.get("allowed"), path, where)
    )
    if (column_type == "code") != bool(allowed):
        raise SpecError(f"{path}: {where}: a code column needs `allowed` codes, and only it")
    checked_unambiguous(((code, (code,)) for code in allowed), path)
    return ColumnSpec(
        name=name,
        title=yaml_text(item["title"], path, f"{where} title"),
        type=column_type,
        aliases=tuple(
            yaml_text(a, path, f"{where} alias")
            for a in yaml_list(item.get("aliases"), path, where)
        ),
        aggregation=aggregation,
        minimum=minimum,
        maximum=maximum,
        allowed=allowed,
        description=str(item.get("description") or ""),
    )


def _check(document: Any, path: Path, numeric_columns: set[str]) -> CheckSpec:
    """One declared cross-column check, its rule parsed to find the columns it uses."""
    item = yaml_mapping(document, path, "a check", {"code", "rule", "message"})
    code = yaml_text(item["code"], path, "check code")
    if not _CODE_RE.match(code) or code in RULES:
        raise SpecError(
            f"{path}: check code {code!r} must look like REF-X01 and not be a rule code"
        )
    rule = yaml_text(item["rule"], path, f"check {code} rule")
    try:
        tree = ast.parse(rule, mode="eval")
    except SyntaxError:
        raise SpecError(f"{path}: check {code} rule {rule!r} is not an expression") from None
    if not isinstance(tree.body, ast.Compare):
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
    return CheckSpec(code, rule, yaml_text(item["message"], path, f"check {code} message"), columns)


def _cover_field(document: Any, path: Path) -> CoverField:
    """One declared cover field."""
    keys = {"name", "title", "type", "aliases", "description"}
    item = yaml_mapping(document, path, "a cover field", keys, {"name", "title", "type"})
    name = yaml_name(item["name"], path, "cover field name")
    if item["type"] not in COVER_TYPES:
        raise SpecError(f"{path}: cover field {name} has unknown type {item['type']!r}")
    return CoverField(
        name=name,
        title=yaml_text(item["title"], path, f"cover field {name} title"),
        type=item["type"],
        aliases=tuple(
            yaml_text(a, path, f"cover field {name} alias")
            for a in yaml_list(item.get("aliases"), path, name)
        ),
        description=str(item.get("description") or ""),
    )


def _agency(document: Any, path: Path) -> Agency:
    """One declared agency."""
    keys = {"code", "name", "type", "returns"}
    item = yaml_mapping(document, path, "an agency", keys)
    code = yaml_text(item["code"], path, "agency code")
    returns = yaml_list(item["returns"], path, f"agency {code} returns")
    return Agency(
        code=code,
        name=yaml_text(item["name"], path, f"agency {code} name"),
        type=yaml_text(item["type"], path, f"agency {code} type"),
        returns=tuple(yaml_text(r, path, f"agency {code} returns") for r in returns),
    )


def yaml_mapping(
    document: Any, path: Path, what: str, allowed: set[str], required: set[str] | None = None
) -> dict[str, Any]:
    """`document` as a mapping with all `required` keys (default: all) and no unknown ones."""
    if not isinstance(document, dict):
        raise SpecError(f"{path}: {what} must be a mapping of keys to values")
    unknown = set(document) - allowed
    if unknown:
        raise SpecError(f"{path}: {what} has unknown key(s) {', '.join(sorted(map(str, unknown)))}")
    missing = (allowed if required is None else required) - set(document)
    if missing:
        raise SpecError(f"{path}: {what} lacks {', '.join(sorted(missing))}")
    return document


def yaml_list(value: Any, path: Path, what: str) -> list[Any]:
    """`value` as a list; absent means empty."""
    if value is None:
        return []
    if not isinstance(value, list):
        raise SpecError(f"{path}: {what} must be a list")
    return value


def yaml_text(value: Any, path: Path, what: str) -> str:
    """`value` as non-blank text."""
    if not isinstance(value, str) or not value.strip():
        raise SpecError(f"{path}: {what} must be non-blank text, not {value!r}")
    return value.strip()


def yaml_name(value: Any, path: Path, what: str) -> str:
    """`value` as a lower_snake_case name, usable in check rules."""
    text = yaml_text(value, path, what)
    if not _NAME_RE.match(text):
        raise SpecError(f"{path}: {what} {text!r} must be lower_snake_case")
    return text


def yaml_whole(value: Any, path: Path, what: str) -> int | None:
    """`value` as a whole number, or None when absent."""
    if value is not None and (type(value) is not int):
        raise SpecError(f"{path}: {what} must be a whole number, not {value!r}")
    return value


def checked_unique(names: Iterable[str], path: Path, what: str) -> None:
    """Refuse a name given twice."""
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise SpecError(f"{path}: duplicate {what} {name!r}")
        seen.add(name)


def checked_unambiguous(named_labels: Iterable[tuple[str, Iterable[str]]], path: Path) -> None:
    """Refuse a label (after matching) that would name two different things."""
    owners: dict[str, tuple[str, str]] = {}
    for name, labels in named_labels:
        for label in labels:
            key = label_key(label)
            if not key:
                raise SpecError(f"{path}: label {label!r} of {name} has no letters or digits")
            owner, owner_label = owners.setdefault(key, (name, label))
            if owner != name:
                raise SpecError(
                    f"{path}: label {label!r} of {name} matches {owner_label!r} of {owner}; "
                    "names and aliases must be unambiguous"
                )
