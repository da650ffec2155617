"""Publication rounding: halves away from zero, as DfE and GSS statistics are published.

Python's round() rounds halves to even and works on the binary value (round(0.285, 2) == 0.28),
so both functions round the shortest decimal representation of the float instead: the number
the analyst sees (0.285) is the number that is rounded.
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal, localcontext

import numpy as np
import numpy.typing as npt

# Floats span about 1e-308..1e308, so 700 significant digits always quantize exactly.
_DIGITS = 700
_MAX_DECIMALS = 300
#: The arithmetic shortcut of `rounded_half_away_from_zero` is taken for decimal places whose
#: power of ten is an exact float, and for scaled values below 1e9, whose spacing (about 1e-7)
#: is well inside _NEAR_HALF: there the float and its shortest decimal cannot lie on different
#: sides of a half.
_FAST_DECIMALS = 15
_FAST_LIMIT = 1e9
#: How close to a half a scaled value must be to take the exact (decimal) path.
_NEAR_HALF = 1e-6


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


def rounded_half_away_from_zero(
    values: npt.ArrayLike, decimals: npt.ArrayLike
) -> npt.NDArray[np.float64]:
    """Each of `values` rounded to its `decimals` places exactly as `round_half_away_from_zero`
    rounds it (DfE/GSS rounding), NaN kept: arithmetic where a value is clearly not near a
    half, the decimal rounding of its shortest representation where it is (0.285 -> 0.29)."""
    numbers = np.asarray(values, dtype=np.float64)
    places = np.broadcast_to(np.asarray(decimals), numbers.shape)
    if not np.issubdtype(places.dtype, np.integer):
        raise ValueError(f"decimals must be integers, got {places.dtype}")
    if np.isinf(numbers).any():
        raise ValueError("cannot round an infinite value")
    scale = 10.0 ** np.clip(places, 0, _FAST_DECIMALS)
    with np.errstate(invalid="ignore"):
        scaled = np.abs(numbers) * scale
        fraction = scaled - np.floor(scaled)
        fast = (
            (places >= 0)
            & (places <= _FAST_DECIMALS)
            & (scaled < _FAST_LIMIT)
            & (np.abs(fraction - 0.5) > _NEAR_HALF)
        )
    # + 0.0 turns -0.0 into 0.0, as round_half_away_from_zero does.
    rounded = np.where(fast, np.copysign(np.floor(scaled + 0.5), numbers) / scale + 0.0, np.nan)
    for index in np.flatnonzero(~fast & ~np.isnan(numbers)):
        rounded[index] = round_half_away_from_zero(float(numbers[index]), int(places[index]))
    return rounded


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
