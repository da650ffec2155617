"""The shipped SYNTHETIC demo returns (data/raw/returns) reproduce the seed report's figures.

The files are read here directly with openpyxl and pandas, independently of the pipeline, so a
failure points at the data rather than at the reader. Flow measures are summed over whole
quarters; snapshot measures are read at the quarter end; percentages and rates are rounded to
1 decimal place with halves away from zero, as published.
"""

from __future__ import annotations

import csv
import importlib.util
import io
import re
import sys
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from itertools import pairwise
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
RETURNS = ROOT / "data" / "raw" / "returns"
SCHEMAS = ROOT / "schemas"
GENERATOR = ROOT / "scripts" / "make_demo_returns.py"

LA_CODE = "E06000033"
QUARTERS = [f"{2012 + i // 4}-{(2013 + i // 4) % 100:02d}-Q{i % 4 + 1}" for i in range(10)]
Y2012, Y2013 = QUARTERS[0:4], QUARTERS[4:8]
OCT13_MAR14 = QUARTERS[6:8]
OCT13_SEP14 = QUARTERS[6:10]
MAR_2013, SEP_2013, MAR_2014, SEP_2014 = "2012-13-Q4", "2013-14-Q2", "2013-14-Q4", "2014-15-Q2"
POPULATION_0_17 = {"2012-13": 37595, "2013-14": 37617}  # mid-2012, mid-2013 (the report's)
# The child death overview panel's earlier returns, 2009-10 Q1 to 2011-12 Q4 (2-year death rate).
EARLY_QUARTERS = [f"{2009 + i // 4}-{(2010 + i // 4) % 100:02d}-Q{i % 4 + 1}" for i in range(12)]
XLSX_RETURNS = {"referrals", "cp_plans", "assessments", "private_fostering"}
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def publish(numerator: int, denominator: int, multiplier: int = 100, places: int = 1) -> Decimal:
    """numerator / denominator x multiplier, rounded half away from zero (publication rule)."""
    value = Decimal(int(numerator)) * multiplier / Decimal(int(denominator))
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def quarter_dates(folder: str) -> tuple[date, date]:
    """First and last day of the financial quarter named like 2014-15-Q2."""
    year, number = int(folder[:4]), int(folder[-1])
    month = 4 + 3 * (number - 1)
    start = date(year + (month > 12), (month - 1) % 12 + 1, 1)
    after = pd.Timestamp(start) + pd.DateOffset(months=3) - pd.Timedelta(days=1)
    return start, after.date()


def load_yaml(path: Path) -> dict:
    return yaml.load(path.read_text(encoding="utf-8"), Loader=SAFE_LOADER)


COVER = load_yaml(SCHEMAS / "cover.yaml")["fields"]
COVER_NAMES = [f["name"] for f in COVER]
AGENCIES = load_yaml(SCHEMAS / "boards" / "southend" / "board.yaml")["agencies"]
SCHEMA = {p.stem: load_yaml(p) for p in sorted((SCHEMAS / "returns").glob("*.yaml"))}


@dataclass
class Submission:
    path: Path
    cover: dict[str, object]
    header: list[str]
    data: pd.DataFrame  # columns renamed to the schema `name`s

    @property
    def quarter(self) -> str:
        return self.path.parent.name


def read_xlsx(path: Path, return_type: str) -> Submission:
    workbook = openpyxl.load_workbook(path, read_only=True)
    assert workbook.sheetnames == ["Cover", "Data"], path
    cover_rows = list(workbook["Cover"].iter_rows(min_row=3, max_col=2, values_only=True))
    by_title = {label: value for label, value in cover_rows if label is not None}
    cover = {f["name"]: by_title[f["title"]] for f in COVER}
    rows = list(workbook["Data"].iter_rows(values_only=True))
    title_to_name = {c["title"]: c["name"] for c in SCHEMA[return_type]["columns"]}
    header = list(rows[0])
    data = pd.DataFrame(rows[1:], columns=[title_to_name[t] for t in header])
    return Submission(path, cover, header, data)


