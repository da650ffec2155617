"""Rates and changes between periods, with suppressed (missing) figures passed through as NaN."""

from __future__ import annotations

import math

from lscb_metrics.stats._validate import is_missing


def rate(numerator: float, denominator: float, multiplier: float) -> float:
    """numerator / denominator × multiplier, e.g. per 10,000 children; NaN if either is missing
    or the denominator is 0 (PHEindicatormethods phe_rate / phe_proportion value)."""
    if is_missing(multiplier) or multiplier <= 0:
        raise ValueError(f"multiplier must be > 0 (e.g. 10000 per 10,000), got {multiplier!r}")
    if is_missing(numerator) or is_missing(denominator):
        return math.nan
    if numerator < 0 or denominator < 0:
        raise ValueError(
            f"numerator and denominator must be >= 0, got {numerator!r} / {denominator!r}"
        )
    if denominator == 0:
        return math.nan
    return numerator / denominator * multiplier


def change(current: float, previous: float) -> float:
    """current - previous, in the figures' own units; NaN if either is missing."""
    if is_missing(current) or is_missing(previous):
        return math.nan
    return float(current - previous)


def percent_change(current: float, previous: float) -> float:
    """(current - previous) / previous × 100, in per cent; NaN if either is missing or previous
    is 0 (no base to compare with)."""
    if is_missing(current) or is_missing(previous) or previous == 0:
        return math.nan
    return (current - previous) / previous * 100
