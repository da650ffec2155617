"""A warehouse written by another lscb_metrics version: an older one is brought up to the current
layout by a run's commit, keeping every row of history; a newer one is refused before any work;
a half-done upgrade is never left. Old-shaped warehouses are built here, as DuckDB files."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pandas as pd
import pytest

import lscb_metrics
from lscb_metrics import pipeline, warehouse
from lscb_metrics.cli import main
from lscb_metrics.config import settings
from lscb_metrics.errors import WarehouseLayoutError
from lscb_metrics.layout import check_layout, declared_layout
from tests.stages import committed_board_run

ROOT = Path(__file__).resolve().parents[2]
DECLARATION = ROOT / "schemas/warehouse.yaml"
LAYOUT = declared_layout(DECLARATION)
PLANS = "SBC-CSC_cp_plans.xlsx"

# audit.runs, audit.board_runs and audit.submissions as lscb_metrics wrote them before layouts
# were recorded (commit a26b9cc, 2 December 2026): no tool_version, no audit.layouts.
OLDER_WAREHOUSE = """
CREATE SCHEMA audit;
CREATE TABLE audit.runs (
    run_id VARCHAR PRIMARY KEY, period VARCHAR, started_at TIMESTAMP, finished_at TIMESTAMP,
    outcome VARCHAR, submissions_used VARCHAR[], submissions_rejected VARCHAR[],
    missing_returns VARCHAR[], sn_model VARCHAR, quality_passed BOOLEAN,
    quality_failures VARCHAR[]
);
INSERT INTO audit.runs VALUES
    ('run-1', '2013-14 Q4', '2014-04-10 09:00', '2014-04-10 09:02', 'complete', [], [], [],
     '2025', true, []),
    ('run-2', '2014-15 Q1', '2014-07-10 09:00', '2014-07-10 09:02', 'complete', [], [], [],
     '2025', true, []);
CREATE TABLE audit.board_runs (
    run_id VARCHAR, board VARCHAR, period VARCHAR, started_at TIMESTAMP, outcome VARCHAR,
    submissions_used VARCHAR[], submissions_rejected VARCHAR[], missing_returns VARCHAR[],
    published BOOLEAN
);
INSERT INTO audit.board_runs VALUES
    ('run-1', 'southend', '2013-14 Q4', '2014-04-10 09:01', 'complete', [], [], [], true),
    ('run-2', 'southend', '2014-15 Q1', '2014-07-10 09:01', 'complete', [], [], [], true);
CREATE TABLE audit.submissions AS SELECT
    'S-00000000000000aa' AS submission_id, 'gone.csv' AS file_name, 'gone.csv' AS file_path,
    repeat('a', 64) AS sha256, 10 AS size_bytes, TIMESTAMP '2014-04-09 08:00' AS received_at,
    NULL::VARCHAR AS return_type, NULL::VARCHAR AS agency_code, NULL::VARCHAR AS area_code,
    NULL::DATE AS period_start, NULL::DATE AS period_end, NULL::DECIMAL(18,3) AS version,
    'rejected' AS status, 0 AS row_count, 1 AS error_count, 0 AS warning_count,
    'run-1' AS last_seen_run,
    '/home/someone/lscb/data/quarantine/S-00000000000000aa/gone.csv' AS archived_path;
"""


def older_warehouse(path: Path) -> Path:
    """A DuckDB file at `path` as an lscb_metrics before layouts wrote it."""
    with duckdb.connect(str(path)) as connection:
        connection.execute(OLDER_WAREHOUSE)
    return path


def layout_1_warehouse(path: Path) -> Path:
    """An older warehouse as lscb_metrics wrote it at layout 1, on another machine: audit.runs
    with tool_version, audit.layouts, and each kept file's absolute path there."""
    older_warehouse(path)
    with duckdb.connect(str(path)) as connection:
        connection.execute("ALTER TABLE audit.runs ADD COLUMN tool_version VARCHAR")
        connection.execute(
            "CREATE TABLE audit.layouts AS SELECT 1 AS layout, 0 AS previous_layout, "
            "'0.1.0' AS tool_version, 'run-2' AS run_id, TIMESTAMP '2014-07-10' AS recorded_at, "
            "'Layout 1: ...' AS changes"
        )
        connection.execute(
            "INSERT INTO audit.submissions SELECT * REPLACE ("
            "'S-00000000000000bb' AS submission_id, 'accepted' AS status, "
            "'/home/someone/lscb/data/store/S-00000000000000bb/SBC-CSC_referrals.xlsx' "
            "AS archived_path) FROM audit.submissions"
        )
    return path


