"""The declaration grammar shared by returns and case lists: YAML, labels and declared checks."""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from lscb_metrics.intake.declarations import (
    SCHEMAS_DIR,
    Labelled,
    SpecError,
    checked_codes_allowed,
    checked_unambiguous,
    checked_unique,
    declared_bounds,
    declared_check,
    declared_type,
    keyed_declarations,
    label_key,
    labels_index,
    yaml_document,
    yaml_list,
    yaml_mapping,
    yaml_name,
    yaml_text,
    yaml_whole,
)

SCHEMAS = Path(__file__).parents[3] / "schemas"
WHERE = Path("schemas/example.yaml")
CODE = re.compile(r"^ABC-X\d{2}$")


@dataclass(frozen=True)
class Named(Labelled):
    name: str
    title: str
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Check:
    code: str


@dataclass(frozen=True)
class Declared:
    kind: str
    checks: tuple[Check, ...] = ()


def test_schemas_dir_is_the_projects() -> None:
    assert SCHEMAS.resolve() == SCHEMAS_DIR


def test_label_key_ignores_case_spaces_and_punctuation() -> None:
    assert label_key(" Plans at period end: neglect ") == "plansatperiodendneglect"
    assert label_key("Re_referrals (12 months)") == "rereferrals12months"


def test_labels_index_and_labelled() -> None:
    named = Named("referrals", "Referrals received", ("refs",))
    assert named.labels == ("referrals", "Referrals received", "refs")
    index = labels_index([(named.name, named.labels)])
    assert index == {
        "referrals": "referrals",
        "referralsreceived": "referrals",
        "refs": "referrals",
    }


def test_yaml_helpers_name_the_file() -> None:
    assert yaml_mapping({"a": 1}, WHERE, "the file", {"a", "b"}, {"a"}) == {"a": 1}
    with pytest.raises(SpecError, match=r"^schemas/example\.yaml: the file lacks b$"):
        yaml_mapping({"a": 1}, WHERE, "the file", {"a", "b"})
    with pytest.raises(SpecError, match="unknown key"):
        yaml_mapping({"c": 1}, WHERE, "the file", {"a"}, set())
    assert yaml_list(None, WHERE, "columns") == []
    with pytest.raises(SpecError, match="columns must be a list"):
        yaml_list("x", WHERE, "columns")
    assert yaml_text(" Title ", WHERE, "title") == "Title"
    with pytest.raises(SpecError, match="non-blank text"):
        yaml_text(" ", WHERE, "title")
    with pytest.raises(SpecError, match="lower_snake_case"):
        yaml_name("Police!", WHERE, "code")
    assert yaml_whole(None, WHERE, "min") is None
    with pytest.raises(SpecError, match="whole number"):
        yaml_whole(1.5, WHERE, "min")


def test_yaml_document_names_a_missing_or_broken_file(tmp_path: Path) -> None:
    with pytest.raises(SpecError, match="file not found"):
        yaml_document(tmp_path / "none.yaml")
    broken = tmp_path / "broken.yaml"
    broken.write_text("columns: [unclosed", encoding="utf-8")
    with pytest.raises(SpecError, match="not valid YAML"):
        yaml_document(broken)


def test_yaml_document_refuses_a_key_given_twice(tmp_path: Path) -> None:
    profile = tmp_path / "board.yaml"
    profile.write_text("name: Leeds\nareas: [E08000035]\nname: Wakefield\n", encoding="utf-8")
    with pytest.raises(SpecError, match=r"board\.yaml:3: 'name' given twice .*first on line 1"):
        yaml_document(profile)


def test_names_and_labels_must_be_unique_and_unambiguous() -> None:
    with pytest.raises(SpecError, match="duplicate column name 'a'"):
        checked_unique(["a", "b", "a"], WHERE, "column name")
    with pytest.raises(SpecError, match="matches 'Re-referrals' of b"):
        checked_unambiguous([("b", ["Re-referrals"]), ("c", ["re referrals"])], WHERE)
    with pytest.raises(SpecError, match="no letters or digits"):
        checked_unambiguous([("b", ["--"])], WHERE)


