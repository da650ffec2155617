"""Indicators computed on forked processes give exactly the figures computed in one process."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from lscb_metrics import pipeline
from lscb_metrics.catalogue import load_catalogue
from lscb_metrics.config import settings


def test_two_workers_give_the_same_relations_as_one(demo_reference: Any, demo_warehouse: Path):
    # The demo run's partner facts and a dozen indicators of every kind (rates, percentages,
    # counts, published and partner): every frame must match, row for row and type for type.
    catalogue = load_catalogue(settings().schemas_dir / "indicators.yaml")[::5]
    connection = duckdb.connect(str(demo_warehouse), read_only=True)
    try:
        facts = connection.sql("SELECT * FROM staged.partner_facts").df()
    finally:
        connection.close()
    for column in ("period_start", "period_end"):
        facts[column] = pd.to_datetime(facts[column]).dt.date
    one = pipeline.curated_relations(demo_reference, facts, catalogue, {}, None, 1)
    two = pipeline.curated_relations(demo_reference, facts, catalogue, {}, None, 2)
    assert len(catalogue) > 12
    assert set(one[0]["source_type"]) == {"published", "partner_return"}
    for single, forked in zip(one, two, strict=True):
        pd.testing.assert_frame_equal(single, forked)