def read_csv(path: Path) -> Submission:
    raw = path.read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf"), f"{path}: has a BOM"
    header, *body = csv.reader(io.StringIO(raw.decode("utf-8")))
    records = [dict(zip(header, row, strict=True)) for row in body]
    cover: dict[str, object] = {name: records[0][name] for name in COVER_NAMES}
    assert all({n: r[n] for n in COVER_NAMES} == cover for r in records), f"{path}: cover varies"
    numeric = {
        c["name"]
        for c in SCHEMA[str(cover["return_type"])]["columns"]
        if c["type"] in ("count", "integer")
    }
    rows = [
        {k: int(v) if k in numeric else v for k, v in r.items() if k not in cover} for r in records
    ]
    data = pd.DataFrame(rows)
    return Submission(path, cover, header, data)


@pytest.fixture(scope="module")
def submissions() -> list[Submission]:
    out = []
    for path in sorted(RETURNS.glob("*/*.*")):
        return_type = path.stem.split("_", 1)[1]
        out.append(read_xlsx(path, return_type) if path.suffix == ".xlsx" else read_csv(path))
    return out


def table(submissions: list[Submission], return_type: str, agency: str | None = None):
    """All rows of one return type (optionally one agency), indexed by quarter folder."""
    frames = [
        s.data.assign(quarter=s.quarter)
        for s in submissions
        if s.cover["return_type"] == return_type and agency in (None, s.cover["agency_code"])
    ]
    return pd.concat(frames, ignore_index=True)


def total(frame: pd.DataFrame, columns: str | list[str], quarters: list[str]) -> int:
    """A flow measure (or the sum of several) summed over whole quarters."""
    columns = [columns] if isinstance(columns, str) else columns
    return int(frame.loc[frame["quarter"].isin(quarters), columns].to_numpy().sum())


def at(frame: pd.DataFrame, column: str, quarter: str) -> int:
    """A single-row return's value in one quarter."""
    values = frame.loc[frame["quarter"] == quarter, column]
    assert len(values) == 1
    return int(values.iloc[0])


# --- layout and cover ----------------------------------------------------------------------


def expected_files() -> set[str]:
    files = set()
    for quarter in QUARTERS:
        for agency in AGENCIES:
            for return_type in agency["returns"]:
                suffix = "xlsx" if return_type in XLSX_RETURNS else "csv"
                files.add(f"{quarter}/{agency['code']}_{return_type}.{suffix}")
    return files | {f"{quarter}/SET-CDOP_child_deaths.csv" for quarter in EARLY_QUARTERS}


def test_every_agency_sends_every_return_every_quarter() -> None:
    # The second demo board's returns (thurrock/) come from scripts/make_board_returns.py.
    shipped = {
        p.relative_to(RETURNS).as_posix()
        for p in RETURNS.rglob("*")
        if p.is_file() and p.relative_to(RETURNS).parts[0] != "thurrock"
    }
    assert shipped - {"README.md"} == expected_files()
    # 20 returns a quarter for 10 quarters, and 12 earlier child death returns
    assert len(expected_files()) == 20 * 10 + 12


def test_each_file_states_what_it_is(submissions: list[Submission]) -> None:
    for s in submissions:
        agency, return_type = s.path.stem.split("_", 1)
        start, end = quarter_dates(s.quarter)
        assert s.cover["return_type"] == return_type, s.path
        assert s.cover["agency_code"] == agency, s.path
        assert s.cover["la_code"] == LA_CODE, s.path
        columns = SCHEMA[return_type]["columns"]
        if s.path.suffix == ".xlsx":  # real Excel dates, schema titles in the header
            assert isinstance(s.cover["period_start"], datetime), s.path
            assert s.cover["period_start"].date() == start, s.path
            assert s.cover["period_end"].date() == end, s.path
            assert s.header == [c["title"] for c in columns], s.path
        else:  # ISO dates, cover names then column names
            assert (s.cover["period_start"], s.cover["period_end"]) == (
                start.isoformat(),
                end.isoformat(),
            ), s.path
            assert s.header == COVER_NAMES + [c["name"] for c in columns], s.path


