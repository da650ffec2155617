"""curated.comparisons: each indicator value beside England, its region, its statistical
neighbours, its rank and quartile band among all local authorities, and the year before.

Rules, as DfE's Local Authority Interactive Tool (LAIT) applies them to published figures:
- Local authorities are followed by their DfE number, so a neighbour counts under whatever ONS
  code it had that year (Buckinghamshire 825 was E10000002 until 2020); a number with no
  published figure that year (North Northamptonshire 940 before 2021) is left out. So is an
  authority's own series, its year before and recent trend: North Yorkshire's 2023-24 figures
  (E06000065) follow on from 2022-23's (E10000023), while Cumberland (942) does not continue
  Cumbria (909).
- Places among areas (neighbour place, national rank, quartile band) are taken on the figures as
  published, rounded to the catalogue's decimal places; ties share the better place.
- England's and the region's figures are the published ones; the comparison with them
  (`stats.compare_with_benchmark`) is always against the figure shown beside it.

A partner-return value (a quarter) is compared with the latest published year ending on or before
its period end (`comparator_period_end`), which is what a board sees when it reports.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from lscb_metrics.catalogue import Indicator
from lscb_metrics.compute.values import SERIES_COLUMNS
from lscb_metrics.facts import ENGLAND_CODE
from lscb_metrics.periods import month_end_before
from lscb_metrics.reference.areas import REGION_FALLBACK
from lscb_metrics.stats import (
    NOT_COMPARED,
    change,
    compare_with_benchmark,
    neighbour_average,
    percent_change,
    place_in_field,
    quartile_band,
    quartile_cut_points,
    rank_within_group,
    recent_trend,
    rounded_half_away_from_zero,
)
from lscb_metrics.stats.trend import KIND_PROPORTION, KIND_RATE, POINTS_USED

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
    "comparator_period",
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
_SN_COLUMNS = ("sn_average", "sn_count", "sn_rank", "sn_rank_of")


def comparisons(
    values: pd.DataFrame,
    indicator: Indicator,
    neighbours: pd.DataFrame,
    local_comparators: pd.DataFrame,
    la_numbers: Mapping[str, str],
    published_values: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Comparison rows for every value of one indicator (all areas, breakdowns and sources).

    `neighbours` has la_number, neighbour_number (DfE numbers) and model; `la_numbers` gives
    each local authority's DfE number by ONS code; `local_comparators` has indicator_id,
    area_code, period_end, comparator ('england' | 'region' | 'statistical_neighbours'), value
    and note, for figures a board quoted that the shipped national data cannot give. The
    published figures compared with are those among `values`, or `published_values` where
    `values` holds a board's figures alone (every comparison is row by row, or within a series).
    """
    rows = values[values["indicator_id"] == indicator.id].reset_index(drop=True)
    context = rows if published_values is None else published_values
    published = context[
        (context["indicator_id"] == indicator.id)
        & (context["source_type"] == "published")
        & (context["breakdown"] == "Total")
    ]
    out = rows[[*SERIES_COLUMNS, "source_type", "value"]].copy()
    out["comparator_period_end"] = comparator_period_ends(out, published)
    out["comparator_period"] = comparator_periods(out["comparator_period_end"], published)
    wanted = set(indicator.comparators)
    out["england_value"] = _lookup(published, out, ENGLAND_CODE) if "england" in wanted else np.nan
    out["region_value"] = _lookup(published, out, None) if "region" in wanted else np.nan
    shown = shown_values(rows["value"], indicator.decimals)
    field = la_field(published, la_numbers, indicator.decimals)
    numbers = out["area_code"].map(la_numbers).where(out["geographic_level"] == _LA)
    # A change of ONS code alone keeps the DfE number, so the series of year-before figures and
    # trend points runs on under it; a split or merger made new numbers and new series.
    authority = numbers.fillna(out["area_code"])
    sn = (
        neighbour_averages(out, shown, numbers, field, neighbours, indicator.polarity)
        if "statistical_neighbours" in wanted
        else pd.DataFrame({"sn_average": np.nan, "sn_count": 0}, index=out.index).assign(
            sn_rank=pd.NA, sn_rank_of=pd.NA
        )
    )
    for column in _SN_COLUMNS:
        out[column] = sn[column] if column == "sn_average" else sn[column].astype("Int64")
    out["sn_model"] = neighbours["model"].iloc[0] if len(neighbours) else None
    ranks = la_ranks(out, shown, numbers, field, indicator.polarity)
    out["rank"] = ranks["rank"]
    out["rank_of"] = ranks["rank_of"]
    out["quartile_band"] = ranks["quartile_band"]
    out["previous_value"] = previous_values(out, indicator.change_years, authority)
    out["change"] = [change(c, p) for c, p in zip(out["value"], out["previous_value"], strict=True)]
    out["change_pct"] = [
        percent_change(c, p) for c, p in zip(out["value"], out["previous_value"], strict=True)
    ]
    out["polarity"] = indicator.polarity
    out["trend"] = trends(rows, indicator, authority)
    out["comparator_note"] = rows.get("value_note")
    has_interval = rows.get("lower_ci95", pd.Series(np.nan, index=rows.index)).notna()
    out = apply_local_comparators(out, local_comparators, has_interval)
    # Compared only now, so each label is about the figure printed beside it.
    out["vs_england"] = benchmark_comparisons(rows, out["england_value"], indicator.polarity)
    out["vs_region"] = benchmark_comparisons(rows, out["region_value"], indicator.polarity)
    # An area is not compared with itself (Fingertips: England is "Not compared").
    out.loc[out["area_code"].eq(ENGLAND_CODE), "vs_england"] = NOT_COMPARED
    out.loc[out["area_code"].eq(out["region_code"]), "vs_region"] = NOT_COMPARED
    return out[list(COMPARISON_COLUMNS)]


