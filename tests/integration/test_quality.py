"""The great_expectations checkpoint passes the demo warehouse and names each planted fault."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from lscb_metrics.catalogue import load_catalogue
from lscb_metrics.quality import (
    QualityResult,
    comparisons_suite,
    indicator_values_suite,
    run_quality_checkpoint,
    runs_suite,
)
from lscb_metrics.warehouse import LIST_COLUMNS

CATALOGUE = Path(__file__).resolve().parents[2] / "schemas" / "indicators.yaml"
SUITES = ("curated.indicator_values", "curated.comparisons", "audit.runs")

# Each statement plants one fault in a copy of the demo warehouse; rows are picked in key order
# so the test sees the same rows every time.
CORRUPTIONS = (
    """INSERT INTO curated.indicator_values
       SELECT * FROM curated.indicator_values
       WHERE indicator_id = 'cp_plan_rate' AND area_code = 'E92000001'
       ORDER BY period_end LIMIT 1""",
    """UPDATE curated.indicator_values SET value = 140
       WHERE rowid = (SELECT rowid FROM curated.indicator_values
                      WHERE indicator_id = 'rereferral_pct' AND upper_ci95 IS NOT NULL
                      ORDER BY area_code, period_end LIMIT 1)""",
    """UPDATE curated.comparisons SET england_value = NULL
       WHERE rowid = (SELECT rowid FROM curated.comparisons
                      WHERE indicator_id = 'cin_rate' AND geographic_level = 'Local authority'
                        AND value IS NOT NULL AND england_value IS NOT NULL
                      ORDER BY area_code, period_end LIMIT 1)""",
    "UPDATE audit.runs SET outcome = 'incomplete'",
)


@pytest.fixture(scope="module")
def corrupted_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where the corrupted copy of the demo warehouse and its checkpoint's pages go."""
    return tmp_path_factory.mktemp("corrupted")


@pytest.fixture(scope="module")
def corrupted_result(demo_warehouse: Path, corrupted_folder: Path) -> QualityResult:
    """The checkpoint's result on a copy of the demo warehouse with every fault planted."""
    folder = corrupted_folder
    path = shutil.copy(demo_warehouse, folder / "corrupted.duckdb")
    with duckdb.connect(str(path)) as connection:
        for statement in CORRUPTIONS:
            connection.execute(statement)
    return run_quality_checkpoint(path, CATALOGUE, folder / "docs")


def test_demo_warehouse_passes_and_builds_data_docs(demo_warehouse: Path, tmp_path: Path) -> None:
    result = run_quality_checkpoint(demo_warehouse, CATALOGUE, tmp_path / "docs")

    assert result.failed == []
    assert result.success
    index = (tmp_path / "docs" / "index.html").read_text(encoding="utf-8")
    for suite in SUITES:
        assert suite in index
        validations = tmp_path / "docs" / "validations" / Path(*suite.split("."))
        assert len(list(validations.rglob("*.html"))) == 1


def test_corrupted_warehouse_fails_naming_each_fault(
    corrupted_result: QualityResult, corrupted_folder: Path
) -> None:
    assert not corrupted_result.success
    assert corrupted_result.failed == [
        "audit.runs: an incomplete run names its missing returns or the rejected submissions"
        " its boards count — 1 run naming none (2014-15 Q2)",
        "curated.comparisons: england_value present for every local authority value of an"
        " indicator compared with England — 1 row without an England value (cin_rate)",
        "curated.indicator_values: no duplicate keys (indicator_id, area_code, breakdown,"
        " period_end, source_type) — 2 rows sharing a key (cp_plan_rate)",
        # The planted 140 also lies above its own confidence interval.
        "curated.indicator_values: upper_ci95 at least value"
        " — 1 row with upper_ci95 below value (rereferral_pct)",
        "curated.indicator_values: value of % indicators between 0 and 100"
        " — 1 row outside (rereferral_pct)",
    ]
    assert (corrupted_folder / "docs" / "index.html").is_file()


def test_no_expectation_reads_the_lineage_lists_gx_batch_leaves_out() -> None:
    catalogue = load_catalogue(CATALOGUE)
    suites = (indicator_values_suite(catalogue), comparisons_suite(catalogue), runs_suite())
    named = {
        text
        for suite in suites
        for expectation in suite
        for text in _texts(expectation.configuration.kwargs)
    }
    assert {"indicator_id", "value", "upper_ci95", "outcome"} <= named
    assert not named & set(LIST_COLUMNS)


def _texts(value: object) -> list[str]:
    """Every string within `value` (nested dicts, lists and tuples)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [text for item in value.values() for text in _texts(item)]
    if isinstance(value, list | tuple):
        return [text for item in value for text in _texts(item)]
    return []
