"""The shipped published files are read once for each version of them: a run's reference frames
are the loaders' own, whether read just now or kept from an earlier run."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from lscb_metrics import pipeline
from lscb_metrics.catalogue import load_catalogue
from lscb_metrics.config import settings
from lscb_metrics.digests import files_digest
from lscb_metrics.measures import MEASURES_FILE, load_registry
from lscb_metrics.published_cache import cache_folder, published_fingerprint
from tests.stages import project_copy

ONS_FILE = "ons/ons_mid-year_population_estimates_2012_to_2024.csv"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the project's schemas and raw data, the settings pointed at it."""
    monkeypatch.setenv("LSCB_PROJECT_ROOT", str(project_copy(tmp_path)))
    return tmp_path


def test_kept_reference_frames_are_the_loaders_own(project: Path) -> None:
    config = settings()
    catalogue = load_catalogue(config.schemas_dir / "indicators.yaml")
    first = pipeline.load_reference(config, catalogue)
    kept = sorted(path.name.split(".")[1] for path in cache_folder(config.warehouse).iterdir())
    assert kept == ["areas", "facts", "neighbours", "population"]
    again = pipeline.load_reference(config, catalogue)
    published_values = {i.published_value for i in catalogue if i.published_value}
    registry = load_registry(config.schemas_dir / MEASURES_FILE)
    areas, facts, ons, neighbours = pipeline.published_reference(config, registry, published_values)
    for loaded in (first, again):
        pd.testing.assert_frame_equal(loaded.areas, areas)
        pd.testing.assert_frame_equal(loaded.published_facts, facts)
        pd.testing.assert_frame_equal(loaded.neighbours, neighbours)
        published = loaded.population[loaded.population["source_type"] == "published"]
        # The loaders' `str` column of "published" comes back as objects, like every other.
        pd.testing.assert_frame_equal(published[ons.columns], ons, check_dtype=False)


def test_a_changed_reference_file_is_read_again(project: Path) -> None:
    config = settings()
    catalogue = load_catalogue(config.schemas_dir / "indicators.yaml")
    before = pipeline.load_reference(config, catalogue)
    path = config.reference_dir / ONS_FILE
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    row = (frame["new_la_code"] == "E06000033") & (frame["time_period"] == "2013")
    assert row.sum() > 0
    frame.loc[row, frame.columns[-1]] = "1"
    frame.to_csv(path, index=False)
    reread = pipeline.load_reference(config, catalogue)
    after = reread.population
    southend_2013 = (after["area_code"] == "E06000033") & (after["mid_year"] == 2013)
    assert not before.population.equals(after)
    assert (after.loc[southend_2013, "population_0_17"] == 1).any()
    # The published figures computed from them are keyed by the files as read: computed again.
    assert published_fingerprint(reread, catalogue) != published_fingerprint(before, catalogue)
    assert published_fingerprint(reread, catalogue) == published_fingerprint(
        pipeline.load_reference(config, catalogue), catalogue
    )


def test_the_files_digest_tells_names_and_contents_apart(tmp_path: Path) -> None:
    (tmp_path / "a.csv").write_text("x\n1\n")
    first = files_digest(tmp_path)
    (tmp_path / "a.csv").write_text("x\n2\n")
    changed = files_digest(tmp_path)
    (tmp_path / "a.csv").rename(tmp_path / "b.csv")
    renamed = files_digest(tmp_path)
    assert len({first, changed, renamed}) == 3