def shown_values(values: pd.Series, decimals: int) -> pd.Series:
    """Each value as published: rounded to `decimals` places, halves away from zero (DfE)."""
    return pd.Series(
        rounded_half_away_from_zero(values.astype("float64"), decimals),
        index=values.index,
        dtype="float64",
    )


def la_field(
    published: pd.DataFrame, la_numbers: Mapping[str, str], decimals: int
) -> dict[object, dict[str, float]]:
    """Every local authority's published figure (rounded as published) by DfE number, for each
    period end; authorities without a figure are absent."""
    la = published[(published["geographic_level"] == _LA) & published["value"].notna()]
    la = la.assign(
        number=la["area_code"].map(la_numbers), shown=shown_values(la["value"], decimals)
    ).dropna(subset=["number"])
    return {
        period_end: dict(zip(group["number"], group["shown"], strict=True))
        for period_end, group in la.drop_duplicates(["number", "period_end"]).groupby("period_end")
    }


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


def comparator_periods(ends: pd.Series, published: pd.DataFrame) -> pd.Series:
    """The label of the published period ending on each of `ends`, as its figures are labelled
    ('2024-25', or '2020-22' for LAIT's pooled calendar years); None where none ends there."""
    labels = published.drop_duplicates("period_end").set_index("period_end")["time_period"]
    found = pd.Series(labels.reindex(ends.to_numpy()).to_numpy(), index=ends.index, dtype="object")
    return found.where(found.notna(), None)


def _lookup(published: pd.DataFrame, rows: pd.DataFrame, area_code: str | None) -> pd.Series:
    """Published value of England (`area_code`) or of each row's region at its comparator period."""
    table = published.set_index(["area_code", "period_end"])["value"]
    table = table[~table.index.duplicated()]
    codes = rows["region_code"] if area_code is None else pd.Series(area_code, index=rows.index)

    def looked_up(codes: pd.Series) -> pd.Series:
        keys = pd.MultiIndex.from_arrays([codes, rows["comparator_period_end"]])
        return pd.Series(table.reindex(keys).to_numpy(), index=rows.index, dtype="float64")

    found = looked_up(codes)
    # Inner or Outer London without a figure of its own (Fingertips gives none) -> London's.
    return found.fillna(looked_up(codes.map(REGION_FALLBACK)))


