"""One count, one decision: a count withheld in one row of the public edition is withheld in
every row that publishes the same count, so no count of 1 to 5 can be worked out by taking one
published figure from another."""

from __future__ import annotations

import numpy as np
import pandas as pd
from area_quarter import area_quarter

from lscb_metrics.editions import INTERNAL
from lscb_metrics.publish.figures import (
    WITHHELD_DERIVED,
    WITHHELD_SHARED,
    WITHHELD_SMALL,
    published_figures,
)
from lscb_metrics.stats.disclosure import SUPPRESSED

TWO_YEARS = "cp_plans_two_years_or_more"
CATALOGUE = pd.DataFrame(
    {
        "numerator": ["cp_plans_at_end", TWO_YEARS, TWO_YEARS],
        "denominator": [None, None, "cp_plans_at_end"],
        "multiplier": [1, 1, 100],
        "decimals": [0, 0, 1],
        "subject": "children",
        "comparators": "",
        "part_of": None,
        "window_months": 12,
    },
    index=["cp_plans", "cp_plans_two_years_or_more", "cp_plans_two_years_or_more_pct"],
)


def quarter(plans: float, two_years: float) -> pd.DataFrame:
    """One area's figure rows at one quarter: its plans, those open two years or more, and
    their percentage of the plans."""
    return area_quarter(
        CATALOGUE,
        [plans, two_years, two_years],
        [np.nan, np.nan, plans],
        [plans, two_years, 100 * two_years / plans],
    )


def test_a_count_whose_percentage_is_withheld_for_its_complement_is_withheld_too() -> None:
    # 10 plans, 7 of them two years or more: the 3 under two years are a count of 1 to 5.
    published = published_figures(quarter(10, 7), CATALOGUE).set_index("indicator_id")
    assert published.at["cp_plans_two_years_or_more_pct", "value"] == SUPPRESSED
    assert published.at["cp_plans_two_years_or_more", "value"] == SUPPRESSED
    assert published.at["cp_plans_two_years_or_more", "numerator"] == SUPPRESSED
    assert published.at["cp_plans", "value"] == 10


def test_counts_shown_everywhere_stay_shown() -> None:
    published = published_figures(quarter(40, 7), CATALOGUE).set_index("indicator_id")
    assert published.at["cp_plans_two_years_or_more", "value"] == 7
    assert published.at["cp_plans_two_years_or_more_pct", "value"] == 17.5


def test_the_internal_edition_withholds_nothing() -> None:
    published = published_figures(quarter(10, 7), CATALOGUE, INTERNAL).set_index("indicator_id")
    assert published.at["cp_plans_two_years_or_more", "value"] == 7


def test_each_withheld_figure_says_why() -> None:
    # 10 plans, 7 of them two years or more: the percentage is withheld for the 3 under two
    # years, and the count of 7 because the percentage's numerator is withheld.
    complement = published_figures(quarter(10, 7), CATALOGUE).set_index("indicator_id")
    because = complement["withheld_because"].to_dict()
    assert because == {
        "cp_plans": None,
        "cp_plans_two_years_or_more": WITHHELD_SHARED,
        "cp_plans_two_years_or_more_pct": WITHHELD_DERIVED,
    }
    # 3 plans two years or more: a small count, and so its percentage.
    small = published_figures(quarter(40, 3), CATALOGUE).set_index("indicator_id")
    assert small["withheld_because"].to_dict() == {
        "cp_plans": None,
        "cp_plans_two_years_or_more": WITHHELD_SMALL,
        "cp_plans_two_years_or_more_pct": WITHHELD_SMALL,
    }
    # The internal edition withholds nothing, so gives no reason.
    internal = published_figures(quarter(40, 3), CATALOGUE, INTERNAL)
    assert internal["withheld_because"].isna().all()
