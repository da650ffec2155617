"""Indicator values from facts: the pure computational core (no I/O).

Every figure is sum(numerator measures) / denominator * multiplier over a window of whole
financial quarters ending at the period end: published annual statistics are one-row windows,
partner returns are summed over the quarters of the window (rolling 12 months by default, as
the catalogue says), snapshot measures are taken as at the period end.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from lscb_metrics.catalogue import POPULATION_MEASURE, Indicator
from lscb_metrics.periods import (
    estimate_mid_year,
    population_mid_year,
    quarter_of,
    window_label,
    window_start,
)
from lscb_metrics.reference.symbols import GSS_SYMBOL
from lscb_metrics.stats import (
    proportion_ci_method,
    rate,
    rate_ci_method,
    rate_intervals,
    wilson_intervals,
)

#: What a value is of: indicator, area, breakdown and period.
SERIES_COLUMNS: tuple[str, ...] = (
    "indicator_id",
    "area_code",
    "area_name",
    "geographic_level",
    "region_code",
    "breakdown",
    "period_start",
    "period_end",
    "time_period",
)
#: Columns of curated.indicator_values produced here (intervals are added by `with_intervals`).
VALUE_COLUMNS: tuple[str, ...] = (
    *SERIES_COLUMNS,
    "numerator",
    "denominator",
    "counts_rounded_to",
    "value",
    "value_note",
    "value_symbol",
    "unit",
    "source_type",
    "source",
    "submission_ids",
    "source_sha256s",
)

_AREA_COLUMNS = ["area_code", "area_name", "geographic_level", "region_code"]
_SERIES_KEY = ["source_type", "area_code", "breakdown"]


def quarter_index(period_end: pd.Series) -> pd.Series:
    """Sequential number of the financial quarter containing each date (4 per year)."""
    return period_end.map(lambda day: (q := quarter_of(day)).year_start * 4 + q.number - 1)


def windowed_measures(facts: pd.DataFrame, indicator: Indicator) -> pd.DataFrame:
    """The indicator's measures summed over its window, one row per series and period end, with
    the window's first day (period_start).

    Published rows are already whole windows (a reporting year, or years pooled as their
    publisher states), so their window is the row itself; partner returns are quarterly, so flow
    measures are summed over the window's quarters and kept only where every quarter is present.
    Snapshot measures are the value at the period end.
    """
    measures = [m for m in indicator.measures if m != POPULATION_MEASURE]
    selected = facts[facts["measure"].isin(measures)]
    published = selected[selected["source_type"] != "partner_return"].copy()
    published["submission_ids"] = [[] for _ in range(len(published))]
    published["source_sha256s"] = [[] for _ in range(len(published))]
    partner = selected[selected["source_type"] == "partner_return"]
    months = months_covered(partner)
    # A board's annual record (a year's budget, its survey) is already a whole window: it is
    # its own window where the window is its length, and a snapshot as at its last day.
    records = partner[months > 3].copy()
    if indicator.measure_type == "flow":
        records = records[months[months > 3] == indicator.window_months]
    records["submission_ids"] = [[s] if s else [] for s in records["submission_id"]]
    records["source_sha256s"] = [[s] if s else [] for s in records["source_sha256"]]
    quarters = indicator.window_months // 3 if indicator.measure_type == "flow" else 1
    columns = [*_SERIES_KEY, "measure", "period_start", "period_end", "time_period", "value"]
    lineage = [*columns, "source", "submission_ids", "source_sha256s"]
    return pd.concat(
        [published[lineage], records[lineage], _rolling(partner[months <= 3], quarters)],
        ignore_index=True,
    )


def months_covered(facts: pd.DataFrame) -> pd.Series:
    """Calendar months from each fact's period start to its period end (3 for a quarter)."""
    if facts.empty:
        return pd.Series(0, index=facts.index, dtype="int64")
    return pd.Series(
        [
            (end.year - start.year) * 12 + end.month - start.month + 1
            for start, end in zip(facts["period_start"], facts["period_end"], strict=True)
        ],
        index=facts.index,
        dtype="int64",
    )


