"""cached_frames and fingerprints: derived once per fingerprint, other fingerprints removed,
a damaged entry derived again."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from lscb_metrics.digests import code_digest, fingerprint, frame_digest
from lscb_metrics.published_cache import cached_frames


class Counted:
    """A computation that counts its calls and gives `value` in one frame."""

    def __init__(self, value: int) -> None:
        self.value = value
        self.calls = 0

    def __call__(self) -> tuple[pd.DataFrame, ...]:
        self.calls += 1
        return (pd.DataFrame({"value": [self.value], "submission_ids": [["a", "b"]]}),)


def test_a_fingerprint_is_derived_once_and_kept(tmp_path: Path) -> None:
    compute = Counted(1)
    (first,), cached = cached_frames(tmp_path, "kind", "f" * 64, ("rows",), compute)
    assert not cached
    (again,), cached = cached_frames(tmp_path, "kind", "f" * 64, ("rows",), compute)
    assert cached and compute.calls == 1
    pd.testing.assert_frame_equal(first, again)
    assert again["submission_ids"].item() == ["a", "b"]  # lists come back as lists


def test_a_new_fingerprint_replaces_its_kinds_old_entry_only(tmp_path: Path) -> None:
    cached_frames(tmp_path, "kind", "a" * 64, ("rows",), Counted(1))
    cached_frames(tmp_path, "other", "a" * 64, ("rows",), Counted(2))
    (frame,), cached = cached_frames(tmp_path, "kind", "b" * 64, ("rows",), Counted(3))
    assert not cached and frame["value"].item() == 3
    assert sorted(path.name.split(".")[0] for path in tmp_path.glob("*.parquet")) == [
        "kind-" + "b" * 32,
        "other-" + "a" * 32,
    ]


def test_a_damaged_entry_is_derived_again(tmp_path: Path) -> None:
    cached_frames(tmp_path, "kind", "c" * 64, ("rows",), Counted(1))
    next(tmp_path.glob("kind-*.parquet")).write_bytes(b"not parquet")
    compute = Counted(1)
    (frame,), cached = cached_frames(tmp_path, "kind", "c" * 64, ("rows",), compute)
    assert not cached and compute.calls == 1 and frame["value"].item() == 1


def test_a_computation_must_give_one_frame_per_name(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="computed 1 frames for 2 names"):
        cached_frames(tmp_path, "kind", "d" * 64, ("values", "comparisons"), Counted(1))


def test_fingerprints_tell_parts_apart() -> None:
    # Length-prefixed parts: moving a byte from one part to the next changes the fingerprint.
    assert fingerprint(b"ab", b"c") != fingerprint(b"a", b"bc")
    assert fingerprint(b"x") == fingerprint(b"x")
    one = pd.DataFrame({"a": [1, 2]})
    assert frame_digest(one) != frame_digest(one.iloc[::-1])  # row order matters
    assert frame_digest(one) != frame_digest(one.rename(columns={"a": "b"}))
    assert code_digest(["periods.py"]) != code_digest(["editions.py"])


@pytest.mark.parametrize("module", ["validation_cache.py", "published_cache.py"])
def test_every_key_changes_with_the_code_that_lays_out_the_caches(
    module: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # An upgrade that lays out the validation pack or the published cache otherwise, without
    # touching the validating or computing code, must not read the older version's files as
    # its own: they are rebuilt.
    from lscb_metrics import digests

    before = fingerprint(b"the same declarations")
    package = Path(shutil.copytree(digests._PACKAGE_DIR, tmp_path / "lscb_metrics"))
    with (package / module).open("a", encoding="utf-8") as source:
        source.write("\n# laid out otherwise\n")
    monkeypatch.setattr(digests, "_PACKAGE_DIR", package)
    assert fingerprint(b"the same declarations") != before
