"""`lscb-metrics reference add`: a newer DfE release replaces the shipped table, is logged with
its SHA-256, and its new year reaches the curated relations."""

from __future__ import annotations

import hashlib
import io
import shutil
from collections.abc import Iterator
from contextlib import redirect_stdout
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from lscb_metrics import pipeline
from lscb_metrics.catalogue import load_catalogue
from lscb_metrics.cli import main
from lscb_metrics.config import settings
from lscb_metrics.errors import ReleaseRefused
from lscb_metrics.facts import empty_facts
from lscb_metrics.measures import MEASURES_FILE, load_registry
from lscb_metrics.reference.releases import logged_sha256s, plan_release
from tests.stages import project_copy

PROJECT = Path(__file__).resolve().parents[2]
REFERENCE = PROJECT / "data/raw/reference"
REGISTRY = load_registry(PROJECT / "schemas" / MEASURES_FILE)
OLD_C1 = "c1_children_in_need_referrals_and_rereferrals_2013_to_2025.csv"
NEW_C1 = "c1_children_in_need_referrals_and_rereferrals_2013_to_2026.csv"
ENGLAND = "E92000001"


def with_next_year(shipped: Path, out: Path, count_column: str, year: int) -> Path:
    """`shipped` with every row of its last year repeated as `year`, 10 added to
    `count_column`, written to `out` (text kept as published)."""
    frame = pd.read_csv(shipped, dtype=str, keep_default_na=False)
    last = frame[frame["time_period"] == str(year - 1)]
    added = last.assign(
        time_period=str(year),
        **{count_column: pd.to_numeric(last[count_column]).add(10).astype(int).astype(str)},
    )
    pd.concat([frame, added]).to_csv(out, index=False)
    return out


@dataclass(frozen=True)
class Added:
    """A project copy after `reference add` of a synthetic 2026 C1, and what it printed."""

    root: Path
    new_file: Path
    exit_code: int
    out: str
    values: pd.DataFrame  # curated.indicator_values computed from the copy afterwards


@pytest.fixture(scope="module")
def added(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Added]:
    """One `reference add` of C1 with 2026 rows, then the curated relations from the copy. The
    reference data is loaded once before the add too, so that the files as they were are kept
    in the cache a run reads them from (`pipeline.load_reference`)."""
    root = project_copy(tmp_path_factory.mktemp("project"))
    downloads = tmp_path_factory.mktemp("downloads")
    new_file = with_next_year(
        REFERENCE / "dfe_cin" / OLD_C1, downloads / NEW_C1, "referral_count", 2026
    )
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("LSCB_PROJECT_ROOT", str(root))
        config = settings()
        catalogue = load_catalogue(config.schemas_dir / "indicators.yaml")
        pipeline.load_reference(config, catalogue)
        out = io.StringIO()
        with redirect_stdout(out):
            code = main(["reference", "add", str(new_file), "--source", "synthetic test release"])
        reference = pipeline.load_reference(config, catalogue)
        values, _ = pipeline.curated_relations(reference, empty_facts(), catalogue, {})
        yield Added(root, new_file, code, out.getvalue(), values)


def test_add_replaces_the_shipped_table_and_reports_the_new_year(added: Added) -> None:
    assert added.exit_code == 0, added.out
    assert added.out.startswith(f"C1: replaces {OLD_C1}; new years: 2026\n")
    folder = added.root / "data/raw/reference/dfe_cin"
    assert not (folder / OLD_C1).exists()
    assert (folder / NEW_C1).read_bytes() == added.new_file.read_bytes()
    assert sorted(folder.glob("c1_*.csv")) == [folder / NEW_C1]  # one file matches the glob


def test_add_logs_the_release_with_its_source_and_sha256(added: Added) -> None:
    log = (added.root / "data/raw/DATA_LOG.md").read_text(encoding="utf-8")
    logged = logged_sha256s(log)
    assert f"dfe_cin/{OLD_C1}" not in logged
    assert logged[f"dfe_cin/{NEW_C1}"] == hashlib.sha256(added.new_file.read_bytes()).hexdigest()
    reference = added.root / "data/raw/reference"
    shipped = {p.relative_to(reference).as_posix() for p in reference.rglob("*") if p.is_file()}
    assert set(logged) == shipped  # the loader test's check holds on the copy
    section = log[log.index(f"### data/raw/reference/dfe_cin/{NEW_C1}") :].split("\n### ")[0]
    assert "- **Obtained from**: synthetic test release" in section
    assert f"added {date.today().isoformat()}, `time_period` 2013 to 2026" in section
    assert "Open Government Licence v3.0" in section
    assert "- **Read by**: `load_cin_facts` (`referral_count` -> `referrals`" in section


def test_the_new_year_flows_into_the_curated_relations(added: Added) -> None:
    values = added.values
    referrals = values[
        (values["indicator_id"] == "referrals")
        & (values["area_code"] == ENGLAND)
        & (values["source_type"] == "published")
    ].set_index("period_end")["value"]
    # England's 2024-25 count was 632,830; the synthetic 2025-26 adds 10
    assert referrals[date(2025, 3, 31)] == 632830
    assert referrals[date(2026, 3, 31)] == 632840


# --- refusals: nothing is changed ---------------------------------------------------------------


