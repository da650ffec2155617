"""A run is all or nothing, repeatable, blocked by failed quality checks, and never runs twice
at once on one warehouse."""

from __future__ import annotations

import hashlib
import os
import pickle
import shutil
import signal
import subprocess
import sys
import textwrap
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from lscb_metrics import pipeline
from lscb_metrics.catalogue import load_catalogue
from lscb_metrics.cli import main
from lscb_metrics.config import settings
from lscb_metrics.errors import PublicationBlocked
from lscb_metrics.layout import declared_layout
from lscb_metrics.periods import parse_quarter
from lscb_metrics.store import run_lock

CURATED = ("curated.indicator_values", "curated.comparisons")


def curated_digest(warehouse: Path, folder: Path) -> dict[str, str]:
    """SHA-256 of each curated relation exported to CSV in a fixed order."""
    folder.mkdir(exist_ok=True)
    digests = {}
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        for relation in CURATED:
            target = folder / f"{relation}.csv"
            connection.execute(
                f"COPY (SELECT * FROM {relation} ORDER BY ALL) TO '{target}' (HEADER)"
            )
            digests[relation] = hashlib.sha256(target.read_bytes()).hexdigest()
    return digests


def folder_digest(folder: Path) -> dict[str, str]:
    """SHA-256 of every file under `folder`, by relative path."""
    return {
        str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def run_count(warehouse: Path) -> int:
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        return connection.execute("SELECT count(*) FROM audit.runs").fetchall()[0][0]


def relations_of(warehouse: Path, names: tuple[str, ...]) -> dict[str, pd.DataFrame]:
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        return {name: connection.execute(f"SELECT * FROM {name}").df() for name in names}


@pytest.fixture
def warehouse_copy(demo_warehouse: Path, tmp_path: Path) -> Path:
    """A copy of the demo warehouse with a copy of its published files beside it."""
    target = tmp_path / "warehouse.duckdb"
    shutil.copyfile(demo_warehouse, target)
    shutil.copytree(demo_warehouse.parent / "curated", tmp_path / "curated")
    return target


def run_record(period: str) -> dict[str, object]:
    return {
        "run_id": f"test-{period}",
        "period": period,
        "started_at": datetime.now(UTC).replace(tzinfo=None),
        "outcome": "complete",
        "submissions_used": [],
        "submissions_rejected": [],
        "missing_returns": [],
        "sn_model": "2025",
    }


# A load that drops the board's own rows would show if half-committed. The child pauses inside
# the load, after one relation is written, so the kill lands mid-transaction every time.
KILLED_LOAD = textwrap.dedent(
    """
    import pickle, sys, time
    from pathlib import Path
    from lscb_metrics import warehouse
    from lscb_metrics.config import settings
    from lscb_metrics.layout import declared_layout
    from lscb_metrics.store import run_lock

    written = []
    replace = warehouse._replace_relation

    def slow_replace(connection, name, *relation):
        replace(connection, name, *relation)
        written.append(name)
        if len(written) == 1:
            print("LOADING", flush=True)
            time.sleep(600)

    warehouse._replace_relation = slow_replace
    relations, record = pickle.loads(open(sys.argv[2], "rb").read())
    with run_lock(Path(sys.argv[1])):
        layout = declared_layout(settings().warehouse_declaration)
        with warehouse.staged_run(Path(sys.argv[1]), relations, {}, layout) as staged:
            staged.commit(record)
    """
)


def test_a_load_killed_midway_leaves_the_warehouse_as_it_was(warehouse_copy, tmp_path):
    from lscb_metrics import warehouse

    before = curated_digest(warehouse_copy, tmp_path / "a")
    runs_before = run_count(warehouse_copy)
    relations = {
        name: frame[frame["source_type"] == "published"]
        for name, frame in relations_of(warehouse_copy, CURATED).items()
    }
    payload = tmp_path / "load.pickle"
    payload.write_bytes(pickle.dumps((relations, run_record("2013-14 Q4"))))
    child = subprocess.Popen(
        [sys.executable, "-c", KILLED_LOAD, str(warehouse_copy), str(payload)],
        stdout=subprocess.PIPE,
        text=True,
        env=os.environ.copy(),
    )
    try:
        assert child.stdout.readline().strip() == "LOADING"
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=60)
    assert child.returncode == -signal.SIGKILL
    assert curated_digest(warehouse_copy, tmp_path / "b") == before
    assert run_count(warehouse_copy) == runs_before
    # The killed load's lock died with it: the next load goes ahead and commits.
    layout = declared_layout(settings().warehouse_declaration)
    with (
        run_lock(warehouse_copy),
        warehouse.staged_run(warehouse_copy, relations, {}, layout) as staged,
    ):
        staged.commit(run_record("2013-14 Q4"))
    assert run_count(warehouse_copy) == runs_before + 1
    assert curated_digest(warehouse_copy, tmp_path / "c") != before


def test_an_error_level_expectation_stops_the_publication(warehouse_copy, tmp_path):
    run_settings = settings(warehouse=str(warehouse_copy))
    catalogue = load_catalogue(run_settings.schemas_dir / "indicators.yaml")
    relations = relations_of(warehouse_copy, (*CURATED, "audit.submissions", "audit.board_runs"))
    values = relations["curated.indicator_values"]
    # Two faults a bad change to the compute core could make: a percentage above 100, and the
    # same figure twice. Both are error-level expectations.
    broken = values.index[values["indicator_id"].eq("rereferral_pct")][:1]
    values.loc[broken, "value"] = 150.0
    relations["curated.indicator_values"] = pd.concat([values, values.iloc[:1]])
    quarter = parse_quarter("2014-15-Q2")
    record = run_record(quarter.label)
    summary = pipeline.RunSummary(
        "test-run", quarter, "complete", warehouse_copy, [], [], values, values
    )
    plan = pipeline.RunPlan(summary, relations, record, catalogue)
    before = curated_digest(warehouse_copy, tmp_path / "a")
    files_before = folder_digest(run_settings.curated_dir)

    # As the flow does: the relations are written into the open transaction while the
    # checkpoint checks them, then rolled back.
    with pipeline.staged_commit(run_settings, plan) as staged:
        quality, _ = pipeline.check_run(plan, tmp_path / "docs")
        assert not quality.success
        with pytest.raises(PublicationBlocked, match="not published") as blocked:
            pipeline.commit_run(run_settings, plan, quality, staged)

    assert "value of % indicators between 0 and 100" in str(blocked.value)
    assert "no duplicate keys" in str(blocked.value)
    assert curated_digest(warehouse_copy, tmp_path / "b") == before
    assert folder_digest(run_settings.curated_dir) == files_before
    with duckdb.connect(str(warehouse_copy), read_only=True) as connection:
        [(outcome, passed, failures)] = connection.execute(
            "SELECT outcome, quality_passed, quality_failures FROM audit.runs WHERE run_id = ?",
            [record["run_id"]],
        ).fetchall()
    assert (outcome, passed) == ("failed", False)
    assert any("rereferral_pct" in line for line in failures)


def test_a_second_run_stops_with_a_clear_message_while_one_is_running(warehouse_copy, capsys):
    with run_lock(warehouse_copy):
        code = main(["run", "--period", "2014-15-Q2", "--warehouse", str(warehouse_copy)])
    err = capsys.readouterr().err
    assert code == 2
    assert "another run is using the warehouse" in err
    assert "Traceback" not in err
