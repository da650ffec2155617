"""The recent trend of a withheld figure is withheld with it in the public edition: an
"Increasing and getting worse" beside a `c` says which way a count of 1 to 5 went."""

from __future__ import annotations

import numpy as np
import pandas as pd
from area_quarter import area_quarter

from lscb_metrics.editions import INTERNAL
from lscb_metrics.publish.figures import published_figures
from lscb_metrics.stats import trend
from lscb_metrics.stats.disclosure import SUPPRESSED

CATALOGUE = pd.DataFrame(
    {
        "numerator": ["neonatal_deaths", "infant_deaths"],
        "denominator": ["live_births", None],
        "multiplier": [1000, 1],
        "decimals": [1, 0],
        "subject": "children",
        "comparators": "",
        "part_of": None,
        "window_months": 12,
    },
    index=["neonatal_rate", "infant_deaths"],
)


def quarter(neonatal: float, infants: float, trends: list[str | None]) -> pd.DataFrame:
    """One area's figure rows at one quarter: its neonatal death rate per 1,000 of 1,800 live
    births and its infant deaths, each with its recent trend."""
    return area_quarter(
        CATALOGUE,
        [neonatal, infants],
        [1800.0, np.nan],
        [1000 * neonatal / 1800, infants],
        trend=trends,
    )


WORSE = [trend.INCREASING_WORSE, trend.CANNOT_BE_CALCULATED]


def test_the_trend_of_a_withheld_rate_and_count_is_withheld() -> None:
    # 3 neonatal deaths: the rate on them is c, so "increasing and getting worse" would say the
    # small count rose; the infant deaths' 4 are c, and so is their trend, whatever it says.
    published = published_figures(quarter(3, 4, WORSE), CATALOGUE).set_index("indicator_id")
    assert published.at["neonatal_rate", "value"] == SUPPRESSED
    assert published["trend"].to_dict() == {"neonatal_rate": "c", "infant_deaths": "c"}


def test_the_trend_of_a_figure_shown_is_shown() -> None:
    published = published_figures(quarter(12, 20, WORSE), CATALOGUE).set_index("indicator_id")
    assert published["trend"].to_dict() == dict(zip(CATALOGUE.index, WORSE, strict=True))


def test_the_internal_edition_keeps_every_trend() -> None:
    published = published_figures(quarter(3, 4, WORSE), CATALOGUE, INTERNAL)
    assert published["trend"].tolist() == WORSE


def test_a_withheld_figure_without_a_trend_gets_the_symbol_not_a_gap() -> None:
    # The symbol stands where the label would be, as for the value itself.
    published = published_figures(quarter(3, 20, [None, None]), CATALOGUE)
    assert published["trend"].tolist() == [SUPPRESSED, None]
