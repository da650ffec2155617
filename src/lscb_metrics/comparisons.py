"""Each indicator value beside its comparators: England, region, statistical neighbours, rank,
quartile band and change on the year before. Pure functions over curated.indicator_values rows.

A partner-return value (a quarter) is compared with the latest published year ending on or before
its period end (`comparator_period_end`), which is what a board sees when it reports.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from lscb_metrics.catalogue import Indicator
from lscb_metrics.facts import ENGLAND_CODE
from lscb_metrics.periods import month_end_before
from lscb_metrics.stats import (
    NOT_COMPARED,
    compare_with_benchmark,
    quartile_band,
    quartile_cut_points,
    rank_areas,
    recent_trend,
)
from lscb_metrics.stats.trend import KIND_PROPORTION, KIND_RATE

COMPARISON_COLUMNS: tuple[str, ...] = (
    "indicator_id",
    "area_code",
    "area_name",
    "geographic_level",
    "breakdown",
    "period_start",
    "period_end",
    "time_period",
    "source_type",
    "value",
    "comparator_period_end",
    "england_value",
    "region_value",
    "vs_england",
    "vs_region",
    "sn_average",
    "sn_count",
    "sn_rank",
    "sn_rank_of",
    "sn_model",
    "rank",
    "rank_of",
    "quartile_band",
    "previous_value",
    "change",
    "change_pct",
    "polarity",
    "trend",
    "comparator_note",
)

_LA = "Local authority"


def comparisons(
    values: pd.DataFrame,
    indicator: Indicator,
    neighbours: pd.DataFrame,
    local_comparators: pd.DataFrame,
) -> pd.DataFrame:
    """Comparison rows for every value of one indicator (all areas, breakdowns and sources).

    `neighbours` has area_code, neighbour_code, model; `local_comparators` has indicator_id,
    area_code, period_end, comparator ('england' | 'region' | 'statistical_neighbours'),
    value and note, for figures a board quoted that the shipped national data cannot give.
    """
    rows = values[values["indicator_id"] == indicator.id].reset_index(drop=True)
    published = rows[(rows["source_type"] == "published") & (rows["breakdown"] == "Total")]
    out = rows[
        [
            "indicator_id",
            "area_code",
            "area_name",
            "geographic_level",
            "region_code",
            "breakdown",
            "period_start",
            "period_end",
            "time_period",
            "source_type",
            "value",
        ]
    ].copy()
    out["comparator_period_end"] = comparator_period_ends(out, published)
    wanted = set(indicator.comparators)
    out["england_value"] = _lookup(published, out, ENGLAND_CODE) if "england" in wanted else np.nan
    out["region_value"] = _lookup(published, out, None) if "region" in wanted else np.nan
    out["vs_england"] = benchmark_comparisons(rows, out["england_value"], indicator.polarity)
    out["vs_region"] = benchmark_comparisons(rows, out["region_value"], indicator.polarity)
    sn = (
        neighbour_averages(out, published, neighbours, indicator.polarity)
        if "statistical_neighbours" in wanted
        else pd.DataFrame(
            {"sn_average": np.nan, "sn_count": 0, "sn_rank": pd.NA, "sn_rank_of": pd.NA},
            index=out.index,
        )
    )
    out["sn_average"] = sn["sn_average"]
    out["sn_count"] = sn["sn_count"].astype("Int64")
    out["sn_rank"] = sn["sn_rank"].astype("Int64")
    out["sn_rank_of"] = sn["sn_rank_of"].astype("Int64")
    out["sn_model"] = neighbours["model"].iloc[0] if len(neighbours) else None
    ranks = la_ranks(out, published, indicator.polarity)
    out["rank"] = ranks["rank"]
    out["rank_of"] = ranks["rank_of"]
    out["quartile_band"] = ranks["quartile_band"]
    out["previous_value"] = previous_values(out)
    out["change"] = out["value"] - out["previous_value"]
    with np.errstate(divide="ignore", invalid="ignore"):
        previous = out["previous_value"].where(out["previous_value"] != 0)
        out["change_pct"] = (out["value"] - out["previous_value"]) / previous * 100
    out["polarity"] = indicator.polarity
    out["trend"] = trends(rows, indicator)
    out["comparator_note"] = None
    out = apply_local_comparators(out, local_comparators)
    return out[list(COMPARISON_COLUMNS)]


def benchmark_comparisons(rows: pd.DataFrame, benchmarks: pd.Series, polarity: str) -> pd.Series:
    """Fingertips comparison of each row's value with a benchmark using the row's 95% and
    99.8% intervals: Similar, Better/Worse (Lower/Higher without polarity), Best/Worst, or
    Not compared where a value, interval or benchmark is missing."""
    if "lower_ci95" not in rows.columns:
        return pd.Series(NOT_COMPARED, index=rows.index, dtype="object")
    return pd.Series(
        [
            compare_with_benchmark(value, lower95, upper95, benchmark, polarity, lower998, upper998)
            for value, lower95, upper95, lower998, upper998, benchmark in zip(
                rows["value"],
                rows["lower_ci95"],
                rows["upper_ci95"],
                rows["lower_ci998"],
                rows["upper_ci998"],
                benchmarks,
                strict=True,
            )
        ],
        index=rows.index,
        dtype="object",
    )


def comparator_period_ends(rows: pd.DataFrame, published: pd.DataFrame) -> pd.Series:
    """Latest published period end on or before each row's period end (its own for published)."""
    ends = np.sort(pd.unique(published["period_end"]))
    if len(ends) == 0:
        return pd.Series([None] * len(rows), index=rows.index, dtype="object")
    positions = np.searchsorted(ends, rows["period_end"].to_numpy(), side="right") - 1
    matched = [ends[p] if p >= 0 else None for p in positions]
    return pd.Series(matched, index=rows.index, dtype="object")