def neighbour_averages(
    rows: pd.DataFrame,
    shown: pd.Series,
    numbers: pd.Series,
    field: Mapping[object, Mapping[str, float]],
    neighbours: pd.DataFrame,
    polarity: str,
) -> pd.DataFrame:
    """Mean of the statistical neighbours' published figures (`stats.neighbour_average`), how
    many had one, and the area's place among itself and them (`stats.rank_within_group`), for
    each local-authority row at its comparator period."""
    groups = neighbours.groupby("la_number")["neighbour_number"].agg(list).to_dict()
    result = pd.DataFrame(
        {"sn_average": np.nan, "sn_count": 0, "sn_rank": None, "sn_rank_of": None},
        index=rows.index,
        dtype="object",
    )
    for index, number, period_end, value in zip(
        rows.index, numbers, rows["comparator_period_end"], shown, strict=True
    ):
        codes = groups.get(number)
        if not codes or period_end not in field:
            continue
        figures = field[period_end]
        average, count = neighbour_average(figures, codes)
        place, of = rank_within_group(
            value, [figures.get(code, np.nan) for code in codes], polarity
        )
        result.loc[index] = (average, count, place, of if place is not None else None)
    return result.astype({"sn_average": "float64", "sn_count": "int64"})


def la_ranks(
    rows: pd.DataFrame,
    shown: pd.Series,
    numbers: pd.Series,
    field: Mapping[object, Mapping[str, float]],
    polarity: str,
) -> pd.DataFrame:
    """Rank among all local authorities with a published figure (1 = best, or highest without
    polarity), of how many, and quartile band A-D, at each row's comparator period, all on the
    figures as published. A partner-return value takes its area's place in that year's field."""
    table = pd.DataFrame(
        {"rank": pd.NA, "rank_of": pd.NA, "quartile_band": None}, index=rows.index, dtype="object"
    )
    ranked = numbers.notna() & shown.notna() & rows["comparator_period_end"].isin(list(field))
    for period_end, group in rows[ranked].groupby("comparator_period_end"):
        figures = field[period_end]
        cut_points = quartile_cut_points(figures.values())
        ordered = sorted(figures.values())
        for index, number, source_type in zip(
            group.index, numbers[group.index], group["source_type"], strict=True
        ):
            value = shown[index]
            own = figures.get(number)
            # A published figure takes its own place in the field; any other value takes its
            # area's place, in place of the area's published figure.
            placed = own if source_type == "published" and own is not None else value
            rank, rank_of = place_in_field(ordered, placed, own, polarity)
            table.loc[index] = (rank, rank_of, quartile_band(value, cut_points, polarity))
    return table.astype({"rank": "Int64", "rank_of": "Int64", "quartile_band": "object"})


def previous_values(
    rows: pd.DataFrame, years: int = 1, authority: pd.Series | None = None
) -> pd.Series:
    """Value of the same series `years` years before each row's period end (year on year by
    default; the catalogue's `change_years` otherwise); a series is an `authority`'s (each
    row's, default its area code) indicator, breakdown and source."""
    rows = rows.assign(_authority=rows["area_code"] if authority is None else authority)
    key = ["indicator_id", "_authority", "breakdown", "source_type"]
    table = rows.set_index([*key, "period_end"])["value"]
    table = table[~table.index.duplicated()]
    year_before = rows["period_end"].map(lambda day: day.replace(year=day.year - years))
    keys = pd.MultiIndex.from_arrays([*(rows[k] for k in key), year_before])
    return pd.Series(table.reindex(keys).to_numpy(), index=rows.index, dtype="float64")


