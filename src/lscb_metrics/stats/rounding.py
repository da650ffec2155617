"""Publication rounding: halves away from zero, as DfE and GSS statistics are published.

Python's round() rounds halves to even and works on the binary value (round(0.285, 2) == 0.28),
so both functions round the shortest decimal representation of the float instead: the number
the analyst sees (0.285) is the number that is rounded.
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal, localcontext

# Floats span about 1e-308..1e308, so 700 significant digits always quantize exactly.
_DIGITS = 700
_MAX_DECIMALS = 300


def _decimal_of(value: float) -> Decimal:
    """The shortest decimal that reads back as `value` (the float's repr, not its binary value)."""
    # float() first: repr of a numpy scalar is 'np.float64(...)', not a number.
    return Decimal(repr(float(value)))


def _checked_finite(value: float) -> float:
    """`value` as a float, NaN allowed, infinities rejected (no publishable rounding of inf)."""
    number = float(value)
    if math.isinf(number):
        raise ValueError(f"cannot round an infinite value: {value!r}")
    return number


def _rounded_decimal(value: Decimal, quantum: Decimal) -> float:
    """`value` rounded to a multiple of the power of ten `quantum`, halves away from zero."""
    with localcontext() as context:
        context.prec = _DIGITS
        # decimal's ROUND_HALF_UP is "half away from zero"; + 0.0 turns -0.0 into 0.0 for tables.
        return float(value.quantize(quantum, rounding=ROUND_HALF_UP)) + 0.0


def round_half_away_from_zero(value: float, decimals: int) -> float:
    """`value` rounded to `decimals` places, halves away from zero (DfE/GSS rounding); NaN kept."""
    if isinstance(decimals, bool) or not isinstance(decimals, int):
        raise ValueError(f"decimals must be an int, got {decimals!r}")
    if abs(decimals) > _MAX_DECIMALS:
        raise ValueError(f"decimals must be within ±{_MAX_DECIMALS}, got {decimals}")
    number = _checked_finite(value)
    if math.isnan(number):
        return math.nan
    return _rounded_decimal(_decimal_of(number), Decimal(1).scaleb(-decimals))


def round_to_base(value: float, base: int = 10) -> float:
    """`value` to the nearest multiple of `base`, halves away from zero (DfE: national counts to
    the nearest 10); NaN kept."""
    if isinstance(base, bool) or not isinstance(base, int) or base <= 0:
        raise ValueError(f"base must be a positive int, got {base!r}")
    number = _checked_finite(value)
    if math.isnan(number):
        return math.nan
    with localcontext() as context:
        context.prec = _DIGITS
        multiples = _decimal_of(number) / base
    return _rounded_decimal(multiples, Decimal(1)) * base