def _rolling(partner: pd.DataFrame, quarters: int) -> pd.DataFrame:
    """Partner facts summed over the `quarters` quarters ending at each quarter, complete only."""
    if partner.empty:
        return partner.iloc[0:0]
    frame = partner.reset_index(drop=True)
    frame["quarter"] = quarter_index(frame["period_end"])
    spread = frame.loc[frame.index.repeat(quarters)].copy()
    spread["target"] = spread["quarter"] + spread.groupby(level=0).cumcount()
    spread["missing"] = spread["value"].isna()
    keys = [*_SERIES_KEY, "target", "measure"]
    grouped = spread.groupby(keys, sort=False)
    summed = grouped.agg(
        value=("value", "sum"),
        missing=("missing", "any"),
        quarters=("quarter", "nunique"),
        period_end=("period_end", "max"),
    )
    # Each window's distinct files and sources, sorted (windows numbered as `summed` is ordered).
    windows = grouped.ngroup().tolist()
    for column, name in (("submission_id", "submission_ids"), ("source_sha256", "source_sha256s")):
        summed[name] = distinct_sorted(zip(windows, spread[column], strict=True), len(summed))
    summed["source"] = [
        "; ".join(sources)
        for sources in distinct_sorted(zip(windows, spread["source"], strict=True), len(summed))
    ]
    summed = summed.reset_index()
    # Complete windows only, ending on a quarter that was itself reported.
    keep = (summed["quarters"] == quarters) & (
        quarter_index(summed["period_end"]) == summed["target"]
    )
    summed.loc[summed["missing"], "value"] = np.nan
    # A partner value is labelled by the quarter its window ends with, or its pooled years.
    summed["time_period"] = summed["period_end"].map(lambda day: window_label(day, quarters * 3))
    summed["period_start"] = summed["period_end"].map(lambda day: window_start(day, quarters * 3))
    return summed[keep].drop(columns=["quarters", "target", "missing"])


def with_numerator(windowed: pd.DataFrame, indicator: Indicator) -> pd.DataFrame:
    """Only the series and periods where the source reports a numerator (perhaps suppressed):
    a published denominator alone does not make an indicator value."""
    keys = [*_SERIES_KEY, "period_end"]
    if windowed.empty:
        return windowed
    reported = windowed.loc[windowed["measure"].isin(indicator.numerator), keys].drop_duplicates()
    return windowed.merge(reported, on=keys, how="inner")