def trends(rows: pd.DataFrame, indicator: Indicator, authority: pd.Series) -> pd.Series:
    """Fingertips recent trend over the last five points with a figure ending at each row
    (rates and percentages only), for the latest period of each published series and every
    partner row; a series is an `authority`'s (each row's) breakdown and source.

    Published points are a year apart. A partner flow's points are a whole window apart, since
    rolling windows that overlap share events and are not independent; a partner snapshot's
    points are a quarter apart. Earlier published periods are left empty: the trend is read at
    the latest point.
    """
    result = pd.Series(None, index=rows.index, dtype="object")
    if not indicator.has_interval or "numerator" not in rows.columns:
        return result
    kind = KIND_PROPORTION if indicator.multiplier == 100 else KIND_RATE
    rows = rows.assign(_authority=authority)
    key = ["_authority", "breakdown", "source_type"]
    latest = rows.groupby(key)["period_end"].transform("max") == rows["period_end"]
    wanted = rows[latest | (rows["source_type"] == "partner_return")]
    if wanted.empty:
        return result
    # Every wanted row's points in one join: row x steps back. A published series' years
    # without a figure are skipped, as Fingertips skips them (`recent_trend` takes the last
    # five with counts), so its points reach back over the whole series; a partner row's five
    # points are its own five windows, with no gap filled from further back.
    partner = (wanted["source_type"] == "partner_return").to_numpy()
    partner_step = 3 if indicator.measure_type == "snapshot" else indicator.window_months
    steps = np.where(partner, partner_step, 12)
    ends = rows["period_end"]
    reach = max(max(ends).year - min(ends).year + 1, POINTS_USED)
    points = pd.concat(
        [
            wanted[key].assign(
                row=wanted.index,
                back=back,
                period_end=[
                    None
                    if is_partner and back >= POINTS_USED
                    else month_end_before(day, step * back)
                    for day, step, is_partner in zip(
                        wanted["period_end"], steps.tolist(), partner, strict=True
                    )
                ],
            )
            for back in range(reach - 1, -1, -1)
        ]
    )
    table = rows[[*key, "period_end", "value", "numerator", "denominator"]].drop_duplicates(
        [*key, "period_end"]
    )
    points = points.merge(table, on=[*key, "period_end"], how="left")
    points = points.sort_values(["row", "back"], ascending=[True, False])
    # A zero denominator has no rate: the point counts as missing.
    points.loc[~(points["denominator"] > 0), ["value", "numerator", "denominator"]] = np.nan
    shape = (len(wanted), reach)
    values = points["value"].to_numpy(dtype="float64").reshape(shape)
    numerators = points["numerator"].to_numpy(dtype="float64").reshape(shape)
    denominators = points["denominator"].to_numpy(dtype="float64").reshape(shape)
    order = points["row"].to_numpy().reshape(shape)[:, 0]
    result[order] = [
        recent_trend(v, n, d, indicator.polarity, kind)
        for v, n, d in zip(values, numerators, denominators, strict=True)
    ]
    return result


def apply_local_comparators(
    rows: pd.DataFrame, local: pd.DataFrame, has_interval: pd.Series
) -> pd.DataFrame:
    """Rows with comparators a board quoted (not derivable from shipped data) put in place, each
    noted with its source and with how the figure beside it is compared with it."""
    columns = {
        "england": "england_value",
        "region": "region_value",
        "statistical_neighbours": "sn_average",
    }
    out = rows.copy()
    partner = out["source_type"] == "partner_return"
    local = local[local["indicator_id"].isin(out.loc[partner, "indicator_id"].unique())]
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
            how = pd.Series("", index=out.index)
        else:
            # The quoted figure has no interval of its own; the Fingertips rule needs only ours.
            how = pd.Series(
                np.where(
                    has_interval,
                    " (compared with the quoted figure using this figure's 95% and 99.8%"
                    " confidence intervals)",
                    " (not compared: this figure has no confidence interval)",
                ),
                index=out.index,
            )
        notes = out.loc[match, "comparator_note"].fillna("")
        quoted = benchmark["note"] + how[match]
        out.loc[match, "comparator_note"] = (notes + "; " + quoted).str.lstrip("; ")
    return out
