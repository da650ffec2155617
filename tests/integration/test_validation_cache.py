"""The validation cache: a file validated once is not validated again under the same
declarations, its recalled result equals a fresh validation, and a changed declaration
re-validates exactly the files it affects."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest

from lscb_metrics import digests, pipeline, validation_cache
from lscb_metrics.config import Settings, settings
from lscb_metrics.submissions import Submission, return_context
from lscb_metrics.validation_cache import (
    ANY,
    PACK_FOLDER,
    PACK_INDEX,
    accepted_key,
    declaration_fingerprints,
    load_pack,
    save_pack,
)

PROJECT = Path(__file__).resolve().parents[2]
DEMO = PROJECT / "data" / "raw" / "returns"
CORPUS = PROJECT / "tests" / "corpus"


@pytest.fixture
def received(tmp_path: Path, demo_reference) -> tuple[Settings, list[Submission], Path]:
    """One demo quarter and one rejected file, validated and kept once, and the pack saved as a
    run saves it; a copy of the schemas."""
    returns = tmp_path / "returns"
    shutil.copytree(DEMO / "2014-15-Q2", returns / "2014-15-Q2")
    shutil.copy(CORPUS / "negative_count.csv", returns / "negative_count.csv")
    schemas = tmp_path / "schemas"
    shutil.copytree(PROJECT / "schemas", schemas)
    run_settings = settings(warehouse=str(tmp_path / "w.duckdb"), returns_dir=str(returns))
    context = return_context(schemas, demo_reference.la_lookup)
    fingerprints = declaration_fingerprints(schemas, demo_reference.la_lookup)
    now = datetime.now(UTC)
    pack = load_pack(run_settings.store_dir, fingerprints)
    submissions = [
        pipeline.receive(path, run_settings, context, {}, now)
        for path in pipeline.candidate_files(run_settings, pack).files
    ]
    assert save_pack(pack, submissions, fingerprints, context.boards)
    return run_settings, submissions, schemas


def recalled(run_settings: Settings, schemas: Path, demo_reference) -> dict[str, Submission]:
    """The files a run would not validate again under the declarations in `schemas`, by
    submission id."""
    fingerprints = declaration_fingerprints(schemas, demo_reference.la_lookup)
    pack = load_pack(run_settings.store_dir, fingerprints)
    found = pipeline.candidate_files(run_settings, pack)
    again = pipeline.recall_validated(found, run_settings, {}, datetime.now(UTC), pack)
    return {s.submission_id: s for s in again}


def test_a_recalled_result_equals_the_fresh_validation(received, demo_reference):
    run_settings, fresh, schemas = received
    again = recalled(run_settings, schemas, demo_reference)
    assert len(fresh) == 21 and set(again) == {s.submission_id for s in fresh}
    assert sum(s.status == "rejected" for s in fresh) == 1
    for submission in fresh:
        twin = again[submission.submission_id]
        for name in ("file_path", "status", "cover", "row_count", "failures", "report"):
            assert getattr(twin, name) == getattr(submission, name), name
        assert twin.archived_path == submission.archived_path
        pd.testing.assert_frame_equal(twin.facts, submission.facts)
        pd.testing.assert_frame_equal(twin.rows, submission.rows)


def test_packed_contents_are_hashed_but_never_staged_again(received, demo_reference):
    run_settings, fresh, schemas = received
    fingerprints = declaration_fingerprints(schemas, demo_reference.la_lookup)
    pack = load_pack(run_settings.store_dir, fingerprints)
    # A partner overwrites one return with new figures: only that content is new.
    changed = run_settings.returns_dir / "negative_count.csv"
    changed.write_text(changed.read_text().replace("-", ""))
    found = pipeline.candidate_files(run_settings, pack)
    assert [file.source for file in found.files] == [changed]
    # The 20 accepted files, each once: their kept copies in the store have the same content.
    assert len(found.known) == 20
    [staged] = found.files
    assert [path.name for path in staged.path.parent.iterdir()] == [staged.path.name]
    # Saving the same records again rewrites nothing.
    boards = return_context(schemas, demo_reference.la_lookup).boards
    assert not save_pack(pack, fresh, fingerprints, boards)


def test_an_unreadable_pack_means_every_file_is_validated_again(received, demo_reference):
    run_settings, fresh, schemas = received
    (run_settings.store_dir / PACK_FOLDER / PACK_INDEX).write_text("{not json")
    fingerprints = declaration_fingerprints(schemas, demo_reference.la_lookup)
    pack = load_pack(run_settings.store_dir, fingerprints)
    assert pack.records == {}
    assert len(pipeline.candidate_files(run_settings, pack).files) == len(fresh)


def test_a_changed_return_declaration_revalidates_exactly_its_files(received, demo_reference):
    run_settings, fresh, schemas = received
    training = schemas / "returns" / "training.yaml"
    training.write_text(training.read_text() + "\n# a comment changes the declaration\n")
    kept = set(recalled(run_settings, schemas, demo_reference))
    again = {s.submission_id for s in fresh} - kept
    # The rejected file may have been judged against every declaration, so it goes too.
    expected = {
        s.submission_id
        for s in fresh
        if s.status == "rejected" or s.cover["return_type"] == "training"
    }
    assert again == expected and len(again) == 13


@pytest.mark.parametrize(
    ("declaration", "before", "after"),
    [
        # The cover's declaration is taken byte for byte.
        ("cover.yaml", "", "\n# changed\n"),
        # A profile is taken as its settings (a comment changes none): an agency's name is one.
        ("boards/southend/board.yaml", 'name: "SEPT"', 'name: "South Essex Partnership Trust"'),
    ],
)
def test_a_shared_declaration_revalidates_every_file(
    received, demo_reference, declaration, before, after
):
    run_settings, _, schemas = received
    path = schemas / declaration
    text = path.read_text()
    assert before in text
    path.write_text(text.replace(before, after, 1) if before else text + after)
    assert recalled(run_settings, schemas, demo_reference) == {}


def test_another_boards_profile_changed_revalidates_none_of_this_boards_files(
    received, demo_reference
):
    run_settings, fresh, schemas = received
    # Thurrock's business manager edits its profile: Southend's accepted returns (the fixture's
    # quarter) were judged by Southend's profile alone, so a hub's boards do not re-validate
    # each other's history. The rejected file named every board's agencies: judged again.
    profile = schemas / "boards" / "thurrock" / "board.yaml"
    text = profile.read_text()
    assert "assessment_working_days: 45" in text
    profile.write_text(text.replace("assessment_working_days: 45", "assessment_working_days: 42"))
    kept = recalled(run_settings, schemas, demo_reference)
    assert set(kept) == {s.submission_id for s in fresh if s.status == "accepted"}
    assert len(kept) == 20


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
    return_types = {path.stem for path in (schemas / "returns").glob("*.yaml")}
    assert set(before) == {
        accepted_key(return_type, board) for return_type in return_types
        for board in ("southend", "thurrock")
    } | {ANY}  # fmt: skip
    # A new board is a new key for its files; the other boards' accepted files stay valid,
    # while a rejected file (judged against every board) is judged again.
    assert set(with_board) - set(before) == {accepted_key(t, "leeds") for t in return_types}
    assert {key: with_board[key] for key in before if key != ANY} == {
        key: value for key, value in before.items() if key != ANY
    }
    assert with_board[ANY] != before[ANY]
    for key in before:
        assert before[key] != without_area[key]


def test_a_stored_file_gone_from_the_inbox_is_recalled_from_the_store(received, demo_reference):
    run_settings, fresh, schemas = received
    shutil.rmtree(run_settings.returns_dir)
    run_settings.returns_dir.mkdir()
    again = recalled(run_settings, schemas, demo_reference)
    accepted = {s.submission_id for s in fresh if s.status == "accepted"}
    assert set(again) == accepted
    assert all(Path(s.archived_path).is_relative_to(run_settings.store_dir) for s in again.values())


def test_a_rewritten_pack_keeps_every_recalled_files_frames(received, demo_reference):
    run_settings, _, schemas = received
    fingerprints = declaration_fingerprints(schemas, demo_reference.la_lookup)
    # The hospital sends its training return again with Windows line ends: new bytes, same
    # figures; the first copy stays known from the store.
    changed = run_settings.returns_dir / "2014-15-Q2" / "SUH_training.csv"
    changed.write_bytes(changed.read_bytes().replace(b"\n", b"\r\n"))
    pack = load_pack(run_settings.store_dir, fingerprints)
    found = pipeline.candidate_files(run_settings, pack)
    old = pipeline.recall_validated(found, run_settings, {}, datetime.now(UTC), pack)
    context = return_context(schemas, demo_reference.la_lookup)
    [new] = [pipeline.receive(f, run_settings, context, {}, datetime.now(UTC)) for f in found.files]
    assert new.status == "accepted" and save_pack(pack, [*old, new], fingerprints, context.boards)
    again = recalled(run_settings, schemas, demo_reference)
    assert set(again) == {s.submission_id for s in [*old, new]}
    for submission in [*old, new]:
        pd.testing.assert_frame_equal(again[submission.submission_id].facts, submission.facts)
        pd.testing.assert_frame_equal(again[submission.submission_id].rows, submission.rows)


def test_a_file_sent_again_under_another_name_is_recalled_under_its_new_name(
    received, demo_reference
):
    run_settings, fresh, schemas = received
    first = next(s for s in fresh if s.status == "accepted")
    sent = run_settings.returns_dir / first.file_path
    sent.rename(sent.with_name(f"resent_{sent.name}"))
    twin = recalled(run_settings, schemas, demo_reference)[first.submission_id]
    assert twin.file_path.endswith(f"resent_{sent.name}")
    # The facts name the file as it arrived this time, as a fresh validation of it would.
    assert set(twin.facts["source"]) == {f"resent_{sent.name}"}
    pd.testing.assert_frame_equal(
        twin.facts.drop(columns="source"), first.facts.drop(columns="source")
    )


@pytest.mark.parametrize("module", ["boards.py", "marked_yaml.py", "intake/declarations.py"])
def test_the_code_that_reads_declarations_is_in_every_fingerprint(
    module, tmp_path, monkeypatch, demo_reference
):
    package = tmp_path / "lscb_metrics"
    shutil.copytree(Path(validation_cache.__file__).parent, package)
    monkeypatch.setattr(digests, "_PACKAGE_DIR", package)
    before = declaration_fingerprints(PROJECT / "schemas", demo_reference.la_lookup)
    source = package / module
    source.write_text(source.read_text() + "\n# changed\n")
    after = declaration_fingerprints(PROJECT / "schemas", demo_reference.la_lookup)
    assert before.keys() == after.keys()
    assert all(before[key] != after[key] for key in before)


def test_a_board_renamed_keeps_its_accepted_files_results(tmp_path: Path, demo_reference) -> None:
    schemas = Path(shutil.copytree(PROJECT / "schemas", tmp_path / "schemas"))
    before = declaration_fingerprints(schemas, demo_reference.la_lookup)
    profile = schemas / "boards" / "southend" / "board.yaml"
    profile.write_text(
        profile.read_text().replace(
            "name: Southend Local Safeguarding Children Board",
            "name: {2013-14-Q1: Southend Local Safeguarding Children Board, "
            "2019-20-Q2: Southend Safeguarding Children Partnership}",
        )
    )
    renamed = declaration_fingerprints(schemas, demo_reference.la_lookup)
    # An accepted file's result does not depend on the board's name; a rejected file's message
    # names the boards, so it is judged again.
    assert {k: v for k, v in renamed.items() if k != ANY} == {
        k: v for k, v in before.items() if k != ANY
    }
    assert renamed[ANY] != before[ANY]
    # A change to what a return is judged against still re-validates it.
    profile.write_text(
        profile.read_text().replace("assessment_working_days: 40", "assessment_working_days: 35")
    )
    assert (
        declaration_fingerprints(schemas, demo_reference.la_lookup)[
            accepted_key("assessments", "southend")
        ]
        != renamed[accepted_key("assessments", "southend")]
    )