def series_lineage(windowed: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Per series and period: label, first day covered (the earliest of its measures'), sources,
    and the partner submissions and file hashes."""
    lineage = windowed.drop_duplicates(keys).set_index(keys)[["time_period"]]
    lineage["period_start"] = windowed.groupby(keys)["period_start"].min()
    # Series numbered as `lineage` is ordered: by first appearance.
    series = windowed.groupby(keys, sort=False).ngroup().tolist()
    lineage["source"] = [
        "; ".join(sources)
        for sources in distinct_sorted(zip(series, windowed["source"], strict=True), len(lineage))
    ]
    partner = (windowed["source_type"] == "partner_return").tolist()
    for column in ("submission_ids", "source_sha256s"):
        pairs = (
            (number, item)
            for number, items, own in zip(series, windowed[column], partner, strict=True)
            if own
            for item in items
        )
        lineage[column] = distinct_sorted(pairs, len(lineage))
    return lineage


def distinct_sorted(pairs: Iterable[tuple[int, object]], groups: int) -> list[list[str]]:
    """For each group number below `groups`, the distinct texts paired with it, sorted; anything
    but text (a missing value) left out."""
    # In plain Python over every group at once: a pandas aggregation per group was most of the
    # cost of an indicator's lineage.
    gathered: list[list[str]] = [[] for _ in range(groups)]
    for group, text in sorted({(group, text) for group, text in pairs if isinstance(text, str)}):
        gathered[group].append(text)
    return gathered


def window_estimates(
    population: pd.DataFrame,
    area_codes: pd.Series,
    period_ends: pd.Series,
    window_months: int,
    *,
    latest_if_unpublished: bool = True,
) -> list[tuple[pd.Series, pd.Series]]:
    """(mid-year, estimate of children aged 0-17; NaN where none) for each 12 months of the
    window ending at each period end, latest first: `population_mid_year(period_end)` and the
    years before it, or, where an estimate is not yet published and `latest_if_unpublished`,
    the area's latest (`estimate_mid_year`)."""
    lookup = population.set_index(["area_code", "mid_year"])["population_0_17"]
    latest = latest_mid_years(population, area_codes)
    estimates = []
    for back in range(max(window_months // 12, 1)):
        wanted = period_ends.map(population_mid_year) - back
        used = estimate_mid_years(wanted, latest) if latest_if_unpublished else wanted
        keys = pd.MultiIndex.from_arrays([area_codes, used])
        found = pd.Series(lookup.reindex(keys).to_numpy(dtype="float64"), index=area_codes.index)
        estimates.append((used, found))
    return estimates


def person_years(estimates: list[tuple[pd.Series, pd.Series]], window_months: int) -> pd.Series:
    """Child population (person-years) over a window of `window_months` from its
    `window_estimates`: their sum (pooled windows add the years; a window shorter than a year
    counts the part-year); NaN where one is missing."""
    share = window_months / 12 if window_months < 12 else 1.0
    return sum(found for _, found in estimates) * share


def missing_mid_years(estimates: list[tuple[pd.Series, pd.Series]]) -> pd.Series:
    """For each row of `window_estimates`, the mid-years of its window without an estimate,
    earliest first (empty where none is missing)."""
    missing = [
        [int(year) for year, found in reversed(pairs) if np.isnan(found)]
        for pairs in zip(
            *(zip(years, found, strict=True) for years, found in estimates), strict=True
        )
    ]
    index = estimates[0][0].index if estimates else None
    return pd.Series(missing, index=index, dtype="object")


def latest_mid_years(population: pd.DataFrame, area_codes: pd.Series) -> pd.Series:
    """The latest mid-year with an estimate in `population` for each area (NaN for none)."""
    known = population[population["population_0_17"].notna()]
    latest = known.groupby("area_code")["mid_year"].max()
    return area_codes.map(latest).astype("float64")


def estimate_mid_years(wanted: pd.Series, latest: pd.Series) -> pd.Series:
    """`estimate_mid_year` of each row: its wanted mid-year or its area's latest (NaN: none)."""
    years = [
        estimate_mid_year(int(year), None if np.isnan(last) else int(last))
        for year, last in zip(wanted, latest, strict=True)
    ]
    return pd.Series(years, index=wanted.index, dtype="int64")


def indicator_values(
    facts: pd.DataFrame,
    population: pd.DataFrame,
    indicator: Indicator,
    areas: pd.DataFrame,
) -> pd.DataFrame:
    """Values of one indicator for every area, breakdown and period the facts allow.

    `population` has area_code, mid_year, population_0_17 and source_type ('published' rows are
    the ONS series; 'partner_return' rows are local figures that override it for partner data).
    """
    frame = with_published_values(
        computed_values(facts, population, indicator), published_values(facts, indicator)
    )
    if frame.empty:
        return pd.DataFrame(columns=list(VALUE_COLUMNS))
    frame["counts_rounded_to"] = counts_rounded_to(facts, frame, indicator)
    frame["value_symbol"] = value_symbols(facts, frame, indicator)
    frame["period_start"] = value_period_starts(frame, indicator)
    frame["indicator_id"] = indicator.id
    frame["unit"] = indicator.unit
    frame = frame.merge(areas[_AREA_COLUMNS], on="area_code", how="left")
    return frame[list(VALUE_COLUMNS)]


_COMPUTED_COLUMNS = [
    *_SERIES_KEY,
    "period_start",
    "period_end",
    "time_period",
    "source",
    "submission_ids",
    "source_sha256s",
    "numerator",
    "denominator",
    "value",
    "value_note",
]


def computed_values(
    facts: pd.DataFrame, population: pd.DataFrame, indicator: Indicator
) -> pd.DataFrame:
    """numerator, denominator and value (`stats.rate`) of every series and period with counts."""
    windowed = with_numerator(windowed_measures(facts, indicator), indicator)
    if windowed.empty:
        return pd.DataFrame(columns=_COMPUTED_COLUMNS)
    wide = (
        windowed.groupby([*_SERIES_KEY, "period_end", "measure"])["value"]
        .first()
        .unstack("measure")
    )
    lineage = series_lineage(windowed, [*_SERIES_KEY, "period_end"])
    frame = wide.join(lineage).reset_index()
    for measure in indicator.measures:
        if measure not in frame.columns and measure != POPULATION_MEASURE:
            frame[measure] = np.nan
    parts = frame[list(indicator.numerator)]
    frame["numerator"] = parts.sum(axis=1).where(parts.notna().all(axis=1))
    frame["value_note"] = None
    if indicator.uses_population:
        frame["denominator"], absent = _population_for(frame, population, indicator.window_months)
        missing = frame["denominator"].isna() & frame["numerator"].notna()
        frame.loc[missing, "value_note"] = [no_population_note(y) for y in absent[missing]]
        # A rate on an earlier estimate than its year's says so, as DfE's and boards' tables do.
        latest = _latest_estimates_for(frame, population)
        wanted = frame["period_end"].map(population_mid_year)
        earlier = frame["denominator"].notna() & latest.lt(wanted)
        frame.loc[earlier, "value_note"] = [
            latest_population_note(int(year), int(estimate))
            for year, estimate in zip(wanted[earlier], latest[earlier], strict=True)
        ]
    elif indicator.denominator:
        frame["denominator"] = frame[indicator.denominator]
    else:
        frame["denominator"] = np.nan
    frame["value"] = indicator_value(frame["numerator"], frame["denominator"], indicator)
    return frame[_COMPUTED_COLUMNS]


def no_population_note(missing: Sequence[int]) -> str:
    """Why a rate per child has no value: the mid-years of its window with no estimate."""
    wanted = ", ".join(f"mid-{year}" for year in missing)
    return f"Not available: no ONS estimate of children aged 0-17 for {wanted} is shipped"


def latest_population_note(wanted: int, used: int) -> str:
    """What a rate per child stands on when its year's estimate is not yet published."""
    return (
        f"Uses the mid-{used} estimate of children aged 0-17, the latest published; the "
        f"mid-{wanted} estimate is not yet published, and the rate is revised when it is"
    )


def indicator_value(
    numerator: pd.Series, denominator: pd.Series, indicator: Indicator
) -> pd.Series:
    """The count itself for counts, else numerator / denominator x multiplier (`stats.rate`);
    NaN where either is missing or the denominator is 0."""
    if indicator.is_count:
        return numerator.astype("float64")
    pairs = zip(numerator.astype("float64"), denominator.astype("float64"), strict=True)
    return pd.Series(
        [rate(n, d, indicator.multiplier) for n, d in pairs], index=numerator.index, dtype="float64"
    )


def published_values(facts: pd.DataFrame, indicator: Indicator) -> pd.DataFrame:
    """The figure the publisher gives for this indicator (its `published_value` measure), by
    series and period, with the first day of the period it states; empty when the publisher gives
    only counts."""
    columns = [*_SERIES_KEY, "period_start", "period_end", "time_period", "value", "source"]
    if not indicator.published_value:
        return pd.DataFrame(columns=columns)
    rows = facts[
        (facts["measure"] == indicator.published_value) & (facts["source_type"] != "partner_return")
    ]
    return rows[columns].drop_duplicates([*_SERIES_KEY, "period_end"]).reset_index(drop=True)


def with_published_values(computed: pd.DataFrame, published: pd.DataFrame) -> pd.DataFrame:
    """`computed` with the published figure as the value wherever one is published (its counts
    kept as numerator and denominator), plus published figures that come without counts."""
    if published.empty:
        return computed
    figures = published.rename(
        columns={
            "value": "_figure",
            "period_start": "_start",
            "time_period": "_label",
            "source": "_source",
        }
    )
    frame = computed.merge(figures, on=[*_SERIES_KEY, "period_end"], how="outer")
    given = frame["_figure"].notna()
    frame.loc[given, "value"] = frame.loc[given, "_figure"]
    # A publisher's own figure is the value even where its counts were suppressed.
    frame.loc[given, "value_note"] = None
    frame["period_start"] = frame["period_start"].fillna(frame["_start"])
    frame["time_period"] = frame["time_period"].fillna(frame["_label"])
    frame["source"] = frame["source"].fillna(frame["_source"])
    for column in ("submission_ids", "source_sha256s"):
        frame[column] = [v if isinstance(v, list) else [] for v in frame[column]]
    return frame.drop(columns=["_figure", "_start", "_label", "_source"])


def counts_rounded_to(facts: pd.DataFrame, frame: pd.DataFrame, indicator: Indicator) -> pd.Series:
    """The base the publisher rounded each value's counts to (DfE: 10 for England and regions),
    1 where they are exact, NA where the value comes without counts."""
    has_counts = (frame["numerator"].notna() | frame["denominator"].notna()).to_numpy()
    bases = np.where(has_counts, 1.0, np.nan)
    if "rounded_to" in facts.columns:
        measures = [m for m in indicator.measures if m != POPULATION_MEASURE]
        key = [*_SERIES_KEY, "period_end"]
        rounded = (
            facts[facts["measure"].isin(measures) & facts["rounded_to"].notna()]
            .groupby(key)["rounded_to"]
            .max()
        )
        found = rounded.reindex(pd.MultiIndex.from_frame(frame[key])).to_numpy(dtype="float64")
        bases = np.where(has_counts & ~np.isnan(found), found, bases)
    return pd.Series(bases, index=frame.index).astype("Int64")


#: Which of a value's parts' symbols it takes, first first: one suppressed part suppresses the
#: whole (DfE), and a part withheld as unreliable or not applicable says more than "missing".
SYMBOL_ORDER = ("c", "u", "z", "low", "x")


def value_symbols(facts: pd.DataFrame, frame: pd.DataFrame, indicator: Indicator) -> pd.Series:
    """The symbol the publisher printed for each value it withheld (GSS: c, u, z, low, x): that
    of its own published figure, else of the counts the value comes from; None where there is
    a value or the source printed no symbol."""
    key = [*_SERIES_KEY, "period_end"]
    parts = [*indicator.numerator, *([indicator.denominator] if indicator.denominator else [])]
    marked = facts[
        facts["measure"].isin([indicator.published_value, *parts]) & facts["symbol"].notna()
    ]
    symbols = pd.Series(None, index=frame.index, dtype="object")
    if marked.empty:
        return symbols
    marked = marked.assign(gss=marked["symbol"].map(GSS_SYMBOL))
    # The published figure's own symbol first, then the parts' in SYMBOL_ORDER.
    marked = marked.assign(
        order=marked["gss"].map(SYMBOL_ORDER.index)
        + np.where(marked["measure"] == indicator.published_value, 0, len(SYMBOL_ORDER))
    )
    chosen = marked.sort_values("order", kind="stable").drop_duplicates(key).set_index(key)["gss"]
    found = chosen.reindex(pd.MultiIndex.from_frame(frame[key]))
    symbols[:] = [symbol if isinstance(symbol, str) else None for symbol in found]
    return symbols.where(frame["value"].isna(), None)


def _population_tables(population: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """The estimates each source type's rates use: ONS for published figures; for the partner's
    own, local figures over ONS."""
    ons = population[population["source_type"] == "published"]
    with_local = pd.concat([ons, population[population["source_type"] == "partner_return"]])
    with_local = with_local.drop_duplicates(["area_code", "mid_year"], keep="last")
    return {"published": ons, "partner_return": with_local}


def _population_for(
    frame: pd.DataFrame, population: pd.DataFrame, window_months: int
) -> tuple[pd.Series, pd.Series]:
    """Population denominator per row, and the mid-years its window has no estimate for
    (`missing_mid_years`); local figures override ONS for the partner's own rows."""
    denominator = pd.Series(np.nan, index=frame.index)
    missing = pd.Series([[] for _ in frame.index], index=frame.index, dtype="object")
    for source_type, table in _population_tables(population).items():
        # Published figures are annual (their windows are the financial year) and stand on
        # their own year's estimate, as DfE's rate does: without it they have no rate.
        own = source_type == "partner_return"
        rows = frame["source_type"] == source_type
        if rows.any():
            months = window_months if own else 12
            estimates = window_estimates(
                table,
                frame.loc[rows, "area_code"],
                frame.loc[rows, "period_end"],
                months,
                latest_if_unpublished=own,
            )
            denominator[rows] = person_years(estimates, months).to_numpy()
            missing[rows] = missing_mid_years(estimates)
    return denominator, missing


def _latest_estimates_for(frame: pd.DataFrame, population: pd.DataFrame) -> pd.Series:
    """The latest mid-year with an estimate for each of the board's own rows' area, from the
    estimates its rates use (NaN for published rows, which never fall back to it)."""
    result = pd.Series(np.nan, index=frame.index)
    rows = frame["source_type"] == "partner_return"
    if rows.any():
        table = _population_tables(population)["partner_return"]
        result[rows] = latest_mid_years(table, frame.loc[rows, "area_code"]).to_numpy()
    return result


def value_period_starts(frame: pd.DataFrame, indicator: Indicator) -> pd.Series:
    """First day each value covers: the period end for snapshots; for flows the start of the
    window its facts cover (the period the publisher states, such as LAIT's three years pooled,
    or the partner returns' quarters)."""
    if indicator.measure_type == "snapshot":
        return frame["period_end"]
    return frame["period_start"].astype("object")


#: Confidence levels of the published intervals and the column suffixes they get.
CONFIDENCE_LEVELS = ((0.95, "95"), (0.998, "998"))
INTERVAL_COLUMNS = tuple(
    f"{side}_ci{suffix}" for side in ("lower", "upper") for _, suffix in CONFIDENCE_LEVELS
)
#: ci_method of limits taken as their publisher gave them.
PUBLISHED_CI_METHOD = "as published (computed by the publisher from its unrounded counts)"


def published_limits(facts: pd.DataFrame, indicator: Indicator) -> pd.DataFrame:
    """The publisher's own confidence limits of its figures, by series and period: the measures
    named `<published_value>:<limit column>` (Fingertips gives them); empty where it gives none."""
    key = [*_SERIES_KEY, "period_end"]
    names = {f"{indicator.published_value}:{column}": column for column in INTERVAL_COLUMNS}
    rows = facts[facts["measure"].isin(names) & (facts["source_type"] != "partner_return")]
    if not indicator.published_value or rows.empty:
        return pd.DataFrame(columns=[*key, *INTERVAL_COLUMNS])
    wide = rows.pivot_table(index=key, columns="measure", values="value", aggfunc="first")
    return wide.rename(columns=names).reindex(columns=list(INTERVAL_COLUMNS)).reset_index()


def with_intervals(
    values: pd.DataFrame, indicator: Indicator, published: pd.DataFrame | None = None
) -> pd.DataFrame:
    """`values` with 95% and 99.8% confidence limits and the method used, for rates and
    percentages with counts (PHEindicatormethods: Wilson score for proportions; exact Poisson
    below 10 events and Byar's method from 10 for rates), or the publisher's own limits where
    `published` (from `published_limits`) gives all four: its counts may be rounded (Fingertips
    rounds local counts to 5), its limits are not. Counts and rate-only published values get
    none."""
    out = values.copy()
    numerator = out["numerator"].astype("float64")
    denominator = out["denominator"].astype("float64")
    usable = numerator.notna() & denominator.notna() & (denominator > 0)
    is_proportion = indicator.multiplier == 100
    if is_proportion:
        usable &= numerator <= denominator
    for confidence, suffix in CONFIDENCE_LEVELS:
        lower = pd.Series(np.nan, index=out.index)
        upper = pd.Series(np.nan, index=out.index)
        if indicator.has_interval and usable.any():
            if is_proportion:
                low, high = wilson_intervals(numerator[usable], denominator[usable], confidence)
                low, high = low * 100, high * 100
            else:
                low, high = rate_intervals(
                    numerator[usable], denominator[usable], indicator.multiplier, confidence
                )
            lower[usable], upper[usable] = low, high
        out[f"lower_ci{suffix}"] = lower
        out[f"upper_ci{suffix}"] = upper
    # A published figure outside the interval of its counts was computed from other counts (DfE
    # rounds regional counts to 10): that interval is not the figure's, so none is given.
    foreign = (out["value"] < out["lower_ci998"]) | (out["value"] > out["upper_ci998"])
    foreign |= (out["value"] < out["lower_ci95"]) | (out["value"] > out["upper_ci95"])
    out.loc[foreign, list(INTERVAL_COLUMNS)] = np.nan
    usable &= ~foreign
    method = pd.Series(None, index=out.index, dtype="object")
    if indicator.has_interval:
        method[usable] = (
            proportion_ci_method() if is_proportion else numerator[usable].map(rate_ci_method)
        )
    if published is not None and not published.empty and indicator.has_interval:
        key = [*_SERIES_KEY, "period_end"]
        given = out[key].merge(published, on=key, how="left")
        whole = given[list(INTERVAL_COLUMNS)].notna().all(axis=1).to_numpy()
        for column in INTERVAL_COLUMNS:
            out.loc[whole, column] = given.loc[whole, column].to_numpy()
        method[whole] = PUBLISHED_CI_METHOD
    out["ci_method"] = method
    return out
