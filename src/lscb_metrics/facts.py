"""The long "facts" table every source is reduced to before indicators are computed.

A fact is one measure (a count such as `referrals` or `population_0_17`) for one area, one
breakdown and one period. Published statistics and partner returns both become facts with the
same measure names, so one indicator catalogue computes every figure from either source.
"""

from __future__ import annotations

import pandas as pd

#: Columns of a facts frame, in order. `value` is NaN when the source suppressed or withheld it,
#: and `symbol` then carries the source's marker (c, x, z, low, :, .., -).
FACT_COLUMNS: tuple[str, ...] = (
    "measure",  # measure name, e.g. referrals, cp_plans_at_end, population_0_17
    "area_code",  # ONS code: E06000033, E12000006, E92000001
    "area_name",
    "geographic_level",  # 'Local authority' | 'Regional' | 'National'
    "region_code",  # ONS region code of the area (None for England)
    "breakdown",  # 'Total', or e.g. the agency code for training
    "period_start",  # datetime.date, first day covered (flow) or the snapshot date's period start
    "period_end",  # datetime.date, last day covered; snapshot measures are as at this date
    "time_period",  # label: '2013-14', '2014-15 Q2', '2014-16'
    "value",  # float
    "symbol",  # str | None: suppression symbol when value is NaN
    "source_type",  # 'published' | 'partner_return'
    "source",  # human-readable source: publication and table, or the submitted file name
    "submission_id",  # str | None: partner submission the fact came from
    "source_sha256",  # str | None: SHA-256 of the source file
)

GEOGRAPHIC_LEVELS = ("Local authority", "Regional", "National")
ENGLAND_CODE = "E92000001"


_EMPTY_FACTS = pd.DataFrame({c: pd.Series(dtype="object") for c in FACT_COLUMNS}).astype(
    {"value": "float64"}
)


def empty_facts() -> pd.DataFrame:
    """An empty facts frame with the canonical columns (a copy: every submission has one)."""
    return _EMPTY_FACTS.copy()


def conform_facts(frame: pd.DataFrame) -> pd.DataFrame:
    """`frame` with exactly the canonical fact columns (missing optional ones filled with None)."""
    missing_required = {"measure", "area_code", "period_start", "period_end", "value"} - set(
        frame.columns
    )
    if missing_required:
        raise ValueError(f"facts frame lacks required columns: {sorted(missing_required)}")
    out = frame.copy()
    for column in FACT_COLUMNS:
        if column not in out.columns:
            out[column] = "Total" if column == "breakdown" else None
    out["value"] = pd.to_numeric(out["value"], errors="raise").astype("float64")
    return out[list(FACT_COLUMNS)].reset_index(drop=True)
