"""Shared scalar input checks for the statistics core."""

from __future__ import annotations

import math
from typing import Any

import pandas as pd


def is_missing(value: Any) -> bool:
    """True when a scalar figure is absent: None, NaN or pandas NA (e.g. suppressed)."""
    if value is None or value is pd.NA:
        return True
    try:
        return math.isnan(value)
    except TypeError:
        raise ValueError(f"expected a number or a missing value, got {value!r}") from None
