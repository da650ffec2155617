"""Suppression across indicators that are parts of one count: no child count of 1 to 5 can be
worked out by subtracting the other parts from the total."""

from __future__ import annotations

import math
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from lscb_metrics.catalogue import load_catalogue
from lscb_metrics.publish.figures import PART_KEY, withheld_parts
from lscb_metrics.stats.disclosure import SMALL_COUNT_MAX, SUPPRESSED, suppress_small_counts

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


def test_of_equal_other_parts_the_first_by_indicator_id_is_withheld() -> None:
    """24 plans, 4 for sexual abuse and 10 each for physical and emotional: either 10 would
    cover the 4; the first by id (`suppress_small_counts`: first on ties), whatever the rows'
    order."""
    plans = {"cp_plans": 24, "physical_pct": 10, "emotional_pct": 10, "sexual_pct": 4}
    assert withheld(rows(plans)) == ["emotional_pct", "sexual_pct"]


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


def oracle_withheld_parts(
    rows: pd.DataFrame, spec: pd.DataFrame, controlled: pd.Series
) -> pd.Series:
    """The oracle: `withheld_parts` as it was before it put every total's lines in one table
    (commit d9d9a10), frozen here to fuzz the one that replaced it against."""
    withheld = np.zeros(len(rows), dtype=bool)
    total_of = spec["part_of"].where(controlled)
    totals_ids = total_of.dropna().unique()
    if len(totals_ids) == 0:
        return pd.Series(withheld, index=rows.index)
    involved = controlled & (total_of.notna() | rows["indicator_id"].isin(totals_ids))
    mine = pd.MultiIndex.from_frame(rows.loc[involved, [*PART_KEY, "indicator_id"]])
    counts = rows[[*PART_KEY, "indicator_id", "numerator"]]
    hidden_keys = []
    for total_id in totals_ids:
        parts = counts[total_of.eq(total_id)]
        wide = parts.set_index([*PART_KEY, "indicator_id"])["numerator"].unstack("indicator_id")
        totals = counts[counts["indicator_id"].eq(total_id) & controlled]
        total = totals.set_index(PART_KEY)["numerator"].reindex(wide.index).astype("float64")
        rest = total - wide.sum(axis=1, min_count=wide.shape[1])
        table = wide.assign(_complement=rest.where(rest.between(0, SMALL_COUNT_MAX)), _total=total)
        table = table[total.notna().to_numpy()].reset_index()
        if table.empty:
            continue
        cells = [*wide.columns, "_complement"]
        shown = suppress_small_counts(table, cells, group_columns=PART_KEY, total_column="_total")
        for indicator_id in [*wide.columns, "_total"]:
            suppressed = shown[indicator_id].eq(SUPPRESSED).to_numpy()
            if suppressed.any():
                target = total_id if indicator_id == "_total" else indicator_id
                hidden_keys.append(shown.loc[suppressed, PART_KEY].assign(indicator_id=target))
    if hidden_keys:
        withheld[involved.to_numpy()] = mine.isin(pd.MultiIndex.from_frame(pd.concat(hidden_keys)))
    return pd.Series(withheld, index=rows.index)


# Indicators whose ids sort otherwise than they are listed (ties between equal parts go to the
# first in id order), each a part of one of two totals or of none: chains (a part of a part of
# a total), totals with one part or none, parts whose total has no row.
INDICATORS = ["b", "a10", "a9", "c", "d", "e"]
catalogues = st.lists(
    st.one_of(st.none(), st.sampled_from(INDICATORS[:2])),
    min_size=len(INDICATORS),
    max_size=len(INDICATORS),
).map(lambda part_of: pd.DataFrame({"part_of": part_of}, index=INDICATORS))
keys = st.tuples(
    st.sampled_from(["E06000033", "E06000034"]),
    st.sampled_from(["Total", "Female"]),
    st.sampled_from([END, date(2014, 6, 30)]),
    st.sampled_from(["2014-15 Q2", "2014-15"]),
    st.sampled_from(["partner_return", "published"]),
)
# Missing one time in twelve: a total with a missing part has no remainder to give away.
counts = st.sampled_from([*map(float, range(11)), math.nan])
# Most rows controlled (a public edition's children's counts), some not.
is_controlled = st.booleans() | st.just(True)
# Three rows in four there: a total and its parts are mostly there together, sometimes not.
there = st.sampled_from([True, True, True, False])


def key_figures(key: tuple[object, ...]) -> st.SearchStrategy[list[tuple[object, ...]]]:
    """Rows (key, indicator, count, controlled) of some of the indicators at `key`."""
    return st.lists(
        st.tuples(counts, is_controlled, there), min_size=len(INDICATORS), max_size=len(INDICATORS)
    ).map(
        lambda cells: [
            (key, indicator, count, control)
            for indicator, (count, control, present) in zip(INDICATORS, cells, strict=True)
            if present
        ]
    )


figures = st.lists(keys, min_size=1, max_size=2, unique=True).flatmap(
    lambda chosen: st.tuples(*map(key_figures, chosen)).map(
        lambda by_key: [row for rows in by_key for row in rows]
    )
)


@settings(max_examples=300, deadline=None)
@given(catalogues, figures, st.data())
def test_withheld_parts_are_the_oracles(
    catalogue: pd.DataFrame,
    figures: list[tuple[tuple[object, ...], str, float, bool]],
    data: st.DataObject,
) -> None:
    """Any catalogue of totals and parts, any small counts (or none) of any keys, totals that
    are their parts' sum and a small remainder or anything else, any rows controlled, in any
    order and under any index: the same rows withheld as the oracle."""
    figures = data.draw(st.permutations(figures))
    frame = pd.DataFrame(
        [(*key, indicator, count) for key, indicator, count, _ in figures],
        columns=[*PART_KEY, "indicator_id", "numerator"],
    ).astype({"numerator": "float64"})
    parts_of = catalogue["part_of"].reindex(frame["indicator_id"]).to_numpy()
    for row, (key, indicator, _, _) in enumerate(figures):
        # Most totals add up, so that what their parts leave of them is 0 or small.
        if indicator in parts_of and data.draw(st.booleans() | st.just(True)):
            parts = [i for i, f in enumerate(figures) if f[0] == key and parts_of[i] == indicator]
            rest = data.draw(st.sampled_from([0, 0, *range(1, SMALL_COUNT_MAX + 2)]))
            frame.loc[row, "numerator"] = frame.loc[parts, "numerator"].sum() + rest
    frame.index = data.draw(st.permutations(range(100, 100 + len(frame))))
    spec = catalogue.loc[frame["indicator_id"]].set_index(frame.index)
    controlled = pd.Series([figure[3] for figure in figures], index=frame.index, dtype=bool)
    expected = oracle_withheld_parts(frame, spec, controlled)
    pd.testing.assert_series_equal(withheld_parts(frame, spec, controlled), expected)