def _side(expression: str, row: pd.Series) -> int:
    return sum(int(row[term.strip()]) for term in expression.split("+"))


def test_every_file_passes_its_schema_checks(submissions: list[Submission]) -> None:
    for s in submissions:
        schema = SCHEMA[str(s.cover["return_type"])]
        assert len(s.data) >= 1, s.path
        for column in schema["columns"]:
            values = s.data[column["name"]]
            if column["type"] in ("count", "integer"):
                assert all(isinstance(v, int) and not isinstance(v, bool) for v in values.tolist())
                assert (values >= column.get("min", 0)).all(), (s.path, column["name"])
                assert (values <= column.get("max", float("inf"))).all(), (s.path, column["name"])
            if "allowed" in column:
                assert set(values) <= set(column["allowed"]), (s.path, column["name"])
        for key in schema["row_key"]:
            assert s.data[key].is_unique, (s.path, key)
        for check in schema["checks"]:
            left, op, right = re.split(r"\s*(==|<=)\s*", check["rule"])
            for _, row in s.data.iterrows():
                a, b = _side(left, row), _side(right, row)
                assert (a == b) if op == "==" else (a <= b), (s.path, check["code"], a, b)


def test_generator_reproduces_the_shipped_files_and_refuses_to_overwrite(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spec = importlib.util.spec_from_file_location("make_demo_returns", GENERATOR)
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, spec.name, module)  # dataclasses look their module up
    spec.loader.exec_module(module)
    assert module.main(["--out", str(tmp_path)]) == 0
    for name in sorted(expected_files()):
        assert (tmp_path / name).read_bytes() == (RETURNS / name).read_bytes(), name
    assert module.main(["--out", str(tmp_path)]) == 2
    assert module.main(["--out", str(tmp_path), "--force"]) == 0


# --- the seed report's figures -------------------------------------------------------------


def test_referrals(submissions: list[Submission]) -> None:
    ref = table(submissions, "referrals")
    assert total(ref, "referrals", Y2012) == 1719
    assert total(ref, "referrals", Y2013) == 1992
    assert publish(1719, POPULATION_0_17["2012-13"], 10000) == Decimal("457.2")
    assert publish(1992, POPULATION_0_17["2013-14"], 10000) == Decimal("529.5")
    family = total(ref, "referrals_source_family_public", OCT13_MAR14)
    assert publish(family, total(ref, "referrals", OCT13_MAR14)) == Decimal("8.6")
    to_assessment = total(ref, "referrals_to_assessment", OCT13_SEP14)
    assert publish(to_assessment, total(ref, "referrals", OCT13_SEP14)) == Decimal("93.1")
    # plausible: every quarter different, re-referrals 20-25% a year, 18-26% a quarter
    assert ref["referrals"].is_unique
    for year in (Y2012, Y2013):
        share = total(ref, "rereferrals_within_12_months", year) / total(ref, "referrals", year)
        assert 0.20 <= share <= 0.255
    assert (ref["rereferrals_within_12_months"] / ref["referrals"]).between(0.18, 0.27).all()
    assert 360 <= total(ref, "section_47_enquiries", Y2012) <= 460  # DfE: 367 and 448
    assert ref["children_in_need"].between(950, 1150).all()  # DfE: 1,058 and 1,057 at 31 March