def newer_warehouse(path: Path) -> Path:
    """An older warehouse that a later lscb_metrics (layout beyond this one's) has run on."""
    older_warehouse(path)
    with duckdb.connect(str(path)) as connection:
        connection.execute("ALTER TABLE audit.board_runs ADD COLUMN reviewed_by VARCHAR")
        connection.execute(
            "CREATE TABLE audit.layouts AS SELECT ? AS layout, 1 AS previous_layout, "
            "'9.1.0' AS tool_version, 'run-9' AS run_id, TIMESTAMP '2030-01-01' AS recorded_at, "
            "'audit.board_runs gains reviewed_by' AS changes",
            [LAYOUT.number + 1],
        )
    return path


def table(path: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(path), read_only=True) as connection:
        return connection.execute(sql).fetchall()


def run_record(run_id: str) -> dict[str, object]:
    now = datetime.now(UTC).replace(tzinfo=None)
    return {
        "run_id": run_id,
        "period": "2014-15 Q2",
        "started_at": now,
        "outcome": "complete",
        "submissions_used": [],
        "submissions_rejected": [],
        "missing_returns": [],
        "sn_model": "2025",
        "tool_version": lscb_metrics.__version__,
    }


def test_a_run_brings_an_older_warehouse_up_keeping_every_row(tmp_path, demo_reference):
    # The real compute and commit of a quarter on a warehouse an older version ran two quarters.
    returns = tmp_path / "returns" / "2014-15-Q2"
    returns.mkdir(parents=True)
    shutil.copyfile(ROOT / "data/raw/returns/2014-15-Q2" / PLANS, returns / PLANS)
    path = older_warehouse(tmp_path / "warehouse.duckdb")
    run_settings = settings(warehouse=str(path), returns_dir=str(returns.parent))
    with pytest.raises(WarehouseLayoutError, match="run a quarter with this version first"):
        check_layout(path, DECLARATION, reading=True)
    summary = committed_board_run(run_settings, "2014-15-Q2", demo_reference, "southend")

    runs = table(path, "SELECT run_id, tool_version FROM audit.runs ORDER BY started_at")
    assert runs == [
        ("run-1", None),
        ("run-2", None),
        (summary.run_id, lscb_metrics.__version__),
    ]
    assert table(path, "SELECT run_id FROM audit.board_runs ORDER BY started_at")[:2] == [
        ("run-1",),
        ("run-2",),
    ]
    assert ("S-00000000000000aa", "rejected") in table(
        path, "SELECT submission_id, status FROM audit.submissions"
    )
    # Where each file is kept, relative to the warehouse's folder: the older row's absolute path
    # is rewritten, and this run's files are found from it.
    kept = dict(table(path, "SELECT submission_id, archived_path FROM audit.submissions"))
    assert kept.pop("S-00000000000000aa") == "quarantine/S-00000000000000aa/gone.csv"
    assert kept and all((tmp_path / where).is_file() for where in kept.values())
    [(layout, previous, version, run_id, changes)] = table(
        path, "SELECT layout, previous_layout, tool_version, run_id, changes FROM audit.layouts"
    )
    assert (layout, previous, version, run_id) == (
        LAYOUT.number,
        0,
        lscb_metrics.__version__,
        summary.run_id,
    )
    assert changes == LAYOUT.changes_since(0) and "tool_version" in changes
    check_layout(path, DECLARATION, reading=True)  # reports and explain may read it now


def test_a_failed_commit_leaves_an_older_warehouse_unupgraded(tmp_path):
    path = older_warehouse(tmp_path / "warehouse.duckdb")
    before = path.read_bytes()
    unwritable = {"nowhere.relation": pd.DataFrame({"a": [1]})}  # no such schema: DuckDB fails
    with pytest.raises(duckdb.Error), warehouse.staged_run(path, unwritable, {}, LAYOUT) as staged:
        staged.commit(run_record("run-3"))
    columns = table(path, "SELECT column_name FROM duckdb_columns() WHERE table_name = 'runs'")
    assert ("tool_version",) not in columns
    assert table(path, "SELECT count(*) FROM audit.runs") == [(2,)]
    assert table(path, "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'layouts'") == [
        (0,)
    ]
    assert len(path.read_bytes()) == len(before)


def test_a_failed_run_is_recorded_on_an_older_warehouse_which_keeps_its_layout(tmp_path):
    path = older_warehouse(tmp_path / "warehouse.duckdb")
    warehouse.record_run(path, {**run_record("run-3"), "outcome": "failed"}, LAYOUT)
    assert table(path, "SELECT run_id, tool_version FROM audit.runs ORDER BY started_at") == [
        ("run-1", None),
        ("run-2", None),
        ("run-3", lscb_metrics.__version__),
    ]
    # Its figures are still the older version's: reports still ask for a run first.
    with pytest.raises(WarehouseLayoutError, match="older lscb_metrics"):
        check_layout(path, DECLARATION, reading=True)


