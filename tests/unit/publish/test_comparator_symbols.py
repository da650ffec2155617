"""One rule for every comparator column of a published figure (England, region, neighbours,
rank, the comparisons and the comparators' year): `z` where the figure has no comparator of
that kind, `x` where it has one missing for the year, `c` only where it would say where a
withheld value lies."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from lscb_metrics.publish.figures import FIGURES, published_figures
from lscb_metrics.stats.comparison import NOT_COMPARED
from lscb_metrics.stats.disclosure import NOT_APPLICABLE, NOT_AVAILABLE, SUPPRESSED

END = date(2026, 9, 30)
ALL = "england, region, statistical_neighbours"
CATALOGUE = pd.DataFrame(
    {
        "numerator": ["deaths", "deaths", "deaths_neonatal", "referrals_all"],
        "denominator": [None, "population_0_17", "live_births", "population_0_17"],
        "multiplier": [1, 10000, 1000, 10000],
        "decimals": [0, 1, 1, 1],
        "subject": "children",
        "comparators": ["", "", "england", ALL],
        "part_of": None,
        "window_months": 12,
    },
    index=["deaths", "death_rate", "neonatal_rate", "referral_rate"],
)
#: Every comparator column of a published figure: from England's value to the period compared.
COMPARATOR_COLUMNS = FIGURES[FIGURES.index("england_value") :]


def board_row(indicator_id: str, numerator: float, **comparators: object) -> dict[str, object]:
    """A board's figure for 2026-27 Q2 with the comparators given (none by default)."""
    return {
        "indicator_id": indicator_id,
        "area_code": "E06000033",
        "geographic_level": "Local authority",
        "breakdown": "Total",
        "period_start": END,
        "period_end": END,
        "time_period": "2026-27 Q2",
        "source_type": "partner_return",
        "numerator": numerator,
        "denominator": 1000.0,
        "value": numerator,
        "value_symbol": None,
        "lower_ci95": numerator / 2,
        "upper_ci95": numerator * 2,
        "england_value": np.nan,
        "region_value": np.nan,
        "sn_average": np.nan,
        "rank": np.nan,
        "rank_of": np.nan,
        "vs_england": NOT_COMPARED,
        "vs_region": NOT_COMPARED,
        "comparator_period": None,
        **comparators,
    }


def published(*rows: dict[str, object]) -> pd.DataFrame:
    """The rows as the public edition publishes them, by indicator."""
    return published_figures(pd.DataFrame(rows), CATALOGUE).set_index("indicator_id")


def test_a_figure_with_no_comparator_of_any_kind_is_z_in_every_comparator_column() -> None:
    # A count, and a rate whose catalogue lists no comparators, one of them withheld (3 deaths).
    shown = published(board_row("deaths", 3), board_row("death_rate", 30))
    for indicator_id in ("deaths", "death_rate"):
        assert set(shown.loc[indicator_id, COMPARATOR_COLUMNS]) == {NOT_APPLICABLE}, indicator_id


def test_a_comparator_of_the_figures_kind_missing_for_the_year_is_x_and_no_other_is() -> None:
    # The neonatal rate is compared with England only, and England has no figure this year: a
    # withheld rate (2 deaths) is then not compared, rather than a comparison withheld.
    neonatal = published(board_row("neonatal_rate", 2)).loc["neonatal_rate"]
    assert neonatal["value"] == SUPPRESSED
    assert (neonatal["england_value"], neonatal["comparator_period"]) == ("x", "x")
    assert neonatal["vs_england"] == NOT_COMPARED
    assert set(neonatal[["region_value", "sn_average", "rank", "rank_of", "vs_region"]]) == {
        NOT_APPLICABLE
    }


def test_a_comparison_that_would_place_a_withheld_value_is_c() -> None:
    compared = {
        "england_value": 573.3,
        "region_value": 445.7,
        "sn_average": 593.1,
        "rank": 12.0,
        "rank_of": 150.0,
        "vs_england": "Lower",
        "vs_region": "Similar",
        "comparator_period": "2024-25",
    }
    withheld = published(board_row("referral_rate", 4, **compared)).loc["referral_rate"]
    assert withheld["value"] == SUPPRESSED
    assert list(withheld[["england_value", "region_value", "sn_average"]]) == [573.3, 445.7, 593.1]
    assert set(withheld[["rank", "rank_of", "vs_england", "vs_region"]]) == {SUPPRESSED}
    # The comparators' year says nothing of the value.
    assert withheld["comparator_period"] == "2024-25"


def test_a_figure_with_comparators_but_no_published_year_yet_is_x() -> None:
    early = published(board_row("referral_rate", 400)).loc["referral_rate"]
    assert set(early[["comparator_period", "england_value", "rank"]]) == {NOT_AVAILABLE}
