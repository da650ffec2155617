"""A validated partner return as facts: one per measure column, summed over its rows."""

from __future__ import annotations

import pandas as pd

from lscb_metrics.facts import conform_facts
from lscb_metrics.returns.spec import ReturnSpec
from lscb_metrics.returns.validate import ValidationResult

GEOGRAPHIC_LEVEL = "Local authority"
SOURCE_TYPE = "partner_return"
TOTAL_BREAKDOWN = "Total"


def return_facts(
    result: ValidationResult, spec: ReturnSpec, *, submission_id: str, source: str, sha256: str
) -> pd.DataFrame:
    """The facts of a valid return, in the canonical facts layout.

    Training returns are published per sending agency, so their breakdown is the agency code.
    """
    cover = result.cover
    if not result.valid or cover is None:
        raise ValueError(f"{source}: only a valid return becomes facts")
    if result.return_type != spec.return_type:
        raise ValueError(f"{source}: a {result.return_type} return is not {spec.return_type}")
    measures = [column.name for column in spec.measure_columns]
    values = result.data[measures].sum()
    return conform_facts(
        pd.DataFrame(
            {
                "measure": measures,
                "area_code": cover.area_code,
                "area_name": cover.area_name,
                "geographic_level": GEOGRAPHIC_LEVEL,
                "region_code": cover.region_code,
                "breakdown": cover.agency_code if spec.breakdown == "agency" else TOTAL_BREAKDOWN,
                "period_start": cover.period_start,
                "period_end": cover.period_end,
                "time_period": cover.quarter.label,
                "value": values.to_numpy(dtype="float64"),
                "symbol": None,
                "source_type": SOURCE_TYPE,
                "source": source,
                "submission_id": submission_id,
                "source_sha256": sha256,
            }
        )
    )