def test_child_protection_plans(submissions: list[Submission]) -> None:
    cpp = table(submissions, "cp_plans")
    assert at(cpp, "cp_plans_at_end", MAR_2013) == 75
    assert at(cpp, "cp_plans_at_end", MAR_2014) == 163
    assert at(cpp, "cp_plans_at_end", SEP_2014) == 161
    assert publish(161, POPULATION_0_17["2013-14"], 10000) == Decimal("42.8")
    through_2013_14 = [at(cpp, "cp_plans_at_end", q) for q in [MAR_2013, *Y2013]]
    assert through_2013_14 == sorted(through_2013_14)  # the rise came through 2013-14
    assert 205 <= total(cpp, "cp_plan_starts", Y2013) <= 225  # DfE: 215
    assert 104 <= total(cpp, "cp_plan_starts", Y2012) <= 124  # DfE: 114
    # the stock moves by starts - ends from one quarter to the next
    for before, after in pairwise(QUARTERS):
        moved = at(cpp, "cp_plan_starts", after) - at(cpp, "cp_plans_ended", after)
        assert at(cpp, "cp_plans_at_end", before) + moved == at(cpp, "cp_plans_at_end", after)


def test_assessment_timeliness(submissions: list[Submission]) -> None:
    asm = table(submissions, "assessments")
    assert (asm["local_target_days"] == 40).all()
    within = total(asm, "assessments_within_local_target", OCT13_SEP14)
    assert publish(within, total(asm, "assessments_completed", OCT13_SEP14)) == Decimal("92.1")
    pct = asm.set_index("quarter").eval("assessments_within_local_target / assessments_completed")
    assert pct[["2013-14-Q1", "2013-14-Q2"]].max() < 0.70  # the April-July 2013 backlog
    assert pct[OCT13_SEP14].min() > 0.85  # recovered after


PUBLISHED_TRAINING = {
    ("SUH", MAR_2014): "90.0",
    ("ECFRS", MAR_2014): "90.0",
    ("SCHOOLS", MAR_2014): "98.2",
    ("DENTAL", MAR_2014): "50.5",
    ("ESSEX-POLICE", MAR_2014): "73.5",
    ("SBC-CSC", MAR_2014): "95.0",
    ("SBC-IYSS", MAR_2014): "99.5",
    ("ECRC", SEP_2014): "97.6",
    ("SEPT", SEP_2014): "99.0",
    ("GP", SEP_2014): "100.0",
    ("SEH", SEP_2014): "79.0",
    ("SBC-EY", SEP_2014): "90.7",
}


def test_training_rates(submissions: list[Submission]) -> None:
    trn = pd.concat(
        [
            s.data.assign(quarter=s.quarter, agency=s.cover["agency_code"])
            for s in submissions
            if s.cover["return_type"] == "training"
        ]
    )
    sums = trn.groupby(["agency", "quarter"])[["staff_trained_in_date", "staff_requiring_training"]]
    sums = sums.sum()
    rates = {
        key: publish(row.staff_trained_in_date, row.staff_requiring_training)
        for key, row in sums.iterrows()
    }
    for key, expected in PUBLISHED_TRAINING.items():
        assert rates[key] == Decimal(expected), key
    levels = trn.groupby("agency")["training_level"].agg(lambda s: sorted(set(s)))
    assert levels["GP"] == ["level_3"]
    assert levels["ESSEX-POLICE"] == ["level_1", "level_2"]
    for agency in levels.index:  # plausible nearby values in the other quarters
        series = [rates[(agency, q)] for q in QUARTERS]
        assert min(series) >= 35, agency
        assert max(abs(a - b) for a, b in pairwise(series)) <= 5, agency


def test_child_deaths(submissions: list[Submission]) -> None:
    cdp = table(submissions, "child_deaths")
    all_ages = ["deaths_neonatal", "deaths_post_neonatal", "deaths_1_to_17"]
    assert total(cdp, all_ages, Y2013) == 9
    assert total(cdp, all_ages[:2], Y2013) == 5
    assert total(cdp, "deaths_neonatal", Y2013) == 1
    births = total(cdp, "live_births", Y2013)
    assert 2300 <= births <= 2500
    assert publish(1, births, 1000) == Decimal("0.4")
    assert total(cdp, "reviews_modifiable_factors", Y2013) == 3


