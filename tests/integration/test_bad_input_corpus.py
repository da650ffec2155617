"""The bad-input corpus (tests/corpus): every broken partner file is refused with its rule code
and a plain message, never a traceback, by `lscb-metrics validate` and by a pipeline run; the
controls pass. `tests/corpus/cases.yaml` says what each file must give: exactly those codes, each
as many times as listed, so a mistake reported twice (a second failure for the same cell, of the
same code or another) fails here.
"""

from __future__ import annotations

import importlib.util
import shutil
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType

import openpyxl
import pandas as pd
import pytest
import yaml

from lscb_metrics.boards import load_boards
from lscb_metrics.cli import EXIT_ERROR, EXIT_INVALID, EXIT_OK, main
from lscb_metrics.config import settings
from lscb_metrics.intake.failures import Failure
from lscb_metrics.intake.hashing import file_sha256
from lscb_metrics.intake.read import UnreadableFile
from lscb_metrics.intake.rules import RULES, UNREADABLE, Severity, formula_safe
from lscb_metrics.periods import parse_quarter
from lscb_metrics.pipeline import compute_run
from lscb_metrics.reference import la_lookup, load_areas
from lscb_metrics.returns import (
    load_return_specs,
    read_return,
    report_summary,
    validate_file,
    validate_return,
    write_validation_report,
)
from tests.stages import received_returns

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT / "tests" / "corpus"
QUARTER = "2014-15-Q2"
# One valid demo return, so the run publishes real figures beside the rejections.
VALID_RETURNS = [ROOT / "data" / "raw" / "returns" / QUARTER / "SBC-CSC_referrals.xlsx"]


@dataclass(frozen=True)
class Case:
    """A corpus file and what it must give (a control: exit 0 and `codes` as its warnings)."""

    file: str
    category: str
    codes: tuple[str, ...]
    exit: int = EXIT_OK
    phrase: str = ""
    wrong: str = ""
    why: str = ""
    never: str = ""  # text of the file that must be echoed nowhere
    generated: bool = False

    def listed(self, severity: Severity) -> Counter[str]:
        """The case's codes of `severity`, each as many times as listed; a declared
        cross-column check's (ASM-X01) is an error."""
        return Counter(
            c for c in self.codes if (RULES[c].severity if c in RULES else "error") == severity
        )


def _cases(kind: str) -> list[Case]:
    """The `cases` or `controls` of cases.yaml."""
    document = yaml.safe_load((CORPUS / "cases.yaml").read_text(encoding="utf-8"))
    return [Case(**{**item, "codes": tuple(item["codes"])}) for item in document[kind]]


CASES = _cases("cases")
CONTROLS = _cases("controls")


def _params(cases: list[Case]) -> list:
    """A test parameter per case, named after its file."""
    return [pytest.param(case, id=case.file) for case in cases]


