"""Golden tests: every Fingertips benchmark-comparison case, plus the rules the cases leave open."""

from __future__ import annotations

import csv
import math
from pathlib import Path

import pytest

from lscb_metrics.stats import (
    BEST,
    BETTER,
    COMPARISON_LABELS,
    HIGH_IS_GOOD,
    HIGHER,
    LOW_IS_GOOD,
    LOWER,
    NO_JUDGEMENT,
    NOT_COMPARED,
    SIMILAR,
    WORSE,
    compare_with_benchmark,
)

ORACLES = Path(__file__).resolve().parents[2] / "oracles"
FINGERTIPS_POLARITY = {
    "0 RAG - Low is good": LOW_IS_GOOD,
    "1 RAG - High is good": HIGH_IS_GOOD,
    "LowIsGood": LOW_IS_GOOD,
    "HighIsGood": HIGH_IS_GOOD,
    "NoJudgement": NO_JUDGEMENT,
}
# Fingertips (fingertips-open) says "Same" where FingertipsNext and this project say "Similar".
FINGERTIPS_LABEL = {"Same": SIMILAR, "None (not compared)": NOT_COMPARED}


def cell(text: str) -> float | None:
    """An oracle cell as a float, None where it is empty (no figure, or no 99.8% level)."""
    return float(text) if text else None


def comparison_cases() -> list:
    """One pytest param per row of fingertips_comparison_cases.csv, named by its case_id."""
    with (ORACLES / "fingertips_comparison_cases.csv").open(newline="") as handle:
        return [pytest.param(row, id=row["case_id"]) for row in csv.DictReader(handle)]


@pytest.mark.parametrize("case", comparison_cases())
def test_fingertips_comparison_case(case: dict[str, str]) -> None:
    label = compare_with_benchmark(
        cell(case["area_value"]),
        cell(case["lower95"]),
        cell(case["upper95"]),
        cell(case["benchmark_value"]),
        FINGERTIPS_POLARITY[case["polarity"]],
        lower998=cell(case["lower99_8"]),
        upper998=cell(case["upper99_8"]),
    )
    assert label == FINGERTIPS_LABEL.get(case["expected"], case["expected"])
    assert label in COMPARISON_LABELS


@pytest.mark.parametrize(("benchmark", "expected"), [(3.0, LOWER), (2.8, LOWER), (2.2, HIGHER)])
def test_no_judgement_has_no_stronger_label_at_two_levels(benchmark: float, expected: str) -> None:
    label = compare_with_benchmark(2.6, 2.5, 2.7, benchmark, NO_JUDGEMENT, 2.3, 2.9)
    assert label == expected


@pytest.mark.parametrize(
    ("benchmark", "expected"), [(2.9, BETTER), (2.3, WORSE), (2.7, SIMILAR), (2.5, SIMILAR)]
)
def test_interval_limits_are_inclusive(benchmark: float, expected: str) -> None:
    assert compare_with_benchmark(2.6, 2.5, 2.7, benchmark, LOW_IS_GOOD, 2.3, 2.9) == expected


def test_benchmark_beyond_998_limit_is_best_for_low_is_good() -> None:
    assert compare_with_benchmark(2.6, 2.5, 2.7, 2.91, LOW_IS_GOOD, 2.3, 2.9) == BEST


@pytest.mark.parametrize("missing", [None, math.nan])
def test_missing_998_limit_is_not_compared(missing: float | None) -> None:
    assert compare_with_benchmark(2.6, 2.5, 2.7, 3.0, HIGH_IS_GOOD, 2.3, missing) == NOT_COMPARED


def test_nan_benchmark_is_not_compared() -> None:
    assert compare_with_benchmark(2.6, 2.5, 2.7, math.nan, HIGH_IS_GOOD) == NOT_COMPARED


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ((2.6, 2.5, 2.7, 3.0, "RAG - High is good"), "polarity must be one of"),
        ((2.8, 2.5, 2.7, 3.0, HIGH_IS_GOOD), "outside its 95% interval"),
        ((2.6, 2.5, 2.7, 3.0, HIGH_IS_GOOD, 2.55, 2.9), "does not contain the 95% interval"),
    ],
)
def test_invalid_inputs_are_rejected(arguments: tuple, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        compare_with_benchmark(*arguments)
