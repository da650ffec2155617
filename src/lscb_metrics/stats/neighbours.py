"""Statistical-neighbour comparisons: the mean of an area's neighbours and its place among them.

DfE's children's services statistical neighbours give each local authority its 10 closest
authorities, so a full group is 11 areas. Neighbours without a value (suppressed, or absent from
the data) are left out, and the number actually used is returned with each figure.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal

from lscb_metrics.stats._validate import is_missing
from lscb_metrics.stats.polarity import LOW_IS_GOOD, checked_polarity


def _checked_codes(neighbour_codes: Sequence[str]) -> Sequence[str]:
    """`neighbour_codes` once it is a sequence of distinct area codes (not one bare string)."""
    if isinstance(neighbour_codes, str):
        raise ValueError(
            f"neighbour_codes must be a sequence of codes, got the string {neighbour_codes!r}"
        )
    duplicates = sorted({code for code in neighbour_codes if neighbour_codes.count(code) > 1})
    if duplicates:
        raise ValueError(f"neighbour_codes repeats {duplicates}")
    return neighbour_codes


def neighbour_average(
    values: Mapping[str, float], neighbour_codes: Sequence[str]
) -> tuple[float, int]:
    """Simple (unweighted) mean of the neighbours' values and how many were present;
    (nan, 0) when none was (DfE LAIT statistical neighbour average).

    The mean is taken in decimal arithmetic on the figures as printed, so a mean that is exactly
    a half (3.3, 5.0, 5.1, 5.3, 3.1, 1.9 -> 3.95) stays one and is published rounded up, as
    LAIT's dfeR::round_five_up rounds it; a binary mean (3.9499999999999997) would round down."""
    present = [
        float(values[code])
        for code in _checked_codes(neighbour_codes)
        if code in values and not is_missing(values[code])
    ]
    if not present:
        return math.nan, 0
    total = sum((Decimal(repr(value)) for value in present), Decimal(0))
    return float(total / len(present)), len(present)


def rank_within_group(
    area_value: float, neighbour_values: Iterable[float], polarity: str
) -> tuple[int | None, int]:
    """Position of the area among itself and its neighbours (1 = best, or highest for
    no_judgement; ties share the better place) and the number of areas with a value;
    position None when the area has none (DfE LAIT statistical neighbour ranking)."""
    checked_polarity(polarity)
    present = [float(value) for value in neighbour_values if not is_missing(value)]
    if is_missing(area_value):
        return None, len(present)
    # rank_areas' rule (ties take the better place) for one member: 1 + how many are strictly
    # ahead of it, without building a Series for each of the thousands of groups in a run.
    if polarity == LOW_IS_GOOD:
        ahead = sum(value < area_value for value in present)
    else:
        ahead = sum(value > area_value for value in present)
    return ahead + 1, len(present) + 1
