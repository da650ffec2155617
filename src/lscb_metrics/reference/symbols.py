"""Values as printed in published statistics: numbers, or shorthand symbols standing in for them.

Sources for the meanings: GSS / Analysis Function "Using symbols and shorthand" (2022) and the
DfE children-in-need and children-looked-after data guidance. Symbols are matched ignoring case
and GSS square brackets (`[c]` reads as `c`); the returned symbol is the lower-case key below.
"""

from __future__ import annotations

import math
import numbers
import re

import pandas as pd

#: Shorthand symbol -> what it means. The value behind every symbol is withheld (NaN).
SYMBOLS: dict[str, str] = {
    "c": "confidential: suppressed to protect individuals (DfE: counts of 1 to 5, and cells "
    "suppressed so those cannot be worked out)",
    "x": "not available",
    "z": "not applicable",
    "low": "low figure: rounds to zero but is not zero",
    "k": "low figure: rounds to zero but is not zero",
    "u": "low reliability: DfE withheld the figure as unreliable",
    ":": "not available (older DfE tables)",
    "..": "not available (older tables)",
    "-": "not available or suppressed (older DfE tables and LAIT; historically also counts 1 to 5)",
}
#: Each symbol as the GSS guidance prints it, as figures are republished: the older tables'
#: ':', '..' and '-' are "not available", 'k' is "low".
GSS_SYMBOL: dict[str, str] = {
    "c": "c",
    "x": "x",
    "z": "z",
    "low": "low",
    "k": "low",
    "u": "u",
    ":": "x",
    "..": "x",
    "-": "x",
}

# Thousands separators only in groups of three, so '1,23' is not read as 123.
_NUMBER = r"[+-]?(?:(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?"
_NUMBER_RE = re.compile(_NUMBER)
_BRACKETED = r"^\[(.*)\]$"


def _unknown_value_error(texts: list[str], where: str | None = None) -> ValueError:
    """The error for text that is neither a number nor a known symbol."""
    shown = ", ".join(repr(t) for t in texts[:5])
    more = f" (and {len(texts) - 5} more)" if len(texts) > 5 else ""
    prefix = f"{where}: " if where else ""
    return ValueError(
        f"{prefix}unrecognised value {shown}{more}; expected a number or one of the "
        f"symbols {', '.join(SYMBOLS)}"
    )


def parse_published_value(text: str | float | None) -> tuple[float | None, str | None]:
    """A published cell as (number or None, symbol or None); ValueError for unknown text.

    '1,234' -> (1234.0, None); 'c' -> (None, 'c'); blank, None and NaN -> (None, None).
    """
    if text is None or text is pd.NA:
        return None, None
    if isinstance(text, numbers.Real):
        return (None, None) if math.isnan(text) else (float(text), None)
    stripped = text.strip()
    if not stripped:
        return None, None
    if _NUMBER_RE.fullmatch(stripped):
        return float(stripped.replace(",", "")), None
    key = re.sub(_BRACKETED, r"\1", stripped).strip().lower()
    if key in SYMBOLS:
        return None, key
    raise _unknown_value_error([text])


def published_values(texts: pd.Series, where: str) -> pd.DataFrame:
    """Columns `value` (float, NaN when withheld) and `symbol` (str or None) for published cells.

    The vectorised form of `parse_published_value`; `where` names the file and column for the
    ValueError raised on unrecognised text.
    """
    stripped = texts.astype("str").str.strip()
    is_number = stripped.str.fullmatch(_NUMBER).fillna(False).astype(bool)
    value = pd.to_numeric(stripped.where(is_number).str.replace(",", "", regex=False))
    key = stripped.str.replace(_BRACKETED, r"\1", regex=True).str.strip().str.lower()
    is_symbol = key.isin(list(SYMBOLS))
    is_blank = stripped.isna() | (stripped == "")
    unknown = ~(is_number | is_symbol | is_blank)
    if unknown.any():
        raise _unknown_value_error(list(dict.fromkeys(texts[unknown])), where)
    symbol = key.where(is_symbol).astype(object)
    return pd.DataFrame(
        {"value": value.astype("float64"), "symbol": symbol.where(is_symbol, None)},
        index=texts.index,
    )
