"""The validation cache: a file validated once is not validated again under the same
declarations, its recalled result equals a fresh validation, and a changed declaration
re-validates exactly the files it affects."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest

from lscb_metrics import pipeline
from lscb_metrics.config import Settings, settings
from lscb_metrics.submissions import Submission, return_context
from lscb_metrics.validation_cache import ANY, declaration_fingerprints

PROJECT = Path(__file__).resolve().parents[2]
DEMO = PROJECT / "data" / "raw" / "returns"
CORPUS = PROJECT / "tests" / "corpus"


@pytest.fixture
def received(tmp_path: Path, demo_reference) -> tuple[Settings, list[Submission], Path]:
    """One demo quarter and one rejected file, validated and kept once; a copy of the schemas."""
    returns = tmp_path / "returns"
    shutil.copytree(DEMO / "2014-15-Q2", returns / "2014-15-Q2")
    shutil.copy(CORPUS / "negative_count.csv", returns / "negative_count.csv")
    schemas = tmp_path / "schemas"
    shutil.copytree(PROJECT / "schemas", schemas)
    run_settings = settings(warehouse=str(tmp_path / "w.duckdb"), returns_dir=str(returns))
    context = return_context(schemas, demo_reference.la_lookup)
    fingerprints = declaration_fingerprints(schemas, demo_reference.la_lookup)
    now = datetime.now(UTC)
    submissions = [
        pipeline.receive(path, run_settings, context, fingerprints, {}, now)
        for path in pipeline.candidate_files(run_settings)
    ]
    return run_settings, submissions, schemas


def recalled(run_settings: Settings, schemas: Path, demo_reference) -> dict[Path, Submission]:
    """The files a run would not validate again under the declarations in `schemas`."""
    fingerprints = declaration_fingerprints(schemas, demo_reference.la_lookup)
    paths = pipeline.candidate_files(run_settings)
    return pipeline.recall_validated(paths, run_settings, fingerprints, {}, datetime.now(UTC))


def test_a_recalled_result_equals_the_fresh_validation(received, demo_reference):
    run_settings, fresh, schemas = received
    again = {s.submission_id: s for s in recalled(run_settings, schemas, demo_reference).values()}
    assert len(fresh) == 19 and set(again) == {s.submission_id for s in fresh}
    assert sum(s.status == "rejected" for s in fresh) == 1
    for submission in fresh:
        twin = again[submission.submission_id]
        for name in ("file_path", "status", "cover", "row_count", "failures", "report"):
            assert getattr(twin, name) == getattr(submission, name), name
        assert twin.archived_path == submission.archived_path
        pd.testing.assert_frame_equal(twin.facts, submission.facts)
        pd.testing.assert_frame_equal(twin.rows, submission.rows)


def test_a_changed_return_declaration_revalidates_exactly_its_files(received, demo_reference):
    run_settings, fresh, schemas = received
    training = schemas / "returns" / "training.yaml"
    training.write_text(training.read_text() + "\n# a comment changes the declaration\n")
    kept = {s.submission_id for s in recalled(run_settings, schemas, demo_reference).values()}
    again = {s.submission_id for s in fresh} - kept
    # The rejected file may have been judged against every declaration, so it goes too.
    expected = {
        s.submission_id
        for s in fresh
        if s.status == "rejected" or s.cover["return_type"] == "training"
    }
    assert again == expected and len(again) == 13


@pytest.mark.parametrize("declaration", ["cover.yaml", "boards/southend/board.yaml"])
def test_a_shared_declaration_revalidates_every_file(received, demo_reference, declaration):
    run_settings, _, schemas = received
    path = schemas / declaration
    path.write_text(path.read_text() + "\n# changed\n")
    assert recalled(run_settings, schemas, demo_reference) == {}


def test_board_declarations_and_area_codes_are_in_every_fingerprint(tmp_path, demo_reference):
    schemas = tmp_path / "schemas"
    shutil.copytree(PROJECT / "schemas", schemas)
    before = declaration_fingerprints(schemas, demo_reference.la_lookup)
    board = schemas / "boards" / "leeds" / "board.yaml"
    board.parent.mkdir(parents=True)
    board.write_text("name: Leeds\n")
    with_board = declaration_fingerprints(schemas, demo_reference.la_lookup)
    fewer_areas = dict(list(demo_reference.la_lookup.items())[1:])
    without_area = declaration_fingerprints(schemas, fewer_areas)
    assert set(before) == {path.stem for path in (schemas / "returns").glob("*.yaml")} | {ANY}
    for key in before:
        assert len({before[key], with_board[key], without_area[key]}) == 3


def test_a_stored_file_gone_from_the_inbox_is_recalled_from_the_store(received, demo_reference):
    run_settings, fresh, schemas = received
    shutil.rmtree(run_settings.returns_dir)
    run_settings.returns_dir.mkdir()
    again = recalled(run_settings, schemas, demo_reference)
    accepted = {s.submission_id for s in fresh if s.status == "accepted"}
    assert {s.submission_id for s in again.values()} == accepted
    assert all(path.is_relative_to(run_settings.store_dir) for path in again)
