"""The open-data README's examples of periods are its edition's own quarter's."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from lscb_metrics.periods import Quarter
from lscb_metrics.publish.exports import exports_readme


def test_the_period_examples_are_the_editions_quarters() -> None:
    # A 2026-27 edition explained its periods with the demo's 2013-14 and 2014-15.
    meta = pd.DataFrame(columns=["col_name", "col_type", "label", "filter_hint"])
    catalogue = pd.DataFrame(columns=["title", "theme", "unit", "decimals", "polarity"])
    readme = exports_readme([Path("open.csv")], meta, catalogue, "Bristol SCP", Quarter(2026, 2))
    assert "`202627` with `Financial year` is 2026-27 (April to March)" in readme
    assert (
        "`202627` with `Financial year Q2` is the board's figure at the end of 2026-27 Q2, on "
        in readme
    )
    assert "30 September 2026" in readme
    assert "2013-14" not in readme and "2014" not in readme
