"""Loading the declarations in `schemas/`: the YAML grammar shared by partner returns and case
lists, checked the same way for both.

Declarations are checked when loaded, so a mistake in one is reported against its file rather
than surfacing later as a confusing failure in some partner's file. The adapters (returns/spec.py,
cases/spec.py) say what their declarations hold; everything they parse alike lives here.
"""

from __future__ import annotations

import ast
import difflib
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any, Protocol, TypeVar

import yaml

from lscb_metrics.errors import LscbError
from lscb_metrics.intake.rules import RULES
from lscb_metrics.marked_yaml import DuplicateKey, load_unique

#: `schemas/` at the project root, beside `src/`.
SCHEMAS_DIR = Path(__file__).resolve().parents[3] / "schemas"

_NAME_RE = re.compile(r"^[a-z][a-z0-9_]*$")


class SpecError(LscbError, ValueError):
    """A declaration in `schemas/` that is malformed; the message names the file."""


@dataclass(frozen=True)
class CheckSpec:
    """A declared rule across columns that every data row must satisfy, e.g. `a <= b`."""

    code: str
    rule: str
    message: str
    columns: tuple[str, ...]


class _Declaration(Protocol):
    """A declaration of one kind of file, with the checks declared for it."""

    @property
    def checks(self) -> Sequence[CheckSpec]: ...


Declaration = TypeVar("Declaration", bound=_Declaration)
Named = TypeVar("Named")


class Labelled:
    """A declared thing a partner may name by its `name`, `title` or any of its `aliases`."""

    name: str
    title: str
    aliases: tuple[str, ...]

    @property
    def labels(self) -> tuple[str, ...]:
        """Every label that names this: name, title and aliases."""
        return (self.name, self.title, *self.aliases)


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


def label_key(text: str) -> str:
    """Matching key of a label: case-folded, without spaces, underscores or punctuation."""
    return re.sub(r"[\W_]+", "", text.casefold())


def labels_index(named_labels: Iterable[tuple[str, Iterable[str]]]) -> dict[str, str]:
    """Matching key -> name, for (name, labels) pairs already checked to be unambiguous."""
    return {label_key(label): name for name, labels in named_labels for label in labels}


def nearest_label(text: str, labels: Iterable[str], cutoff: float = 0.6) -> str | None:
    """The one of `labels` closest to `text` (by `label_key`, as difflib judges closeness), if
    any is at least `cutoff` alike (difflib's ratio, 1 for the same); None when `text` is blank."""
    by_key = {label_key(label): label for label in labels}
    key = label_key(text)
    close = difflib.get_close_matches(key, by_key, n=1, cutoff=cutoff) if key else []
    return by_key[close[0]] if close else None


def labelled(
    items: Iterable[Named], text: str, labels: Callable[[Named], Iterable[str]]
) -> Named | None:
    """The first of `items` that `text` names by one of its `labels`, ignoring case and
    punctuation; None when `text` is blank."""
    key = label_key(text)
    matches = (item for item in items if key in {label_key(label) for label in labels(item)})
    return next(matches, None) if key else None


def yaml_document(path: Path) -> Any:
    """The parsed YAML in `path`; SpecError naming the line of a key given twice."""
    try:
        return load_unique(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SpecError(f"{path}: file not found") from None
    except DuplicateKey as error:
        raise SpecError(f"{path}:{error.line}: {error}") from None
    except (yaml.YAMLError, UnicodeDecodeError) as error:
        raise SpecError(f"{path}: not valid YAML: {error}") from None


def keyed_declarations(
    paths: Iterable[Path],
    declaration: Callable[[Any, Path], Declaration],
    key: Callable[[Declaration], str],
    kind: str,
    check_label: str,
) -> dict[str, Declaration]:
    """The declarations in `paths` by `key`; SpecError for a `kind` (e.g. 'return type') declared
    twice, or a check code used in two files (named `check_label` in the message)."""
    declared: dict[str, Declaration] = {}
    check_files: dict[str, Path] = {}
    for path in paths:
        item = declaration(yaml_document(path), path)
        if key(item) in declared:
            raise SpecError(f"{path}: {kind} {key(item)!r} is declared twice")
        for check in item.checks:
            if check.code in check_files:
                other = check_files[check.code]
                raise SpecError(f"{path}: {check_label} {check.code} is also used in {other}")
            check_files[check.code] = path
        declared[key(item)] = item
    return declared


def declared_type(item: dict[str, Any], path: Path, where: str, types: Sequence[str]) -> str:
    """The declared `type` of `where`, one of `types`."""
    declared = item["type"]
    if declared not in types:
        raise SpecError(
            f"{path}: {where} has unknown type {declared!r} (expected one of {', '.join(types)})"
        )
    return declared


def declared_bounds(
    item: dict[str, Any], path: Path, where: str, column_type: str
) -> tuple[int | None, int | None]:
    """The declared `min` and `max` of `where`, given only for an integer column."""
    minimum, maximum = (yaml_whole(item.get(key), path, f"{where} {key}") for key in ("min", "max"))
    if column_type != "integer" and (minimum, maximum) != (None, None):
        raise SpecError(f"{path}: {where}: min and max apply only to integer columns")
    return minimum, maximum


def checked_codes_allowed(column_type: str, allowed: Sequence[Any], path: Path, where: str) -> None:
    """Refuse `allowed` codes on anything but a code column, and a code column without them."""
    if (column_type == "code") != bool(allowed):
        raise SpecError(f"{path}: {where}: a code column needs `allowed` codes, and only it")


def declared_check(
    document: Any, path: Path, code_pattern: re.Pattern[str], code_shape: str
) -> tuple[dict[str, Any], str, str, ast.expr]:
    """A declared check as (its mapping, code, rule text, parsed rule expression); its code
    must match `code_pattern` (described by `code_shape`) and not be a registered rule's."""
    item = yaml_mapping(document, path, "a check", {"code", "rule", "message"})
    code = yaml_text(item["code"], path, "check code")
    if not code_pattern.match(code) or code in RULES:
        raise SpecError(f"{path}: check code {code!r} must look like {code_shape}")
    rule = yaml_text(item["rule"], path, f"check {code} rule")
    try:
        tree = ast.parse(rule, mode="eval")
    except SyntaxError:
        raise SpecError(f"{path}: check {code} rule {rule!r} is not an expression") from None
    return item, code, rule, tree.body


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
