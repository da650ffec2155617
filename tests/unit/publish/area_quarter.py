"""Figure rows (publish.figures' layout) of one area at one quarter, for the disclosure tests."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import numpy as np
import pandas as pd

END = date(2014, 9, 30)


def area_quarter(
    catalogue: pd.DataFrame,
    numerator: Sequence[float],
    denominator: Sequence[float],
    value: Sequence[float],
    **columns: object,
) -> pd.DataFrame:
    """One partner-return figure of each of `catalogue`'s indicators for E06000052 at 2014-15
    Q2, without comparators or intervals, and any other `columns` given."""
    return pd.DataFrame(
        {
            "indicator_id": list(catalogue.index),
            "area_code": "E06000052",
            "geographic_level": "Local authority",
            "breakdown": "Total",
            "period_start": END,
            "period_end": END,
            "time_period": "2014-15 Q2",
            "source_type": "partner_return",
            "numerator": numerator,
            "denominator": denominator,
            "value": value,
            "value_symbol": None,
            **dict.fromkeys(["lower_ci95", "upper_ci95", "england_value", "region_value"], np.nan),
            **dict.fromkeys(["sn_average", "rank", "rank_of"], np.nan),
            **dict.fromkeys(["vs_england", "vs_region", "comparator_period"], None),
            **columns,
        }
    )
