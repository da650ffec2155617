"""Which note a workbook sheet without figures refers to: a new board's first quarters where its
theme's partner figures are all summed over more than a quarter, else "no figures"."""

from __future__ import annotations

import pandas as pd

from lscb_metrics.measures import BOARD_RECORDS, PARTNER_RETURNS
from lscb_metrics.publish.workbook import FIRST_FIGURES, absent_figures_note

NEW_BOARD = {"rounding": "...", "no_figures": "...", FIRST_FIGURES: "Partner returns start ..."}
ESTABLISHED = {"rounding": "...", "no_figures": "..."}


def theme(*indicators: tuple[str, str, int, str | None]) -> pd.DataFrame:
    """Catalogue rows of one theme: (id, measure type, window in months, collected from)."""
    return pd.DataFrame(
        indicators, columns=["indicator_id", "measure_type", "window_months", "collected_from"]
    ).set_index("indicator_id")


DEATHS = theme(
    ("child_deaths", "flow", 12, PARTNER_RETURNS),
    ("child_death_rate_3yr", "flow", 36, PARTNER_RETURNS),
    ("infant_mortality_rate", "flow", 12, None),
)


def test_a_new_boards_12_month_theme_waits_for_its_fourth_quarter() -> None:
    assert absent_figures_note(DEATHS, NEW_BOARD) == FIRST_FIGURES


def test_an_established_board_has_no_figures_for_another_reason() -> None:
    assert absent_figures_note(DEATHS, ESTABLISHED) == "no_figures"


def test_a_quarters_snapshot_or_the_boards_own_records_would_be_there_already() -> None:
    plans = theme(
        ("cp_plans", "snapshot", 12, PARTNER_RETURNS), ("referrals", "flow", 12, PARTNER_RETURNS)
    )
    finance = theme(("budget", "flow", 12, BOARD_RECORDS))
    assert absent_figures_note(plans, NEW_BOARD) == "no_figures"
    assert absent_figures_note(finance, NEW_BOARD) == "no_figures"
