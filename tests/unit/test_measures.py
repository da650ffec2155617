"""The shipped measures registry agrees with the case-list derivation and names real code."""

from __future__ import annotations

import importlib
from pathlib import Path

from lscb_metrics.cases.derive import COUNT_QUERIES, MEASURES
from lscb_metrics.measures import BOARD_RECORDS, MEASURES_FILE, PARTNER_RETURNS, load_registry

SCHEMAS = Path(__file__).resolve().parents[2] / "schemas"
REGISTRY = load_registry(SCHEMAS / MEASURES_FILE)


def resolve(target: str) -> object:
    """The object a 'module:function' reference names."""
    module, name = target.split(":")
    return getattr(importlib.import_module(module), name)


def test_case_derivations_are_the_measures_the_case_queries_return() -> None:
    declared: dict[str, set[str]] = {}
    for measure in REGISTRY.measures.values():
        if measure.cases is None:
            continue
        declared.setdefault(measure.cases.list_type, set()).add(measure.name)
        query = resolve(measure.cases.query)
        assert query in COUNT_QUERIES[measure.cases.list_type], measure.name
        assert f"AS {measure.name}" in query(), measure.name
        assert (SCHEMAS / "cases" / f"{measure.cases.list_type}.yaml").is_file()
    assert declared == {list_type: set(names) for list_type, names in MEASURES.items()}


def test_every_table_loader_exists() -> None:
    for table in REGISTRY.tables.values():
        assert callable(resolve(table.loader)), table.name


def test_a_figure_is_collected_from_where_its_numerators_measures_come() -> None:
    # referrals: a column of the children's services return (or its case list); the board's
    # expenditure: its own records (finance); children looked after: DfE's figure alone.
    assert REGISTRY.collected_from(("referrals",)) == PARTNER_RETURNS
    assert REGISTRY.collected_from(("board_expenditure",)) == BOARD_RECORDS
    assert REGISTRY.collected_from(("looked_after_children",)) is None