def test_road_injuries(submissions: list[Submission]) -> None:
    road = table(submissions, "road_injuries")
    ksi = ["children_killed", "children_seriously_injured"]
    assert total(road, ksi, Y2012) == 8
    assert total(road, ksi, Y2013) == 6
    assert total(road, "children_slightly_injured", Y2012) == 50
    assert total(road, "children_slightly_injured", Y2013) == 62


def test_private_fostering(submissions: list[Submission]) -> None:
    pf = table(submissions, "private_fostering")
    before, after = (at(pf, "private_fostering_arrangements", q) for q in (SEP_2013, SEP_2014))
    assert (before, after) == (7, 10)
    assert publish(after - before, before, places=0) == Decimal("43")
    assert all(4 <= at(pf, "private_fostering_arrangements", q) <= 5 for q in Y2012)


def test_the_second_board_returns_are_what_the_script_writes(tmp_path, monkeypatch) -> None:
    # Thurrock's returns are synthetic, from its profile and its ONS child population: the
    # script writes them again byte for byte, so nothing in them was typed by hand.
    script = importlib.util.spec_from_file_location(
        "make_board_returns", ROOT / "scripts" / "make_board_returns.py"
    )
    module = importlib.util.module_from_spec(script)
    script.loader.exec_module(module)
    monkeypatch.setenv("LSCB_RETURNS", str(tmp_path))
    assert module.main(["thurrock", "2012-13-Q1", "2014-15-Q2"]) == 0
    written = {p.relative_to(tmp_path): p.read_bytes() for p in tmp_path.rglob("*.csv")}
    shipped = {
        p.relative_to(RETURNS): p.read_bytes() for p in (RETURNS / "thurrock").rglob("*.csv")
    }
    assert len(written) == 120  # 12 returns a quarter for 10 quarters
    assert written == shipped


def test_hospital_injury_admissions_are_the_reports() -> None:
    # "from 49 in 2012/13 to 78 in 2013/14. In 37 cases ... poisoning as a result of substance
    # misuse or overdose/self harm ... In 7 cases ... accidental poisoning of young children."
    injuries = pd.concat(
        [
            read_csv(path).data.assign(quarter=path.parent.name)
            for path in sorted(RETURNS.glob("*/SUH_injury_admissions.csv"))
        ],
        ignore_index=True,
    )
    assert total(injuries, "injury_admissions", Y2012) == 49
    assert total(injuries, "injury_admissions", Y2013) == 78
    assert total(injuries, "admissions_self_poisoning", Y2013) == 37
    assert total(injuries, "admissions_accidental_poisoning", Y2013) == 7


def test_the_two_year_child_death_rate_falls_26_percent() -> None:
    # "The 2 year average child death rate per 100,000 in Southend has reduced by 26% between
    # 2009/2011 and 2012/14": deaths over two financial years per 100,000 person-years of
    # children, mid-2009 + mid-2010 (the board's, local_population.csv) against mid-2012 +
    # mid-2013.
    deaths = pd.concat(
        [
            read_csv(path).data.assign(quarter=path.parent.name)
            for path in sorted(RETURNS.glob("*/SET-CDOP_child_deaths.csv"))
        ],
        ignore_index=True,
    )
    columns = ["deaths_neonatal", "deaths_post_neonatal", "deaths_1_to_17"]
    local = pd.read_csv(ROOT / "data" / "raw" / "local" / "southend" / "local_population.csv")
    early_population = int(local.loc[local["mid_year"].isin([2009, 2010]), "population_0_17"].sum())
    early = Decimal(total(deaths, columns, EARLY_QUARTERS[:8])) * 100000 / early_population
    late_population = POPULATION_0_17["2012-13"] + POPULATION_0_17["2013-14"]
    late = Decimal(total(deaths, columns, Y2012 + Y2013)) * 100000 / late_population
    change = ((late - early) / early * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    assert change == Decimal("-26")
