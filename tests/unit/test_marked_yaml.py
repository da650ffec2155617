"""Declarations read with the line of every mapping and key, by libyaml's loader where there is
one: the same documents and lines as PyYAML's pure Python loader gives."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from lscb_metrics import marked_yaml
from lscb_metrics.errors import CatalogueError
from lscb_metrics.marked_yaml import Marked, at, line_of, load_marked

SCHEMAS = Path(__file__).resolve().parents[2] / "schemas"


class _PurePythonLoader(yaml.SafeLoader):
    """PyYAML's own loader, building `Marked` mappings as `load_marked` does."""


_PurePythonLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, marked_yaml._marked_mapping
)


def _marked_tree(node: Any) -> Any:
    """`node` with each mapping's lines spelled out, so that two documents compare with ==."""
    if isinstance(node, Marked):
        children = {key: _marked_tree(value) for key, value in node.items()}
        return ("mapping", node.line, node.key_lines, children)
    if isinstance(node, list):
        return [_marked_tree(item) for item in node]
    return (type(node).__name__, node)


def test_lines_of_a_mapping_and_its_keys(tmp_path):
    path = tmp_path / "board.yaml"
    path.write_text("name: Leeds\nagencies:\n  - code: LCC-CSC\n    returns: [cin]\n")
    document = load_marked(path)
    assert line_of(document) == 1 and line_of(document, "agencies") == 2
    agency = document["agencies"][0]
    assert line_of(agency, "returns") == 4 and line_of(agency, "missing") == 3
    assert at(path, agency, "code") == f"{path}:3"


def test_every_shipped_declaration_reads_as_the_pure_python_loader_reads_it():
    if yaml.__with_libyaml__:
        assert issubclass(marked_yaml._MarkedLoader, yaml.CSafeLoader)
    declarations = sorted(SCHEMAS.rglob("*.yaml"))
    assert len(declarations) > 10
    for path in declarations:
        text = path.read_text(encoding="utf-8")
        expected = yaml.load(text, Loader=_PurePythonLoader)
        assert _marked_tree(load_marked(path)) == _marked_tree(expected), path


def test_an_unreadable_declaration_names_its_file(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text("name: [unclosed\n")
    with pytest.raises(CatalogueError, match=r"broken\.yaml"):
        load_marked(path)


def test_a_key_given_twice_is_refused_naming_both_lines(tmp_path):
    # YAML itself would keep the second and drop the first without a word.
    path = tmp_path / "warehouse.yaml"
    path.write_text(
        "relations:\n  a.b:\n    description: one\n    description: two\n", encoding="utf-8"
    )
    with pytest.raises(CatalogueError) as refused:
        load_marked(path)
    assert str(refused.value) == (
        f"{path}:4: 'description' given twice in one mapping (first on line 3)"
    )


def test_a_merged_key_may_be_overridden(tmp_path):
    path = tmp_path / "merged.yaml"
    path.write_text("base: &b {x: 1, y: 2}\nchild:\n  <<: *b\n  y: 3\n", encoding="utf-8")
    assert load_marked(path)["child"] == {"x": 1, "y": 3}
