"""The compute core: pure functions from facts to curated.indicator_values and
curated.comparisons, one indicator at a time, built on the `stats` functions the oracle and
property tests check. No I/O: readers and the warehouse adapter live at the edges."""

from lscb_metrics.compute.comparisons import COMPARISON_COLUMNS, comparisons
from lscb_metrics.compute.values import (
    VALUE_COLUMNS,
    indicator_values,
    published_limits,
    with_intervals,
)

__all__ = [
    "COMPARISON_COLUMNS",
    "VALUE_COLUMNS",
    "comparisons",
    "indicator_values",
    "published_limits",
    "with_intervals",
]
