"""The aggregate measures, derived from pseudonymised case lists: DuckDB SQL, one query per
group of measures, each named after what it returns, and the facts they become.

Every measure has exactly the name the aggregate return uses for it (schemas/returns/*.yaml),
and is counted per list (one authority's list in one file) and financial quarter, for the
quarters the list covers. Definitions (DfE children in need census guide):

- referrals: referrals received in the quarter (by referral date);
- rereferrals_within_12_months: referrals in the quarter for a child whose previous referral was
  within the 12 months before, on or after the same date a year earlier (the previous referral
  is the child's latest earlier one in the list, which holds a year of history for this);
- referrals_source_<police|schools|health|family_public|other>, referrals_to_assessment: by the
  referral's source, and those whose outcome was a single assessment;
- section_47_enquiries: enquiries started in the quarter;
- assessments_completed: single assessments authorised in the quarter; of those,
  assessments_within_45_days and assessments_within_local_target took at most 45, and at most the
  authority's local target in the quarter (default 40), working days from their start
- cp_plan_starts, cp_plans_ended: plans starting, and ending, in the quarter;
- cp_plan_starts_subsequent: starts that are a second or subsequent plan, as the list says, or
  where it is blank, when the list holds an earlier plan for the child;
- cp_plans_at_end (and cp_plans_<category> by initial category of abuse): plans open at the last
  day of the quarter, i.e. started on or before it and not ended on or before it;
- cp_plans_two_years_or_more: of those, plans that started two years or more before that day.

children_in_need is not derived: it counts every open child in need episode, which none of these
lists holds. Counts are zero, not missing, for a quarter a list covers with nothing to count.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date

import duckdb
import pandas as pd

from lscb_metrics.cases.workdays import working_day_numbers
from lscb_metrics.facts import conform_facts
from lscb_metrics.periods import Quarter

SOURCES = ("police", "schools", "health", "family_public", "other")
CATEGORIES = ("neglect", "physical", "emotional", "sexual", "multiple")
STATUTORY_DAYS = 45
GEOGRAPHIC_LEVEL = "Local authority"
SOURCE_TYPE = "partner_return"

# A child's records in one list, earliest first: the previous record is the one before.
_CHILD_HISTORY = "PARTITION BY unit, child ORDER BY {date}"

#: The measures each list gives, in the order of the aggregate returns.
MEASURES: dict[str, tuple[str, ...]] = {
    "referrals": (
        "referrals",
        "rereferrals_within_12_months",
        *(f"referrals_source_{source}" for source in SOURCES),
        "referrals_to_assessment",
    ),
    "section_47_enquiries": ("section_47_enquiries",),
    "assessments": (
        "assessments_completed",
        "assessments_within_local_target",
        "assessments_within_45_days",
    ),
    "cp_plans": (
        "cp_plans_at_end",
        *(f"cp_plans_{category}" for category in CATEGORIES),
        "cp_plans_two_years_or_more",
        "cp_plan_starts",
        "cp_plan_starts_subsequent",
        "cp_plans_ended",
    ),
}


def quarter_number_sql(column: str) -> str:
    """SQL for the financial quarter a date falls in, numbered as year_start * 4 + number - 1
    (April-June 2014 is 8056), the numbering `quarter_number` gives."""
    return f"((year({column}) * 12 + month({column}) - 4) // 3)"


def quarter_number(quarter: Quarter) -> int:
    """A quarter's number: year_start * 4 + number - 1."""
    return quarter.year_start * 4 + quarter.number - 1


def referral_counts_sql(cases: str = "cases_referrals") -> str:
    """Per unit and quarter: referrals, re-referrals within 12 months, by source, to assessment."""
    by_source = ", ".join(
        f"count(*) FILTER (WHERE referral_source = '{source}') AS referrals_source_{source}"
        for source in SOURCES
    )
    previous = f"lag(referral_date) OVER ({_CHILD_HISTORY.format(date='referral_date')})"
    referrals = (
        f"SELECT unit, referral_date, referral_source, referral_outcome, {previous} "
        f"AS previous_referral_date FROM {cases}"
    )
    return (
        f"SELECT unit, {quarter_number_sql('referral_date')} AS quarter, count(*) AS referrals, "
        "count(*) FILTER (WHERE previous_referral_date >= referral_date - INTERVAL 12 MONTH) "
        f"AS rereferrals_within_12_months, {by_source}, "
        "count(*) FILTER (WHERE referral_outcome = 'assessment') AS referrals_to_assessment "
        f"FROM ({referrals}) GROUP BY ALL"
    )


def section_47_counts_sql(cases: str = "cases_section_47_enquiries") -> str:
    """Per unit and quarter: section 47 enquiries started."""
    return (
        f"SELECT unit, {quarter_number_sql('s47_start_date')} AS quarter, "
        f"count(*) AS section_47_enquiries FROM {cases} GROUP BY ALL"
    )


def assessment_counts_sql(cases: str = "cases_assessments", quarters: str = "case_quarters") -> str:
    """Per unit and quarter: assessments authorised, and of those, within the local target of
    the quarter (`quarters`' local_target) and within 45 working days of their start
    (working-day numbers from `working_days`)."""
    took = "finish.number - start.number"
    quarter = quarter_number_sql("a.assessment_authorised_date")
    return (
        f"SELECT a.unit, {quarter} AS quarter, count(*) AS assessments_completed, "
        f"count(*) FILTER (WHERE {took} <= q.local_target) AS assessments_within_local_target, "
        f"count(*) FILTER (WHERE {took} <= {STATUTORY_DAYS}) AS assessments_within_45_days "
        f"FROM {cases} a JOIN {quarters} q ON q.unit = a.unit AND q.quarter = {quarter} "
        "JOIN working_days start ON start.day = a.assessment_start_date "
        "JOIN working_days finish ON finish.day = a.assessment_authorised_date GROUP BY ALL"
    )


