"""What the quality checkpoint hands great_expectations."""

from __future__ import annotations

import great_expectations.expectations as gxe
import pandas as pd
import pytest
from great_expectations.expectations.row_conditions import Column

from lscb_metrics.quality import columns_read, gx_batch


def test_gx_batch_leaves_out_the_lineage_lists_so_gx_can_hash_its_rows() -> None:
    frame = pd.DataFrame(
        {
            "indicator_id": ["cin_rate"],
            "value": [512.3],
            "submission_ids": [["s1", "s2"]],
            "source_sha256s": [["ab", "cd"]],
        }
    )
    # GX fingerprints a batch with this hash, and pickles the whole frame when it raises.
    with pytest.raises(TypeError):
        pd.util.hash_pandas_object(frame, index=True)

    batch = gx_batch(frame, [gxe.ExpectColumnValuesToNotBeNull(column="value")])

    assert list(batch.columns) == ["value"]
    assert len(pd.util.hash_pandas_object(batch, index=True)) == 1


def test_gx_batch_keeps_the_columns_read_by_arguments_and_conditions_in_frame_order() -> None:
    frame = pd.DataFrame(
        {name: [1] for name in ("rank_of", "unread", "indicator_id", "rank", "value", "area")}
    )
    expectations = [
        gxe.ExpectColumnPairValuesAToBeGreaterThanB(column_A="rank_of", column_B="rank"),
        gxe.ExpectColumnValuesToNotBeNull(
            column="value",
            row_condition=(Column("indicator_id") == "cin_rate") & Column("area").is_not_null(),
        ),
    ]

    batch = gx_batch(frame, expectations)

    # GX copies every column of the batch each time it applies a row condition.
    assert list(batch.columns) == ["rank_of", "indicator_id", "rank", "value", "area"]
    assert len(batch) == 1


# GX 1 still reads a condition given as text, deprecated for GX 2: a suite of ours has none.
@pytest.mark.filterwarnings("ignore:Passing a string to the row_condition:DeprecationWarning")
@pytest.mark.filterwarnings("ignore:The condition_parser parameter:DeprecationWarning")
def test_a_condition_given_as_text_keeps_every_column_but_the_lists() -> None:
    frame = pd.DataFrame({"value": [1.0], "note": ["x"], "submission_ids": [["s1"]]})
    expectations = [
        gxe.ExpectColumnValuesToNotBeNull(
            column="value", row_condition='note=="x"', condition_parser="pandas"
        )
    ]

    assert columns_read(expectations) is None
    assert list(gx_batch(frame, expectations).columns) == ["value", "note"]


def test_table_level_expectations_alone_keep_the_rows() -> None:
    frame = pd.DataFrame({"outcome": ["complete", "incomplete"]})

    batch = gx_batch(frame, [gxe.ExpectTableRowCountToEqual(value=2)])

    assert len(batch) == 2