def test_column_type_bounds_and_codes() -> None:
    assert declared_type({"type": "code"}, WHERE, "column a", ("code", "integer")) == "code"
    with pytest.raises(SpecError, match=r"unknown type 'text' \(expected one of code, integer\)"):
        declared_type({"type": "text"}, WHERE, "column a", ("code", "integer"))
    assert declared_bounds({"min": 0, "max": 5}, WHERE, "column a", "integer") == (0, 5)
    assert declared_bounds({}, WHERE, "column a", "code") == (None, None)
    with pytest.raises(SpecError, match="min and max apply only to integer columns"):
        declared_bounds({"min": 0}, WHERE, "column a", "count")
    checked_codes_allowed("code", ["x"], WHERE, "column a")
    checked_codes_allowed("count", [], WHERE, "column a")
    for column_type, allowed in (("code", []), ("count", ["x"])):
        with pytest.raises(SpecError, match="needs `allowed` codes, and only it"):
            checked_codes_allowed(column_type, allowed, WHERE, "column a")


def test_declared_check_parses_its_rule() -> None:
    document = {"code": "ABC-X01", "rule": "a <= b", "message": "A exceeds B."}
    item, code, rule, tree = declared_check(document, WHERE, CODE, "ABC-X01")
    assert (item["message"], code, rule) == ("A exceeds B.", "ABC-X01", "a <= b")
    assert isinstance(tree, ast.Compare)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"code": "ABC-1"}, "check code 'ABC-1' must look like ABC-X01"),
        ({"rule": "a <="}, "check ABC-X01 rule 'a <=' is not an expression"),
        ({"colour": "red"}, "a check has unknown key"),
    ],
)
def test_declared_check_refuses_a_malformed_check(change: dict, message: str) -> None:
    document = {"code": "ABC-X01", "rule": "a <= b", "message": "A exceeds B.", **change}
    with pytest.raises(SpecError, match=re.escape(f"{WHERE}: {message}")):
        declared_check(document, WHERE, CODE, "ABC-X01")


def test_a_registered_rule_code_is_not_a_check_code() -> None:
    document = {"code": "CAS-001", "rule": "a <= b", "message": "m"}
    with pytest.raises(SpecError, match="must look like"):
        declared_check(document, WHERE, re.compile(r"^[A-Z]{3}-\d{3}$"), "XYZ-X01")


def _files(tmp_path: Path, documents: dict[str, str]) -> list[Path]:
    """The YAML `documents` written as files named by their keys."""
    paths = []
    for name, text in documents.items():
        (path := tmp_path / name).write_text(text, encoding="utf-8")
        paths.append(path)
    return paths


def _declared(document: dict, path: Path) -> Declared:
    return Declared(document["kind"], tuple(Check(code) for code in document.get("checks", [])))


def test_keyed_declarations(tmp_path: Path) -> None:
    paths = _files(tmp_path, {"a.yaml": "{kind: a, checks: [X1]}", "b.yaml": "{kind: b}"})
    declared = keyed_declarations(paths, _declared, lambda d: d.kind, "list type", "check")
    assert list(declared) == ["a", "b"] and declared["a"].checks == (Check("X1"),)


@pytest.mark.parametrize(
    ("second", "message"),
    [
        ("{kind: a}", "b.yaml: list type 'a' is declared twice"),
        ("{kind: b, checks: [X1]}", "b.yaml: check code X1 is also used in "),
    ],
)
def test_keyed_declarations_refuse_repeats(tmp_path: Path, second: str, message: str) -> None:
    paths = _files(tmp_path, {"a.yaml": "{kind: a, checks: [X1]}", "b.yaml": second})
    with pytest.raises(SpecError, match=re.escape(message)):
        keyed_declarations(paths, _declared, lambda d: d.kind, "list type", "check code")
