"""Pseudonymisation: the keyed hash, its SQL twin, the key's source, identifying headers."""

from __future__ import annotations

import hashlib
import hmac
import os
import subprocess
from pathlib import Path

import duckdb
import pytest

from lscb_metrics.cases import pseudonymise
from lscb_metrics.cases.pseudonymise import (
    KEY_FILE_VARIABLE,
    KEY_VARIABLE,
    hmac_pads,
    load_pseudonymisation_key,
    looks_identifying,
    pseudonym,
    pseudonym_hex_sql,
    pseudonym_text,
    pseudonym_text_sql,
)
from lscb_metrics.errors import ConfigurationError

KEY = b"k" * 32


def test_pseudonym_is_keyed_truncated_hmac_sha256() -> None:
    expected = hmac.new(KEY, b"SOU-000123", hashlib.sha256).hexdigest()[:16]
    assert pseudonym(KEY, "SOU-000123") == f"P-{expected}"
    assert pseudonym(KEY, "SOU-000123") == pseudonym(KEY, "SOU-000123")
    assert pseudonym(KEY, "SOU-000123") != pseudonym(b"j" * 32, "SOU-000123")
    assert pseudonym(KEY, "SOU-000123") != pseudonym(KEY, "SOU-000124")


@pytest.mark.parametrize("key", [KEY, b"\x00\xff" * 20, b"a much longer key " * 8])
def test_sql_pseudonym_equals_python(key: bytes) -> None:
    inner, outer = hmac_pads(key)
    ids = ["SOU-000123", "ZZ 9", "é-unicode", "0"]
    number = f"('0x' || {pseudonym_hex_sql('id')})::UBIGINT"
    rows = duckdb.execute(
        f"SELECT id, {pseudonym_text_sql(number)}, {number} FROM unnest($ids) t(id)",
        {"ids": ids, "inner_pad": inner, "outer_pad": outer},
    ).fetchall()
    for child_id, text, value in rows:
        assert text == pseudonym(key, child_id) == pseudonym_text(value)


@pytest.fixture(autouse=True)
def no_key_taken(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test starts as a fresh process would: no key taken out of the environment yet."""
    monkeypatch.setattr(pseudonymise, "_TAKEN", {})


def test_the_key_leaves_the_environment_once_read(monkeypatch: pytest.MonkeyPatch) -> None:
    canary = "canary-key-" + "k" * 40
    monkeypatch.delenv(KEY_FILE_VARIABLE, raising=False)
    monkeypatch.setenv(KEY_VARIABLE, canary)
    assert load_pseudonymisation_key() == canary.encode()
    assert KEY_VARIABLE not in os.environ
    child = subprocess.run(["env"], capture_output=True, text=True, check=True).stdout
    assert canary not in child and KEY_VARIABLE not in child
    assert load_pseudonymisation_key() == canary.encode()  # a later run in this process


def test_key_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(KEY_FILE_VARIABLE, raising=False)
    monkeypatch.setenv(KEY_VARIABLE, "x" * 40)
    assert load_pseudonymisation_key() == b"x" * 40


def test_key_from_a_file_outside_the_project(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    path = tmp_path / "key"
    path.write_text("y" * 64 + "\n")
    monkeypatch.delenv(KEY_VARIABLE, raising=False)
    monkeypatch.setenv(KEY_FILE_VARIABLE, str(path))
    assert load_pseudonymisation_key() == b"y" * 64


def test_no_key_refuses_to_start(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(KEY_VARIABLE, raising=False)
    monkeypatch.delenv(KEY_FILE_VARIABLE, raising=False)
    with pytest.raises(ConfigurationError, match="no pseudonymisation key is set"):
        load_pseudonymisation_key()


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({KEY_VARIABLE: "short"}, "needs at least 32"),
        ({KEY_VARIABLE: "x" * 40, KEY_FILE_VARIABLE: "/nowhere"}, "set only one"),
        ({KEY_FILE_VARIABLE: "/nowhere/at/all"}, "cannot read the key file"),
        ({KEY_FILE_VARIABLE: str(Path(__file__))}, "inside the project folder"),
    ],
)
def test_bad_keys_are_refused(
    monkeypatch: pytest.MonkeyPatch, variables: dict[str, str], message: str
) -> None:
    monkeypatch.delenv(KEY_VARIABLE, raising=False)
    monkeypatch.delenv(KEY_FILE_VARIABLE, raising=False)
    for name, value in variables.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ConfigurationError, match=message):
        load_pseudonymisation_key()


@pytest.mark.parametrize(
    "header",
    [
        "Name", "Child's name", "Forename", "SURNAME", "First name", "LastName", "full_name",
        "Address", "Address line 1", "Postcode", "Post code", "Street", "NHS number",
        "NHSNumber", "UPN", "Unique Pupil Number", "ULN", "National Insurance number",
        "Telephone", "Mobile", "Email", "Town", "Mother's name",
    ],
)  # fmt: skip
def test_identifying_headers(header: str) -> None:
    assert looks_identifying(header)


@pytest.mark.parametrize(
    "header",
    [
        "Child ID", "LAchildID", "Date of birth", "DOB", "Referral date", "Referral source",
        "Category of abuse", "Age", "la_code", "Period start", "Group number", "Outcome",
    ],
)  # fmt: skip
def test_ordinary_headers_are_kept(header: str) -> None:
    assert not looks_identifying(header)
