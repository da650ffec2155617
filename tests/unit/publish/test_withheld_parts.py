"""Suppression across indicators that are parts of one count: no child count of 1 to 5 can be
worked out by subtracting the other parts from the total."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd

from lscb_metrics.catalogue import load_catalogue
from lscb_metrics.publish.figures import withheld_parts

END = date(2014, 9, 30)
SCHEMAS = Path(__file__).resolve().parents[3] / "schemas"
SPEC = pd.DataFrame(
    {"part_of": [None, "cp_plans", "cp_plans", "cp_plans", "cp_plans", "cp_plans", None, None]},
    index=[
        "cp_plans",
        "neglect_pct",
        "physical_pct",
        "emotional_pct",
        "sexual_pct",
        "multiple_pct",
        "infant_deaths",
        "neonatal_rate",
    ],
)
SPEC.loc["neonatal_rate", "part_of"] = "infant_deaths"


def rows(counts: dict[str, float], area: str = "E06000052") -> pd.DataFrame:
    """One area's quarter: each indicator's numerator."""
    return pd.DataFrame(
        {
            "indicator_id": list(counts),
            "area_code": area,
            "breakdown": "Total",
            "period_end": END,
            "time_period": "2014-15 Q2",
            "source_type": "partner_return",
            "numerator": list(counts.values()),
        }
    )


def withheld(frame: pd.DataFrame, controlled: bool = True) -> list[str]:
    spec = SPEC.loc[frame["indicator_id"]].set_index(frame.index)
    flags = withheld_parts(frame, spec, pd.Series(controlled, index=frame.index))
    return sorted(frame.loc[flags, "indicator_id"])


CATEGORIES = {
    "cp_plans": 438,
    "neglect_pct": 200,
    "physical_pct": 60,
    "emotional_pct": 140,
    "sexual_pct": 4,
    "multiple_pct": 34,
}


def test_a_small_category_and_the_smallest_other_one_are_withheld() -> None:
    """438 plans, 4 of them for sexual abuse: with the other four categories shown, 438 less
    their 434 would give the 4 away, so the smallest other category (34) goes too."""
    assert withheld(rows(CATEGORIES)) == ["multiple_pct", "sexual_pct"]


def test_a_small_remainder_of_a_total_withholds_its_part() -> None:
    """12 infant deaths of which 8 neonatal: 12 - 8 = 4 post-neonatal deaths, never shown."""
    assert withheld(rows({"infant_deaths": 12, "neonatal_rate": 8})) == ["neonatal_rate"]


def test_nothing_is_withheld_where_nothing_small_can_be_worked_out() -> None:
    assert withheld(rows({"infant_deaths": 40, "neonatal_rate": 8})) == []
    no_small = {**CATEGORIES, "sexual_pct": 30, "cp_plans": 464}
    assert withheld(rows(no_small)) == []


def test_only_controlled_rows_are_withheld() -> None:
    """The internal edition (not disclosure-controlled) shows every count."""
    assert withheld(rows(CATEGORIES), controlled=False) == []


def test_each_area_and_period_is_its_own_total() -> None:
    both = pd.concat(
        [rows(CATEGORIES), rows({**CATEGORIES, "sexual_pct": 30, "cp_plans": 464}, "E06000053")],
        ignore_index=True,
    )
    flags = withheld_parts(
        both,
        SPEC.loc[both["indicator_id"]].set_index(both.index),
        pd.Series(True, index=both.index),
    )
    assert set(both.loc[flags, "area_code"]) == {"E06000052"}


SHIPPED = pd.DataFrame(
    {"part_of": {i.id: i.part_of for i in load_catalogue(SCHEMAS / "indicators.yaml")}}
)


def withheld_by_the_shipped_catalogue(counts: dict[str, float]) -> list[str]:
    """The indicators of `counts` (one area's numerators) withheld across the shipped
    catalogue's totals and parts."""
    frame = rows(counts)
    spec = SHIPPED.loc[frame["indicator_id"]].set_index(frame.index)
    flags = withheld_parts(frame, spec, pd.Series(True, index=frame.index))
    return sorted(frame.loc[flags, "indicator_id"])


def test_assessments_within_the_local_target_are_part_of_those_within_45_days() -> None:
    # A local target is at most 45 working days: of 30 assessments within 45 days, 27 within a
    # target of 40 leaves 3 done in 41 to 45 days, a count of 1 to 5 that 30 - 27 would give.
    within = {"assessments_within_45_days": 30, "assessments_within_local_target_pct": 27}
    assert withheld_by_the_shipped_catalogue(within) == ["assessments_within_local_target_pct"]
    # 30 - 20 = 10 gives nothing away.
    within["assessments_within_local_target_pct"] = 20
    assert withheld_by_the_shipped_catalogue(within) == []


def test_poisoning_admissions_are_part_of_injury_admissions() -> None:
    # 20 injury admissions, 9 for self-poisoning and 8 for accidental poisoning leave 3 for
    # other injuries: the smaller poisoning count goes, so 20 - 9 - 8 cannot be done.
    admissions = {
        "hospital_injury_admissions": 20,
        "hospital_admissions_self_poisoning": 9,
        "hospital_admissions_accidental_poisoning": 8,
    }
    assert withheld_by_the_shipped_catalogue(admissions) == [
        "hospital_admissions_accidental_poisoning"
    ]
    admissions["hospital_injury_admissions"] = 40
    assert withheld_by_the_shipped_catalogue(admissions) == []
