"""One warehouse, many boards: a board's figures are the same alone as beside another board, a
run for one board leaves the others as they were, and a quarter without returns changes
nothing at all."""

from __future__ import annotations

import hashlib
import shutil
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
import openpyxl
import pandas as pd
import pytest

from lscb_metrics.cli import main
from lscb_metrics.config import settings
from lscb_metrics.periods import parse_quarter
from lscb_metrics.pipeline import compute_run
from tests.stages import project_copy, received_returns

RETURNS = Path(__file__).resolve().parents[2] / "data" / "raw" / "returns"
THURROCK = "E06000034"
SOUTHEND = "E06000033"
# What makes a figure: compared by value, not by the names of the files it came from.
FIGURE_COLUMNS = ["indicator_id", "breakdown", "period_end", "numerator", "denominator", "value"]
COMPARED_COLUMNS = ["indicator_id", "breakdown", "period_end", "value", "sn_average", "rank"]


def partner_rows(frame: pd.DataFrame, area: str, columns: list[str]) -> pd.DataFrame:
    """The area's partner-return rows, in a fixed order, with `columns`."""
    rows = frame[frame["area_code"].eq(area) & frame["source_type"].eq("partner_return")]
    rows = rows.assign(period_end=pd.to_datetime(rows["period_end"]).dt.date)
    return rows.sort_values(columns[:3]).reset_index(drop=True)[columns]


def relation(warehouse: Path, name: str) -> pd.DataFrame:
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        return connection.execute(f"SELECT * FROM {name}").df()


