"""Comparison of an area with a benchmark (England or its region), as Fingertips colours it.

Method: Fingertips "single overlapping confidence intervals" (comparator ids 1 and 17 in
fingertips-open `SingleOverlappingCIsForOneCILevelComparer` / `...ForTwoCILevelsComparer`, and
FingertipsNext `BenchmarkComparisonEngine`). The benchmark *value* is tested against the area's
interval, limits inclusive; it is not a test of two overlapping intervals.

One level (95%): benchmark inside the interval -> Similar, else Better/Worse by polarity
(Lower/Higher when the polarity makes no judgement). Two levels (95% and 99.8%): benchmark
outside the 99.8% interval -> Best/Worst; between the 95% and 99.8% limits -> Better/Worse.
With no judgement there is no stronger label, so both levels give Lower/Higher.
Fingertips' label "Same" is called "Similar" here, as in FingertipsNext.
"""

from __future__ import annotations

from lscb_metrics.stats._validate import is_missing
from lscb_metrics.stats.polarity import HIGH_IS_GOOD, LOW_IS_GOOD, NO_JUDGEMENT, checked_polarity

BETTER = "Better"
SIMILAR = "Similar"
WORSE = "Worse"
BEST = "Best"
WORST = "Worst"
LOWER = "Lower"
HIGHER = "Higher"
NOT_COMPARED = "Not compared"
COMPARISON_LABELS: tuple[str, ...] = (
    BEST,
    BETTER,
    SIMILAR,
    WORSE,
    WORST,
    LOWER,
    HIGHER,
    NOT_COMPARED,
)

# (polarity, benchmark outside the 99.8% interval) -> (label when area is below, when above).
_LABELS: dict[tuple[str, bool], tuple[str, str]] = {
    (HIGH_IS_GOOD, False): (WORSE, BETTER),
    (HIGH_IS_GOOD, True): (WORST, BEST),
    (LOW_IS_GOOD, False): (BETTER, WORSE),
    (LOW_IS_GOOD, True): (BEST, WORST),
    (NO_JUDGEMENT, False): (LOWER, HIGHER),
    (NO_JUDGEMENT, True): (LOWER, HIGHER),
}


def _interval_side(benchmark: float, lower: float, upper: float) -> int:
    """-1 if the interval lies wholly below the benchmark, +1 wholly above, 0 if it contains it
    (limits inclusive, Fingertips single overlapping CIs)."""
    if upper < benchmark:
        return -1
    if lower > benchmark:
        return 1
    return 0


def _check_nested(
    value: float, lower95: float, upper95: float, lower998: float | None, upper998: float | None
) -> None:
    """Raise ValueError unless lower998 <= lower95 <= value <= upper95 <= upper998."""
    if not lower95 <= value <= upper95:
        raise ValueError(f"value {value} lies outside its 95% interval [{lower95}, {upper95}]")
    if (
        lower998 is not None
        and upper998 is not None
        and not lower998 <= lower95 <= upper95 <= upper998
    ):
        raise ValueError(
            f"99.8% interval [{lower998}, {upper998}] does not contain the 95% interval "
            f"[{lower95}, {upper95}]"
        )


def compare_with_benchmark(
    value: float,
    lower95: float,
    upper95: float,
    benchmark: float,
    polarity: str,
    lower998: float | None = None,
    upper998: float | None = None,
) -> str:
    """Fingertips label for an area against a benchmark: one of COMPARISON_LABELS (Fingertips
    single overlapping CIs, one level or 95%/99.8%); pass no 99.8% limits for one level."""
    checked_polarity(polarity)
    two_levels = lower998 is not None or upper998 is not None
    figures = [value, lower95, upper95, benchmark]
    if two_levels:
        figures += [lower998, upper998]
    if any(is_missing(figure) for figure in figures):
        return NOT_COMPARED
    _check_nested(value, lower95, upper95, lower998, upper998)
    side = _interval_side(benchmark, lower95, upper95)
    if side == 0:
        return SIMILAR
    beyond_998 = two_levels and _interval_side(benchmark, lower998, upper998) != 0
    below, above = _LABELS[(polarity, beyond_998)]
    return above if side > 0 else below