def _lookup(published: pd.DataFrame, rows: pd.DataFrame, area_code: str | None) -> pd.Series:
    """Published value of England (`area_code`) or of each row's region at its comparator period."""
    table = published.set_index(["area_code", "period_end"])["value"]
    table = table[~table.index.duplicated()]
    codes = rows["region_code"] if area_code is None else pd.Series(area_code, index=rows.index)
    keys = pd.MultiIndex.from_arrays([codes, rows["comparator_period_end"]])
    return pd.Series(table.reindex(keys).to_numpy(), index=rows.index, dtype="float64")


def neighbour_averages(
    rows: pd.DataFrame, published: pd.DataFrame, neighbours: pd.DataFrame, polarity: str
) -> pd.DataFrame:
    """Simple mean of the statistical neighbours' published values (missing ones skipped), how
    many were used, and the area's place among itself and its neighbours (1 = best, or highest
    without polarity; ties share the better place), as stats.rank_within_group defines it."""
    la_values = published[published["geographic_level"] == _LA][
        ["area_code", "period_end", "value"]
    ].rename(
        columns={
            "area_code": "neighbour_code",
            "period_end": "comparator_period_end",
            "value": "neighbour_value",
        }
    )
    keyed = rows[["area_code", "comparator_period_end", "value"]].reset_index(names="row")
    joined = keyed.merge(neighbours[["area_code", "neighbour_code"]], on="area_code").merge(
        la_values, on=["neighbour_code", "comparator_period_end"], how="left"
    )
    if polarity == "low_is_good":
        joined["better"] = joined["neighbour_value"] < joined["value"]
    else:
        joined["better"] = joined["neighbour_value"] > joined["value"]
    grouped = joined.groupby("row")
    result = pd.DataFrame(
        {
            "sn_average": grouped["neighbour_value"].mean(),
            "sn_count": grouped["neighbour_value"].count(),
            "sn_rank": grouped["better"].sum() + 1,
        }
    ).reindex(rows.index)
    result["sn_count"] = result["sn_count"].fillna(0)
    has_value = rows["value"].notna() & result["sn_rank"].notna()
    result["sn_rank"] = result["sn_rank"].where(has_value).astype("Int64")
    result["sn_rank_of"] = (result["sn_count"] + 1).where(has_value).astype("Int64")
    return result


def la_ranks(rows: pd.DataFrame, published: pd.DataFrame, polarity: str) -> pd.DataFrame:
    """Rank among all local authorities (1 = best, or highest without polarity), of how many,
    and quartile band A-D, at each row's comparator period.

    A partner-return value takes its area's place among the published values of that year.
    """
    ranks: dict[int, tuple[int, int, str | None]] = {}
    la_published = published[published["geographic_level"] == _LA]
    candidates = rows[(rows["geographic_level"] == _LA) & rows["value"].notna()]
    fields = dict(tuple(la_published.groupby("period_end")))
    for period_end, group in candidates.groupby("comparator_period_end"):
        if period_end not in fields:
            continue
        field = fields[period_end].drop_duplicates("area_code").set_index("area_code")["value"]
        field = field.dropna()
        if field.empty:
            continue
        cut_points = quartile_cut_points(field)
        field_ranks = rank_areas(field, polarity)
        for index, area, value, source_type in zip(
            group.index, group["area_code"], group["value"], group["source_type"], strict=True
        ):
            if source_type == "published":
                rank, rank_of = int(field_ranks[area]), len(field)
            else:
                others = field.drop(area, errors="ignore")
                placed = pd.concat([others, pd.Series({area: value})])
                rank, rank_of = int(rank_areas(placed, polarity)[area]), len(placed)
            ranks[index] = (rank, rank_of, quartile_band(value, cut_points, polarity))
    table = pd.DataFrame.from_dict(
        ranks, orient="index", columns=["rank", "rank_of", "quartile_band"]
    ).reindex(rows.index)
    return table.astype({"rank": "Int64", "rank_of": "Int64", "quartile_band": "object"})


