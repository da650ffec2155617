"""Which shipped file `explain` traces a published figure to, by the hash the warehouse holds."""

from __future__ import annotations

import hashlib
from pathlib import Path

from lscb_metrics.explain import exact, traced_file


def test_a_figure_is_traced_to_the_file_with_its_hash_or_said_to_be_replaced(
    tmp_path: Path,
) -> None:
    # After `reference add`, explain on a warehouse not yet run again named the new file beside
    # the old file's SHA-256, as if the figure came from it.
    shipped = tmp_path / "ons" / "ons_2012_to_2025.csv"
    shipped.parent.mkdir()
    shipped.write_text("time_period\n2025\n", encoding="utf-8")
    current = hashlib.sha256(shipped.read_bytes()).hexdigest()
    assert traced_file(tmp_path, "ons/ons_*.csv", current) == str(shipped)
    replaced = traced_file(tmp_path, "ons/ons_*.csv", "0" * 64)
    assert replaced.startswith(f"{tmp_path / 'ons/ons_*.csv'} (no longer shipped")


def test_a_traced_number_is_shown_as_stored_and_a_count_without_a_fraction() -> None:
    assert [exact(n) for n in (4805.0, 518.3107707243406, None, float("nan"), 0.0)] == [
        "4805",
        "518.3107707243406",
        "none",
        "none",
        "0",
    ]
