"""Shaping loader output the way every facts frame is shaped."""

from __future__ import annotations

import pandas as pd


def text_as_objects(frame: pd.DataFrame) -> pd.DataFrame:
    """`frame` with every non-numeric column as Python objects and None for missing values.

    Keeps the loaders' output alike (facts.empty_facts uses object columns) whether pandas
    inferred its `str` dtype, whose missing value is NaN, or object.
    """
    text = [c for c in frame.columns if not pd.api.types.is_numeric_dtype(frame[c])]
    objects = frame[text].astype(object)
    return frame.assign(**objects.where(objects.notna(), None))
