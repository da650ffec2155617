"""`lscb-metrics explain`: every indicator's lineage, its declared functions real, and one value
traced to the submitted cells and the published file and row."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest
import yaml

from lscb_metrics.catalogue import filled_title, load_catalogue
from lscb_metrics.cli import main
from lscb_metrics.config import settings
from lscb_metrics.explain import COLUMN_LINEAGE, summed_over_a_year, traced_area
from lscb_metrics.measures import MEASURES_FILE, load_registry
from lscb_metrics.reference import la_lookup, load_areas

SCHEMAS = Path(__file__).resolve().parents[2] / "schemas"
SOURCE = Path(__file__).resolve().parents[2] / "src" / "lscb_metrics"
REGISTRY = load_registry(SCHEMAS / MEASURES_FILE)
CATALOGUE = load_catalogue(SCHEMAS / "indicators.yaml", REGISTRY)
SOUTHEND = "E06000033"


def resolve(target: str) -> object:
    """The object a 'module:function' reference names."""
    module, name = target.split(":")
    return getattr(importlib.import_module(module), name)


def test_every_declared_lineage_function_exists_is_called_and_every_column_is_declared() -> None:
    relations = yaml.safe_load((SCHEMAS / "warehouse.yaml").read_text())["relations"]
    # A function the pipeline never calls gives no column (stats.rank_areas was named for the
    # ranks that stats.place_in_field gives): each must be called where the relations are made.
    source = "".join(
        (SOURCE / name).read_text()
        for name in ("pipeline.py", "compute/values.py", "compute/comparisons.py")
    )
    called = set(re.findall(r"(?<!def )\b(\w+)\(", source))
    for relation, columns, functions in COLUMN_LINEAGE:
        for column in columns:
            assert column in relations[relation]["columns"], (relation, column)
        for function in functions:
            assert callable(resolve(function)), function
            assert function.split(":")[1] in called, function


#: The columns of the curated relations no function computes: each is copied unchanged from an
#: input, so `explain` has no function to name for it.
COPIED_COLUMNS = {
    "curated.indicator_values": {
        # The catalogue entry's own (indicator_id, unit, decimals).
        "indicator_id",
        "unit",
        "decimals",
        # reference.areas, joined by area code.
        "area_code",
        "area_name",
        "geographic_level",
        "region_code",
        # The facts' own: a window ends on the last day of its last quarter.
        "breakdown",
        "period_end",
        "source_type",
    },
    "curated.comparisons": {
        # The compared row of curated.indicator_values.
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
        # The catalogue entry's polarity and reference.neighbours' model.
        "polarity",
        "sn_model",
    },
}


def test_every_column_of_the_curated_relations_has_its_functions_or_is_copied() -> None:
    # A new computed column without lineage would be missing from `explain` and the data
    # dictionary: it must be named in COLUMN_LINEAGE, or here as copied unchanged.
    relations = yaml.safe_load((SCHEMAS / "warehouse.yaml").read_text())["relations"]
    traced: dict[str, set[str]] = {relation: set() for relation in COPIED_COLUMNS}
    for relation, columns, _ in COLUMN_LINEAGE:
        traced[relation] |= set(columns)
    for relation, copied in COPIED_COLUMNS.items():
        declared = set(relations[relation]["columns"])
        assert declared - traced[relation] - copied == set(), relation
        assert copied - declared == set(), relation
        assert traced[relation] & copied == set(), relation


@pytest.mark.parametrize("indicator", CATALOGUE, ids=lambda indicator: indicator.id)
def test_explain_prints_measures_sources_and_functions(indicator, capsys) -> None:
    assert main(["explain", indicator.id]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"{indicator.id}: {filled_title(indicator.title)}")
    assert "{" not in out  # no raw placeholder: {assessment_working_days} printed as it was
    places = (
        "1 decimal place)" if indicator.decimals == 1 else f"{indicator.decimals} decimal places)"
    )
    assert f"({indicator.unit}, {places}" in out
    for name in (*indicator.measures, *filter(None, [indicator.published_value])):
        measure = REGISTRY.measures[name]
        assert f"- {name} (" in out
        for column in measure.returns:
            assert f"partner return: {column.return_type} column {column.column}" in out
        for source in measure.published:
            assert REGISTRY.tables[source.table].file in out and source.column in out
    for relation, columns, functions in COLUMN_LINEAGE:
        assert f"- {relation} {', '.join(columns)}: {', '.join(functions)}" in out


def test_an_unknown_indicator_exits_1_naming_the_known_ones(capsys) -> None:
    assert main(["explain", "referal_rate"]) == 1
    assert "referral_rate" in capsys.readouterr().err


def test_a_partner_value_is_traced_to_its_cells_and_population(demo_warehouse, capsys) -> None:
    args = ["explain", "referral_rate", "--area", SOUTHEND, "--period", "2014-15-Q2"]
    assert main([*args, "--warehouse", str(demo_warehouse)]) == 0
    out = capsys.readouterr().out
    trace = out.split(f"referral_rate, {SOUTHEND}, 2014-15 Q2, partner_return", 1)[1]
    assert trace.count("from submission S-") == 4  # the four quarters of the rolling year
    assert "SBC-CSC_referrals.xlsx" in trace and "cells Data!" in trace
    assert "mid-2014: 37617 from the local override" in trace
    assert "local_population.csv" in trace


def test_the_trace_says_how_the_public_edition_shows_the_figure_and_why(
    demo_warehouse, capsys
) -> None:
    # Thurrock's 5 children on a plan for two years or more at September 2014 (of 170): a count
    # of 1 to 5, so the public edition shows c for it and its percentage, and the trace says so.
    args = ["explain", "cp_plans_two_years_or_more_pct", "--area", "E06000034"]
    assert main([*args, "--period", "2014-15-Q2", "--warehouse", str(demo_warehouse)]) == 0
    out = capsys.readouterr().out
    assert (
        "  public edition: value c, numerator c, denominator 170; c because a count of "
        "children from 1 to 5"
    ) in out
    # A figure shown is shown as published: rounded, with its counts.
    args = ["explain", "cp_plan_rate", "--area", "E06000034", "--period", "2014-15-Q2"]
    assert main([*args, "--warehouse", str(demo_warehouse)]) == 0
    [shown] = [line for line in capsys.readouterr().out.splitlines() if "public edition" in line]
    assert re.fullmatch(r"  public edition: value \d+\.\d, numerator 170, denominator \d+", shown)


def test_a_published_value_is_traced_to_its_file_and_row(demo_warehouse, capsys) -> None:
    args = ["explain", "referral_rate", "--area", SOUTHEND, "--period", "2013-14"]
    assert main([*args, "--warehouse", str(demo_warehouse)]) == 0
    trace = capsys.readouterr().out.split(f"referral_rate, {SOUTHEND}, 2013-14, published", 1)[1]
    # Counts as counts (it printed 2020.0 and 37785.0), the rate unrounded as stored.
    assert re.search(r"value 534\.6\d{5,} \(numerator 2020, denominator 37785\)", trace)
    assert "c1_children_in_need_referrals_and_rereferrals" in trace
    assert f"row time_period 2014, new_la_code {SOUTHEND}, column referral_count" in trace
    assert "mid-2013: 37785 from" in trace and "ons_mid-year_population_estimates" in trace


@pytest.mark.parametrize(
    ("period", "warehouse", "message"),
    [
        ("2030-31", None, "no value of referral_rate for area E06000033 and period 2030-31"),
        ("2013-14", "absent.duckdb", "no warehouse at"),
    ],
)
def test_a_missing_value_or_warehouse_is_one_line_and_exit_1(
    period, warehouse, message, demo_warehouse, tmp_path, capsys
) -> None:
    path = tmp_path / warehouse if warehouse else demo_warehouse
    args = ["explain", "referral_rate", "--area", SOUTHEND, "--period", period]
    assert main([*args, "--warehouse", str(path)]) == 1
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1


def test_a_new_boards_missing_12_month_figure_says_why_in_its_editions_words(
    new_board, capsys
) -> None:
    # Thurrock's returns start in 2014-15 Q1: at Q2 it has no referral rate (summed over 12
    # months), and explain said only "no value", where its scorecard and workbook say why.
    warehouse, _ = new_board
    args = ["explain", "referral_rate", "--area", "E06000034", "--period", "2014-15-Q2"]
    assert main([*args, "--warehouse", str(warehouse)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.rstrip().endswith(
        "no value of referral_rate for area E06000034 and period 2014-15 Q2. Partner returns "
        "start with 2014-15 Q1: a figure summed over 12 months (such as referrals per 10,000 "
        "children) needs four quarters of returns, so the first is for 2014-15 Q4; one over a "
        "longer window needs its every quarter."
    )


@pytest.mark.parametrize(
    ("indicator", "summed"),
    [
        ("referral_rate", True),  # referrals in the 12 months to the quarter's end
        ("child_death_rate_3yr", True),  # three years of returns
        ("referrals_family_public_pct", False),  # six months: two quarters suffice
        ("cp_plans", False),  # children on a plan at the quarter's end
        ("board_expenditure", False),  # the board's own records, not partners' returns
        ("lac_rate", False),  # published statistics only
    ],
)
def test_summed_over_a_year_is_a_flow_of_partner_returns_of_12_months_or_more(
    indicator, summed
) -> None:
    [found] = [i for i in CATALOGUE if i.id == indicator]
    assert summed_over_a_year(found, REGISTRY) is summed


@pytest.mark.parametrize(("area", "days"), [(SOUTHEND, 40), ("E06000034", 45)])
def test_a_traced_title_names_the_areas_own_local_target(
    area, days, demo_warehouse, capsys
) -> None:
    indicator = "assessments_within_local_target_pct"
    args = ["explain", indicator, "--area", area, "--period", "2014-15-Q2"]
    assert main([*args, "--warehouse", str(demo_warehouse)]) == 0
    title = capsys.readouterr().out.splitlines()[0]
    assert title == (
        f"{indicator}: Single assessments completed within the local target of {days} working "
        "days (%)"
    )


@pytest.mark.parametrize(
    ("period", "label", "rate"),
    [
        ("2013-14-Q4", "2012-14", "25.26"),
        ("2013-14", "2012-14", "25.26"),
        ("2014-15-Q2", "2012-13 Q3 to 2014-15 Q2", "25.25"),
    ],
)
def test_a_pooled_rate_is_traced_by_the_quarter_or_year_its_window_ends(
    period, label, rate, demo_warehouse, capsys
) -> None:
    # A pooled window is labelled by its years, so the quarter or year an analyst types (as
    # for every other indicator) found no value.
    args = ["explain", "child_death_rate_2yr", "--area", SOUTHEND, "--period", period]
    assert main([*args, "--warehouse", str(demo_warehouse)]) == 0
    trace = capsys.readouterr().out.split(f"child_death_rate_2yr, {SOUTHEND}, {label}, ", 1)[1]
    assert trace.startswith(f"partner_return, breakdown Total: value {rate}")
    # Eight quarters of each of the three numerator measures, and the two mid-years.
    assert trace.count("from submission S-") == 24
    assert "population_0_17 (mid-years " in trace


def test_a_rate_published_without_its_counts_is_traced_to_the_rate(demo_warehouse, capsys) -> None:
    # LAIT publishes children killed or seriously injured as a 3-year rate alone: tracing it
    # looked for the counts' published file, which there is none of, and stopped on an
    # IndexError.
    args = ["explain", "road_ksi_rate", "--area", SOUTHEND, "--period", "2020-22"]
    assert main([*args, "--warehouse", str(demo_warehouse)]) == 0
    trace = capsys.readouterr().out.split(f"road_ksi_rate, {SOUTHEND}, 2020-22, published", 1)[1]
    assert "  children_killed: not published (the publisher gives the value alone)" in trace
    assert "17.5 from " in trace and "row Short Desc RTA, period 2020-22" in trace
    # Nor is it computed from a population: a mid-2022 estimate traced beside it said it was.
    assert "population_0_17" not in trace


def test_a_dfe_number_is_traced_as_the_area_it_names(demo_warehouse, capsys) -> None:
    # `run` and `board init` take Derby's DfE number, 831; explain said "no value ... for area
    # 831" and exited 1.
    args = ["explain", "referral_rate", "--area", "831", "--period", "2013-14"]
    assert main([*args, "--warehouse", str(demo_warehouse)]) == 0
    assert "referral_rate, E06000015, 2013-14, published" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("area", "period", "code"),
    [
        ("815", "2019-20", "E10000023"),  # North Yorkshire's code until March 2023
        ("815", "2024-25-Q2", "E06000065"),  # and since
        ("E06000015", "2013-14", "E06000015"),  # an ONS code is itself
        ("999", "2013-14", "999"),  # no such DfE number: left as typed, and found nowhere
    ],
)
def test_traced_area_is_the_ons_code_in_force_at_the_period(area, period, code) -> None:
    lookup = la_lookup(load_areas(settings().reference_dir))
    assert traced_area(lookup, area, period) == code
