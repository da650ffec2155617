"""Indicator polarity: which direction of an indicator is good, as in Fingertips (PolarityIds)."""

from __future__ import annotations

HIGH_IS_GOOD = "high_is_good"
LOW_IS_GOOD = "low_is_good"
NO_JUDGEMENT = "no_judgement"
POLARITIES: tuple[str, ...] = (HIGH_IS_GOOD, LOW_IS_GOOD, NO_JUDGEMENT)


def checked_polarity(polarity: str) -> str:
    """`polarity` unchanged once known to be one of POLARITIES (Fingertips RAG/BOB polarities)."""
    if polarity not in POLARITIES:
        raise ValueError(f"polarity must be one of {POLARITIES}, got {polarity!r}")
    return polarity
