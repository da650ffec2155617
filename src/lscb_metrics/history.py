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


def unusual_values(facts: pd.DataFrame, history: pd.DataFrame) -> pd.DataFrame:
    """The rows of `facts` more than FACTOR times above or below the median of the same measure
    (area, measure, breakdown) over its previous LOOKBACK_QUARTERS quarters in `history`, with
    that median (`typical`) and the number of quarters it is taken over (`quarters`); in the
    order of `facts`. One pass over every fact, however long the history."""
    if facts.empty:
        return facts.assign(typical=pd.Series(dtype="float64"), quarters=pd.Series(dtype="int64"))
    own = facts.reset_index(drop=True).rename_axis("_fact").reset_index()
    earlier_ends = {
        end: [month_end_before(end, 3 * back) for back in range(1, LOOKBACK_QUARTERS + 1)]
        for end in own["period_end"].unique()
    }
    wanted = own[["_fact", *_KEY, "period_end"]].assign(
        _earlier=own["period_end"].map(earlier_ends)
    )
    wanted = wanted.explode("_earlier").drop(columns="period_end")
    past = history[[*_KEY, "period_end", "value"]].dropna(subset=["value"])
    matched = wanted.merge(past, left_on=[*_KEY, "_earlier"], right_on=[*_KEY, "period_end"])
    usual = matched.groupby("_fact")["value"].agg(typical="median", quarters="size")
    judged = own.join(usual, on="_fact", how="inner")
    judged = judged[(judged["quarters"] >= MIN_HISTORY) & (judged["typical"] >= MIN_TYPICAL)]
    beyond = (judged["value"] > FACTOR * judged["typical"]) | (
        judged["value"] < judged["typical"] / FACTOR
    )
    return judged[beyond].sort_values("_fact").drop(columns="_fact").reset_index(drop=True)


def unusual_value_failures(
    unusual: pd.DataFrame, locations: Mapping[str, str], titles: Mapping[str, str]
) -> list[Failure]:
    """RNG-001 warnings for a submission's `unusual` facts (from `unusual_values`).

    `locations` gives the cell of each measure's column (first data row) and `titles` its title.
    """
    return [
        failure(
            UNUSUAL_VALUE,
            locations.get(fact.measure, "Data"),
            column=fact.measure,
            value=f"{fact.value:,.0f}",
            title=titles.get(fact.measure, fact.measure),
            direction=(
                f"more than {FACTOR:g} times"
                if fact.value > FACTOR * fact.typical
                else f"less than 1/{FACTOR:g} of"
            ),
            typical=f"{fact.typical:,.0f}",
            count=str(fact.quarters),
        )
        for fact in unusual.itertuples(index=False)
    ]
