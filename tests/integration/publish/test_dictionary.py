"""write_data_dictionary: every relation, column and indicator documented; the example queries
run; and the documented way of opening the warehouse during a run works."""

from __future__ import annotations

import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from lscb_metrics.catalogue import filled_title, load_catalogue
from lscb_metrics.explain import lineage_text
from lscb_metrics.measures import MEASURES_FILE, load_registry
from lscb_metrics.publish import write_data_dictionary
from lscb_metrics.publish.dictionary import (
    BOARDS_SIDE_BY_SIDE,
    EXAMPLES,
    EXAMPLES_HEADING,
    READ_ONLY_COMMAND,
)

PROJECT = Path(__file__).resolve().parents[3]
HOLD_FOR_WRITING = """
import sys, duckdb
connection = duckdb.connect(sys.argv[1])
print("holding", flush=True)
sys.stdin.read()
connection.close()
"""


@pytest.fixture(scope="module")
def dictionary(
    demo_warehouse: Path, schemas_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> str:
    """The dictionary written once for this module."""
    out = tmp_path_factory.mktemp("dictionary") / "data_dictionary.md"
    return write_data_dictionary(demo_warehouse, schemas_dir, out, "E06000033").read_text()


@pytest.fixture(scope="module")
def analyst_copy(demo_warehouse: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the warehouse, as the dictionary tells analysts to make."""
    return Path(shutil.copy(demo_warehouse, tmp_path_factory.mktemp("copy") / "w.duckdb"))


def sql_blocks(markdown: str) -> list[str]:
    """The ```sql blocks of the example-queries section."""
    section = markdown.split(EXAMPLES_HEADING, 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```sql\n(.*?)\n```", section, flags=re.DOTALL)


def test_every_relation_and_column_is_listed_with_its_type(
    dictionary: str, analyst_copy: Path
) -> None:
    connection = duckdb.connect(str(analyst_copy), read_only=True)
    try:
        columns = connection.sql(
            "SELECT schema_name || '.' || table_name, column_name, data_type "
            "FROM duckdb_columns() WHERE NOT internal"
        ).fetchall()
    finally:
        connection.close()
    assert columns
    for relation, column, data_type in columns:
        section = dictionary.split(f"### `{relation}`", 1)[1].split("\n### ", 1)[0]
        assert f"| `{column}` | {data_type} |" in section


def test_curated_columns_carry_their_descriptions(dictionary: str) -> None:
    assert "Value in the indicator's unit, unrounded where computed" in dictionary
    assert "Fingertips comparison with the figure in england_value" in dictionary


def test_every_indicator_has_unit_polarity_and_source(dictionary: str, schemas_dir: Path) -> None:
    registry = load_registry(schemas_dir / MEASURES_FILE)
    for indicator in load_catalogue(schemas_dir / "indicators.yaml"):
        section = dictionary.split(f"### `{indicator.id}`: {filled_title(indicator.title)}", 1)[1]
        section = section.split("\n### ", 1)[0]
        assert f"Unit: {indicator.unit}" in section
        assert f"Polarity: {indicator.polarity}" in section
        assert "- Sources: " in section and "none in this warehouse" not in section
        assert lineage_text(indicator, registry) in section  # as `lscb-metrics explain` prints it
    # The catalogue of every board names no one's local target, nor the raw placeholder.
    assert "of the board's own number of working days (%)" in dictionary
    assert "of {assessment_working_days} working days" not in dictionary
    cp_rate = dictionary.split("### `cp_plan_rate`", 1)[1].split("\n### ", 1)[0]
    assert "partner returns (cp_plans)" in cp_rate and "DfE Characteristics" in cp_rate


def test_every_example_query_runs_on_a_read_only_copy(dictionary: str, analyst_copy: Path) -> None:
    blocks = sql_blocks(dictionary)
    assert len(blocks) == len(EXAMPLES)
    connection = duckdb.connect(str(analyst_copy), read_only=True)
    try:
        for sql in blocks:
            assert connection.sql(sql).fetchall(), sql
    finally:
        connection.close()


def test_the_readme_compares_boards_with_the_dictionarys_query(dictionary: str) -> None:
    # The README's own query joined boards on the area alone, which after a merger gives each
    # of the area's figures under both boards (test_board_lifecycle runs this one on a merger).
    assert BOARDS_SIDE_BY_SIDE.sql in dictionary
    assert BOARDS_SIDE_BY_SIDE.sql in (PROJECT / "README.md").read_text(encoding="utf-8")


def test_the_documented_commands_are_there(dictionary: str) -> None:
    assert "## Opening the warehouse while a run may be writing" in dictionary
    assert "cp data/warehouse.duckdb /tmp/w.duckdb" in dictionary
    assert READ_ONLY_COMMAND in dictionary
    assert READ_ONLY_COMMAND in (PROJECT / "README.md").read_text(encoding="utf-8")


def test_the_documented_read_only_command_works_with_what_is_installed(
    analyst_copy: Path,
) -> None:
    # Only the project's Python and its packages: no duckdb command is installed.
    command = READ_ONLY_COMMAND.replace(".venv/bin/python", shlex.quote(sys.executable))
    shown = subprocess.run(
        command.replace("/tmp/w.duckdb", str(analyst_copy)),
        shell=True,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    assert "2014-15 Q2" in shown.stdout and "complete" in shown.stdout


def test_a_copy_opens_read_only_while_a_writer_holds_the_warehouse(
    demo_warehouse: Path, tmp_path: Path
) -> None:
    live = Path(shutil.copy(demo_warehouse, tmp_path / "warehouse.duckdb"))
    writer = subprocess.Popen(
        [sys.executable, "-c", HOLD_FOR_WRITING, str(live)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert writer.stdout.readline().strip() == "holding"
        # Why the dictionary says to copy: the live file cannot be opened, even read-only.
        with pytest.raises(duckdb.IOException, match=r"(?i)lock"):
            duckdb.connect(str(live), read_only=True)
        copy = Path(shutil.copy(live, tmp_path / "w.duckdb"))
        connection = duckdb.connect(str(copy), read_only=True)
        try:
            assert connection.sql("SELECT count(*) FROM audit.runs").fetchall()[0][0] >= 1
            with pytest.raises(duckdb.Error):
                connection.execute("CREATE TABLE scratch (x INTEGER)")
        finally:
            connection.close()
    finally:
        writer.communicate("", timeout=30)
    assert writer.returncode == 0
