"""YAML read with the line of every mapping and key, so declaration errors name file and line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from lscb_metrics.errors import CatalogueError


class Marked(dict):
    """A YAML mapping that remembers its own line and the line of each of its keys."""

    line: int = 0
    key_lines: dict[Any, int]


#: libyaml's safe loader where PyYAML was built with it, which reads a declaration about eight
#: times faster than the pure Python one and gives the same nodes, lines included.
SAFE_LOADER: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class DuplicateKey(yaml.YAMLError):
    """A key given twice in one mapping: YAML loaders would silently keep the last."""

    def __init__(self, key: Any, line: int, first_line: int) -> None:
        super().__init__(f"{key!r} given twice in one mapping (first on line {first_line})")
        self.line = line


class _MarkedLoader(SAFE_LOADER):
    """The safe loader building `Marked` mappings."""


class _UniqueKeyLoader(SAFE_LOADER):
    """The safe loader building plain dicts, refusing a key given twice."""


def _refuse_duplicate_keys(loader: SAFE_LOADER, node: yaml.MappingNode) -> None:
    """DuplicateKey if the mapping at `node` gives a key twice (merged keys aside, which a
    mapping may override by YAML's own rules)."""
    first_lines: dict[Any, int] = {}
    for key_node, _ in node.value:
        if key_node.tag == "tag:yaml.org,2002:merge":
            continue
        key = loader.construct_object(key_node, deep=True)
        line = key_node.start_mark.line + 1
        if key in first_lines:
            raise DuplicateKey(key, line, first_lines[key])
        first_lines[key] = line


def _unique_key_mapping(loader: _UniqueKeyLoader, node: yaml.MappingNode) -> dict:
    """The mapping at `node` as a dict, refusing duplicate keys."""
    _refuse_duplicate_keys(loader, node)
    loader.flatten_mapping(node)
    return loader.construct_mapping(node, deep=True)


def _marked_mapping(loader: _MarkedLoader, node: yaml.MappingNode) -> Marked:
    """The mapping at `node` as a `Marked` dict (1-based lines), refusing duplicate keys."""
    _refuse_duplicate_keys(loader, node)
    loader.flatten_mapping(node)
    mapping = Marked(loader.construct_mapping(node, deep=True))
    mapping.line = node.start_mark.line + 1
    mapping.key_lines = {
        loader.construct_object(key, deep=True): key.start_mark.line + 1 for key, _ in node.value
    }
    return mapping


_MarkedLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _marked_mapping)
_UniqueKeyLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _unique_key_mapping
)


def load_unique(text: str) -> Any:
    """The YAML document `text` as plain Python objects; DuplicateKey for a key given twice in
    one mapping."""
    return yaml.load(text, Loader=_UniqueKeyLoader)


def load_marked(path: Path) -> Any:
    """The YAML document at `path` with `Marked` mappings; CatalogueError if unreadable or a key
    is given twice in one mapping."""
    try:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=_MarkedLoader)
    except DuplicateKey as error:
        raise CatalogueError(f"{path}:{error.line}: {error}") from None
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        raise CatalogueError(f"cannot read {path}: {error}") from error


def line_of(mapping: Any, key: Any = None) -> int:
    """Line of `key` in `mapping` (of the mapping itself when the key is absent or None)."""
    lines = getattr(mapping, "key_lines", {})
    return lines.get(key, getattr(mapping, "line", 0))


def at(path: Path, mapping: Any, key: Any = None) -> str:
    """'path:line' of `key` in `mapping`, the prefix of every declaration error."""
    return f"{path}:{line_of(mapping, key)}"
