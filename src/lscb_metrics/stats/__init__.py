"""Pure statistics core: intervals, benchmark comparison, ranks, quartiles, rates and rounding.

Everything here is a pure function of numbers (no I/O); see each module for its method source.
"""

from lscb_metrics.stats.comparison import (
    BEST,
    BETTER,
    COMPARISON_LABELS,
    HIGHER,
    LOWER,
    NOT_COMPARED,
    SIMILAR,
    WORSE,
    WORST,
    compare_with_benchmark,
)
from lscb_metrics.stats.disclosure import (
    SYMBOL_NOTES,
    publication_value,
    publication_values,
    round_national_count,
    suppress_derived,
    suppress_small_counts,
)
from lscb_metrics.stats.intervals import (
    EXACT_BELOW,
    METHOD_BYARS,
    METHOD_EXACT,
    METHOD_WILSON,
    byars_interval,
    exact_poisson_interval,
    proportion_ci_method,
    rate_ci_method,
    rate_interval,
    rate_intervals,
    wilson_interval,
    wilson_intervals,
    z_score,
)
from lscb_metrics.stats.neighbours import neighbour_average, rank_within_group
from lscb_metrics.stats.polarity import (
    HIGH_IS_GOOD,
    LOW_IS_GOOD,
    NO_JUDGEMENT,
    POLARITIES,
    checked_polarity,
)
from lscb_metrics.stats.ranking import (
    QUARTILE_BANDS,
    place_in_field,
    quartile_band,
    quartile_bands,
    quartile_cut_points,
    rank_areas,
)
from lscb_metrics.stats.rates import change, percent_change, rate
from lscb_metrics.stats.rounding import (
    round_half_away_from_zero,
    round_to_base,
    rounded_half_away_from_zero,
)
from lscb_metrics.stats.trend import TREND_LABELS, recent_trend, trend_z

__all__ = [
    "BEST",
    "BETTER",
    "COMPARISON_LABELS",
    "EXACT_BELOW",
    "HIGHER",
    "HIGH_IS_GOOD",
    "LOWER",
    "LOW_IS_GOOD",
    "METHOD_BYARS",
    "METHOD_EXACT",
    "METHOD_WILSON",
    "NOT_COMPARED",
    "NO_JUDGEMENT",
    "POLARITIES",
    "QUARTILE_BANDS",
    "SIMILAR",
    "SYMBOL_NOTES",
    "TREND_LABELS",
    "WORSE",
    "WORST",
    "byars_interval",
    "change",
    "checked_polarity",
    "compare_with_benchmark",
    "exact_poisson_interval",
    "neighbour_average",
    "percent_change",
    "place_in_field",
    "proportion_ci_method",
    "publication_value",
    "publication_values",
    "quartile_band",
    "quartile_bands",
    "quartile_cut_points",
    "rank_areas",
    "rank_within_group",
    "rate",
    "rate_ci_method",
    "rate_interval",
    "rate_intervals",
    "recent_trend",
    "round_half_away_from_zero",
    "round_national_count",
    "round_to_base",
    "rounded_half_away_from_zero",
    "suppress_derived",
    "suppress_small_counts",
    "trend_z",
    "wilson_interval",
    "wilson_intervals",
    "z_score",
]
