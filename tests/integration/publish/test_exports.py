"""write_exports on the demo warehouse: EES layout, disclosure control, analyst copies, bytes."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import pyarrow.parquet as pq
import pytest
import yaml

from lscb_metrics.publish import write_exports
from lscb_metrics.publish.exports import OPEN_DATA, OPEN_DATA_META, README
from lscb_metrics.published_cache import cache_folder

EES_COLUMNS = [
    "time_period",
    "time_identifier",
    "geographic_level",
    "country_code",
    "country_name",
    "region_code",
    "region_name",
    "new_la_code",
    "la_name",
    "old_la_code",
]
FILTERS = ["indicator_id", "breakdown", "source_type", "comparator_period"]
INDICATORS = [
    "value",
    "numerator",
    "denominator",
    "lower_ci95",
    "upper_ci95",
    "england_value",
    "region_value",
    "sn_average",
    "rank",
    "rank_of",
]
SYMBOLS = {"c", "x", "z", "u", "low"}


@pytest.fixture(scope="module")
def exported(
    demo_warehouse: Path, tmp_path_factory: pytest.TempPathFactory, demo_board: Any
) -> list[Path]:
    """The files written once for this module."""
    return write_exports(demo_warehouse, tmp_path_factory.mktemp("exports"), demo_board)


@pytest.fixture(scope="module")
def open_data(exported: list[Path]) -> pd.DataFrame:
    """The open-data CSV, every cell as written."""
    path = next(p for p in exported if p.name == OPEN_DATA)
    return pd.read_csv(path, dtype=str, keep_default_na=False)


@pytest.fixture(scope="module")
def catalogue(schemas_dir: Path) -> pd.DataFrame:
    """The indicator catalogue as a frame indexed by id."""
    entries = yaml.safe_load((schemas_dir / "indicators.yaml").read_text())["indicators"]
    return pd.DataFrame(entries).set_index("id")


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def analyst_exports(demo_warehouse: Path, tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """The analyst copies of the whole warehouse (no board: every board's figures)."""
    return write_exports(demo_warehouse, tmp_path_factory.mktemp("analyst"))


def test_writes_every_file_and_the_readme_describes_each(
    exported: list[Path], analyst_exports: list[Path]
) -> None:
    # A board's edition has its open data; the curated folder has the analysts' copies.
    assert [path.name for path in exported] == [OPEN_DATA, OPEN_DATA_META, README]
    assert {path.name for path in analyst_exports} == {
        "curated_indicator_values.parquet",
        "curated_indicator_values.csv",
        "curated_comparisons.parquet",
        "curated_comparisons.csv",
        README,
    }
    for written in (exported, analyst_exports):
        readme = next(p for p in written if p.name == README).read_text()
        for path in written:
            assert f"`{path.name}`" in readme
        for symbol in SYMBOLS:
            assert f"| `{symbol}` |" in readme
    # The board's edition is headed with its short name.
    readme = next(p for p in exported if p.name == README).read_text()
    assert readme.startswith("# Southend LSCB indicators: exported files\n")
    # Its examples of periods are the edition's quarter, the demo warehouse's latest.
    assert (
        "`201415` with `Financial year Q2` is the board's figure at the end of 2014-15 Q2, "
        in readme
    )


def test_open_data_has_the_ees_layout(open_data: pd.DataFrame) -> None:
    assert list(open_data.columns[: len(EES_COLUMNS)]) == EES_COLUMNS
    assert set(FILTERS + INDICATORS) <= set(open_data.columns)
    assert set(open_data["geographic_level"]) == {"National", "Regional", "Local authority"}
    assert set(open_data["time_identifier"]) <= {
        "Financial year",
        "Calendar year",
        *(f"Financial year Q{n}" for n in range(1, 5)),
    }
    six_digit = open_data["time_identifier"].str.startswith("Financial year")
    assert open_data.loc[six_digit, "time_period"].str.fullmatch(r"\d{6}").all()
    assert open_data.loc[~six_digit, "time_period"].str.fullmatch(r"\d{4}").all()
    national = open_data["geographic_level"] == "National"
    assert (open_data.loc[national, ["region_code", "new_la_code", "la_name"]] == "").all().all()
    local = open_data["geographic_level"] == "Local authority"
    assert (open_data.loc[local, "new_la_code"] != "").all()
    assert not open_data.duplicated(
        [
            "time_period",
            "time_identifier",
            "geographic_level",
            "new_la_code",
            "region_code",
            *FILTERS,
        ]
    ).any()


def test_southend_2013_14_published_cp_plan_rate_is_43_1(
    open_data: pd.DataFrame, board_area_code: str
) -> None:
    row = open_data[
        (open_data["new_la_code"] == board_area_code)
        & (open_data["indicator_id"] == "cp_plan_rate")
        & (open_data["time_period"] == "201314")
        & (open_data["time_identifier"] == "Financial year")
        & (open_data["source_type"] == "published")
    ]
    assert row["value"].tolist() == ["43.1"]
    assert row[["la_name", "old_la_code", "region_code"]].values.tolist() == [
        ["Southend-on-Sea", "882", "E12000006"]
    ]


def test_a_boards_annual_record_is_a_financial_year_and_its_quarters_are_quarters(
    open_data: pd.DataFrame, board_area_code: str
) -> None:
    board = open_data[
        (open_data["new_la_code"] == board_area_code)
        & (open_data["source_type"] == "partner_return")
    ]
    # The board's budget for 2013-14 (board_records.csv): the financial year, not its Q4.
    budget = board[board["indicator_id"] == "board_expenditure"]
    assert budget[["time_period", "time_identifier"]].values.tolist() == [
        ["201314", "Financial year"]
    ]
    # Referrals from the partner returns: each quarter's rolling 12 months, by quarter.
    referrals = board[(board["indicator_id"] == "referrals") & (board["time_period"] == "201314")]
    assert list(referrals["time_identifier"]) == [f"Financial year Q{n}" for n in range(1, 5)]


def test_each_row_names_the_year_its_comparators_are_from(
    open_data: pd.DataFrame, board_area_code: str
) -> None:
    board = open_data[
        (open_data["new_la_code"] == board_area_code)
        & (open_data["time_period"] == "201415")
        & (open_data["time_identifier"] == "Financial year Q2")
    ].set_index(["indicator_id", "breakdown"])
    # 2014-15 Q2 is compared with DfE's latest year published by then, 2013-14 (England's
    # referral rate 573.3); a count has no comparators; a rate compared with England alone,
    # whose England figure the board quoted for 2013-14 only, has none for the year.
    referral_rate = board.loc[("referral_rate", "Total")]
    assert (referral_rate["comparator_period"], referral_rate["england_value"]) == (
        "2013-14",
        "573.3",
    )
    assert board.loc[("referrals", "Total"), "comparator_period"] == "z"
    assert board.loc[("neonatal_death_rate", "Total"), "comparator_period"] == "x"
    # A published figure is compared with its own year.
    published = open_data[open_data["source_type"] == "published"]
    years = published["time_period"].str[:4] + "-" + published["time_period"].str[4:]
    compared = published["comparator_period"].ne("z") & published["time_identifier"].eq(
        "Financial year"
    )
    assert (published.loc[compared, "comparator_period"] == years[compared]).all()
    # Without comparators every comparator column is z, with them none is.
    comparators = ["england_value", "region_value", "sn_average", "rank", "rank_of"]
    local = open_data[open_data["geographic_level"] == "Local authority"]
    none = local["comparator_period"] == "z"
    assert (local.loc[none, comparators] == "z").all().all()
    assert (local.loc[~none, comparators] != "z").any(axis=1).all()


def test_no_count_cell_is_1_to_5(
    open_data: pd.DataFrame, catalogue: pd.DataFrame, board_area_code: str
) -> None:
    # Counts of children only: a member's board meetings (subject organisations) are not.
    children = open_data[open_data["indicator_id"].map(catalogue["subject"].eq("children"))]
    is_count = children["indicator_id"].map(catalogue["unit"].eq("count"))
    cells = pd.concat(
        [children["numerator"], children["denominator"], children.loc[is_count, "value"]]
    )
    assert not cells.isin([str(n) for n in range(1, 6)]).any()
    meetings = open_data[open_data["indicator_id"] == "board_attendance_pct"]
    assert meetings["denominator"].isin([str(n) for n in range(1, 6)]).any()
    # ... while the demo returns do hold such counts, withheld as c
    board = open_data[(open_data["new_la_code"] == board_area_code)]
    fostering = board[(board["indicator_id"] == "private_fostering")]
    assert (fostering.loc[fostering["time_period"] == "201213", "value"] == "c").all()
    reviews = board[board["indicator_id"] == "modifiable_factors_pct"]
    assert set(reviews["value"]) == {"c"} and set(reviews["numerator"]) == {"c"}


@pytest.mark.parametrize(
    ("indicator_id", "area_code", "year", "symbol"),
    [
        # d5 2025: County Durham's plans of two years or more are 'c', so is their percentage.
        ("cp_plans_two_years_or_more_pct", "E06000047", "202425", "c"),
        # d3 2024: the Isles of Scilly started no plans; the percentage is 'z' (not applicable).
        ("cp_subsequent_pct", "E06000053", "202324", "z"),
        # c1 2024: DfE withheld Hampshire's referrals as unreliable ('u'); the rate from them too.
        ("rereferral_pct", "E10000014", "202324", "u"),
        ("referral_rate", "E10000014", "202324", "u"),
    ],
)
def test_figures_dfe_withheld_keep_dfes_symbol(
    open_data: pd.DataFrame, indicator_id: str, area_code: str, year: str, symbol: str
) -> None:
    """A figure DfE printed as a symbol is republished with that symbol, not as 'x'."""
    row = open_data[
        (open_data["indicator_id"] == indicator_id)
        & (open_data["new_la_code"] == area_code)
        & (open_data["time_period"] == year)
        & (open_data["source_type"] == "published")
    ]
    assert row["value"].tolist() == [symbol]


def test_figures_are_rounded_to_the_catalogue_or_a_symbol(
    open_data: pd.DataFrame, catalogue: pd.DataFrame
) -> None:
    decimals = open_data["indicator_id"].map(catalogue["decimals"])
    for column in ["value", "lower_ci95", "upper_ci95", "england_value", "sn_average"]:
        cells = open_data[column]
        numeric = ~cells.isin(SYMBOLS)
        places = cells[numeric].str.partition(".")[2].str.len()
        assert (places == decimals[numeric]).all(), column
    for column in ["numerator", "denominator", "rank", "rank_of"]:
        cells = open_data[column]
        assert cells[~cells.isin(SYMBOLS)].str.fullmatch(r"\d+").all(), column


def test_regional_and_national_counts_are_rounded_to_10(
    open_data: pd.DataFrame, catalogue: pd.DataFrame
) -> None:
    wider = open_data[open_data["geographic_level"] != "Local authority"]
    shown = wider[~wider["numerator"].isin(SYMBOLS)]
    # Counts of children are rounded; residents (ONS estimates, subject organisations) are not.
    children = shown["indicator_id"].map(catalogue["subject"].eq("children"))
    numerators = shown.loc[children, "numerator"].astype(int)
    assert len(numerators) and (numerators % 10 == 0).all()
    residents = shown.loc[shown["indicator_id"] == "population_all_ages", "numerator"]
    assert (residents.astype(int) % 10 != 0).any()


def test_metadata_describes_every_filter_and_indicator(
    exported: list[Path], open_data: pd.DataFrame
) -> None:
    meta = pd.read_csv(
        next(p for p in exported if p.name == OPEN_DATA_META), dtype=str, keep_default_na=False
    )
    assert list(meta.columns) == [
        "col_name",
        "col_type",
        "label",
        "indicator_grouping",
        "indicator_unit",
        "indicator_dp",
        "filter_hint",
        "filter_grouping_column",
    ]
    assert meta.loc[meta["col_type"] == "Filter", "col_name"].tolist() == FILTERS
    assert meta.loc[meta["col_type"] == "Indicator", "col_name"].tolist() == INDICATORS
    assert (meta["label"] != "").all()
    grouping = set(meta["filter_grouping_column"]) - {""}
    assert grouping <= set(open_data.columns) - set(meta["col_name"])
    described = set(meta["col_name"]) | grouping | set(EES_COLUMNS)
    assert set(open_data.columns) == described


ANALYST_RELATIONS = ("curated.indicator_values", "curated.comparisons")


@pytest.fixture
def read_only_demo(demo_warehouse: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """The demo warehouse, opened read-only for the test."""
    connection = duckdb.connect(str(demo_warehouse), read_only=True)
    yield connection
    connection.close()


def analyst_copy(analyst_exports: list[Path], relation: str, suffix: str) -> Path:
    """The analyst copy of `relation` in the format `suffix`."""
    name = f"{relation.replace('.', '_')}.{suffix}"
    return next(path for path in analyst_exports if path.name == name)


def test_analyst_copies_hold_the_curated_relations_unrounded(
    analyst_exports: list[Path], read_only_demo: duckdb.DuckDBPyConnection
) -> None:
    for relation in ANALYST_RELATIONS:
        expected = read_only_demo.sql(f"SELECT count(*), sum(value) FROM {relation}").fetchall()[0]
        for suffix in ("parquet", "csv"):
            path = analyst_copy(analyst_exports, relation, suffix)
            copy = read_only_demo.sql(f"SELECT count(*), sum(value) FROM '{path}'").fetchall()[0]
            assert copy[0] == expected[0]
            assert copy[1] == pytest.approx(expected[1])


def test_analyst_parquet_copies_type_every_column_nullable_in_the_relations_order(
    analyst_exports: list[Path], read_only_demo: duckdb.DuckDBPyConnection
) -> None:
    # Nullable whatever a run's rows hold, so an analyst's reader of one quarter's copy reads
    # the next; the rows in the order the CSV has them.
    keys = "indicator_id, area_code, breakdown, period_end"
    for relation in ANALYST_RELATIONS:
        parquet = analyst_copy(analyst_exports, relation, "parquet")
        csv = analyst_copy(analyst_exports, relation, "csv")
        schema = pq.read_schema(parquet)
        described = read_only_demo.execute(f"DESCRIBE {relation}").fetchall()
        assert schema.names == [name for name, *_ in described]
        assert all(field.nullable for field in schema)
        assert (
            read_only_demo.sql(f"SELECT {keys} FROM '{parquet}'").fetchall()
            == read_only_demo.sql(f"SELECT {keys} FROM read_csv('{csv}')").fetchall()
        )


def test_same_warehouse_gives_the_same_bytes_and_is_not_changed(
    exported: list[Path], demo_warehouse: Path, tmp_path: Path, demo_board: Any
) -> None:
    before = sha256(demo_warehouse)
    again = write_exports(demo_warehouse, tmp_path, demo_board)
    assert [p.name for p in again] == [p.name for p in exported]
    for first, second in zip(exported, again, strict=True):
        assert first.read_bytes() == second.read_bytes(), first.name
    assert sha256(demo_warehouse) == before


def kept_open_data(warehouse: Path) -> list[str]:
    """Names of the open-data rows kept in the cache beside `warehouse`."""
    return sorted(path.name for path in cache_folder(warehouse).glob("open-data-*.parquet"))


def test_open_data_from_kept_rows_is_the_same_as_derived_afresh(
    exported: list[Path], demo_warehouse: Path, tmp_path: Path, demo_board: Any
) -> None:
    # The demo run's publishing kept the published rows beside its warehouse; a copy of the
    # warehouse with nothing kept beside it derives them again, to the same bytes.
    assert len(kept_open_data(demo_warehouse)) == 2  # one per edition
    copy = tmp_path / "fresh" / "warehouse.duckdb"
    copy.parent.mkdir()
    copy.write_bytes(demo_warehouse.read_bytes())
    fresh = write_exports(copy, tmp_path / "out", demo_board)
    assert kept_open_data(copy) == [
        name for name in kept_open_data(demo_warehouse) if name.startswith("open-data-public-")
    ]
    for first, second in zip(exported, fresh, strict=True):
        assert first.read_bytes() == second.read_bytes(), first.name


def test_a_changed_published_figure_is_never_read_from_kept_rows(
    demo_warehouse: Path, tmp_path: Path, demo_board: Any
) -> None:
    # England's 2013-14 referral rate is 573.3 per 10,000 (DfE CIN 2014); a warehouse whose
    # figure differs must publish its own, not the rows kept for the old one.
    copy = tmp_path / "warehouse.duckdb"
    copy.write_bytes(demo_warehouse.read_bytes())

    def england_2013_14_referral_rate(out: Path) -> str:
        files = write_exports(copy, out, demo_board)
        rows = pd.read_csv(files[0], dtype=str, keep_default_na=False)
        match = rows[
            rows["indicator_id"].eq("referral_rate")
            & rows["geographic_level"].eq("National")
            & rows["time_period"].eq("201314")
        ]
        return match["value"].item()

    assert england_2013_14_referral_rate(tmp_path / "before") == "573.3"
    kept = kept_open_data(copy)
    connection = duckdb.connect(str(copy))
    try:
        connection.execute(
            "UPDATE curated.indicator_values SET value = 600.04 WHERE indicator_id = "
            "'referral_rate' AND area_code = 'E92000001' AND period_end = DATE '2014-03-31'"
        )
    finally:
        connection.close()
    assert england_2013_14_referral_rate(tmp_path / "after") == "600.0"
    assert len(kept_open_data(copy)) == 1 and kept_open_data(copy) != kept
