"""A pooled count less the 12-month counts of its other years gives the year left: where that
year's count is 1 to 5, the public edition withholds the pooled figure (count, rate, limits),
on the demo warehouse with one of Southend's years of child deaths made small."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import duckdb

from lscb_metrics.editions import INTERNAL, PUBLIC, Edition
from lscb_metrics.publish.figures import (
    WITHHELD_POOLED,
    WITHHELD_SMALL,
    catalogue_frame,
    figure_rows,
    published_figures,
    read_only,
)
from lscb_metrics.stats.disclosure import SUPPRESSED

SOUTHEND = "E06000033"
END, YEAR_BEFORE = date(2014, 9, 30), date(2013, 9, 30)
OWN = f"v.area_code = '{SOUTHEND}' AND v.source_type = 'partner_return'"


def deaths_with_a_small_year(demo_warehouse: Path, folder: Path) -> Path:
    """A copy of the demo warehouse where the 12 months to September 2013 had 3 child deaths,
    and the 2 years to September 2014 those 3 with the year after's."""
    path = Path(shutil.copy(demo_warehouse, folder / "w.duckdb"))
    mine = "area_code = ? AND source_type = 'partner_return' AND period_end = ?"
    with duckdb.connect(str(path)) as connection:
        [(latest,)] = connection.execute(
            f"SELECT numerator FROM curated.indicator_values "
            f"WHERE indicator_id = 'child_deaths' AND {mine}",
            [SOUTHEND, END],
        ).fetchall()
        connection.execute(
            "UPDATE curated.indicator_values SET numerator = 3, value = 3 "
            f"WHERE indicator_id = 'child_deaths' AND {mine}",
            [SOUTHEND, YEAR_BEFORE],
        )
        connection.execute(
            "UPDATE curated.indicator_values SET numerator = ? "
            f"WHERE indicator_id = 'child_death_rate_2yr' AND {mine}",
            [latest + 3, SOUTHEND, END],
        )
    return path


def pooled_rows(path: Path, edition: Edition = PUBLIC) -> dict[tuple[str, date], dict]:
    """Southend's published child-death figures by (indicator, period end)."""
    with read_only(path) as connection:
        rows = figure_rows(connection, f"{OWN} AND v.indicator_id LIKE 'child_death%'")
        catalogue = catalogue_frame(connection)
    published = published_figures(rows, catalogue, edition)
    return {(r["indicator_id"], r["period_end"]): r for r in published.to_dict("records")}


def test_the_pooled_figure_beside_a_small_year_is_withheld(demo_warehouse, tmp_path) -> None:
    path = deaths_with_a_small_year(demo_warehouse, tmp_path)
    with read_only(path) as connection:
        rows = figure_rows(connection, f"{OWN} AND v.indicator_id = 'child_death_rate_2yr'")
    # The smallest of the years in the 2 years to September 2014.
    assert rows.set_index("period_end").at[END, "smallest_year_count"] == 3

    public = pooled_rows(path)
    pooled = public[("child_death_rate_2yr", END)]
    # Before: 2-year count less the September 2014 year's count gave the 3.
    assert pooled["numerator"] == pooled["value"] == SUPPRESSED
    assert pooled["lower_ci95"] == pooled["upper_ci95"] == SUPPRESSED
    assert public[("child_deaths", YEAR_BEFORE)]["value"] == SUPPRESSED
    assert public[("child_deaths", END)]["value"] != SUPPRESSED
    # Each says why, as `lscb-metrics explain` prints it.
    assert pooled["withheld_because"] == WITHHELD_POOLED
    assert public[("child_deaths", YEAR_BEFORE)]["withheld_because"] == WITHHELD_SMALL
    # The internal edition shows every figure.
    internal = pooled_rows(path, INTERNAL)[("child_death_rate_2yr", END)]
    assert internal["numerator"] != SUPPRESSED


def test_pooled_figures_of_years_with_no_small_count_are_shown(demo_warehouse) -> None:
    # Southend's years each had at least 7 deaths: its pooled figures are all published.
    public = pooled_rows(demo_warehouse)
    pooled = [r for (i, _), r in public.items() if i.startswith("child_death_rate_")]
    assert pooled and all(r["numerator"] != SUPPRESSED for r in pooled)