def plan_flow_counts_sql(cases: str = "cases_cp_plans") -> str:
    """Per unit and quarter: plans started, started as a subsequent plan, and ended."""
    earlier = f"lag(plan_start_date) OVER ({_CHILD_HISTORY.format(date='plan_start_date')})"
    subsequent = f"coalesce(subsequent_plan, {earlier} IS NOT NULL)"
    plans = f"SELECT unit, plan_start_date, {subsequent} AS subsequent FROM {cases}"
    starts = (
        f"SELECT unit, {quarter_number_sql('plan_start_date')} AS quarter, "
        "count(*) AS cp_plan_starts, count(*) FILTER (WHERE subsequent) "
        f"AS cp_plan_starts_subsequent, 0 AS cp_plans_ended FROM ({plans}) GROUP BY ALL"
    )
    ends = (
        f"SELECT unit, {quarter_number_sql('plan_end_date')} AS quarter, 0, 0, count(*) "
        f"FROM {cases} WHERE plan_end_date IS NOT NULL GROUP BY ALL"
    )
    return (
        "SELECT unit, quarter, sum(cp_plan_starts) AS cp_plan_starts, "
        "sum(cp_plan_starts_subsequent) AS cp_plan_starts_subsequent, "
        f"sum(cp_plans_ended) AS cp_plans_ended FROM ({starts} UNION ALL {ends}) GROUP BY ALL"
    )


def open_plan_counts_sql(cases: str = "cases_cp_plans", quarters: str = "case_quarters") -> str:
    """Per unit and quarter it covers: plans open at the quarter's last day, by initial category
    of abuse, and those that started two years or more before that day."""
    by_category = ", ".join(
        f"count(*) FILTER (WHERE abuse_category = '{category}') AS cp_plans_{category}"
        for category in CATEGORIES
    )
    return (
        f"SELECT q.unit, q.quarter, count(*) AS cp_plans_at_end, {by_category}, "
        "count(*) FILTER (WHERE p.plan_start_date <= q.period_end - INTERVAL 2 YEAR) "
        f"AS cp_plans_two_years_or_more FROM {quarters} q JOIN {cases} p ON p.unit = q.unit "
        "AND p.plan_start_date <= q.period_end "
        "AND (p.plan_end_date IS NULL OR p.plan_end_date > q.period_end) GROUP BY ALL"
    )


#: The queries each list's measures come from.
COUNT_QUERIES = {
    "referrals": (referral_counts_sql,),
    "section_47_enquiries": (section_47_counts_sql,),
    "assessments": (assessment_counts_sql,),
    "cp_plans": (plan_flow_counts_sql, open_plan_counts_sql),
}


def quarters_frame(unit_quarters: Mapping[int, Sequence[Quarter]]) -> pd.DataFrame:
    """Every (unit, quarter) the units cover: unit, quarter number, period_start, period_end."""
    rows = [
        (unit, quarter_number(quarter), quarter.start, quarter.end)
        for unit, quarters in unit_quarters.items()
        for quarter in quarters
    ]
    return pd.DataFrame(rows, columns=["unit", "quarter", "period_start", "period_end"])


def working_days_frame(first: date | None, last: date | None) -> pd.DataFrame:
    """The working-day number of every day from `first` to `last` (cases/workdays.py); no days
    when there are none to number."""
    if first is None or last is None:
        return pd.DataFrame(
            {"day": pd.Series(dtype="datetime64[s]"), "number": pd.Series(dtype="int32")}
        )
    days, numbers = working_day_numbers(first, last)
    return pd.DataFrame({"day": days, "number": numbers})


def measure_counts(
    connection: duckdb.DuckDBPyConnection, list_type: str, quarters: pd.DataFrame
) -> pd.DataFrame:
    """One row per (unit, quarter) of `quarters` for the list type's units, one column per
    measure: the counts its queries return, 0 where they return none."""
    frame = quarters[["unit", "quarter"]]
    for query in COUNT_QUERIES[list_type]:
        counts = connection.execute(query()).df()
        frame = frame.merge(counts, on=["unit", "quarter"], how="left")
    measures = list(MEASURES[list_type])
    frame[measures] = frame[measures].fillna(0).astype("int64")
    return frame[["unit", "quarter", *measures]]


def case_facts(counts: pd.DataFrame, quarters: pd.DataFrame, lineage: pd.DataFrame) -> pd.DataFrame:
    """Measure counts as facts: one per measure, unit and quarter, in the canonical layout.

    `lineage` gives per unit: area_code, area_name, region_code, source (file name),
    submission_id and source_sha256."""
    long = counts.melt(id_vars=["unit", "quarter"], var_name="measure", value_name="value")
    frame = long.merge(quarters, on=["unit", "quarter"]).merge(lineage, on="unit")
    frame["time_period"] = [_quarter_of_number(int(n)).label for n in frame["quarter"]]
    frame["geographic_level"] = GEOGRAPHIC_LEVEL
    frame["breakdown"] = "Total"
    frame["source_type"] = SOURCE_TYPE
    order = frame.sort_values(["area_code", "period_end", "measure"], kind="stable")
    return conform_facts(order)


def _quarter_of_number(number: int) -> Quarter:
    """The quarter `quarter_number` numbers `number`."""
    return Quarter(number // 4, number % 4 + 1)