def test_an_older_board_runs_relation_is_read_with_the_current_columns(tmp_path):
    path = older_warehouse(tmp_path / "warehouse.duckdb")
    with duckdb.connect(str(path)) as connection:
        connection.execute("ALTER TABLE audit.board_runs DROP COLUMN published")
    earlier = warehouse.previous_relation(path, pipeline.BOARD_RUNS, pipeline.BOARD_RUN_COLUMNS)
    assert list(earlier.columns) == list(pipeline.BOARD_RUN_COLUMNS)
    assert earlier["published"].isna().all() and len(earlier) == 2
    # No edition is known to be published by a row that did not say.
    assert pipeline.last_board_run(earlier, "southend", published=True) is None


def test_a_newer_warehouse_is_refused_and_left_as_it_was(tmp_path):
    path = newer_warehouse(tmp_path / "warehouse.duckdb")
    before = path.read_bytes()
    with (
        pytest.raises(WarehouseLayoutError, match=r"newer lscb_metrics 9\.1\.0") as refused,
        warehouse.staged_run(path, {}, {}, LAYOUT) as staged,
    ):
        staged.commit(run_record("run-10"))
    assert "which knows layouts up to" in str(refused.value)
    with pytest.raises(WarehouseLayoutError):
        warehouse.record_run(path, run_record("run-10"), LAYOUT)
    assert path.read_bytes() == before
    assert table(path, "SELECT count(*) FROM audit.runs") == [(2,)]


def test_the_commands_refuse_a_newer_warehouse_before_any_work(tmp_path, capsys):
    path = newer_warehouse(tmp_path / "warehouse.duckdb")
    before = path.read_bytes()
    code = main(["run", "--period", "2014-15-Q2", "--warehouse", str(path)])
    err = capsys.readouterr().err
    assert code == 2
    assert f"lscb-metrics: {path} was written by a newer lscb_metrics 9.1.0" in err
    assert "`git pull`, then `make install`" in err and "Traceback" not in err
    code = main(["withdraw", "S-0123456789abcdef", "--reason", "sent in error", "--warehouse",
                 str(path)])  # fmt: skip
    assert code == 2 and "newer lscb_metrics" in capsys.readouterr().err
    assert path.read_bytes() == before
    # Nothing was started beside it: no store, quarantine, log or edition.
    assert {p.name for p in tmp_path.iterdir()} <= {"warehouse.duckdb", "warehouse.duckdb.lock"}


def test_reading_commands_ask_for_a_run_on_an_older_warehouse(tmp_path, capsys):
    # They failed with "unexpected error: BinderException: ... does not have a column named
    # value_symbol" on a warehouse an older version wrote, until a run rebuilt its figures.
    path = older_warehouse(tmp_path / "warehouse.duckdb")
    code = main(["report", "--year", "2013-14", "--board", "southend", "--warehouse", str(path)])
    err = capsys.readouterr().err
    assert code == 2
    assert "was written by an older lscb_metrics" in err and "Error" not in err
    code = main(
        ["explain", "referral_rate", "--area", "E06000033", "--period", "2014-15-Q1",
         "--warehouse", str(path)]
    )  # fmt: skip
    assert code == 2 and "run a quarter with this version first" in capsys.readouterr().err


def test_a_layout_1_warehouse_from_another_machine_records_its_kept_files_relative(tmp_path):
    # Layout 1 recorded /home/someone/lscb/data/store/...: moved here, or shared with an
    # analyst, it pointed nowhere and named someone's home folder.
    path = layout_1_warehouse(tmp_path / "warehouse.duckdb")
    earlier = warehouse.previous_relation(path, "audit.submissions")  # as a run keeps them
    with warehouse.staged_run(path, {"audit.submissions": earlier}, {}, LAYOUT) as staged:
        staged.commit(run_record("run-3"))
    assert table(path, "SELECT submission_id, archived_path FROM audit.submissions") == [
        ("S-00000000000000aa", "quarantine/S-00000000000000aa/gone.csv"),
        ("S-00000000000000bb", "store/S-00000000000000bb/SBC-CSC_referrals.xlsx"),
    ]
    [(layout, previous, changes)] = table(
        path, "SELECT layout, previous_layout, changes FROM audit.layouts WHERE layout > 1"
    )
    assert (layout, previous) == (LAYOUT.number, 1) and "archived_path" in changes
