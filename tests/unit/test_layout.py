"""The warehouse layout: declared once in schemas/warehouse.yaml; an older warehouse is brought
up by a run, a newer one refused by every command."""

from __future__ import annotations

from pathlib import Path

import lscb_metrics
from lscb_metrics.layout import Layout, Recorded, declared_layout, layout_refusal

SCHEMAS = Path(__file__).resolve().parents[2] / "schemas"
WAREHOUSE = Path("data/warehouse.duckdb")
LAYOUT = Layout(2, {1: "audit.runs gains tool_version.", 2: "audit.board_runs gains note."})


def test_the_declared_layout_says_what_each_layout_changed() -> None:
    layout = declared_layout(SCHEMAS / "warehouse.yaml")
    assert sorted(layout.changes) == list(range(1, layout.number + 1))
    assert all(text.strip() for text in layout.changes.values())


def test_an_upgrade_names_the_changes_of_every_layout_it_crosses() -> None:
    assert LAYOUT.changes_since(0) == (
        "Layout 1: audit.runs gains tool_version. Layout 2: audit.board_runs gains note."
    )
    assert LAYOUT.changes_since(1) == "Layout 2: audit.board_runs gains note."
    assert LAYOUT.changes_since(None) == "created at layout 2"


def test_a_new_or_current_warehouse_is_used() -> None:
    assert layout_refusal(WAREHOUSE, None, LAYOUT) is None
    assert layout_refusal(WAREHOUSE, Recorded(2, "0.1.0"), LAYOUT, reading=True) is None


def test_a_run_takes_an_older_warehouse_and_a_read_asks_for_a_run_first() -> None:
    older = Recorded(0, None)
    assert layout_refusal(WAREHOUSE, older, LAYOUT) is None
    refusal = layout_refusal(WAREHOUSE, older, LAYOUT, reading=True)
    assert refusal is not None
    message = str(refusal)
    assert "written by an older lscb_metrics (before warehouse layouts were recorded)" in message
    assert f"this is lscb_metrics {lscb_metrics.__version__}, whose layout is 2" in message
    assert "Nothing was changed: run a quarter with this version first" in message
    assert "lscb-metrics run --period" in message


def test_a_newer_warehouse_is_refused_by_every_command_naming_both_versions() -> None:
    newer = Recorded(3, "0.4.0")
    for reading in (False, True):
        refusal = layout_refusal(WAREHOUSE, newer, LAYOUT, reading=reading)
        assert refusal is not None
        message = str(refusal)
        assert "written by a newer lscb_metrics 0.4.0 (warehouse layout 3)" in message
        assert "which knows layouts up to 2" in message
        assert "Nothing was changed: use the newer version again" in message