@pytest.fixture(scope="module")
def make_corpus() -> ModuleType:
    """tests/corpus/make_corpus.py, imported from its path (tests/ is not a package)."""
    spec = importlib.util.spec_from_file_location("make_corpus", CORPUS / "make_corpus.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def corpus_paths(make_corpus: ModuleType, tmp_path_factory: pytest.TempPathFactory) -> dict:
    """file name -> path of every case and control: committed, or written now if generated."""
    folder = tmp_path_factory.mktemp("generated")
    return {
        case.file: make_corpus.GENERATED[case.file](folder / case.file)
        if case.generated
        else CORPUS / case.file
        for case in [*CASES, *CONTROLS]
    }


def _validated(path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    """Exit code and everything printed by `lscb-metrics validate` on `path`, in process;
    never a traceback, nor the command's last-resort message for an unexpected error."""
    code = main(["validate", str(path)])
    printed = capsys.readouterr()
    output = printed.out + printed.err
    assert "Traceback" not in output
    assert "unexpected error" not in output
    return code, output


def _printed_codes(output: str, severity: Severity) -> Counter[str]:
    """The codes `lscb-metrics validate` printed as failures of `severity` ('ERROR   VAL-001'),
    each as many times as printed."""
    return Counter(
        line.split()[1] for line in output.splitlines() if line.startswith(severity.upper() + " ")
    )


# --- the corpus itself ----------------------------------------------------------------------


def test_corpus_is_what_make_corpus_writes(make_corpus: ModuleType, tmp_path: Path) -> None:
    listed = [case.file for case in [*CASES, *CONTROLS]]
    assert len(CASES) >= 40
    assert len(set(listed)) == len(listed)
    assert sorted(listed) == sorted([*make_corpus.BUILDERS, *make_corpus.GENERATED])
    for path in make_corpus.write_corpus(tmp_path):
        assert path.read_bytes() == (CORPUS / path.name).read_bytes(), (
            f"{path.name} differs: run .venv/bin/python tests/corpus/make_corpus.py"
        )


def test_no_two_corpus_files_are_the_same(corpus_paths: dict[str, Path]) -> None:
    # a run keeps one file per content: a twin would never reach validation
    digests = [file_sha256(path) for path in corpus_paths.values()]
    assert len(set(digests)) == len(digests)


# --- lscb-metrics validate ------------------------------------------------------------------


@pytest.mark.parametrize("case", _params([c for c in CASES if c.exit == EXIT_INVALID]))
def test_invalid_file_is_reported_with_its_codes(
    case: Case, corpus_paths: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    code, printed = _validated(corpus_paths[case.file], capsys)
    assert code == EXIT_INVALID, printed
    assert case.phrase in printed
    assert not case.never or case.never not in printed
    # Exactly: a code beyond the list is the same mistake reported twice, or a case to list.
    assert _printed_codes(printed, "error") == case.listed("error")
    assert _printed_codes(printed, "warning") == case.listed("warning")


@pytest.mark.parametrize("case", _params([c for c in CASES if c.exit == EXIT_ERROR]))
def test_unreadable_file_says_why(
    case: Case, corpus_paths: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    # the command prints why the file cannot be read; RET-001 is checked in the run's audit
    assert case.codes == (UNREADABLE.code,)
    code, printed = _validated(corpus_paths[case.file], capsys)
    assert code == EXIT_ERROR, printed
    assert case.phrase in printed


@pytest.mark.parametrize("case", _params(CONTROLS))
def test_control_file_passes(
    case: Case, corpus_paths: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    code, printed = _validated(corpus_paths[case.file], capsys)
    assert code == EXIT_OK, printed
    assert _printed_codes(printed, "warning") == Counter(case.codes)


# --- validation reports ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def area_lookup() -> dict:
    return la_lookup(load_areas(settings().reference_dir))


def _failures_and_cover(path: Path, area_lookup: dict) -> tuple[list[Failure], dict]:
    """What validation finds in a file, and its cover as read (none if it cannot be read)."""
    specs, agencies = load_return_specs(), load_boards()
    try:
        raw = read_return(path, specs)
    except UnreadableFile:
        return validate_file(path, specs, agencies, area_lookup).failures, {}
    return validate_return(raw, specs, agencies, area_lookup).failures, raw.cover


@pytest.mark.parametrize("case", _params([*CASES, *CONTROLS]))
def test_report_never_holds_a_live_formula(
    case: Case, corpus_paths: dict[str, Path], area_lookup: dict, tmp_path: Path
) -> None:
    path = corpus_paths[case.file]
    failures, cover = _failures_and_cover(path, area_lookup)
    summary = report_summary(failures, cover, area_lookup)
    workbook, _ = write_validation_report(failures, path.name, summary, tmp_path)
    if workbook is None:  # a clean file's report is its page alone (no cell to hold a formula)
        assert not failures
        return
    sheet = openpyxl.load_workbook(workbook)["Report"]
    texts = [cell for row in sheet.iter_rows() for cell in row if cell.value is not None]
    assert texts
    assert all(cell.data_type == "s" for cell in texts)
    assert all(formula_safe(cell.value) == cell.value for cell in texts)


# --- a pipeline run over the whole corpus ---------------------------------------------------


@dataclass(frozen=True)
class CorpusRun:
    """A run over valid returns and every bad file: what the warehouse and folders hold."""

    returns_dir: Path
    quarantine_dir: Path
    submissions: pd.DataFrame
    failures: pd.DataFrame
    facts: pd.DataFrame


@pytest.fixture(scope="module")
def corpus_run(
    corpus_paths: dict[str, Path], tmp_path_factory: pytest.TempPathFactory, demo_reference
) -> CorpusRun:
    """The ingest and compute stages over the valid returns and all the bad files."""
    tmp = tmp_path_factory.mktemp("corpus_run")
    returns_dir = tmp / "returns"
    returns_dir.mkdir()
    for path in [*VALID_RETURNS, *(corpus_paths[case.file] for case in CASES)]:
        shutil.copyfile(path, returns_dir / path.name)
    run_settings = settings(warehouse=str(tmp / "w.duckdb"), returns_dir=str(returns_dir))
    submissions = received_returns(run_settings, demo_reference)
    plan = compute_run(
        run_settings, parse_quarter(QUARTER), submissions, demo_reference, datetime.now(UTC)
    )
    return CorpusRun(
        returns_dir,
        run_settings.quarantine_dir,
        plan.relations["audit.submissions"],
        plan.relations["audit.validation_failures"],
        plan.relations["staged.partner_facts"],
    )


def _submission(run: CorpusRun, path: Path) -> pd.Series:
    """The audit.submissions row of the file at `path`, found by its content."""
    [row] = run.submissions[run.submissions["sha256"] == file_sha256(path)].to_dict("records")
    return pd.Series(row)


@pytest.mark.parametrize("path", VALID_RETURNS, ids=lambda path: path.name)
def test_valid_return_is_used(path: Path, corpus_run: CorpusRun) -> None:
    submission = _submission(corpus_run, path)
    assert submission["status"] == "accepted"
    assert (corpus_run.facts["submission_id"] == submission["submission_id"]).any()


@pytest.mark.parametrize("case", _params(CASES))
def test_bad_file_is_rejected_quarantined_and_unused(
    case: Case, corpus_paths: dict[str, Path], corpus_run: CorpusRun
) -> None:
    source = corpus_paths[case.file]
    submission = _submission(corpus_run, source)
    assert submission["status"] == "rejected"
    failures = corpus_run.failures[
        corpus_run.failures["submission_id"] == submission["submission_id"]
    ]
    for severity in ("error", "warning"):
        recorded = failures.loc[failures["severity"] == severity, "code"]
        assert Counter(recorded) == case.listed(severity)
    assert case.phrase in " ".join(failures["message"])
    quarantined = corpus_run.quarantine_dir / submission["submission_id"] / case.file
    # Recorded relative to the warehouse's folder, beside which the quarantine is.
    beside = corpus_run.quarantine_dir.parent
    assert submission["archived_path"] == quarantined.relative_to(beside).as_posix()
    assert file_sha256(quarantined) == file_sha256(source)
    # The partner's report lies beside the quarantined file.
    assert (quarantined.parent / "validation_report.xlsx").is_file()
    assert (quarantined.parent / "validation_report.html").is_file()
    if case.never:
        recorded = " ".join(failures["message"]) + " ".join(failures["value"].dropna())
        page = (quarantined.parent / "validation_report.html").read_text(encoding="utf-8")
        assert case.never not in recorded + page
    assert file_sha256(corpus_run.returns_dir / case.file) == file_sha256(source)
    assert not (corpus_run.facts["submission_id"] == submission["submission_id"]).any()


def test_no_echoed_value_in_the_audit_can_run_as_a_formula(corpus_run: CorpusRun) -> None:
    echoed = corpus_run.failures[["location", "column_name", "value", "message"]]
    texts = [text for text in echoed.to_numpy().ravel() if isinstance(text, str)]
    assert [text for text in texts if formula_safe(text) != text] == []
