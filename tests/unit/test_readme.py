"""The docs a user follows literally name only what exists: every `lscb-metrics` option, warehouse
relation and column, rule code, LSCB_* variable and make target they give."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import pytest

from lscb_metrics.cli import build_parser
from lscb_metrics.intake.rules import RULES
from lscb_metrics.warehouse import relation_descriptions

PROJECT = Path(__file__).resolve().parents[2]
#: The docs a user reads, from the project folder.
DOCS = (
    "README.md",
    "data/raw/returns/README.md",
    "data/raw/local/README.md",
    "benchmarks/README.md",
)
#: Options the docs give to programs other than the project's (`dask worker --nworkers`).
OTHER_PROGRAMS_OPTIONS = {"--nworkers"}


def doc_text(name: str) -> str:
    """The text of the doc `name` (a path from the project folder)."""
    return (PROJECT / name).read_text(encoding="utf-8")


def command_options(parser: argparse.ArgumentParser, name: str = "") -> dict[str, set[str]]:
    """The options of each `lscb-metrics` command, by its words ('run', 'board init')."""
    found: dict[str, set[str]] = {name: set(parser._option_string_actions)}
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for word, sub in action.choices.items():
                found |= command_options(sub, f"{name} {word}".strip())
    return found


def code(text: str) -> list[str]:
    """The lines of `text`'s code blocks and its inline code spans: what a user types."""
    blocks = re.findall(r"^```[a-z]*\n(.*?)^```", text, re.MULTILINE | re.DOTALL)
    prose = re.sub(r"^```.*?^```", "", text, flags=re.MULTILINE | re.DOTALL)
    spans = re.findall(r"`([^`\n]+)`", prose.replace("\n", " "))
    return [line for block in blocks for line in block.splitlines()] + spans


@pytest.mark.parametrize("doc", DOCS)
def test_every_command_gives_only_options_its_command_has(doc: str) -> None:
    options = command_options(build_parser())
    wrong = []
    for line in code(doc_text(doc)):
        for found in re.finditer(r"lscb-metrics ((?:[a-z]+ ?)+)", line):
            words = found.group(1).split()
            command = " ".join(words[:2]) if " ".join(words[:2]) in options else words[0]
            given = set(re.findall(r"(?<![\w-])--[a-z][a-z-]*", line[found.end() :]))
            wrong += [f"{command} {option}" for option in given - options.get(command, set())]
    assert wrong == []


@pytest.mark.parametrize("doc", DOCS)
def test_every_option_named_is_one_a_command_has(doc: str) -> None:
    scripts = [*(PROJECT / "scripts").glob("*.py"), *(PROJECT / "benchmarks").glob("*.py")]
    scripts_options = {
        option
        for script in scripts
        for option in re.findall(r'add_argument\(\s*"(--[a-z-]+)"', script.read_text("utf-8"))
    }
    every = set().union(*command_options(build_parser()).values())
    every |= scripts_options | OTHER_PROGRAMS_OPTIONS
    named = {
        option
        for line in code(doc_text(doc))
        for option in re.findall(r"(?<![\w-])--[a-z][a-z-]*", line)
    }
    assert sorted(named - every) == []


@pytest.mark.parametrize("doc", DOCS)
def test_every_relation_and_column_named_is_declared(doc: str) -> None:
    declared = relation_descriptions(PROJECT / "schemas" / "warehouse.yaml")
    wrong = []
    for schema, relation, column in re.findall(
        r"\b(audit|staged|reference|curated)\.([a-z_]+)(?:\.([a-z_0-9]+))?", doc_text(doc)
    ):
        name = f"{schema}.{relation}"
        if name not in declared or (column and column not in declared[name]["columns"]):
            wrong.append(f"{name}.{column}" if column else name)
    assert wrong == []


@pytest.mark.parametrize("doc", DOCS)
def test_every_rule_code_named_is_registered(doc: str) -> None:
    codes = set(re.findall(r"\b[A-Z]{3}-\d{3}\b", doc_text(doc)))
    assert sorted(codes - set(RULES) - {"SHA-256"}) == []


@pytest.mark.parametrize("doc", DOCS)
def test_every_lscb_variable_named_is_read_by_the_code(doc: str) -> None:
    code = "".join(path.read_text(encoding="utf-8") for path in (PROJECT / "src").rglob("*.py"))
    read = set(re.findall(r'"(LSCB_[A-Z_]+)"', code))
    assert sorted(set(re.findall(r"\bLSCB_[A-Z_]+\b", doc_text(doc))) - read) == []


@pytest.mark.parametrize("doc", DOCS)
def test_every_make_target_named_is_in_the_makefile(doc: str) -> None:
    targets = set(re.findall(r"^([a-z][a-z-]*):", doc_text("Makefile"), re.MULTILINE))
    named = set(re.findall(r"`make ([a-z][a-z-]*)", doc_text(doc)))
    named |= set(re.findall(r"^make ([a-z][a-z-]*)", doc_text(doc), re.MULTILINE))
    assert sorted(named - targets) == []


def test_the_readme_names_every_variable_the_code_reads() -> None:
    # A variable the README does not name is one a user cannot know to set.
    readme = doc_text("README.md")
    help_text = build_parser()._subparsers._group_actions[0].choices["run"].epilog or ""
    shown = set(re.findall(r"\bLSCB_[A-Z_]+\b", help_text))
    assert shown and sorted(v for v in shown if v not in readme) == []
