"""Nothing identifying leaves the door: identifiers planted in case lists appear in no output.

A child ID, a name, a postcode and a full date of birth are planted in CSV and XLSX case lists,
in the columns a list keeps, in columns it drops, in a cell of the wrong kind, and in a line
that makes a file unreadable. The lists are then ingested and derived into temporary DuckDB
warehouses (both ways: straight from DuckDB, and from the returned tables), the failure report
is written, and every log record is captured (caplog). Every output file is searched byte for
byte, and every table of the warehouses is dumped to text and searched: the planted values
appear only in the raw files. The child's pseudonym and month of birth do appear, so the search
can see.
"""

from __future__ import annotations

import csv
import logging
from pathlib import Path

import duckdb
import openpyxl
import pytest

from lscb_metrics.cases import (
    CaseResult,
    derive_case_facts,
    failures_frame,
    pseudonym,
    write_case_warehouse,
    write_failure_report,
)

ROOT = Path(__file__).resolve().parents[3]
SCHEMAS = ROOT / "schemas"
SOUTHEND = ("E06000033", "Southend-on-Sea", "E12000006")
KEY = b"planted-identifiers test key 0123456789"
CHILD, NAME, POSTCODE, BIRTH = "ZZPLANTED123", "Planty McPlantface", "SS1 9ZZ", "2009-05-17"
PLANTED = [
    CHILD,
    NAME,
    "Planty",
    "McPlantface",
    POSTCODE,
    "SS19ZZ",
    BIRTH,
    "17/05/2009",
    "20090517",
]
COVER = ["E06000033", "2014-04-01", "2014-09-30"]


def _csv(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)
    return path


@pytest.fixture(scope="module")
def raw(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Case lists with the identifiers planted."""
    folder = tmp_path_factory.mktemp("raw")
    header = ["la_code", "period_start", "period_end", "Child ID", "Full name", "Postcode",
              "Date of birth", "Referral date", "Referral source", "Referral outcome"]  # fmt: skip
    _csv(
        folder / "referrals.csv",
        [
            header,
            [*COVER, CHILD, NAME, POSTCODE, BIRTH, "2014-05-06", "police", "assessment"],
            [*COVER, CHILD, NAME, POSTCODE, BIRTH, "2014-07-08", "health", "assessment"],
            [
                *COVER,
                "SOU-000002",
                "Ann Other",
                "SS2 1AA",
                "2010-01-02",
                "2014-07-09",
                "schools",
                "nfa",
            ],
        ],
    )
    # The same child in a list with errors: a name where a code belongs, a repeated record.
    _csv(
        folder / "section_47.csv",
        [
            [
                "la_code",
                "period_start",
                "period_end",
                "Child ID",
                "Forename",
                "Section 47 start date",
                "Date of birth",
            ],
            [*COVER, CHILD, "Planty", "2014-07-10", BIRTH],
            [*COVER, CHILD, "Planty", "2014-07-10", BIRTH],
            [*COVER, CHILD, "Planty", NAME, BIRTH],
        ],
    )
    # A CSV that cannot be read, the name on the line that breaks it.
    _csv(
        folder / "broken.csv",
        [
            [
                "la_code",
                "period_start",
                "period_end",
                "child_id",
                "plan_start_date",
                "abuse_category",
            ],
            [*COVER, CHILD, "2014-07-01", "neglect", NAME, POSTCODE],
        ],
    )
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Data"
    columns = ["Child ID", "Surname", "Address", "Date of birth", "Assessment start date"]
    sheet.append(["la_code", "period_start", "period_end", *columns, "Assessment authorised date"])
    sheet.append(
        [
            *COVER,
            CHILD,
            "McPlantface",
            f"1 Plant Street, {POSTCODE}",
            BIRTH,
            "2014-07-01",
            "2014-07-20",
        ]
    )
    sheet.append([*COVER, CHILD, "McPlantface", POSTCODE, BIRTH, "2014-08-01", NAME])
    workbook.save(folder / "assessments.xlsx")
    for path in folder.iterdir():  # the planted values are really there to be found
        text = path.read_bytes()
        assert CHILD.encode() in text or path.suffix == ".xlsx"
    return folder


def _ingest(raw: Path, out: Path) -> tuple[CaseResult, CaseResult]:
    """The lists ingested and derived into two warehouses (straight from DuckDB, and from the
    returned tables), with the failure report and the facts written beside them."""
    files = sorted(raw.iterdir())
    lookup = {"E06000033": SOUTHEND}
    direct = derive_case_facts(files, SCHEMAS, lookup, KEY, {}, warehouse=out / "direct.duckdb")
    held = derive_case_facts(files, SCHEMAS, lookup, KEY, {})
    write_case_warehouse(held, out / "held.duckdb")
    write_failure_report(held.failures, out / "failures.csv")
    held.facts.to_csv(out / "facts.csv", index=False)
    return direct, held


def _warehouse_dump(path: Path) -> str:
    """Every row of every table in a DuckDB file, as text."""
    with duckdb.connect(str(path), read_only=True) as connection:
        tables = connection.execute(
            "SELECT schema_name, table_name FROM duckdb_tables()"
        ).fetchall()
        assert ("staged", "case_facts") in tables and ("staged", "case_referrals") in tables
        dumps = [
            f"{name}: {connection.execute(f'SELECT * FROM {name}').fetchall()!r}"
            for name in (f"{schema}.{table}" for schema, table in tables)
        ]
        columns = connection.execute("SELECT * FROM duckdb_columns()").fetchall()
    return "\n".join([*dumps, repr(columns)])


def test_planted_identifiers_appear_in_no_output(
    raw: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    results = _ingest(raw, tmp_path)
    written = sorted(p for p in tmp_path.rglob("*") if p.is_file())
    names = {p.name for p in written}
    assert names >= {"direct.duckdb", "held.duckdb", "failures.csv", "facts.csv"}
    searched = {str(p): p.read_bytes() for p in written}
    for name in ("direct.duckdb", "held.duckdb"):
        searched[f"{name} dump"] = _warehouse_dump(tmp_path / name).encode()
    logs = [f"{r.name} {r.getMessage()} {r.args!r} {r.exc_text}" for r in caplog.records]
    searched["logs"] = "\n".join(logs).encode()
    for number, result in enumerate(results):
        failures = failures_frame(result.failures).to_dict("records")
        searched[f"failures {number}"] = repr(failures).encode()
        staged = {name: table.to_pylist() for name, table in result.staged.items()}
        searched[f"staged {number}"] = repr(staged).encode()
        searched[f"facts {number}"] = (result.facts.to_csv() + result.lists.to_csv()).encode()
    for where, content in searched.items():
        for value in PLANTED:
            assert value.encode() not in content, f"{value!r} found in {where}"
    assert not any(KEY in content for content in searched.values())

    # The search can see: the child's pseudonym and month of birth are there, as are the
    # failures that name the child. Headers are never echoed (in a list without a header row
    # they would be a child's details): dropped columns are named by position.
    child = pseudonym(KEY, CHILD)
    dump = searched["direct.duckdb dump"].decode()
    assert child in dump and "datetime.date(2009, 5, 1)" in dump
    report = (tmp_path / "failures.csv").read_text(encoding="utf-8")
    assert child in report
    codes = {row["code"] for row in csv.DictReader(report.splitlines())}
    assert {"CAS-001", "CAS-005", "CAS-011", "CAS-018"} <= codes
    assert "Full name" not in report and "Postcode" not in report
    assert any("dropped the column" in line for line in logs)
