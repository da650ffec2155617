"""A board's edition is swapped in whole or not at all: a swap that fails, or a run stopped
between its two renames (kill -9), never leaves the board without its last edition."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from lscb_metrics.cli import main
from lscb_metrics.publishing import previous_edition, swap_in


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
