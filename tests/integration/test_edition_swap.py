"""A board's edition is swapped in whole or not at all: a swap that fails, or a run stopped
between its two renames (kill -9), never leaves the board without its last edition; and the
partner templates written ahead of it are removed with it when the run fails."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from lscb_metrics.boards import load_boards
from lscb_metrics.cli import main
from lscb_metrics.config import Settings, settings
from lscb_metrics.errors import PublicationBlocked
from lscb_metrics.periods import parse_quarter
from lscb_metrics.pipeline import BoardOutcome, RunSummary
from lscb_metrics.publish.templates import write_template
from lscb_metrics.publishing import incoming_folder, previous_edition, swap_in, templates_ahead


def edition(folder: Path, quarter: str) -> Path:
    """A small edition of `quarter` in `folder`."""
    (folder / "public").mkdir(parents=True)
    (folder / "EDITION.md").write_text(f"edition for {quarter}\n", encoding="utf-8")
    (folder / "public" / "scorecard.html").write_text(quarter, encoding="utf-8")
    return folder


def test_a_swap_whose_new_edition_cannot_go_in_keeps_the_last_one(tmp_path: Path) -> None:
    target = edition(tmp_path / "southend", "2014-15 Q2")
    missing = tmp_path / ".southend.incoming"  # as a failed write leaves it: nothing to rename
    with pytest.raises(OSError):
        swap_in(missing, target)
    assert (target / "EDITION.md").read_text(encoding="utf-8") == "edition for 2014-15 Q2\n"
    assert not previous_edition(target).exists()


def test_a_swap_replaces_the_edition_whole(tmp_path: Path) -> None:
    target = edition(tmp_path / "southend", "2014-15 Q2")
    swap_in(edition(tmp_path / ".southend.incoming", "2014-15 Q3"), target)
    assert (target / "public" / "scorecard.html").read_text(encoding="utf-8") == "2014-15 Q3"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["southend"]


def test_the_next_run_puts_back_an_edition_left_set_aside_mid_swap(
    prefect_server, demo_warehouse: Path, tmp_path: Path, capsys
) -> None:
    """A run killed between the swap's two renames left Southend's last edition set aside; the
    next run, even one that writes nothing, puts it back byte for byte."""
    shutil.copytree(demo_warehouse.parent, tmp_path / "demo")
    warehouse = tmp_path / "demo" / demo_warehouse.name
    southend = tmp_path / "demo" / "curated" / "southend"
    before = {p.relative_to(southend): p.read_bytes() for p in southend.rglob("*") if p.is_file()}
    southend.rename(previous_edition(southend))
    # 2014-15 Q3: no partner has sent anything yet, so the run writes nothing.
    assert main(["run", "--period", "2014-15-Q3", "--warehouse", str(warehouse)]) == 0
    capsys.readouterr()
    after = {p.relative_to(southend): p.read_bytes() for p in southend.rglob("*") if p.is_file()}
    assert after == before
    assert not previous_edition(southend).exists()


def summary_publishing(board_slug: str, run_settings: Settings) -> RunSummary:
    """A run's summary in which the shipped board `board_slug` gets a new 2014-15 Q2 edition."""
    [board] = load_boards(run_settings.schemas_dir).selected(board_slug)
    outcome = BoardOutcome(board, "complete", [], [], has_returns=True)
    empty = pd.DataFrame()
    quarter = parse_quarter("2014-15-Q2")
    return RunSummary(
        "r", quarter, "complete", run_settings.warehouse, [], [], empty, empty, boards=[outcome]
    )


@pytest.mark.parametrize("workers", [1, 2])
def test_templates_written_ahead_are_the_boards_next_quarters(tmp_path: Path, workers: int) -> None:
    run_settings = settings(warehouse=str(tmp_path / "warehouse.duckdb"))
    summary = summary_publishing("southend", run_settings)
    with templates_ahead(summary, run_settings, workers) as templates:
        [(slug, paths)] = templates.result().items()
    board = summary.boards[0].board
    assert slug == "southend"
    assert [path.name for path in paths] == [f"{kind}.xlsx" for kind in board.template_returns]
    # In the board's incoming edition, where publish_files finds them, and as written for the
    # quarter after the edition's, whose returns partners fill in next.
    assert {path.parent for path in paths} == {incoming_folder(run_settings, board) / "templates"}
    next_quarter = summary.quarter.next()
    for path in paths:
        alone = write_template(
            path.stem,
            run_settings.schemas_dir,
            tmp_path / "alone" / path.name,
            board,
            None,
            next_quarter,
        )
        assert path.read_bytes() == alone.read_bytes(), path.name


def test_templates_written_ahead_leave_nothing_when_the_run_fails(tmp_path: Path) -> None:
    run_settings = settings(warehouse=str(tmp_path / "warehouse.duckdb"))
    # Another board's edition a killed run left half written is removed as the run starts.
    leftover = run_settings.curated_dir / ".essex.incoming" / "public"
    leftover.mkdir(parents=True)
    summary = summary_publishing("southend", run_settings)
    with (
        pytest.raises(PublicationBlocked),
        templates_ahead(summary, run_settings, 2) as templates,
    ):
        assert not leftover.exists()
        # As when the quality checkpoint fails, maybe before the templates are all written: the
        # forked writer is waited for, so none is written after the removal.
        raise PublicationBlocked("not published")
    assert templates.done() and templates.result()["southend"]
    assert list(run_settings.curated_dir.iterdir()) == []