def folder_digest(folder: Path) -> dict[str, str]:
    """SHA-256 of every file under `folder`, by relative path."""
    return {
        str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


@pytest.fixture
def demo_copy(demo_warehouse: Path, tmp_path: Path) -> Path:
    """A copy of the demo run's folder (warehouse, store, published files); its warehouse."""
    shutil.copytree(demo_warehouse.parent, tmp_path / "demo")
    return tmp_path / "demo" / demo_warehouse.name


def test_a_board_alone_has_the_figures_it_has_beside_another(
    demo_warehouse: Path, demo_reference, tmp_path: Path
) -> None:
    alone = settings(warehouse=str(tmp_path / "w.duckdb"), returns_dir=str(RETURNS / "thurrock"))
    plan = compute_run(
        alone,
        parse_quarter("2014-15-Q2"),
        received_returns(alone, demo_reference),
        demo_reference,
        datetime.now(UTC),
        board_slug="thurrock",
    )
    [outcome] = plan.summary.boards
    assert (outcome.board.slug, outcome.outcome) == ("thurrock", "complete")
    for name, columns in (
        ("curated.indicator_values", FIGURE_COLUMNS),
        ("curated.comparisons", COMPARED_COLUMNS),
    ):
        by_itself = partner_rows(plan.relations[name], THURROCK, columns)
        together = partner_rows(relation(demo_warehouse, name), THURROCK, columns)
        assert len(by_itself) > 200
        pd.testing.assert_frame_equal(by_itself, together, check_dtype=False)
    # ... and nothing of Southend's: it never ran here.
    assert partner_rows(plan.relations["curated.indicator_values"], SOUTHEND, FIGURE_COLUMNS).empty


def curated_digest(warehouse: Path) -> dict[str, str]:
    """SHA-256 of each curated relation in a fixed row order."""
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        return {
            name: hashlib.sha256(
                connection.execute(f"SELECT * FROM {name} ORDER BY ALL").df().to_csv().encode()
            ).hexdigest()
            for name in ("curated.indicator_values", "curated.comparisons")
        }


def test_a_quarter_run_again_for_one_board_changes_no_figure(prefect_server, demo_copy: Path):
    from flows.quarterly import quarterly_run

    southend_files = folder_digest(demo_copy.parent / "curated" / "southend")
    southend_before = partner_rows(
        relation(demo_copy, "curated.indicator_values"), SOUTHEND, FIGURE_COLUMNS
    )
    curated_before = curated_digest(demo_copy)
    summary = quarterly_run(period="2014-15-Q2", warehouse=str(demo_copy), board="thurrock")
    assert summary.quality.success, summary.quality.failed
    assert [o.board.slug for o in summary.boards] == ["thurrock"]
    # Running a quarter again on the same files gives the same curated relations, row for row,
    # and a run for one board leaves the other's figures and files as they were.
    assert curated_digest(demo_copy) == curated_before
    assert folder_digest(demo_copy.parent / "curated" / "southend") == southend_files
    pd.testing.assert_frame_equal(
        partner_rows(relation(demo_copy, "curated.indicator_values"), SOUTHEND, FIGURE_COLUMNS),
        southend_before,
    )
    runs = relation(demo_copy, "audit.board_runs")
    assert runs.groupby("board").size().to_dict() == {"southend": 1, "thurrock": 2}


def test_a_quarter_without_returns_changes_nothing(prefect_server, demo_copy: Path, capsys):
    curated = demo_copy.parent / "curated"
    files_before = folder_digest(curated)
    warehouse_before = hashlib.sha256(demo_copy.read_bytes()).hexdigest()
    # 2014-15 Q3: no partner has sent anything yet.
    assert main(["run", "--period", "2014-15-Q3", "--warehouse", str(demo_copy)]) == 0
    printed = capsys.readouterr().out
    assert (
        "No board has accepted returns for 2014-15 Q3: the warehouse and every board's last"
        in printed
    )
    assert folder_digest(curated) == files_before
    assert hashlib.sha256(demo_copy.read_bytes()).hexdigest() == warehouse_before
    # The last good edition is still the 2014-15 Q2 one.
    assert "2014-15 Q2" in (curated / "southend" / "EDITION.md").read_text()
    assert date(2014, 9, 30) in set(
        pd.to_datetime(relation(demo_copy, "curated.indicator_values")["period_end"]).dt.date
    )


def test_a_renamed_board_folder_stops_the_run_before_anything_is_written(
    prefect_server, demo_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    """Southend's folder renamed while the warehouse holds its runs, and a new file to receive:
    the run stops, naming the old folder, before it stores the file or writes the validation
    pack; it used to stop only after both, with the files judged under a board it refused."""
    project = project_copy(tmp_path / "project")
    boards = project / "schemas" / "boards"
    (boards / "southend").rename(boards / "southend-scp")
    monkeypatch.setenv("LSCB_PROJECT_ROOT", str(project))
    for name in ("LSCB_WAREHOUSE", "LSCB_RETURNS", "LSCB_CASES"):
        monkeypatch.delenv(name, raising=False)
    returns = tmp_path / "returns"
    shutil.copytree(RETURNS, returns)
    (returns / "new.csv").write_text(
        "return_type,agency_code,la_code,period_start,period_end,private_fostering_arrangements\n"
        "private_fostering,TC-CSC,E06000034,2014-10-01,2014-12-31,3\n",
        encoding="utf-8",
    )
    folder = demo_copy.parent
    kept = ("store", "quarantine", "curated")
    before = {name: folder_digest(folder / name) for name in kept}
    warehouse_before = hashlib.sha256(demo_copy.read_bytes()).hexdigest()
    command = ["run", "--period", "2014-15-Q3", "--warehouse", str(demo_copy)]
    assert main([*command, "--returns", str(returns)]) == 2
    error = capsys.readouterr().err
    assert "name it southend again" in error and "Nothing was written" in error
    assert {name: folder_digest(folder / name) for name in kept} == before
    assert any(path.startswith(".validation-pack") for path in before["store"])
    assert hashlib.sha256(demo_copy.read_bytes()).hexdigest() == warehouse_before


def test_one_early_return_keeps_the_complete_edition(
    prefect_server, demo_copy: Path, tmp_path: Path, capsys
) -> None:
    """One partner's 2014-15 Q3 return, with ten others still to come, must not swap Southend's
    complete Q2 edition for an almost empty Q3 one: the warehouse takes the figures, the files
    stay byte for byte, and the run says how to publish anyway."""
    returns = tmp_path / "returns"
    shutil.copytree(RETURNS, returns)
    early = openpyxl.load_workbook(returns / "2014-15-Q2" / "SBC-CSC_assessments.xlsx")
    early["Cover"]["B6"], early["Cover"]["B7"] = datetime(2014, 10, 1), datetime(2014, 12, 31)
    (returns / "2014-15-Q3").mkdir()
    early.save(returns / "2014-15-Q3" / "SBC-CSC_assessments.xlsx")
    southend = demo_copy.parent / "curated" / "southend"
    files_before = folder_digest(southend)
    command = ["run", "--period", "2014-15-Q3", "--warehouse", str(demo_copy)]
    assert main([*command, "--returns", str(returns), "--board", "southend"]) == 0
    printed = capsys.readouterr().out
    assert "Incomplete: its complete 2014-15 Q2 edition stays published" in printed
    assert "--publish-incomplete" in printed
    assert folder_digest(southend) == files_before
    values = relation(demo_copy, "curated.indicator_values")
    q3 = values[values["area_code"].eq(SOUTHEND) & values["time_period"].eq("2014-15 Q3")]
    assert not q3.empty  # the warehouse has the quarter's figures
    runs = relation(demo_copy, "audit.board_runs")
    latest = runs[runs["board"].eq("southend")].sort_values("started_at").iloc[-1]
    assert (latest["outcome"], bool(latest["published"])) == ("incomplete", False)
    # Told to, the run publishes the incomplete edition.
    assert (
        main([*command, "--returns", str(returns), "--board", "southend", "--publish-incomplete"])
        == 0
    )
    assert "2014-15 Q3" in (southend / "EDITION.md").read_text()


def test_a_withdrawal_is_applied_by_the_next_run_even_without_returns(
    prefect_server, demo_copy: Path, capsys
) -> None:
    """The README's promise, "the next run recomputes without it", holds when that run's
    quarter has no returns: the run commits figures without the withdrawn file, says so, and
    publishes the board's current (2014-15 Q2) edition again without them; the other board's
    edition is left byte for byte."""
    submissions = relation(demo_copy, "audit.submissions")
    [submission_id] = submissions.loc[
        submissions["file_name"].eq("SUH_training.csv")
        & submissions["period_end"].astype(str).eq("2014-09-30"),
        "submission_id",
    ]
    assert (
        main(["withdraw", submission_id, "--reason", "sent early", "--warehouse", str(demo_copy)])
        == 0
    )
    curated = demo_copy.parent / "curated"
    thurrock_before = folder_digest(curated / "thurrock")

    def suh_figures() -> pd.DataFrame:
        values = relation(demo_copy, "curated.indicator_values")
        return values[values["breakdown"].eq("SUH") & values["time_period"].eq("2014-15 Q2")]

    def published_suh_q2() -> list[str]:
        open_data = curated / "southend" / "internal" / "lscb_indicators_open_data.csv"
        return [
            line
            for line in open_data.read_text().splitlines()
            if ",SUH," in line and line.split(",")[1:3] == ["201415", "Financial year Q2"]
        ]

    assert not suh_figures().empty
    assert published_suh_q2()
    capsys.readouterr()
    assert main(["run", "--period", "2014-15-Q3", "--warehouse", str(demo_copy)]) == 0
    printed = capsys.readouterr().out
    assert f"Withdrawn since its last run: {submission_id}" in printed
    assert "its 2014-15 Q2 edition is published again without the withdrawn figures" in printed
    assert "Missing for 2014-15 Q2: " in printed  # the edition is now incomplete, and says so
    assert suh_figures().empty
    assert published_suh_q2() == []
    runs = relation(demo_copy, "audit.board_runs")
    latest = runs[runs["board"].eq("southend")].sort_values("started_at").iloc[-1]
    assert (latest["period"], latest["outcome"], bool(latest["published"])) == (
        "2014-15 Q2",
        "incomplete",
        True,
    )
    edition = (curated / "southend" / "EDITION.md").read_text()
    assert "edition for 2014-15 Q2" in edition and f"Run id: {latest['run_id']}" in edition
    assert folder_digest(curated / "thurrock") == thurrock_before
