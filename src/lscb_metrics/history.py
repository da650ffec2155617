"""Warnings for figures far outside an area's usual range, judged against its earlier quarters.

A warning does not block a return: it asks the partner to check a figure (a typing slip such as
4,500 referrals for 450 is the usual cause) and is shown in the validation report.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas as pd

from lscb_metrics.intake.failures import Failure, failure
from lscb_metrics.intake.rules import UNUSUAL_VALUE
from lscb_metrics.periods import month_end_before

#: Quarters before the figure's own that make its usual range.
LOOKBACK_QUARTERS = 4
#: Fewer earlier quarters than this, or a median below MIN_TYPICAL, and nothing is judged:
#: small counts swing by chance.
MIN_HISTORY = 2
MIN_TYPICAL = 10
#: How far from the median (as a multiple, either way) a figure must be to be questioned.
FACTOR = 2.0

_KEY = ["area_code", "measure", "breakdown"]


def unusual_value_failures(
    facts: pd.DataFrame,
    history: pd.DataFrame,
    locations: Mapping[str, str],
    titles: Mapping[str, str],
) -> list[Failure]:
    """RNG-001 warnings for each of a submission's `facts` more than FACTOR times above or below
    the median of the same measure over its previous LOOKBACK_QUARTERS quarters in `history`.

    `locations` gives the cell of each measure's column (first data row) and `titles` its title.
    """
    warnings = []
    for fact in facts.itertuples(index=False):
        earlier_ends = {
            month_end_before(fact.period_end, 3 * back) for back in range(1, LOOKBACK_QUARTERS + 1)
        }
        earlier = history[
            (history["area_code"] == fact.area_code)
            & (history["measure"] == fact.measure)
            & (history["breakdown"] == fact.breakdown)
            & history["period_end"].isin(earlier_ends)
        ]["value"].dropna()
        if len(earlier) < MIN_HISTORY or earlier.median() < MIN_TYPICAL:
            continue
        typical = float(earlier.median())
        if fact.value > FACTOR * typical:
            direction = f"more than {FACTOR:g} times"
        elif fact.value < typical / FACTOR:
            direction = f"less than 1/{FACTOR:g} of"
        else:
            continue
        warnings.append(
            failure(
                UNUSUAL_VALUE,
                locations.get(fact.measure, "Data"),
                column=fact.measure,
                value=f"{fact.value:,.0f}",
                title=titles.get(fact.measure, fact.measure),
                direction=direction,
                typical=f"{typical:,.0f}",
                count=str(len(earlier)),
            )
        )
    return warnings