def test_a_file_named_as_no_table_is_refused_naming_the_tables(tmp_path: Path) -> None:
    path = shutil.copy(REFERENCE / "dfe_cin" / OLD_C1, tmp_path / "referrals_2026.csv")
    with pytest.raises(ReleaseRefused, match=r"C1 \(dfe_cin/c1_\*\.csv\).*ONS"):
        plan_release(Path(path), REFERENCE, REGISTRY)


def test_a_file_without_the_tables_category_is_refused(tmp_path: Path) -> None:
    b1 = next((REFERENCE / "dfe_cin").glob("b1_*.csv"))
    path = shutil.copy(b1, tmp_path / NEW_C1)
    with pytest.raises(ReleaseRefused, match=r"not a release of table C1.*referral_count"):
        plan_release(Path(path), REFERENCE, REGISTRY)


def test_a_release_its_reader_refuses_is_refused_with_the_readers_words(tmp_path: Path) -> None:
    # Columns, category and years are right, but one count is text: taken in, it would replace
    # the shipped file and stop every later run.
    path = with_next_year(REFERENCE / "dfe_cin" / OLD_C1, tmp_path / NEW_C1, "referral_count", 2026)
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame.loc[frame.index[-1], "referral_count"] = "abc"
    frame.to_csv(path, index=False)
    with pytest.raises(
        ReleaseRefused,
        match=f"{NEW_C1}: table C1's reader refuses it: {NEW_C1} column referral_count: "
        "unrecognised value 'abc'",
    ):
        plan_release(path, REFERENCE, REGISTRY)


def test_the_shipped_file_again_is_already_shipped(tmp_path: Path) -> None:
    path = shutil.copy(REFERENCE / "dfe_cin" / OLD_C1, tmp_path / NEW_C1)
    with pytest.raises(ReleaseRefused, match=f"already shipped, as {OLD_C1}"):
        plan_release(Path(path), REFERENCE, REGISTRY)


def test_the_shipped_file_itself_is_named_as_the_shipped_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    root = project_copy(tmp_path / "project")
    monkeypatch.setenv("LSCB_PROJECT_ROOT", str(root))
    log = (root / "data/raw/DATA_LOG.md").read_bytes()
    shipped = root / "data/raw/reference/dfe_cin" / OLD_C1
    assert main(["reference", "add", str(shipped), "--source", "in place"]) == 2
    assert capsys.readouterr().err == (
        f"lscb-metrics: {OLD_C1} is the shipped file of table C1 already; download the newer "
        "release (named like c1_*.csv) and add that\n"
    )
    assert (root / "data/raw/DATA_LOG.md").read_bytes() == log


def test_a_release_that_drops_years_is_refused_unless_allowed(tmp_path: Path) -> None:
    frame = pd.read_csv(REFERENCE / "dfe_cin" / OLD_C1, dtype=str, keep_default_na=False)
    path = tmp_path / "c1_children_in_need_referrals_and_rereferrals_2015_to_2025.csv"
    frame[~frame["time_period"].isin(["2013", "2014"])].to_csv(path, index=False)
    with pytest.raises(ReleaseRefused, match=r"lacks year\(s\) 2013, 2014 that c1_.*allow-fewer"):
        plan_release(path, REFERENCE, REGISTRY)
    release = plan_release(path, REFERENCE, REGISTRY, allow_fewer_years=True)
    assert (release.years[0], release.new_years) == (2015, ())


def test_a_newer_ons_release_adds_its_mid_year(tmp_path: Path) -> None:
    shipped = next((REFERENCE / "ons").glob("ons_*.csv"))
    path = tmp_path / "ons_mid-year_population_estimates_2012_to_2025.csv"
    release = plan_release(
        with_next_year(shipped, path, "population_estimate", 2025), REFERENCE, REGISTRY
    )
    assert (release.table.name, release.replaces, release.new_years) == ("ONS", shipped, (2025,))


def test_the_command_refuses_in_one_line_and_changes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    root = project_copy(tmp_path / "project")
    monkeypatch.setenv("LSCB_PROJECT_ROOT", str(root))
    log = (root / "data/raw/DATA_LOG.md").read_bytes()
    path = shutil.copy(REFERENCE / "dfe_cin" / OLD_C1, tmp_path / NEW_C1)
    assert main(["reference", "add", str(path), "--source", "again"]) == 2
    err = capsys.readouterr().err
    assert err == f"lscb-metrics: {NEW_C1} is already shipped, as {OLD_C1} (same SHA-256)\n"
    assert (root / "data/raw/DATA_LOG.md").read_bytes() == log
    assert [p.name for p in (root / "data/raw/reference/dfe_cin").glob("c1_*")] == [OLD_C1]


def test_a_release_dropped_beside_the_shipped_file_is_added_where_it_lies(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    root = project_copy(tmp_path / "project")
    monkeypatch.setenv("LSCB_PROJECT_ROOT", str(root))
    folder = root / "data/raw/reference/dfe_cin"
    dropped = with_next_year(folder / OLD_C1, folder / NEW_C1, "referral_count", 2026)
    digest = hashlib.sha256(dropped.read_bytes()).hexdigest()
    assert main(["reference", "add", str(dropped), "--source", "s", "--date", "2026-11-20"]) == 0
    assert "new years: 2026" in capsys.readouterr().out
    assert [p.name for p in folder.glob("c1_*")] == [NEW_C1]
    log = (root / "data/raw/DATA_LOG.md").read_text(encoding="utf-8")
    assert logged_sha256s(log)[f"dfe_cin/{NEW_C1}"] == digest
    assert "added 2026-11-20" in log