def previous_values(rows: pd.DataFrame) -> pd.Series:
    """Value of the same series one year before each row's period end (year-on-year change)."""
    key = ["indicator_id", "area_code", "breakdown", "source_type"]
    table = rows.set_index([*key, "period_end"])["value"]
    table = table[~table.index.duplicated()]
    year_before = rows["period_end"].map(lambda day: day.replace(year=day.year - 1))
    keys = pd.MultiIndex.from_arrays([*(rows[k] for k in key), year_before])
    return pd.Series(table.reindex(keys).to_numpy(), index=rows.index, dtype="float64")


def trends(rows: pd.DataFrame, indicator: Indicator) -> pd.Series:
    """Fingertips recent trend over the five points ending at each row (rates and percentages
    only), for the latest period of each published series and every partner row.

    Published points are a year apart. A partner flow's points are a whole window apart, since
    rolling windows that overlap share events and are not independent; a partner snapshot's
    points are a quarter apart. Earlier published periods are left empty: the trend is read at
    the latest point.
    """
    result = pd.Series(None, index=rows.index, dtype="object")
    if indicator.is_count or "numerator" not in rows.columns:
        return result
    kind = KIND_PROPORTION if indicator.multiplier == 100 else KIND_RATE
    key = ["area_code", "breakdown", "source_type"]
    latest = rows.groupby(key)["period_end"].transform("max") == rows["period_end"]
    wanted = rows[latest | (rows["source_type"] == "partner_return")]
    if wanted.empty:
        return result
    # The five yearly points of every wanted row in one join: row x years back.
    partner_step = 3 if indicator.measure_type == "snapshot" else indicator.window_months
    steps = np.where(wanted["source_type"] == "partner_return", partner_step, 12)
    points = pd.concat(
        [
            wanted[key].assign(
                row=wanted.index,
                back=back,
                period_end=[
                    month_end_before(day, int(step) * back)
                    for day, step in zip(wanted["period_end"], steps, strict=True)
                ],
            )
            for back in range(4, -1, -1)
        ]
    )
    table = rows[[*key, "period_end", "value", "numerator", "denominator"]].drop_duplicates(
        [*key, "period_end"]
    )
    points = points.merge(table, on=[*key, "period_end"], how="left")
    points = points.sort_values(["row", "back"], ascending=[True, False])
    # A zero denominator has no rate: the point counts as missing.
    points.loc[~(points["denominator"] > 0), ["value", "numerator", "denominator"]] = np.nan
    shape = (len(wanted), 5)
    values = points["value"].to_numpy(dtype="float64").reshape(shape)
    numerators = points["numerator"].to_numpy(dtype="float64").reshape(shape)
    denominators = points["denominator"].to_numpy(dtype="float64").reshape(shape)
    order = points["row"].to_numpy().reshape(shape)[:, 0]
    result[order] = [
        recent_trend(v, n, d, indicator.polarity, kind)
        for v, n, d in zip(values, numerators, denominators, strict=True)
    ]
    return result


def apply_local_comparators(rows: pd.DataFrame, local: pd.DataFrame) -> pd.DataFrame:
    """Rows with comparators a board quoted (not derivable from shipped data) put in place."""
    columns = {
        "england": "england_value",
        "region": "region_value",
        "statistical_neighbours": "sn_average",
    }
    out = rows.copy()
    partner = out["source_type"] == "partner_return"
    for _, benchmark in local.iterrows():
        match = (
            partner
            & (out["indicator_id"] == benchmark["indicator_id"])
            & (out["area_code"] == benchmark["area_code"])
            & (out["period_end"] == benchmark["period_end"])
        )
        out.loc[match, columns[benchmark["comparator"]]] = float(benchmark["value"])
        if benchmark["comparator"] == "statistical_neighbours":
            # A quoted average came from another model: our count and place do not go with it.
            out.loc[match, ["sn_count", "sn_rank", "sn_rank_of"]] = pd.NA
        notes = out.loc[match, "comparator_note"].fillna("")
        out.loc[match, "comparator_note"] = (notes + "; " + benchmark["note"]).str.lstrip("; ")
    return out
